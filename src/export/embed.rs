//! Fonts embedded in a DOCX (`--embed-fonts`): which characters each face
//! must carry, what the document calls it, and the obfuscation the Office
//! Open XML format requires of embedded fonts.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostic;
use crate::doc::{Document, Role, StyleSheet};
use skrifa::raw::TableProvider;

use crate::font::{FaceId, FontBook, Shaper};

pub struct EmbeddedFont {
    /// The family name the document and the font's name table use.
    pub family: String,
    /// `{GUID}` whose bytes obfuscate the font, stored in the font table.
    pub key: String,
    pub obfuscated: Vec<u8>,
}

pub struct Embedded {
    /// The document's style with every family renamed to its embedded font.
    pub style: StyleSheet,
    pub fonts: Vec<EmbeddedFont>,
}

impl Embedded {
    /// `word/_rels/fontTable.xml.rels`: `rIdFont<n>` → `fonts/font<n>.odttf`.
    pub fn rels(&self) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
        );
        for i in 1..=self.fonts.len() {
            s += &format!(
                "<Relationship Id=\"rIdFont{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/font\" Target=\"fonts/font{i}.odttf\"/>"
            );
        }
        s + "</Relationships>"
    }
}

/// Name of an embedded face: its file name without extension and the
/// "-Regular" that says nothing ("FandolFang", "FandolSong-Bold").
fn family_name(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    stem.trim_end_matches("-Regular").to_string()
}

/// Characters set in each face, following the layout's fallback: a
/// character the role's face lacks goes to the first face that has it.
fn characters(doc: &Document, book: &FontBook) -> BTreeMap<FaceId, BTreeSet<char>> {
    let mut by_role: Vec<(Role, String)> = Vec::new();
    for b in &doc.blocks {
        b.texts(&mut |role, text| by_role.push((role, text.to_string())));
    }
    // Page numbers: the pattern's dashes and spaces and every digit.
    by_role.push((
        Role::PageNumber,
        doc.style.page.page_number.replace("{}", "0123456789"),
    ));
    let shapers: Vec<Shaper> = book.faces.iter().map(Shaper::new).collect();
    let mut out: BTreeMap<FaceId, BTreeSet<char>> = BTreeMap::new();
    for (role, text) in by_role {
        let first = book.face_for(&doc.style, role);
        for c in text.chars().filter(|c| !c.is_control()) {
            if let Some(f) = book
                .fallback_order(first)
                .find(|&f| shapers[f].glyph(c).is_some())
            {
                out.entry(f).or_default().insert(c);
            }
        }
    }
    out
}

pub fn embed(doc: &Document, book: &FontBook) -> Result<Embedded, Diagnostic> {
    let chars = characters(doc, book);
    let mut style = doc.style.clone();
    let mut fonts = Vec::new();
    let mut family_of: BTreeMap<FaceId, String> = BTreeMap::new();
    for (&face, set) in &chars {
        let f = &book.faces[face];
        // OS/2 fsType 2 is "restricted license embedding": the font's
        // licence forbids putting it into documents.
        if f.font_ref().os2().is_ok_and(|os2| os2.fs_type() & 0xF == 2) {
            let d = Diagnostic::error(format!(
                "字体 {} 的授权不允许嵌入文档（OS/2 fsType 为“受限”）",
                f.name
            ))
            .hint("去掉 --embed-fonts，或改用允许嵌入的字体");
            return Err(match &f.source {
                Some(path) => d.in_file(path),
                None => d,
            });
        }
        let family = family_name(&f.name);
        let ttf = crate::font::truetype::subset(&book.faces[face], set, &family)
            .map_err(|e| Diagnostic::error(format!("无法嵌入字体: {e}")))?;
        let key = font_key(&ttf);
        let obfuscated = obfuscate(ttf, &key);
        family_of.insert(face, family.clone());
        fonts.push(EmbeddedFont {
            family,
            key,
            obfuscated,
        });
    }
    for role in Role::ALL {
        let face = book.face_for(&doc.style, role);
        let Some(family) = family_of.get(&face) else {
            continue;
        };
        let name = doc.style.role(role).font.clone();
        if let Some(def) = style.fonts.get_mut(&name) {
            // Machines with the official font still find it by the old name.
            if def.word != *family {
                def.word_alt = Some(std::mem::replace(&mut def.word, family.clone()));
            }
        }
    }
    Ok(Embedded { style, fonts })
}

/// A GUID made from the font's own bytes, so identical input gives an
/// identical file (no random ids).
fn font_key(font: &[u8]) -> String {
    let mut h = [0u8; 16];
    for (i, chunk) in h.chunks_mut(4).enumerate() {
        let mut c = crc32fast::Hasher::new_with_initial(i as u32 * 0x9E37_79B9);
        c.update(font);
        chunk.copy_from_slice(&c.finalize().to_be_bytes());
    }
    let hex: String = h.iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// ECMA-376 Part 1, 17.8.1: the first 32 bytes of the font are XORed with
/// the key's 16 bytes taken from the last hex pair of the GUID to the first.
pub fn obfuscate(mut font: Vec<u8>, key: &str) -> Vec<u8> {
    let hex: Vec<u8> = key
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .as_bytes()
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0))
        .collect();
    for (i, b) in font.iter_mut().take(32).enumerate() {
        *b ^= hex[15 - i % 16];
    }
    font
}
