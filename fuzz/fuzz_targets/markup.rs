//! Template markup: any text must parse to a document or a diagnostic, and
//! a document must lay out and export to PDF and DOCX.
#![no_main]

#[path = "../replay.rs"]
mod replay;

use gongwen::diag::Source;
use gongwen::doc::StyleSheet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let src = Source::new("fuzz.html", text);
    let doc = match gongwen::markup::parse(&src, StyleSheet::gbt9704()) {
        Ok(doc) => doc,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    if let Ok(laid) = gongwen::layout::lay_out(&doc, replay::book()) {
        replay::write_both(&doc, &laid);
    }
});
