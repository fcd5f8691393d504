//! Fonts: the bundled Fandol faces, or the user's own from `--font-dir`,
//! mapped to the style sheet's families; glyph lookup with fallback. The
//! writers embed what the pages use through [`subset`] (CID-keyed CFF
//! subsets, [`cff`]; an OpenType file around one for the OFD, [`otf`]) and
//! [`truetype`] (TrueType copies for the DOCX).

pub mod cff;
pub(crate) mod otf;
pub mod subset;
pub mod truetype;

use std::collections::BTreeMap;
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
    /// name in a `--font-dir`, a font there whose family is the Word name,
    /// or a bundled face.
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
            let by_word = candidates.iter().find(|c| {
                c.families
                    .iter()
                    .any(|n| *n == def.word || Some(n) == def.word_alt.as_ref())
            });
            let found = by_name.or(by_word);
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
                Some(c) => c.path.display().to_string(),
                None => def.file.clone(),
            };
            if let Some(&id) = by_file.get(&key) {
                families.insert(fam.clone(), id);
                continue;
            }
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = match found {
                Some(c) => Arc::new(std::fs::read(&c.path).map_err(|e| {
                    Diagnostic::io(format!("无法读取字体：{}", crate::diag::io_message(&e)))
                        .in_file(&c.path)
                })?),
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
                    .in_file(Path::new(&key))
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

impl crate::files::Fonts for Given {
    fn book(&self, style: &StyleSheet) -> Result<Arc<FontBook>, Diagnostic> {
        let given = |file: &str| self.faces.get(file).cloned();
        let hint = "请把这个字体文件一并交给 gongwen（以文件名为名）";
        FontBook::resolve(style, &[], &given, hint).map(Arc::new)
    }
}

struct Candidate {
    path: PathBuf,
    families: Vec<String>,
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
            if !matches!(ext.as_str(), "ttf" | "otf") {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(font) = FontRef::new(&bytes) else {
                continue;
            };
            let families = font
                .localized_strings(skrifa::string::StringId::FAMILY_NAME)
                .chain(font.localized_strings(skrifa::string::StringId::TYPOGRAPHIC_FAMILY_NAME))
                .chain(font.localized_strings(skrifa::string::StringId::FULL_NAME))
                .map(|s| s.chars().collect::<String>())
                .collect();
            out.push(Candidate { path, families });
        }
    }
    Ok(out)
}
