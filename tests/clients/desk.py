"""Browser tests of `gongwen serve` in headless Chromium (selenium and
chromium-driver): the folder's list, the official form of a report, a
broken 勾稽 cell marked with its message and cleared when fixed, the page
preview, saving (the file on disk compared: comments and layout kept), a
stale save from a second tab refused, and the PDF downloaded through the
page equal to `gongwen render`'s."""

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "qinghe-market-2025.toml"


def browser(size="1600,1100"):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--window-size={size}", "--lang=zh-CN"]:
        o.add_argument(a)
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver), options=o)


def wait(what, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = what()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.1)
    return None


def run(binary, out, check, env):
    try:
        import selenium  # noqa: F401
    except ImportError:
        check("desk: selenium is installed (pip install selenium)", False)
        return
    folder = out / "desk"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "samples" / SAMPLE, folder / SAMPLE)
    original = (folder / SAMPLE).read_text()
    server = subprocess.Popen([str(binary), "serve", str(folder), "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = server.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=[0-9a-f]{32}", line)
        check("desk: gongwen serve starts and prints its link with the token", m is not None, line)
        if not m:
            return
        base = m.group(1)
        d = browser()
        try:
            d.get(base)
            check("desk: without the link's token the desk says how to open it",
                  "需要访问令牌" in d.find_element("tag name", "body").text)
            # The printed link, as --open opens it: the token becomes a cookie.
            d.get(m.group(0))
            check("desk: the printed link opens the list and drops the token from the address",
                  d.current_url == base, d.current_url)
            steps(d, base, folder, original, binary, out, check, env)
        finally:
            d.quit()
    finally:
        server.terminate()
        server.wait(10)
    kinds(binary, out, check, env)


def steps(d, base, folder, original, binary, out, check, env):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d.get(base)
    row = wait(lambda: d.find_element(By.CSS_SELECTOR, f'tr[data-file="{SAMPLE}"]'))
    check("desk: the folder's list shows the sample as 通过", row is not None and "通过" in row.text,
          row.text if row else None)
    # 新建年度报告 from the list page: the file made as `gongwen new` makes
    # it, and its form opened.
    form = d.find_element(By.ID, "new-report")
    form.find_element(By.NAME, "agency").send_keys("青溪区某某街道办事处")
    form.find_element(By.NAME, "year").send_keys("2025")
    form.find_element(By.NAME, "file").send_keys("某某街道-2025")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(lambda: "/edit/" in d.current_url)
    agency = wait(lambda: d.find_element(By.NAME, "agency").get_attribute("value"))
    made = folder / "某某街道-2025.toml"
    check("desk: 新建年度报告 writes the data file and opens its form",
          agency == "青溪区某某街道办事处" and made.exists()
          and 'agency = "青溪区某某街道办事处"' in made.read_text(), agency)
    d.get(base)
    wait(lambda: d.find_element(By.LINK_TEXT, SAMPLE))
    d.find_element(By.LINK_TEXT, SAMPLE).click()
    state = lambda: d.find_element(By.ID, "state").text
    check("desk: the form opens and its first check passes", wait(lambda: state() == "通过") is not None, state())
    pages = wait(lambda: len(d.find_elements(By.CSS_SELECTOR, "#preview svg.page")))
    pdf_pages = 5
    check(f"desk: the preview shows the report's {pdf_pages} pages", pages == pdf_pages, pages)
    text = d.find_element(By.ID, "preview").text
    check("desk: the preview's text is the report's", "青禾区市场监督管理局" in text and "一、总体情况" in text)

    cell = d.find_element(By.NAME, "applications.new.0")
    check("desk: inputs are named by the data file's key path (applications.new.0 = 46)",
          cell.get_attribute("value") == "46", cell.get_attribute("value"))
    total = lambda: d.find_element(By.CSS_SELECTOR, 'output[data-computed="applications.new.6"]').text
    check("desk: computed totals shown read-only (一、本年新收 总计 62)", wait(lambda: total() == "62") is not None,
          total())
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys("47")
    marked = wait(lambda: "bad" in cell.get_attribute("class").split())
    message = cell.get_attribute("title") or ""
    check("desk: a broken 勾稽 cell is marked with its message (C1)", marked and "（C1）" in message, message)
    items = d.find_elements(By.CSS_SELECTOR, "#problems li.bad")
    check("desk: the message is in the list, naming the cell",
          any("（C1）" in i.text and i.get_attribute("data-field") == "applications.new.0" for i in items),
          [i.text[:60] for i in items])
    check("desk: the total follows the typed number (63)", wait(lambda: total() == "63") is not None, total())
    check("desk: the state says 1 个错误", wait(lambda: state() == "1 个错误") is not None, state())
    d.save_screenshot(str(out / "desk-error.png"))
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys("46")
    cleared = wait(lambda: "bad" not in cell.get_attribute("class").split() and state() == "通过")
    check("desk: fixing the cell clears the mark", cleared is not None, cell.get_attribute("class"))

    # Save a real change.
    lic = d.find_element(By.NAME, "active.licensing")
    lic.send_keys(Keys.CONTROL, "a")
    lic.send_keys("１２９０")  # typed with an input method's full-width digits
    wait(lambda: d.find_element(By.ID, "message").text == "有未保存的修改")
    d.find_element(By.ID, "save").click()
    saved = wait(lambda: d.find_element(By.ID, "message").text == "已保存")
    on_disk = (folder / SAMPLE).read_text()
    want = original.replace("licensing = 1286                   #", "licensing = 1290                   #")
    check("desk: 保存 writes the file, comments and layout kept, only the number changed",
          saved is not None and on_disk == want and want != original,
          [l for l in on_disk.splitlines() if "licensing" in l])

    # A second tab saves; this tab's version is then stale.
    first = d.current_window_handle
    d.switch_to.new_window("tab")
    d.get(f"{base}edit/{SAMPLE}")
    wait(lambda: state() == "通过")
    pen = d.find_element(By.NAME, "active.penalty")
    pen.send_keys(Keys.CONTROL, "a")
    pen.send_keys("343")
    d.find_element(By.ID, "save").click()
    wait(lambda: d.find_element(By.ID, "message").text == "已保存")
    after_second = (folder / SAMPLE).read_text()
    d.switch_to.window(first)
    enf = d.find_element(By.NAME, "active.enforcement")
    enf.send_keys(Keys.CONTROL, "a")
    enf.send_keys("18")
    d.find_element(By.ID, "save").click()
    refused = wait(lambda: "已被修改" in d.find_element(By.ID, "message").text)
    check("desk: a save from a stale tab is refused with a message, the file left as the other tab saved it",
          refused is not None and (folder / SAMPLE).read_text() == after_second
          and "penalty = 343" in after_second, d.find_element(By.ID, "message").text)

    # A paragraph added to 六、其他需要报告的事项, written, then removed.
    d.get(f"{base}edit/{SAMPLE}")
    wait(lambda: d.find_elements(By.CSS_SELECTOR, "#preview svg.page"))
    before = (folder / SAMPLE).read_text()
    n = len(d.find_elements(By.CSS_SELECTOR, 'textarea[name^="other."]'))
    d.find_element(By.CSS_SELECTOR, '.tools button[data-append="other"][data-kind="text"]').click()
    added = wait(lambda: d.find_element(By.NAME, f"other.{n}"))
    check("desk: 添加段落 adds a paragraph with a placeholder the check warns about",
          added is not None and "在此填写" in added.get_attribute("value")
          and "在此填写：本段内容" in (folder / SAMPLE).read_text()
          and wait(lambda: "在此填写" in d.find_element(By.ID, "problems").text) is not None)
    added.send_keys(Keys.CONTROL, "a")
    added.send_keys("3.本年度未发生政府信息公开工作责任追究情况。")
    d.find_element(By.ID, "save").click()
    wait(lambda: d.find_element(By.ID, "message").text == "已保存")
    written = (folder / SAMPLE).read_text()
    check("desk: the new paragraph is saved as the section's last string",
          "  \"3.本年度未发生政府信息公开工作责任追究情况。\",\n]" in written, written[-400:])
    d.find_element(By.CSS_SELECTOR, f'button[data-remove="other.{n}"]').click()
    d.switch_to.alert.accept()
    wait(lambda: not d.find_elements(By.NAME, f"other.{n}"))
    check("desk: 删除本段 removes it, the file as before", (folder / SAMPLE).read_text() == before)

    # Download the PDF through the page: the same bytes as gongwen render.
    digest = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/download/' + encodeURIComponent(arguments[0]) + '.pdf')"
        ".then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))"
        ".then(h => done(Array.from(new Uint8Array(h)).map(x => x.toString(16).padStart(2, '0')).join('')))"
        ".catch(e => done('error ' + e));", SAMPLE)
    rendered = out / "desk-render"
    subprocess.run([str(binary), "render", str(folder / SAMPLE), "-o", str(rendered), "--pdf-only"],
                   env=env, capture_output=True)
    pdf = rendered / SAMPLE.replace(".toml", ".pdf")
    want = hashlib.sha256(pdf.read_bytes()).hexdigest() if pdf.exists() else None
    check("desk: 下载 PDF gives the same bytes as gongwen render of the saved file", digest == want, digest)

    d.get(f"{base}edit/{SAMPLE}")
    wait(lambda: d.find_elements(By.CSS_SELECTOR, "#preview svg.page"))
    d.save_screenshot(str(out / "desk-form.png"))
    if os.environ.get("BLESS"):
        shots = ROOT / "samples" / "screenshots"
        shots.mkdir(exist_ok=True)
        from PIL import Image
        for name in ["desk-form.png", "desk-error.png"]:
            im = Image.open(out / name).convert("RGB")
            im = im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.LANCZOS)
            im.quantize(colors=128).save(shots / name, optimize=True)


KINDS = ["notice", "letter", "minutes"]


def start(binary, folder, env):
    server = subprocess.Popen([str(binary), "serve", str(folder), "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env=env)
    m = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=[0-9a-f]{32}", server.stdout.readline())
    return server, m


def shown(d):
    """Every named control of the form as the page's script sends it."""
    return d.execute_script(
        "const out = {};"
        "for (const el of document.querySelectorAll('#report [name]')) {"
        "  out[el.name] = el.type === 'checkbox' ? String(el.checked) : el.value; }"
        "return out;")


def leaves(v, path=""):
    import datetime
    if isinstance(v, dict):
        items = v.items()
    elif isinstance(v, list):
        items = ((str(i), x) for i, x in enumerate(v))
    else:
        if isinstance(v, bool):
            return {path: "true" if v else "false"}
        if isinstance(v, (datetime.date, datetime.datetime)):
            return {path: v.isoformat()}
        return {path: str(v)}
    out = {}
    for k, x in items:
        out.update(leaves(x, f"{path}.{k}" if path else k))
    return out


def kinds(binary, out, check, env):
    """通知, 函 and 纪要 in a 1366×768 window: every value of the file shown
    in its field, a save without changes byte-identical, a heading, a 小标题
    and an annex paragraph typed into and saved alone, a new 函 made from
    the list page; the 0→15 case in a report's table; a key written as a
    tag shown as text; the one error listed first and in view."""
    import tomllib
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    folder = out / "desk-kinds"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    fixtures = ROOT / "tests" / "fixtures" / "kinds"
    for k in KINDS:
        shutil.copy(fixtures / f"{k}.toml", folder / f"{k}.toml")
    shutil.copy(fixtures / "seal.png", folder / "seal.png")
    shutil.copy(ROOT / "samples" / SAMPLE, folder / SAMPLE)
    server, m = start(binary, folder, env)
    try:
        check("desk (kinds): gongwen serve starts", m is not None)
        if not m:
            return
        base = m.group(1)
        d = browser("1366,768")
        try:
            d.get(m.group(0))
            state = lambda: d.find_element(By.ID, "state").text
            message = lambda: d.find_element(By.ID, "message").text
            for k in KINDS:
                path = folder / f"{k}.toml"
                original = path.read_bytes()
                d.get(f"{base}edit/{k}.toml")
                wait(lambda: state() != "核对中…")
                values = {p: v for p, v in leaves(tomllib.loads(original.decode())).items() if p != "template"}
                fields = shown(d)
                missing = [p for p, v in values.items() if fields.get(p) != v]
                check(f"desk (kinds): every value of the {k} file is shown in its field", not missing,
                      [(p, values[p][:30], (fields.get(p) or "")[:30]) for p in missing[:5]])
                d.find_element(By.ID, "save").click()
                wait(lambda: message() == "已保存")
                check(f"desk (kinds): saving the {k} form unchanged leaves the file byte-identical",
                      path.read_bytes() == original, message())
                # One paragraph of each shape, typed into and saved alone.
                targets = [n for n in fields if re.fullmatch(r"body\.\d+\.(heading|lead)", n)]
                targets = targets[:1] + [n for n in targets if n.endswith("lead")][:1]
                targets += [n for n in fields if re.fullmatch(r"annexes\.\d+\.body\.\d+(\.text)?", n)][:1]
                for name in targets:
                    d.get(f"{base}edit/{k}.toml")
                    wait(lambda: state() != "核对中…")
                    before = path.read_text()
                    el = d.find_element(By.NAME, name)
                    el.send_keys(Keys.END, "（改）")
                    wait(lambda: message() == "有未保存的修改")
                    d.find_element(By.ID, "save").click()
                    wait(lambda: message() == "已保存")
                    after = path.read_text()
                    want = dict(values)
                    want[name] = values[name] + "（改）"
                    got = {p: v for p, v in leaves(tomllib.loads(after)).items() if p != "template"}
                    changed = [a for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
                    check(f"desk (kinds): {k} {name} typed into and saved, nothing else changed",
                          got == want and len(changed) == 1, changed)
                    path.write_bytes(original)

            # Paragraphs moved, an annex added and removed, through the buttons.
            letter = folder / "letter.toml"
            original = letter.read_text()
            body = tomllib.loads(original)["body"]
            d.get(f"{base}edit/letter.toml")
            wait(lambda: state() != "核对中…")
            d.find_element(By.CSS_SELECTOR, 'button[data-shift="body.0"][data-by="1"]').click()
            moved = wait(lambda: tomllib.loads(letter.read_text())["body"][:2] == [body[1], body[0]])
            after = letter.read_text()
            check("desk (kinds): 下移 swaps a paragraph with the next, every line kept in place",
                  moved and tomllib.loads(after)["body"][2:] == body[2:]
                  and len(after.splitlines()) == len(original.splitlines()), after[:600])
            letter.write_text(original, encoding="utf-8")
            d.get(f"{base}edit/letter.toml")
            wait(lambda: state() != "核对中…")
            n = len(tomllib.loads(original)["annexes"])
            d.find_element(By.CSS_SELECTOR, '.tools button[data-append="annexes"]').click()
            added = wait(lambda: d.find_elements(By.NAME, f"annexes.{n}.title"))
            annexes = tomllib.loads(letter.read_text())["annexes"]
            check("desk (kinds): 添加一项 adds an annex with a title and a paragraph to fill in",
                  added and len(annexes) == n + 1 and "在此填写" in annexes[n]["title"]
                  and "在此填写" in annexes[n]["body"][0], annexes[-1])
            d.find_element(By.CSS_SELECTOR, f'button[data-remove="annexes.{n}"]').click()
            d.switch_to.alert.accept()
            wait(lambda: not d.find_elements(By.NAME, f"annexes.{n}.title"))
            check("desk (kinds): removing the new annex leaves the file as it was", letter.read_text() == original)

            # A table in an annex: a cell typed into, a row added and removed.
            shutil.copy(fixtures / "letter-tables.toml", folder / "letter-tables.toml")
            tables = folder / "letter-tables.toml"
            original = tables.read_text()
            grid = "annexes.1.body.0.table.rows"
            rows_of = lambda text: tomllib.loads(text)["annexes"][1]["body"][0]["table"]["rows"]
            rows = rows_of(original)
            d.get(f"{base}edit/letter-tables.toml")
            wait(lambda: state() != "核对中…")
            cell = d.find_element(By.NAME, f"{grid}.2.1")
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            cell.send_keys(Keys.CONTROL, "a")
            cell.send_keys("3")
            wait(lambda: message() == "有未保存的修改")
            d.find_element(By.ID, "save").click()
            wait(lambda: message() == "已保存")
            after = tables.read_text()
            got = rows_of(after)
            changed = [a for a, b in zip(original.splitlines(), after.splitlines()) if a != b]
            check("desk (kinds): a table cell typed into and saved, its row's line alone changed",
                  got[2][1] == "3" and got[:2] == rows[:2] and got[2][2:] == rows[2][2:] and got[3:] == rows[3:]
                  and len(changed) == 1, changed)
            n = len(rows)
            d.find_element(By.CSS_SELECTOR, f'button[data-append="{grid}"]').click()
            added = wait(lambda: d.find_elements(By.NAME, f"{grid}.{n}.0"))
            got = rows_of(tables.read_text())
            check("desk (kinds): 添加一行 adds a row with an empty cell for each of the table's columns",
                  added and len(got) == n + 1 and got[n] == ["", "", "", ""], got[-1])
            d.find_element(By.CSS_SELECTOR, f'button[data-remove="{grid}.{n}"]').click()
            d.switch_to.alert.accept()
            wait(lambda: not d.find_elements(By.NAME, f"{grid}.{n}.0"))
            check("desk (kinds): removing that row leaves the file as the cell's save left it",
                  tables.read_text() == after)

            # A seal picture sent from this computer into the folder, then chosen.
            d.get(f"{base}edit/notice.toml")
            wait(lambda: state() != "核对中…")
            notice = folder / "notice.toml"
            before = notice.read_text()
            upload = d.find_element(By.CSS_SELECTOR, 'input[type=file][data-upload="seal"]')
            sent = out / "本单位印章.png"
            shutil.copy(fixtures / "seal.png", sent)
            upload.send_keys(str(sent))
            chosen = wait(lambda: d.find_element(By.NAME, "seal").get_attribute("value") == "本单位印章.png")
            d.find_element(By.ID, "save").click()
            wait(lambda: message() == "已保存")
            after = notice.read_text()
            check("desk (kinds): a seal picture sent from the page is put in the folder and chosen",
                  chosen and (folder / "本单位印章.png").read_bytes() == sent.read_bytes()
                  and 'seal = "本单位印章.png"' in after
                  and tomllib.loads(after) == {**tomllib.loads(before), "seal": "本单位印章.png"}, message())
            notice.write_text(before, encoding="utf-8")

            # The list page makes a 函 and opens its form.
            d.get(base)
            form = wait(lambda: d.find_element(By.ID, "new-document"))
            from selenium.webdriver.support.ui import Select
            Select(form.find_element(By.NAME, "kind")).select_by_value("letter")
            form.find_element(By.NAME, "file").send_keys("商请函")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            opened = wait(lambda: "/edit/" in d.current_url and d.find_elements(By.NAME, "issuer"))
            made = folder / "商请函.toml"
            check("desk (kinds): 新建公文 writes a 函 and opens its form",
                  opened and made.exists() and 'template = "letter"' in made.read_text(), d.current_url)

            # 0 → 15: a click on a cell showing 0 selects it, typing replaces it.
            d.get(f"{base}edit/{SAMPLE}")
            wait(lambda: state() != "核对中…")
            zero = [c for c in d.find_elements(By.CSS_SELECTOR, "input.num") if c.get_attribute("value") == "0"
                    and c.get_attribute("name").startswith("applications.")]
            if zero:
                cell = zero[0]
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
                cell.click()
                cell.send_keys("15")
                check("desk (kinds): clicking a cell showing 0 and typing 15 gives 15",
                      cell.get_attribute("value") == "15", cell.get_attribute("value"))
            else:
                check("desk (kinds): the sample has a cell showing 0", False)

            # One error among warnings: listed first, in view at 1366×768.
            notice = folder / "notice.toml"
            text = notice.read_text()
            d.get(f"{base}edit/notice.toml")
            wait(lambda: state() != "核对中…")
            title = d.find_element(By.NAME, "issuer")
            title.send_keys(Keys.CONTROL, "a")
            title.send_keys(Keys.DELETE)
            wait(lambda: "错误" in state())
            first = wait(lambda: d.find_elements(By.CSS_SELECTOR, "#problems li"))
            in_view = d.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;",
                first[0]) if first else False
            check("desk (kinds): the error is listed above the warnings and in view at 1366×768",
                  first and "bad" in first[0].get_attribute("class") and in_view,
                  [li.text[:40] for li in (first or [])[:3]])
            check("desk (kinds): the error names the form field, not a line of the file",
                  first and "第" not in first[0].text.split("：")[0] and "行" not in first[0].text.split("：")[0],
                  first[0].text[:80] if first else None)
            d.save_screenshot(str(out / "desk-kinds-error.png"))

            # A key written as a tag is shown as text, not made markup.
            (folder / "tagged.toml").write_text(
                text.replace('template = "notice"\n',
                             'template = "notice"\n"<b id=x>键</b>" = "<i id=y>值</i>"\n', 1),
                encoding="utf-8")
            d.get(f"{base}edit/tagged.toml")
            wait(lambda: state() != "核对中…")
            body = d.find_element(By.TAG_NAME, "body").text
            check("desk (kinds): a key written as a tag is text in the page, not markup",
                  not d.find_elements(By.ID, "x") and not d.find_elements(By.ID, "y") and "<b id=x>键</b>" in body)
        finally:
            d.quit()
    finally:
        server.terminate()
        server.wait(10)
