//! `--embed-fonts`: the DOCX carries TrueType subsets, obfuscated as the
//! format requires, that hold every character the document sets in them,
//! with outlines matching the original faces.

use crate::common;

use std::path::Path;

use common::unzip;

use gongwen::export::docx::{self, Fonts};
use gongwen::font::FontBook;
use gongwen::layout::lay_out;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// Entries of a ZIP written by gongwen (local headers, deflate, sizes known).
/// The DOCX of a document laid out with `book`, dated at the epoch.
fn write_docx(
    doc: &gongwen::doc::Document,
    book: &FontBook,
    fonts: Fonts,
) -> Result<Vec<u8>, gongwen::diag::Diagnostic> {
    docx::write(doc, book, &lay_out(doc, book)?, Some(0), fonts)
}

fn seed_docx() -> (gongwen::doc::Document, FontBook, Vec<u8>) {
    let r = common::report("samples/zhanlang-2020.toml");
    let doc = gongwen::template::builtin::for_format(r.format)
        .document(&r)
        .unwrap();
    let book = FontBook::bundled();
    let bytes = write_docx(&doc, &book, Fonts::Embedded).unwrap();
    (doc, book, bytes)
}

#[test]
fn embedded_fonts_carry_every_body_character_with_the_original_outlines() {
    let (doc, book, bytes) = seed_docx();
    let parts = unzip(&bytes);
    let part = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let table = String::from_utf8(part("word/fontTable.xml")).unwrap();
    let settings = String::from_utf8(part("word/settings.xml")).unwrap();
    assert!(settings.contains("<w:embedTrueTypeFonts/><w:saveSubsetFonts/>"));
    let styles = String::from_utf8(part("word/styles.xml")).unwrap();
    assert!(
        styles.contains("w:eastAsia=\"FandolFang\""),
        "styles name the embedded face"
    );

    // The body face: find its key, undo the obfuscation, read it.
    let at = table
        .find("w:name=\"FandolFang\"")
        .expect("FandolFang in the font table");
    let key_at = table[at..].find("w:fontKey=\"").unwrap() + at + 11;
    let key = &table[key_at..key_at + 38];
    let fang = docx_font(&parts, &table, "FandolFang");
    let clear = gongwen::export::embed::obfuscate(fang, key);
    let sub = FontRef::new(&clear).expect("a valid font after de-obfuscation");
    assert!(
        sub.table_data(skrifa::Tag::new(b"glyf")).is_some(),
        "TrueType outlines"
    );

    let original = &book.faces[0];
    assert_eq!(original.name, "FandolFang-Regular.otf");
    let orig = original.font_ref();
    let body: String = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            gongwen::doc::Block::Paragraph(p) => Some(
                p.runs
                    .iter()
                    .filter(|r| r.role == gongwen::doc::Role::Body)
                    .map(|r| r.text.as_str())
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect();
    let (sub_map, orig_map) = (sub.charmap(), orig.charmap());
    let sub_m = sub.glyph_metrics(Size::unscaled(), LocationRef::default());
    let orig_m = orig.glyph_metrics(Size::unscaled(), LocationRef::default());
    let mut checked = 0;
    for c in body.chars().filter(|c| orig_map.map(*c).is_some()) {
        let g = sub_map
            .map(c)
            .unwrap_or_else(|| panic!("「{c}」 missing from the subset"));
        let o = orig_map.map(c).unwrap();
        assert_eq!(
            sub_m.advance_width(g),
            orig_m.advance_width(o).map(f32::round),
            "{c}"
        );
        let (a, b) = (bounds(&sub, g), bounds(&orig, o));
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= 1.5,
                "「{c}」 outline moved: {a:?} vs {b:?}"
            );
        }
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} characters checked");
}

fn docx_font(parts: &[(String, Vec<u8>)], table: &str, family: &str) -> Vec<u8> {
    let at = table.find(&format!("w:name=\"{family}\"")).unwrap();
    let rid_at = table[at..].find("r:id=\"rIdFont").unwrap() + at + 13;
    let n: String = table[rid_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let name = format!("word/fonts/font{n}.odttf");
    parts.iter().find(|(p, _)| *p == name).unwrap().1.clone()
}

/// Extremes of a glyph's outline: the control-point box of a quadratic
/// approximation and of the cubic original agree to within rounding.
fn bounds(font: &FontRef, g: skrifa::GlyphId) -> [f32; 4] {
    struct B([f32; 4]);
    impl skrifa::outline::OutlinePen for B {
        fn move_to(&mut self, x: f32, y: f32) {
            self.add(x, y)
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.add(x, y)
        }
        fn quad_to(&mut self, _: f32, _: f32, x: f32, y: f32) {
            self.add(x, y)
        }
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, x: f32, y: f32) {
            self.add(x, y)
        }
        fn close(&mut self) {}
    }
    impl B {
        fn add(&mut self, x: f32, y: f32) {
            self.0 = [
                self.0[0].min(x),
                self.0[1].min(y),
                self.0[2].max(x),
                self.0[3].max(y),
            ];
        }
    }
    let mut b = B([f32::MAX, f32::MAX, f32::MIN, f32::MIN]);
    if let Some(o) = font.outline_glyphs().get(g) {
        let settings =
            skrifa::outline::DrawSettings::unhinted(Size::unscaled(), LocationRef::default());
        o.draw(settings, &mut b).unwrap();
    }
    b.0
}

#[test]
fn embedding_is_deterministic_and_off_by_default() {
    let (doc, book, a) = seed_docx();
    let b = write_docx(&doc, &book, Fonts::Embedded).unwrap();
    assert_eq!(a, b);
    let plain = write_docx(&doc, &book, Fonts::Official).unwrap();
    let names: Vec<String> = unzip(&plain).into_iter().map(|(n, _)| n).collect();
    assert!(!names.iter().any(|n| n.ends_with(".odttf")));
    assert!(a.len() > plain.len() + 50_000);
}

/// A copy of a bundled face whose OS/2 table says "restricted license
/// embedding" (fsType 2).
fn restricted_copy(file: &str) -> Vec<u8> {
    let mut bytes = std::fs::read(Path::new("fonts").join(file)).unwrap();
    let tables = u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
    let os2 = (0..tables)
        .map(|i| 12 + 16 * i)
        .find(|&r| &bytes[r..r + 4] == b"OS/2")
        .map(|r| u32::from_be_bytes(bytes[r + 8..r + 12].try_into().unwrap()) as usize)
        .expect("an OS/2 table");
    bytes[os2 + 8..os2 + 10].copy_from_slice(&2u16.to_be_bytes());
    bytes
}

#[test]
fn a_font_whose_licence_forbids_embedding_is_not_embedded() {
    let dir = std::env::temp_dir().join(format!("gongwen-restricted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("FandolFang-Regular.otf"),
        restricted_copy("FandolFang-Regular.otf"),
    )
    .unwrap();
    let (doc, _, _) = seed_docx();
    let book = FontBook::load(&doc.style, std::slice::from_ref(&dir)).unwrap();
    let e = write_docx(&doc, &book, Fonts::Embedded)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("不允许嵌入") && e.contains("FandolFang-Regular.otf"),
        "{e}"
    );
    // Without embedding the same fonts are fine.
    assert!(write_docx(&doc, &book, Fonts::Official).is_ok());
}

/// Official fonts are mostly TrueType: with TrueType faces in `--font-dir`
/// (here converted from the bundled ones) the PDF embeds them as
/// CIDFontType2 with their whole subset font file.
#[test]
fn truetype_faces_from_a_font_dir_are_embedded_in_the_pdf() {
    let (doc, bundled, _) = seed_docx();
    let dir = std::env::temp_dir().join(format!("gongwen-ttf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all: std::collections::BTreeSet<char> = gongwen::doc::dump::dump(&doc)
        .chars()
        .chain("0123456789— ".chars())
        .collect();
    for face in &bundled.faces {
        let ttf = gongwen::font::truetype::subset(face, &all, "Converted").unwrap();
        std::fs::write(dir.join(&face.name), ttf).unwrap();
    }
    let book = FontBook::load(&doc.style, std::slice::from_ref(&dir)).unwrap();
    assert!(book.faces.iter().all(|f| f.source.is_some()));
    let pages = gongwen::layout::layout(&doc, &book).unwrap();
    let made = gongwen::font::subset::subset(&pages, &book, false).unwrap();
    let pdf = gongwen::export::pdf::write(&pages, &made, &doc.meta, Some(0), false).unwrap();
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/CIDFontType2") && has(b"/FontFile2") && has(b"/CIDToGIDMap /Identity"));
    assert!(!has(b"/CIDFontType0C"));
}
