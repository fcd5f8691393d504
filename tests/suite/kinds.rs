//! The GB/T 9704 document kinds, measured on the laid-out pages (the
//! positions the PDF is written from) against the standard's numbers,
//! within 0.5 mm: 发文机关标志 35 mm under the text block's top, the red
//! rule 4 mm under the 发文字号 and as wide as the block, the 版记 rules
//! 0.35/0.25/0.35 mm with the last on the block's lower edge of an even
//! page, and the unnumbered blank page before it when one is needed.

use crate::common;

use std::path::Path;

use gongwen::layout::frame::{Item, Page};

const MM: f32 = 72.0 / 25.4;
const TOP: f32 = 37.0 * MM;
const BOTTOM: f32 = TOP + 225.0 * MM;
const TOLERANCE: f32 = 0.5 * MM;

pub(crate) struct Laid {
    pub(crate) pages: Vec<Page>,
    book: std::sync::Arc<gongwen::font::FontBook>,
}

/// A data file's text laid out as a file of the kinds' fixtures folder
/// (its pictures found there).
pub(crate) fn lay_out(text: &str) -> Laid {
    use gongwen::compile::{compile, Failure, Job, Made};
    let job = Job {
        previous: false,
        ..Job::new(Path::new("tests/fixtures/kinds/x.toml")).text(text)
    };
    let fonts = gongwen::disk::FontDirs::default();
    match compile(&job, &gongwen::disk::Disk, &fonts).value {
        Ok(c) => match c.made {
            Made::Pages(t) => Laid {
                pages: t.laid.pages,
                book: t.book,
            },
            _ => unreachable!("compiled to the pages"),
        },
        Err(Failure::Data(d)) => panic!("{d}"),
        Err(Failure::Typeset(_, d)) => panic!("{d}"),
    }
}

/// Top and bottom edge of the first text run whose text starts with `s`.
fn text_box(l: &Laid, page: usize, s: &str) -> (f32, f32) {
    l.pages[page]
        .items
        .iter()
        .find_map(|i| match i {
            Item::Text(t) if t.text.starts_with(s) => {
                let f = &l.book.faces[t.face];
                Some((
                    t.y - f.ascender / f.units_per_em * t.size,
                    t.y - f.descender / f.units_per_em * t.size,
                ))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no text {s} on page {}", page + 1))
}

/// Every stroked line of a page: (y1, y2, x1, x2, thickness, colour).
#[allow(clippy::type_complexity)]
fn lines(page: &Page) -> Vec<(f32, f32, f32, f32, f32, [u8; 3])> {
    page.items
        .iter()
        .filter_map(|i| match i {
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => Some((*y1, *y2, *x1, *x2, *width, *color)),
            _ => None,
        })
        .collect()
}

/// Horizontal rules of a page: (y, length, thickness, colour).
fn rules(page: &Page) -> Vec<(f32, f32, f32, [u8; 3])> {
    lines(page)
        .into_iter()
        .filter(|l| (l.0 - l.1).abs() < 0.01)
        .map(|(y, _, x1, x2, width, color)| (y, x2 - x1, width, color))
        .collect()
}

pub(crate) fn near(what: &str, actual: f32, expected: f32) {
    assert!(
        (actual - expected).abs() <= TOLERANCE,
        "{what}: {:.2} mm, expected {:.2} mm",
        actual / MM,
        expected / MM
    );
}

fn numbered(page: &Page, n: usize) -> bool {
    let label = format!("— {n} —");
    page.items
        .iter()
        .any(|i| matches!(i, Item::Text(t) if t.text == label))
}

/// The notice example without its attachment pages, so that its text ends
/// where its body does.
fn example() -> String {
    let text = std::fs::read_to_string("tests/fixtures/kinds/notice.toml").unwrap();
    let start = text
        .find("\n# 附件正文")
        .expect("the example has attachment pages");
    let end = text.find("\n# 版记").expect("the example has a 版记");
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn attachment_pages_come_before_the_imprint() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/notice.toml").unwrap();
    let l = lay_out(&text);
    let n = l.pages.len();
    assert_eq!(n % 2, 0);
    for (k, title) in [
        (1, "2026年元旦春节期间值班安排表"),
        (2, "市政府各部门值班电话"),
    ] {
        let page = (0..n)
            .find(|&p| {
                l.pages[p]
                    .items
                    .iter()
                    .any(|i| matches!(i, Item::Text(t) if t.text == format!("附件{k}")))
            })
            .unwrap_or_else(|| panic!("附件{k} not found"));
        let (top, _) = text_box(&l, page, &format!("附件{k}"));
        assert!(top - TOP < 28.95, "附件{k} on the first line of its page");
        let (title_top, _) = text_box(&l, page, title);
        assert!(
            title_top > TOP + 2.0 * 28.95 - 1.0 && title_top < TOP + 3.0 * 28.95,
            "title on line 3"
        );
    }
    assert_eq!(
        rules(&l.pages[n - 1]).len(),
        3,
        "版记 after the attachments"
    );
}

#[test]
fn notice_head_is_where_the_standard_puts_it() {
    let l = lay_out(&example());
    let (mark_top, _) = text_box(&l, 0, "某某市人民政府办公室文件");
    near("发文机关标志上边缘距版心上边缘", mark_top - TOP, 35.0 * MM);
    let (_, number_bottom) = text_box(&l, 0, "某政办发");
    let red: Vec<_> = rules(&l.pages[0])
        .into_iter()
        .filter(|r| r.3 == [255, 0, 0])
        .collect();
    assert_eq!(red.len(), 1, "one red rule on page 1");
    let (y, length, thickness, _) = red[0];
    near("红色分隔线在发文字号之下", y - number_bottom, 4.0 * MM);
    near("红色分隔线与版心等宽", length, 156.0 * MM);
    assert!(thickness > 0.3 * MM && thickness < 0.6 * MM);
    // 份号, 密级, 紧急程度 on lines 1–3 of the block, at its left edge.
    for (i, s) in ["000123", "秘密★1年", "特急"].iter().enumerate() {
        let (top, bottom) = text_box(&l, 0, s);
        let line_top = TOP + i as f32 * 28.95;
        assert!(
            top >= line_top - 0.1 && bottom <= line_top + 28.95 + 0.1,
            "{s} on line {}",
            i + 1
        );
    }
}

#[test]
fn notice_imprint_sits_on_the_last_even_page() {
    let l = lay_out(&example());
    assert_eq!(l.pages.len(), 2);
    let r = rules(&l.pages[1]);
    assert_eq!(r.len(), 3, "{r:?}");
    let widths: Vec<f32> = r.iter().map(|r| r.2 / MM).collect();
    for (w, expected) in widths.iter().zip([0.35, 0.25, 0.35]) {
        assert!((w - expected).abs() < 0.01, "版记分隔线 {widths:?}");
    }
    let last = r.iter().map(|r| r.0 + r.2 / 2.0).fold(0.0, f32::max);
    near("末条分隔线与版心下边缘重合", last, BOTTOM);
    for rule in &r {
        near("版记分隔线与版心等宽", rule.1, 156.0 * MM);
    }
    assert!(numbered(&l.pages[1], 2));
}

#[test]
fn a_short_notice_puts_the_imprint_on_page_two() {
    let l = lay_out(&replace_body(&example(), "body = [\"短文。\"]\n"));
    assert_eq!(l.pages.len(), 2, "the 版记 goes to the back of the sheet");
    assert_eq!(rules(&l.pages[1]).len(), 3);
    assert!(numbered(&l.pages[0], 1) && numbered(&l.pages[1], 2));
}

#[test]
fn a_blank_page_before_the_imprint_and_neither_numbered() {
    // Bodies of growing length: one of them fills an even page so that the
    // 版记 cannot follow on it; page after is odd, so it stays blank and
    // the 版记 goes to the next; neither of the two is numbered.
    let mut seen = false;
    for k in 8..48 {
        let mut body = String::from("body = [\n");
        for i in 0..k {
            body += &format!(
                "  \"第{i}段：各区、各部门要严格落实安全生产责任，深入开展隐患排查整治。\",\n"
            );
        }
        body += "]\n";
        let l = lay_out(&replace_body(&example(), &body));
        let n = l.pages.len();
        assert_eq!(n % 2, 0, "{k} paragraphs: {n} pages");
        assert_eq!(rules(&l.pages[n - 1]).len(), 3, "版记 on the last page");
        if l.pages[n - 2].items.is_empty() {
            seen = true;
            assert!(!numbered(&l.pages[n - 1], n), "{k}: 版记页 numbered");
            assert!(
                numbered(&l.pages[n - 3], n - 2),
                "{k}: last text page unnumbered"
            );
        } else {
            assert!(numbered(&l.pages[n - 1], n), "{k}");
        }
    }
    assert!(seen, "no body length needed a blank page");
}

/// The example with its `body = [ … ]` array replaced.
fn replace_body(text: &str, body: &str) -> String {
    let start = text.find("body = [").unwrap();
    let end = start + text[start..].find("\n]\n").unwrap() + 3;
    format!("{}{body}{}", &text[..start], &text[end..])
}

/// The notice's own checks: each has its message at its key.
#[test]
fn notice_data_is_checked_by_its_rules() {
    let base = example();
    let cases: &[(&str, String)] = &[
        (
            "notice-number-brackets",
            base.replace("某政办发〔2025〕12号", "某政办发【2025】12号"),
        ),
        (
            "notice-number-serial",
            base.replace("某政办发〔2025〕12号", "某政办发〔2025〕第012号"),
        ),
        (
            "notice-signer-not-upward",
            base.replace("# signer = ", "signer = "),
        ),
        (
            "notice-copy-number",
            base.replace("copy_number = \"000123\"", "copy_number = \"123\""),
        ),
        (
            "notice-secret-and-urgency",
            base.replace("秘密★1年", "内部")
                .replace("urgency = \"特急\"", "urgency = \"急\""),
        ),
        (
            "notice-cc-full-stop",
            base.replace("市政协办公室。", "市政协办公室"),
        ),
    ];
    let minutes = std::fs::read_to_string("tests/fixtures/kinds/minutes.toml").unwrap();
    let cases: Vec<(&str, String)> = cases
        .iter()
        .cloned()
        .chain([
            (
                "minutes-mark",
                minutes.replace("常务会议纪要\"", "常务会议\""),
            ),
            (
                "minutes-label",
                minutes.replace("label = \"列席\"", "label = \"旁听\""),
            ),
        ])
        .collect();
    for (name, text) in &cases {
        assert!(
            text != &base && text != &minutes,
            "{name}: the case changes nothing"
        );
        let dir = common::cli::scratch(name);
        std::fs::write(dir.join("n.toml"), text).unwrap();
        let out = std::process::Command::new(common::cli::GONGWEN)
            .args(["check", "n.toml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let shown = format!(
            "$ gongwen check n.toml\nexit {}\n{}",
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr)
        );
        common::assert_snapshot(format!("tests/snapshots/kinds/{name}.txt"), &shown);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// 上行文: the 发文字号 one character in from the left, 签发人 one character
/// in from the right on the same line, the name in 楷体 (GB/T 9704 7.2.6).
#[test]
fn upward_notice_puts_the_signer_beside_the_number() {
    let text = example()
        .replace("upward = false", "upward = true")
        .replace("# signer = \"（在此填写签发人）\"", "signer = \"张某某\"");
    assert!(text.contains("signer = \"张某某\""));
    let l = lay_out(&text);
    let runs: Vec<&gongwen::layout::frame::TextRun> = l.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
        .collect();
    let number = runs
        .iter()
        .find(|t| t.text.starts_with("某政办发"))
        .unwrap();
    let name = runs.iter().find(|t| t.text == "张某某").unwrap();
    let label = runs.iter().find(|t| t.text == "签发人：").unwrap();
    assert!(
        (number.y - name.y).abs() < 0.01 && (label.y - name.y).abs() < 0.01,
        "one line"
    );
    let char_w = 156.0 * MM / 28.0;
    near("发文字号居左空一字", number.x - 28.0 * MM, char_w);
    let end = name.x + name.glyphs.iter().map(|g| g.advance).sum::<f32>();
    near("签发人姓名居右空一字", 28.0 * MM + 156.0 * MM - end, char_w);
    assert_ne!(name.face, label.face, "the name in 楷体, the label in 仿宋");
}

/// 纪要: the mark 35 mm under the block's top, on one line however long;
/// 出席/请假/列席 in 黑体 with the names in 仿宋, a wrapped list aligned
/// with the first name after the colon (GB/T 9704 10.3).
#[test]
fn minutes_mark_and_attendance() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/minutes.toml").unwrap();
    let l = lay_out(&text);
    let (mark_top, _) = text_box(&l, 0, "某某市人民政府常务会议纪要");
    near("纪要标志上边缘距版心上边缘", mark_top - TOP, 35.0 * MM);
    let runs: Vec<(usize, &gongwen::layout::frame::TextRun)> = l
        .pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            page.items.iter().filter_map(move |i| match i {
                Item::Text(t) => Some((p, t)),
                _ => None,
            })
        })
        .collect();
    let marks: Vec<_> = runs
        .iter()
        .filter(|(_, t)| t.text.contains("纪要"))
        .collect();
    assert!(
        marks
            .iter()
            .any(|(_, t)| t.text == "某某市人民政府常务会议纪要"),
        "the mark on one line"
    );
    let label = runs
        .iter()
        .find(|(_, t)| t.text == "列席：")
        .expect("列席 label");
    let names = runs
        .iter()
        .find(|(p, t)| {
            *p == label.0 && (t.y - label.1.y).abs() < 0.01 && t.text.starts_with("市政府办公室")
        })
        .expect("names after the label");
    assert_ne!(label.1.face, names.1.face, "label in 黑体, names in 仿宋");
    let wrapped = runs
        .iter()
        .find(|(p, t)| *p == label.0 && t.y > label.1.y + 1.0 && t.y < label.1.y + 40.0)
        .expect("the list wraps");
    assert!(
        (wrapped.1.x - names.1.x).abs() < 0.5,
        "回行时与冒号后的首字对齐: {} vs {}",
        wrapped.1.x,
        names.1.x
    );
}

/// An exported kind is a complete template directory: it renders the
/// example as the built-in does, shared `parts.html` included.
#[test]
fn an_exported_kind_renders_like_the_built_in() {
    let dir = common::cli::scratch("kinds-export");
    let run = |args: &[&str]| {
        std::process::Command::new(common::cli::GONGWEN)
            .args(args)
            .current_dir(&dir)
            .env("SOURCE_DATE_EPOCH", "1735689600")
            .output()
            .unwrap()
    };
    for kind in ["notice", "letter", "minutes"] {
        let out = run(&["templates", "export", kind, kind]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(dir.join(kind).join("parts.html").is_file());
        let data = std::fs::read_to_string(format!("tests/fixtures/kinds/{kind}.toml")).unwrap();
        std::fs::write(dir.join("a.toml"), &data).unwrap();
        std::fs::copy("tests/fixtures/kinds/seal.png", dir.join("seal.png")).unwrap();
        let built_in = run(&["render", "--dump-model", "a.toml"]);
        let exported = run(&["render", "--dump-model", "a.toml", "--template", kind]);
        assert!(
            exported.status.success(),
            "{}",
            String::from_utf8_lossy(&exported.stderr)
        );
        assert_eq!(built_in.stdout, exported.stdout, "{kind}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const PAGE_HEIGHT: f32 = 297.0 * MM;
const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = LEFT + 156.0 * MM;

/// Every line with both its ends: (y, x1, x2, thickness).
fn rules_at(page: &Page) -> Vec<(f32, f32, f32, f32)> {
    lines(page)
        .into_iter()
        .map(|(y, _, x1, x2, width, _)| (y, x1, x2, width))
        .collect()
}

/// Left and right edge of the first text run starting with `s`.
fn text_x(l: &Laid, page: usize, s: &str) -> (f32, f32) {
    l.pages[page]
        .items
        .iter()
        .find_map(|i| match i {
            Item::Text(t) if t.text.starts_with(s) => {
                let w: f32 = t.glyphs.iter().map(|g| g.advance).sum();
                Some((t.x, t.x + w))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no text {s} on page {}", page + 1))
}

fn letter() -> String {
    std::fs::read_to_string("tests/fixtures/kinds/letter.toml").unwrap()
}

#[test]
fn letter_head_is_where_the_standard_puts_it() {
    let l = lay_out(&letter());
    let page = &l.pages[0];
    let (mark_top, mark_bottom) = text_box(&l, 0, "某某市人民政府办公室");
    near("信函格式：发文机关标志上边缘至上页边", mark_top, 30.0 * MM);
    let lines = rules_at(page);
    assert_eq!(lines.len(), 4, "two double lines on the first page");
    // Thick over thin under the mark; thin over thick above the page foot.
    let (upper, lower) = (&lines[..2], &lines[2..]);
    assert!(
        upper[0].3 > upper[1].3,
        "upper double line: thick over thin"
    );
    assert!(
        lower[0].3 < lower[1].3,
        "lower double line: thin over thick"
    );
    near(
        "第一条双线距发文机关标志",
        upper[0].0 - upper[0].3 / 2.0 - mark_bottom,
        4.0 * MM - upper[0].3 / 2.0,
    );
    let (y, _, _, t) = lower[1];
    near("第二条双线距下页边", PAGE_HEIGHT - (y + t / 2.0), 20.0 * MM);
    for (y, x1, x2, _) in &lines {
        near(
            &format!("双线长度 (y {:.1} mm)", y / MM),
            x2 - x1,
            170.0 * MM,
        );
        near("双线居中", (x1 + x2) / 2.0, (LEFT + RIGHT) / 2.0);
    }
    // 发文字号 flush right, 份号 flush left, both 3号 7/8 under the line.
    let under = upper[1].0 + upper[1].3 / 2.0;
    let (number_top, _) = text_box(&l, 0, "某政办函〔2025〕35号");
    near("发文字号与双线的距离", number_top - under, 16.0 * 7.0 / 8.0);
    near("发文字号居版心右边缘", text_x(&l, 0, "某政办函").1, RIGHT);
    let (copy_top, _) = text_box(&l, 0, "000123");
    near("份号与发文字号同行", copy_top, number_top);
    near("份号顶格", text_x(&l, 0, "000123").0, LEFT);
    let (secret_top, _) = text_box(&l, 0, "秘密★1年");
    assert!(secret_top > number_top + 20.0, "密级 on the next line");
    assert!(!numbered(page, 1), "信函格式：首页不显示页码");
    assert!(numbered(&l.pages[1], 2), "later pages are numbered");
}

#[test]
fn letter_imprint_has_no_rules_and_no_printer() {
    let l = lay_out(&letter());
    let last = l.pages.len() - 1;
    let (_, bottom) = text_box(&l, last, "抄送：某某市人民政府办公厅。");
    assert!(
        BOTTOM - bottom < 28.95,
        "版记 on the last line of the text block"
    );
    assert!(rules_at(&l.pages[last]).is_empty(), "no 版记 rules");
    assert!(!l.pages[last]
        .items
        .iter()
        .any(|i| matches!(i, Item::Text(t) if t.text.contains("印发"))));
}

/// The seal's box on a page.
fn seal_box(page: &Page) -> Option<(f32, f32, f32, f32)> {
    page.items.iter().find_map(|i| match i {
        Item::Image { x, y, w, h, .. } => Some((*x, *y, *w, *h)),
        _ => None,
    })
}

#[test]
fn seal_presses_on_the_signature_and_date() {
    let l = lay_out(&letter());
    let page = (0..l.pages.len())
        .find(|&p| seal_box(&l.pages[p]).is_some())
        .expect("a page with the seal");
    let (x, y, w, h) = seal_box(&l.pages[page]).unwrap();
    near("印章直径", w, 42.0 * MM);
    near("印章为圆形", h, w);
    let (date_left, date_right) = text_x(&l, page, "2026年1月12日");
    near(
        "成文日期右空四字",
        RIGHT - date_right,
        4.0 * (16.0 + l_tracking()),
    );
    near(
        "印章以成文日期为准居中",
        x + w / 2.0,
        (date_left + date_right) / 2.0,
    );
    let (agency_left, agency_right) = text_x(&l, page, "某某市人民政府办公室");
    near(
        "署名以成文日期为准居中",
        (agency_left + agency_right) / 2.0,
        (date_left + date_right) / 2.0,
    );
    let (agency_top, _) = text_box(&l, page, "某某市人民政府办公室");
    let (date_top, date_bottom) = text_box(&l, page, "2026年1月12日");
    let centre = y + h / 2.0;
    assert!(
        agency_top > centre && date_top > centre,
        "署名和成文日期居印章中心偏下"
    );
    assert!(date_bottom < y + h, "the seal presses on the date");
    // The line above: the 附件说明.
    let (_, above) = text_box(&l, page, "附件：");
    assert!(
        y >= above - 0.5 && y - above <= 28.95,
        "印章顶端上距正文一行之内: {:.1} mm",
        (y - above) / MM
    );
}

/// Letter spacing of body text (28 characters in 156 mm).
fn l_tracking() -> f32 {
    (156.0 * MM - 28.0 * 16.0) / 28.0
}

/// `data` written to `NAME.toml` in `dir` and rendered: refused, nothing
/// written, the error at the line of `key`. Its messages.
fn refused_at(dir: &Path, name: &str, data: &str, key: &str) -> String {
    let file = format!("{name}.toml");
    std::fs::write(dir.join(&file), data).unwrap();
    let out = common::cli::run_in(dir, &["render", &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = data
        .lines()
        .position(|l| l.starts_with(&format!("{key} =")))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("{file}:{line}:")), "{err}");
    assert!(!dir.join(format!("{name}.pdf")).exists());
    err
}

#[test]
fn a_seal_that_is_not_a_picture_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seal.png"), "not a picture").unwrap();
    let data = letter();
    let err = refused_at(dir.path(), "letter", &data, "seal");
    assert!(
        err.contains("印章图片「seal.png」不是 PNG、JPEG 或 SVG 图片"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("letter.toml"),
        data.replace("seal.png", "../seal.png"),
    )
    .unwrap();
    let out = common::cli::run_in(dir.path(), &["render", "letter.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("不能用 .. 指向数据文件所在文件夹之外"),
        "{err}"
    );
}

#[test]
fn joint_issuers_stack_with_the_suffix_centred_beside_them() {
    let names = [
        "某某市人民政府办公室",
        "某某市财政局",
        "某某市市场监督管理局",
    ];
    let text = example().replace(
        "issuer = \"某某市人民政府办公室\"",
        &format!("issuer = {names:?}").replace('\'', "\""),
    );
    let l = lay_out(&text);
    let boxes: Vec<(f32, f32)> = names.iter().map(|n| text_box(&l, 0, n)).collect();
    let spans: Vec<(f32, f32)> = names.iter().map(|n| text_x(&l, 0, n)).collect();
    near(
        "联合行文：主办机关名称上边缘距版心上边缘",
        boxes[0].0 - TOP,
        35.0 * MM,
    );
    assert!(
        boxes[0].0 < boxes[1].0 && boxes[1].0 < boxes[2].0,
        "主办机关在前，分行排列"
    );
    for (k, (l0, r0)) in spans.iter().enumerate() {
        near(&format!("名称 {k} 左端对齐"), *l0, spans[0].0);
        near(&format!("名称 {k} 右端对齐"), *r0, spans[0].1);
    }
    let suffix = l.pages[0]
        .items
        .iter()
        .find_map(|i| match i {
            Item::Text(t) if t.text == "文件" => Some(t),
            _ => None,
        })
        .expect("the suffix");
    assert!(suffix.x > spans[0].1, "「文件」在机关名称右侧");
    let (s_top, s_bottom) = text_box(&l, 0, "文件");
    let middle = (boxes[0].0 + boxes[2].1) / 2.0;
    near("「文件」上下居中", (s_top + s_bottom) / 2.0, middle);
    let right: f32 = suffix.glyphs.iter().map(|g| g.advance).sum::<f32>() + suffix.x;
    near("居中排布", (spans[0].0 + right) / 2.0, (LEFT + RIGHT) / 2.0);
    assert!(
        right <= RIGHT + 0.5 && spans[0].0 >= LEFT - 0.5,
        "inside the text block"
    );
}

#[test]
fn measures_in_the_style_move_the_elements() {
    let dir = common::cli::scratch("kinds-measures");
    let run = |args: &[&str]| common::cli::run_in(&dir, args);
    assert!(run(&["templates", "export", "notice", "mine"])
        .status
        .success());
    let style = dir.join("mine").join("style.toml");
    let text = std::fs::read_to_string(&style).unwrap();
    std::fs::write(
        &style,
        format!("{text}\n[measures]\nmark_top = 40\nrule_below = 6\n"),
    )
    .unwrap();
    let data = example().replace("template = \"notice\"", "template = \"mine\"");
    std::fs::write(dir.join("a.toml"), &data).unwrap();
    let out = run(&["render", "--dump-model", "a.toml"]);
    let model = String::from_utf8_lossy(&out.stdout);
    assert!(model.contains("top 40.00 mm"), "{model}");
    assert!(model.contains("6.00 mm below the text"), "{model}");
    std::fs::write(&style, format!("{text}\n[measures]\nmark_top = -3\n")).unwrap();
    let out = run(&["render", "a.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("style.toml:") && err.contains("measures.mark_top = -3 不在 0–300 毫米之间"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_svg_seal_is_drawn_like_a_png_one() {
    let l = lay_out(&letter().replace("seal.png", "seal.svg"));
    let image = l
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .find_map(|i| match i {
            Item::Image { w, h, picture, .. } => Some((*w, *h, picture.clone())),
            _ => None,
        })
        .expect("the seal");
    near("SVG 印章直径", image.0, 42.0 * MM);
    near("SVG 印章为圆形", image.1, image.0);
    // Drawn at 600 dpi of 42 mm, with its transparency.
    assert_eq!(image.2.width, 992);
    assert!(image.2.alpha.is_some());
}

#[test]
fn an_image_block_sits_on_whole_lines_in_both_outputs() {
    let markup = "<p>上文。</p><image src=\"seal.png\" width=\"30\" align=\"right\"/><p>下文。</p>";
    let src = gongwen::diag::Source::new("x.html", markup);
    let doc = gongwen::markup::parse_in(
        &src,
        gongwen::doc::StyleSheet::gbt9704(),
        Some((Path::new("tests/fixtures/kinds"), &gongwen::disk::Disk)),
    )
    .unwrap();
    let book = common::book(&doc);
    let laid = gongwen::layout::lay_out(&doc, &book).unwrap();
    let page = &laid.pages[0];
    let (x, y, w, h) = seal_box(page).expect("the image");
    near("图片宽 30 mm", w, 30.0 * MM);
    near("右对齐", x + w, RIGHT);
    let pitch = 28.95;
    let line_of = |s: &str| {
        page.items
            .iter()
            .find_map(|i| match i {
                Item::Text(t) if t.text.starts_with(s) => Some(t.y),
                _ => None,
            })
            .unwrap()
    };
    let (above, below) = (line_of("上文"), line_of("下文"));
    let lines = (h / pitch).ceil();
    near(
        "下文 on the grid, the picture's lines after 上文",
        below - above,
        (lines + 1.0) * pitch,
    );
    assert!(y > above && y + h < below, "between the lines around it");
    let docx = gongwen::export::docx::write(
        &doc,
        &book,
        &laid,
        None,
        gongwen::export::docx::Fonts::Official,
    )
    .unwrap();
    let text = String::from_utf8_lossy(&docx);
    assert!(
        text.contains("word/media/picture1"),
        "the picture is in the package"
    );
}

#[test]
fn an_image_without_its_folder_or_outside_it_is_refused() {
    let src = gongwen::diag::Source::new("x.html", "<image src=\"seal.png\"/>");
    let e = gongwen::markup::parse(&src, gongwen::doc::StyleSheet::gbt9704()).unwrap_err();
    assert!(
        e.message.contains("图片「seal.png」无法读取"),
        "{}",
        e.message
    );
    let src = gongwen::diag::Source::new("x.html", "<image src=\"../seal.png\"/>");
    let e = gongwen::markup::parse_in(
        &src,
        gongwen::doc::StyleSheet::gbt9704(),
        Some((Path::new("tests/fixtures/kinds"), &gongwen::disk::Disk)),
    )
    .unwrap_err();
    assert!(e.message.contains("不能用 .."), "{}", e.message);
}

#[test]
fn the_annual_report_s_signature_takes_a_seal() {
    let dir = common::cli::scratch("annual-seal");
    std::fs::copy("tests/fixtures/kinds/seal.png", dir.join("seal.png")).unwrap();
    let sample = std::fs::read_to_string("samples/qinghe-market-2025.toml").unwrap();
    let with_seal = sample.replace(
        "date = 2026-01-20\n",
        "date = 2026-01-20\nseal = \"seal.png\"\nseal_size = 40\n",
    );
    std::fs::write(dir.join("r.toml"), &with_seal).unwrap();
    let out = common::cli::run_in(&dir, &["render", "r.toml", "--dump-model"]);
    let model = String::from_utf8_lossy(&out.stdout);
    assert!(
        model.contains("signature 青禾区市场监督管理局 | 2026年1月20日 | seal Image(PNG 400×400，透明背景, 113.4 × 113.4 pt)"),
        "{model}"
    );
    let out = common::cli::run_in(&dir, &["render", "r.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(dir.join("r.pdf")).unwrap();
    assert!(String::from_utf8_lossy(&pdf).contains("/SMask"));
    std::fs::write(
        dir.join("r.toml"),
        with_seal.replace("seal_size = 40", "seal_size = 4"),
    )
    .unwrap();
    let out = common::cli::run_in(&dir, &["check", "r.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("印章直径（signature.seal_size）应为 30–80 之间的毫米数"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// 联合行文 without seals (GB/T 9704 7.3.5.2): the lead agency's 署名
/// first, the others below it, right-aligned; the date under the last,
/// starting two characters right of its first character. The DOCX breaks
/// the lines where the PDF does.
#[test]
fn joint_signatures_stack_lead_agency_first() {
    let names = ["某某市人民政府办公室", "某某市财政局"];
    let text = example().replace(
        "signature = \"某某市人民政府办公室\"",
        "signature = [\"某某市人民政府办公室\", \"某某市财政局\"]",
    );
    let l = lay_out(&text);
    // On the page of the date (the 版记 names the lead agency again).
    let page = l
        .pages
        .iter()
        .rposition(|p| {
            p.items
                .iter()
                .any(|i| matches!(i, Item::Text(t) if t.text == "2025年12月5日"))
        })
        .expect("the date");
    let last = |s: &str| {
        l.pages[page]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) if t.text == s => {
                    let w: f32 = t.glyphs.iter().map(|g| g.advance).sum();
                    Some((t.y, t.x, t.x + w))
                }
                _ => None,
            })
            .next_back()
            .unwrap_or_else(|| panic!("no {s}"))
    };
    let b = last(names[1]);
    let d = last("2025年12月5日");
    // The lead agency's 署名 is the line above; the 版记 below names it too.
    let a = l.pages[page]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) if t.text == names[0] && t.y < b.0 => {
                let w: f32 = t.glyphs.iter().map(|g| g.advance).sum();
                Some((t.y, t.x, t.x + w))
            }
            _ => None,
        })
        .next_back()
        .expect("the lead agency's 署名");
    let pitch = 28.95;
    let ch = 16.0 - 0.25;
    near("联署机关在主办机关下一行", b.0 - a.0, pitch);
    near("成文日期在最后一个署名下一行", d.0 - b.0, pitch);
    near("各署名右端对齐", a.2, b.2);
    near(
        "成文日期首字比最后一个署名首字右移二字",
        d.1 - b.1,
        2.0 * ch,
    );
    // The date is longer than the last 署名: it sits two characters in and
    // the 署名 move left with it (7.3.5.2).
    near("成文日期右空二字", RIGHT - d.2, 2.0 * ch);

    let xml = rendered_docx_xml("kinds-joint-signatures", &text);
    let at = xml.rfind("某某市财政局").unwrap();
    let p = &xml[xml[..at].rfind("<w:p>").unwrap()..at];
    assert!(
        p.contains("某某市人民政府办公室") && p.contains("<w:br/>"),
        "{p}"
    );
}

#[test]
fn an_attachment_page_starts_by_its_first_paragraph_in_the_docx() {
    // A paragraph holding only a page break would take a line of a full
    // page and spill a blank page in Word; the label's paragraph starts
    // the page instead.
    let text = std::fs::read_to_string("tests/fixtures/kinds/notice.toml").unwrap();
    let xml = rendered_docx_xml("kinds-annex-break", &text);
    for k in [1, 2] {
        let label = format!(">附件{k}</w:t>");
        let at = xml
            .find(&label)
            .unwrap_or_else(|| panic!("附件{k} not found"));
        let start = xml[..at].rfind("<w:p>").unwrap();
        let p = &xml[start..at];
        assert!(p.contains("<w:pPr><w:pageBreakBefore/>"), "附件{k}: {p}");
        let before = &xml[..start];
        assert!(
            !before.ends_with("<w:br w:type=\"page\"/></w:r></w:p>"),
            "附件{k} follows a page-break paragraph"
        );
    }
}

/// A data file's text rendered by the binary to a DOCX only, in a scratch
/// folder named `case`: its `word/document.xml`.
fn rendered_docx_xml(case: &str, text: &str) -> String {
    let dir = common::cli::scratch(case);
    std::fs::write(dir.join("data.toml"), text).unwrap();
    docx_in(&dir)
}

/// The DOCX of `data.toml` in `dir`, its `document.xml`.
fn docx_in(dir: &Path) -> String {
    let out = common::cli::run_in(dir, &["render", "data.toml", "--docx-only"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::document_xml(&std::fs::read(dir.join("data.docx")).unwrap())
}

/// The paragraph of `xml` holding the text `s`.
fn paragraph_with<'a>(xml: &'a str, s: &str) -> &'a str {
    let at = xml.find(s).unwrap_or_else(|| panic!("{s} not found"));
    let start = xml[..at].rfind("<w:p>").unwrap();
    let end = at + xml[at..].find("</w:p>").unwrap();
    &xml[start..end]
}

#[test]
fn an_imprint_on_its_own_page_takes_no_line_of_the_full_page_before() {
    // The 复函's body fills page 1 down to the signature; the 抄送 goes on
    // page 2. A paragraph a grid line high holding the page break would
    // not fit under the signature, spill onto page 2 and break again.
    let text = std::fs::read_to_string("tests/fixtures/kinds/reply-foot-page.toml").unwrap();
    let l = lay_out(&text);
    assert_eq!(l.pages.len(), 2);
    text_box(&l, 1, "抄送");
    let xml = rendered_docx_xml("kinds-reply-foot-page", &text);
    let foot = xml.find("抄送").unwrap();
    let before = &xml[..foot];
    let brk = before
        .rfind("<w:br w:type=\"page\"/>")
        .expect("a page break");
    let p = &before[before[..brk].rfind("<w:p>").unwrap()..brk];
    assert!(p.contains("w:line=\"20\" w:lineRule=\"exact\""), "{p}");
    // The frames' anchor after the 版记 is a point high too.
    assert!(xml.contains(
        "<w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/></w:pPr></w:p><w:sectPr>"
    ));
}

#[test]
fn a_long_last_paragraph_broken_at_a_full_page_is_not_kept_whole() {
    // Kept with the signature, LibreOffice moves all twenty lines to
    // page 2 and leaves page 1 with only the 主送. The PDF breaks it where
    // page 1 is full, which Word does unasked.
    let text = std::fs::read_to_string("tests/fixtures/kinds/reply-long-paragraph.toml").unwrap();
    let l = lay_out(&text);
    assert_eq!(l.pages.len(), 2);
    text_box(&l, 0, "你单位");
    text_box(&l, 1, "某某市人民政府办公室");
    let xml = rendered_docx_xml("kinds-reply-long-paragraph", &text);
    let p = paragraph_with(&xml, "你单位《");
    assert!(
        p.contains("<w:widowControl/>") && !p.contains("<w:keepNext/>"),
        "{p}"
    );
    // A paragraph the PDF keeps whole with the signature stays kept.
    let short = std::fs::read_to_string("tests/fixtures/kinds/reply-foot-page.toml").unwrap();
    let xml = rendered_docx_xml("kinds-reply-short-paragraph", &short);
    let p = paragraph_with(&xml, "此复。");
    assert!(p.contains("<w:keepNext/><w:widowControl/>"), "{p}");
}

/// `gongwen check` on `text` in a scratch folder: exit code and messages.
fn check(name: &str, text: &str) -> (i32, String) {
    let dir = common::cli::scratch(name);
    std::fs::write(dir.join("n.toml"), text).unwrap();
    let out = std::process::Command::new(common::cli::GONGWEN)
        .args(["check", "n.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The examples `gongwen new` writes put no 份号, 密级 or 紧急程度 on a
/// real document: they are shown commented out, and `check` points at
/// every value still equal to the example's until it is replaced. The
/// annex's switches (不标「附件」, 横排) are offered commented out.
#[test]
fn new_examples_mark_nothing_and_check_points_at_what_is_left() {
    for kind in ["notice", "letter"] {
        let out = std::process::Command::new(common::cli::GONGWEN)
            .args(["new", "--template", kind])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for key in ["copy_number", "secret", "urgency"] {
            assert!(
                text.contains(&format!("\n# {key} = ")),
                "{kind}: {key} not offered commented out"
            );
            assert!(
                !text.contains(&format!("\n{key} = ")),
                "{kind}: {key} is live"
            );
        }
        let (code, shown) = check(&format!("kinds-new-{kind}"), &text);
        assert_eq!(code, 0, "{shown}");
        // The annex's switches are offered too, and turned on they check.
        for key in ["no_label", "landscape"] {
            assert!(
                text.contains(&format!("\n# {key} = true\n")),
                "{kind}: the annex's {key} not offered"
            );
        }
        let turned = text.replace("\n# landscape = true\n", "\nlandscape = true\n");
        let (code, shown) = check(&format!("kinds-new-{kind}-landscape"), &turned);
        assert_eq!(code, 0, "{shown}");
        for field in ["「标题」还是", "「发文字号」还是", "「发文机关署名」还是"]
        {
            assert!(shown.contains(field), "{kind}: no warning {field}\n{shown}");
        }
        let title = text
            .lines()
            .find(|l| l.starts_with("title = "))
            .unwrap()
            .to_string();
        let own = text.replace(&title, "title = \"关于开展冬季安全检查的通知\"");
        let (_, shown) = check(&format!("kinds-new-{kind}-own"), &own);
        assert!(!shown.contains("「标题」还是"), "{shown}");
        assert!(shown.contains("「发文字号」还是"), "{shown}");
    }
}

/// 发文字号 exact where the 版头 requires it (any bracket but 〔〕 is an
/// error, not a warning); a 公告 without 版头 may go unnumbered or carry
/// 第3号 / 2025年第3号.
#[test]
fn numbers_are_exact_where_required_and_optional_for_a_bare_notice() {
    let base = example();
    let bare = base.replace("bare = false", "bare = true");
    assert_ne!(bare, base);
    let no_number = |t: &str| t.replace("number = \"某政办发〔2025〕12号\"\n", "");
    let cases: &[(&str, String, i32, &str)] = &[
        (
            "brackets",
            base.replace("〔2025〕", "（2025）"),
            1,
            "六角括号",
        ),
        (
            "serial",
            base.replace("〔2025〕12号", "〔2025〕第12号"),
            1,
            "不加「第」",
        ),
        ("missing", no_number(&base), 1, "缺少发文字号"),
        ("bare-missing", no_number(&bare), 0, ""),
        (
            "bare-serial",
            bare.replace("某政办发〔2025〕12号", "第227号"),
            0,
            "",
        ),
        (
            "bare-year",
            bare.replace("某政办发〔2025〕12号", "2025年第3号"),
            0,
            "",
        ),
        (
            "bare-brackets",
            bare.replace("〔2025〕", "【2025】"),
            1,
            "六角括号",
        ),
        (
            "bare-loose",
            bare.replace("某政办发〔2025〕12号", "3号文"),
            1,
            "第3号",
        ),
    ];
    for (name, text, code, says) in cases {
        let (got, shown) = check(&format!("kinds-number-{name}"), text);
        assert_eq!(got, *code, "{name}: {shown}");
        if *code == 1 {
            assert!(
                shown.contains("错误:") && shown.contains(says),
                "{name}: {shown}"
            );
        } else {
            assert!(!shown.contains("错误:"), "{name}: {shown}");
        }
    }
}

/// Every text run of every page: (page, run).
fn all_runs(l: &Laid) -> Vec<(usize, &gongwen::layout::frame::TextRun)> {
    l.pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            page.items.iter().filter_map(move |i| match i {
                Item::Text(t) => Some((p, t)),
                _ => None,
            })
        })
        .collect()
}

/// A 公告 without 版头: no mark, no red rule, the title on the block's
/// first line and its number centred on the line under it.
#[test]
fn a_bare_notice_starts_with_its_title() {
    let text = example()
        .replace("bare = false", "bare = true")
        .replace("某政办发〔2025〕12号", "2025年第3号")
        .replace(
            "某某市人民政府办公室关于做好2026年元旦春节期间有关工作的通知",
            "某某市人民政府公告",
        );
    let text: String = text
        .lines()
        .filter(|l| {
            !["copy_number", "secret", "urgency"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let l = lay_out(&text);
    assert!(
        rules(&l.pages[0]).iter().all(|r| r.3 != [255, 0, 0]),
        "no red rule"
    );
    assert!(all_runs(&l).iter().all(|(_, t)| !t.text.contains("文件")));
    let (title_top, title_bottom) = text_box(&l, 0, "某某市人民政府公告");
    assert!(
        (TOP - 0.1..TOP + 28.95).contains(&title_top),
        "title on line 1"
    );
    let (number_top, _) = text_box(&l, 0, "2025年第3号");
    assert!(number_top >= title_bottom - 0.1, "number under the title");
    let (x0, x1) = text_x(&l, 0, "2025年第3号");
    near("编号居中", (x0 + x1) / 2.0, 28.0 * MM + 78.0 * MM);
}

/// 主送机关 too many for page 1 to show any body: moved to the 版记,
/// 「主送：」 above 「抄送：」 with no rule between (GB/T 9704 7.3.2, 7.4.2).
#[test]
fn a_long_to_line_moves_to_the_imprint() {
    let to: Vec<String> = (1..40).map(|i| format!("某某市第{i}区人民政府")).collect();
    let text = example().replace(
        "各区人民政府，市政府各部门、各直属机构：",
        &format!("{}：", to.join("、")),
    );
    let l = lay_out(&text);
    let runs = all_runs(&l);
    let last = l.pages.len() - 1;
    let to_run = runs
        .iter()
        .find(|(_, t)| t.text.starts_with("主送："))
        .expect("主送 in the 版记");
    assert_eq!(to_run.0, last, "on the 版记's page");
    let cc = runs
        .iter()
        .find(|(_, t)| t.text.starts_with("抄送："))
        .unwrap();
    assert!(cc.1.y > to_run.1.y, "主送 above 抄送");
    let between = rules(&l.pages[last])
        .into_iter()
        .filter(|r| r.0 > to_run.1.y && r.0 < cc.1.y)
        .count();
    assert_eq!(between, 0, "no rule between 主送 and 抄送");
    assert!(
        runs.iter()
            .any(|(p, t)| *p == 0 && t.text.starts_with("为切实做好")),
        "the body starts on page 1"
    );
    assert!(runs
        .iter()
        .all(|(_, t)| !t.text.starts_with("某某市第1区人民政府、") || t.text.starts_with("主送")));
}

/// An upward document whose 签发人 is not known yet leaves room for it.
#[test]
fn an_unknown_signer_leaves_room_for_the_name() {
    let l = lay_out(&example().replace("upward = false", "upward = true"));
    // 「签发人：」 and four blank characters end one character in.
    let (start, _) = text_x(&l, 0, "签发人：");
    let right = 28.0 * MM + 156.0 * MM - 16.0;
    assert!(
        right - start >= 7.5 * 16.0,
        "签发人 label starts {:.1} pt before the inset",
        right - start
    );
}

/// A 常务会议纪要 numbered by its 期号 has no title: the body comes two
/// lines under the red rule.
#[test]
fn minutes_without_a_title() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/minutes.toml").unwrap();
    let title = text.lines().find(|l| l.starts_with("title = ")).unwrap();
    let l = lay_out(&text.replace(&format!("{title}\n"), ""));
    let (issue_top, _) = text_box(&l, 0, "第12期");
    let (mark_top, _) = text_box(&l, 0, "某某市人民政府常务会议纪要");
    assert!(issue_top > mark_top);
    let red = rules(&l.pages[0])
        .into_iter()
        .find(|r| r.3 == [255, 0, 0])
        .unwrap();
    let (body_top, _) = text_box(&l, 0, "2025年12月3日");
    let lines = (body_top - red.0) / 28.95;
    assert!((2.0..3.2).contains(&lines), "{lines} lines under the rule");
    assert!(all_runs(&l)
        .iter()
        .all(|(_, t)| !t.text.contains("关于研究")));
}

/// 命令（令） (GB/T 9704 10.2): the mark 20 mm under the block's top, no
/// red rule, the 令号 two lines under the mark, the body two lines under
/// the 令号; 职务 and name four characters in from the right two lines
/// under the body, the date one blank line under them, also four in.
#[test]
fn order_head_and_signer_are_where_the_standard_puts_them() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/order.toml").unwrap();
    let l = lay_out(&text);
    let (mark_top, mark_bottom) = text_box(&l, 0, "某某省人民政府令");
    near("令的标志上边缘距版心上边缘", mark_top - TOP, 20.0 * MM);
    assert!(rules(&l.pages[0]).is_empty(), "no rule under the mark");
    let pitch = 28.95;
    let (number_top, number_bottom) = text_box(&l, 0, "第227号");
    let gap = (number_top - mark_bottom) / pitch;
    assert!(
        (1.6..3.0).contains(&gap),
        "令号 {gap:.2} lines under the mark"
    );
    let (body_top, _) = text_box(&l, 0, "《某某省城市供水管理办法》");
    let gap = (body_top - number_bottom) / pitch;
    assert!(
        (1.8..2.6).contains(&gap),
        "body {gap:.2} lines under the 令号"
    );
    let right = 28.0 * MM + 156.0 * MM;
    let (_, signer_end) = text_x(&l, 0, "省长");
    near("签发人右空四字", right - signer_end, 4.0 * 16.0);
    let (_, date_end) = text_x(&l, 0, "2025年12月5日");
    near("成文日期右空四字", right - date_end, 4.0 * 16.0);
    let (signer_top, signer_bottom) = text_box(&l, 0, "省长");
    let (date_top, _) = text_box(&l, 0, "2025年12月5日");
    assert!(
        (date_top - signer_top - 2.0 * pitch).abs() < 1.0,
        "one blank line"
    );
    assert!(signer_bottom < date_top);
    let (code, shown) = check("kinds-order-number", &text.replace("第227号", "第0227号"));
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("令号应写成「第N号」"), "{shown}");
    let (code, shown) = check("kinds-order-mark", &text.replace("政府令\"", "政府\""));
    assert_eq!(code, 1, "{shown}");
}

fn order_stamp() -> String {
    std::fs::read_to_string("tests/fixtures/kinds/order-stamp.toml").unwrap()
}

/// GB/T 9704 7.3.5.3 with the 签发人签名章: two blank lines under the
/// body the stamp (30 mm wide by default) stands where the name would,
/// four characters in from the right; the 职务 two characters left of it,
/// centred on it; one blank line under the stamp the date, four in, back
/// on the body's line grid. The name is not printed.
#[test]
fn order_stamp_takes_the_name_s_place_with_the_title_centred_on_it() {
    let l = lay_out(&order_stamp());
    let (x, y, w, h) = seal_box(&l.pages[0]).expect("the stamp on page 1");
    let ch = 16.0 + l_tracking();
    let pitch = 28.95;
    near("签名章宽度（默认 30 毫米）", w, 30.0 * MM);
    near("签名章的高按图片比例", h, 15.0 * MM);
    near("签名章右空四字", RIGHT - (x + w), 4.0 * ch);
    let (_, title_right) = text_x(&l, 0, "省长");
    near("签名章左空二字标注签发人职务", x - title_right, 2.0 * ch);
    let (title_top, title_bottom) = text_box(&l, 0, "省长");
    near(
        "职务以签名章为准上下居中",
        (title_top + title_bottom) / 2.0,
        y + h / 2.0,
    );
    let (_, date_right) = text_x(&l, 0, "2025年12月5日");
    near("成文日期右空四字", RIGHT - date_right, 4.0 * ch);
    let (date_top, _) = text_box(&l, 0, "2025年12月5日");
    // Glyph tops: the date's line box starts (pitch − 16) / 2 above them.
    let date_line = date_top - (pitch - 16.0) / 2.0;
    let under = (date_line - (y + h)) / pitch;
    assert!(
        (1.0..1.5).contains(&under),
        "签名章下空一行编排成文日期: {under:.2} lines"
    );
    let (last_top, last_bottom) = text_box(&l, 0, "府第45次");
    let lines = (date_top - last_top) / pitch;
    assert!(
        (lines - lines.round()).abs() < 0.02 && lines.round() == 6.0,
        "the date on the body's grid, six lines under its last line: {lines:.3}"
    );
    let over = (y - last_bottom) / pitch;
    assert!(
        (2.0..2.75).contains(&over),
        "正文下空二行加盖签名章: {over:.2} lines"
    );
    assert!(
        !l.pages[0]
            .items
            .iter()
            .any(|i| matches!(i, Item::Text(t) if t.text.contains("张某某"))),
        "the stamp takes the name's place"
    );
}

/// The DOCX puts the stamp where the PDF has it, behind the text, the
/// 职务's line centred on it, the date four characters in.
#[test]
fn order_stamp_in_the_docx() {
    let dir = common::cli::scratch("kinds-order-stamp");
    std::fs::copy("tests/fixtures/kinds/stamp.svg", dir.join("stamp.svg")).unwrap();
    std::fs::write(dir.join("data.toml"), order_stamp()).unwrap();
    let xml = docx_in(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let l = lay_out(&order_stamp());
    let (x, _, w, h) = seal_box(&l.pages[0]).unwrap();
    assert_eq!(
        xml.matches("behindDoc=\"1\"").count(),
        1,
        "the stamp behind the text"
    );
    let number = |s: &str, after: &str| -> f32 {
        let at = s.find(after).unwrap_or_else(|| panic!("{after} in {s}")) + after.len();
        s[at..s[at..].find(['<', '"']).unwrap() + at]
            .parse()
            .unwrap()
    };
    let anchor = &xml[xml[..xml.find("behindDoc").unwrap()]
        .rfind("<w:p>")
        .unwrap()..];
    let anchor = &anchor[..anchor.find("</w:p>").unwrap()];
    let emu = 12_700.0;
    let from_left = number(
        anchor,
        "<wp:positionH relativeFrom=\"margin\"><wp:posOffset>",
    ) / emu;
    near("签名章与 PDF 同位（横）", from_left, x - LEFT);
    let from_top = number(
        anchor,
        "<wp:positionV relativeFrom=\"paragraph\"><wp:posOffset>",
    ) / emu;
    // The anchor's paragraph is as high as the space over the 职务's line.
    let above = number(anchor, "w:line=\"") / 20.0;
    let title = paragraph_with(&xml, ">省长<");
    let pitch = number(title, "w:line=\"") / 20.0;
    near("职务一行高", pitch, 28.95);
    near(
        "职务以签名章为准上下居中",
        above + pitch / 2.0,
        from_top + h / 2.0,
    );
    let ch = 16.0 + l_tracking();
    near(
        "职务在签名章左空二字",
        number(title, "<w:ind w:right=\"") / 20.0,
        4.0 * ch + w + 2.0 * ch,
    );
    assert!(title.contains("<w:jc w:val=\"right\"/>"), "{title}");
    let date = paragraph_with(&xml, "2025年12月5日");
    near(
        "成文日期右空四字",
        number(date, "<w:ind w:right=\"") / 20.0,
        4.0 * ch,
    );
    assert!(!xml.contains("张某某"), "the stamp takes the name's place");
}

/// With a 签名章 the 签发人's name is not printed, so it need not be
/// written; without one it must be, and the message points at the 职务's
/// line, where the name goes.
#[test]
fn the_signer_s_name_is_needed_only_without_a_stamp() {
    let unnamed = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.starts_with("signer = "))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let stamped = unnamed(&order_stamp());
    assert_ne!(stamped, order_stamp());
    let laid = lay_out(&stamped);
    let runs = all_runs(&laid);
    assert!(
        runs.iter().any(|(_, t)| t.text == "省长"),
        "the 职务 beside the stamp"
    );
    let plain = unnamed(&std::fs::read_to_string("tests/fixtures/kinds/order.toml").unwrap());
    let line = 1 + plain
        .lines()
        .position(|l| l.starts_with("signer_title = "))
        .unwrap();
    let (code, shown) = check("kinds-order-unnamed", &plain);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("不盖签名章时要写签发人姓名") && shown.contains(&format!("n.toml:{line}:")),
        "{shown}"
    );
}

/// A stamp the folder does not hold is named, at its line of the data.
#[test]
fn a_missing_stamp_is_named_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let err = refused_at(dir.path(), "order", &order_stamp(), "stamp");
    assert!(err.contains("签名章图片「stamp.svg」无法读取"), "{err}");
}

/// A 细则 issued by the notice: no 「附件」 label and no 附件说明 needed,
/// its title on the page's first line, 第X章 centred.
#[test]
fn an_issued_rulebook_has_no_annex_label_and_centred_chapters() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/xize.toml").unwrap();
    let (code, shown) = check("kinds-xize", &text);
    assert_eq!(code, 0, "{shown}");
    let l = lay_out(&text);
    let runs = all_runs(&l);
    assert!(
        runs.iter().all(|(_, t)| !t.text.starts_with("附件")),
        "no 附件 label or 附件说明"
    );
    let (page, title) = runs
        .iter()
        .find(|(_, t)| t.text.starts_with("某某市城市供水管理实施细则"))
        .unwrap();
    let (top, _) = text_box(&l, *page, &title.text);
    assert!((TOP - 0.1..TOP + 28.95).contains(&top), "title on line 1");
    for chapter in ["第一章", "第二章"] {
        let (x0, x1) = text_x(&l, *page, chapter);
        near(chapter, (x0 + x1) / 2.0, 28.0 * MM + 78.0 * MM);
    }
    let labelled = text.replace("no_label = true\n", "");
    let (code, shown) = check("kinds-xize-labelled", &labelled);
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("no_label = true"), "{shown}");
}

/// Tables where a paragraph can stand: a 分解表 over two pages with its
/// header repeated, a 名额表 with a two-row header and spanning cells,
/// a 备案表 without header; in the PDF and in the DOCX.
#[test]
fn tables_stand_in_annexes_with_headers_and_spans() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/letter-tables.toml").unwrap();
    // Checked without the seal, whose picture the scratch folder lacks.
    let unsealed: String = text
        .lines()
        .filter(|l| !l.starts_with("seal"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (code, shown) = check("kinds-tables", &unsealed);
    assert_eq!(code, 0, "{shown}");
    let l = lay_out(&text);
    let runs = all_runs(&l);
    let header_pages: Vec<usize> = runs
        .iter()
        .filter(|(_, t)| t.text == "任务内容")
        .map(|(p, _)| *p)
        .collect();
    assert_eq!(header_pages.len(), 2, "header repeated: {header_pages:?}");
    assert_eq!(header_pages[1], header_pages[0] + 1);
    let last_row = runs.iter().find(|(_, t)| t.text == "30").unwrap();
    assert_eq!(
        last_row.0, header_pages[1],
        "the table goes on over the page"
    );
    // The spanning 「名额」 is centred over its two columns.
    let page = runs.iter().find(|(_, t)| t.text == "名额").unwrap().0;
    let (a0, _) = text_x(&l, page, "业务骨干");
    let (_, b1) = text_x(&l, page, "联络员");
    let (m0, m1) = text_x(&l, page, "名额");
    assert!(((m0 + m1) / 2.0 - (a0 + b1) / 2.0).abs() < 20.0);
    let xml = rendered_docx_xml("kinds-tables-docx", &unsealed);
    assert_eq!(xml.matches("<w:tbl>").count(), 3);
    assert!(xml.contains("<w:tblHeader/>"));
    assert!(xml.contains("<w:gridSpan w:val=\"2\"/>"));
    assert!(xml.contains("<w:vMerge w:val=\"restart\"/>"));
}

/// Documents modelled on issued ones pass their checks and lay out: a
/// 公告 on one page with its title first, a 常务会议纪要 by its 期号.
#[test]
fn issued_documents_pass_and_lay_out() {
    for (file, pages, first) in [
        ("gonggao", 1, "某某市人民政府公告"),
        ("minutes-issue", 2, "清河市人民政府常务会议纪要"),
    ] {
        let text = std::fs::read_to_string(format!("tests/fixtures/kinds/{file}.toml")).unwrap();
        let (code, shown) = check(&format!("kinds-issued-{file}"), &text);
        assert_eq!(code, 0, "{file}: {shown}");
        assert!(!shown.contains("错误:"), "{file}: {shown}");
        let l = lay_out(&text);
        assert_eq!(l.pages.len(), pages, "{file}");
        let runs = all_runs(&l);
        assert!(
            runs[0].1.text.starts_with(first),
            "{file}: {}",
            runs[0].1.text
        );
    }
}

/// The eight-agency joint notice, sealed by each agency.
fn joint_eight() -> String {
    std::fs::read_to_string("tests/fixtures/kinds/joint-eight.toml").unwrap()
}

const EIGHT: [&str; 8] = [
    "某某市教育局",
    "某某市发展改革委",
    "某某市财政局",
    "某某市人力社保局",
    "某某市卫生健康委",
    "某某市医疗保障局",
    "某某市残联",
    "共青团某某市委",
];

/// The eight-agency notice rendered to DOCX in a scratch folder with its
/// seals: the folder and the `document.xml`.
fn joint_eight_docx(case: &str) -> (std::path::PathBuf, String) {
    let dir = common::cli::scratch(case);
    std::fs::write(dir.join("data.toml"), joint_eight()).unwrap();
    common::copy_joint_seals(&dir);
    let xml = docx_in(&dir);
    (dir, xml)
}

/// Every picture of a page: (x, y, w, h).
fn seal_boxes(page: &Page) -> Vec<(f32, f32, f32, f32)> {
    page.items
        .iter()
        .filter_map(|i| match i {
            Item::Image { x, y, w, h, .. } => Some((*x, *y, *w, *h)),
            _ => None,
        })
        .collect()
}

/// GB/T 9704 7.3.5.1 for a joint document: the agencies' names side by
/// side in the order of the 版头, each seal centred on its name, the
/// last one on the 成文日期 too, no two seals touching, each row within
/// the text block, the first row's top within one line of the text.
#[test]
fn joint_seals_each_press_on_their_name_and_the_last_on_the_date() {
    let l = lay_out(&joint_eight());
    let page = (0..l.pages.len())
        .find(|&p| !seal_boxes(&l.pages[p]).is_empty())
        .expect("a page with the seals");
    let seals = seal_boxes(&l.pages[page]);
    assert_eq!(seals.len(), 8, "one seal for each agency");
    let mut rows: Vec<f32> = Vec::new();
    for (name, &(x, y, w, h)) in EIGHT.iter().zip(&seals) {
        near("印章直径", w, 42.0 * MM);
        let (left, right) = text_x(&l, page, name);
        near(
            &format!("印章居中压{name}"),
            x + w / 2.0,
            (left + right) / 2.0,
        );
        let (top, bottom) = text_box(&l, page, name);
        assert!(
            top > y + h / 2.0 && bottom < y + h,
            "{name} lies in its seal, below its centre"
        );
        assert!(
            x >= LEFT - TOLERANCE && x + w <= RIGHT + TOLERANCE,
            "每排印章两端不得超出版心: {name}"
        );
        if !rows.iter().any(|r| (r - top).abs() < 1.0) {
            rows.push(top);
        }
    }
    assert_eq!(rows.len(), 3, "eight names in rows of three, three and two");
    // The names of a row follow the 版头's order, left to right.
    for pair in EIGHT.windows(2) {
        let (a, b) = (text_box(&l, page, pair[0]).0, text_box(&l, page, pair[1]).0);
        if (a - b).abs() < 1.0 {
            assert!(text_x(&l, page, pair[0]).1 < text_x(&l, page, pair[1]).0);
        }
    }
    for (i, a) in seals.iter().enumerate() {
        for b in &seals[i + 1..] {
            let apart =
                (a.0 + a.2 < b.0 || b.0 + b.2 < a.0) || (a.1 + a.3 < b.1 || b.1 + b.3 < a.1);
            assert!(apart, "印章之间互不相交或相切: {a:?} {b:?}");
        }
    }
    let (x, y, w, h) = seals[7];
    let (date_left, date_right) = text_x(&l, page, "2025年12月18日");
    near(
        "最后一个印章居中压成文日期",
        x + w / 2.0,
        (date_left + date_right) / 2.0,
    );
    let (date_top, date_bottom) = text_box(&l, page, "2025年12月18日");
    assert!(date_top > text_box(&l, page, EIGHT[7]).1 - 1.0);
    assert!(date_bottom < y + h, "the last seal presses on the date");
    let (_, above) = text_box(&l, page, "的重要情况");
    let first_top = seals[0].1;
    assert!(
        first_top >= above - 0.5 && first_top - above <= 28.95,
        "首排印章顶端上距正文一行之内: {:.1} mm",
        (first_top - above) / MM
    );
}

/// The DOCX anchors the eight seals behind the text where the PDF draws
/// them and sets each row's names at centred tab stops.
#[test]
fn joint_seals_in_the_docx() {
    let (dir, xml) = joint_eight_docx("kinds-joint-seals");
    let anchors = xml.matches("behindDoc=\"1\"").count();
    assert_eq!(anchors, 8, "one seal for each agency, behind the text");
    for row in [&EIGHT[0..3], &EIGHT[3..6], &EIGHT[6..8]] {
        // The last paragraph naming the row's first agency (the mark
        // names it too).
        let at = xml.rfind(&format!(">{}<", row[0])).unwrap();
        let p = &xml[xml[..at].rfind("<w:p>").unwrap()..at + xml[at..].find("</w:p>").unwrap()];
        assert_eq!(
            p.matches("<w:tab w:val=\"center\"").count(),
            row.len(),
            "{p}"
        );
        for name in row {
            assert!(p.contains(&format!(">{name}<")), "{name} in its row: {p}");
        }
    }
    // Seals as many as the names, or one.
    let wrong = joint_eight().replace("  \"seal-tuanwei.svg\",\n", "");
    assert_ne!(wrong, joint_eight());
    std::fs::write(dir.join("data.toml"), &wrong).unwrap();
    let out = common::cli::run_in(&dir, &["check", "data.toml"]);
    let shown = String::from_utf8_lossy(&out.stderr);
    let line = wrong.lines().position(|l| l.starts_with("seal =")).unwrap() + 1;
    assert!(
        shown.contains("印章图片（7 个）应与发文机关署名一样多")
            && shown.contains(&format!("data.toml:{line}:")),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Eight agencies' names in the 版头 at full size fill page 1 down to the
/// red rule; set tighter and smaller they leave it the title, the 主送 and
/// three lines of the body, in the PDF and in the DOCX's rows.
#[test]
fn an_eight_agency_mark_leaves_page_one_its_title_and_body() {
    let l = lay_out(&joint_eight());
    let page_one: Vec<&str> = all_runs(&l)
        .into_iter()
        .filter(|(p, _)| *p == 0)
        .map(|(_, t)| t.text.as_str())
        .collect();
    assert!(
        page_one
            .iter()
            .any(|t| t.starts_with("某某市教育局等八部门")),
        "{page_one:?}"
    );
    let first = page_one
        .iter()
        .position(|t| t.starts_with("为深入贯彻"))
        .unwrap_or_else(|| panic!("the body starts on page 1: {page_one:?}"));
    let body_lines = page_one[first..]
        .iter()
        .filter(|t| !t.starts_with('—'))
        .count();
    assert!(body_lines >= 3, "three body lines on page 1: {page_one:?}");
    // The names' line pitch, from the first name's baseline to the last's.
    let baseline = |s: &str| {
        l.pages[0]
            .items
            .iter()
            .find_map(|i| match i {
                Item::Text(t) if t.text.starts_with(s) => Some(t.y),
                _ => None,
            })
            .unwrap()
    };
    let pitch = (baseline("共") - baseline("某")) / 7.0;
    assert!(pitch < 44.0 * 0.5, "the names set tighter: {pitch:.1} pt");

    let (dir, xml) = joint_eight_docx("kinds-joint-mark");
    let mark = &xml[..xml.find("</w:tbl>").unwrap()];
    let rows: Vec<f32> = mark
        .split("<w:trHeight w:val=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].parse::<f32>().unwrap() / 20.0)
        .collect();
    assert_eq!(rows.len(), 8);
    for r in rows {
        assert!(
            (r - pitch).abs() < 0.1,
            "a DOCX row {r} pt, the PDF's {pitch} pt"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A table stands in the 纪要's body as in the other kinds: ruled, its
/// header row repeated, in the PDF and the DOCX.
#[test]
fn minutes_take_a_table_in_the_body() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/minutes-issue.toml")
        .unwrap()
        .replace(
            "按程序报批。\",\n",
            "按程序报批。\",\n  { table = { widths = [1, 5, 3], header_rows = 1, rows = [[\"序号\", \"项目\", \"牵头单位\"], [\"1\", \"新建改扩建中小学校3所\", \"市教育局\"], [\"2\", \"老旧小区改造20个\", \"市住房城乡建设局\"]] } },\n",
        );
    assert!(text.contains("table ="), "the table is in the body");
    let (code, shown) = check("kinds-minutes-table", &text);
    assert_eq!(code, 0, "{shown}");
    let l = lay_out(&text);
    let page = (0..l.pages.len())
        .find(|&p| {
            l.pages[p]
                .items
                .iter()
                .any(|i| matches!(i, Item::Text(t) if t.text == "牵头单位"))
        })
        .expect("the table's header");
    let (header_top, _) = text_box(&l, page, "牵头单位");
    let (_, above) = text_box(&l, page, "会议听取了");
    assert!(header_top > above, "the table follows its paragraph");
    assert!(
        lines(&l.pages[page]).len() >= 4,
        "the table is ruled: {:?}",
        lines(&l.pages[page])
    );
    let xml = rendered_docx_xml("kinds-minutes-table", &text);
    let table = &xml[xml.rfind("<w:tbl>").unwrap()..];
    assert!(
        table.contains("<w:tblHeader/>") && table.contains(">老旧小区改造20个<"),
        "{table}"
    );
}

/// A table's `continued_label` stands on a line of its own above the
/// header rows repeated on each later page, and not on its first page.
#[test]
fn a_continued_table_is_labelled_above_its_repeated_header() {
    let text = std::fs::read_to_string("tests/fixtures/kinds/letter-tables.toml")
        .unwrap()
        .replace(
            "{ table = { widths = [1, 6, 3, 2], rows = [",
            "{ table = { widths = [1, 6, 3, 2], continued_label = \"续表1\", rows = [",
        );
    assert!(text.contains("续表1"));
    let l = lay_out(&text);
    let with = |s: &str| -> Vec<usize> {
        (0..l.pages.len())
            .filter(|&p| {
                l.pages[p]
                    .items
                    .iter()
                    .any(|i| matches!(i, Item::Text(t) if t.text == s))
            })
            .collect()
    };
    let headers = with("任务内容");
    let labels = with("续表1");
    assert!(headers.len() >= 3, "the table runs over pages: {headers:?}");
    assert_eq!(labels, headers[1..], "a label on each later page only");
    for &p in &labels {
        let (_, label_bottom) = text_box(&l, p, "续表1");
        let (header_top, _) = text_box(&l, p, "序号");
        assert!(label_bottom < header_top, "the label above the header");
        let (left, _) = text_x(&l, p, "续表1");
        near("续表 at the block's left edge", left, LEFT);
        // The table's top rule is under the label's line.
        let top_rule = rules_at(&l.pages[p])
            .into_iter()
            .map(|(y, ..)| y)
            .fold(f32::MAX, f32::min);
        assert!(top_rule > label_bottom, "{top_rule} {label_bottom}");
    }
}
