//! Data files: any bytes as TOML or JSON must give a report or diagnostics,
//! and a report must go through the built-in template.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&kind, rest)) = bytes.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = if kind & 1 == 1 {
        "fuzz.json"
    } else {
        "fuzz.toml"
    };
    let loaded = gongwen::data::load_text(Path::new(name), text);
    let _ = loaded.diagnostics.to_string();
    if let Some(report) = loaded.ok() {
        let _ = gongwen::template::builtin::for_format(report.format).document(report);
    }
});
