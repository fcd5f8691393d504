//! The disk as what the pipeline reads: data files, the files they name
//! and template directories through [`Disk`], the faces of `--font-dir`s
//! (or the bundled ones) through [`FontDirs`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::{io_message, Diagnostic};
use crate::doc::StyleSheet;
use crate::files::{Files, Fonts};
use crate::font::FontBook;

/// Files read from the disk: regular files only, never blocking on a FIFO
/// ([`crate::data::read_bytes`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path, max: u64) -> Result<Vec<u8>, Diagnostic> {
        crate::data::read_bytes(path, max)
    }

    fn list(&self, dir: &Path) -> Result<Option<Vec<String>>, Diagnostic> {
        if !dir.is_dir() {
            return Ok(None);
        }
        let io = |e: std::io::Error| {
            Diagnostic::io(format!("无法读取模板目录：{}", io_message(&e))).in_file(dir)
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort_by_key(|e| e.file_name());
        Ok(Some(
            entries
                .iter()
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect(),
        ))
    }

    /// A link may point only at a file inside the template directory:
    /// `{% include %}` would print whatever it points at.
    fn read_in(&self, dir: &Path, name: &str, max: u64) -> Result<Vec<u8>, Diagnostic> {
        let path = dir.join(name);
        if self.leads_out(dir, &path) {
            return Err(
                Diagnostic::error("模板目录中的这个文件是指向目录之外的链接，不予读取")
                    .in_file(&path)
                    .hint("把要用的文件复制进模板目录"),
            );
        }
        self.read(&path, max)
    }

    /// The real paths are compared, so a link anywhere on the way (the
    /// file, or a folder above it) counts; a path that does not exist
    /// leads nowhere and is left to the read to report.
    fn leads_out(&self, root: &Path, path: &Path) -> bool {
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        if std::fs::symlink_metadata(path).is_err() {
            return false;
        }
        match (path.canonicalize(), root.canonicalize()) {
            (Ok(target), Ok(root)) => !target.starts_with(root),
            _ => true,
        }
    }
}

/// Family → file of the style sheet.
type FontKey = Vec<(String, String)>;

/// The faces of the `--font-dir`s (none: the bundled ones), parsed once per
/// process and shared by every report and thread whose style names the
/// same faces.
#[derive(Default)]
pub struct FontDirs {
    dirs: Vec<PathBuf>,
    books: Mutex<Vec<(FontKey, Arc<FontBook>)>>,
}

impl FontDirs {
    pub fn new(dirs: Vec<PathBuf>) -> FontDirs {
        FontDirs {
            dirs,
            books: Mutex::default(),
        }
    }
}

impl Fonts for FontDirs {
    fn book(&self, style: &StyleSheet) -> Result<Arc<FontBook>, Diagnostic> {
        let key: FontKey = style
            .fonts
            .iter()
            .map(|(k, f)| (k.clone(), f.file.clone()))
            .collect();
        // Held while loading, so two threads never parse the same faces.
        let mut books = self.books.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, book)) = books.iter().find(|(k, _)| *k == key) {
            return Ok(book.clone());
        }
        let book = Arc::new(FontBook::load(style, &self.dirs)?);
        books.push((key, book.clone()));
        Ok(book)
    }
}
