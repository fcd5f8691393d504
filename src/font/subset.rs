//! What the pages use of each face, for the writers that embed fonts: the
//! glyphs renumbered from 0 with the text each stands for (`Subset`),
//! and each face's subset program compressed once (`Program`) for the
//! PDF and the OFD alike.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, GlyphId, MetadataProvider};
use subsetter::GlyphRemapper;

use crate::diag::Diagnostic;
use crate::font::{Face, FaceId, FontBook};
use crate::frame::{Item, Page};

/// Every face the pages use: its subset and its program.
pub struct Subsets<'a> {
    pub(crate) faces: BTreeMap<FaceId, Subset<'a>>,
    pub(crate) programs: BTreeMap<FaceId, Program>,
}

/// The subsets of the faces `pages` use, their programs made on as many
/// cores as there are. `exact_widths`: no narrow twin font (PDF/A asks
/// that the widths a font resource states match its program), squeezed
/// glyphs placed by `TJ`.
pub fn subset<'a>(
    pages: &[Page],
    book: &'a FontBook,
    exact_widths: bool,
) -> Result<Subsets<'a>, Diagnostic> {
    let faces = subsets(pages, book, exact_widths);
    let programs = programs(&faces)?;
    Ok(Subsets { faces, programs })
}

/// The first half of [`subset`]: the faces' subsets without their
/// programs, which [`programs`] makes.
pub(crate) fn faces<'a>(
    pages: &[Page],
    book: &'a FontBook,
    exact_widths: bool,
) -> BTreeMap<FaceId, Subset<'a>> {
    subsets(pages, book, exact_widths)
}

/// What a face contributes to one PDF: the glyphs used, renumbered from 0,
/// and the text each stands for.
pub(crate) struct Subset<'a> {
    pub(crate) face: &'a Face,
    pub(crate) remapper: GlyphRemapper,
    /// Original glyph → the characters it was set for (first occurrence).
    pub(crate) text: BTreeMap<u16, String>,
    /// Original glyph → its advance in font units, for every glyph of the
    /// subset.
    pub(crate) advance: BTreeMap<u16, f32>,
    /// Glyphs somewhere set narrower than their width: punctuation squeezed
    /// to fit a line. See [`is_narrow`].
    pub(crate) narrow: BTreeSet<u16>,
}

impl<'a> Subset<'a> {
    pub(crate) fn cid(&self, gid: u16) -> u16 {
        self.remapper.get(gid).unwrap_or(0)
    }

    /// The subset's glyphs in their new order (glyph `n` = CID `n`): each
    /// one's advance in font units and the text it was set for.
    pub(crate) fn glyphs(&self) -> impl Iterator<Item = (f32, &str)> + '_ {
        let upem = self.face.units_per_em;
        self.remapper.remapped_gids().map(move |old| {
            (
                self.advance.get(&old).copied().unwrap_or(upem),
                self.text.get(&old).map_or("", String::as_str),
            )
        })
    }

    /// The glyph's own advance in points at `size`.
    pub(crate) fn natural(&self, gid: u16, size: f32) -> f32 {
        let upem = self.face.units_per_em;
        self.advance.get(&gid).copied().unwrap_or(upem) / upem * size
    }
}

/// Whether a glyph is set narrower than its own width by more than a
/// twentieth of it. Such a glyph is shown from a second font resource whose
/// widths are half: text extractors take a glyph's box from the font's
/// width, and a full-width box overlapping the next character makes them
/// break the line there, so "部署，以人民" could not be found.
pub(crate) fn is_narrow(natural: f32, advance: f32) -> bool {
    advance < natural * 0.95
}

fn subsets<'a>(
    pages: &[Page],
    book: &'a FontBook,
    exact_widths: bool,
) -> BTreeMap<FaceId, Subset<'a>> {
    let mut out: BTreeMap<FaceId, Subset<'a>> = BTreeMap::new();
    let fonts: Vec<FontRef> = book.faces.iter().map(Face::font_ref).collect();
    let metrics: Vec<_> = fonts
        .iter()
        .map(|f| f.glyph_metrics(Size::unscaled(), LocationRef::default()))
        .collect();
    for page in pages {
        for item in page.all_items() {
            if let Item::Text(run) = item {
                let subset = out.entry(run.face).or_insert_with(|| Subset {
                    face: &book.faces[run.face],
                    remapper: GlyphRemapper::new(),
                    text: BTreeMap::new(),
                    // .notdef is in every subset, and needs its width too.
                    advance: BTreeMap::from([(
                        0,
                        metrics[run.face]
                            .advance_width(GlyphId::NOTDEF)
                            .unwrap_or(0.0),
                    )]),
                    narrow: BTreeSet::new(),
                });
                for g in &run.glyphs {
                    subset
                        .text
                        .entry(g.id)
                        .or_insert_with(|| run.text.get(g.range.clone()).unwrap_or("").to_string());
                    let upem = subset.face.units_per_em;
                    subset.advance.entry(g.id).or_insert_with(|| {
                        metrics[run.face]
                            .advance_width(GlyphId::new(g.id as u32))
                            .unwrap_or(upem)
                    });
                    if !exact_widths && is_narrow(subset.natural(g.id, run.size), g.advance) {
                        subset.narrow.insert(g.id);
                    }
                }
            }
        }
    }
    for subset in out.values_mut() {
        // Sorted glyph order makes the subset independent of page order.
        let gids: Vec<u16> = subset.text.keys().copied().collect();
        subset.remapper = GlyphRemapper::new_from_glyphs(&gids);
    }
    out
}

/// A face's subset program, made once for every output that embeds it:
/// zlib-compressed (a PDF stream; a ZIP entry holds its raw deflate data),
/// with the program itself and its CRC-32.
pub(crate) struct Program {
    /// Its raw deflate data, `zlib[2..len - 4]`, ends the OFD's font file
    /// (see `otf`).
    pub zlib: Vec<u8>,
    /// The program itself, for the OFD's OpenType file around it.
    pub raw: Vec<u8>,
    pub cff: bool,
    pub crc: u32,
}

/// Every face's program, on as many cores as there are.
pub(crate) fn programs(
    subsets: &BTreeMap<FaceId, Subset>,
) -> Result<BTreeMap<FaceId, Program>, Diagnostic> {
    let made: Vec<Result<Program, Diagnostic>> = subsets
        .par_iter()
        .map(|(_, s)| {
            let (raw, cff) = font_bytes(s)?;
            Ok(Program {
                zlib: crate::deflate::zlib(&raw, crate::deflate::FONT),
                cff,
                crc: crc32fast::hash(&raw),
                raw,
            })
        })
        .collect();
    subsets
        .keys()
        .zip(made)
        .map(|(f, p)| Ok((*f, p?)))
        .collect()
}

/// The subset's font program: a bare CID-keyed CFF for CFF faces (glyph
/// `n` is the subset's CID `n`), the whole subset TrueType file otherwise;
/// and whether it is CFF. A CFF program is padded with zeros to a multiple
/// of four bytes (a CFF is read through its offsets, so bytes after its
/// last structure are never read): the OFD's font file ends with it, and
/// an OpenType table is padded so.
fn font_bytes(subset: &Subset) -> Result<(Vec<u8>, bool), Diagnostic> {
    let face = subset.face;
    let fail = |what: &str| Diagnostic::error(format!("无法嵌入字体 {}: {what}", face.name));
    let font = face.font_ref();
    let cff = font.data_for_tag(skrifa::Tag::new(b"CFF "));
    if let Some(cff) = &cff {
        let order: Vec<u16> = subset.remapper.remapped_gids().collect();
        if let Some(program) = super::cff::subset_cid(cff.as_bytes(), &order) {
            return Ok((pad4(program), true));
        }
    }
    let otf = subsetter::subset(face.bytes(), 0, &subset.remapper)
        .map_err(|e| fail(&format!("{e:?}")))?;
    if cff.is_none() {
        // TrueType outlines are embedded as the whole subset font file.
        return Ok((otf, false));
    }
    let sub = FontRef::new(&otf).map_err(|_| fail("子集无法读取"))?;
    let cff = sub
        .data_for_tag(skrifa::Tag::new(b"CFF "))
        .ok_or_else(|| fail("子集中没有 CFF 表"))?;
    Ok((pad4(cff.as_bytes().to_vec()), true))
}

fn pad4(mut program: Vec<u8>) -> Vec<u8> {
    program.resize(program.len().next_multiple_of(4), 0);
    program
}
