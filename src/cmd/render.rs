//! `gongwen render`: data files → documents → PDF and DOCX, written
//! atomically so a failed run never destroys a good earlier output.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::doc::Document;
use crate::exit::Exit;
use crate::font::FontBook;
use crate::input::{self, Input};
use crate::template::{Content, Template};

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
    /// Also write the OFD (OFD-A) of the same pages.
    pub ofd: bool,
    /// Write the PDF as PDF/A-2b.
    pub pdfa: bool,
    /// Sign the OFD with this key and certificate.
    pub signer: Option<Arc<crate::export::sign::Signer>>,
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
            ofd: false,
            pdfa: false,
            signer: None,
        }
    }
}

/// Output of one report, in memory.
pub struct Rendered {
    pub document: Document,
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
    pub ofd: Option<Vec<u8>>,
    /// Which bundled faces stood in for fonts the `--font-dir`s lacked.
    pub font_notes: Vec<String>,
}

/// Renders one report to bytes, without touching the file system.
pub fn render_report<'a>(
    data: impl Into<Content<'a>>,
    template: &Template,
    fonts: &FontCache,
    opts: &RenderOptions,
) -> Result<Rendered, Diagnostic> {
    render_report_in(data, template, fonts, opts, None)
}

/// As [`render_report`], pictures the data names read from `pictures`
/// (the data file's folder).
pub fn render_report_in<'a>(
    data: impl Into<Content<'a>>,
    template: &Template,
    fonts: &FontCache,
    opts: &RenderOptions,
    pictures: Option<&Path>,
) -> Result<Rendered, Diagnostic> {
    let document = template.document_in(data, pictures)?;
    let book = fonts.get(&document, &opts.font_dirs)?;
    let epoch = crate::epoch::source_date_epoch()?;
    // Laid out whatever the outputs: the DOCX repeats the layout's page
    // breaks, and laying out finds every character no font has.
    let laid = crate::layout::lay_out(&document, &book)?;
    let (pdf, mut ofd) = match (opts.pdf, opts.ofd) {
        (true, true) => {
            let (pdf, ofd) = crate::export::pdf::write_with_ofd(
                &laid.pages,
                &book,
                &document.meta,
                epoch,
                opts.pdfa,
                opts.signer.as_deref(),
            )?;
            (Some(pdf), Some(ofd))
        }
        (true, false) => (
            Some(crate::export::pdf::write_as(
                &laid.pages,
                &book,
                &document.meta,
                epoch,
                opts.pdfa,
            )?),
            None,
        ),
        _ => (None, None),
    };
    let docx = if opts.docx {
        Some(crate::export::docx::write(
            &document,
            &book,
            &laid,
            epoch,
            if opts.embed_fonts {
                crate::export::docx::Fonts::Embedded
            } else {
                crate::export::docx::Fonts::Official
            },
        )?)
    } else {
        None
    };
    if opts.ofd && ofd.is_none() {
        ofd = Some(crate::export::ofd::write(
            &laid.pages,
            &book,
            &document.meta,
            epoch,
            opts.signer.as_deref(),
        )?);
    }
    Ok(Rendered {
        document,
        pdf,
        docx,
        ofd,
        font_notes: book.notes.clone(),
    })
}

/// Family → file of the style sheet, and the font directories searched.
type FontKey = (Vec<(String, String)>, Vec<PathBuf>);

/// Fonts parsed once per process and shared by every report and thread
/// whose style names the same faces.
#[derive(Default)]
pub struct FontCache {
    books: Mutex<Vec<(FontKey, Arc<FontBook>)>>,
}

impl FontCache {
    pub fn get(&self, doc: &Document, dirs: &[PathBuf]) -> Result<Arc<FontBook>, Diagnostic> {
        let key = (
            doc.style
                .fonts
                .iter()
                .map(|(k, f)| (k.clone(), f.file.clone()))
                .collect(),
            dirs.to_vec(),
        );
        // Held while loading, so two threads never parse the same faces.
        let mut books = self.books.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, book)) = books.iter().find(|(k, _)| *k == key) {
            return Ok(book.clone());
        }
        let book = Arc::new(FontBook::load(&doc.style, dirs)?);
        books.push((key, book.clone()));
        Ok(book)
    }
}

/// Expands directories into the data files they hold; a directory with
/// none is an error rather than a silent success.
pub(crate) fn collect_inputs(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in inputs {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let entries = match std::fs::read_dir(p) {
            Ok(e) => e,
            Err(e) => {
                errors.push(
                    Diagnostic::io(format!("无法读取目录：{}", crate::diag::io_message(&e)))
                        .in_file(p),
                );
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| {
                f.is_file()
                    && matches!(
                        f.extension().and_then(|e| e.to_str()),
                        Some("toml" | "json")
                    )
            })
            .collect();
        if files.is_empty() {
            errors.push(Diagnostic::error("目录中没有数据文件（.toml 或 .json）").in_file(p));
        }
        files.sort();
        out.extend(files);
    }
    (out, errors)
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
    let (files, input_errors) = collect_inputs(inputs);
    let mut worst = Exit::Ok;
    for d in &input_errors {
        eprint!("{d}");
        worst = worst.max(Exit::of(d));
    }
    let user_template = match &opts.template_dir {
        Some(dir) => match Template::by_name_or_dir(dir) {
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
    if let Err(d) = crate::epoch::source_date_epoch() {
        eprint!("{d}");
        return Exit::Usage;
    }
    // Two inputs writing the same files would overwrite each other.
    if !(opts.dump_model || opts.dump_markup) {
        let (errors, skip) = crate::output::collisions(&unique, opts.out_dir.as_deref());
        for d in &errors {
            eprint!("{d}");
            worst = worst.max(Exit::Input);
        }
        unique.retain(|f| !skip.contains(f));
    }
    crate::interrupt::install();
    let fonts = FontCache::default();
    let bar = progress_bar(unique.len());
    let outcomes: Vec<Option<Outcome>> = unique
        .par_iter()
        .map(|file| {
            if crate::interrupt::requested() {
                return None;
            }
            let o = render_one(file, opts, user_template.as_ref(), &fonts);
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
    if opts.dump_model || opts.dump_markup || unique.is_empty() {
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

/// A progress bar on an interactive terminal for batches; nothing when
/// stderr is a file or pipe, where it would only add noise to logs.
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

/// The folder of a data file, where the pictures it names are.
pub(crate) fn folder(file: &Path) -> Option<&Path> {
    Some(match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    })
}

fn render_one(
    file: &Path,
    opts: &RenderOptions,
    user: Option<&Template>,
    fonts: &FontCache,
) -> Outcome {
    let started = Instant::now();
    let mut out = Outcome::new();
    let loaded = input::load(file, user);
    let Some(input) = loaded.ok() else {
        let code = loaded.exit();
        return out.fail(code, loaded.diagnostics, "数据有错误，未生成文件", file);
    };
    out.stderr += &loaded.diagnostics.to_string();
    let template = &input.template;
    let data = input.data.content();
    if opts.dump_markup {
        return match template.render_markup(data) {
            Ok(markup) => {
                out.stdout = markup;
                out
            }
            Err(d) => out.fail(Exit::of(&d), d, "未生成文件", file),
        };
    }
    if opts.dump_model {
        return match template.document_in(data, folder(file)) {
            Ok(doc) => {
                out.stdout = crate::doc::dump::dump(&doc);
                out
            }
            Err(d) => out.fail(Exit::of(&d), d, "未生成文件", file),
        };
    }
    let rendered = match render_report_in(data, template, fonts, opts, folder(file)) {
        Ok(r) => {
            out.font_notes = r.font_notes.clone();
            r
        }
        Err(d) => {
            let d = locate(d, input, file);
            return out.fail(Exit::of(&d), d, "未生成文件", file);
        }
    };
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
        (&rendered.pdf, "pdf"),
        (&rendered.docx, "docx"),
        (&rendered.ofd, "ofd"),
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

/// Points a rendering error at the data file when it can: a character no
/// font has is shown where it first occurs in the data, other errors
/// without a file name the data file.
pub(crate) fn locate(d: Diagnostic, input: &Input, file: &Path) -> Diagnostic {
    if d.file.is_some() {
        return d;
    }
    let src = &input.source;
    let at = match d.kind {
        crate::diag::Kind::MissingGlyph(c) => src.text.find(c).map(|at| at..at + c.len_utf8()),
        crate::diag::Kind::Picture => d
            .message
            .split_once('「')
            .and_then(|(_, rest)| rest.split_once('」'))
            .and_then(|(path, _)| {
                [format!("\"{path}\""), format!("'{path}'")]
                    .iter()
                    .find_map(|q| src.text.find(q.as_str()))
                    .map(|at| at + 1..at + 1 + path.len())
            }),
        _ => None,
    };
    if let Some(at) = at {
        return d.at(src, at);
    }
    d.in_file(file)
}
