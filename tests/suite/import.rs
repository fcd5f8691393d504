//! `gongwen import` on published reports made by other tools
//! (`tests/fixtures/import/make.py`: python-docx, LibreOffice, pages in the
//! style of Word's web export and a site's editor) and on the seed
//! report's text: every cell and paragraph against what the source
//! printed (`truth.json`), the published errors reported by the check,
//! the data file and the messages against their references, and the next
//! year started from the imported file.

use std::path::Path;

use crate::common::assert_snapshot;
use crate::common::cli::{run_in, scratch};

const DIR: &str = "tests/fixtures/import";

/// The sources of each made report.
const SOURCES: &[(&str, &str)] = &[
    ("a-2021", "docx"),
    ("a-2021", "html"),
    ("a-2021", "pdf"),
    // The Word file with a highlighted and a shaded paragraph, exported again.
    ("a-2021", "shaded.pdf"),
    ("b-2019", "docx"),
    ("b-2019", "html"),
    ("b-2019", "pdf"),
    // The same PDF with copying and printing forbidden, as sites publish it.
    ("b-2019", "protected.pdf"),
    // The same PDF with each page drawn inside a form XObject.
    ("b-2019", "forms.pdf"),
];

fn truth() -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{DIR}/truth.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A TOML value as the data file writes it.
fn written(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn imported(stem: &str, ext: &str) -> toml::Table {
    let path = format!("{DIR}/{stem}.{ext}");
    let bytes = std::fs::read(&path).unwrap();
    let out =
        gongwen::import::import(Path::new(&path), &bytes).unwrap_or_else(|d| panic!("{path}: {d}"));
    out.text
        .parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{path}: the written file does not parse: {e}"))
}

/// A narrative paragraph of the data file as make.py describes one.
fn paragraph(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::json!({ "text": s }),
        toml::Value::Table(t) => {
            let mut m = serde_json::Map::new();
            for (k, v) in t {
                m.insert(k.clone(), serde_json::json!(v.as_str().unwrap()));
            }
            serde_json::Value::Object(m)
        }
        other => panic!("a paragraph is a string or a table, not {other:?}"),
    }
}

/// A table of rows, dotted keys flattened: `withheld.third_party`.
fn rows(t: &toml::Table, prefix: &str, out: &mut Vec<(String, Vec<String>)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => rows(sub, &key, out),
            toml::Value::Array(a) => out.push((key, a.iter().map(written).collect())),
            one => out.push((key, vec![written(one)])),
        }
    }
}

#[test]
fn every_cell_and_paragraph_equals_the_source() {
    let truth = truth();
    for (stem, ext) in SOURCES {
        let want = &truth[stem];
        let got = imported(stem, ext);
        let at = format!("{stem}.{ext}");
        assert_eq!(
            got["format"].as_str(),
            want["format"].as_str(),
            "{at}: format"
        );
        assert_eq!(
            got["agency"].as_str(),
            want["agency"].as_str(),
            "{at}: agency"
        );
        assert_eq!(
            got["year"].as_integer(),
            want["year"].as_i64(),
            "{at}: year"
        );
        // A title equal to the default one is left to the default.
        let default = format!(
            "{}{}年政府信息公开工作年度报告",
            want["agency"].as_str().unwrap(),
            want["year"]
        );
        let title: Vec<&str> = got
            .get("title")
            .and_then(|t| t.as_array())
            .map_or(vec![default.as_str()], |a| {
                a.iter().map(|l| l.as_str().unwrap()).collect()
            });
        let want_title: Vec<&str> = want["title"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(title, want_title, "{at}: title");
        for section in ["preamble", "overview", "problems", "other"] {
            let paras: Vec<serde_json::Value> = got
                .get(section)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().map(paragraph).collect())
                .unwrap_or_default();
            let expected = want[section].as_array().unwrap();
            assert_eq!(paras.len(), expected.len(), "{at}: {section} paragraphs");
            for (i, (p, e)) in paras.iter().zip(expected).enumerate() {
                assert_eq!(p, e, "{at}: {section} paragraph {}", i + 1);
            }
        }
        let sig = got["signature"].as_table().unwrap();
        assert_eq!(
            sig["agency"].as_str(),
            want["signature"].as_str(),
            "{at}: 署名"
        );
        assert_eq!(
            sig["date"].as_datetime().unwrap().to_string(),
            want["date"].as_str().unwrap(),
            "{at}: 成文日期"
        );
        for table in ["active", "applications", "review"] {
            let mut found = Vec::new();
            rows(got[table].as_table().unwrap(), "", &mut found);
            let expected = want[table].as_object().unwrap();
            assert_eq!(found.len(), expected.len(), "{at}: rows of [{table}]");
            for (key, values) in &found {
                let e: Vec<&str> = expected[key]
                    .as_array()
                    .unwrap_or_else(|| panic!("{at}: no row {key} in the source"))
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(values, &e, "{at}: [{table}] {key}");
            }
        }
    }
}

/// The messages of `gongwen import` with the scratch folder's path taken
/// out.
fn run_import(dir: &Path, source: &str, out: &str) -> (String, String, i32) {
    let o = run_in(dir, &["import", source, "-o", out]);
    let stderr = String::from_utf8(o.stderr).unwrap();
    let text = std::fs::read_to_string(dir.join(out)).unwrap_or_default();
    (stderr, text, o.status.code().unwrap())
}

#[test]
fn published_errors_are_reported_and_files_match_references() {
    let truth = truth();
    for (stem, ext) in SOURCES {
        let dir = scratch(&format!("import-{stem}-{ext}"));
        let name = format!("{stem}.{ext}");
        std::fs::copy(format!("{DIR}/{name}"), dir.join(&name)).unwrap();
        let (stderr, text, code) = run_import(&dir, &name, "imported.toml");
        for e in truth[stem]["errors"].as_array().unwrap() {
            let e = e.as_str().unwrap();
            assert!(stderr.contains(e), "{name}: `{e}` not reported:\n{stderr}");
        }
        assert_eq!(code, 1, "{name}: the published errors make the exit code 1");
        assert_snapshot(format!("{DIR}/expected/{name}.toml"), &text);
        assert_snapshot(format!("{DIR}/expected/{name}.out"), &stderr);
    }
}

#[test]
fn the_seed_report_text_imports_and_starts_the_next_year() {
    let dir = scratch("import-seed");
    std::fs::copy(format!("{DIR}/zhanlang-2020.txt"), dir.join("2020.txt")).unwrap();
    let (stderr, text, code) = run_import(&dir, "2020.txt", "2020.toml");
    assert_eq!(code, 0, "{stderr}");
    assert_snapshot(format!("{DIR}/expected/zhanlang-2020.txt.toml"), &text);
    assert_snapshot(format!("{DIR}/expected/zhanlang-2020.txt.out"), &stderr);
    // The sample typed by hand from the same report has the same cells.
    let sample: toml::Table = std::fs::read_to_string("samples/zhanlang-2020.toml")
        .unwrap()
        .parse()
        .unwrap();
    let got: toml::Table = text.parse().unwrap();
    for table in ["active", "applications", "review"] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        rows(got[table].as_table().unwrap(), "", &mut a);
        rows(sample[table].as_table().unwrap(), "", &mut b);
        for (key, values) in &b {
            let (_, read) = a.iter().find(|(k, _)| k == key).unwrap();
            assert_eq!(&read[..values.len()], &values[..], "[{table}] {key}");
        }
    }
    let o = run_in(&dir, &["new", "--from", "2020.toml", "-o", "2021.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let next = std::fs::read_to_string(dir.join("2021.toml")).unwrap();
    assert!(next.contains("year = 2021"), "{next}");
    assert!(next.contains("previous = \"2020.toml\""), "{next}");
    let o = run_in(&dir, &["check", "2021.toml"]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("2021.toml: 通过（湛郎街道，2021年，2021 年修订格式）"),
        "{said}"
    );
}

/// A data file with the printed 总计 taken out, as the clerk corrects an
/// imported report whose totals were wrong in print: gongwen computes them.
fn without_printed_totals(text: &str) -> String {
    let mut out = String::new();
    let mut section = "";
    for line in text.lines() {
        if line.starts_with('[') {
            section = line;
        }
        let width = match section {
            "[applications]" => 7,
            "[review]" => 5,
            _ => 0,
        };
        if width == 7 && line.starts_with("total = ") {
            continue;
        }
        let cut = line.split_once(" = [").and_then(|(key, rest)| {
            let (values, after) = rest.split_once(']')?;
            let v: Vec<&str> = values.split(", ").collect();
            (width > 0 && v.len() == width)
                .then(|| format!("{key} = [{}]{after}", v[..width - 1].join(", ")))
        });
        out += &cut.unwrap_or_else(|| line.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn an_imported_report_corrected_starts_the_next_year() {
    let dir = scratch("import-next");
    std::fs::copy(format!("{DIR}/a-2021.docx"), dir.join("2024.docx")).unwrap();
    let (stderr, text, code) = run_import(&dir, "2024.docx", "2024.toml");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("核对无误后可以用 gongwen new --from 2024.toml 开始下一年度"),
        "{stderr}"
    );
    // Refused while the published errors stand.
    let o = run_in(&dir, &["new", "--from", "2024.toml", "-o", "2025.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join("2025.toml").exists());
    std::fs::write(dir.join("2024.toml"), without_printed_totals(&text)).unwrap();
    let o = run_in(&dir, &["check", "2024.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run_in(&dir, &["new", "--from", "2024.toml", "-o", "2025.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let next: toml::Table = std::fs::read_to_string(dir.join("2025.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next["year"].as_integer(), Some(2025));
    assert_eq!(next["previous"].as_str(), Some("2024.toml"));
    let (mut active, mut applications) = (Vec::new(), Vec::new());
    rows(next["active"].as_table().unwrap(), "", &mut active);
    rows(
        next["applications"].as_table().unwrap(),
        "",
        &mut applications,
    );
    let row = |rows: &[(String, Vec<String>)], key: &str| {
        rows.iter().find(|(k, _)| k == key).unwrap().1.join(", ")
    };
    // 现行有效件数 and 结转下年度 as printed in the Word file.
    assert_eq!(row(&active, "normative_documents"), "0, 0, 5");
    assert_eq!(row(&applications, "carried_over"), "2, 0, 0, 0, 0, 0");
    assert_eq!(
        next["signature"]["agency"].as_str(),
        Some("淮安市洪泽区市场监督管理局")
    );
    let o = run_in(&dir, &["check", "2025.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn what_is_not_a_report_is_refused_and_nothing_is_written() {
    let dir = scratch("import-refused");
    let docx = std::fs::read(format!("{DIR}/a-2021.docx")).unwrap();
    let pdf = std::fs::read(format!("{DIR}/a-2021.pdf")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "locked.pdf",
            std::fs::read(format!("{DIR}/locked.pdf")).unwrap(),
        ),
        ("half.pdf", pdf[..3000].to_vec()),
        ("half.docx", docx[..5000].to_vec()),
        ("old.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest".to_vec()),
        // A form that draws itself four times: drawn to a bounded depth.
        (
            "loop.pdf",
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</XObject<</F 5 0 R>>>>>>endobj\n4 0 obj<</Length 5>>stream\n/F Do\nendstream endobj\n5 0 obj<</Type/XObject/Subtype/Form/BBox[0 0 9 9]/Resources<</XObject<</F 5 0 R>>>>/Length 23>>stream\n/F Do /F Do /F Do /F Do\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
                .to_vec(),
        ),
        ("empty.txt", Vec::new()),
        (
            "notice.txt",
            "关于召开安全生产工作会议的通知\n各科室：\n定于下周一召开会议。\n"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let mut said = String::new();
    for (name, bytes) in &cases {
        std::fs::write(dir.join(name), bytes).unwrap();
        let o = run_in(&dir, &["import", name, "-o", "out.toml"]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(!dir.join("out.toml").exists(), "{name}: a file was written");
        said += &String::from_utf8(o.stderr).unwrap();
    }
    std::fs::create_dir(dir.join("folder")).unwrap();
    let o = run_in(&dir, &["import", "folder"]);
    assert_eq!(o.status.code(), Some(2));
    said += &String::from_utf8(o.stderr).unwrap();
    assert_snapshot(format!("{DIR}/expected/refused.out"), &said);
}

#[test]
fn a_scanned_pdf_is_refused_in_chinese() {
    let dir = scratch("import-scanned");
    // A page with a picture and no text, as a scanner writes it.
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<>>>>endobj\n4 0 obj<</Length 8>>stream\nq Q 0 g\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    std::fs::write(dir.join("scan.pdf"), pdf).unwrap();
    let o = run_in(&dir, &["import", "scan.pdf"]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert_snapshot(format!("{DIR}/expected/scanned.out"), &said);
    assert!(!dir.join("scan.toml").exists());
}
