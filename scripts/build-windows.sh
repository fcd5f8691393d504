#!/usr/bin/env bash
# gongwen.exe for 64-bit Windows 10 and 11, built on Debian 12 and packed
# for the clerks as target/dist/gongwen-<version>-windows-x64.zip: the
# program, its 使用说明 and the examples (both annual-report samples, a
# notice, a letter with its seal, minutes).
#
#   scripts/build-windows.sh
#
# Needs `apt-get update` to have run once and the MinGW-w64 linker
# (gcc-mingw-w64-x86-64-win32). Debian's rustc-web and its standard
# library's source are unpacked into target/debian-rust (see
# scripts/debian-rust.sh; the machine's rustup toolchain is left alone)
# and the standard library is built for the target with `-Z build-std`,
# as rustup cannot fetch it here. The build goes to target/windows, so the
# Linux build's files are not touched, and runs --locked: Cargo.lock stays
# as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/debian-rust.sh >/dev/null
export CARGO_TARGET_DIR=target/windows
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
target=x86_64-pc-windows-gnu
start=$(date +%s)
cargo build --locked --release -Z build-std=std,panic_abort --target "$target"
echo "build-windows: built in $(($(date +%s) - start)) s"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
name="gongwen-$version-windows-x64"
dist=target/dist
stage="$dist/$name"
rm -rf "$stage" "$dist/$name.zip"
mkdir -p "$stage/示例"
# The symbols are not needed to run it: stripped, the exe is a fifth
# smaller.
x86_64-w64-mingw32-strip -o "$stage/gongwen.exe" "target/windows/$target/release/gongwen.exe"
cp packaging/windows/使用说明.html "$stage/"
cp samples/zhanlang-2020.toml samples/qinghe-market-2025.toml \
   tests/fixtures/kinds/notice.toml tests/fixtures/kinds/letter.toml \
   tests/fixtures/kinds/minutes.toml tests/fixtures/kinds/seal.png "$stage/示例/"

# Names in the archive as Chinese Windows' own zip folders read them (GBK,
# no UTF-8 flag), each with the Info-ZIP Unicode Path field (UTF-8) that
# 7-Zip, WinRAR, Bandizip and unzip read on any system. Times are the
# last commit's, so the same commit packs the same archive.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}" \
python3 - "$dist" "$name" <<'PY'
import os, struct, sys, time, zipfile, zlib

dist, name = sys.argv[1], sys.argv[2]
stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]

class Info(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits

paths = []
for root, dirs, files in os.walk(os.path.join(dist, name)):
    dirs.sort()
    paths += sorted(os.path.join(root, f) for f in files)
with zipfile.ZipFile(os.path.join(dist, name + ".zip"), "w") as z:
    for path in paths:
        arc = os.path.relpath(path, dist).replace(os.sep, "/")
        info = Info(arc, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        raw = arc.encode("gbk")
        if raw != arc.encode("ascii", "replace"):
            field = b"\x01" + struct.pack("<I", zlib.crc32(raw)) + arc.encode("utf-8")
            info.extra = struct.pack("<HH", 0x7075, len(field)) + field
        with open(path, "rb") as f:
            z.writestr(info, f.read(), compresslevel=9)
PY
ls -l "$stage/gongwen.exe" "$dist/$name.zip"
