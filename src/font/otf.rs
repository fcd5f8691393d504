//! The PDF's CFF subset of a face as an OpenType font file, for the OFD:
//! GB/T 33190 embeds fonts as OpenType, and a reader finds the glyphs,
//! widths and character map there. The CFF table is the PDF's program byte
//! for byte, so its compressed form is reused: the file ends with it, and
//! is written as the other tables compressed and flushed to a byte
//! boundary, then the PDF's compressed program, one deflate stream.

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
            if new > 0 {
                mapping.push((c, GlyphId::new(new as u32)));
            }
        }
    }
    // A character set for several glyphs maps to the first of them: the
    // sort is stable, so that one leads its run. (Searching the list for
    // each glyph was quadratic: 2.4 million instructions on the seed.)
    mapping.sort_by_key(|&(c, _)| c);
    mapping.dedup_by_key(|&mut (c, _)| c);
    let family = face.name.trim_end_matches(".otf").trim_end_matches(".ttf");
    // Version 0.5, as a CFF font's is: the glyph count only.
    let maxp = Maxp::new(metrics.len() as u16);
    let tables =
        Tables::new(face, metrics, mapping, maxp, family).map_err(|e| fail("table", &e))?;
    let mut builder = tables.builder().map_err(|e| fail("table", &e))?;
    builder.add_raw(Tag::new(b"CFF "), cff.to_vec());
    let file = cff_last(&builder.build()).ok_or_else(|| fail("CFF", &"表的位置不对"))?;
    let len = file.len();
    let at = len
        .checked_sub(cff.len())
        .filter(|&at| &file[at..] == cff)
        .ok_or_else(|| fail("CFF", &"表的位置不对"))?;
    // The program's CRC is known: only the tables before it are read.
    let mut crc = crc32fast::Hasher::new();
    crc.update(&file[..at]);
    crc.combine(&crc32fast::Hasher::new_with_initial_len(
        program.crc,
        cff.len() as u64,
    ));
    let mut deflated = crate::deflate::raw_flushed(&file[..at]);
    // The PDF's stream without its zlib header (2 bytes) and Adler-32 (4).
    deflated.extend_from_slice(&program.zlib[2..program.zlib.len() - 4]);
    Ok(Packed {
        deflated,
        crc: crc.finalize(),
        len,
        file,
    })
}

/// The font file with its CFF table moved after all the others, so that
/// the file ends with it (the program is padded to four bytes, as a last
/// table is); the table records' offsets and `head`'s checksum adjustment
/// follow. `None` if the file is not as `FontBuilder` writes it.
fn cff_last(file: &[u8]) -> Option<Vec<u8>> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(file.get(at..at + 4)?.try_into().ok()?))
    };
    let count = u16::from_be_bytes(file.get(4..6)?.try_into().ok()?) as usize;
    let record = |i: usize| 12 + 16 * i;
    let mut order: Vec<(bool, u32, usize)> = (0..count)
        .map(|i| {
            let is_cff = file.get(record(i)..record(i) + 4)? == b"CFF ";
            Some((is_cff, be32(record(i) + 8)?, i))
        })
        .collect::<Option<_>>()?;
    // By place in the file, the CFF table last.
    order.sort_unstable();
    let mut out = file.get(..record(count))?.to_vec();
    let mut head = None;
    for (_, offset, i) in order {
        let (offset, len) = (offset as usize, be32(record(i) + 12)? as usize);
        let at = out.len();
        out[record(i) + 8..record(i) + 12].copy_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(file.get(offset..offset + len)?);
        out.resize(out.len().next_multiple_of(4), 0);
        if file.get(record(i)..record(i) + 4)? == b"head" && len >= 12 {
            head = Some(at);
        }
    }
    let head = head?;
    out[head + 8..head + 12].fill(0);
    // Whole words read as such: a copy into a zeroed word for each was
    // 2.4 million instructions on the seed's five files.
    let words = out.chunks_exact(4);
    let mut last = [0u8; 4];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    let sum = words
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .fold(u32::from_be_bytes(last), u32::wrapping_add);
    out[head + 8..head + 12].copy_from_slice(&0xB1B0_AFBAu32.wrapping_sub(sum).to_be_bytes());
    Some(out)
}
