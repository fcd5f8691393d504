//! The markup's error messages, pinned: every `tests/fixtures/markup/*.html`
//! is parsed as a template's output and its message compared with the
//! `.expected` beside it (`BLESS=1` rewrites them). A template author sees
//! these, so what they say and where they point must not drift.

use std::path::PathBuf;

use crate::common::assert_snapshot;
use gongwen::diag::Source;
use gongwen::doc::StyleSheet;

#[test]
fn markup_errors_say_what_and_where() {
    let dir = std::path::Path::new("tests/fixtures/markup");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    for path in cases {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let src = Source::new(name.as_str(), text.as_str());
        let message = match gongwen::markup::parse(&src, StyleSheet::gbt9704()) {
            Ok(_) => panic!("{name}: parsed without an error"),
            Err(d) => d.to_string(),
        };
        assert!(message.contains("错误"), "{name}: {message}");
        assert_snapshot(path.with_extension("expected"), &message);
    }
}
