//! `gongwen import`: a published annual report (the Word file it was typed
//! in, the PDF it was exported to, the page on the government site, or its
//! text) read back into a data file. Each reader turns its source into
//! paragraphs and tables with their places ([`source`]); [`text`] and
//! [`tables`] put them onto the form; the file is written as `new` writes
//! one, the printed 总计 kept, and checked with `check`, so the published
//! report's own errors are reported rather than corrected.

pub mod docx;
pub mod html;
pub mod pdf;
pub mod source;
pub mod tables;
pub mod text;
pub mod txt;

use std::path::{Path, PathBuf};

use crate::annual::skeleton::{self, Fill};
use crate::diag::Diagnostic;
use crate::exit::Exit;

use source::{Document, Note, Place};

/// The largest source read: a Word file with pictures or a long PDF.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// The kinds of source, told by their first bytes (and for text by the
/// name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Docx,
    Pdf,
    Html,
    Text,
}

impl Kind {
    fn of(path: &Path, bytes: &[u8]) -> Result<Kind, Diagnostic> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if bytes.starts_with(b"PK\x03\x04") {
            return Ok(Kind::Docx);
        }
        if bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
            return Ok(Kind::Pdf);
        }
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(
                Diagnostic::error("这是旧版 Word 文件（.doc），gongwen 读不了它的格式")
                    .in_file(path)
                    .hint("用 Word 或 WPS 打开，另存为 .docx（Word 文档）后再导入"),
            );
        }
        let head = txt::decode(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
        let html = ["htm", "html", "shtml", "xhtml", "mht"].contains(&ext.as_str())
            || head.contains("<html")
            || head.contains("<!doctype html")
            || head.contains("<body")
            || head.contains("<table");
        if html {
            return Ok(Kind::Html);
        }
        if ["docx", "pdf", "wps", "ofd", "doc"].contains(&ext.as_str()) {
            return Err(Diagnostic::error(format!(
                "文件的扩展名是 .{ext}，内容却不是这种文件（可能已损坏，或只下载了一部分）"
            ))
            .in_file(path)
            .hint("重新下载或从原处另存一份再导入"));
        }
        Ok(Kind::Text)
    }
}

/// A data file read from a published report, and what was said about it.
pub struct Imported {
    pub text: String,
    pub notes: Vec<Note>,
    pub kind: Kind,
}

/// Reads a source's bytes into a data file's text.
pub fn import(path: &Path, bytes: &[u8]) -> Result<Imported, Diagnostic> {
    let kind = Kind::of(path, bytes)?;
    let doc = match kind {
        Kind::Docx => docx::read(bytes),
        Kind::Pdf => pdf::read(bytes),
        Kind::Html => Ok(html::read(bytes)),
        Kind::Text => Ok(txt::read(bytes)),
    }
    .map_err(|msg| Diagnostic::error(msg).in_file(path))?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let (text, notes) = fill(&doc, &name).map_err(|msg| {
        Diagnostic::error(msg)
            .in_file(path)
            .hint("导入的应是政府信息公开工作年度报告本身：Word 文件、导出的 PDF、网页或其文字")
    })?;
    Ok(Imported { text, notes, kind })
}

/// The data file of a document read into blocks; an error when the
/// document has nothing of a report (no title, no section, no table), so
/// that no file of zeros is written from the wrong file.
fn fill(doc: &Document, name: &str) -> Result<(String, Vec<Note>), String> {
    let mut notes = doc.notes.clone();
    let read = text::read(doc, &mut notes);
    let tabled = tables::read(&read.tables, read.year, &mut notes);
    if read.title.is_empty() && read.sections == 0 && tabled.found == 0 {
        return Err(
            "文件中没有年度报告的标题、“一、总体情况”等各部分标题，也没有表二、表三、表四，不像是政府信息公开工作年度报告，未导入"
                .into(),
        );
    }
    let year = match (read.year, read.date) {
        (Some(y), _) => y,
        (None, Some(d)) => {
            notes.push(Note::new(
                &Place::default(),
                format!(
                    "标题中没有年度，按成文日期 {} 取上一年 {}：请核对 year",
                    d.chinese(),
                    d.year - 1
                ),
            ));
            i64::from(d.year) - 1
        }
        (None, None) => {
            let y = crate::epoch::today_civil().0 - 1;
            notes.push(Note::new(
                &Place::default(),
                format!("标题中没有年度，暂按 {y} 年写入：请改为报告的年度（year）"),
            ));
            y
        }
    };
    let agency = match (&read.agency, &read.signature) {
        (Some(a), _) => a.clone(),
        (None, Some(s)) => {
            notes.push(Note::new(
                &Place::default(),
                format!("标题中没有发布机关，按署名「{s}」写入：请核对 agency"),
            ));
            s.clone()
        }
        (None, None) => {
            notes.push(Note::new(
                &Place::default(),
                "原文的标题和署名中都没有发布机关，请在数据文件中填写 agency",
            ));
            "（在此填写：发布机关）".to_string()
        }
    };
    if tabled.format_evidence == 0 {
        notes.push(Note::new(
            &Place::default(),
            format!(
                "表格没有显示是哪种格式，按 {year} 年度用{}",
                tabled.format.describe()
            ),
        ));
    }
    let signature = match (&read.signature, read.date) {
        (None, None) => None,
        (Some(s), d) => Some((s.clone(), d)),
        (None, Some(d)) => {
            notes.push(Note::new(
                &Place::default(),
                "原文只有成文日期，没有署名，署名按发布机关写入：请核对",
            ));
            Some((agency.clone(), Some(d)))
        }
    };
    let fill = Fill {
        title: (!read.title.is_empty()).then(|| read.title.clone()),
        narrative: Some(read.narrative.clone()),
        signature: Some(signature),
        rows: tabled.rows,
    };
    let mut header = vec![format!(
        "导入自 {name}（gongwen import）：正文和表格照原文写入，请与原文核对。"
    )];
    if !notes.is_empty() {
        header.push("导入时的提示：".into());
        header.extend(notes.iter().map(|n| format!("  {}", said(n))));
    }
    let text = skeleton::imported(tabled.format, &agency, year, &fill, &header);
    Ok((text, notes))
}

/// A note as printed: its place first, when it has one.
fn said(n: &Note) -> String {
    if n.place == Place::default() {
        n.message.clone()
    } else {
        format!("{}：{}", n.place, n.message)
    }
}

/// `gongwen import FILE [-o OUT] [--force]`: writes the data file (beside
/// the source, as `NAME.toml`, when no `out` is given), prints what could
/// not be read, then what `check` finds in it.
pub fn run(input: &Path, out: Option<&Path>, force: bool) -> Exit {
    if input.is_dir() {
        eprint!(
            "{}",
            Diagnostic::error("这是一个目录，不是报告文件")
                .in_file(input)
                .hint("给出要导入的报告：.docx、.pdf、网页（.html）或文本（.txt）")
                .kind(crate::diag::Kind::Usage)
        );
        return Exit::Usage;
    }
    let bytes = match crate::data::read_bytes(input, MAX_SOURCE_BYTES) {
        Ok(b) => b,
        Err(d) => {
            eprint!("{d}");
            return Exit::of(&d);
        }
    };
    let out: PathBuf = out.map_or_else(|| input.with_extension("toml"), Path::to_path_buf);
    if out == input {
        eprint!(
            "{}",
            Diagnostic::error("导入结果会写在原文件上")
                .in_file(input)
                .hint("用 -o 另给一个 .toml 文件名")
                .kind(crate::diag::Kind::Usage)
        );
        return Exit::Usage;
    }
    let imported = match import(input, &bytes) {
        Ok(i) => i,
        Err(d) => {
            eprint!("{d}");
            return Exit::of(&d);
        }
    };
    if out.exists() && !force {
        eprint!(
            "{}",
            Diagnostic::io("文件已存在，未覆盖（其中可能已填了数据）")
                .in_file(&out)
                .hint("换一个文件名（-o），或加 --force 覆盖")
        );
        return Exit::Io;
    }
    if let Err(d) = crate::output::write_atomic(&out, imported.text.as_bytes()) {
        eprint!("{d}");
        return Exit::of(&d);
    }
    for n in &imported.notes {
        eprint!("{}", Diagnostic::warning(said(n)).in_file(input));
    }
    eprintln!(
        "已写出 {}（{} 处导入提示）。下面是 gongwen check 的核对结果，错误是原文本身的：",
        out.display(),
        imported.notes.len()
    );
    let (code, text) = crate::cmd::check::check_one(&out, None);
    eprint!("{text}");
    if code == Exit::Input {
        let name = out.display();
        eprintln!(
            "原文的错误请在 {name} 中照实际情况改正（照抄的总计可以删去，由 gongwen 计算），核对无误后可以用 gongwen new --from {name} 开始下一年度。"
        );
    }
    code
}
