//! The 政府信息公开工作年度报告: its official form (both formats), the
//! typed report read from a data file's tree, computed totals, the
//! consistency rules C1–C8, the skeleton `gongwen new` writes and the JSON
//! Schema editors validate with.

pub mod checks;
pub mod form;
pub mod load;
pub mod narrative;
pub mod report;
pub mod schema;
pub mod skeleton;
pub mod sum;

use std::path::Path;

pub use form::Format;
pub use report::Report;

use crate::data::node::Node;
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::files::Files;

/// The outcome of reading a report: the report when it could be built,
/// and every problem found on the way (errors and warnings).
pub struct Loaded {
    pub report: Option<Report>,
    pub diagnostics: Diagnostics,
}

impl Loaded {
    pub fn ok(&self) -> Option<&Report> {
        if self.diagnostics.has_errors() {
            None
        } else {
            self.report.as_ref()
        }
    }
}

/// Reads the previous year's file a report names and checks it on its
/// own (without its own previous year's).
fn previous_year(path: &Path, files: &dyn Files) -> Loaded {
    let failed = |diagnostics| Loaded {
        report: None,
        diagnostics,
    };
    let src = match files
        .read(path, crate::data::MAX_DATA_BYTES)
        .and_then(|bytes| crate::data::decode(path, &bytes))
    {
        Ok(src) => src,
        Err(d) => return failed(d.into()),
    };
    match crate::data::parse_source(&src) {
        Ok(tree) => read(&src, &tree, None),
        Err(d) => failed(d),
    }
}

/// Whether `path` names a file in `base` or below it, without `..`.
fn lexically_inside(base: &Path, path: &Path) -> bool {
    path.strip_prefix(base).is_ok_and(|rel| {
        rel.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    })
}

/// Reads a report from a parsed data file and checks it. The previous
/// year's file named by `previous` is read through `previous` when given.
pub fn read(src: &Source, tree: &Node, previous: Option<&dyn Files>) -> Loaded {
    let (mut loaded, later) = read_but_narrative(src, tree, previous);
    if let Some(r) = &loaded.report {
        later.add(&mut loaded.diagnostics, narrative::check(r));
    }
    loaded
}

/// The narrative's check against the tables (C9), left for later by
/// [`read_but_narrative`]: it only warns, so what follows reading (the
/// template, the layout) need not wait for it.
#[derive(Clone, Copy, Debug)]
pub struct NarrativeLater {
    /// A misspelled key comes first: the warnings follow the sorted rest.
    misspelled_first: bool,
}

impl NarrativeLater {
    pub fn check(report: &Report) -> Diagnostics {
        narrative::check(report)
    }

    /// Adds the warnings of [`NarrativeLater::check`] where [`read`] has them.
    pub fn add(self, diagnostics: &mut Diagnostics, warnings: Diagnostics) {
        diagnostics.extend(warnings);
        // Sorting is stable: as if sorted once with the rest.
        if !self.misspelled_first {
            diagnostics.sort();
        }
    }
}

/// As [`read`], without the narrative's check, which the caller runs and
/// adds (see [`NarrativeLater`]).
pub fn read_but_narrative(
    src: &Source,
    tree: &Node,
    previous: Option<&dyn Files>,
) -> (Loaded, NarrativeLater) {
    let mut diagnostics = Diagnostics::default();
    let mut reader = load::Reader::new(src);
    let mut load_previous = |prev: &Path, span: std::ops::Range<usize>| -> Option<Report> {
        let files = previous?;
        let loaded = previous_year(prev, files);
        let failed = loaded.diagnostics.has_errors() || loaded.report.is_none();
        let base = src.path.parent().unwrap_or(Path::new(""));
        let outside = files.leads_out(base, prev) || !lexically_inside(base, prev);
        // A file that could not be read at all says only why; one that was
        // read is not quoted, lest any file be shown through `previous`.
        let unread = loaded.report.is_none()
            && loaded
                .diagnostics
                .0
                .iter()
                .all(|d| d.kind == crate::diag::Kind::Io);
        if outside && failed && !unread {
            let n = loaded.diagnostics.0.iter().filter(|d| d.is_error()).count();
            diagnostics.push(
                Diagnostic::error(format!(
                    "上一年度数据文件 {} 有 {} 处错误，请先单独核对它",
                    prev.display(),
                    n.max(1)
                ))
                .at(src, span)
                .hint(format!("运行 gongwen check {}", prev.display())),
            );
            return None;
        }
        if outside {
            // Its warnings quote it too.
            for d in loaded.diagnostics.0.into_iter().filter(|d| d.is_error()) {
                diagnostics.push(d);
            }
        } else {
            diagnostics.extend(loaded.diagnostics);
        }
        if failed {
            diagnostics.push(
                Diagnostic::error(format!(
                    "上一年度数据文件 {} 有错误，无法进行跨年度核对",
                    prev.display()
                ))
                .at(src, span),
            );
        }
        loaded.report.filter(|_| !failed)
    };
    let mut report = load::read_report(&mut reader, tree, &mut load_previous);
    if let Some(r) = report.as_mut() {
        reader.diags.extend(narrative::resolve(r));
    }
    diagnostics.extend(reader.diags);
    let checked = report.as_ref().map(checks::check).unwrap_or_default();
    let misspelled_first = reader.unknown_keys > 0;
    if misspelled_first {
        // A misspelled key comes first: the arithmetic follows from it.
        diagnostics.sort();
        diagnostics.extend(checked);
    } else {
        diagnostics.extend(checked);
        diagnostics.sort();
    }
    let loaded = Loaded {
        report,
        diagnostics,
    };
    (loaded, NarrativeLater { misspelled_first })
}
