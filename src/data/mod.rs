//! Data files: TOML or JSON → spanned tree → typed [`Report`] with totals
//! computed → consistency checks.

pub mod advice;
pub mod checks;
pub mod form;
pub mod load;
pub mod node;
pub mod report;
pub mod skeleton;

use std::path::Path;

pub use form::Format;
pub use report::Report;

use crate::diag::{io_message, Diagnostic, Diagnostics, Kind, Source};

/// Largest data file accepted. A real report is a few tens of kilobytes.
pub const MAX_DATA_BYTES: u64 = 2 * 1024 * 1024;

/// Reads a text file for gongwen: a regular file only (a device, FIFO or
/// socket is refused without blocking on it), size-limited, UTF-8, BOM
/// dropped.
pub fn read_source(path: &Path, max: u64) -> Result<Source, Diagnostic> {
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
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

/// The outcome of loading: a report when it could be built, and every
/// problem found on the way (errors and warnings).
pub struct Loaded {
    pub report: Option<Report>,
    pub diagnostics: Diagnostics,
}

impl Loaded {
    /// Whether loading failed only because files could not be read (exit 3),
    /// rather than because of what they contain (exit 1).
    pub fn read_failed(&self) -> bool {
        self.diagnostics.0.iter().all(|d| d.kind == Kind::Io)
    }

    pub fn ok(&self) -> Option<&Report> {
        if self.diagnostics.has_errors() {
            None
        } else {
            self.report.as_ref()
        }
    }
}

/// Loads a data file, its previous year's file if named, and runs all checks.
pub fn load(path: &Path) -> Loaded {
    load_inner(path, true)
}

fn load_inner(path: &Path, with_previous: bool) -> Loaded {
    match read_source(path, MAX_DATA_BYTES) {
        Ok(src) => load_source(src, with_previous),
        Err(d) => Loaded {
            report: None,
            diagnostics: d.into(),
        },
    }
}

/// Loads data already in memory; `path` names it in messages and its
/// extension chooses JSON or TOML. A `previous` key is read but its file is
/// not, so this touches no file.
pub fn load_text(path: &Path, text: &str) -> Loaded {
    load_source(Source::new(path, text), false)
}

fn load_source(src: Source, with_previous: bool) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    if src.text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error("数据文件是空的")
                .in_file(&src.path)
                .hint("用 gongwen new --format 2021 生成一个完整的数据文件"),
        );
        return Loaded {
            report: None,
            diagnostics,
        };
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
                    .at(&src, at..at + c.len_utf8())
                    .hint("多半是从其他软件复制时带入的，删去即可"),
            );
        }
        return Loaded {
            report: None,
            diagnostics,
        };
    }
    let tree = match parse(&src) {
        Ok(t) => t,
        Err(d) => {
            return Loaded {
                report: None,
                diagnostics: d,
            }
        }
    };
    let mut reader = load::Reader::new(&src);
    let mut load_previous = |prev: &Path, span: std::ops::Range<usize>| -> Option<Report> {
        if !with_previous {
            return None;
        }
        let loaded = load_inner(prev, false);
        let failed = loaded.diagnostics.has_errors() || loaded.report.is_none();
        diagnostics.extend(loaded.diagnostics);
        if failed {
            diagnostics.push(
                Diagnostic::error(format!(
                    "上一年度数据文件 {} 有错误，无法进行跨年度核对",
                    prev.display()
                ))
                .at(&src, span),
            );
        }
        loaded.report.filter(|_| !failed)
    };
    let report = load::read_report(&mut reader, &tree, &mut load_previous);
    diagnostics.extend(reader.diags);
    let checked = report.as_ref().map(checks::check).unwrap_or_default();
    if reader.unknown_keys > 0 {
        // A misspelled key comes first: the arithmetic follows from it.
        diagnostics.sort();
        diagnostics.extend(checked);
    } else {
        diagnostics.extend(checked);
        diagnostics.sort();
    }
    Loaded {
        report,
        diagnostics,
    }
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
