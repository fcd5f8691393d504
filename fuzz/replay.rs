//! What the fuzz targets do with an input, shared with `tests/crashes.rs`
//! so a saved crash is replayed exactly as the target ran it.

// Each target and the test use only the part they need.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use gongwen::font::FontBook;
use gongwen::input::Loaded;

/// The bundled faces, parsed once.
pub fn book() -> &'static FontBook {
    static BOOK: OnceLock<FontBook> = OnceLock::new();
    BOOK.get_or_init(FontBook::bundled)
}

/// The `data` target: the first byte chooses JSON (odd) or TOML (even), the
/// rest is the file; a report goes on through the built-in template. None
/// when the input is empty or not UTF-8.
pub fn data(bytes: &[u8]) -> Option<Loaded> {
    let (&kind, rest) = bytes.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    let name = if kind & 1 == 1 {
        "fuzz.json"
    } else {
        "fuzz.toml"
    };
    let loaded = gongwen::input::load_text(Path::new(name), text, None);
    let _ = loaded.diagnostics.to_string();
    if let Some(input) = loaded.ok() {
        let _ = input.template.document(input.data.content());
    }
    Some(loaded)
}

/// Both writers on a laid-out document, as `render` runs them.
pub fn write_both(doc: &gongwen::doc::Document, laid: &gongwen::layout::Laid) {
    let _ = gongwen::export::pdf::write(&laid.pages, book(), &doc.meta, Some(0));
    let _ = gongwen::export::docx::write(
        doc,
        book(),
        laid,
        Some(0),
        gongwen::export::docx::Fonts::Official,
    );
}
