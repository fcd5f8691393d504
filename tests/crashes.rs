//! Inputs that once crashed a fuzz target (`fuzz/run`), replayed the way
//! the target runs them: each must now end in a result or a diagnostic.
//! A file's first byte chooses JSON (odd) or TOML (even) for data, as in
//! `fuzz/fuzz_targets/data.rs`.

use std::path::{Path, PathBuf};

use gongwen::diag::Source;
use gongwen::doc::StyleSheet;
use gongwen::font::FontBook;

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(format!("tests/fixtures/crashes/{target}"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn data_crashes_stay_fixed() {
    let files = inputs("data");
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let Some((&kind, rest)) = bytes.split_first() else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(rest) else {
            continue;
        };
        let name = if kind & 1 == 1 {
            "fuzz.json"
        } else {
            "fuzz.toml"
        };
        let loaded = gongwen::data::load_text(Path::new(name), text);
        let shown = loaded.diagnostics.to_string();
        assert!(
            loaded.ok().is_some() || shown.contains("错误"),
            "{}: neither a report nor an error",
            f.display()
        );
        if let Some(report) = loaded.ok() {
            let _ = gongwen::template::builtin::for_format(report.format).document(report);
        }
    }
}

#[test]
fn markup_crashes_stay_fixed() {
    let book = FontBook::bundled();
    for f in inputs("markup") {
        let text = std::fs::read_to_string(&f).unwrap();
        let src = Source::new("fuzz.html", text.as_str());
        let Ok(doc) = gongwen::markup::parse(&src, StyleSheet::gbt9704()) else {
            continue;
        };
        if let Ok(pages) = gongwen::layout::layout(&doc, &book) {
            gongwen::export::pdf::write(&pages, &book, &doc.meta, Some(0)).unwrap();
        }
        gongwen::export::docx::write(&doc, &book, Some(0), gongwen::export::docx::Fonts::Official)
            .unwrap();
    }
}
