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


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1600,1100", "--lang=zh-CN"]:
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
    d.find_element(By.CSS_SELECTOR, 'button[data-append="other"][data-kind="text"]').click()
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
