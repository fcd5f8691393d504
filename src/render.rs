//! `gongwen render`: data files → documents → PDF and DOCX, written
//! atomically so a failed run never destroys a good earlier output.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{print_diagnostics, Exit, RenderOptions};
use crate::data;
use crate::diag::Diagnostic;
use crate::doc::Document;
use crate::font::FontBook;
use crate::template::{builtin, Template};

/// Output of one report, in memory.
pub struct Rendered {
    pub document: Document,
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for dates.
pub fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// Renders one report to bytes, without touching the file system.
pub fn render_report(
    report: &data::Report,
    template: &Template,
    fonts: &mut FontCache,
    opts: &RenderOptions,
) -> Result<Rendered, Diagnostic> {
    let document = template.document(report)?;
    let book = fonts.get(&document, &opts.font_dirs)?;
    let epoch = source_date_epoch();
    let pdf = if opts.pdf {
        let pages = crate::layout::layout(&document, book)?;
        Some(crate::export::pdf::write(
            &pages,
            book,
            &document.meta,
            epoch,
        )?)
    } else {
        None
    };
    let docx = if opts.docx {
        Some(crate::export::docx::write(&document, book, epoch)?)
    } else {
        None
    };
    Ok(Rendered {
        document,
        pdf,
        docx,
    })
}

/// Family → file of the style sheet, and the font directories searched.
type FontKey = (Vec<(String, String)>, Vec<PathBuf>);

/// Fonts parsed once per process and reused while the style's families
/// stay the same.
#[derive(Default)]
pub struct FontCache {
    key: Option<FontKey>,
    book: Option<FontBook>,
}

impl FontCache {
    pub fn get(&mut self, doc: &Document, dirs: &[PathBuf]) -> Result<&FontBook, Diagnostic> {
        let key = (
            doc.style
                .fonts
                .iter()
                .map(|(k, f)| (k.clone(), f.file.clone()))
                .collect(),
            dirs.to_vec(),
        );
        if self.key.as_ref() != Some(&key) || self.book.is_none() {
            self.book = Some(FontBook::load(&doc.style, dirs)?);
            self.key = Some(key);
        }
        Ok(self.book.as_ref().expect("just set"))
    }
}

/// Expands directories into the data files they hold.
fn collect_inputs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    matches!(
                        f.extension().and_then(|e| e.to_str()),
                        Some("toml" | "json")
                    )
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    out
}

pub fn run(inputs: &[PathBuf], opts: &RenderOptions) -> Exit {
    let files = collect_inputs(inputs);
    let user_template = match &opts.template_dir {
        Some(dir) => match Template::from_dir(dir) {
            Ok(t) => Some(t),
            Err(d) => {
                print_diagnostics(&d.into());
                return Exit::Input;
            }
        },
        None => None,
    };
    let mut fonts = FontCache::default();
    let mut worst = Exit::Ok;
    let mut failed = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for file in &files {
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        if !seen.insert(canonical) {
            eprintln!("{}: 重复给出，只处理一次", file.display());
            continue;
        }
        let started = std::time::Instant::now();
        let code = render_one(file, opts, user_template.as_ref(), &mut fonts);
        if code != Exit::Ok {
            failed.push(file.display().to_string());
        } else if !opts.dump_model {
            eprintln!(
                "{}: 完成（{} ms）",
                file.display(),
                started.elapsed().as_millis()
            );
        }
        worst = worst.max(code);
    }
    if files.len() > 1 {
        eprintln!(
            "共 {} 个文件：{} 个成功，{} 个失败{}",
            seen.len(),
            seen.len() - failed.len(),
            failed.len(),
            if failed.is_empty() {
                String::new()
            } else {
                format!("（{}）", failed.join("、"))
            }
        );
    }
    worst
}

fn render_one(
    file: &Path,
    opts: &RenderOptions,
    user: Option<&Template>,
    fonts: &mut FontCache,
) -> Exit {
    let loaded = data::load(file);
    print_diagnostics(&loaded.diagnostics);
    let Some(report) = loaded.ok() else {
        eprintln!("{}: 数据有错误，未生成文件", file.display());
        return crate::cli::load_failure(&loaded);
    };
    let template = match user {
        Some(t) => t.clone(),
        None => builtin::for_format(report.format),
    };
    let rendered = match render_report(report, &template, fonts, opts) {
        Ok(r) => r,
        Err(d) => {
            print_diagnostics(&d.into());
            eprintln!("{}: 未生成文件", file.display());
            return Exit::Input;
        }
    };
    if opts.dump_model {
        print!("{}", crate::doc::dump::dump(&rendered.document));
        return Exit::Ok;
    }
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
            eprint!(
                "{}",
                Diagnostic::error(format!("无法创建输出目录: {e}")).in_file(&dir)
            );
            return Exit::Io;
        }
    }
    let mut code = Exit::Ok;
    for (bytes, ext) in [(&rendered.pdf, "pdf"), (&rendered.docx, "docx")] {
        let Some(bytes) = bytes else { continue };
        let target = dir.join(format!("{stem}.{ext}"));
        if let Err(e) = write_atomic(&target, bytes) {
            eprint!(
                "{}",
                Diagnostic::error(format!("无法写出文件: {e}")).in_file(&target)
            );
            code = Exit::Io;
        }
    }
    code
}

/// Writes to a temporary file beside the target and renames it into place,
/// so the target is either the old file or the complete new one.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
