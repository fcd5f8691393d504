//! Fonts: the bundled Fandol faces, or the user's own from `--font-dir`
//! (single fonts and collections such as Windows' `simsun.ttc`), mapped to
//! the style sheet's families; glyph lookup with fallback. The writers
//! embed what the pages use through [`subset`] (CID-keyed CFF subsets,
//! [`cff`]; an OpenType file around one for the OFD, `otf`) and
//! [`truetype`] (TrueType copies for the DOCX).

pub mod cff;
pub(crate) mod otf;
pub mod subset;
pub mod truetype;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::diag::Diagnostic;
use crate::doc::{Role, StyleSheet};

/// Faces shipped in `fonts/`, compiled in so the binary works anywhere.
#[cfg(feature = "bundled-fonts")]
const BUNDLED: &[(&str, &[u8])] = &[
    (
        "FandolFang-Regular.otf",
        include_bytes!("../../fonts/FandolFang-Regular.otf"),
    ),
    (
        "FandolHei-Regular.otf",
        include_bytes!("../../fonts/FandolHei-Regular.otf"),
    ),
    (
        "FandolKai-Regular.otf",
        include_bytes!("../../fonts/FandolKai-Regular.otf"),
    ),
    (
        "FandolSong-Regular.otf",
        include_bytes!("../../fonts/FandolSong-Regular.otf"),
    ),
    (
        "FandolSong-Bold.otf",
        include_bytes!("../../fonts/FandolSong-Bold.otf"),
    ),
];

/// None compiled in: the caller gives every face ([`Given`]).
#[cfg(not(feature = "bundled-fonts"))]
const BUNDLED: &[(&str, &[u8])] = &[];

pub type FaceId = usize;

/// A face's file, whoever holds it.
type FaceData = Arc<dyn AsRef<[u8]> + Send + Sync>;

#[derive(Clone)]
pub struct Face {
    /// File name, as the style sheet names it.
    pub name: String,
    /// Where the face was read from; none for a bundled face.
    pub source: Option<PathBuf>,
    pub data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({})", self.name)
    }
}

impl Face {
    fn new(
        name: String,
        source: Option<PathBuf>,
        data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    ) -> Option<Face> {
        let font = FontRef::new((*data).as_ref()).ok()?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        Some(Face {
            name,
            source,
            units_per_em: m.units_per_em as f32,
            ascender: m.ascent,
            descender: m.descent,
            data,
        })
    }

    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }

    pub fn font_ref(&self) -> FontRef<'_> {
        FontRef::new(self.bytes()).expect("checked when loaded")
    }
}

/// Looks glyphs up in one face; made per use, cheap.
pub struct Shaper<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    metrics: skrifa::metrics::GlyphMetrics<'a>,
    upem: f32,
}

impl<'a> Shaper<'a> {
    pub fn new(face: &'a Face) -> Self {
        let font = face.font_ref();
        Shaper {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            upem: face.units_per_em,
        }
    }

    /// Glyph id and advance in em, if the face has the character.
    pub fn glyph(&self, c: char) -> Option<(u16, f32)> {
        let gid = self.charmap.map(c)?;
        if gid.to_u32() == 0 {
            return None;
        }
        let adv = self.metrics.advance_width(gid).unwrap_or(self.upem) / self.upem;
        Some((gid.to_u32() as u16, adv))
    }
}

/// The faces of one document, by style family.
#[derive(Debug, Clone)]
pub struct FontBook {
    pub faces: Vec<Face>,
    /// Family name → face.
    families: BTreeMap<String, FaceId>,
    /// Families the `--font-dir`s did not have, each said once: the PDF
    /// uses the bundled face instead.
    pub notes: Vec<String>,
}

impl FontBook {
    /// Resolves every family of the style sheet to a face: a file of that
    /// name in a `--font-dir`, a font there whose family is the Word name
    /// (else the alternative name), or a bundled face.
    pub fn load(style: &StyleSheet, font_dirs: &[PathBuf]) -> Result<FontBook, Diagnostic> {
        let bundled = |file: &str| {
            let (_, bytes) = BUNDLED.iter().find(|(n, _)| *n == file)?;
            Some(Arc::new(*bytes) as FaceData)
        };
        FontBook::resolve(
            style,
            font_dirs,
            &bundled,
            "请用 --font-dir 指定字体所在目录",
        )
    }

    /// As [`FontBook::load`], the faces not in a `--font-dir` from
    /// `given`; `hint` says where a missing one should come from.
    fn resolve(
        style: &StyleSheet,
        font_dirs: &[PathBuf],
        given: &dyn Fn(&str) -> Option<FaceData>,
        hint: &str,
    ) -> Result<FontBook, Diagnostic> {
        let mut faces: Vec<Face> = Vec::new();
        let mut families = BTreeMap::new();
        let mut by_file: BTreeMap<String, FaceId> = BTreeMap::new();
        let mut notes = Vec::new();
        let candidates = scan_dirs(font_dirs)?;
        for (fam, def) in &style.fonts {
            let by_name = candidates
                .iter()
                .find(|c| c.path.file_name().and_then(|n| n.to_str()) == Some(def.file.as_str()));
            // 仿宋_GB2312 wherever it lies in the folder before 仿宋.
            let by_family = |name: &str| {
                candidates
                    .iter()
                    .find(|c| c.families.iter().any(|n| n == name))
            };
            let found = by_name
                .or_else(|| by_family(&def.word))
                .or_else(|| def.word_alt.as_deref().and_then(by_family));
            if found.is_none() && !font_dirs.is_empty() {
                let alt = def
                    .word_alt
                    .as_ref()
                    .map_or(String::new(), |a| format!("（或 {a}）"));
                notes.push(format!(
                    "字体目录中没有「{}」{alt}，PDF 中的 {fam} 用内置的 {}",
                    def.word, def.file
                ));
            }
            let key = match found {
                Some(c) => format!("{}#{}", c.path.display(), c.index.unwrap_or(0)),
                None => def.file.clone(),
            };
            if let Some(&id) = by_file.get(&key) {
                families.insert(fam.clone(), id);
                continue;
            }
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = match found {
                Some(c) => Arc::new(c.read()?),
                None => match given(&def.file) {
                    Some(data) => data,
                    None => {
                        return Err(Diagnostic::error(format!(
                            "找不到字体「{}」（字体族 {fam}，Word 名 {}）：{hint}",
                            def.file, def.word
                        )))
                    }
                },
            };
            let source = found.map(|c| c.path.clone());
            let face = Face::new(def.file.clone(), source, data).ok_or_else(|| {
                Diagnostic::error(format!("字体文件无法识别: {}", def.file))
                    .in_file(found.map_or(Path::new(&key), |c| c.path.as_path()))
            })?;
            faces.push(face);
            by_file.insert(key, faces.len() - 1);
            families.insert(fam.clone(), faces.len() - 1);
        }
        Ok(FontBook {
            faces,
            families,
            notes,
        })
    }

    /// The bundled faces with the default style.
    pub fn bundled() -> FontBook {
        FontBook::load(&StyleSheet::gbt9704(), &[]).expect("bundled fonts load")
    }

    pub fn face_for(&self, style: &StyleSheet, role: Role) -> FaceId {
        self.families[&style.role(role).font]
    }

    /// Faces to try, in order, when the role's face lacks a character:
    /// the role's own, then every other.
    pub fn fallback_order(&self, first: FaceId) -> impl Iterator<Item = FaceId> + '_ {
        std::iter::once(first).chain((0..self.faces.len()).filter(move |&i| i != first))
    }
}

/// Faces given by the caller under the file names style sheets use
/// (`FandolFang-Regular.otf` …): the browser build's, passed in by the
/// page rather than compiled in.
#[derive(Default)]
pub struct Given {
    faces: BTreeMap<String, FaceData>,
}

impl Given {
    pub fn new(faces: BTreeMap<String, Vec<u8>>) -> Given {
        let faces = faces
            .into_iter()
            .map(|(name, bytes)| (name, Arc::new(bytes) as FaceData))
            .collect();
        Given { faces }
    }
}

impl Given {
    /// The faces of a style sheet's families among those given.
    pub fn book(&self, style: &StyleSheet) -> Result<Arc<FontBook>, Diagnostic> {
        let given = |file: &str| self.faces.get(file).cloned();
        let hint = "请把这个字体文件一并交给 gongwen（以文件名为名）";
        FontBook::resolve(style, &[], &given, hint).map(Arc::new)
    }
}

/// The largest font file read: a CJK collection holds a few tens of MB.
const MAX_FONT_BYTES: u64 = 256 << 20;

struct Candidate {
    path: PathBuf,
    /// The font's place in a collection (`.ttc`).
    index: Option<u32>,
    families: Vec<String>,
}

impl Candidate {
    /// The font's bytes; a collection's member is copied out as a font of
    /// its own, so the PDF, DOCX, OFD and the desk's previews take it as
    /// they take any other.
    fn read(&self) -> Result<Vec<u8>, Diagnostic> {
        let bytes = crate::data::read_bytes(&self.path, MAX_FONT_BYTES)
            .map_err(|d| d.hint("字体目录中的字体应为普通的 .ttf/.otf/.ttc 文件"))?;
        let Some(index) = self.index else {
            return Ok(bytes);
        };
        let font = FontRef::from_index(&bytes, index).map_err(|e| {
            Diagnostic::error(format!("字体集中的第 {} 个字体无法读取（{e}）", index + 1))
                .in_file(&self.path)
        })?;
        Ok(write_fonts::FontBuilder::new()
            .copy_missing_tables(font)
            .build())
    }
}

/// Fonts in the `--font-dir`s, with the family names they answer to.
/// A directory that cannot be read is an error: silently using the bundled
/// faces instead of the official ones would go unnoticed until printing.
fn scan_dirs(dirs: &[PathBuf]) -> Result<Vec<Candidate>, Diagnostic> {
    let mut out = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "字体目录不存在".to_string(),
                _ => format!("无法读取字体目录：{}", crate::diag::io_message(&e)),
            };
            Diagnostic::io(why).in_file(dir)
        })?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                continue;
            }
            // A file that is not a font is passed over, as one the style
            // sheet does not name.
            let Ok(fonts) = family_names(&path) else {
                continue;
            };
            for (index, families) in fonts {
                out.push(Candidate {
                    path: path.clone(),
                    index,
                    families,
                });
            }
        }
    }
    Ok(out)
}

/// The family, typographic family and full names of each font in a file
/// (with its index if the file is a collection), read from the table directories and `name` tables alone: a Windows font
/// folder holds hundreds of megabytes of fonts, of which only these few
/// kilobytes are needed to choose.
fn family_names(path: &Path) -> std::io::Result<Vec<(Option<u32>, Vec<String>)>> {
    use skrifa::raw::FontRead;
    // A FIFO named `x.ttf` would block the open, a link to /dev/zero never
    // end; only regular files are fonts.
    let mut file = crate::data::open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.len() > MAX_FONT_BYTES {
        return Err(std::io::Error::from(std::io::ErrorKind::InvalidInput));
    }
    let mut read_at = |at: u64, len: usize| -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0; len];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut buf)?;
        Ok(buf)
    };
    let be16 = |b: &[u8], i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
    let be32 = |b: &[u8], i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let bad = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let head = read_at(0, 12)?;
    let starts: Vec<(Option<u32>, u64)> = if &head[..4] == b"ttcf" {
        let count = (be32(&head, 8) as usize).min(256);
        let offsets = read_at(12, 4 * count)?;
        (0..count)
            .map(|i| (Some(i as u32), be32(&offsets, 4 * i) as u64))
            .collect()
    } else {
        vec![(None, 0)]
    };
    let mut fonts = Vec::new();
    for (index, start) in starts {
        let tables = be16(&read_at(start, 12)?, 4) as usize;
        let records = read_at(start + 12, 16 * tables)?;
        let name = (0..tables)
            .map(|i| &records[16 * i..16 * i + 16])
            .find(|r| &r[..4] == b"name")
            .ok_or_else(bad)?;
        let (at, len) = (be32(name, 8) as u64, be32(name, 12) as usize);
        let data = read_at(at, len.min(1 << 20))?;
        let table = skrifa::raw::tables::name::Name::read(skrifa::raw::FontData::new(&data))
            .map_err(|_| bad())?;
        let wanted = [
            skrifa::string::StringId::FAMILY_NAME,
            skrifa::string::StringId::TYPOGRAPHIC_FAMILY_NAME,
            skrifa::string::StringId::FULL_NAME,
        ];
        let mut families = Vec::new();
        for id in wanted {
            for r in table.name_record().iter().filter(|r| r.name_id() == id) {
                if let Ok(s) = r.string(table.string_data()) {
                    families.push(s.chars().collect());
                }
            }
        }
        fonts.push((index, families));
    }
    Ok(fonts)
}
