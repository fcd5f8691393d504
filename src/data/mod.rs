//! Data files, whatever document they are for: TOML or JSON → spanned
//! tree → checked against a template's JSON Schema and rules. The annual
//! report's typed form reads the same tree ([`crate::annual`]).

pub mod advice;
pub mod date;
pub mod example;
pub mod node;
pub mod rules;
pub mod schema;
pub mod value;

use std::path::Path;

use crate::diag::{io_message, Diagnostic, Diagnostics, Source};

/// Largest data file accepted. A real report is a few tens of kilobytes.
pub const MAX_DATA_BYTES: u64 = 2 * 1024 * 1024;

/// Reads a file's bytes: a regular file only (a device, FIFO or socket is
/// refused without blocking on it), at most `max` bytes.
pub fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let io_err = |e: std::io::Error| {
        Diagnostic::io(format!("无法读取文件：{}", io_message(&e))).in_file(path)
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(Diagnostic::error("这是一个目录，不是数据文件").in_file(path));
    }
    if !meta.is_file() {
        return Err(
            Diagnostic::error("这不是普通文件（是设备、管道或套接字），不予读取")
                .in_file(path)
                .hint("请给出一个保存在磁盘上的数据文件"),
        );
    }
    let file = open_nonblocking(path).map_err(io_err)?;
    if !file.metadata().map_err(io_err)?.is_file() {
        return Err(Diagnostic::error("这不是普通文件，不予读取").in_file(path));
    }
    if meta.len() > max {
        return Err(
            Diagnostic::error(format!("文件过大（{} 字节，上限 {max} 字节）", meta.len()))
                .in_file(path),
        );
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > max {
        return Err(Diagnostic::error(format!("文件过大（上限 {max} 字节）")).in_file(path));
    }
    Ok(bytes)
}

/// Reads a text file for gongwen as [`read_bytes`] does: UTF-8, BOM
/// dropped.
pub fn read_source(path: &Path, max: u64) -> Result<Source, Diagnostic> {
    decode(path, &read_bytes(path, max)?)
}

/// A text file's bytes as its text: UTF-8, BOM dropped; the error points
/// at the first byte that is not, saying which encoding it looks like.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Source, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(path, text)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let text = String::from_utf8_lossy(good).into_owned();
            let src = Source::new(path, text.clone() + " ");
            Err(Diagnostic::error(format!(
                "文件不是 UTF-8 编码（第 {} 字节起无法识别）",
                e.valid_up_to() + 1
            ))
            .at(&src, text.len()..text.len() + 1)
            .hint(if looks_like_gbk(bytes) {
                "文件看来是 GBK（GB2312/GB18030）编码：请另存为 UTF-8（WPS/记事本：另存为 → 编码选 UTF-8）"
            } else {
                "请用 UTF-8 编码保存文件（WPS/记事本：另存为 → 编码选 UTF-8）"
            }))
        }
    }
}

/// Whether a path a data file names (its template, the previous year's
/// file) stays inside the data file's folder; why not, if not.
pub fn inside_folder(rel: &str) -> Result<(), &'static str> {
    let path = Path::new(rel);
    if rel.is_empty() {
        return Err("是空的");
    }
    if path.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') || rel.contains(':') {
        return Err("不能是绝对路径");
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
        || rel.split(['/', '\\']).any(|p| p == "..")
    {
        return Err("不能用 .. 指向数据文件所在文件夹之外");
    }
    Ok(())
}

/// Opens a file for reading without blocking: a FIFO would block the open
/// until someone writes to it. Callers check that it is a regular file.
pub fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    open.open(path)
}

/// Whether every non-ASCII byte pairs up as a GBK double-byte character,
/// the usual encoding of text saved by older Chinese Windows software.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut pairs = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x00..=0x7F => i += 1,
            0x81..=0xFE if matches!(bytes.get(i + 1), Some(0x40..=0x7E | 0x80..=0xFE)) => {
                pairs += 1;
                i += 2;
            }
            _ => return false,
        }
    }
    pairs > 0
}

/// Parses a data file into its spanned tree: an empty file, characters
/// no document may hold and syntax errors are reported here, before any
/// template's reading of the data.
pub fn parse_source(src: &Source) -> Result<node::Node, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    if src.text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error("数据文件是空的")
                .in_file(&src.path)
                .hint("用 gongwen new --format 2021 生成一个完整的数据文件"),
        );
        return Err(diagnostics);
    }
    // Caught before parsing: the TOML parser's own message for a stray
    // control character does not say what is wrong.
    let controls: Vec<(usize, char)> = src
        .text
        .char_indices()
        .filter(|&(_, c)| crate::diag::unprintable(c))
        .take(10)
        .collect();
    if !controls.is_empty() {
        for (at, c) in controls {
            let kind = if c.is_control() {
                "不可打印的控制字符"
            } else {
                " Word 文件不允许的字符"
            };
            diagnostics.push(
                Diagnostic::error(format!("文件中有{kind} U+{:04X}", c as u32))
                    .at(src, at..at + c.len_utf8())
                    .hint("多半是从其他软件复制时带入的，删去即可"),
            );
        }
        return Err(diagnostics);
    }
    parse(src)
}

fn parse(src: &Source) -> Result<node::Node, Diagnostics> {
    let is_json = src
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        node::parse_json(src)
    } else {
        node::parse_toml(src)
    }
}
