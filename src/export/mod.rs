//! Writers: PDF from laid-out frames, DOCX straight from the document model.

pub mod docx;
pub mod embed;
pub mod icc;
pub mod ofd;
pub mod pdf;
pub mod sign;
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
///
/// The parts that do not need each other run side by side (in turn where
/// there are no threads): the DOCX beside the subsets, then the faces'
/// programs, the PDF's other streams and the OFD's pages; then the PDF's
/// and the OFD's assembly. On the seed the programs are half of the
/// PDF's and DOCX's work (15 million instructions), the streams and the
/// DOCX the other half; done in turn, the rayon pool's second core only
/// ever helped with the programs.
pub fn write(
    document: &Document,
    laid: &Laid,
    book: &FontBook,
    outputs: &Outputs,
) -> Result<Written, Diagnostic> {
    let (pages, meta, epoch) = (&laid.pages, &document.meta, outputs.epoch);
    let fixed = outputs.pdf.is_some() || outputs.ofd.is_some();
    // One set of subsets for both: with exact widths when the PDF is
    // PDF/A, which the OFD does not mind. The DOCX does not need them and
    // starts at once.
    let pdfa = outputs.pdf.is_some_and(|p| p.pdfa);
    let ((faces, ((programs, streams), body)), docx) = rayon::join(
        || {
            let faces = if fixed {
                crate::font::subset::faces(pages, book, pdfa)
            } else {
                Default::default()
            };
            let made = rayon::join(
                || {
                    rayon::join(
                        || fixed.then(|| crate::font::subset::programs(&faces)),
                        || outputs.pdf.map(|_| pdf::streams(pages, &faces)),
                    )
                },
                || outputs.ofd.as_ref().map(|_| ofd::body(pages, &faces)),
            );
            (faces, made)
        },
        || {
            outputs
                .docx
                .map(|fonts| docx::write(document, book, laid, epoch, fonts))
        },
    );
    let mut written = Written::default();
    if let Some(programs) = programs {
        let subsets = crate::font::subset::Subsets {
            faces,
            programs: programs?,
        };
        let (pdf, ofd) = rayon::join(
            || {
                let (p, streams) = outputs.pdf.zip(streams)?;
                Some(streams.and_then(|s| pdf::assemble(pages, &subsets, s, meta, epoch, p.pdfa)))
            },
            || {
                let signer = outputs.ofd.as_ref()?.signer.as_deref();
                let body = body?;
                Some(ofd::assemble(pages, body, &subsets, meta, epoch, signer))
            },
        );
        written.pdf = pdf.transpose()?;
        written.ofd = ofd.transpose()?;
    }
    written.docx = docx.transpose()?;
    Ok(written)
}
