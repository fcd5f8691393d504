//! `gongwen templates`: the built-in templates listed, or one written
//! into a directory to be changed.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Kind};
use crate::exit::Exit;

pub fn list_templates() -> Exit {
    for t in crate::template::builtin::list() {
        if let Some(t) = crate::template::builtin::get(t.name) {
            println!("{}\t{}", t.name, t.description.unwrap_or_default());
        }
    }
    Exit::Ok
}

pub fn export_template(name: &str, dir: &Path, force: bool) -> Exit {
    match export(name, dir, force) {
        Ok(files) => {
            for f in files {
                eprintln!("已写出 {}", f.display());
            }
            Exit::Ok
        }
        Err(d) => {
            eprint!("{d}");
            Exit::of(&d)
        }
    }
}

/// Writes a built-in template's files into `dir`, creating it. A file
/// there that differs from the built-in one (an edited template) is kept
/// unless `force`.
pub fn export(name: &str, dir: &Path, force: bool) -> Result<Vec<PathBuf>, Diagnostic> {
    let files = crate::template::builtin::files(name)?;
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::io(format!("无法创建模板目录：{}", crate::diag::io_message(&e))).in_file(dir)
    })?;
    if !force {
        let edited: Vec<String> = files
            .iter()
            .filter(|(n, text)| std::fs::read(dir.join(n)).is_ok_and(|old| old != text.as_bytes()))
            .map(|(n, _)| n.to_string())
            .collect();
        if !edited.is_empty() {
            return Err(Diagnostic::io(format!(
                "目录中的 {} 与内置模板不同（可能已修改过），未覆盖",
                edited.join("、")
            ))
            .in_file(dir)
            .hint("换一个目录，或加 --force 覆盖")
            .kind(Kind::Io));
        }
    }
    let mut written = Vec::new();
    for (n, text) in files {
        let path = dir.join(n);
        crate::output::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
