//! OFD (GB/T 33190-2016) from the laid-out frames, as the archival profile
//! OFD-A (GB/T 42133-2022) asks: the same pages as the PDF, the same subset
//! fonts embedded (the CID-keyed CFF the PDF embeds, glyph `n` of the
//! subset being CID `n`, in an OpenType file — `font::otf`), text as
//! `TextCode` with the layout's advances and a `CGTransform` naming each
//! glyph, so it is both drawn exactly and read back as Unicode; rules and fills as paths, the seal as an image. No
//! external resources; RGB colour only. Lengths are in mm, y down.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use super::docx::esc;
use super::sign::{self, Signer};
use super::zip::Entry;
use crate::diag::Diagnostic;
use crate::doc::Meta;
use crate::font::subset::{Subset, Subsets};
use crate::font::FaceId;
use crate::frame::{Item, Page, TextRun};
use crate::picture::{Format, Picture};
use rayon::prelude::*;

const NS: &str = "xmlns:ofd=\"http://www.ofdspec.org/2016\"";
const PT: f64 = 25.4 / 72.0;

/// Millimetres to three decimals, trailing zeros dropped. Written from the
/// integer thousandths: formatting floats took a tenth of an OFD's time.
fn mm(pt: f32) -> Mm {
    Mm((f64::from(pt) * PT * 1000.0).round() as i64)
}

/// A length in thousandths of a millimetre, written by [`mm`]'s rule
/// straight into the page's XML: a string made for each of the seed's
/// 13,000 lengths was a third of the OFD's own work.
#[derive(Clone, Copy)]
struct Mm(i64);

impl Mm {
    /// Its digits, into the end of `buf`; where they start.
    fn digits(self, buf: &mut [u8; 24]) -> usize {
        let v = self.0.unsigned_abs();
        let (int, frac) = (v / 1000, v % 1000);
        let mut at = buf.len();
        if frac != 0 {
            let digits = [frac / 100, frac / 10 % 10, frac % 10].map(|d| b'0' + d as u8);
            let n = if digits[2] != b'0' {
                3
            } else if digits[1] != b'0' {
                2
            } else {
                1
            };
            at -= n;
            buf[at..at + n].copy_from_slice(&digits[..n]);
            at -= 1;
            buf[at] = b'.';
        }
        at = decimal(buf, at, int);
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        at
    }

    /// Appends it to `out` without a formatter.
    fn push_to(self, out: &mut String) {
        let mut buf = [0u8; 24];
        let at = self.digits(&mut buf);
        out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
    }
}

impl std::fmt::Display for Mm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 24];
        let at = self.digits(&mut buf);
        f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| std::fmt::Error)?)
    }
}

struct Rgb([u8; 3]);

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "{r} {g} {b}")
    }
}

fn rgb(c: [u8; 3]) -> Rgb {
    Rgb(c)
}

/// Unit ids, unique in the document as ST_ID asks.
struct Ids(u32);

impl Ids {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

/// The OFD of the pages, with the faces' subsets made by
/// [`crate::font::subset`] (for the PDF as well when both are written).
pub fn write(
    pages: &[Page],
    made: &Subsets,
    meta: &Meta,
    epoch: Option<i64>,
    signer: Option<&Signer>,
) -> Result<Vec<u8>, Diagnostic> {
    let body = body(pages, &made.faces);
    assemble(pages, body, made, meta, epoch, signer)
}

/// The OFD's pages and pictures: all that needs the subsets but not the
/// font programs, the pages' XML deflated. Made apart from the package so
/// that it runs while the programs are made, each page on any core: it is
/// most of an OFD's work (28 of 35 million instructions on the seed).
pub(crate) struct Body {
    /// Unit ids: each face's, then each picture's, then the pages'.
    ids: Ids,
    font_ids: BTreeMap<FaceId, u32>,
    media: String,
    page_list: String,
    /// Pictures' files, as they are.
    files: Vec<(String, Vec<u8>)>,
    /// Each page's XML, and it deflated with its CRC-32.
    contents: Vec<(String, Vec<u8>, Vec<u8>, u32)>,
}

pub(crate) fn body(pages: &[Page], subsets: &BTreeMap<FaceId, Subset>) -> Body {
    let mut ids = Ids(0);
    let font_ids: BTreeMap<FaceId, u32> = subsets.keys().map(|f| (*f, ids.next())).collect();

    // Pictures, each once.
    let mut pictures: Vec<(Arc<Picture>, u32)> = Vec::new();
    let mut media = String::new();
    let mut files = Vec::new();
    for picture in crate::frame::pictures(pages) {
        let id = ids.next();
        let (format, ext) = match picture.format {
            Format::Png => ("PNG", "png"),
            Format::Jpeg => ("JPEG", "jpg"),
        };
        let file = format!("image_{id}.{ext}");
        let _ = write!(
            media,
            "<ofd:MultiMedia ID=\"{id}\" Type=\"Image\" Format=\"{format}\"><ofd:MediaFile>{file}</ofd:MediaFile></ofd:MultiMedia>"
        );
        files.push((format!("Doc_0/Res/{file}"), picture.bytes.clone()));
        pictures.push((picture.clone(), id));
    }

    // Each page's first id, so that pages can be written in any order
    // with the ids they would have one after the other: the page, its
    // layer, then one per object drawn.
    let drawn = |item: &Item| match item {
        Item::Text(run) => font_ids.contains_key(&run.face),
        Item::Image { picture, .. } => pictures.iter().any(|(p, _)| Arc::ptr_eq(p, picture)),
        Item::Line { .. } | Item::Rect { .. } => true,
    };
    let mut firsts = Vec::with_capacity(pages.len());
    let mut page_list = String::new();
    for (k, page) in pages.iter().enumerate() {
        let page_id = ids.next();
        firsts.push(page_id);
        ids.0 += 1 + page.all_items().filter(|i| drawn(i)).count() as u32;
        let _ = write!(
            page_list,
            "<ofd:Page ID=\"{page_id}\" BaseLoc=\"Pages/Page_{k}/Content.xml\"/>"
        );
    }
    let contents = pages
        .par_iter()
        .zip(firsts)
        .enumerate()
        .map(|(k, (page, first))| {
            let xml = page_xml(page, Ids(first), subsets, &font_ids, &pictures).into_bytes();
            let deflated = crate::deflate::raw_fastest_onto(Vec::new(), &xml);
            let crc = crc32fast::hash(&xml);
            (
                format!("Doc_0/Pages/Page_{k}/Content.xml"),
                xml,
                deflated,
                crc,
            )
        })
        .collect();
    Body {
        ids,
        font_ids,
        media,
        page_list,
        files,
        contents,
    }
}

/// A page's Content.xml; `ids` has given the page's own id.
fn page_xml(
    page: &Page,
    mut ids: Ids,
    subsets: &BTreeMap<FaceId, Subset>,
    font_ids: &BTreeMap<FaceId, u32>,
    pictures: &[(Arc<Picture>, u32)],
) -> String {
    let layer = ids.next();
    let mut body = String::new();
    let mut rules = Rules::default();
    for (item, turned) in page.items_turned() {
        // A turned item goes onto a sheet of the page's height.
        let turn = turned.then_some(page.height);
        if !matches!(item, Item::Line { .. }) {
            rules.flush(&mut body, &mut ids);
        }
        match item {
            Item::Text(run) => {
                let Some(&font) = font_ids.get(&run.face) else {
                    continue;
                };
                let subset = &subsets[&run.face];
                text_object(&mut body, ids.next(), font, run, turn, |g| subset.cid(g));
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => {
                if rules.style != Some((*width, *color, turn)) {
                    rules.flush(&mut body, &mut ids);
                    rules.style = Some((*width, *color, turn));
                }
                rules.lines.push([*x1, *y1, *x2, *y2]);
                continue;
            }
            Item::Rect { x, y, w, h, fill } => {
                let _ = write!(body, "<ofd:PathObject ID=\"{}\"", ids.next());
                place(&mut body, (*x, *y, *w, *h), None, turn);
                let _ = write!(
                    body,
                    " Stroke=\"false\" Fill=\"true\"><ofd:FillColor Value=\"{}\"/><ofd:AbbreviatedData>M 0 0 L {w} 0 L {w} {h} L 0 {h} C</ofd:AbbreviatedData></ofd:PathObject>",
                    rgb(*fill),
                    w = mm(*w),
                    h = mm(*h),
                );
            }
            Item::Image {
                x,
                y,
                w,
                h,
                picture,
            } => {
                let Some((_, res)) = pictures.iter().find(|(p, _)| Arc::ptr_eq(p, picture)) else {
                    continue;
                };
                let _ = write!(body, "<ofd:ImageObject ID=\"{}\"", ids.next());
                place(&mut body, (*x, *y, *w, *h), Some((*w, *h)), turn);
                let _ = write!(body, " ResourceID=\"{res}\"/>");
            }
        }
    }
    rules.flush(&mut body, &mut ids);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Page {NS}><ofd:Area><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID=\"{layer}\">{body}</ofd:Layer></ofd:Content></ofd:Page>",
        mm(page.width),
        mm(page.height)
    )
}

/// Lines drawn one after another in one width and colour (a table's
/// rules, hundreds on a page): one PathObject of as many subpaths, not an
/// object each, which made two thirds of a table page's XML.
#[derive(Default)]
struct Rules {
    /// Width, colour, and the sheet height of a turned page.
    style: Option<(f32, [u8; 3], Option<f32>)>,
    lines: Vec<[f32; 4]>,
}

impl Rules {
    fn flush(&mut self, body: &mut String, ids: &mut Ids) {
        let Some((width, color, turn)) = self.style.take() else {
            return;
        };
        let pad = width / 2.0;
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &[a, b, c, d] in &self.lines {
            (x0, y0) = (x0.min(a.min(c)), y0.min(b.min(d)));
            (x1, y1) = (x1.max(a.max(c)), y1.max(b.max(d)));
        }
        let (x, y) = (x0 - pad, y0 - pad);
        let _ = write!(body, "<ofd:PathObject ID=\"{}\"", ids.next());
        place(body, (x, y, x1 - x0 + width, y1 - y0 + width), None, turn);
        let _ = write!(
            body,
            " LineWidth=\"{}\" Stroke=\"true\" Fill=\"false\"><ofd:StrokeColor Value=\"{}\"/><ofd:AbbreviatedData>",
            mm(width),
            rgb(color),
        );
        for (k, &[a, b, c, d]) in self.lines.iter().enumerate() {
            let gap = if k == 0 { "" } else { " " };
            let _ = write!(
                body,
                "{gap}M {} {} L {} {}",
                mm(a - x),
                mm(b - y),
                mm(c - x),
                mm(d - y)
            );
        }
        body.push_str("</ofd:AbbreviatedData></ofd:PathObject>");
        self.lines.clear();
    }
}

/// The OFD package from its [`body`] and the font programs.
pub(crate) fn assemble(
    pages: &[Page],
    body: Body,
    made: &Subsets,
    meta: &Meta,
    epoch: Option<i64>,
    signer: Option<&Signer>,
) -> Result<Vec<u8>, Diagnostic> {
    let (subsets, programs) = (&made.faces, &made.programs);
    let Body {
        ids,
        font_ids,
        media,
        page_list,
        files,
        contents,
    } = body;

    // Fonts: one per face used, its subset program embedded. The OpenType
    // files around the programs are made on any core, beside the PDF's
    // assembly.
    let opentype: Vec<_> = subsets
        .par_iter()
        .map(|(face, subset)| {
            let program = &programs[face];
            program
                .cff
                .then(|| crate::font::otf::opentype(subset, program))
        })
        .collect();
    let mut fonts = String::new();
    let mut font_files: Vec<(String, FaceId)> = Vec::new();
    let mut packed = BTreeMap::new();
    for ((face, subset), otf) in subsets.iter().zip(opentype) {
        let id = font_ids[face];
        let program = &programs[face];
        let file = format!("font_{id}.{}", if program.cff { "otf" } else { "ttf" });
        if let Some(otf) = otf {
            packed.insert(*face, otf?);
        }
        let name = esc(&subset.face.name);
        let _ = write!(
            fonts,
            "<ofd:Font ID=\"{id}\" FontName=\"{name}\" FamilyName=\"{name}\"><ofd:FontFile>{file}</ofd:FontFile></ofd:Font>"
        );
        font_files.push((format!("Doc_0/Res/{file}"), *face));
    }
    let mut entries: Vec<(String, Cow<[u8]>)> =
        files.into_iter().map(|(n, d)| (n, Cow::Owned(d))).collect();
    let first_page = entries.len();
    entries.extend(
        contents
            .iter()
            .map(|(n, xml, ..)| (n.clone(), Cow::Borrowed(xml.as_slice()))),
    );

    let (w, h) = pages.first().map_or((210.0, 297.0), |p| {
        (f64::from(p.width) * PT, f64::from(p.height) * PT)
    });
    let document_res = if media.is_empty() {
        String::new()
    } else {
        entries.push((
            "Doc_0/DocumentRes.xml".into(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res {NS} BaseLoc=\"Res\"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>"
            )
            .into_bytes()
            .into(),
        ));
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>".to_string()
    };
    entries.push((
        "Doc_0/PublicRes.xml".into(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res {NS} BaseLoc=\"Res\"><ofd:Fonts>{fonts}</ofd:Fonts></ofd:Res>"
        )
        .into_bytes()
        .into(),
    ));
    entries.push((
        "Doc_0/Document.xml".into(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>{}</ofd:MaxUnitID>\
             <ofd:PageArea><ofd:PhysicalBox>0 0 {w:.0} {h:.0}</ofd:PhysicalBox></ofd:PageArea>\
             <ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{document_res}</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
            ids.0
        )
        .into_bytes()
        .into(),
    ));

    // A document id from the content itself: the same input, the same id.
    let mut h = crc32fast::Hasher::new();
    for (name, data) in &entries {
        h.update(name.as_bytes());
        h.update(data);
    }
    for (name, face) in &font_files {
        h.update(name.as_bytes());
        h.update(&programs[face].crc.to_be_bytes());
    }
    let a = h.finalize();
    let b = crc32fast::hash(&a.to_be_bytes());
    let doc_id = format!(
        "{a:08x}{b:08x}{:08x}{:08x}",
        a ^ 0x5a5a_5a5a,
        b.rotate_left(7)
    );
    let date = match epoch {
        Some(secs) => {
            let (y, m, d, ..) = crate::epoch::civil_from_secs(secs);
            Some((y as i32, m, d))
        }
        None => meta.date,
    };
    let date = date.map_or(String::new(), |(y, m, d)| {
        format!("<ofd:CreationDate>{y:04}-{m:02}-{d:02}</ofd:CreationDate>")
    });
    let root = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:OFD {NS} Version=\"1.1\" DocType=\"OFD-A\"><ofd:DocBody><ofd:DocInfo>\
         <ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{}</ofd:Title><ofd:Author>{}</ofd:Author><ofd:Subject>{}</ofd:Subject>{date}\
         <ofd:Creator>gongwen</ofd:Creator><ofd:CreatorVersion>{}</ofd:CreatorVersion></ofd:DocInfo>\
         <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{}</ofd:DocBody></ofd:OFD>",
        esc(&meta.title),
        esc(&meta.author),
        esc(&meta.subject),
        env!("CARGO_PKG_VERSION"),
        if signer.is_some() {
            format!("<ofd:Signatures>{}</ofd:Signatures>", super::sign::LIST)
        } else {
            String::new()
        }
    );
    let signature;
    let mut all: Vec<(&str, Entry)> = vec![("OFD.xml", Entry::Plain(root.as_bytes()))];
    all.extend(entries.iter().enumerate().map(|(k, (n, d))| {
        // The pages' XML comes deflated already.
        let entry = match k.checked_sub(first_page).and_then(|p| contents.get(p)) {
            Some((_, xml, deflated, crc)) => Entry::Deflated {
                stream: deflated,
                crc: *crc,
                len: xml.len(),
            },
            None => Entry::Plain(d),
        };
        (n.as_str(), entry)
    }));
    for (name, face) in &font_files {
        let entry = match packed.get(face) {
            Some(otf) => Entry::Deflated {
                stream: &otf.deflated,
                crc: otf.crc,
                len: otf.len,
            },
            // A TrueType face's subset is a whole font file already.
            None => {
                let p = &programs[face];
                Entry::Zlib {
                    stream: &p.zlib,
                    crc: p.crc,
                    len: p.raw.len(),
                }
            }
        };
        all.push((name.as_str(), entry));
    }
    if let Some(signer) = signer {
        // What each entry inflates to: the XML as written, the fonts as
        // the files they are.
        let plain = entries.iter().map(|(n, d)| (n.as_str(), d.as_ref()));
        let fonts = font_files.iter().map(|(n, face)| {
            let file = match packed.get(face) {
                Some(otf) => otf.file.as_slice(),
                None => programs[face].raw.as_slice(),
            };
            (n.as_str(), file)
        });
        let protected: Vec<(String, [u8; 32])> = std::iter::once(("OFD.xml", root.as_bytes()))
            .chain(plain)
            .chain(fonts)
            .map(|(name, data)| (name.to_string(), sign::sm3(data)))
            .collect();
        signature = signer.sign(&protected, epoch, meta.date)?;
        all.extend(signature.iter().map(|(n, d)| (*n, Entry::Plain(d))));
    }
    // The pages' XML compresses well at the fastest level; the fonts
    // come compressed already.
    Ok(super::zip::write_entries(
        &all,
        crate::deflate::raw_fastest_onto,
    ))
}

/// One run as a TextObject: its box a little taller than the glyphs, the
/// baseline a font size under its top; one offset per character from the
/// layout's advances; the glyphs named through a CGTransform.
/// Writes an object's ` Boundary` (x, y, w, h in points) and ` CTM`: none,
/// or an image's (`scale`, its box). `turn`: the object is on a turned
/// page, in that page's axes, and goes onto the sheet of that height
/// turned a quarter anticlockwise: its box turned with it, and a CTM
/// turning its own axes (and an image's scale) into the box's.
fn place(
    b: &mut String,
    (x, y, w, h): (f32, f32, f32, f32),
    scale: Option<(f32, f32)>,
    turn: Option<f32>,
) {
    let boundary = match turn {
        None => [x, y, w, h],
        Some(sheet) => [y, sheet - x - w, h, w],
    };
    b.push_str(" Boundary=\"");
    for (k, v) in boundary.into_iter().enumerate() {
        if k > 0 {
            b.push(' ');
        }
        mm(v).push_to(b);
    }
    b.push('"');
    // (u, v) in a turned box's axes is (v, w - u) in the sheet's.
    let _ = match (turn, scale) {
        (None, None) => Ok(()),
        (None, Some((sw, sh))) => write!(b, " CTM=\"{} 0 0 {} 0 0\"", mm(sw), mm(sh)),
        (Some(_), None) => write!(b, " CTM=\"0 -1 1 0 0 {}\"", mm(w)),
        (Some(_), Some((sw, sh))) => {
            write!(b, " CTM=\"0 -{} {} 0 0 {}\"", mm(sw), mm(sh), mm(w))
        }
    };
}

fn text_object(
    b: &mut String,
    id: u32,
    font: u32,
    run: &TextRun,
    turn: Option<f32>,
    cid: impl Fn(u16) -> u16,
) {
    // Written piece by piece rather than by one `write!`: formatting a
    // dozen arguments for each of the seed's 1,600 runs cost 1.2 million
    // instructions more.
    let width: f32 = run.glyphs.iter().map(|g| g.advance).sum();
    let chars = run.text.chars().count();
    b.push_str("<ofd:TextObject ID=\"");
    push_int(b, id as u64);
    b.push('"');
    let boundary = (run.x, run.y - run.size, width + run.size, run.size * 1.5);
    place(b, boundary, None, turn);
    b.push_str(" Font=\"");
    push_int(b, font as u64);
    b.push_str("\" Size=\"");
    mm(run.size).push_to(b);
    b.push_str("\"><ofd:FillColor Value=\"");
    for (k, c) in run.color.into_iter().enumerate() {
        if k > 0 {
            b.push(' ');
        }
        push_int(b, c as u64);
    }
    b.push_str("\"/><ofd:CGTransform CodePosition=\"0\" CodeCount=\"");
    push_int(b, chars as u64);
    b.push_str("\" GlyphCount=\"");
    push_int(b, run.glyphs.len() as u64);
    b.push_str("\"><ofd:Glyphs>");
    for (k, g) in run.glyphs.iter().enumerate() {
        if k > 0 {
            b.push(' ');
        }
        push_int(b, cid(g.id) as u64);
    }
    b.push_str("</ofd:Glyphs></ofd:CGTransform><ofd:TextCode X=\"0\" Y=\"");
    mm(run.size).push_to(b);
    b.push_str("\" DeltaX=\"");
    // One step per character after the first; a glyph standing for several
    // characters moves on after its last one.
    let mut steps = 0;
    'glyphs: for g in &run.glyphs {
        let n = run.text[g.range.clone()].chars().count().max(1);
        for k in 0..n {
            if steps + 1 >= chars {
                break 'glyphs;
            }
            if steps > 0 {
                b.push(' ');
            }
            if k + 1 == n {
                mm(g.advance).push_to(b);
            } else {
                b.push('0');
            }
            steps += 1;
        }
    }
    b.push_str("\">");
    b.push_str(&esc(&run.text));
    b.push_str("</ofd:TextCode></ofd:TextObject>");
}

/// Appends `n` in decimal.
fn push_int(out: &mut String, n: u64) {
    let mut buf = [0u8; 24];
    let at = decimal(&mut buf, 24, n);
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

/// Writes `n`'s digits into `buf` ending before `end`; where they start.
fn decimal(buf: &mut [u8; 24], end: usize, mut n: u64) -> usize {
    let mut at = end;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

#[cfg(test)]
mod tests {
    /// The float formatting `mm` replaced, for comparison.
    fn by_float(pt: f32) -> String {
        let v = (f64::from(pt) * super::PT * 1000.0).round() / 1000.0;
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }

    #[test]
    fn mm_writes_what_float_formatting_wrote() {
        let mut x = -900.0f32;
        while x < 900.0 {
            assert_eq!(super::mm(x).to_string(), by_float(x), "{x}");
            x += 0.0137;
        }
        for x in [0.0, -0.0, 0.0001, -0.0001, 595.28, 841.89, 16.0, 0.5] {
            assert_eq!(super::mm(x).to_string(), by_float(x), "{x}");
        }
    }
}
