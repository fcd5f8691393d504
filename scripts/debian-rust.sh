# Debian's rustc-web and its standard-library source in a private folder, for
# the targets rustup cannot fetch here (Windows, wasm32) built with
# `-Z build-std`. Source it from the project's root:
#
#   . scripts/debian-rust.sh [EXTRA_PACKAGE...]
#
# It unpacks rustc-web, its standard library, rust-web-src and the LLVM
# library they link (plus any extra Debian packages named) into
# target/debian-rust/root, without installing them (they conflict with
# rustup), and exports RUSTC (a wrapper that finds the unpacked libraries)
# and RUSTC_BOOTSTRAP=1, so the machine's own cargo builds with that rustc.
# The machine's rustup toolchain is left as it is. Needs `apt-get update`
# to have run once.

debian_rust_main() {
    local dir root want pkgs p std llvm
    dir="$(pwd)/target/debian-rust"
    root="$dir/root"
    want="rustc-web libstd-rust-web-dev rust-web-src $*"
    if [ ! -x "$root/usr/bin/rustc" ] || [ "$(cat "$dir/packages" 2>/dev/null)" != "$want" ]; then
        rm -rf "$dir"
        mkdir -p "$dir/debs" "$root" || return 1
        std="$(apt-cache depends libstd-rust-web-dev | sed -n 's/^ *Depends: \(libstd-rust-web-[0-9.]*\)$/\1/p' | head -n 1)"
        llvm="$(apt-cache depends "$std" | sed -n 's/^ *Depends: \(libllvm[0-9]*\)$/\1/p' | head -n 1)"
        if [ -z "$std" ] || [ -z "$llvm" ]; then
            echo "debian-rust: rustc-web not known to apt (run apt-get update)" >&2
            return 1
        fi
        pkgs="$want $std $llvm"
        # apt's _apt user may not write here; downloading as root is fine.
        (cd "$dir/debs" && apt-get download -q $pkgs) || return 1
        for p in "$dir"/debs/*.deb; do dpkg-deb -x "$p" "$root" || return 1; done
        printf '%s' "$want" > "$dir/packages"
    fi
    cat > "$dir/rustc" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/bin/rustc" "\$@"
WRAP
    chmod +x "$dir/rustc"
    export RUSTC="$dir/rustc"
    export RUSTC_BOOTSTRAP=1
    export DEBIAN_RUST_ROOT="$root"
    "$RUSTC" --version
}
debian_rust_main "$@"
