//! What each command does, separate from argument parsing so tests can run
//! it in-process.

use std::path::{Path, PathBuf};

use crate::data::{self, Format};
use crate::diag::Diagnostics;

/// Process exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    /// Data or template errors.
    Input = 1,
    Usage = 2,
    /// Reading or writing files failed.
    Io = 3,
    /// Stopped by Ctrl-C before every file was written.
    Interrupted = crate::interrupt::EXIT_STATUS as isize,
}

impl Exit {
    /// The exit code for a failure of this kind.
    pub fn of(d: &crate::diag::Diagnostic) -> Exit {
        match d.kind {
            crate::diag::Kind::Io => Exit::Io,
            crate::diag::Kind::Usage => Exit::Usage,
            crate::diag::Kind::Input | crate::diag::Kind::MissingGlyph(_) => Exit::Input,
        }
    }
}

pub fn print_diagnostics(d: &Diagnostics) {
    if !d.is_empty() {
        eprint!("{d}");
    }
}

/// Checks data files; a directory stands for the data files in it, as
/// for `render`.
pub fn check(inputs: &[PathBuf]) -> Exit {
    let (files, errors) = crate::render::collect_inputs(inputs);
    let mut worst = Exit::Ok;
    for d in &errors {
        eprint!("{d}");
        worst = worst.max(Exit::of(d));
    }
    for f in &files {
        let (code, text) = check_one(f);
        eprint!("{text}");
        worst = worst.max(code);
    }
    worst
}

/// Checks one data file: the exit code and what `check` prints for it.
pub fn check_one(f: &Path) -> (Exit, String) {
    let loaded = data::load(f);
    let mut out = loaded.diagnostics.to_string();
    let (e, w) = (
        loaded.diagnostics.error_count(),
        loaded.diagnostics.warning_count(),
    );
    if e > 0 {
        out += &format!("{}: {e} 个错误，{w} 个警告\n", f.display());
        let code = load_failure(&loaded);
        return (code, out);
    }
    let report = loaded.report.as_ref().expect("no errors means a report");
    // The template runs and the text is set in the bundled fonts, so a
    // character no font has is found by `check` as it is by `render`.
    let typeset = crate::template::Template::for_report(report).and_then(|t| {
        static FONTS: std::sync::OnceLock<crate::render::FontCache> = std::sync::OnceLock::new();
        let doc = t.document(report)?;
        let book = FONTS.get_or_init(Default::default).get(&doc, &[])?;
        crate::layout::lay_out(&doc, &book).map_err(|d| crate::render::locate(d, report, f))
    });
    if let Err(d) = typeset {
        out += &d.to_string();
        out += "\n";
        out += &format!("{}: 1 个错误，{w} 个警告\n", f.display());
        return (Exit::of(&d).max(Exit::Input), out);
    }
    out += &format!(
        "{}: 通过（{}，{}年，{}）{}\n",
        f.display(),
        report.agency,
        report.year,
        report.format.describe(),
        if w > 0 {
            format!("，{w} 个警告")
        } else {
            String::new()
        }
    );
    (Exit::Ok, out)
}

/// Exit code of a data file that failed to load.
pub fn load_failure(loaded: &data::Loaded) -> Exit {
    if loaded.read_failed() {
        Exit::Io
    } else {
        Exit::Input
    }
}

/// `gongwen new`: the skeleton on standard output, or into `out` (never
/// over an existing file unless `force`; written as UTF-8 whatever the
/// shell, where PowerShell's `>` would write UTF-16).
pub fn new(
    format: Option<&str>,
    agency: Option<&str>,
    year: Option<&str>,
    out: Option<&Path>,
    force: bool,
) -> Result<Exit, String> {
    let year: Option<i64> = match year {
        Some(y) => Some(
            y.parse()
                .ok()
                .filter(|y| (1990..2200).contains(y))
                .ok_or_else(|| format!("--year 应为年份，例如 2025，而不是 {y}"))?,
        ),
        None => None,
    };
    let format = match format {
        Some(f) => {
            Format::parse(f).ok_or_else(|| format!("--format 只能是 2019 或 2021，而不是 {f}"))?
        }
        None => year.map_or(Format::F2021, Format::for_year),
    };
    let year = year.unwrap_or(match format {
        Format::F2019 => 2020,
        Format::F2021 => default_report_year(),
    });
    if Format::for_year(year) != format {
        eprintln!(
            "警告: {year} 年度报告通常使用{}，此处按要求使用{}",
            Format::for_year(year).describe(),
            format.describe()
        );
    }
    let agency = agency.unwrap_or("某某区某某局");
    let text = data::skeleton::skeleton(format, agency, year);
    let Some(out) = out else {
        print!("{text}");
        return Ok(Exit::Ok);
    };
    if out.exists() && !force {
        eprint!(
            "{}",
            crate::diag::Diagnostic::io("文件已存在，未覆盖（其中可能已填了数据）")
                .in_file(out)
                .hint("换一个文件名，或加 --force 覆盖")
        );
        return Ok(Exit::Io);
    }
    match crate::output::write_atomic(out, text.as_bytes()) {
        Ok(()) => {
            eprintln!(
                "已写出 {}，填好后运行 gongwen check {}",
                out.display(),
                out.display()
            );
            Ok(Exit::Ok)
        }
        Err(d) => {
            eprint!("{d}");
            Ok(Exit::of(&d))
        }
    }
}

/// The year whose report is being prepared: reports are due by 31 January,
/// so until June it is last year's, from July on this year's.
fn default_report_year() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, _) = crate::epoch::civil_from_days(secs.div_euclid(86_400));
    if m <= 6 {
        y - 1
    } else {
        y
    }
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub out_dir: Option<PathBuf>,
    pub template_dir: Option<PathBuf>,
    pub font_dirs: Vec<PathBuf>,
    pub pdf: bool,
    pub docx: bool,
    pub dump_model: bool,
    pub dump_markup: bool,
    /// Embed subset TrueType copies of the faces in the DOCX.
    pub embed_fonts: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            out_dir: None,
            template_dir: None,
            font_dirs: Vec::new(),
            pdf: true,
            docx: true,
            dump_model: false,
            dump_markup: false,
            embed_fonts: false,
        }
    }
}

pub fn render(inputs: &[PathBuf], opts: &RenderOptions) -> Exit {
    crate::render::run(inputs, opts)
}

pub fn list_templates() -> Exit {
    for t in crate::template::builtin::list() {
        println!("{}\t{}", t.name, t.description);
    }
    Exit::Ok
}

pub fn export_template(name: &str, dir: &Path, force: bool) -> Exit {
    match crate::template::builtin::export(name, dir, force) {
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
