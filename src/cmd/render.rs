//! `gongwen render`: data files → documents → PDF and DOCX, written
//! atomically so a failed run never destroys a good earlier output.

use std::collections::BTreeSet;
#[cfg(not(target_arch = "wasm32"))]
use std::io::IsTerminal;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::time::Instant;

#[cfg(not(target_arch = "wasm32"))]
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::compile::{compile, Failure, Job, Made, Until, Warned};
use crate::diag::{Diagnostic, Diagnostics};
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;
use crate::export::{Outputs, PdfOptions};
use crate::template::Template;

#[derive(Clone)]
pub struct RenderOptions {
    pub out_dir: Option<PathBuf>,
    pub template_dir: Option<PathBuf>,
    pub font_dirs: Vec<PathBuf>,
    /// Print the markup or the model instead of writing files.
    pub dump: Option<Dump>,
    /// The files to write; their date is `SOURCE_DATE_EPOCH`'s, read when
    /// the run starts.
    pub outputs: Outputs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dump {
    Markup,
    Model,
}

impl Default for RenderOptions {
    /// The PDF and the DOCX beside the data file.
    fn default() -> Self {
        RenderOptions {
            out_dir: None,
            template_dir: None,
            font_dirs: Vec::new(),
            dump: None,
            outputs: Outputs {
                pdf: Some(PdfOptions::default()),
                docx: Some(crate::export::docx::Fonts::Official),
                ..Outputs::default()
            },
        }
    }
}

/// What rendering one file produced: its exit code and what it prints,
/// kept so a parallel batch prints in input order.
struct Outcome {
    code: Exit,
    stderr: String,
    stdout: String,
    font_notes: Vec<String>,
}

impl Outcome {
    fn new() -> Self {
        Outcome {
            code: Exit::Ok,
            stderr: String::new(),
            stdout: String::new(),
            font_notes: Vec::new(),
        }
    }

    fn fail(mut self, code: Exit, d: impl Into<Diagnostics>, why: &str, file: &Path) -> Self {
        self.stderr += &d.into().to_string();
        self.stderr += &format!("{}: {why}\n", file.display());
        self.code = self.code.max(code);
        self
    }
}

pub fn run(inputs: &[PathBuf], opts: &RenderOptions) -> Exit {
    let started = Instant::now();
    let (files, input_errors) = super::collect_inputs(inputs);
    let mut worst = Exit::Ok;
    for d in &input_errors {
        eprint!("{d}");
        worst = worst.max(Exit::of(d));
    }
    let user_template = match &opts.template_dir {
        Some(dir) => match Template::by_name_or_dir(dir, &Disk) {
            Ok(t) => Some(t),
            Err(d) => {
                let code = Exit::of(&d).max(Exit::Input);
                eprint!("{d}");
                return code;
            }
        },
        None => None,
    };
    let mut seen = BTreeSet::new();
    let mut unique = Vec::new();
    for file in &files {
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        if seen.insert(canonical) {
            unique.push(file);
        } else {
            eprintln!("{}: 重复给出，只处理一次", file.display());
        }
    }
    let epoch = match crate::epoch::source_date_epoch() {
        Ok(epoch) => epoch,
        Err(d) => {
            eprint!("{d}");
            return Exit::Usage;
        }
    };
    let outputs = Outputs {
        epoch,
        ..opts.outputs.clone()
    };
    // Two inputs writing the same files would overwrite each other.
    if opts.dump.is_none() {
        let (errors, skip) = crate::output::collisions(&unique, opts.out_dir.as_deref());
        for d in &errors {
            eprint!("{d}");
            worst = worst.max(Exit::Input);
        }
        unique.retain(|f| !skip.contains(f));
    }
    crate::interrupt::install();
    // This thread works in the pool instead of waiting on two workers of
    // its own: one thread fewer to start, and no hand-over to a sleeping
    // worker and back each time a report splits its work in two. (The
    // pool may be up already, as for `watch`; then it is used as it is.)
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    let fonts = FontDirs::new(opts.font_dirs.clone());
    let bar = progress_bar(unique.len());
    let outcomes: Vec<Option<Outcome>> = unique
        .par_iter()
        .map(|file| {
            if crate::interrupt::requested() {
                return None;
            }
            let o = render_one(file, opts, &outputs, user_template.as_ref(), &fonts);
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            Some(o)
        })
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut failed = Vec::new();
    let mut skipped = 0;
    let mut font_notes = BTreeSet::new();
    let mut stdout = std::io::stdout().lock();
    for (file, outcome) in unique.iter().zip(outcomes) {
        let Some(o) = outcome else {
            skipped += 1;
            continue;
        };
        eprint!("{}", o.stderr);
        font_notes.extend(o.font_notes);
        let _ = stdout.write_all(o.stdout.as_bytes());
        if o.code != Exit::Ok {
            failed.push(file.display().to_string());
        }
        worst = worst.max(o.code);
    }
    let _ = stdout.flush();
    // Said once for the batch: which official font was asked for and not found.
    for n in &font_notes {
        eprintln!("提示: {n}");
    }
    if opts.dump.is_some() || unique.is_empty() {
        return worst;
    }
    let interrupted = crate::interrupt::requested();
    let ok = unique.len() - failed.len() - skipped;
    let mut summary = format!(
        "共 {} 个文件：{ok} 个成功，{} 个失败",
        unique.len(),
        failed.len()
    );
    if !failed.is_empty() {
        summary += &format!("（{}）", failed.join("、"));
    }
    if interrupted {
        summary += &format!("，{skipped} 个因中断未处理；未完成的文件没有写出，原有文件保持不变");
        worst = Exit::Interrupted;
    }
    eprintln!("{summary}；用时 {} ms", started.elapsed().as_millis());
    worst
}

/// No terminal on wasm32.
#[cfg(target_arch = "wasm32")]
fn progress_bar(_: usize) -> Option<NoBar> {
    None
}

#[cfg(target_arch = "wasm32")]
struct NoBar;

#[cfg(target_arch = "wasm32")]
impl NoBar {
    fn inc(&self, _: u64) {}
    fn finish_and_clear(&self) {}
}

/// A progress bar on an interactive terminal for batches; nothing when
/// stderr is a file or pipe, where it would only add noise to logs.
#[cfg(not(target_arch = "wasm32"))]
fn progress_bar(files: usize) -> Option<ProgressBar> {
    if files < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(files as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} 份 {elapsed}") {
        bar.set_style(style);
    }
    Some(bar)
}

fn render_one(
    file: &Path,
    opts: &RenderOptions,
    outputs: &Outputs,
    user: Option<&Template>,
    fonts: &FontDirs,
) -> Outcome {
    let started = Instant::now();
    let mut out = Outcome::new();
    let until = match opts.dump {
        Some(Dump::Markup) => Until::Markup,
        Some(Dump::Model) => Until::Document,
        None => Until::Pages,
    };
    let job = Job::new(file).template(user).until(until);
    let Warned { value, diagnostics } = compile(&job, &Disk, fonts);
    out.stderr += &diagnostics.to_string();
    let compiled = match value {
        Ok(c) => c,
        Err(f) => {
            let code = f.exit();
            return match f {
                Failure::Data(d) => out.fail(code, d, "数据有错误，未生成文件", file),
                Failure::Typeset(_, d) => out.fail(code, d, "未生成文件", file),
            };
        }
    };
    let t = match compiled.made {
        Made::Pages(t) => t,
        Made::Markup(markup) => {
            out.stdout = markup;
            return out;
        }
        Made::Document(document) => {
            out.stdout = crate::doc::dump::dump(&document);
            return out;
        }
        Made::Data => return out,
    };
    let written = match crate::export::write(&t.document, &t.laid, &t.book, outputs) {
        Ok(w) => w,
        Err(d) => {
            let d = crate::compile::locate(d, &compiled.input);
            return out.fail(Exit::of(&d), d, "未生成文件", file);
        }
    };
    out.font_notes = t.book.notes.clone();
    let dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    if opts.out_dir.is_some() {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let d = Diagnostic::io(format!("无法创建输出目录：{}", crate::diag::io_message(&e)))
                .in_file(&dir);
            return out.fail(Exit::Io, d, "未生成文件", file);
        }
    }
    let outputs: Vec<(PathBuf, &[u8])> = [
        (&written.pdf, "pdf"),
        (&written.docx, "docx"),
        (&written.ofd, "ofd"),
    ]
    .into_iter()
    .filter_map(|(bytes, ext)| Some((dir.join(format!("{stem}.{ext}")), bytes.as_deref()?)))
    .collect();
    if let Err(d) = crate::output::write_pair(&outputs) {
        return out.fail(Exit::Io, d, "未生成文件，原有文件保持不变", file);
    }
    let written: Vec<&str> = outputs
        .iter()
        .filter_map(|(p, _)| p.extension()?.to_str())
        .collect();
    if out.code == Exit::Ok {
        out.stderr += &format!(
            "{}: 完成（{}，{} ms）\n",
            file.display(),
            written.join(" + "),
            started.elapsed().as_millis()
        );
    }
    out
}
