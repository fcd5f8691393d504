"""Browser tests of `gongwen serve --district` in headless Chromium: a
unit's clerk logs in, fills and saves, restores an earlier version (the
file byte-identical to that save) and submits; another unit's report
cannot be opened by URL; the 公开办, in a browser of its own, sees the
state change, sends the report back with a comment, the clerk sees the
comment, fixes and resubmits; the 公开办 passes it and sums the passed
units into the district's file."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from desk import browser, wait  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "qinghe-market-2025.toml"
PASSWORD = "correct horse 42"


def add_user(binary, folder, env, *args):
    subprocess.run([str(binary), "user", "add", "--district", str(folder), *args, "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)


def login(d, base, name):
    from selenium.webdriver.common.by import By
    d.get(base)
    wait(lambda: d.find_element(By.ID, "login"))
    d.find_element(By.NAME, "name").send_keys(name)
    d.find_element(By.NAME, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "#login button").click()
    return wait(lambda: "/login" not in d.current_url)


def body(d):
    return d.find_element("tag name", "body").text


def save_agency(d, base, value, report):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    d.get(base + "edit/report.toml")
    field = wait(lambda: d.find_element(By.NAME, "agency"))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(value)
    d.find_element(By.ID, "save").click()
    # The file itself: the page's message may be overwritten at once by
    # the check that the typing started.
    return wait(lambda: f'agency = "{value}"' in report.read_text())


def unit_state(d, unit):
    from selenium.webdriver.common.by import By
    row = d.find_element(By.CSS_SELECTOR, f'tr[data-unit="{unit}"]')
    return row.find_element(By.CSS_SELECTOR, ".unit-state").text


def run(binary, out, check, env):
    try:
        import selenium  # noqa: F401
    except ImportError:
        check("district: selenium is installed (pip install selenium)", False)
        return
    folder = out / "district"
    shutil.rmtree(folder, ignore_errors=True)
    for unit in ["甲街道", "乙局"]:
        (folder / unit).mkdir(parents=True)
        shutil.copy(ROOT / "samples" / SAMPLE, folder / unit / "report.toml")
    add_user(binary, folder, env, "alice", "--unit", "甲街道")
    add_user(binary, folder, env, "gkb", "--office")
    server = subprocess.Popen([str(binary), "serve", "--district", str(folder), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = server.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)\s*$", line)
        check("district: serve --district prints an address without a token", m is not None, line)
        if not m:
            return
        base = m.group(1)
        clerk, office = browser(), browser()
        try:
            steps(clerk, office, base, folder, check)
        finally:
            clerk.quit()
            office.quit()
    finally:
        server.terminate()
        server.wait(10)


def steps(clerk, office, base, folder, check):
    from selenium.webdriver.common.by import By
    report = folder / "甲街道" / "report.toml"
    check("district: the clerk logs in and sees the unit's bar",
          login(clerk, base, "alice") and "alice（甲街道）" in body(clerk), body(clerk)[:300])
    check("district: a save from the form", save_agency(clerk, base, "甲街道办事处", report))
    first = report.read_bytes()
    check("district: a second save", save_agency(clerk, base, "甲街道办事处（二稿）", report))
    clerk.get(base + "history")
    rows = clerk.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    check("district: the history lists both saves with the changed key",
          len(rows) == 2 and all("agency" in r.text for r in rows), [r.text for r in rows])
    rows[-1].find_element(By.CSS_SELECTOR, "button.restore").click()
    wait(lambda: "/edit/" in clerk.current_url)
    check("district: a restored version is byte-identical to that save", report.read_bytes() == first)

    clerk.get(base + "edit/..%2F乙局%2Freport.toml")
    check("district: another unit's report is refused by URL",
          "只能打开本目录中的数据文件" in body(clerk), body(clerk)[:200])
    clerk.get(base + "office/view/%E4%B9%99%E5%B1%80")
    check("district: the office's pages are refused to a clerk", "只有公开办" in body(clerk), body(clerk)[:200])

    clerk.get(base)
    clerk.find_element(By.ID, "submit-report").click()
    check("district: the clerk submits", wait(lambda: "已提交" in clerk.find_element(By.ID, "unit-state").text))

    check("district: the office logs in", login(office, base, "gkb") and "公文台 · 公开办" in body(office))
    office.get(base)
    check("district: the office sees 已提交", unit_state(office, "甲街道") == "已提交", unit_state(office, "甲街道"))
    check("district: and 乙局 not begun or being filled", unit_state(office, "乙局") in ("填写中", "未开始"))
    row = office.find_element(By.CSS_SELECTOR, 'tr[data-unit="甲街道"]')
    row.find_element(By.NAME, "comment").send_keys("表三请核对")
    row.find_element(By.CSS_SELECTOR, "form.return button").click()
    check("district: sent back", wait(lambda: unit_state(office, "甲街道").startswith("已退回")))

    clerk.get(base)
    check("district: the clerk sees the comment",
          "公开办退回意见：表三请核对" in body(clerk), body(clerk)[:300])
    check("district: the clerk fixes", save_agency(clerk, base, "甲街道办事处（改）", report))
    clerk.get(base)
    clerk.find_element(By.ID, "submit-report").click()
    check("district: and resubmits", wait(lambda: "已提交" in clerk.find_element(By.ID, "unit-state").text))

    office.get(base)
    office.find_element(By.CSS_SELECTOR, 'tr[data-unit="甲街道"] form.pass button').click()
    check("district: passed", wait(lambda: unit_state(office, "甲街道") == "已通过"))
    office.find_element(By.CSS_SELECTOR, "#sum input[name=agency]").send_keys("青溪区人民政府")
    office.find_element(By.CSS_SELECTOR, "#sum button").click()
    summed = folder / "汇总.toml"
    check("district: 汇总 writes the passed unit's sum",
          wait(lambda: summed.exists() and "汇总自 1 个单位" in summed.read_text()))


if __name__ == "__main__":
    failed = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"  {detail}"))
        if not ok:
            failed.append(name)

    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    run(Path(sys.argv[1]), out, check, None)
    sys.exit(1 if failed else 0)
