#!/usr/bin/env python3
"""Real-client checks of the rendered samples: poppler, qpdf, mupdf,
python-docx, openxml-audit and LibreOffice read what gongwen writes.

Usage: check.py GONGWEN_BINARY OUT_DIR   (BLESS=1 re-blesses page PNGs)
Prints one line per check and '<n> passed, <m> failed' at the end.
"""
import base64
import os
import html
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
LEFT, TOP, WIDTH, HEIGHT = 28 * MM, 37 * MM, 156 * MM, 225 * MM
NO_START = "。，、；：？！）】」』》”’"
NO_END = "（【「『《“‘"
SQUEEZABLE = "。，、；：？！）］｝】」』》〉〕”’"
SAMPLES = ["zhanlang-2020", "qinghe-market-2025"]

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def bbox_lines(pdf):
    """Lines of text per page from pdftotext -bbox-layout: (page, xMin, yMin, xMax, yMax, text)."""
    import xml.etree.ElementTree as ET
    xml = run("pdftotext", "-bbox-layout", str(pdf), "-").stdout
    xml = re.sub(r'xmlns="[^"]+"', "", xml, count=1)
    root = ET.fromstring(xml)
    out = []
    for pi, page in enumerate(root.iter("page"), 1):
        for line in page.iter("line"):
            words = [w.text or "" for w in line.iter("word")]
            a = line.attrib
            out.append((pi, float(a["xMin"]), float(a["yMin"]), float(a["xMax"]), float(a["yMax"]), "".join(words)))
    return out


def pages_of(pdf):
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)).stdout).group(1))


def pdf_checks(stem, pdf, data_path):
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    check(f"{stem}: fonts embedded, subset, unicode", fonts and all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
    info = run("pdfinfo", str(pdf)).stdout
    check(f"{stem}: A4 pages", "595.276 x 841.89 pts (A4)" in info, info)
    q = run("qpdf", "--check", str(pdf))
    check(f"{stem}: qpdf --check", q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout, q.stdout[-300:])
    m = run("mutool", "draw", "-q", "-o", "/dev/null", str(pdf))
    # A mupdf built without ICC support says so on every file; that is not ours.
    warnings = [w for w in m.stderr.splitlines() if w.strip() and "ICC support is not available" not in w]
    check(f"{stem}: mutool draws every page", m.returncode == 0 and not warnings, warnings[-3:])
    # The fonts' subsets grow with the characters used: 330 KB for a 6-page
    # report, 450 KB for 10 pages.
    limit = 330_000 if pages_of(pdf) <= 6 else 450_000
    check(f"{stem}: at most {limit // 1000} KB", pdf.stat().st_size <= limit, pdf.stat().st_size)

    lines = bbox_lines(pdf)
    bottom = TOP + HEIGHT
    numbers = [l for l in lines if re.fullmatch(r"—\d+—", l[5])]
    body = [l for l in lines if l not in numbers]
    # A line ending in squeezed punctuation reports the glyph's full em box,
    # half of which is white space given up to the margin.
    def slack(l):
        return 8.5 if l[5] and l[5][-1] in SQUEEZABLE else 0.5
    outside = [l for l in body if l[1] < LEFT - 0.5 or l[3] > LEFT + WIDTH + slack(l) or l[2] < TOP - 0.5 or l[4] > bottom + 0.5]
    check(f"{stem}: no text outside the text block", not outside, outside[:3])

    pages = max(l[0] for l in lines)
    ok = len(numbers) == pages
    for (p, x0, y0, x1, y1, t) in numbers:
        dash_top = y0 + (y1 - y0) * 0.3
        ok &= t == f"—{p}—"
        ok &= bottom + 5 * MM < dash_top < bottom + 9 * MM
        ok &= (abs(x1 - (LEFT + WIDTH - 14)) < 2) if p % 2 else (abs(x0 - (LEFT + 14)) < 2)
    check(f"{stem}: page numbers — N — outside, 7 mm under the text block", ok, numbers)

    # Body lines: 16 pt text; pitch between consecutive lines of a page.
    pitches = []
    for p in range(1, pages + 1):
        ys = sorted(l[4] for l in body if l[0] == p and 15 < l[4] - l[2] < 18.5)
        pitches += [b - a for a, b in zip(ys, ys[1:]) if 27 < b - a < 31]
    med = statistics.median(pitches) if pitches else 0
    check(f"{stem}: median body line pitch 28.95 pt", abs(med - 28.95) < 0.05, med)

    # A continuation line is one followed, on its page, by a line that starts
    # at the left edge (a new paragraph starts indented).
    text_lines = sorted((l for l in body if 15 < l[4] - l[2] < 18.5), key=lambda l: (l[0], l[2]))
    full = [a for a, b in zip(text_lines, text_lines[1:])
            if a[0] == b[0] and 27 < b[2] - a[2] < 31 and abs(b[1] - LEFT) < 0.5 and a[3] - a[1] > WIDTH * 0.5]
    # A line broken before an address or number that would not fit is set
    # ragged rather than spread by more than a quarter em a gap.
    def before_word(a, b):
        return a[5][-1:].isascii() or b[5][:1].isascii()
    reach = [a for a, b in zip(text_lines, text_lines[1:]) if a in full
             and not before_word(a, b) and not (LEFT + WIDTH - 1.0 < a[3] < LEFT + WIDTH + slack(a))]
    check(f"{stem}: justified lines reach the right edge", full and not reach, reach[:3])

    # A line of body text must come back as one line: a squeezed comma whose
    # box overlapped the next character used to split it, and a search for
    # the words across it failed.
    from collections import Counter
    baselines = Counter((l[0], round(l[4])) for l in body if 15 < l[4] - l[2] < 18.5)
    split = [k for k, n in baselines.items() if n > 1]
    check(f"{stem}: each body line extracts as one line", not split, split[:3])

    bad = [l[5] for l in body if l[5] and (l[5][0] in NO_START or l[5][-1] in NO_END)]
    check(f"{stem}: no banned punctuation at line starts/ends", not bad, bad[:3])

    text = run("pdftotext", "-layout", str(pdf), "-").stdout
    return text


def table3_rows(text, data):
    """Reads table 三 rows back by position: label then seven numbers."""
    import tomllib
    want = {
        "一、本年新收政府信息公开申请数量": "new",
        "二、上年结转政府信息公开申请数量": "carried_over",
        "（一）予以公开": "disclosed",
        "四、结转下年度继续办理": "carried_forward",
    }
    apps = data.get("applications", {})
    ok = True
    for label, key in want.items():
        row = apps.get(key, [0] * 6)[:6]
        expected = row + [sum(row)]
        line = next((l for l in text.splitlines() if label in l), "")
        got = [int(x) for x in re.findall(r"\b\d+\b", line.split(label, 1)[-1])]
        ok &= got[-7:] == expected
        if got[-7:] != expected:
            print(f"     {label}: got {got} want {expected}")
    return ok


def docx_checks(stem, docx, pdf_pages):
    import docx as pydocx
    from docx.shared import Mm
    d = pydocx.Document(str(docx))
    s = d.sections[0]
    check(f"{stem}: docx A4", abs(s.page_width.mm - 210) < 0.2 and abs(s.page_height.mm - 297) < 0.2)
    margins = [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    check(f"{stem}: docx margins 37/35/28/26 mm", margins == [37, 35, 28, 26], margins)
    check(f"{stem}: docx odd/even footers", d.settings.odd_and_even_pages_header_footer and s.even_page_footer.paragraphs and s.footer.paragraphs)
    shapes = [(len(t.rows), len(t.columns)) for t in d.tables]
    want = [(18, 4), (26, 10), (4, 15)] if "2020" in stem else [(14, 4), (28, 10), (4, 15)]
    check(f"{stem}: docx tables of the official shapes", shapes == want, shapes)
    t3 = d.tables[1]
    span = 20 if "2020" in stem else 22
    merged = t3.cell(5, 0)._tc is t3.cell(5 + span - 1, 0)._tc and t3.cell(0, 0)._tc is t3.cell(2, 2)._tc
    check(f"{stem}: docx merges of table 三", merged)
    audit = run("openxml-audit", str(docx))
    check(f"{stem}: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])


def libreoffice(stem, docx, out, pdf_pages, pdf_text):
    lo_out = out / "lo"
    lo_out.mkdir(exist_ok=True)
    env = lo_env(out)
    r = run("soffice", "--headless", f"-env:UserInstallation=file://{out}/lo-profile", "--convert-to", "pdf",
            "--outdir", str(lo_out), str(docx), env=env, timeout=300)
    lo_pdf = lo_out / f"{stem}.pdf"
    if not lo_pdf.exists():
        check(f"{stem}: LibreOffice converts the DOCX", False, r.stderr[-300:])
        return
    info = run("pdfinfo", str(lo_pdf)).stdout
    lo_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    starts = 0
    for p in range(1, min(lo_pages, pdf_pages) + 1):
        a = run("pdftotext", "-f", str(p), "-l", str(p), str(lo_pdf), "-").stdout.split()
        b = pdf_text[p - 1].split()
        starts += bool(a and b and a[0][:6] == b[0][:6])
    print(f"     LibreOffice: {lo_pages} pages, gongwen PDF: {pdf_pages}; {starts} pages start with the same text")
    check(f"{stem}: LibreOffice opens the DOCX and lays it on the same page count", lo_pages == pdf_pages, f"{lo_pages} vs {pdf_pages}")


HIGH_CID = "–‐€¥↗☉⊕﹦╬▼"


LONG_REPORTS = ["qingxi-district-2024", "qingxi-jiedao-2020"]
LAYOUT_CASES = ["heading-before-table", "table-header-one-row", "group-row-at-foot", "signature-at-foot",
                "long-title", "long-signature", "rowspan-empty", "long-url"]


def model_pieces(binary, args):
    """Every block's text from --dump-model: title lines, headings, whole
    paragraphs, table cells, 署名 and 成文日期; and the headings alone."""
    dump = run(str(binary), "render", *args, "--dump-model").stdout
    pieces, headings, para = [], [], None
    for line in dump.splitlines():
        if line.startswith("  [") and para is not None:
            para.append(line.split("] ", 1)[1])
            continue
        if para:
            pieces.append("".join(para))
            para = None
        if line.startswith("p "):
            para = []
        elif line.startswith("  | "):
            pieces.append(line[4:])
        elif re.match(r"h\d ", line):
            pieces.append(line[3:])
            headings.append(line[3:])
        elif re.match(r"    c\d+", line):
            pieces.append(line.split(" | ", 1)[1].replace("⏎", ""))
        elif line.startswith("signature "):
            pieces += [x for x in line[len("signature "):].split(" | ") if x]
    if para:
        pieces.append("".join(para))
    return pieces, headings


def squash(s):
    return re.sub(r"\s", "", s)


def page_checks(stem, binary, args, pdf):
    """What a 公文 reviewer checks on every page, read back from the PDF:
    every block's text is there, no heading ends a page, no page holds
    only the signature."""
    pieces, headings = model_pieces(binary, args)
    flat = squash(re.sub(r"—\s*\d+\s*—", "", run("pdftotext", "-raw", str(pdf), "-").stdout))
    missing = [p for p in pieces if squash(p) not in flat]
    check(f"{stem}: every block's text is in the PDF ({len(pieces)} blocks)", not missing, [m[:30] for m in missing[:3]])
    lines = [l for l in bbox_lines(pdf) if not re.fullmatch(r"—\d+—", l[5])]
    pages = max(l[0] for l in lines)
    ends = []
    for p in range(1, pages):
        on_page = sorted((l for l in lines if l[0] == p), key=lambda l: (l[2], l[1]))
        if on_page and squash(on_page[-1][5]) in {squash(h) for h in headings}:
            ends.append((p, on_page[-1][5]))
    check(f"{stem}: no heading is the last line of a page", not ends, ends[:3])
    dump = run(str(binary), "render", *args, "--dump-model").stdout
    sigs = [squash(l[len("signature "):].replace(" | ", "")) for l in dump.splitlines() if l.startswith("signature ")]
    lone = [p for p in range(1, pages + 1)
            if squash("".join(l[5] for l in lines if l[0] == p)) in sigs]
    check(f"{stem}: no page holds only the signature", not lone, lone)


def lo_convert(docx, out, env, neutral):
    """LibreOffice's PDF of a DOCX. `neutral`: with the setting its DOCX
    import drops turned back to what the file asks for (it ignores
    autoSpaceDE/autoSpaceDN, so digits get a quarter em of space around
    them), through an ODT round trip."""
    import shutil
    import zipfile
    out.mkdir(parents=True, exist_ok=True)
    profile = f"-env:UserInstallation=file://{out.parent}/lo-profile"
    if not neutral:
        run("soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(out), str(docx), env=env, timeout=300)
        return out / f"{docx.stem}.pdf"
    run("soffice", "--headless", profile, "--convert-to", "odt", "--outdir", str(out), str(docx), env=env, timeout=300)
    odt = out / f"{docx.stem}.odt"
    if not odt.exists():
        return odt.with_suffix(".pdf")
    tmp = out / f"{docx.stem}-odt"
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(odt) as z:
        z.extractall(tmp)
    for name in ["styles.xml", "content.xml"]:
        f = tmp / name
        f.write_text(f.read_text().replace('text-autospace="ideograph-alpha"', 'text-autospace="none"'))
    odt.unlink()
    with zipfile.ZipFile(odt, "w") as z:
        z.write(tmp / "mimetype", "mimetype", compress_type=zipfile.ZIP_STORED)
        for f in sorted(tmp.rglob("*")):
            if f.is_file() and f.name != "mimetype":
                z.write(f, f.relative_to(tmp), compress_type=zipfile.ZIP_DEFLATED)
    run("soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(out), str(odt), env=env, timeout=300)
    return out / f"{docx.stem}.pdf"


def page_starts(pdf):
    pages = run("pdftotext", "-layout", str(pdf), "-").stdout.split("\f")
    return [squash(p)[:8] for p in pages if p.strip()]


def page_lines(pdf):
    """Each page's text lines, squashed, page numbers left out."""
    pages = run("pdftotext", "-layout", str(pdf), "-").stdout.split("\f")
    out = []
    for p in pages:
        if not p.strip():
            continue
        lines = [squash(l) for l in p.split("\n")]
        out.append([l for l in lines if l and not re.fullmatch(r"[—\-－]*\d+[—\-－]*", l)])
    return out


def within_a_line(ours, theirs):
    """How many of their pages start within a line of ours: their first six
    characters stand in our previous page's last two lines or our page's
    first three (a line moved by one either way, broken elsewhere)."""
    count = 0
    for k, (page, start) in enumerate(zip(ours, theirs)):
        near = (ours[k - 1][-2:] if k else []) + page[:3]
        count += bool(start) and any(start[:6] in "".join(near[j:j + 2]) for j in range(len(near)))
    return count


def lo_env(out):
    conf = out / "fonts.conf"
    fonts = ROOT / "fonts"
    alias = {"仿宋_GB2312": "FandolFang", "仿宋": "FandolFang", "黑体": "FandolHei", "楷体_GB2312": "FandolKai",
             "楷体": "FandolKai", "宋体": "FandolSong", "方正小标宋简体": "FandolSong"}
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{k}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{v}</string></edit>'
        + ('<edit name="style" mode="assign" binding="strong"><string>Bold</string></edit>' if k == "方正小标宋简体" else "")
        + "</match>" for k, v in alias.items())
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{fonts}</dir>'
                    f'<cachedir>{out}/fc-cache</cachedir>{rules}</fontconfig>')
    return dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(out))


def agreement(reports, out):
    """Page counts and page starts of gongwen's PDF against LibreOffice's
    layout of the DOCX, over several reports; prints the figures."""
    env = lo_env(out)
    totals = {False: [0, 0], True: [0, 0]}
    near = [0, 0]
    for stem, pdf, docx in reports:
        ours = page_starts(pdf)
        for neutral in (False, True):
            lo_pdf = lo_convert(docx, out / ("lo-agree-neutral" if neutral else "lo-agree"), env, neutral)
            theirs = page_starts(lo_pdf) if lo_pdf.exists() else []
            same = sum(1 for a, b in zip(ours, theirs) if a == b)
            totals[neutral][0] += same
            totals[neutral][1] += len(ours)
            if neutral:
                lo_lines = page_lines(lo_pdf) if lo_pdf.exists() else []
                near[0] += within_a_line(page_lines(pdf), [p[0] if p else "" for p in lo_lines])
                near[1] += len(ours)
            if not neutral:
                check(f"{stem}: LibreOffice lays the DOCX on the same page count ({len(theirs)} vs {len(ours)})",
                      len(theirs) == len(ours))
            print(f"     {stem}: {'as Word reads it' if neutral else 'LibreOffice as is'}: "
                  f"{same} of {len(ours)} pages start with the same text")
    for neutral in (False, True):
        same, n = totals[neutral]
        label = "with LibreOffice's digit spacing undone" if neutral else "LibreOffice as is"
        print(f"     page-start agreement, {label}: {same}/{n} = {100 * same / max(n, 1):.0f}%")
    # The line breaks follow Word's (Spire.Doc and Aspose.Words agree on
    # 95-100% of line ends); LibreOffice, which neither pushes characters
    # into a full line nor drops its space around digits, is a second
    # opinion: its pages must start within a line of the PDF's.
    same, n = near
    print(f"     page starts within a line, digit spacing undone: {same}/{n}")
    check("LibreOffice's pages start within a line of the PDF's on at least 90% of pages (digit spacing undone)",
          n and same / n >= 0.90, f"{same}/{n}")


def layout_fixtures(binary, out, env):
    """The hard page-break cases of tests/fixtures/layout, rendered through
    the binary: reviewer checks and page PNGs."""
    for case in LAYOUT_CASES:
        d = out / "layout" / case
        args = [str(ROOT / "samples" / "qinghe-market-2025.toml"), "--template", str(ROOT / "tests" / "fixtures" / "layout" / case)]
        r = run(str(binary), "render", *args, "-o", str(d), "--pdf-only", env=env)
        pdf = d / "qinghe-market-2025.pdf"
        check(f"layout {case}: renders", r.returncode == 0 and pdf.exists(), r.stderr[-300:])
        if pdf.exists():
            page_checks(f"layout {case}", binary, args, pdf)
            numbered = d / f"layout-{case}.pdf"
            pdf.rename(numbered)
            png_checks(f"layout-{case}", numbered, d)
    d = out / "layout" / "tall-cell"
    r = run(str(binary), "render", str(ROOT / "samples" / "qinghe-market-2025.toml"), "--template",
            str(ROOT / "tests" / "fixtures" / "layout" / "tall-cell"), "-o", str(d), env=env)
    check("layout tall-cell: refused with the row named, nothing written",
          r.returncode == 1 and "表格第 2 行排不进一页" in r.stderr and not list(d.glob("*.pdf")) if d.exists() else r.returncode == 1,
          r.stderr[-300:])


def high_cid_checks(binary, out, env):
    """A line of characters whose Fandol glyph ids lie above 8896, where the
    CFF charset stops being the identity: extracted text and drawn shapes."""
    from PIL import Image, ImageChops
    src = (ROOT / "samples" / "qinghe-market-2025.toml").read_text()
    line = f"符号：{HIGH_CID}。"
    data = out / "high-cid.toml"
    data.write_text(src.replace("other = [\n", f'other = [\n  "{line}",\n', 1))
    r = run(str(binary), "render", "--pdf-only", str(data), "-o", str(out), env=env)
    pdf = out / "high-cid.pdf"
    check("high CIDs: render", r.returncode == 0 and pdf.exists(), r.stderr)
    if not pdf.exists():
        return
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    check("high CIDs: fonts embedded, subset, unicode", fonts and all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
    found = [l for l in bbox_lines(pdf) if l[5] == line]
    check("high CIDs: pdftotext gives the line back exactly", len(found) == 1, [l[5] for l in bbox_lines(pdf) if "符号" in l[5]])
    if not found:
        return
    p, x0, y0, x1, y1, _ = found[0]
    dpi = 100
    k = dpi / 72
    crop = out / "high-cid-line"
    run("pdftoppm", "-f", str(p), "-l", str(p), "-r", str(dpi), "-x", str(int(x0 * k) - 2), "-y", str(int(y0 * k) - 2),
        "-W", str(int((x1 - x0) * k) + 4), "-H", str(int((y1 - y0) * k) + 4), "-png", "-singlefile", str(pdf), str(crop))
    ref = ROOT / "tests" / "references" / "high-cid-line.png"
    if os.environ.get("BLESS"):
        ref.write_bytes(crop.with_suffix(".png").read_bytes())
    a, b = Image.open(crop.with_suffix(".png")).convert("L"), Image.open(ref).convert("L")
    same = a.size == b.size and sum(1 for v in ImageChops.difference(a, b).tobytes() if v > 64) <= 10
    check("high CIDs: glyphs drawn match tests/references/high-cid-line.png", same, f"{a.size} vs {b.size}")


def embed_checks(binary, out, env, pdf_pages):
    """--embed-fonts: the DOCX carries obfuscated TrueType subsets that
    fontTools reads, and LibreOffice, seeing only the system's fonts (none of
    them Fandol), lays it out with them on the same page count as the PDF."""
    import io
    import zipfile
    from fontTools.ttLib import TTFont
    stem = "zhanlang-2020"
    d = out / "embed"
    r = run(str(binary), "render", "--docx-only", "--embed-fonts", str(ROOT / "samples" / f"{stem}.toml"), "-o", str(d), env=env)
    docx = d / f"{stem}.docx"
    check("embed: render --embed-fonts", r.returncode == 0 and docx.exists(), r.stderr)
    if not docx.exists():
        return
    audit = run("openxml-audit", str(docx))
    check("embed: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
    z = zipfile.ZipFile(docx)
    table = z.read("word/fontTable.xml").decode()
    rels = z.read("word/_rels/fontTable.xml.rels").decode()
    fonts = {}
    for rid, key in re.findall(r'r:id="(\w+)" w:fontKey="\{([0-9A-F-]+)\}"', table):
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
        data = bytearray(z.read("word/" + target))
        k = bytes.fromhex(key.replace("-", ""))[::-1]
        for i in range(32):
            data[i] ^= k[i % 16]
        f = TTFont(io.BytesIO(bytes(data)))
        family = f["name"].getDebugName(1)
        fonts[family] = ("glyf" in f, len(f.getBestCmap()))
        ttf_dir = d / "ttf"
        ttf_dir.mkdir(exist_ok=True)
        name = family + ("-Regular" if "-" not in family else "") + ".otf"
        (ttf_dir / name).write_bytes(bytes(data))
    want = {"FandolFang", "FandolHei", "FandolKai", "FandolSong", "FandolSong-Bold"}
    check("embed: five TrueType subsets, de-obfuscated and read by fontTools",
          set(fonts) == want and all(g and n > 5 for g, n in fonts.values()), fonts)
    truetype_font_dir(binary, d, env)
    conf = d / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<dir>/usr/share/fonts</dir><cachedir>{d}/fc-cache</cachedir></fontconfig>')
    env2 = dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(d))
    run("soffice", "--headless", f"-env:UserInstallation=file://{d}/lo-profile", "--convert-to", "pdf",
        "--outdir", str(d / "lo"), str(docx), env=env2, timeout=300)
    lo_pdf = d / "lo" / f"{stem}.pdf"
    if not lo_pdf.exists():
        check("embed: LibreOffice converts the DOCX", False)
        return
    used = {l.split()[0].split("+")[-1] for l in run("pdffonts", str(lo_pdf)).stdout.splitlines()[2:]}
    check("embed: LibreOffice without the Fandol fonts installed uses the embedded faces", want <= used, used)
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(lo_pdf)).stdout).group(1))
    check("embed: same page count as the PDF", pages == pdf_pages, f"{pages} vs {pdf_pages}")


def truetype_font_dir(binary, d, env):
    """Official fonts are mostly TrueType. The embedded subsets, which are
    TrueType, stand in for them through --font-dir: the PDF must embed them
    as CIDFontType2 and give the same text back."""
    stem = "zhanlang-2020"
    r = run(str(binary), "render", "--pdf-only", "--font-dir", str(d / "ttf"),
            str(ROOT / "samples" / f"{stem}.toml"), "-o", str(d / "ttf-out"), env=env)
    pdf = d / "ttf-out" / f"{stem}.pdf"
    check("TrueType --font-dir: render", r.returncode == 0 and pdf.exists(), r.stderr[-500:])
    if not pdf.exists():
        return
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    check("TrueType --font-dir: CID TrueType fonts embedded, subset, unicode",
          len(fonts) >= 5 and all("CID TrueType" in l and l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
    m = run("mutool", "draw", "-q", "-o", "/dev/null", str(pdf))
    warnings = [w for w in m.stderr.splitlines() if w.strip() and "ICC support is not available" not in w]
    check("TrueType --font-dir: mutool draws every page", m.returncode == 0 and not warnings, warnings[-3:])
    same = run("pdftotext", str(pdf), "-").stdout == run("pdftotext", str(d.parent / f"{stem}.pdf"), "-").stdout
    check("TrueType --font-dir: same text as with the bundled CFF faces", same)


def png_checks(stem, pdf, out):
    from PIL import Image, ImageChops
    ref_dir = ROOT / "tests" / "references"
    ref_dir.mkdir(exist_ok=True)
    run("pdftoppm", "-r", "30", "-png", str(pdf), str(out / f"{stem}-page"))
    pages = sorted(out.glob(f"{stem}-page-*.png"))
    bless = bool(os.environ.get("BLESS"))
    ok = True
    for p in pages:
        ref = ref_dir / p.name.replace("-page-", "-p")
        if bless:
            ref.write_bytes(p.read_bytes())
            continue
        if not ref.exists():
            ok = False
            print(f"     missing reference {ref.name}")
            continue
        diff = ImageChops.difference(Image.open(p).convert("L"), Image.open(ref).convert("L"))
        changed = sum(1 for v in diff.tobytes() if v > 64)
        if changed > 20:
            ok = False
            print(f"     {p.name}: {changed} pixels differ from {ref.name}")
    refs = sorted(ref_dir.glob(f"{stem}-p*.png"))
    check(f"{stem}: page PNGs match tests/references", ok and len(refs) == len(pages), f"{len(pages)} pages, {len(refs)} references")


def as_json(v):
    """A TOML value as JSON Schema sees a data file: dates as ISO strings."""
    import datetime
    if isinstance(v, dict):
        return {k: as_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [as_json(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat()
    return v


def schema_checks(binary, out, env):
    """The annual report's schema, read by an independent validator (Python
    jsonschema), accepts every data file gongwen accepts and rejects the
    shapes gongwen rejects; a template with its own data renders."""
    import json
    import tomllib
    from jsonschema import Draft202012Validator, FormatChecker
    validators = {}
    for fmt in ("2019", "2021"):
        r = run(str(binary), "schema", f"annual-report-{fmt}")
        schema = json.loads(r.stdout)
        Draft202012Validator.check_schema(schema)
        validators[fmt] = Draft202012Validator(schema, format_checker=FormatChecker())

    def errors(data):
        fmt = str(data.get("format") or ("2019" if data.get("year", 2021) <= 2020 else "2021"))
        return [e.message for e in validators.get(fmt, validators["2021"]).iter_errors(as_json(data))]

    files = [ROOT / "samples" / f"{s}.toml" for s in SAMPLES]
    files += sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.toml"))
    files += sorted((ROOT / "tests" / "fixtures" / "data").glob("*.toml"))
    accepted = 0
    for f in files:
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError):
            continue
        if run(str(binary), "check", str(f), env=env).returncode != 0:
            continue
        accepted += 1
        e = errors(data)
        check(f"schema accepts {f.name}, as gongwen check does", not e, e[:2])
    check(f"schema: {accepted} accepted files compared", accepted >= 6)
    seed = (ROOT / "samples" / "zhanlang-2020.toml").read_text()
    bad = {
        "an unknown key": seed.replace("[applications]", "[applications]\nnews = [1, 0, 0, 0, 0, 0]"),
        "a text for a count": seed.replace("new = [", 'new = ["三", ', 1),
        "a row of the other format": seed.replace("[applications]", "[applications.other]\nno_correction = [0, 0, 0, 0, 0, 0]\n[applications]"),
        "a row two numbers short": re.sub(r"litigation_direct = \[[^]]*\]", "litigation_direct = [0, 0]", seed),
    }
    for what, text in bad.items():
        f = out / "schema-bad.toml"
        f.write_text(text)
        rejected = run(str(binary), "check", str(f), env=env).returncode != 0
        data = tomllib.loads(text)
        check(f"schema rejects {what}, as gongwen check does", rejected and errors(data), (rejected, errors(data)[:1]))

    # A template with its own schema: the same validator agrees with gongwen
    # on its fixtures (the [[check]] rules are gongwen's alone).
    d = ROOT / "tests" / "fixtures" / "schema"
    v = Draft202012Validator(json.loads((d / "bulletin" / "schema.json").read_text()), format_checker=FormatChecker())
    for f in sorted(d.glob("*.toml")):
        data = as_json(tomllib.loads(f.read_text()))
        data.pop("template", None)
        ours = run(str(binary), "check", str(f), env=env)
        schema_only = f.stem in ("bulletin", "rule", "rule-warning")
        theirs = list(v.iter_errors(data))
        check(f"bulletin schema: {f.name} {'valid' if schema_only else 'invalid'} for both",
              (not theirs) == schema_only and (ours.returncode == 0) == (f.stem in ("bulletin", "rule-warning")),
              (ours.stderr[-200:], [e.message for e in theirs][:2]))
    r = run(str(binary), "render", str(d / "bulletin.toml"), "-o", str(out), env=env)
    check("render a template with its own data", r.returncode == 0, r.stderr[-300:])
    pdf, docx = out / "bulletin.pdf", out / "bulletin.docx"
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    check("bulletin: fonts embedded, subset, unicode", fonts and all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
    q = run("qpdf", "--check", str(pdf))
    check("bulletin: qpdf --check", q.returncode == 0, q.stdout[-300:])
    text = run("pdftotext", "-layout", str(pdf), "-").stdout
    check("bulletin: computed total row in the PDF", re.search(r"合计\s+1268\s+1241\s+12", text), text[-400:])
    page_checks("bulletin", binary, [str(d / "bulletin.toml")], pdf)
    audit = run("openxml-audit", str(docx))
    check("bulletin: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])


def trace_strokes(pdf):
    """Every straight stroke of a PDF by page: (page, y from the top, x1, x2,
    width, rgb), from mutool's trace of the drawing operators."""
    import xml.etree.ElementTree as ET
    xml = run("mutool", "trace", str(pdf)).stdout
    root = ET.fromstring("<doc>" + re.sub(r"<\?xml[^>]*\?>", "", xml) + "</doc>")
    out, fills = [], []
    for pi, page in enumerate(root.iter("page"), 1):
        h = float(page.attrib["mediabox"].split()[3])
        for sp in page.iter("stroke_path"):
            pts = [(float(e.attrib["x"]), float(e.attrib["y"])) for e in sp if e.tag in ("moveto", "lineto")]
            if len(pts) == 2 and abs(pts[0][1] - pts[1][1]) < 0.01:
                rgb = tuple(float(v) for v in sp.attrib.get("color", "0").split())
                out.append((pi, h - pts[0][1], min(pts[0][0], pts[1][0]), max(pts[0][0], pts[1][0]), float(sp.attrib["linewidth"]), rgb))
        for ft in page.iter("fill_text"):
            fills.append((pi, tuple(float(v) for v in ft.attrib.get("color", "0").split())))
    return out, fills


def words(pdf):
    """Every pdftotext word: (page, xMin, yMin, xMax, yMax, text)."""
    xml = run("pdftotext", "-bbox", str(pdf), "-").stdout
    page = 0
    out = []
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', line)
        if m:
            out.append((page, *(float(v) for v in m.groups()[:4]), m.group(5)))
    return out


def word_box(pdf, text):
    """(page, yMin, yMax) of the first pdftotext word starting with text."""
    w = next((w for w in words(pdf) if w[5].startswith(text)), None)
    return w and (w[0], w[2], w[4])


def kinds_lo(out, lo, docx):
    """LibreOffice's PDF of a document kind's DOCX, set in the bundled fonts."""
    return run("soffice", f"-env:UserInstallation=file://{out}/lo-profile-kinds", "--headless", "--convert-to", "pdf",
               "--outdir", str(lo), str(docx), env=lo_env(out), timeout=300)


def kinds_checks(binary, out, env):
    """The notice (文件格式) measured from its PDF against GB/T 9704, within
    0.5 mm; its DOCX read by openxml-audit and LibreOffice."""
    d = out / "kinds"
    d.mkdir(exist_ok=True)
    data = ROOT / "tests" / "fixtures" / "kinds" / "notice.toml"
    r = run(str(binary), "render", str(data), "-o", str(d), env=env)
    check("render the notice", r.returncode == 0, r.stderr[-300:])
    pdf, docx = d / "notice.pdf", d / "notice.docx"
    tol = 0.5 * MM
    strokes, fills = trace_strokes(pdf)
    mark = word_box(pdf, "某某市人民政府办公室文件")
    check("notice: 发文机关标志 35 mm under the text block's top", mark and abs(mark[1] - TOP - 35 * MM) <= tol, mark)
    number = word_box(pdf, "某政办发")
    red = [s for s in strokes if s[0] == 1 and s[5] == (1.0, 0.0, 0.0)]
    check("notice: one red rule on page 1", len(red) == 1, red)
    if red and number:
        y, x1, x2 = red[0][1], red[0][2], red[0][3]
        check("notice: red rule 4 mm under the 发文字号", abs(y - number[2] - 4 * MM) <= tol, (y - number[2]) / MM)
        check("notice: red rule as wide as the text block", abs(x1 - LEFT) <= tol and abs(x2 - x1 - WIDTH) <= tol, (x1, x2))
    check("notice: the mark is set in red", any(p == 1 and c == (1.0, 0.0, 0.0) for p, c in fills))
    pages = pages_of(pdf)
    foot = [s for s in strokes if s[0] == pages and s[5] in ((0.0,), (0.0, 0.0, 0.0))]
    check(f"notice: 版记 on an even last page ({pages})", pages % 2 == 0 and len(foot) == 3, foot)
    if len(foot) == 3:
        foot.sort(key=lambda s: s[1])
        widths = [round(s[4] / MM, 2) for s in foot]
        check("notice: 版记 rules 0.35 / 0.25 / 0.35 mm", all(abs(w - e) <= 0.02 for w, e in zip(widths, (0.35, 0.25, 0.35))), widths)
        last = foot[-1][1] + foot[-1][4] / 2
        check("notice: last 版记 rule on the text block's lower edge", abs(last - TOP - HEIGHT) <= tol, (last - TOP - HEIGHT) / MM)
        check("notice: 版记 rules as wide as the text block", all(abs(s[3] - s[2] - WIDTH) <= tol for s in foot))
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    check("notice: fonts embedded, subset, unicode", fonts and all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
    audit = run("openxml-audit", str(docx))
    check("notice: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
    import zipfile
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    check("notice: DOCX has the red mark and rule", 'w:color w:val="FF0000"' in xml and 'w:color="FF0000"' in xml)
    lo = d / "lo"
    lo.mkdir(exist_ok=True)
    r = kinds_lo(out, lo, docx)
    lo_pdf = lo / "notice.pdf"
    check("notice: LibreOffice converts the DOCX", lo_pdf.exists(), r.stderr[-300:])
    if lo_pdf.exists():
        check(f"notice: LibreOffice on the same pages ({pages_of(lo_pdf)} vs {pages})", pages_of(lo_pdf) == pages)
        lo_strokes, lo_fills = trace_strokes(lo_pdf)
        check("notice: LibreOffice shows red text", any(c == (1.0, 0.0, 0.0) for _, c in lo_fills))
        lo_red = [s for s in lo_strokes if s[0] == 1 and s[5] == (1.0, 0.0, 0.0)]
        check("notice: LibreOffice draws the red rule within 0.5 mm of the PDF's",
              red and lo_red and abs(lo_red[0][1] - red[0][1]) <= tol, (lo_red[:1], red[:1]))
        lo_foot = sorted(s for s in lo_strokes if s[0] == pages and s[5] in ((0.0,), (0.0, 0.0, 0.0)))
        check("notice: LibreOffice sets the 版记 rules where the PDF has them, within 0.5 mm",
              len(lo_foot) == 3 and len(foot) == 3 and all(abs(a[1] - b[1]) <= tol for a, b in zip(lo_foot, foot)),
              ([round(s[1] / MM, 1) for s in lo_foot], [round(s[1] / MM, 1) for s in foot]))
        cc, lo_cc = word_box(pdf, "抄送"), word_box(lo_pdf, "抄送")
        check("notice: LibreOffice sets 抄送 where the PDF has it, within 1 mm",
              cc and lo_cc and cc[0] == lo_cc[0] and abs(cc[1] - lo_cc[1]) <= MM, (cc, lo_cc))
    data = ROOT / "tests" / "fixtures" / "kinds" / "minutes.toml"
    r = run(str(binary), "render", str(data), "-o", str(d), env=env)
    check("render the minutes", r.returncode == 0, r.stderr[-300:])
    pdf, docx = d / "minutes.pdf", d / "minutes.docx"
    mark = word_box(pdf, "某某市人民政府常务会议纪要")
    check("minutes: 纪要标志 35 mm under the text block's top, on one line",
          mark and abs(mark[1] - TOP - 35 * MM) <= tol, mark)
    audit = run("openxml-audit", str(docx))
    check("minutes: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
    kinds_lo(out, lo, docx)
    lo_pdf = lo / "minutes.pdf"
    check(f"minutes: LibreOffice on the same pages", lo_pdf.exists() and pages_of(lo_pdf) == pages_of(pdf))
    if lo_pdf.exists():
        check("minutes: LibreOffice shows the red mark", any(c == (1.0, 0.0, 0.0) for _, c in trace_strokes(lo_pdf)[1]))
        lo_mark = word_box(lo_pdf, "某某市人民政府常务会议纪要")
        check("minutes: LibreOffice puts the mark where the PDF has it, within 1 mm",
              mark and lo_mark and abs(mark[1] - lo_mark[1]) <= MM, (mark, lo_mark))
    letter_checks(binary, d, out, env)
    for stem in ("notice", "minutes", "letter"):
        png_checks(f"kinds-{stem}", d / f"{stem}.pdf", d)
    joint = d / "joint.toml"
    joint.write_text((ROOT / "tests" / "fixtures" / "kinds" / "notice.toml").read_text().replace(
        'issuer = "某某市人民政府办公室"', 'issuer = ["某某市人民政府办公室", "某某市财政局", "某某市市场监督管理局"]'))
    r = run(str(binary), "render", str(joint), "-o", str(d), env=env)
    check("render a joint notice (联合行文)", r.returncode == 0, r.stderr[-300:])
    names = [word_box(d / "joint.pdf", n) for n in ("某某市人民政府办公室", "某某市市场监督管理局")]
    check("joint: the issuers one a line, the lead first, 35 mm under the block top",
          all(names) and names[0][1] < names[1][1] and abs(names[0][1] - TOP - 35 * MM) <= 0.5 * MM, names)
    audit = run("openxml-audit", str(d / "joint.docx"))
    check("joint: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
    kinds_lo(out, lo, d / "joint.docx")
    suffix, lo_suffix = word_box(d / "joint.pdf", "文件"), word_box(lo / "joint.pdf", "文件")
    check("joint: LibreOffice on the same pages, 「文件」 beside the names within 1 mm of the PDF's",
          (lo / "joint.pdf").exists() and pages_of(lo / "joint.pdf") == pages_of(d / "joint.pdf")
          and suffix and lo_suffix and suffix[0] == lo_suffix[0] == 1 and abs(suffix[1] - lo_suffix[1]) <= MM, (suffix, lo_suffix))


def images_of(pdf):
    """pdfimages -list rows: (page, type, width, height, colour)."""
    rows = run("pdfimages", "-list", str(pdf)).stdout.splitlines()[2:]
    return [(int(c[0]), c[2], int(c[3]), int(c[4]), c[5]) for c in (r.split() for r in rows)]


def seal_place(pdf):
    """(page, x, y from the top, width, height) of the first image drawn,
    from mutool's trace."""
    page = 0
    for line in run("mutool", "trace", str(pdf)).stdout.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<fill_image [^>]*transform="([-\d.]+) [-\d.]+ [-\d.]+ ([-\d.]+) ([-\d.]+) ([-\d.]+)"', line)
        if m:
            w, h, x, y = (float(v) for v in m.groups())
            return page, x, y, w, h
    return None


def word_box_x(pdf, text, page=None):
    """(page, xMin, yMin, xMax) of the first pdftotext word starting with
    text, on `page` when given."""
    w = next((w for w in words(pdf) if w[5].startswith(text) and (page is None or w[0] == page)), None)
    return w and (w[0], w[1], w[2], w[3])


def audited_lo(label, docx, d, out):
    """openxml-audit finds no error in a document kind's DOCX, and
    LibreOffice converts it: its PDF, or None."""
    audit = run("openxml-audit", str(docx))
    check(f"{label}: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
    lo = d / "lo"
    lo.mkdir(exist_ok=True)
    kinds_lo(out, lo, docx)
    lo_pdf = lo / f"{docx.stem}.pdf"
    check(f"{label}: LibreOffice converts the DOCX", lo_pdf.exists())
    return lo_pdf if lo_pdf.exists() else None


def letter_checks(binary, d, out, env):
    """The letter (信函格式) with a seal: the head measured from its PDF, the
    seal drawn with its transparency; the DOCX read by openxml-audit and
    LibreOffice (same pages, red head, the seal, no number on page 1)."""
    tol = 0.5 * MM
    data = ROOT / "tests" / "fixtures" / "kinds" / "letter.toml"
    r = run(str(binary), "render", str(data), "-o", str(d), env=env)
    check("render the letter", r.returncode == 0, r.stderr[-300:])
    pdf, docx = d / "letter.pdf", d / "letter.docx"
    mark = word_box(pdf, "某某市人民政府办公室")
    check("letter: 发文机关标志 30 mm from the page top", mark and mark[0] == 1 and abs(mark[1] - 30 * MM) <= tol, mark)
    strokes, _ = trace_strokes(pdf)
    red = sorted(s for s in strokes if s[0] == 1 and s[5] == (1.0, 0.0, 0.0))
    check("letter: two red double lines on page 1", len(red) == 4, red)
    if len(red) == 4:
        check("letter: double lines 170 mm, centred on the text block",
              all(abs(s[3] - s[2] - 170 * MM) <= tol and abs((s[2] + s[3]) / 2 - LEFT - WIDTH / 2) <= tol for s in red))
        check("letter: upper double line thick over thin, 4 mm under the mark",
              red[0][4] > red[1][4] and abs(red[0][1] - red[0][4] / 2 - mark[2] - 4 * MM) <= tol + red[0][4] / 2,
              (red[0][1] - mark[2]) / MM)
        bottom = red[3][1] + red[3][4] / 2
        check("letter: lower double line thin over thick, 20 mm above the page foot",
              red[2][4] < red[3][4] and abs(297 * MM - bottom - 20 * MM) <= tol, (297 * MM - bottom) / MM)
    first = run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-").stdout
    check("letter: no page number on page 1", "— 1 —" not in first and "1 —" not in first)
    images = images_of(pdf)
    check("letter: the seal drawn, with a soft mask for its transparency",
          [i[1] for i in images] == ["image", "smask"], images)
    placed = seal_place(pdf)
    date, agency = word_box_x(pdf, "2026年1月12日"), word_box_x(pdf, "某某市人民政府办公室", page=placed and placed[0])
    if placed and date and agency:
        page, x, y, w, h = placed
        check("letter: seal 42 mm, centred on the 成文日期 within 0.5 mm",
              abs(w - 42 * MM) <= tol and abs(x + w / 2 - (date[1] + date[3]) / 2) <= tol, (w / MM, x + w / 2, date))
        check("letter: 成文日期 four characters in from the right", abs(LEFT + WIDTH - date[3] - 4 * WIDTH / 28) <= tol,
              (LEFT + WIDTH - date[3]) / MM)
        check("letter: 署名 and 成文日期 below the seal's centre, the date under its lower edge's line",
              agency[2] > y + h / 2 and date[2] > y + h / 2 and date[2] < y + h, (agency, date, y, h))
    else:
        check("letter: seal, 署名 and 成文日期 found on one page", False, (placed, date, agency))
    lo_pdf = audited_lo("letter", docx, d, out)
    if lo_pdf:
        check(f"letter: LibreOffice on the same pages ({pages_of(lo_pdf)} vs {pages_of(pdf)})", pages_of(lo_pdf) == pages_of(pdf))
        lo_strokes, lo_fills = trace_strokes(lo_pdf)
        lo_red = sorted(s for s in lo_strokes if s[0] == 1 and s[5] == (1.0, 0.0, 0.0))
        check("letter: LibreOffice draws both double lines on page 1 within 0.5 mm",
              len(lo_red) == 4 and all(abs(a[1] - b[1]) <= tol for a, b in zip(lo_red, red)), (lo_red, red))
        check("letter: LibreOffice shows the red mark", any(c == (1.0, 0.0, 0.0) for _, c in lo_fills))
        lo_mark = word_box(lo_pdf, "某某市人民政府办公室")
        check("letter: LibreOffice puts the mark 30 mm from the page top",
              lo_mark and lo_mark[0] == 1 and abs(lo_mark[1] - 30 * MM) <= 1.5 * MM, lo_mark)
        check("letter: LibreOffice draws the seal", any(i[1] == "image" for i in images_of(lo_pdf)), images_of(lo_pdf))
        lo_placed = seal_place(lo_pdf)
        check("letter: LibreOffice puts the seal where the PDF has it, within 1 mm",
              placed and lo_placed and placed[0] == lo_placed[0]
              and all(abs(a - b) <= MM for a, b in zip(placed[1:], lo_placed[1:])), (placed, lo_placed))
        cc, lo_cc = word_box(pdf, "抄送"), word_box(lo_pdf, "抄送")
        check("letter: LibreOffice sets the 版记 on the last page's foot, within 1 mm",
              cc and lo_cc and cc[0] == lo_cc[0] and abs(cc[1] - lo_cc[1]) <= MM, (cc, lo_cc))
        lo_first = run("pdftotext", "-f", "1", "-l", "1", str(lo_pdf), "-").stdout
        check("letter: LibreOffice shows no page number on page 1", "1 —" not in lo_first, lo_first[-80:])


def landscape_checks(binary, out, env):
    """A letter whose first annex is 横排 (GB/T 9704 clause 8). In the PDF
    those pages are the A4 sheet shown turned (/Rotate 90): the table's
    top along the sheet's left edge, the page number where the upright
    pages have it. LibreOffice lays the DOCX's landscape section out on
    the same pages, the page number within 1.5 mm of the PDF's;
    openxml-audit finds no error; sofd draws the OFD's pages like the
    PDF's."""
    d = out / "landscape"
    d.mkdir(exist_ok=True)
    data = ROOT / "tests" / "fixtures" / "kinds" / "letter-landscape.toml"
    r = run(str(binary), "render", str(data), "-o", str(d), "--ofd", env=env)
    check("landscape: render the letter with a 横排 annex", r.returncode == 0, r.stderr[-300:])
    pdf, docx, ofd = (d / f"letter-landscape.{e}" for e in ("pdf", "docx", "ofd"))
    if not pdf.exists():
        return
    pages = pages_of(pdf)
    info = run("pdfinfo", "-f", "1", "-l", str(pages), str(pdf)).stdout
    rot = [int(v) for v in re.findall(r"Page\s+\d+ rot:\s+(\d+)", info)]
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    turned = [k + 1 for k, v in enumerate(rot) if v == 90]
    check("landscape: the 分解表's pages shown turned, one run of them, the others upright",
          len(turned) >= 2 and turned == list(range(turned[0], turned[-1] + 1)) and rot.count(0) == pages - len(turned), rot)
    check("landscape: every sheet A4 portrait", len(sizes) == pages and all(
        abs(w - 595.28) < 0.1 and abs(h - 841.89) < 0.1 for w, h in sizes), sizes)
    ours = words(pdf)
    # pdftotext measures a turned page as shown: 841.89 wide, 595.28 high.
    for p in turned:
        on = [w for w in ours if w[0] == p]
        head = [w for w in on if w[5] == "序号"]
        number = [w for w in on if w[5] == str(p)]
        check(f"landscape: page {p}: the header row in the upper part of the turned page (the sheet's left)",
              head and head[0][2] < 0.4 * 595.28, head)
        low = p % 2 == 1
        check(f"landscape: page {p}: the page number at the sheet's foot, {'right' if low else 'left'} end",
              number and number[0][1] < 30 * MM and ((number[0][2] > 595.28 / 2) == low), number)
    lo_pdf = audited_lo("landscape", docx, d, out)
    if lo_pdf:
        lo_pages = pages_of(lo_pdf)
        check(f"landscape: LibreOffice on the same pages ({lo_pages} vs {pages})", lo_pages == pages)
        lo_info = run("pdfinfo", "-f", "1", "-l", str(lo_pages), str(lo_pdf)).stdout
        lo_sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", lo_info)]
        lo_turned = [k + 1 for k, (w, h) in enumerate(lo_sizes) if w > h]
        check("landscape: LibreOffice's landscape pages are the PDF's turned ones", lo_turned == turned, (lo_turned, turned))
        theirs = words(lo_pdf)
        for p in turned:
            a = next((w for w in ours if w[0] == p and w[5] == str(p)), None)
            b = next((w for w in theirs if w[0] == p and w[5] == str(p) and w[1] < 40 * MM), None)
            check(f"landscape: page {p}: LibreOffice's page number within 1.5 mm of the PDF's",
                  a and b and abs(a[1] - b[1]) <= 1.5 * MM and abs(a[2] - b[2]) <= 1.5 * MM, (a, b))
    info = run("sofd", "info", str(ofd))
    check(f"landscape: sofd reads the OFD, {pages} pages", f"Pages: {pages}" in info.stdout, info.stdout + info.stderr[-300:])
    worst = 0.0
    for p in range(pages):
        o = d / f"ofd-{p}.png"
        run("sofd", "render", str(ofd), "-p", str(p), "--dpi", "60", "-o", str(o))
        run("pdftoppm", "-r", "60", "-png", "-f", str(p + 1), "-l", str(p + 1), "-singlefile", str(pdf), str(d / f"pdf-{p}"))
        if not o.exists():
            worst = float("inf")
            continue
        # The OFD's sheet upright; the PDF's page shown turned.
        worst = max(worst, ink_difference(o, d / f"pdf-{p}.png", turned=p + 1 in turned))
    check(f"landscape: sofd draws every page like the PDF (worst {worst:.2f}; a different page scores 1 or more)", worst < 0.3)


def archive_sources():
    """Both samples and the three document kinds (the letter with its seal)."""
    kinds = ROOT / "tests" / "fixtures" / "kinds"
    return [ROOT / "samples" / f"{s}.toml" for s in SAMPLES] + [kinds / f"{k}.toml" for k in ("notice", "minutes", "letter")]


def archive_renders(binary, out, env, flag):
    """Both samples and the three document kinds (the letter with its seal)
    rendered with --FLAG into OUT/FLAG."""
    d = out / flag
    d.mkdir(exist_ok=True)
    sources = archive_sources()
    r = run(str(binary), "render", *map(str, sources), "-o", str(d), f"--{flag}", env=env)
    check(f"render the samples and the kinds with --{flag}", r.returncode == 0, r.stderr[-300:])
    return d, sources


def ink_difference(drawn, pdf_png, turned=False):
    """How far a page drawn by another reader is from the PDF's page drawn
    by pdftoppm: their difference after a slight blur, as a share of the
    PDF page's ink. The same page scores about 0.1-0.2, a different page 1
    or more. `turned`: the other drawing is the upright sheet of a page
    the PDF shows turned a quarter clockwise."""
    from PIL import Image, ImageChops, ImageFilter
    a = Image.open(drawn).convert("L")
    if turned:
        a = a.transpose(Image.Transpose.ROTATE_270)
    a = a.filter(ImageFilter.GaussianBlur(2))
    b = Image.open(pdf_png).convert("L").resize(a.size).filter(ImageFilter.GaussianBlur(2))
    ink = sum(255 - v for v in b.tobytes())
    return sum(ImageChops.difference(a, b).tobytes()) / max(ink, 1)


def ofd_checks(binary, out, env):
    """OFD (OFD-A) of the samples and the sealed letter, read by sofd, an
    independent reader: same page count as the PDF, fonts embedded, no
    archival-audit finding but the absent signature list, every page drawn
    by sofd matching gongwen's PDF page drawn by pdftoppm, and the text of
    every page, as the OFD's TextCode holds it, equal to the PDF's."""
    import zipfile
    from collections import Counter
    d, sources = archive_renders(binary, out, env, "ofd")
    for src in sources:
        stem = src.stem
        pdf, ofd = d / f"{stem}.pdf", d / f"{stem}.ofd"
        pages = pages_of(pdf)
        info = run("sofd", "info", str(ofd))
        check(f"{stem}.ofd: sofd reads it, {pages} pages as the PDF", f"Pages: {pages}" in info.stdout, info.stdout + info.stderr[-300:])
        fonts = re.search(r"Embedded fonts: (\d+)", info.stdout)
        check(f"{stem}.ofd: fonts embedded", fonts and int(fonts.group(1)) >= 3, info.stdout)
        audit = run("sofd", "audit", str(ofd))
        findings = [l for l in (audit.stdout + audit.stderr).splitlines() if re.match(r"ARCH-\d+", l)]
        check(f"{stem}.ofd: no archival-audit finding but ARCH-006 (not signed)",
              all(l.startswith("ARCH-006") for l in findings), findings)
        worst = 0.0
        for p in range(pages):
            o = d / f"{stem}-ofd-{p}.png"
            run("sofd", "render", str(ofd), "-p", str(p), "--dpi", "60", "-o", str(o))
            run("pdftoppm", "-r", "60", "-png", "-f", str(p + 1), "-l", str(p + 1), "-singlefile", str(pdf), str(d / f"{stem}-pdf-{p}"))
            worst = max(worst, ink_difference(o, d / f"{stem}-pdf-{p}.png"))
        check(f"{stem}.ofd: every page drawn by sofd matches the PDF's (worst {worst:.2f}; a different page scores 1 or more)", worst < 0.3)
        z = zipfile.ZipFile(ofd)
        ours = []
        for p in range(pages):
            xml = z.read(f"Doc_0/Pages/Page_{p}/Content.xml").decode()
            ours.append("".join(html.unescape(t) for t in re.findall(r"<ofd:TextCode[^>]*>([^<]*)</ofd:TextCode>", xml)))
        # In content order: pdftotext's reading order drops a hyphen that
        # ends a line (a telephone number broken after its area code).
        theirs = run("pdftotext", "-raw", str(pdf), "-").stdout.split("\f")
        # The same characters on each page (reading order differs in tables).
        chars = lambda s: Counter(re.sub(r"\s", "", s))
        same = all(chars(a) == chars(b) for a, b in zip(ours, theirs))
        check(f"{stem}.ofd: every page holds the PDF page's text, as Unicode", same and len(ours) == pages)
        # A second reader, PyPI's ofdkit (its own parser): the same pages,
        # A4, no warnings, each page's text the PDF page's, the DocInfo.
        try:
            import ofdkit
            doc = ofdkit.open(str(ofd))
            texts = [p.text() for p in doc.pages]
            same2 = len(texts) == pages and all(chars(a) == chars(b) for a, b in zip(texts, theirs))
            a4 = all(abs(p.width - 210) < 0.01 and abs(p.height - 297) < 0.01 for p in doc.pages)
            check(f"{stem}.ofd: ofdkit reads {len(texts)} A4 pages without warnings, each with the PDF page's text",
                  same2 and a4 and not doc.warnings and doc.info.creator == "gongwen",
                  (len(texts), a4, doc.warnings[:3]))
        except ImportError:
            check(f"{stem}.ofd: ofdkit is installed (pip install ofdkit)", False)
        # The fonts as OpenType files (GB/T 33190 7.6), read by fontTools:
        # CFF outlines, a width for every glyph, and a character map that
        # covers every character the pages set.
        from fontTools.ttLib import TTFont
        import io
        mapped, bad = set(), []
        for name in z.namelist():
            if name.startswith("Doc_0/Res/font_"):
                try:
                    f = TTFont(io.BytesIO(z.read(name)))
                    ok = f.sfntVersion == "OTTO" and "CFF " in f and len(f["hmtx"].metrics) == f["maxp"].numGlyphs
                    f["CFF "].cff[0].CharStrings  # the program parses
                    mapped |= set(f.getBestCmap() or {})
                except Exception as e:
                    ok = False
                    name += f": {e}"
                if not ok:
                    bad.append(name)
        missing = {c for p in ours for c in re.sub(r"\s", "", p) if ord(c) not in mapped}
        check(f"{stem}.ofd: fonts are OpenType (CFF), every character of the pages in their cmaps",
              not bad and not missing, (bad, sorted(missing)[:10]))
    # An address part that starts a line: sofd 0.6.1's search fails on a
    # match a few bytes after a Chinese character.
    words = [m.group(0) for l in run("pdftotext", str(d / "letter.pdf"), "-").stdout.splitlines()
             if (m := re.match(r"[A-Za-z][\w.@-]{5,}", l.lstrip("\f")))]
    found = run("sofd", "search", str(d / "letter.ofd"), words[0]) if words else None
    check(f"letter.ofd: sofd search finds the address part {words[:1]}",
          found is not None and words[0] in found.stdout, found and found.stdout + found.stderr[-200:])
    a = d / "again"
    run(str(binary), "render", str(sources[0]), "-o", str(a), "--ofd", env=env)
    check("OFD re-render is byte-identical", (a / f"{sources[0].stem}.ofd").read_bytes() == (d / f"{sources[0].stem}.ofd").read_bytes())


def der_items(b, at=0, end=None):
    """The (tag, content start, content end) of each DER value in b[at:end]."""
    end = len(b) if end is None else end
    out = []
    while at < end:
        tag, n = b[at], b[at + 1]
        at += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(b[at:at + k], "big")
            at += k
        out.append((tag, at, at + n))
        at += n
    return out


def signed_ofd_checks(binary, out, env):
    """OFDs signed with the test key (GB/T 33190 clause 18, SM2/SM3, the
    signed value a GB/T 35275 SignedData): sofd's archival audit has no
    finding at all; every file but the signature's own is referenced with
    its SM3 digest (hashlib's SM3, OpenSSL's); OpenSSL verifies the SM2
    proof over Signature.xml with the key of the certificate the SignedData
    carries; sofd checks the digests (it does not read a 35275 proof) and
    reports a changed digit on a page as tampering; the same bytes on a
    second render."""
    import hashlib, subprocess, zipfile
    d = out / "signed"
    d.mkdir(exist_ok=True)
    sources = archive_sources()
    key, cert = ROOT / "samples" / "sign" / "test-key.pem", ROOT / "samples" / "sign" / "test-cert.pem"
    sign = ["--ofd", "--sign-key", str(key), "--sign-cert", str(cert)]
    r = run(str(binary), "render", *map(str, sources), "-o", str(d), "--pdf-only", *sign, env=env)
    check("render the samples and the kinds with --ofd --sign-key --sign-cert", r.returncode == 0, r.stderr[-300:])
    own = {"Doc_0/Signs/Signatures.xml", "Doc_0/Signs/Sign_0/Signature.xml", "Doc_0/Signs/Sign_0/SignedValue.dat"}
    cert_der = subprocess.run(["openssl", "x509", "-in", str(cert), "-outform", "DER"], capture_output=True).stdout
    for src in sources:
        stem = src.stem
        ofd = d / f"{stem}.ofd"
        audit = run("sofd", "audit", str(ofd))
        findings = [l for l in (audit.stdout + audit.stderr).splitlines() if re.match(r"ARCH-\d+", l)]
        check(f"{stem}.ofd (signed): sofd audit has no archival finding", audit.returncode == 0 and not findings,
              findings or audit.stdout + audit.stderr[-200:])
        z = zipfile.ZipFile(ofd)
        names = z.namelist()
        desc = z.read("Doc_0/Signs/Sign_0/Signature.xml")
        refs = re.findall(r'<ofd:Reference FileRef="/([^"]+)"><ofd:CheckValue>([^<]+)</ofd:CheckValue>', desc.decode())
        digests_ok = all(base64.b64decode(v) == hashlib.new("sm3", z.read(n)).digest() for n, v in refs)
        check(f"{stem}.ofd (signed): all {len(refs)} files but the signature's own referenced, each SM3 digest right",
              digests_ok and sorted(n for n, _ in refs) == sorted(set(names) - own) and b"CheckMethod=\"1.2.156.10197.1.401\"" in desc)
        # ContentInfo { OID, [0] SignedData { version, digests, content,
        # [0] certificates, signerInfos { SignerInfo { ..., signature } } } }
        v = z.read("Doc_0/Signs/Sign_0/SignedValue.dat")
        (_, a, e), = der_items(v)
        oid, body = der_items(v, a, e)
        (_, a, e), = der_items(v, body[1], body[2])
        parts = der_items(v, a, e)
        certs = [t for t in parts if t[0] == 0xA0]
        carried = v[certs[0][1]:certs[0][2]] if certs else b""
        (_, a, e), = der_items(v, parts[-1][1], parts[-1][2])
        sig = der_items(v, a, e)[-1]
        w = d / f"{stem}-sign"
        w.mkdir(exist_ok=True)
        (w / "Signature.xml").write_bytes(desc)
        (w / "sig.der").write_bytes(v[sig[1]:sig[2]])
        (w / "cert.der").write_bytes(carried)
        pub = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", str(w / "cert.der"), "-pubkey", "-noout"], capture_output=True, text=True).stdout
        (w / "pub.pem").write_text(pub)
        ver = run("openssl", "dgst", "-sm3", "-verify", str(w / "pub.pem"), "-sigopt", "distid:1234567812345678",
                  "-signature", str(w / "sig.der"), str(w / "Signature.xml"))
        check(f"{stem}.ofd (signed): OpenSSL verifies the SM2 proof over Signature.xml with the carried certificate",
              v[oid[1]:oid[2]] == bytes.fromhex("2a811ccf5506010402 02".replace(" ", "")) and carried == cert_der
              and "Verified OK" in ver.stdout, ver.stdout + ver.stderr[-200:])
        sv = run("sofd", "verify", str(ofd))
        covers = re.search(r"covers (\d+) files, with (\d+) files? outside", sv.stdout)
        check(f"{stem}.ofd (signed): sofd finds every digest right (it cannot read a GB/T 35275 proof: Unverified)",
              "Unverified" in sv.stdout and covers and int(covers.group(1)) == len(refs) and covers.group(2) == "1",
              sv.stdout + sv.stderr[-200:])
    # One digit changed on page 1: the digests no longer match.
    stem = sources[0].stem
    z = zipfile.ZipFile(d / f"{stem}.ofd")
    bad = d / f"{stem}-changed.ofd"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as o:
        for n in z.namelist():
            data = z.read(n)
            if n == "Doc_0/Pages/Page_0/Content.xml":
                data = re.sub(r"(<ofd:TextCode[^>]*>[^<]*?)(\d)", lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10),
                              data.decode(), count=1).encode()
            o.writestr(n, data)
    sv = run("sofd", "verify", str(bad))
    check(f"{stem}.ofd with one digit changed on page 1: sofd reports tampering",
          sv.returncode != 0 and "tamper" in (sv.stdout + sv.stderr), sv.stdout + sv.stderr[-200:])
    a = d / "again"
    run(str(binary), "render", str(sources[0]), "-o", str(a), "--pdf-only", *sign, env=env)
    check("signed OFD re-render is byte-identical", (a / f"{stem}.ofd").read_bytes() == (d / f"{stem}.ofd").read_bytes())


def pdfa_checks(binary, out, env):
    """PDF/A-2b clauses checked one by one (no veraPDF here): the XMP claim
    and its agreement with the Info dictionary (6.6.2, 6.6.3), the sRGB
    output intent whose ICC profile LittleCMS reads (6.2.3), the file ID
    (6.1.3), the header (6.1.2), no encryption (6.1.3), every font embedded
    with a ToUnicode map (6.2.11.4, 6.2.11.7) and no font resource whose
    widths differ from its program (6.2.11.5: no half-width twin)."""
    import io, json
    from PIL import ImageCms
    d, sources = archive_renders(binary, out, env, "pdfa")
    for src in sources:
        pdf = d / f"{src.stem}.pdf"
        name = f"{src.stem} PDF/A"
        raw = pdf.read_bytes()
        check(f"{name}: header %PDF-1.7 and a binary comment (6.1.2)", raw.startswith(b"%PDF-1.7\n%") and all(b > 127 for b in raw[10:14]))
        qc = run("qpdf", "--check", str(pdf))
        check(f"{name}: qpdf finds no damage, no encryption (6.1.3)", qc.returncode == 0 and "not encrypted" in qc.stdout and "WARNING" not in qc.stdout + qc.stderr, qc.stdout[-300:] + qc.stderr[-300:])
        meta = run("pdfinfo", "-meta", str(pdf)).stdout
        check(f"{name}: XMP claims part 2, conformance B (6.6.2)", "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta)
        info = run("pdfinfo", str(pdf)).stdout
        title = re.search(r"^Title:\s+(.*)$", info, re.M)
        author = re.search(r"^Author:\s+(.*)$", info, re.M)
        check(f"{name}: XMP title and creator agree with the Info dictionary (6.6.3)",
              title and author and f">{html.escape(title.group(1), quote=False)}</rdf:li>" in meta and f"<rdf:li>{html.escape(author.group(1), quote=False)}</rdf:li>" in meta)
        objects = json.loads(run("qpdf", "--json=2", "--json-key=qpdf", str(pdf)).stdout)["qpdf"][1]
        value = lambda ref: (objects.get(f"obj:{ref}") or {}).get("value")
        trailer = value("trailer") or objects.get("trailer", {}).get("value", {})
        check(f"{name}: a file ID (6.1.3)", "/ID" in trailer, str(trailer)[:200])
        catalog = value(trailer.get("/Root", "")) or {}
        intents = catalog.get("/OutputIntents", [])
        intent = value(intents[0]) if intents and isinstance(intents[0], str) else (intents[0] if intents else None)
        ok = bool(intent) and intent.get("/S") == "/GTS_PDFA1"
        check(f"{name}: an sRGB output intent GTS_PDFA1 (6.2.3)", ok, str(intents)[:300])
        check(f"{name}: the catalog names the XMP stream (6.6.2.1)", f"obj:{catalog.get('/Metadata')}" in objects, catalog.get("/Metadata"))
        if ok:
            ref = intent["/DestOutputProfile"].split()[0]
            icc = subprocess.run(["qpdf", f"--show-object={ref}", "--filtered-stream-data", str(pdf)], capture_output=True).stdout
            try:
                desc = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
            except Exception as e:
                desc = f"unreadable: {e}"
            check(f"{name}: LittleCMS reads the output profile ({desc.strip()})", desc.startswith("sRGB"), desc)
        fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
        check(f"{name}: every font embedded, subset, with ToUnicode (6.2.11.4, 6.2.11.7)", fonts and all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
        check(f"{name}: one font resource a face, no half-width twin (6.2.11.5)", b"/F0n" not in raw and b"/F1n" not in raw and b"/F2n" not in raw and b"/F3n" not in raw and b"/F4n" not in raw)
        text = run("pdftotext", str(pdf), "-").stdout
        plain = run("pdftotext", str(out / f"{src.stem}.pdf"), "-").stdout if (out / f"{src.stem}.pdf").exists() else None
        check(f"{name}: the text extracts", len(text) > 200 and (plain is None or re.sub(r"\s", "", text).count("。") == re.sub(r"\s", "", plain).count("。")))


def main():
    import tomllib
    binary, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")
    r = run(str(binary), "render", *[str(ROOT / "samples" / f"{s}.toml") for s in SAMPLES], "-o", str(out), env=env)
    check("render both samples", r.returncode == 0, r.stderr)
    seed = next((ROOT.parent / "shared" / "seeds").glob("*.txt"), None)
    for stem in SAMPLES:
        pdf, docx = out / f"{stem}.pdf", out / f"{stem}.docx"
        data = tomllib.loads((ROOT / "samples" / f"{stem}.toml").read_text())
        text = pdf_checks(stem, pdf, data)
        check(f"{stem}: table 三 read back row by row", table3_rows(text, data))
        pages = text.split("\f")
        pdf_pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)).stdout).group(1))
        if stem == "zhanlang-2020" and seed:
            flat = re.sub(r"—\d+—", "", re.sub(r"\s", "", run("pdftotext", str(pdf), "-").stdout))
            prose = [l for l in seed.read_text().splitlines() if not l.startswith("\t")]
            sentences = [s for l in prose for s in re.split(r"[。；：]", l) if len(re.sub(r"\s", "", s)) > 4]
            # The seed's title line is cut short; the data file has the full title.
            missing = [s.strip() for s in sentences if re.sub(r"\s", "", s) not in flat]
            check(f"{stem}: every sentence of the seed is in the PDF", not missing, missing[:3])
        docx_checks(stem, docx, pdf_pages)
        libreoffice(stem, docx, out, pdf_pages, pages)
        png_checks(stem, pdf, out)
    reports = [(stem, out / f"{stem}.pdf", out / f"{stem}.docx") for stem in SAMPLES]
    r = run(str(binary), "render", *[str(ROOT / "tests" / "fixtures" / "reports" / f"{s}.toml") for s in LONG_REPORTS],
            "-o", str(out), env=env)
    check("render the long reports", r.returncode == 0, r.stderr[-300:])
    for stem in LONG_REPORTS:
        pdf, docx = out / f"{stem}.pdf", out / f"{stem}.docx"
        data = ROOT / "tests" / "fixtures" / "reports" / f"{stem}.toml"
        n = pages_of(pdf)
        check(f"{stem}: 8 pages or more ({n})", n >= 8)
        pdf_checks(stem, pdf, tomllib.loads(data.read_text()))
        page_checks(stem, binary, [str(data)], pdf)
        audit = run("openxml-audit", str(docx))
        check(f"{stem}: openxml-audit 0 errors", "Errors: 0" in audit.stdout, audit.stdout[-500:])
        png_checks(stem, pdf, out)
        reports.append((stem, pdf, docx))
    for stem in SAMPLES:
        data = ROOT / "samples" / f"{stem}.toml"
        page_checks(stem, binary, [str(data)], out / f"{stem}.pdf")
    agreement(reports, out)
    layout_fixtures(binary, out, env)
    high_cid_checks(binary, out, env)
    seed_pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(out / "zhanlang-2020.pdf")).stdout).group(1))
    embed_checks(binary, out, env, seed_pages)
    schema_checks(binary, out, env)
    kinds_checks(binary, out, env)
    landscape_checks(binary, out, env)
    ofd_checks(binary, out, env)
    signed_ofd_checks(binary, out, env)
    pdfa_checks(binary, out, env)
    import desk
    desk.run(binary, out, check, env)
    import district
    district.run(binary, out, check, env)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
