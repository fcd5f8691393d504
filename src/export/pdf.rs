//! PDF from frames, written with pdf-writer: each face is embedded as a
//! CID-keyed CFF subset (subsetter) with a ToUnicode map built from the
//! source text of every glyph, so the text layer copies and searches
//! exactly. Nothing depends on the clock or on hash order: the same frames
//! give the same bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use pdf_writer::types::{CidFontType, FontFlags, OutputIntentSubtype, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rayon::prelude::*;
use skrifa::raw::TableProvider;
use skrifa::MetadataProvider;

use crate::diag::Diagnostic;
use crate::doc::Meta;
use crate::font::subset::{is_narrow, Subset, Subsets};
use crate::font::{Face, FaceId};
use crate::frame::{Item, Page, TextRun};
use crate::picture::{Format, Picture};

const IDENTITY: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

fn deflate(data: &[u8]) -> Vec<u8> {
    crate::deflate::zlib(data, crate::deflate::TEXT)
}

/// A six-letter subset tag from the glyphs used, as PDF asks for.
fn subset_tag(gids: impl Iterator<Item = u16>) -> String {
    let mut h = crc32fast::Hasher::new();
    for g in gids {
        h.update(&g.to_le_bytes());
    }
    let mut n = h.finalize();
    (0..6)
        .map(|_| {
            let c = (b'A' + (n % 26) as u8) as char;
            n /= 26;
            c
        })
        .collect()
}

/// The PDF of the pages, with the faces' subsets made for it (and for the
/// OFD) by [`crate::font::subset`]; `pdfa`: as PDF/A-2b (ISO 19005-2
/// level B), whose subsets were made with exact widths.
pub fn write(
    pages: &[Page],
    made: &Subsets,
    meta: &Meta,
    epoch: Option<i64>,
    pdfa: bool,
) -> Result<Vec<u8>, Diagnostic> {
    let streams = streams(pages, &made.faces)?;
    assemble(pages, made, streams, meta, epoch, pdfa)
}

/// The PDF's compressed streams that need the subsets but not the font
/// programs: each page's content, each picture's pixels and mask, each
/// face's ToUnicode map. Made apart from the file's assembly so that they
/// can be deflated while the font programs are, on another core.
pub(crate) struct Streams {
    contents: Vec<Vec<u8>>,
    /// The data and filter of each picture, and its deflated mask.
    pictures: Vec<(Vec<u8>, Filter, Option<Vec<u8>>)>,
    cmaps: BTreeMap<FaceId, Vec<u8>>,
}

pub(crate) fn streams(
    pages: &[Page],
    subsets: &BTreeMap<FaceId, Subset>,
) -> Result<Streams, Diagnostic> {
    let pictures = crate::frame::pictures(pages);
    let contents: Result<Vec<Vec<u8>>, Diagnostic> = pages
        .par_iter()
        .map(|page| Ok(deflate(&page_content(page, subsets, &pictures)?)))
        .collect();
    let pictures = pictures
        .iter()
        .map(|p| {
            let (data, filter) = match p.format {
                Format::Jpeg => (p.bytes.clone(), Filter::DctDecode),
                Format::Png => (deflate(&p.pixels), Filter::FlateDecode),
            };
            (data, filter, p.alpha.as_ref().map(|a| deflate(a)))
        })
        .collect();
    let cmaps = subsets
        .iter()
        .map(|(face, subset)| (*face, deflate(&to_unicode(subset))))
        .collect();
    Ok(Streams {
        contents: contents?,
        pictures,
        cmaps,
    })
}

/// The PDF from its streams made by [`streams`] and the font programs.
pub(crate) fn assemble(
    pages: &[Page],
    made: &Subsets,
    streams: Streams,
    meta: &Meta,
    epoch: Option<i64>,
    pdfa: bool,
) -> Result<Vec<u8>, Diagnostic> {
    let (subsets, programs) = (&made.faces, &made.programs);
    let Streams {
        contents,
        pictures: picture_data,
        cmaps,
    } = streams;
    let mut pdf = Pdf::new();
    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();

    let font_ids: BTreeMap<FaceId, Ref> = subsets.keys().map(|&f| (f, alloc())).collect();
    let narrow_ids: BTreeMap<FaceId, Ref> = subsets
        .iter()
        .filter(|(_, s)| !s.narrow.is_empty())
        .map(|(&f, _)| (f, alloc()))
        .collect();

    // Each picture once, however many times it is drawn.
    let pictures: Vec<(&Arc<Picture>, Ref)> = crate::frame::pictures(pages)
        .into_iter()
        .map(|p| (p, alloc()))
        .collect();
    for ((picture, id), data) in pictures.iter().zip(picture_data) {
        write_picture(&mut pdf, &mut alloc, *id, picture, data);
    }

    let mut page_ids = Vec::new();
    for (page, content) in pages.iter().zip(&contents) {
        let page_id = alloc();
        let content_id = alloc();
        page_ids.push(page_id);
        pdf.stream(content_id, content).filter(Filter::FlateDecode);
        let mut p = pdf.page(page_id);
        p.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, page.width, page.height))
            .contents(content_id);
        if !page.turned.is_empty() {
            // Shown turned a quarter clockwise, so that a viewer shows
            // the 横排 text upright; printed as the portrait sheet it is.
            p.rotate(90);
        }
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (face, id) in &font_ids {
            fonts.pair(Name(font_name(*face, false).as_bytes()), *id);
        }
        for (face, id) in &narrow_ids {
            fonts.pair(Name(font_name(*face, true).as_bytes()), *id);
        }
        fonts.finish();
        let used: Vec<usize> = (0..pictures.len())
            .filter(|&k| {
                page.all_items().any(
                    |i| matches!(i, Item::Image { picture, .. } if Arc::ptr_eq(picture, pictures[k].0)),
                )
            })
            .collect();
        if !used.is_empty() {
            let mut x = resources.x_objects();
            for k in used {
                x.pair(Name(picture_name(k).as_bytes()), pictures[k].1);
            }
        }
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);

    for (face, subset) in subsets {
        let ids = (font_ids[face], narrow_ids.get(face).copied());
        write_font(
            &mut pdf,
            &mut alloc,
            ids,
            subset,
            &cmaps[face],
            &programs[face].zlib,
        )?;
    }

    let creator = format!("gongwen {}", env!("CARGO_PKG_VERSION"));
    let date = document_date(meta, epoch);
    let archival = if pdfa {
        let (xmp_id, icc_id) = (alloc(), alloc());
        let xmp = xmp(meta, &creator, epoch);
        // Metadata unfiltered, so that any reader finds the PDF/A claim.
        pdf.metadata(xmp_id, xmp.as_bytes());
        let icc = deflate(super::icc::srgb());
        pdf.icc_profile(icc_id, &icc)
            .n(3)
            .filter(Filter::FlateDecode);
        Some((xmp_id, icc_id))
    } else {
        None
    };
    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id).lang(TextStr(&meta.language));
    catalog.viewer_preferences().display_doc_title(true);
    if let Some((xmp_id, icc_id)) = archival {
        catalog.metadata(xmp_id);
        catalog
            .output_intents()
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(icc_id);
    }
    catalog.finish();

    let keywords = meta.keywords.join(", ");
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&meta.title))
        .author(TextStr(&meta.author))
        .subject(TextStr(&meta.subject))
        .keywords(TextStr(&keywords))
        .creator(TextStr(&creator))
        .producer(TextStr(&creator));
    if let Some(date) = date {
        info.creation_date(date);
        if pdfa {
            // xmp:ModifyDate is written, and the two must agree.
            info.modified_date(date);
        }
    }
    info.finish();

    // A file identifier from the content itself: stable across runs.
    let mut id = Vec::new();
    for seed in [0u32, 1, 2, 3] {
        let mut h = crc32fast::Hasher::new_with_initial(seed.wrapping_mul(0x9E37_79B9));
        h.update(pdf.as_bytes());
        id.extend(h.finalize().to_be_bytes());
    }
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}

fn font_name(face: FaceId, narrow: bool) -> String {
    format!("F{face}{}", if narrow { "n" } else { "" })
}

fn picture_name(k: usize) -> String {
    format!("Im{k}")
}

/// An image XObject: a JPEG as it is, a PNG's pixels compressed, with its
/// transparency as a soft mask.
fn write_picture(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    id: Ref,
    p: &Picture,
    (data, filter, mask): (Vec<u8>, Filter, Option<Vec<u8>>),
) {
    let mask = mask.map(|alpha| (alloc(), alpha));
    let mut image = pdf.image_xobject(id, &data);
    image.filter(filter);
    image
        .width(p.width as i32)
        .height(p.height as i32)
        .bits_per_component(8);
    if p.channels == 1 {
        image.color_space().device_gray();
    } else {
        image.color_space().device_rgb();
    }
    if let Some((mask_id, _)) = &mask {
        image.s_mask(*mask_id);
    }
    image.finish();
    if let Some((mask_id, alpha)) = mask {
        let mut m = pdf.image_xobject(mask_id, &alpha);
        m.filter(Filter::FlateDecode);
        m.width(p.width as i32)
            .height(p.height as i32)
            .bits_per_component(8);
        m.color_space().device_gray();
    }
}

fn page_content(
    page: &Page,
    subsets: &BTreeMap<FaceId, Subset>,
    pictures: &[&Arc<Picture>],
) -> Result<Vec<u8>, Diagnostic> {
    let mut c = Content::new();
    let mut h = page.height;
    let mut fill: Option<[u8; 3]> = None;
    let mut set_fill = |c: &mut Content, rgb: [u8; 3]| {
        if fill != Some(rgb) {
            let f = |v: u8| v as f32 / 255.0;
            c.set_fill_rgb(f(rgb[0]), f(rgb[1]), f(rgb[2]));
            fill = Some(rgb);
        }
    };
    let mut line_width: Option<f32> = None;
    // Black is the stroke colour a content stream starts with.
    let mut stroke: Option<[u8; 3]> = Some([0, 0, 0]);
    let mut turning = false;
    // The character spacing (`Tc`) in force: 0 as a content stream starts.
    let mut spacing = 0.0f32;
    for (item, turn) in page.items_turned() {
        if turn && !turning {
            // The turned page's items, drawn in its own axes (the page
            // as high as the sheet is wide) and turned onto the sheet.
            turning = true;
            c.save_state();
            c.transform(page.turn_matrix());
            h = page.width;
        }
        match item {
            Item::Rect {
                x,
                y,
                w,
                h: rh,
                fill,
            } => {
                set_fill(&mut c, *fill);
                c.rect(*x, h - y - rh, *w, *rh).fill_nonzero();
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => {
                if stroke != Some(*color) {
                    let f = |v: u8| v as f32 / 255.0;
                    c.set_stroke_rgb(f(color[0]), f(color[1]), f(color[2]));
                    stroke = Some(*color);
                }
                if line_width != Some(*width) {
                    c.set_line_width(*width);
                    line_width = Some(*width);
                }
                c.move_to(*x1, h - y1).line_to(*x2, h - y2).stroke();
            }
            Item::Image {
                x,
                y,
                w,
                h: ih,
                picture,
            } => {
                let k = pictures
                    .iter()
                    .position(|p| Arc::ptr_eq(p, picture))
                    .ok_or_else(|| Diagnostic::error("PDF: 图片未登记"))?;
                c.save_state();
                c.transform([*w, 0.0, 0.0, *ih, *x, h - y - ih]);
                c.x_object(Name(picture_name(k).as_bytes()));
                c.restore_state();
            }
            Item::Text(run) => {
                set_fill(&mut c, run.color);
                let subset = subsets
                    .get(&run.face)
                    .ok_or_else(|| Diagnostic::error("PDF: 字体未登记"))?;
                text_run(&mut c, run, subset, h, &mut spacing);
            }
        }
    }
    if turning {
        c.restore_state();
    }
    Ok(c.finish().into_vec())
}

/// One run as `TJ`: glyphs as two-byte CIDs. The spacing most of its
/// glyphs have past their own widths (a justified line's) is the character
/// spacing `Tc`, which `spacing` holds between runs; a `TJ` adjustment goes
/// only where a glyph's advance differs from that (squeezed punctuation,
/// a narrow glyph), so a line is not a number after every glyph.
fn text_run(c: &mut Content, run: &TextRun, subset: &Subset, page_height: f32, spacing: &mut f32) {
    // Each glyph's width as the chosen font resource states it, and whether
    // that is the narrow one.
    let widths: Vec<(bool, f32)> = run
        .glyphs
        .iter()
        .map(|g| {
            let natural = subset.natural(g.id, run.size);
            if subset.narrow.contains(&g.id) && is_narrow(natural, g.advance) {
                (true, natural / 2.0)
            } else {
                (false, natural)
            }
        })
        .collect();
    let extra = |k: usize| run.glyphs[k].advance - widths[k].1;
    // The commonest spacing, to a thousandth of a point; the last glyph's
    // shows nowhere.
    let mut counts: Vec<(i32, usize, f32)> = Vec::new();
    for k in 0..run.glyphs.len().saturating_sub(1) {
        let e = extra(k);
        let key = (e * 1000.0).round() as i32;
        match counts.iter_mut().find(|(q, ..)| *q == key) {
            Some((_, n, _)) => *n += 1,
            None => counts.push((key, 1, e)),
        }
    }
    let common = counts
        .iter()
        .max_by_key(|(_, n, _)| *n)
        .map_or(*spacing, |(.., e)| *e);
    if (common - *spacing).abs() > 1e-4 {
        c.set_char_spacing(common);
        *spacing = common;
    }
    c.begin_text();
    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, run.x, page_height - run.y]);
    let mut start = 0;
    while start < run.glyphs.len() {
        let narrow = widths[start].0;
        let end = (start..run.glyphs.len())
            .find(|&k| widths[k].0 != narrow)
            .unwrap_or(run.glyphs.len());
        c.set_font(Name(font_name(run.face, narrow).as_bytes()), run.size);
        let mut tj = c.show_positioned();
        let mut items = tj.items();
        let mut pending: Vec<u8> = Vec::new();
        for (g, (_, width)) in run.glyphs[start..end].iter().zip(&widths[start..end]) {
            pending.extend(subset.cid(g.id).to_be_bytes());
            // TJ numbers are thousandths of the font size, positive moving left.
            let adjust = (width + *spacing - g.advance) / run.size * 1000.0;
            if adjust.abs() > 0.01 {
                items.show(Str(&pending));
                pending.clear();
                items.adjust(adjust);
            }
        }
        if !pending.is_empty() {
            items.show(Str(&pending));
        }
        drop(items);
        drop(tj);
        start = end;
    }
    c.end_text();
}

/// CFF outlines (the Fandol faces) or TrueType ones (most official fonts
/// such as 仿宋_GB2312), which PDF embeds differently.
fn is_cff(face: &Face) -> bool {
    face.font_ref()
        .data_for_tag(skrifa::Tag::new(b"CFF "))
        .is_some()
}

fn write_font(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    (type0_id, narrow_id): (Ref, Option<Ref>),
    subset: &Subset,
    cmap: &[u8],
    program: &[u8],
) -> Result<(), Diagnostic> {
    let face = subset.face;
    let fail = |what: &str| Diagnostic::error(format!("PDF 无法嵌入字体 {}: {what}", face.name));
    let font = face.font_ref();

    let tag = subset_tag(subset.text.keys().copied());
    let ps = font
        .localized_strings(skrifa::string::StringId::POSTSCRIPT_NAME)
        .english_or_first()
        .map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_graphic())
                .collect::<String>()
        })
        .unwrap_or_else(|| "Font".into());
    let base = format!("{tag}+{ps}");
    let to_1000 = |v: f32| v * 1000.0 / face.units_per_em;

    let (descriptor_id, cmap_id, file_id) = (alloc(), alloc(), alloc());
    let cff = is_cff(face);

    // Widths by CID, in the order the remapper gave CIDs.
    let mut by_cid: Vec<(u16, u16, f32)> = subset
        .advance
        .iter()
        .map(|(&g, &w)| (subset.cid(g), g, to_1000(w)))
        .collect();
    by_cid.sort_by_key(|&(cid, _, _)| cid);

    // The font as drawn, and its narrow twin (same program, descriptor and
    // ToUnicode map; squeezed glyphs at half width).
    for (id, narrow) in std::iter::once((type0_id, false)).chain(narrow_id.map(|n| (n, true))) {
        let cid_id = alloc();
        let suffix = if narrow { "-Narrow" } else { "" };
        pdf.type0_font(id)
            .base_font(Name(format!("{base}{suffix}-Identity-H").as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);
        let mut cid_font = pdf.cid_font(cid_id);
        cid_font
            .subtype(if cff {
                CidFontType::Type0
            } else {
                CidFontType::Type2
            })
            .base_font(Name(base.as_bytes()))
            .system_info(IDENTITY)
            .font_descriptor(descriptor_id)
            .default_width(1000.0);
        if !cff {
            cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        {
            let mut w = cid_font.widths();
            for &(cid, g, width) in &by_cid {
                let width = if narrow && subset.narrow.contains(&g) {
                    width / 2.0
                } else {
                    width
                };
                if width.round() != 1000.0 {
                    w.consecutive(cid, [width.round()]);
                }
            }
        }
        cid_font.finish();
    }

    let head = font.head().map_err(|_| fail("head"))?;
    let os2 = font.os2().ok();
    let cap = os2
        .as_ref()
        .and_then(|o| o.s_cap_height())
        .map(f32::from)
        .unwrap_or(face.ascender);
    let weight = os2.as_ref().map_or(400.0, |o| o.us_weight_class() as f32);
    let mut flags = FontFlags::SYMBOLIC;
    if ps.contains("Song") || ps.contains("Fang") {
        flags |= FontFlags::SERIF;
    }
    let mut descriptor = pdf.font_descriptor(descriptor_id);
    descriptor
        .name(Name(base.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            to_1000(head.x_min() as f32),
            to_1000(head.y_min() as f32),
            to_1000(head.x_max() as f32),
            to_1000(head.y_max() as f32),
        ))
        .italic_angle(0.0)
        .ascent(to_1000(face.ascender))
        .descent(to_1000(face.descender))
        .cap_height(to_1000(cap))
        .stem_v(10.0 + 0.244 * (weight - 50.0));
    if cff {
        descriptor.font_file3(file_id);
    } else {
        descriptor.font_file2(file_id);
    }
    descriptor.finish();

    pdf.cmap(cmap_id, cmap).filter(Filter::FlateDecode);

    let mut stream = pdf.stream(file_id, program);
    stream.filter(Filter::FlateDecode);
    if cff {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    }
    Ok(())
}

/// The face's ToUnicode map: each glyph's CID to the text it was set for.
fn to_unicode(subset: &Subset) -> Vec<u8> {
    let mut cmap = UnicodeCmap::new(
        Name(b"Adobe-Identity-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (gid, text) in &subset.text {
        if !text.is_empty() {
            cmap.pair_with_multiple(subset.cid(*gid), text.chars());
        }
    }
    cmap.finish().into_vec()
}

/// `SOURCE_DATE_EPOCH` wins; else the document's own date; never the clock.
/// The XMP packet of a PDF/A-2b file: the claim (part 2, conformance B)
/// and the same title, author, subject, keywords, tool and dates as the
/// Info dictionary (ISO 19005-2 6.6.3 asks that they agree).
fn xmp(meta: &Meta, creator: &str, epoch: Option<i64>) -> String {
    let e = super::docx::esc;
    let date = match (epoch, meta.date) {
        (Some(secs), _) => {
            let (y, m, d, hh, mm, ss) = crate::epoch::civil_from_secs(secs);
            Some(format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z"))
        }
        (None, Some((y, m, d))) => Some(format!("{y:04}-{m:02}-{d:02}T00:00:00+08:00")),
        (None, None) => None,
    };
    let dates = date.map_or(String::new(), |d| {
        format!("<xmp:CreateDate>{d}</xmp:CreateDate><xmp:ModifyDate>{d}</xmp:ModifyDate>")
    });
    let lang = e(&meta.language);
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\
<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\
<dc:format>application/pdf</dc:format>\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\
<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\
<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\
<pdf:Keywords>{}</pdf:Keywords><pdf:Producer>{}</pdf:Producer>\
<xmp:CreatorTool>{}</xmp:CreatorTool>{dates}\
</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>",
        e(&meta.title),
        e(&meta.author),
        e(&meta.subject),
        e(&meta.keywords.join(", ")),
        e(creator),
        e(creator),
    )
}

fn document_date(meta: &Meta, epoch: Option<i64>) -> Option<Date> {
    if let Some(secs) = epoch {
        let (y, m, d, hh, mm, ss) = crate::epoch::civil_from_secs(secs);
        return Some(
            Date::new(y.clamp(0, 9999) as u16)
                .month(m as u8)
                .day(d as u8)
                .hour(hh as u8)
                .minute(mm as u8)
                .second(ss as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        );
    }
    let (y, m, d) = meta.date?;
    Some(
        Date::new(y.clamp(0, 9999) as u16)
            .month(m as u8)
            .day(d as u8)
            .utc_offset_hour(8)
            .utc_offset_minute(0),
    )
}
