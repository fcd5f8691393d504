//! The PDF's CFF subset of a face as an OpenType font file, for the OFD:
//! GB/T 33190 embeds fonts as OpenType, and a reader finds the glyphs,
//! widths and character map there. The CFF table is the PDF's program byte
//! for byte, so its compressed form is reused: the file is written as the
//! compressed tables before it, the PDF's compressed program, and the
//! compressed tables after it, one deflate stream.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;
use write_fonts::tables::hmtx::LongMetric;
use write_fonts::tables::maxp::Maxp;
use write_fonts::types::{GlyphId, Tag};

use super::subset::{Program, Subset};
use super::truetype::Tables;
use crate::diag::Diagnostic;

/// An OpenType (CFF) font file as a raw deflate stream, with the CRC-32 and
/// length of the file it inflates to.
pub(crate) struct Packed {
    pub deflated: Vec<u8>,
    pub crc: u32,
    pub len: usize,
    /// The file itself, for a signature's digest of it.
    pub file: Vec<u8>,
}

/// `program`: the CFF subset the PDF embeds (glyph `n` = CID `n`).
pub(crate) fn opentype(subset: &Subset, program: &Program) -> Result<Packed, Diagnostic> {
    let face = subset.face;
    let cff = program.raw.as_slice();
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::error(format!("OFD 无法嵌入字体 {}: {what}: {e}", face.name))
    };
    let mut metrics = Vec::new();
    let mut mapping = Vec::new();
    for (new, (advance, text)) in subset.glyphs().enumerate() {
        metrics.push(LongMetric::new(advance.round() as u16, 0));
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if new > 0 && !mapping.iter().any(|&(m, _)| m == c) {
                mapping.push((c, GlyphId::new(new as u32)));
            }
        }
    }
    mapping.sort_by_key(|&(c, _)| c);
    let family = face.name.trim_end_matches(".otf").trim_end_matches(".ttf");
    // Version 0.5, as a CFF font's is: the glyph count only.
    let maxp = Maxp::new(metrics.len() as u16);
    let tables =
        Tables::new(face, metrics, mapping, maxp, family).map_err(|e| fail("table", &e))?;
    let mut builder = tables.builder().map_err(|e| fail("table", &e))?;
    builder.add_raw(Tag::new(b"CFF "), cff.to_vec());
    let file = builder.build();
    let len = file.len();

    // The CFF table in the file is the PDF's program: splice its deflated
    // form between the deflated bytes before and after it.
    let at = skrifa::FontRef::new(&file)
        .ok()
        .and_then(|f| {
            f.table_directory
                .table_records()
                .iter()
                .find(|r| r.tag() == Tag::new(b"CFF "))
                .map(|r| r.offset() as usize)
        })
        .filter(|&at| file.get(at..at + cff.len()) == Some(cff))
        .ok_or_else(|| fail("CFF", &"表的位置不对"))?;
    // The program's CRC is known: only the tables around it are read.
    let mut crc = crc32fast::Hasher::new();
    crc.update(&file[..at]);
    crc.combine(&crc32fast::Hasher::new_with_initial_len(
        program.crc,
        cff.len() as u64,
    ));
    crc.update(&file[at + cff.len()..]);
    let crc = crc.finalize();
    let mut deflated = Vec::with_capacity(program.sync_end + 4096);
    // The table directory before the CFF table is a few hundred bytes:
    // stored as it is, which costs nothing to make.
    for chunk in file[..at].chunks(u16::MAX as usize) {
        let n = chunk.len() as u16;
        deflated.push(0); // not the last block, stored
        deflated.extend_from_slice(&n.to_le_bytes());
        deflated.extend_from_slice(&(!n).to_le_bytes());
        deflated.extend_from_slice(chunk);
    }
    deflated.extend_from_slice(&program.zlib[2..program.sync_end]);
    let mut tail = DeflateEncoder::new(deflated, Compression::fast());
    tail.write_all(&file[at + cff.len()..])
        .expect("writing to memory");
    Ok(Packed {
        deflated: tail.finish().expect("writing to memory"),
        crc,
        len,
        file,
    })
}
