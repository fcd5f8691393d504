//! The pipeline end to end on both samples, against references a person
//! can read: the document model and the laid-out pages as text.

mod common;

use std::path::Path;

use gongwen::cli::RenderOptions;
use gongwen::doc::{Block, Role};
use gongwen::font::FontBook;
use gongwen::render::{render_report, FontCache};
use gongwen::template::{builtin, Template};

const SAMPLES: [&str; 2] = ["zhanlang-2020", "qinghe-market-2025"];

fn report(stem: &str) -> gongwen::data::Report {
    let loaded = gongwen::data::load(Path::new(&format!("samples/{stem}.toml")));
    loaded.ok().expect("sample is valid").clone()
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
    let opts = RenderOptions::default();
    for stem in SAMPLES {
        let r = report(stem);
        let t = builtin::for_format(r.format);
        let a = render_report(&r, &t, &mut FontCache::default(), &opts).unwrap();
        let b = render_report(&r, &t, &mut FontCache::default(), &opts).unwrap();
        assert_eq!(a.pdf, b.pdf, "{stem} pdf");
        assert_eq!(a.docx, b.docx, "{stem} docx");
        assert!(a.pdf.unwrap().len() < 330_000, "{stem}: PDF over 330 KB");
    }
}

#[test]
fn exported_template_renders_identically() {
    let dir = std::env::temp_dir().join(format!("gongwen-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    builtin::export("annual-report-2019", &dir).unwrap();
    let user = Template::from_dir(&dir).unwrap();
    let r = report("zhanlang-2020");
    let opts = RenderOptions::default();
    let a = render_report(
        &r,
        &builtin::for_format(r.format),
        &mut FontCache::default(),
        &opts,
    )
    .unwrap();
    let b = render_report(&r, &user, &mut FontCache::default(), &opts).unwrap();
    assert_eq!(a.pdf, b.pdf);
    assert_eq!(a.docx, b.docx);
}

fn user_template(name: &str, report_html: &str) -> Template {
    let dir = std::env::temp_dir().join(format!("gongwen-tpl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report.html"), report_html).unwrap();
    Template::from_dir(&dir).unwrap()
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

#[test]
fn data_text_is_never_code_or_markup() {
    let mut r = report("zhanlang-2020");
    let evil = "{{ 7*7 }} {% if true %}x{% endif %} <h1>标题</h1> &amp; &lt;";
    r.agency = evil.into();
    r.overview[0].text = evil.into();
    r.title = vec![evil.into()];
    let doc = builtin::for_format(r.format).document(&r).unwrap();
    let Block::Title(lines) = &doc.blocks[0] else {
        panic!()
    };
    assert_eq!(lines[0], evil);
    assert_eq!(doc.meta.author, evil);
    let texts: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Paragraph(p) = b {
                Some(p.runs[0].text.as_str())
            } else {
                None
            }
        })
        .collect();
    assert!(texts.contains(&evil));
}

#[test]
fn a_character_no_font_has_is_an_error() {
    let mut r = report("zhanlang-2020");
    r.overview[0].text = "这里有一个罕见字𪚥需要提示".into();
    let t = builtin::for_format(r.format);
    let e = render_report(&r, &t, &mut FontCache::default(), &RenderOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("「𪚥」") && e.contains("U+2A6A5") && e.contains("罕见字【𪚥】需要"),
        "{e}"
    );
}
