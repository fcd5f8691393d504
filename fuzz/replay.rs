//! What the fuzz targets do with an input, shared with `tests/suite/crashes.rs`
//! so a saved crash is replayed exactly as the target ran it.

// Each target and the test use only the part they need.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use gongwen::files::Memory;
use gongwen::font::FontBook;
pub use gongwen::input::Loaded;

/// The bundled faces, parsed once.
pub fn book() -> &'static FontBook {
    static BOOK: OnceLock<FontBook> = OnceLock::new();
    BOOK.get_or_init(FontBook::bundled)
}

/// The `data` target: the first byte chooses JSON (odd) or TOML (even), the
/// rest is the file; a report goes on through the built-in template. None
/// when the input is empty or not UTF-8.
pub fn data(bytes: &[u8]) -> Option<Loaded> {
    let (name, text) = data_file(bytes)?;
    let loaded = gongwen::input::load_text(Path::new(name), text, None, &Memory::new(), false);
    let _ = loaded.diagnostics.to_string();
    if let Some(input) = loaded.ok() {
        let _ = input.template.document(input.data.content());
    }
    Some(loaded)
}

/// The template of `tests/fixtures/schema/bulletin`, with its own schema
/// and rules, read once.
pub fn bulletin() -> &'static gongwen::template::Template {
    static T: OnceLock<gongwen::template::Template> = OnceLock::new();
    T.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = [here, here.parent().unwrap_or(here)]
            .iter()
            .map(|d| d.join("tests/fixtures/schema/bulletin"))
            .find(|d| d.is_dir())
            .expect("the bulletin template");
        gongwen::template::Template::from_dir(&dir, &gongwen::disk::Disk)
            .expect("the bulletin template reads")
    })
}

/// The `record` target: as `data`, but the file is read for a template
/// with its own schema and rules, and what passes is laid out and written.
pub fn record(bytes: &[u8]) -> Option<Loaded> {
    let (name, text) = data_file(bytes)?;
    let loaded = gongwen::input::load_text(
        Path::new(name),
        text,
        Some(bulletin()),
        &Memory::new(),
        false,
    );
    let _ = loaded.diagnostics.to_string();
    if let Some(input) = loaded.ok() {
        if let Ok(doc) = input.template.document(input.data.content()) {
            if let Ok(laid) = gongwen::layout::lay_out(&doc, book()) {
                write_both(&doc, &laid);
            }
        }
    }
    Some(loaded)
}

/// The `rules` target: the bytes before the first NUL are a rule run for
/// every item of `rows` (and its message), the rest the data file (TOML).
/// None when there is no NUL or either part is not UTF-8; Some(None) when
/// the template with that rule is refused.
pub fn rules(bytes: &[u8]) -> Option<Option<Loaded>> {
    let at = bytes.iter().position(|&b| b == 0)?;
    let rule = std::str::from_utf8(&bytes[..at]).ok()?;
    let data = std::str::from_utf8(&bytes[at + 1..]).ok()?;
    let q = gongwen::data::example::toml_string;
    let mut files = Memory::new();
    files.insert("t/report.html", "<title>规则</title>\n");
    files.insert("t/schema.json", "{\"type\": \"object\"}\n");
    files.insert(
        "t/template.toml",
        format!(
            "name = \"r\"\n\n[[check]]\nrule = {}\nmessage = {}\nfor = \"rows\"\n\n[[check]]\nrule = {}\nmessage = \"m\"\n",
            q(rule),
            q(&format!("{{{{ {rule} }}}}")),
            q(rule)
        ),
    );
    let template = match gongwen::template::Template::from_dir(Path::new("t"), &files) {
        Ok(t) => t,
        Err(d) => {
            let _ = d.to_string();
            return Some(None);
        }
    };
    let loaded = gongwen::input::load_text(
        Path::new("fuzz.toml"),
        data,
        Some(&template),
        &Memory::new(),
        false,
    );
    let _ = loaded.diagnostics.to_string();
    Some(Some(loaded))
}

/// A data file from fuzz bytes: the first byte chooses JSON (odd) or TOML
/// (even), the rest is the text. None when empty or not UTF-8.
fn data_file(bytes: &[u8]) -> Option<(&'static str, &str)> {
    let (&kind, rest) = bytes.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    Some((
        if kind & 1 == 1 {
            "fuzz.json"
        } else {
            "fuzz.toml"
        },
        text,
    ))
}

/// Both writers on a laid-out document, as `render` runs them.
pub fn write_both(doc: &gongwen::doc::Document, laid: &gongwen::layout::Laid) {
    if let Ok(made) = gongwen::font::subset::subset(&laid.pages, book(), false) {
        let _ = gongwen::export::pdf::write(&laid.pages, &made, &doc.meta, Some(0), false);
    }
    let _ = gongwen::export::docx::write(
        doc,
        book(),
        laid,
        Some(0),
        gongwen::export::docx::Fonts::Official,
    );
}
