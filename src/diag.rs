//! Diagnostics: one type for data, template and markup problems alike.
//!
//! A diagnostic names a file and a byte span inside it; printing it shows
//! `file:line:column`, the source line and a caret under the span, the way
//! rustc does, so a clerk can find the cell to fix without a manual.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A loaded text file: its name as the user gave it and its contents.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// The text of the line containing `offset`, without its line ending.
    pub fn line_text(&self, offset: usize) -> (usize, &str) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        (start, self.text[start..end].trim_end_matches('\r'))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of failure a diagnostic reports, where that changes what the
/// program does with it (exit code, where to point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something wrong in a data file, template or style: exit 1.
    Input,
    /// A file could not be read or written: exit 3.
    Io,
    /// A name on the command line that does not exist: exit 2.
    Usage,
    /// A character no face has; the caller may point into the data file.
    MissingGlyph(char),
    /// A picture file (the seal) that cannot be used, its path as the data
    /// gave it in the message's first 「」; the caller may point at it in
    /// the data file.
    Picture,
}

/// One problem found in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    pub message: String,
    /// File and byte range the message points at; none for whole-file problems.
    pub file: Option<PathBuf>,
    pub span: Option<Range<usize>>,
    /// Line, column and source line, resolved when the diagnostic is made,
    /// so it can be printed after the source is gone.
    pub location: Option<Box<Location>>,
    pub hints: Vec<String>,
    /// For a count of problems not listed one by one: how many.
    pub untold: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub source_line: String,
    /// Columns (in display cells) under which the caret goes.
    pub caret_start: usize,
    pub caret_len: usize,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind: Kind::Input,
            message: message.into(),
            file: None,
            span: None,
            location: None,
            hints: Vec::new(),
            untold: 0,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// A file could not be read or written.
    pub fn io(message: impl Into<String>) -> Self {
        Diagnostic::error(message).kind(Kind::Io)
    }

    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Points the diagnostic at a span of a source file.
    pub fn at(mut self, source: &Source, span: Range<usize>) -> Self {
        self.file = Some(source.path.clone());
        let (line, column) = source.line_col(span.start);
        let (line_start, text) = source.line_text(span.start);
        // A span may start in a line ending the shown text leaves out.
        let line_end = line_start + text.len();
        let start = floor_char_boundary(&source.text, span.start.clamp(line_start, line_end));
        let end = floor_char_boundary(&source.text, span.end.clamp(start, line_end));
        let (before, marked, after) = (
            &source.text[line_start..start],
            &source.text[start..end],
            &source.text[end..line_start + text.len()],
        );
        let (before, after) = clip(before, marked, after);
        let marked = clip_marked(marked);
        let caret_start = display_width(&before);
        let caret_len = display_width(&marked).max(1);
        self.location = Some(Box::new(Location {
            line,
            column,
            source_line: visible(&format!("{before}{marked}{after}")),
            caret_start,
            caret_len,
        }));
        self.span = Some(span);
        self
    }

    /// Names a file without pointing into it.
    pub fn in_file(mut self, path: &Path) -> Self {
        self.file = Some(path.to_path_buf());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// A count of problems not listed one by one, shown after those listed.
    pub fn untold(count: usize, what: &str) -> Self {
        Diagnostic {
            untold: count,
            ..Diagnostic::error(format!("{what}另有 {count} 处不满足要求，未一一列出"))
        }
    }

    fn is_count(&self) -> bool {
        self.untold > 0
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` as printed in the header line.
    pub fn position(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        Some(match &self.location {
            Some(l) => format!("{file}:{}:{}", l.line, l.column),
            None => file,
        })
    }
}

/// Display cells of source shown on either side of the marked span.
const CONTEXT_CELLS: usize = 40;

/// Shortens a long source line to some context around the marked span, so
/// a pasted 30,000-character paragraph does not flood the terminal.
/// A marked span longer than two contexts is shown by its start: a
/// one-line file of megabytes must not become a message of megabytes.
fn clip_marked(marked: &str) -> String {
    if display_width(marked) <= 2 * CONTEXT_CELLS {
        return marked.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in marked.chars() {
        w += display_width(c.encode_utf8(&mut [0; 4]));
        if w > 2 * CONTEXT_CELLS {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn clip(before: &str, marked: &str, after: &str) -> (String, String) {
    let total = display_width(before) + display_width(marked) + display_width(after);
    if total <= 2 * CONTEXT_CELLS + 20 {
        return (before.to_string(), after.to_string());
    }
    let mut b: Vec<char> = Vec::new();
    let mut w = 0;
    for c in before.chars().rev() {
        w += display_width(c.encode_utf8(&mut [0; 4]));
        if w > CONTEXT_CELLS {
            b.push('…');
            break;
        }
        b.push(c);
    }
    b.reverse();
    let mut a = String::new();
    let mut w = 0;
    for c in after.chars() {
        w += display_width(c.encode_utf8(&mut [0; 4]));
        if w > CONTEXT_CELLS {
            a.push('…');
            break;
        }
        a.push(c);
    }
    (b.into_iter().collect(), a)
}

/// Control characters shown as their Unicode control pictures (␇ for BEL),
/// so the character a message is about can be seen.
fn visible(line: &str) -> String {
    line.chars()
        .map(|c| match c as u32 {
            0..=0x08 | 0x0A..=0x1F => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            0x7F => '␡',
            _ => c,
        })
        .collect()
}

/// Width in terminal cells: CJK and full-width forms take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '\t' => 4,
            c if is_wide(c) => 2,
            _ => 1,
        })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if let Some(pos) = self.position() {
            writeln!(f, "  --> {pos}")?;
        }
        if let Some(loc) = &self.location {
            let num = loc.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {}", loc.source_line.replace('\t', "    "))?;
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(loc.caret_start),
                "^".repeat(loc.caret_len)
            )?;
        }
        for hint in &self.hints {
            writeln!(f, "  = 提示: {hint}")?;
        }
        Ok(())
    }
}

/// Diagnostics of one run, printed in file and position order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Errors found, counting those a count stands for.
    pub fn error_count(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.untold.max(1))
            .sum()
    }

    pub fn warning_count(&self) -> usize {
        self.0.iter().filter(|d| !d.is_error()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stable order: by file, then position, then severity, so output does
    /// not depend on the order in which checks happen to run.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let ka = (
                a.is_count(),
                &a.file,
                a.span.as_ref().map(|s| s.start),
                a.severity,
            );
            let kb = (
                b.is_count(),
                &b.file,
                b.span.as_ref().map(|s| s.start),
                b.severity,
            );
            ka.cmp(&kb)
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// An operating-system error in Chinese, with what to do about it; the
/// system's own words follow in parentheses for a technician.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let meaning = match e.kind() {
        K::NotFound => "文件或目录不存在，请检查路径",
        K::PermissionDenied => {
            "没有权限：文件可能是只读的，或正被 Word、WPS 等程序打开；请先关闭该文件或检查权限"
        }
        K::AlreadyExists => "同名文件已存在",
        K::IsADirectory => "同名的目录已存在",
        K::NotADirectory => "路径中有一段不是目录",
        K::StorageFull => "磁盘已满，请腾出空间后再试",
        K::ReadOnlyFilesystem => "所在磁盘是只读的，请换一个输出目录",
        K::ResourceBusy => "文件正被其他程序使用，请先关闭该文件",
        K::Interrupted => "操作被中断",
        K::InvalidFilename => "文件名不合法",
        K::CrossesDevices => "不能跨磁盘移动文件",
        _ => "系统报告了错误",
    };
    let raw = e.raw_os_error();
    // Windows: ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION.
    let meaning = if cfg!(windows) && matches!(raw, Some(32 | 33)) {
        "文件正被 Word、WPS 或其他程序打开，请先关闭该文件"
    } else {
        meaning
    };
    format!("{meaning}（{e}）")
}

/// A character no document may carry: control characters other than tab
/// and line breaks (they print as nothing or boxes) and Unicode
/// noncharacters such as U+FFFE and U+FFFF, which XML 1.0 forbids, so Word
/// refuses a DOCX holding them.
pub fn unprintable(c: char) -> bool {
    let n = c as u32;
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}
