#!/usr/bin/env bash
# gongwen's core for web pages, as target/wasm/gongwen.wasm: the wasm/
# crate built for wasm32-unknown-unknown, loaded by wasm/gongwen.mjs.
#
#   scripts/build-wasm.sh
#
# Needs `apt-get update` to have run once. Debian's rustc-web and its
# standard library's source are unpacked into target/debian-rust (see
# scripts/debian-rust.sh; the machine's rustup toolchain is left alone)
# with the wasm linker (wasm-ld from lld-22; rust-web-llvm for rustc's own
# linker tools), and the standard library is built for the target with
# `-Z build-std`, as rustup cannot fetch it here. The build goes to
# target/wasm and runs --locked against wasm/Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/debian-rust.sh rust-web-llvm lld-22 >/dev/null
root="$DEBIAN_RUST_ROOT"
linker="$(pwd)/target/debian-rust/wasm-ld"
cat > "$linker" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/usr/lib/llvm-22/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/lib/llvm-22/bin/wasm-ld" "\$@"
WRAP
chmod +x "$linker"

export CARGO_TARGET_DIR=target/wasm
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$linker"
# getrandom has no source on wasm32-unknown-unknown: the page's
# crypto.getRandomValues is imported instead (wasm/src/lib.rs). The
# template runs on the main stack there, so it gets the 64 MiB the command
# line's template thread has (TEMPLATE_STACK in src/template/mod.rs).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg getrandom_backend="custom" -C link-arg=-zstack-size=67108864'
target=wasm32-unknown-unknown
start=$(date +%s)
cargo build --locked --release --manifest-path wasm/Cargo.toml \
  -Z build-std=std,panic_abort --target "$target"
cp "target/wasm/$target/release/gongwen_wasm.wasm" target/wasm/gongwen.wasm
echo "build-wasm: built in $(($(date +%s) - start)) s"
ls -l target/wasm/gongwen.wasm
