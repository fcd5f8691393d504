#!/usr/bin/env python3
"""The Windows zip's gongwen.exe under wine against the Linux binary.

Usage: windows.py GONGWEN_LINUX_BINARY ZIP OUT_DIR

Unpacks the zip (checking what it holds and that its Chinese names read
both as GBK and through their UTF-8 field) into a folder whose name has
Chinese characters and a space, then runs the exe under wine (Debian's
wine64, a fresh prefix in OUT_DIR): both samples rendered byte-identical to
the Linux binary (PDF, DOCX, OFD; SOURCE_DATE_EPOCH=0), by relative and by
Windows drive paths; `check` of a broken file with the same message and
exit code; `new -o` with the same bytes; a PDF held open without write
sharing (as Word and WPS hold theirs) reported as 「请先关闭该文件」 with the
earlier file kept; messages on a console, and redirected from a GBK (936)
and a UTF-8 console; `serve --port 0` answering GET / and a PDF download;
and the double-click: no arguments in a console of its own serves the
exe's folder and opens the browser on it.

Wine 8 has no bcryptprimitives.dll (Windows 10 and 11 have), whose
ProcessPrng the standard library calls for random numbers: a stand-in
built here with MinGW and put beside the exe for the test only (it is
never in the zip) passes the call to RtlGenRandom.

Prints one line per check and '<n> passed, <m> failed' at the end.
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ["zhanlang-2020.toml", "qinghe-market-2025.toml"]
EXAMPLES = SAMPLES + ["notice.toml", "letter.toml", "minutes.toml", "seal.png"]
WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"
WINESERVER = shutil.which("wineserver") or "/usr/lib/wine/wineserver"

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name} {detail}", flush=True)


def windows_path(p):
    """A Linux path as wine's Z: drive names it."""
    return "Z:" + str(Path(p).resolve()).replace("/", "\\")


def screen(raw):
    """What wine's console drew on the terminal, as text."""
    t = raw.decode("utf-8", "replace")
    t = re.sub(r"\x1b\[(\d*)C", lambda m: " " * int(m.group(1) or 1), t)
    t = re.sub(r"\x1b\][^\x07]*\x07", "", t)
    t = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", t)
    return t.replace("\r", "")


def unpack(zip_path, dest):
    """The zip's entries by name, read as Windows reads them (GBK) and
    through the Info-ZIP Unicode Path field; unpacked into dest."""
    names = {}
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            raw = info.filename.encode("cp437") if not info.flag_bits & 0x800 else info.filename.encode()
            gbk = raw.decode("gbk")
            utf8 = None
            extra = info.extra
            while len(extra) >= 4:
                tag, size = struct.unpack("<HH", extra[:4])
                if tag == 0x7075:
                    utf8 = extra[9:4 + size].decode("utf-8")
                extra = extra[4 + size:]
            names[gbk] = utf8
            target = dest / gbk
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
    return names


def build_helpers(work):
    """The test-only bcryptprimitives.dll and a program that holds a file
    open as Word does."""
    (work / "prng.c").write_text(
        "#include <windows.h>\n"
        "BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);\n"
        "__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {\n"
        "  while (len) { ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;\n"
        "    if (!SystemFunction036(data, n)) return FALSE; data += n; len -= n; }\n"
        "  return TRUE; }\n"
    )
    (work / "hold.c").write_text(
        "#include <windows.h>\n#include <stdio.h>\n"
        "int wmain(int argc, wchar_t **argv) {\n"
        "  HANDLE h = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);\n"
        "  if (h == INVALID_HANDLE_VALUE) return 1;\n"
        "  printf(\"held\\n\"); fflush(stdout); Sleep(60000); return 0; }\n"
    )
    cc = "x86_64-w64-mingw32-gcc"
    subprocess.run([cc, "-O2", "-shared", "-o", str(work / "bcryptprimitives.dll"), str(work / "prng.c"),
                    "-ladvapi32"], check=True)
    subprocess.run([cc, "-O2", "-municode", "-o", str(work / "hold.exe"), str(work / "hold.c")], check=True)


def desk_client():
    """An opener that keeps the desk's cookie, as a browser does."""
    import http.cookiejar
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def main():
    linux, zip_path, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]), Path(sys.argv[3]).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.time()

    # The zip.
    unpacked = out / "unpacked"
    names = unpack(zip_path, unpacked)
    top = zip_path.name[:-len(".zip")]
    want = {f"{top}/gongwen.exe", f"{top}/使用说明.html"} | {f"{top}/示例/{e}" for e in EXAMPLES}
    check("zip holds the exe, 使用说明 and the examples", set(names) == want, sorted(set(names) ^ want))
    check("zip names carry their UTF-8 field where they are not ASCII",
          all((u == n) if not n.isascii() else (u is None) for n, u in names.items()), names)
    examples = unpacked / top / "示例"
    check("zip examples are the repository's",
          all((examples / s).read_bytes() == (ROOT / "samples" / s).read_bytes() for s in SAMPLES)
          and all((examples / k).read_bytes() == (ROOT / "tests/fixtures/kinds" / k).read_bytes()
                  for k in EXAMPLES[2:]))
    print(f"zip {zip_path.stat().st_size / 1e6:.1f} MB, exe {(unpacked / top / 'gongwen.exe').stat().st_size / 1e6:.1f} MB")

    # The exe in a folder with Chinese characters and a space, with the
    # test's helpers beside it.
    home = out / "公文 测试"
    app = home / "程序"
    app.mkdir(parents=True)
    shutil.copy(unpacked / top / "gongwen.exe", app)
    build_helpers(out)
    shutil.copy(out / "bcryptprimitives.dll", app)
    exe = app / "gongwen.exe"

    env = dict(os.environ, WINEPREFIX=str(out / "prefix"), WINEDEBUG="-all", LC_ALL="C.UTF-8",
               SOURCE_DATE_EPOCH="0", WINEDLLOVERRIDES="mscoree,mshtml=")
    env.pop("DISPLAY", None)
    t = time.time()
    subprocess.run([WINE, "wineboot", "-i"], env=env, capture_output=True, check=True)
    print(f"wine prefix made in {time.time() - t:.1f} s")

    def win(*args, cwd, stdin=subprocess.DEVNULL):
        return subprocess.run([WINE, str(exe), *args], cwd=cwd, env=env, capture_output=True, stdin=stdin)

    def lin(*args, cwd):
        return subprocess.run([str(linux), *args], cwd=cwd, env=env, capture_output=True)

    # render: both samples, relative paths and drive paths.
    for side in ["win", "linux", "drive"]:
        (home / side).mkdir()
        for s in SAMPLES:
            shutil.copy(examples / s, home / side)
    w = win("render", *SAMPLES, "--ofd", cwd=home / "win")
    l = lin("render", *SAMPLES, "--ofd", cwd=home / "linux")
    check("render under wine exits as on Linux", w.returncode == l.returncode == 0,
          f"{w.returncode} {l.returncode} {w.stderr.decode(errors='replace')}")
    timeless = lambda b: re.sub(rb"\d+ ms", b"N ms", b)
    check("render prints what Linux prints (but the times)",
          timeless(w.stderr) == timeless(l.stderr) and w.stdout == l.stdout,
          f"\n{w.stderr.decode(errors='replace')}\n{l.stderr.decode(errors='replace')}")
    for s in SAMPLES:
        for ext in ["pdf", "docx", "ofd"]:
            f = s.replace(".toml", "." + ext)
            a, b = home / "win" / f, home / "linux" / f
            check(f"{f} byte-identical to Linux's", a.is_file() and a.read_bytes() == b.read_bytes())
    d = win("render", windows_path(home / "drive" / SAMPLES[0]), "-o", windows_path(home / "drive" / "输出 PDF"),
            "--pdf-only", cwd=out)
    pdf = home / "drive" / "输出 PDF" / SAMPLES[0].replace(".toml", ".pdf")
    check("render by drive paths with Chinese and spaces", d.returncode == 0 and pdf.is_file()
          and pdf.read_bytes() == (home / "linux" / pdf.name).read_bytes(), d.stderr.decode(errors="replace"))

    # check: a broken file.
    bad = (examples / SAMPLES[1]).read_text()
    bad = re.sub(r"(?m)^(new = \[)\d+", r"\g<1>-1", bad, count=1)
    (home / "win" / "有错 的报告.toml").write_text(bad)
    (home / "linux" / "有错 的报告.toml").write_text(bad)
    w = win("check", "有错 的报告.toml", cwd=home / "win")
    l = lin("check", "有错 的报告.toml", cwd=home / "linux")
    message = l.stderr.decode()
    check("check of a broken file: same exit code", w.returncode == l.returncode == 1, f"{w.returncode} {l.returncode}")
    check("check of a broken file: same message", w.stderr == l.stderr and "不能为负数" in message,
          f"\n{w.stderr.decode(errors='replace')}")

    # new -o.
    for args in [["new", "--format", "2021", "--agency", "某某区某某局", "--year", "2025", "-o", "新 2025.toml"],
                 ["new", "--template", "notice", "-o", "通知 稿.toml"]]:
        w, l = win(*args, cwd=home / "win"), lin(*args, cwd=home / "linux")
        a, b = home / "win" / args[-1], home / "linux" / args[-1]
        check(f"new -o {args[-1]}: same bytes", w.returncode == l.returncode == 0 and a.is_file()
              and a.read_bytes() == b.read_bytes(), w.stderr.decode(errors="replace"))

    # A PDF open in another program without write sharing.
    pdf = home / "win" / "zhanlang-2020.pdf"
    earlier = pdf.read_bytes()
    hold = subprocess.Popen([WINE, str(out / "hold.exe"), "zhanlang-2020.pdf"], cwd=home / "win", env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        held = hold.stdout.readline().strip() == b"held"
        w = win("render", "zhanlang-2020.toml", cwd=home / "win")
    finally:
        hold.kill()
        hold.wait()
    text = w.stderr.decode(errors="replace")
    check("a file held open: exit 3 and 「请先关闭该文件」", held and w.returncode == 3 and "请先关闭该文件" in text
          and "zhanlang-2020.pdf" in text, f"{held} {w.returncode} {text}")
    check("a file held open: the earlier PDF kept", pdf.read_bytes() == earlier)

    # Messages on a console and redirected from one, through a terminal
    # (wine gives the program a console there).
    def console(command, cwd):
        return subprocess.run(["script", "-qec", command, "/dev/null"], cwd=cwd, env=env, capture_output=True,
                              stdin=subprocess.DEVNULL)

    c = console(f"{WINE} '{exe}' check '有错 的报告.toml'", home / "win")
    check("check on a console: the message as on Linux, exit 1",
          c.returncode == 1 and screen(c.stdout).strip() == message.strip(), f"{c.returncode}\n{screen(c.stdout)}")
    # cmd.exe sets the code page and redirects; the batch file is ASCII,
    # the Chinese paths come through the environment.
    (home / "win" / "redirect.bat").write_text('@chcp %CP% >nul\r\n@"%EXE%" check "%BAD%" 2> "%OUT%"\r\n')
    for cp, encoding in [(936, "gbk"), (65001, "utf-8"), (437, "utf-8")]:
        name = f"结果-{cp}.txt"
        env.update(CP=str(cp), EXE=windows_path(exe), BAD="有错 的报告.toml", OUT=name)
        console(f"{WINE} cmd /c redirect.bat", home / "win")
        got = (home / "win" / name).read_bytes() if (home / "win" / name).is_file() else b""
        try:
            decoded = got.decode(encoding)
        except UnicodeDecodeError:
            decoded = None
        check(f"check redirected from a {cp} console: {encoding}", decoded == message, got[:200])

    # serve --port 0: GET / and a PDF download.
    server = subprocess.Popen([WINE, str(exe), "serve", ".", "--port", "0"], cwd=home / "win", env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        line = server.stdout.readline().decode()
        url = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=[0-9a-f]{32}", line)
        check("serve prints its address with the access token", url is not None, line)
        # The folder as Explorer shows it, not canonicalize's \\?\ form.
        shown = ""
        for _ in range(5):
            shown = server.stdout.readline().decode(errors="replace")
            if ":\\" in shown or not shown:
                break
        check("serve names its folder with a drive letter, without \\\\?\\",
              re.search(r"[A-Z]:\\", shown) is not None and "\\\\?\\" not in shown, shown)
        if url:
            # The link's token becomes a cookie, as in a browser.
            web = desk_client()
            page = web.open(url.group(0), timeout=30).read().decode()
            check("serve answers GET / with the folder's files", all(s in page for s in SAMPLES), page[:300])
            check("serve's page names its folder without \\\\?\\", "\\\\?\\" not in page, page[:300])
            got = web.open(url.group(1) + "download/zhanlang-2020.toml.pdf", timeout=60).read()
            check("serve's PDF download equals Linux's render", got == (home / "linux" / "zhanlang-2020.pdf").read_bytes())
    finally:
        server.kill()
        server.wait()

    # Double-click: no arguments, a console of its own. The browser is a
    # script that writes down the address it is given.
    seen = out / "browser.txt"
    browser = out / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$@\" > '{seen}'\n")
    browser.chmod(0o755)
    subprocess.run([WINE, "reg", "add", r"HKCU\Software\Wine\WineBrowser", "/v", "Browsers", "/d", str(browser),
                    "/f"], env=env, capture_output=True, check=True)
    shutil.copy(examples / SAMPLES[0], app)
    desk = subprocess.Popen(["script", "-qec", f"{WINE} '{exe}'", "/dev/null"], cwd=out, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        for _ in range(300):
            if seen.is_file() and seen.read_text().strip():
                break
            time.sleep(0.1)
        opened = seen.read_text().strip() if seen.is_file() else ""
        check("double-click opens the browser on the desk, with the access token",
              re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{32}", opened) is not None, opened)
        if opened:
            page = desk_client().open(opened, timeout=30).read().decode()
            check("double-click serves the exe's folder", SAMPLES[0] in page and SAMPLES[1] not in page, page[:300])
    finally:
        os.killpg(desk.pid, signal.SIGTERM)
        shown = screen(desk.communicate()[0])
    check("double-click says in its window what it does",
          f"数据文件放在：{windows_path(app)}" in shown and "关闭本窗口" in shown, shown)

    subprocess.run([WINESERVER, "-w"], env=env)
    print(f"wine checks took {time.time() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
