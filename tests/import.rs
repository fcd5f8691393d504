//! `gongwen import` on published reports made by other tools
//! (`tests/fixtures/import/make.py`: python-docx, LibreOffice, pages in the
//! style of Word's web export and a site's editor) and on the seed
//! report's text: every cell and paragraph against what the source
//! printed (`truth.json`), the published errors reported by the check,
//! the data file and the messages against their references, and the next
//! year started from the imported file.

mod common;

use std::path::Path;

use common::assert_snapshot;
use common::cli::{run_in, scratch};

const DIR: &str = "tests/fixtures/import";

/// The sources of each made report.
const SOURCES: &[(&str, &str)] = &[
    ("a-2021", "docx"),
    ("a-2021", "html"),
    ("a-2021", "pdf"),
    ("b-2019", "docx"),
    ("b-2019", "html"),
    ("b-2019", "pdf"),
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
