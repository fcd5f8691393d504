//! DOCX placeholder.
use crate::diag::Diagnostic;
use crate::doc::Document;
use crate::font::FontBook;

pub fn write(
    _doc: &Document,
    _book: &FontBook,
    _embed: bool,
    _epoch: Option<i64>,
) -> Result<Vec<u8>, Diagnostic> {
    Ok(Vec::new())
}
