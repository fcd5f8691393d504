#!/usr/bin/env python3
"""gongwen's speed, memory and size against the tools offices use.

    python3 bench/bench.py [--runs N]

Prints, in one run on this machine:
  * whole-process wall time and peak RSS of rendering each sample to
    DOCX+PDF (median of N runs, each a fresh process);
  * throughput of a 100-report batch (parallel across cores), and its CPU
    time, which a busy machine does not inflate as it does wall time;
  * the desk (`gongwen serve`): an edit checked and previewed; 20 clerks
    checking and saving at once (median and p95 latency); the district desk
    (`serve --district`): 150 units' clerks saving at once, none lost;
  * side by side, when installed: LibreOffice converting gongwen's own DOCX
    to PDF (what offices do today) and Typst (PyPI `typst`) compiling a
    comparable document (the same text, headings and merged tables,
    generated from gongwen's markup), with the ratios;
  * the seed PDF's size next to its floor: its fonts subset to the same
    glyphs by fontTools (PyPI `fonttools`), compressed as a PDF stores them,
    plus the rest of the PDF.
  * the work per document in instructions (valgrind's callgrind: exact and
    the same on a busy machine, unlike wall time), with the share of the
    largest parts (deflate, clearing memory, allocation, CFF subsets).
Optional tools: `pip install typst fonttools`, LibreOffice's `soffice`, qpdf,
valgrind.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GONGWEN = ROOT / "target" / "release" / "gongwen"
SAMPLES = ["zhanlang-2020", "qinghe-market-2025"]
SEED = "zhanlang-2020"


def timed(cmd, **kw):
    """Runs a command as a fresh process: (wall seconds, peak RSS in MB)."""
    wall, rss, _ = timed_cpu(cmd, **kw)
    return wall, rss


def timed_cpu(cmd, **kw):
    """Runs a command as a fresh process: (wall seconds, peak RSS in MB,
    CPU seconds of it and its threads, user + system)."""
    # stderr goes to a file: a pipe nobody reads while waiting would block a
    # batch that prints more than the pipe holds.
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, **kw)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        log.seek(0)
        err = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def read_afresh(paths):
    """Drops the files' pages from the page cache and reads them back, so a
    program runs from pages as a boot or an install leaves them. A binary
    the linker has just written keeps the pages the linker wrote, and
    starting it from those costs about 1 ms more a run (measured on the seed
    interleaved: 10.9 ms against 9.6 ms from pages read back)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            while os.read(fd, 1 << 20):
                pass
        finally:
            os.close(fd)


def median_of(runs, cmd, **kw):
    timed(cmd, **kw)  # warm the page cache; not counted
    results = [timed(cmd, **kw) for _ in range(runs)]
    return statistics.median(w for w, _ in results), statistics.median(r for _, r in results)


def interleaved(runs, cmds, **kw):
    """Medians of (wall, peak RSS) for each command, run in turn: a ratio
    of two commands measured a few seconds apart on a shared machine moves
    by ten points from run to run; taken in turn it holds."""
    for cmd in cmds:
        timed(cmd, **kw)
    results = [[] for _ in cmds]
    for _ in range(runs):
        for k, cmd in enumerate(cmds):
            results[k].append(timed(cmd, **kw))
    return [(statistics.median(w for w, _ in r), statistics.median(m for _, m in r)) for r in results]


def row(*cells):
    print("  " + "".join(str(c).ljust(w) for c, w in zip(cells, (34, 14, 14, 30))))


def gongwen_runs(runs, work):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")
    print(f"gongwen, whole process, median of {runs} runs")
    row("", "wall", "peak RSS", "output")
    for s in SAMPLES:
        out = work / "single"
        wall, rss = median_of(runs, [GONGWEN, "render", ROOT / "samples" / f"{s}.toml", "-o", out], env=env)
        pdf, docx = out / f"{s}.pdf", out / f"{s}.docx"
        row(f"{s} → PDF+DOCX", f"{wall * 1000:.1f} ms", f"{rss:.1f} MB",
            f"PDF {pdf.stat().st_size / 1000:.0f} KB, DOCX {docx.stat().st_size / 1000:.1f} KB")
    # Templates with their own data: schema, rules, layout of a 版头 and 版记.
    for name, data in [("bulletin", ROOT / "tests" / "fixtures" / "schema" / "bulletin.toml"),
                       ("notice", ROOT / "tests" / "fixtures" / "kinds" / "notice.toml")]:
        out = work / "single"
        wall, rss = median_of(runs, [GONGWEN, "check", data], env=env)
        row(f"check {name} (schema + rules)", f"{wall * 1000:.1f} ms", f"{rss:.1f} MB", "")
        wall, rss = median_of(runs, [GONGWEN, "render", data, "-o", out], env=env)
        row(f"{name} → PDF+DOCX", f"{wall * 1000:.1f} ms", f"{rss:.1f} MB", "")
    # The seed with its OFD as well: the archive's cost on top of PDF+DOCX,
    # each run in turn with a plain one. PDF/A elsewhere: the floor below is
    # the plain PDF's.
    seed = ROOT / "samples" / f"{SAMPLES[0]}.toml"
    (plain, _), (ofd, rss), (pdfa, rss_a) = interleaved(runs, [
        [GONGWEN, "render", seed, "-o", work / "single"],
        [GONGWEN, "render", seed, "-o", work / "single", "--ofd"],
        [GONGWEN, "render", seed, "-o", work / "pdfa", "--pdfa", "--ofd"],
    ], env=env)
    row(f"{SAMPLES[0]} → PDF+DOCX+OFD", f"{ofd * 1000:.1f} ms", f"{rss:.1f} MB",
        f"+{(ofd / plain - 1) * 100:.0f}% (target ≤ 30%)")
    row(f"{SAMPLES[0]} → PDF/A+DOCX+OFD", f"{pdfa * 1000:.1f} ms", f"{rss_a:.1f} MB",
        f"+{(pdfa / plain - 1) * 100:.0f}%; PDF+DOCX {plain * 1000:.1f} ms in turn with both")
    # The letter with its seal (a PNG decoded and embedded in both outputs).
    data = ROOT / "tests" / "fixtures" / "kinds" / "letter.toml"
    wall, rss = median_of(runs, [GONGWEN, "render", data, "-o", work / "single"], env=env)
    row("letter with seal → PDF+DOCX", f"{wall * 1000:.1f} ms", f"{rss:.1f} MB", "")
    # 汇总 of three units: each checked, summed, the result checked and written.
    units = work / "units"
    units.mkdir(exist_ok=True)
    sample = (ROOT / "samples" / "qinghe-market-2025.toml").read_text()
    for name in ("甲", "乙", "丙"):
        (units / f"{name}.toml").write_text(sample.replace("青禾区市场监督管理局", f"青禾区{name}街道办事处"))
    wall, rss = median_of(runs, [GONGWEN, "sum", units, "--agency", "青禾区人民政府", "-o", work / "sum.toml",
                                 "--table", work / "sum.csv", "--force"], env=env)
    row("sum of 3 units (+ CSV)", f"{wall * 1000:.1f} ms", f"{rss:.1f} MB", "")


def batch(work, runs):
    src = work / "batch"
    src.mkdir()
    for i in range(100):
        s = SAMPLES[i % 2]
        shutil.copy(ROOT / "samples" / f"{s}.toml", src / f"r{i:03}-{s}.toml")
    walls, cpus = [], []
    for _ in range(runs):
        out = work / "batch-out"
        shutil.rmtree(out, ignore_errors=True)
        wall, _, cpu = timed_cpu([GONGWEN, "render", src, "-o", out])
        walls.append(wall)
        cpus.append(cpu)
    wall = statistics.median(walls)
    print(f"\n100-report batch (PDF+DOCX each, {os.cpu_count()} cores), median of {runs}")
    row("gongwen render DIR", f"{wall:.2f} s", "", f"{100 / wall:.0f} reports/s")
    # CPU time does not count waiting for a core another process holds:
    # on a busy machine it says what the wall time would be on an idle one.
    cpu = statistics.median(cpus)
    row("  CPU time (user + system)", f"{cpu:.2f} s", "",
        f"{cpu * 10:.1f} ms a report; spread over {os.cpu_count()} idle cores at most {os.cpu_count() * 100 / cpu:.0f} reports/s")
    walls = []
    for _ in range(runs):
        out = work / "batch-out"
        shutil.rmtree(out, ignore_errors=True)
        walls.append(timed([GONGWEN, "render", src, "-o", out, "--ofd"])[0])
    with_ofd = statistics.median(walls)
    row("gongwen render DIR --ofd", f"{with_ofd:.2f} s", "", f"{100 / with_ofd:.0f} reports/s (+{(with_ofd / wall - 1) * 100:.0f}%)")


def seed_render(work):
    """The seed to PDF+DOCX, as the other tools' rows run it in turn with
    theirs, and its environment."""
    return ([GONGWEN, "render", ROOT / "samples" / f"{SEED}.toml", "-o", work / "single"],
            dict(os.environ, SOURCE_DATE_EPOCH="1735689600"))


def libreoffice(work, runs):
    soffice = shutil.which("soffice")
    if not soffice:
        print("\nLibreOffice: soffice not installed, skipped")
        return
    docx = work / "single" / f"{SEED}.docx"
    program = Path(soffice).resolve().parent
    read_afresh(p for p in program.rglob("*") if p.is_file())
    profile = work / "lo-profile"
    cmd = [soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
           "--outdir", work / "lo", docx]
    timed(cmd)  # creates the profile; not counted
    seed, env = seed_render(work)
    (wall, rss), (ours, _) = interleaved(runs, [cmd, seed], env=env)
    print(f"\nLibreOffice converting gongwen's DOCX to PDF (cold process), median of {runs}, "
          "each in turn with gongwen rendering the seed")
    row("soffice --convert-to pdf", f"{wall * 1000:.0f} ms", f"{rss:.0f} MB",
        f"{wall / ours:.0f}× gongwen's PDF+DOCX ({ours * 1000:.1f} ms)")


class ToTypst(HTMLParser):
    """gongwen's markup → Typst source with the same text, headings, page
    geometry, fonts and merged tables."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.cell = None
        self.table = None
        self.stack = []

    def text(self, s):
        s = s.replace("\\", "\\\\")
        for c in "#$*_`<>@[]=-+/~":
            s = s.replace(c, "\\" + c)
        return s

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "title":
            self.out.append('#align(center)[#text(font: "FandolSong", weight: "bold", size: 22pt)[')
        elif tag in ("h1", "h2", "h3", "h4"):
            font = {"h1": "FandolHei", "h2": "FandolKai"}.get(tag, "FandolFang")
            self.out.append(f'\n#par(first-line-indent: 2em)[#text(font: "{font}")[')
        elif tag == "br":
            self.out.append(" \\ ")
        elif tag == "p":
            self.out.append("\n#par(first-line-indent: (amount: 2em, all: true))[")
        elif tag == "lead":
            self.out.append('#text(font: "FandolKai")[')
        elif tag == "table":
            widths = ", ".join(f"{w}fr" for w in a.get("widths", "1").split(","))
            self.table = {"widths": widths, "cells": []}
        elif tag in ("td", "th"):
            self.cell = {"colspan": a.get("colspan", "1"), "rowspan": a.get("rowspan", "1"), "text": ""}

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.out.append(" \\ ")

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag in ("lead", "p"):
            self.out.append("]")
        elif tag in ("title", "h1", "h2", "h3", "h4"):
            self.out.append("]]")
        elif tag in ("td", "th") and self.cell is not None:
            c = self.cell
            self.table["cells"].append(
                f'table.cell(colspan: {c["colspan"]}, rowspan: {c["rowspan"]}, align: center + horizon)[{self.text(c["text"])}]')
            self.cell = None
        elif tag == "table":
            t = self.table
            self.out.append(f'\n#text(size: 12pt, table(columns: ({t["widths"]}), stroke: 0.5pt, ' + ", ".join(t["cells"]) + "))\n")
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
        elif self.table is None and self.stack and self.stack[-1] not in ("meta", "signature"):
            self.out.append(self.text(data.strip("\n")))


def typst_doc(work):
    markup = subprocess.run([GONGWEN, "render", ROOT / "samples" / f"{SEED}.toml", "--dump-markup"],
                            capture_output=True, text=True, check=True).stdout
    conv = ToTypst()
    conv.feed(markup)
    head = ('#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), '
            'footer: context align(if calc.odd(here().page()) { right } else { left }, '
            'text(font: "FandolSong", size: 14pt)[— #counter(page).display() —]))\n'
            '#set text(font: "FandolFang", size: 16pt, lang: "zh")\n'
            '#set par(justify: true, leading: 12.95pt, spacing: 12.95pt)\n')
    path = work / "seed.typ"
    path.write_text(head + "".join(conv.out))
    return path


def typst(work, runs):
    try:
        import typst as _  # noqa: F401
    except ImportError:
        print("\nTypst: PyPI package typst not installed, skipped (pip install typst)")
        return
    src = typst_doc(work)
    out = work / "seed-typst.pdf"
    code = f"import typst; typst.compile({str(src)!r}, output={str(out)!r}, font_paths=[{str(ROOT / 'fonts')!r}])"
    seed, env = seed_render(work)
    (wall, rss), (ours, _) = interleaved(runs, [[sys.executable, "-c", code], seed], env=env)
    base, _ = median_of(runs, [sys.executable, "-c", "import typst"])
    pages = subprocess.run(["pdfinfo", out], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    pages = next((l.split()[-1] for l in pages.splitlines() if l.startswith("Pages:")), "?")
    print(f"\nTypst compiling a comparable document (PDF only), whole process, median of {runs}, "
          "each in turn with gongwen rendering the seed")
    row("python -c 'typst.compile(…)'", f"{wall * 1000:.0f} ms", f"{rss:.0f} MB",
        f"{pages} pages, PDF {out.stat().st_size / 1000:.0f} KB; {wall / ours:.1f}× gongwen ({ours * 1000:.1f} ms)")
    row("  of which Python + import typst", f"{base * 1000:.0f} ms", "", "")


def floor(work):
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        print("\nfloor: fontTools not installed, skipped (pip install fonttools)")
        return
    if not shutil.which("qpdf"):
        print("\nfloor: qpdf not installed, skipped")
        return
    pdf = work / "single" / f"{SEED}.pdf"
    glyphs = subprocess.run(["cargo", "run", "--quiet", "--release", "--example", "glyphs", "--",
                             ROOT / "samples" / f"{SEED}.toml"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    floor_fonts = 0
    for line in glyphs.splitlines():
        name, ids = line.split("\t")
        font = TTFont(ROOT / "fonts" / name)
        opts = subset.Options()
        opts.notdef_outline = True
        opts.name_IDs = []
        opts.layout_features = []
        opts.hinting = False
        opts.desubroutinize = False
        sub = subset.Subsetter(opts)
        sub.populate(gids=[int(i) for i in ids.split(",")])
        sub.subset(font)
        # What a PDF embeds of a CFF font is its bare CFF table, deflated.
        cff = font["CFF "].compile(font)
        floor_fonts += len(zlib.compress(cff, 9))
    info = json.loads(subprocess.run(["qpdf", "--json", "--json-stream-data=none", pdf],
                                     capture_output=True, text=True, check=True).stdout)
    objs = info["qpdf"][1]
    ours = 0
    for v in objs.values():
        d = v.get("value") or {}
        if isinstance(d, dict) and d.get("/Type") == "/FontDescriptor":
            for k in ("/FontFile", "/FontFile2", "/FontFile3"):
                if k in d:
                    ours += objs[f"obj:{d[k]}"]["stream"]["dict"]["/Length"]
    size = pdf.stat().st_size
    rest = size - ours
    print(f"\nSeed PDF against its floor (fonts subset by fontTools to the same glyphs, deflated)")
    row("gongwen PDF", f"{size / 1000:.1f} KB", "", f"fonts {ours / 1000:.1f} KB + rest {rest / 1000:.1f} KB")
    row("floor", f"{(floor_fonts + rest) / 1000:.1f} KB", "", f"fonts {floor_fonts / 1000:.1f} KB + the same rest")
    row("ratio", f"{size / (floor_fonts + rest):.3f}", "", "target ≤ 1.05")


def desk_server(folder):
    """Starts `gongwen serve` on a free port: (process, base URL, headers
    every request of the desk's page carries)."""
    import re
    server = subprocess.Popen([GONGWEN, "serve", folder, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"(http://127\.0\.0\.1:(\d+)/)\?token=([0-9a-f]+)", server.stdout.readline())
    base, port, token = m.group(1), m.group(2), m.group(3)
    headers = {"Content-Type": "application/json", "X-Gongwen-Token": token,
               "Origin": base.rstrip("/"), "Cookie": f"gongwen_{port}={token}"}
    return server, base, headers


def desk_post(base, headers, path, body):
    import urllib.error
    import urllib.request
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def latency_rows(latencies):
    """The median, 95th percentile and longest of request times."""
    latencies = sorted(latencies)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    row("latency median", f"{statistics.median(latencies) * 1000:.0f} ms", "", "")
    row("latency p95", f"{p95 * 1000:.0f} ms", "", f"max {latencies[-1] * 1000:.0f} ms")


def desk(work, runs):
    """`gongwen serve`: one edit of the seed posted as the desk posts it, the
    check and the page preview (SVG of every page) sent back; gongwen's own
    time (measured inside, `elapsed_ms`) and the round trip. Then 20 clerks
    at once, each checking and saving a report of their own ten times: the
    latency of every request, its median and 95th percentile."""
    import threading
    import urllib.request
    folder = work / "desk"
    folder.mkdir()
    shutil.copy(ROOT / "samples" / f"{SEED}.toml", folder / f"{SEED}.toml")
    clients, rounds = 20, 10
    for i in range(clients):
        shutil.copy(ROOT / "samples" / "qinghe-market-2025.toml", folder / f"u{i}.toml")
    server, base, headers = desk_server(folder)
    try:
        inner, trips, size = [], [], 0
        for i in range(runs * 5 + 1):
            body = {"fields": {"applications.new.0": str(1 + i % 2)}}
            start = time.perf_counter()
            _, reply = desk_post(base, headers, f"api/check/{SEED}.toml", body)
            if i:  # the first warms the caches
                trips.append(time.perf_counter() - start)
                inner.append(reply["elapsed_ms"])
                size = sum(len(p) for p in reply["pages"])
        print(f"\ngongwen serve: an edit of {SEED} → checks + preview of {len(reply['pages'])} pages, median of {len(inner)}")
        row("check + layout + SVG (gongwen)", f"{statistics.median(inner):.1f} ms", "", "target ≤ 100 ms")
        row("round trip over HTTP", f"{statistics.median(trips) * 1000:.1f} ms", "", f"SVG {size / 1000:.0f} KB")

        latencies, failures = [], []
        lock = threading.Lock()

        def clerk(i):
            name = f"u{i}.toml"
            page = urllib.request.urlopen(urllib.request.Request(base + f"edit/{name}", headers=headers)).read().decode()
            version = page.split('data-version="', 1)[1].split('"', 1)[0]
            for r in range(rounds):
                fields = {"agency": f"青禾区第{i}单位{r}"}
                for kind in ("check", "save"):
                    body = {"fields": fields, "version": version}
                    start = time.perf_counter()
                    status, reply = desk_post(base, headers, f"api/{kind}/{name}", body)
                    took = time.perf_counter() - start
                    with lock:
                        latencies.append(took)
                        if status != 200:
                            failures.append((i, kind, status))
                    if kind == "save" and status == 200:
                        version = reply["version"]

        start = time.perf_counter()
        threads = [threading.Thread(target=clerk, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        wall = time.perf_counter() - start
        print(f"\ngongwen serve: {clients} clerks at once, each checking and saving a 5-page report {rounds} times")
        row("requests answered", f"{len(latencies) - len(failures)} / {clients * rounds * 2}", "",
            f"{len(latencies) / wall:.0f} per second")
        latency_rows(latencies)
        if failures:
            sys.exit(f"desk: requests failed: {failures[:5]}")
    finally:
        server.terminate()
        server.wait(10)


def district(work):
    """`gongwen serve --district`: 150 units, each with its clerk's account,
    log in (eight at a time, as argon2 allows), then all save their own
    report at once, 16 requests in flight: every save answered and in its
    unit's file and history, the latency's median and 95th percentile."""
    import http.client
    import re
    import threading
    import urllib.parse
    units = [f"单位{i:03}" for i in range(150)]
    folder = work / "district"
    for u in units:
        (folder / u).mkdir(parents=True)
        shutil.copy(ROOT / "samples" / "qinghe-market-2025.toml", folder / u / "report.toml")
    password = "bench-密码-12345"

    def add(chunk):
        for u in chunk:
            subprocess.run([GONGWEN, "user", "add", f"c{u[-3:]}", "--unit", u, "--district", folder,
                            "--password-stdin"], input=password + "\n", text=True, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    threads = [threading.Thread(target=add, args=(units[k::2],)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server = subprocess.Popen([GONGWEN, "serve", "--district", folder, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(re.search(r":(\d+)/?\s*$", server.stdout.readline()).group(1))

        def send(method, path, headers=None, body=b""):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            # As a browser sends it: writes name the page they come from.
            headers = {"Origin": f"http://127.0.0.1:{port}", **(headers or {})}
            c.request(method, urllib.parse.quote(path, safe="/?=&"), body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, r.getheader("Set-Cookie") or "", data.decode()

        sessions, failures = {}, []

        def login(chunk):
            for u in chunk:
                form = urllib.parse.urlencode({"name": f"c{u[-3:]}", "password": password})
                status, cookie, _ = send("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                         form.encode())
                if status != 303:
                    failures.append((u, "login", status))
                    continue
                cookie = cookie.split(";", 1)[0]
                _, _, page = send("GET", "/", {"Cookie": cookie})
                csrf = re.search(r'name="gongwen-token" content="([^"]+)"', page).group(1)
                _, _, edit = send("GET", "/edit/report.toml", {"Cookie": cookie})
                version = edit.split('data-version="', 1)[1].split('"', 1)[0]
                sessions[u] = (cookie, csrf, version)

        threads = [threading.Thread(target=login, args=(units[k::8],)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            sys.exit(f"district: logins refused: {failures[:5]}")
        latencies, queue = [], list(units)
        lock = threading.Lock()

        def clerk():
            while True:
                with lock:
                    if not queue:
                        return
                    u = queue.pop()
                cookie, csrf, version = sessions[u]
                body = json.dumps({"fields": {"agency": f"青禾区{u}"}, "version": version}).encode()
                start = time.perf_counter()
                status, _, _ = send("POST", "/api/save/report.toml", {
                    "Cookie": cookie, "X-Gongwen-Token": csrf, "Content-Type": "application/json"}, body)
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if status != 200:
                        failures.append((u, status))

        start = time.perf_counter()
        threads = [threading.Thread(target=clerk) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        wall = time.perf_counter() - start
        kept = sum(f'agency = "青禾区{u}"' in (folder / u / "report.toml").read_text() for u in units)
        print(f"\ngongwen serve --district: {len(units)} units' clerks saving at once (16 requests in flight)")
        row("saves answered / in their files", f"{len(latencies) - len(failures)} / {kept}", "",
            f"{len(units)} saves in {wall:.2f} s")
        latency_rows(latencies)
        if failures or kept != len(units):
            sys.exit(f"district: saves failed or lost: {failures[:5]}, {kept} kept")
    finally:
        server.terminate()
        server.wait(10)


# Parts of a run by the functions they are made of (substrings of the
# symbol names callgrind reports).
PARTS = [
    ("deflate (libdeflate)", ("deflate_", "libdeflate", "adler32", "heapify", "sort_symbols",
                              "build_tree", "compute_length_counts", "gen_codewords", "zlib_rs::")),
    ("clearing memory (memset)", ("memset",)),
    ("allocation (malloc/free)", ("malloc.c:",)),
    ("CFF subsets", ("gongwen::font::cff", "gongwen::font::subset")),
    ("layout", ("gongwen::layout::",)),
]


def instructions(work):
    valgrind = shutil.which("valgrind")
    if not valgrind:
        print("\n(valgrind not installed: no instruction counts)")
        return
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")
    print("\nWork per document: instructions (callgrind, one process, PDF+DOCX)")
    row("", "instructions", "", "own cost of the largest parts")
    docs = [("seed " + SEED, ROOT / "samples" / f"{SEED}.toml"),
            ("long report (9 pages)", ROOT / "tests" / "fixtures" / "reports" / "qingxi-district-2024.toml"),
            ("letter with seal", ROOT / "tests" / "fixtures" / "kinds" / "letter.toml")]
    for name, data in docs:
        out = work / "callgrind"
        out.mkdir(exist_ok=True)
        prof = out / "callgrind.out"
        subprocess.run([valgrind, "--tool=callgrind", f"--callgrind-out-file={prof}",
                        GONGWEN, "render", data, "-o", out], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ann = subprocess.run(["callgrind_annotate", "--threshold=100", prof],
                             capture_output=True, text=True, check=True).stdout
        total, by_part = 0, {p: 0 for p, _ in PARTS}
        for line in ann.splitlines():
            cells = line.split(None, 2)
            if len(cells) < 3 or not cells[0].replace(",", "").isdigit():
                continue
            n = int(cells[0].replace(",", ""))
            if "PROGRAM TOTALS" in line:
                total = n
                continue
            for part, keys in PARTS:
                if any(k in cells[2] for k in keys):
                    by_part[part] += n
                    break
        shares = ", ".join(f"{p} {n / total * 100:.0f}%" for p, n in by_part.items() if n)
        row(name, f"{total / 1e6:.1f} M", "", shares)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=ROOT, check=True)
    read_afresh([GONGWEN])
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gongwen_runs(args.runs, work)
        batch(work, max(3, args.runs // 3))
        desk(work, args.runs)
        district(work)
        libreoffice(work, max(3, args.runs // 3))
        typst(work, args.runs)
        floor(work)
        instructions(work)


if __name__ == "__main__":
    main()
