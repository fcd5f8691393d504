//! Writers: PDF from laid-out frames, DOCX straight from the document model.

pub mod cff;
pub mod docx;
pub mod embed;
pub mod icc;
pub mod ofd;
pub mod otf;
pub mod pdf;
pub mod sign;
pub mod truetype;
pub mod zip;

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::doc::Document;
use crate::font::FontBook;
use crate::layout::Laid;

/// Which files to write from one laid-out document, each with its
/// settings, and the date they carry.
#[derive(Clone, Default)]
pub struct Outputs {
    pub pdf: Option<PdfOptions>,
    /// The DOCX, with the fonts named or embedded.
    pub docx: Option<docx::Fonts>,
    pub ofd: Option<OfdOptions>,
    /// `SOURCE_DATE_EPOCH`: the only time the files carry.
    pub epoch: Option<i64>,
}

#[derive(Clone, Copy, Default)]
pub struct PdfOptions {
    /// PDF/A-2b (ISO 19005-2 level B).
    pub pdfa: bool,
}

#[derive(Clone, Default)]
pub struct OfdOptions {
    /// Signs the OFD (GB/T 33190 clause 18).
    pub signer: Option<Arc<sign::Signer>>,
}

/// The files written, in memory.
#[derive(Default)]
pub struct Written {
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
    pub ofd: Option<Vec<u8>>,
}

/// Writes the files `outputs` asks for: the PDF and OFD from the pages,
/// the DOCX from the document with the layout's facts.
pub fn write(
    document: &Document,
    laid: &Laid,
    book: &FontBook,
    outputs: &Outputs,
) -> Result<Written, Diagnostic> {
    let (pages, meta, epoch) = (&laid.pages, &document.meta, outputs.epoch);
    let signer = |o: &OfdOptions| o.signer.clone();
    let mut written = Written::default();
    match (&outputs.pdf, &outputs.ofd) {
        (Some(p), Some(o)) => {
            let signer = signer(o);
            let (pdf, ofd) =
                pdf::write_with_ofd(pages, book, meta, epoch, p.pdfa, signer.as_deref())?;
            written.pdf = Some(pdf);
            written.ofd = Some(ofd);
        }
        (Some(p), None) => written.pdf = Some(pdf::write_as(pages, book, meta, epoch, p.pdfa)?),
        _ => {}
    }
    if let Some(fonts) = outputs.docx {
        written.docx = Some(docx::write(document, book, laid, epoch, fonts)?);
    }
    if let (None, Some(o)) = (&written.ofd, &outputs.ofd) {
        let signer = signer(o);
        written.ofd = Some(ofd::write(pages, book, meta, epoch, signer.as_deref())?);
    }
    Ok(written)
}
