//! What the pipeline reads, given by its caller: the data file, the
//! previous year's file it names, a template directory's files, pictures
//! ([`Files`]) and the faces of a style sheet's families ([`Fonts`]). The
//! command line and the desk read the disk (`crate::disk`); the browser
//! build and tests give files held in memory ([`Memory`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::doc::StyleSheet;
use crate::font::FontBook;

/// Files the pipeline reads, by path.
pub trait Files: Sync {
    /// A file's bytes, at most `max` of them; the error names the file and
    /// says in Chinese why it cannot be read.
    fn read(&self, path: &Path, max: u64) -> Result<Vec<u8>, Diagnostic>;

    /// The names of the files (not directories) in a directory, sorted;
    /// `None` when there is no directory at `dir`.
    fn list(&self, dir: &Path) -> Result<Option<Vec<String>>, Diagnostic>;

    /// A file of a template directory, which must not lead out of it.
    fn read_in(&self, dir: &Path, name: &str, max: u64) -> Result<Vec<u8>, Diagnostic> {
        self.read(&dir.join(name), max)
    }

    /// Whether `path`, links resolved, lies outside the folder `root`: a
    /// name inside it may still be a link to a file elsewhere.
    fn leads_out(&self, _root: &Path, _path: &Path) -> bool {
        false
    }
}

/// The faces a style sheet's families are set in.
pub trait Fonts: Sync {
    fn book(&self, style: &StyleSheet) -> Result<Arc<FontBook>, Diagnostic>;
}

/// Faces the caller passed in (the browser build's).
impl Fonts for crate::font::Given {
    fn book(&self, style: &StyleSheet) -> Result<Arc<FontBook>, Diagnostic> {
        crate::font::Given::book(self, style)
    }
}

/// Files held in memory, by path.
#[derive(Debug, Default, Clone)]
pub struct Memory {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Memory {
    pub fn new() -> Memory {
        Memory::default()
    }

    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }
}

impl Files for Memory {
    fn read(&self, path: &Path, max: u64) -> Result<Vec<u8>, Diagnostic> {
        let bytes = self.files.get(path).ok_or_else(|| {
            let e = std::io::Error::from(std::io::ErrorKind::NotFound);
            Diagnostic::io(format!("无法读取文件：{}", crate::diag::io_message(&e))).in_file(path)
        })?;
        if bytes.len() as u64 > max {
            return Err(Diagnostic::error(format!(
                "文件过大（{} 字节，上限 {max} 字节）",
                bytes.len()
            ))
            .in_file(path));
        }
        Ok(bytes.clone())
    }

    fn list(&self, dir: &Path) -> Result<Option<Vec<String>>, Diagnostic> {
        let names: Vec<String> = self
            .files
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| Some(p.file_name()?.to_str()?.to_string()))
            .collect();
        let is_dir = !names.is_empty() || self.files.keys().any(|p| p.starts_with(dir));
        Ok(is_dir.then_some(names))
    }
}
