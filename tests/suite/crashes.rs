//! Inputs that once crashed a fuzz target (`fuzz/run`), replayed the way
//! the target runs them: each must now end in a result or a diagnostic.
//! Data inputs go through the very function the `data` target calls.

#[path = "../../fuzz/replay.rs"]
mod replay;

use std::path::PathBuf;

use gongwen::diag::Source;
use gongwen::doc::StyleSheet;

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(format!("tests/fixtures/crashes/{target}"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Replays a data target's saved inputs: each must give data or an error.
fn replay_data(target: &str, run: fn(&[u8]) -> Option<replay::Loaded>) -> usize {
    let files = inputs(target);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let Some(loaded) = run(&bytes) else {
            continue;
        };
        let shown = loaded.diagnostics.to_string();
        assert!(
            loaded.ok().is_some() || shown.contains("错误"),
            "{}: neither data nor an error",
            f.display()
        );
    }
    files.len()
}

#[test]
fn data_crashes_stay_fixed() {
    assert!(replay_data("data", replay::data) > 0);
}

#[test]
fn record_crashes_stay_fixed() {
    replay_data("record", replay::record);
}

#[test]
fn markup_crashes_stay_fixed() {
    let book = replay::book();
    for f in inputs("markup") {
        let text = std::fs::read_to_string(&f).unwrap();
        let src = Source::new("fuzz.html", text.as_str());
        let Ok(doc) = gongwen::markup::parse(&src, StyleSheet::gbt9704()) else {
            continue;
        };
        if let Ok(laid) = gongwen::layout::lay_out(&doc, book) {
            let made = gongwen::font::subset::subset(&laid.pages, book, false).unwrap();
            gongwen::export::pdf::write(&laid.pages, &made, &doc.meta, Some(0), false).unwrap();
            gongwen::export::docx::write(
                &doc,
                book,
                &laid,
                Some(0),
                gongwen::export::docx::Fonts::Official,
            )
            .unwrap();
        }
    }
}
