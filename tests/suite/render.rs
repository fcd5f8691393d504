//! The pipeline end to end on both samples, against references a person
//! can read: the document model and the laid-out pages as text.

use crate::common;

use gongwen::cmd::RenderOptions;
use gongwen::doc::{Block, Role};
use gongwen::export::Written;
use gongwen::font::FontBook;
use gongwen::template::{builtin, Template};

const SAMPLES: [&str; 2] = ["zhanlang-2020", "qinghe-market-2025"];

fn report(stem: &str) -> gongwen::annual::Report {
    common::report(format!("samples/{stem}.toml"))
}

/// A report through a template, laid out in the bundled faces and written
/// as `render` writes it by default (PDF and DOCX).
fn render_report(
    r: &gongwen::annual::Report,
    t: &Template,
) -> Result<Written, gongwen::diag::Diagnostic> {
    let doc = t.document(r)?;
    let book = FontBook::bundled();
    let laid = gongwen::layout::lay_out(&doc, &book)?;
    gongwen::export::write(&doc, &laid, &book, &RenderOptions::default().outputs)
}

fn document(stem: &str) -> gongwen::doc::Document {
    let r = report(stem);
    builtin::for_format(r.format).document(&r).expect("renders")
}

#[test]
fn model_snapshots() {
    for stem in SAMPLES {
        let doc = document(stem);
        common::assert_snapshot(
            format!("tests/snapshots/{stem}.model.txt"),
            &gongwen::doc::dump::dump(&doc),
        );
    }
}

#[test]
fn page_snapshots() {
    let book = FontBook::bundled();
    for stem in SAMPLES {
        let doc = document(stem);
        let pages = gongwen::layout::layout(&doc, &book).unwrap();
        common::assert_snapshot(
            format!("tests/snapshots/{stem}.pages.txt"),
            &gongwen::layout::frame::dump(&pages),
        );
    }
}

fn table_shapes(stem: &str) -> Vec<(usize, usize)> {
    document(stem)
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some((t.rows, t.widths.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn tables_have_the_official_shapes() {
    // formats.md: 二 18×4 / 14×4; 三 26×10 / 28×10; 四 4×15.
    assert_eq!(
        table_shapes("zhanlang-2020"),
        vec![(18, 4), (26, 10), (4, 15)]
    );
    assert_eq!(
        table_shapes("qinghe-market-2025"),
        vec![(14, 4), (28, 10), (4, 15)]
    );
    for (stem, span) in [("zhanlang-2020", 20), ("qinghe-market-2025", 22)] {
        let doc = document(stem);
        let t = doc
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::Table(t) = b {
                    Some(t)
                } else {
                    None
                }
            })
            .nth(1)
            .unwrap();
        let results = t
            .cells
            .iter()
            .find(|c| c.text == "三、本年度办理结果")
            .unwrap();
        assert_eq!((results.rowspan, results.col), (span, 0));
        let corner = &t.cells[0];
        assert_eq!(
            (corner.rowspan, corner.colspan, corner.role),
            (3, 3, Role::TableHeader)
        );
        assert!(corner.text.contains("勾稽关系"));
    }
}

#[test]
fn rendering_is_byte_identical() {
    for stem in SAMPLES {
        let r = report(stem);
        let t = builtin::for_format(r.format);
        let a = render_report(&r, &t).unwrap();
        let b = render_report(&r, &t).unwrap();
        assert_eq!(a.pdf, b.pdf, "{stem} pdf");
        assert_eq!(a.docx, b.docx, "{stem} docx");
        assert!(a.pdf.unwrap().len() < 330_000, "{stem}: PDF over 330 KB");
    }
}

/// A justified line's spacing is stated once, as the character spacing
/// `Tc`: `TJ` adjusts only glyphs whose advance differs from it (squeezed
/// punctuation, digits), not every glyph of the line.
#[test]
fn justified_lines_state_their_spacing_once() {
    use std::io::Read;
    let r = report("zhanlang-2020");
    let doc = builtin::for_format(r.format).document(&r).unwrap();
    let book = FontBook::bundled();
    let laid = gongwen::layout::lay_out(&doc, &book).unwrap();
    let glyphs: usize = laid
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| match i {
            gongwen::layout::frame::Item::Text(run) => run.glyphs.len(),
            _ => 0,
        })
        .sum();
    let pdf = gongwen::export::write(&doc, &laid, &book, &RenderOptions::default().outputs)
        .unwrap()
        .pdf
        .unwrap();
    let (mut adjustments, mut spacings) = (0, 0);
    let mut rest = &pdf[..];
    while let Some(at) = rest.windows(7).position(|w| w == b"stream\n") {
        let body = &rest[at + 7..];
        let end = body.windows(10).position(|w| w == b"\nendstream").unwrap();
        let mut content = Vec::new();
        let inflated = flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_end(&mut content)
            .is_ok();
        rest = &body[end + 10..];
        if !inflated || !content.windows(4).any(|w| w == b" Tm\n") {
            continue;
        }
        spacings += content
            .split(|&b| b == b'\n')
            .filter(|l| l.ends_with(b" Tc"))
            .count();
        // The numbers between the strings, literal or hex, of each `[…] TJ`.
        let (mut in_array, mut depth, mut escaped, mut number) = (false, 0, false, false);
        let mut hex = false;
        for &b in &content {
            if hex {
                hex = b != b'>';
                continue;
            }
            if depth > 0 {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'(') => depth += 1,
                    (false, b')') => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let digit = b.is_ascii_digit() || b == b'-' || b == b'.';
            if in_array && digit && !number {
                adjustments += 1;
            }
            number = digit;
            match b {
                b'[' => in_array = true,
                b']' => in_array = false,
                b'(' if in_array => depth = 1,
                b'<' if in_array => hex = true,
                _ => {}
            }
        }
    }
    assert!(glyphs > 2000, "{glyphs} glyphs");
    assert!(spacings > 50, "{spacings} Tc");
    assert!(
        adjustments * 8 < glyphs,
        "{adjustments} TJ adjustments for {glyphs} glyphs"
    );
}

#[test]
fn exported_template_renders_identically() {
    let dir = std::env::temp_dir().join(format!("gongwen-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    gongwen::cmd::templates::export("annual-report-2019", &dir, false).unwrap();
    let user = Template::from_dir(&dir, &gongwen::disk::Disk).unwrap();
    let r = report("zhanlang-2020");
    let a = render_report(&r, &builtin::for_format(r.format)).unwrap();
    let b = render_report(&r, &user).unwrap();
    assert_eq!(a.pdf, b.pdf);
    assert_eq!(a.docx, b.docx);
}

fn user_template(name: &str, report_html: &str) -> Template {
    let dir = std::env::temp_dir().join(format!("gongwen-tpl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report.html"), report_html).unwrap();
    Template::from_dir(&dir, &gongwen::disk::Disk).unwrap()
}

/// The error a user template gives on the zhanlang sample, as printed.
fn template_error(name: &str, report_html: &str) -> String {
    user_template(name, report_html)
        .document(&report("zhanlang-2020"))
        .unwrap_err()
        .to_string()
}

#[test]
fn template_errors_point_into_the_template() {
    let e = template_error(
        "err",
        "<h1>一</h1>\n<p>{{ report.agency | nosuchfilter }}</p>\n",
    );
    assert!(e.contains("report.html:2:"), "{e}");
    assert!(e.contains("nosuchfilter"), "{e}");

    let e = template_error(
        "markup",
        "<h1>一</h1>\n<table widths=\"1,1\"><tr><td colspan=\"3\">x</td></tr></table>\n",
    );
    assert!(e.contains("超出表格的 2 列"), "{e}");
    assert!(e.contains(":2:"), "{e}");

    let e = template_error("include", "{% include '../../etc/passwd' %}");
    assert!(e.contains("只能引用本模板目录中的文件"), "{e}");
}

#[test]
fn runaway_template_runs_out_of_fuel() {
    let e = template_error(
        "fuel",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    );
    assert!(e.contains("步数超过上限"), "{e}");
}

/// Template syntax, markup and entities a clerk might paste into any field.
const EVIL: &str = "{{ 7*7 }}{% if true %}x{% endif %}<h1>标题</h1><table>&amp;&lt;&#x41;";

/// Prefixes every text value of a data file with [`EVIL`]; returns the
/// changed file and the original texts. Keys whose values are names, dates
/// or numbers rather than text are left alone.
fn poison(value: &mut toml::Value, key: &str, originals: &mut Vec<String>) {
    match value {
        toml::Value::String(s) => {
            let not_text = ["format", "previous", "template", "date"].contains(&key)
                || s.parse::<f64>().is_ok();
            if !not_text {
                originals.push(s.clone());
                *s = format!("{EVIL}{s}");
            }
        }
        toml::Value::Array(items) => items.iter_mut().for_each(|v| poison(v, key, originals)),
        toml::Value::Table(t) => t.iter_mut().for_each(|(k, v)| poison(v, k, originals)),
        _ => {}
    }
}

fn json(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out + "\""
        }
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => {
            format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(","))
        }
        toml::Value::Table(t) => format!(
            "{{{}}}",
            t.iter()
                .map(|(k, v)| format!("{}:{}", json(&toml::Value::String(k.clone())), json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        toml::Value::Datetime(d) => format!("\"{d}\""),
    }
}

/// Every piece of text in a document, one per line.
fn all_text(doc: &gongwen::doc::Document) -> String {
    let m = &doc.meta;
    let mut out = vec![m.title.clone(), m.author.clone(), m.subject.clone()];
    out.extend(m.keywords.iter().cloned());
    for b in &doc.blocks {
        b.texts(&mut |_, t| out.push(t.to_string()));
    }
    out.join("\n")
}

#[test]
fn data_text_is_never_code_or_markup() {
    for stem in SAMPLES {
        let text = std::fs::read_to_string(format!("samples/{stem}.toml")).unwrap();
        let mut value: toml::Value = toml::from_str(&text).unwrap();
        let mut originals = Vec::new();
        poison(&mut value, "", &mut originals);
        assert!(originals.len() > 15, "{stem}: too few text fields");
        let dir = std::env::temp_dir().join(format!("gongwen-evil-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Written as JSON, which the loader reads with the same keys.
        let path = dir.join(format!("{stem}.json"));
        std::fs::write(&path, json(&value)).unwrap();
        let r = &common::report(&path);
        let doc = builtin::for_format(r.format).document(r).unwrap();
        let plain = document(stem);
        let headings = |d: &gongwen::doc::Document| {
            d.blocks
                .iter()
                .filter(|b| matches!(b, Block::Heading { .. } | Block::Table(_)))
                .count()
        };
        assert_eq!(headings(&doc), headings(&plain), "{stem}: markup got in");
        let texts = all_text(&doc);
        for o in &originals {
            let start: String = o.trim().chars().take(6).collect();
            assert!(
                texts.contains(&format!("{EVIL}{start}")),
                "{stem}: field starting {start:?} did not come through as text"
            );
        }
        assert!(!texts.contains("49"), "{stem}: template code ran");
        let rendered = render_report(r, &builtin::for_format(r.format));
        if let Err(e) = &rendered {
            panic!("{stem}: does not render: {e:?}");
        }
    }
}

#[test]
fn a_character_no_font_has_is_an_error() {
    let mut r = report("zhanlang-2020");
    r.overview[0].text = "这里有一个罕见字𪚥需要提示".into();
    let t = builtin::for_format(r.format);
    let e = render_report(&r, &t).err().unwrap().to_string();
    assert!(
        e.contains("「𪚥」") && e.contains("U+2A6A5") && e.contains("罕见字【𪚥】需要"),
        "{e}"
    );
}

/// Under a table the PDF steps down to the line grid; the DOCX gives the
/// heading after it that space before (less the table's outer rules), so
/// Word and LibreOffice put the lines after the table where the PDF does.
#[test]
fn the_docx_repeats_the_grid_step_under_a_table() {
    let r = report("zhanlang-2020");
    let t = builtin::for_format(r.format);
    let doc = t.document(&r).unwrap();
    let laid = gongwen::layout::lay_out(&doc, &FontBook::bundled()).unwrap();
    let after_table: Vec<usize> = (1..doc.blocks.len())
        .filter(|&i| matches!(doc.blocks[i - 1], Block::Table(_)))
        .collect();
    let steps: Vec<f32> = after_table
        .iter()
        .map(|&i| laid.blocks[i].grid_step)
        .collect();
    assert!(steps.iter().any(|&s| s > 1.0), "{steps:?}");
    let pitch = doc.style.page.line_pitch_pt;
    assert!(
        steps.iter().all(|&s| (0.0..pitch).contains(&s)),
        "{steps:?}"
    );

    let out = render_report(&r, &t).unwrap();
    let xml = common::document_xml(&out.docx.unwrap());
    for (&i, &step) in after_table.iter().zip(&steps) {
        let Block::Heading { text, .. } = &doc.blocks[i] else {
            continue;
        };
        let at = xml.find(text.as_str()).expect("heading in the DOCX");
        let p = &xml[xml[..at].rfind("<w:p>").unwrap()..at];
        let border = doc.style.table.border_pt;
        let want = ((step - 2.0 * border) * 20.0).floor() as i64;
        if want > 10 {
            assert!(
                p.contains(&format!("<w:spacing w:before=\"{want}\"/>")),
                "{text}: {p}"
            );
        } else {
            assert!(!p.contains("w:before"), "{text}: {p}");
        }
    }
}
