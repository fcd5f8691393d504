//! What each command does, separate from argument parsing so tests can run
//! it in-process.

pub mod check;
pub mod new;
pub mod render;
pub mod schema;
pub mod sum;
pub mod templates;
pub mod watch;

use std::path::PathBuf;

use crate::diag::Diagnostic;

pub use crate::cmd::render::RenderOptions;
pub use crate::exit::Exit;
pub use check::{check, check_one};
pub use new::{new, parse_year};
pub use schema::schema;
pub use templates::{export_template, list_templates};

pub fn render(inputs: &[PathBuf], opts: &RenderOptions) -> Exit {
    crate::cmd::render::run(inputs, opts)
}

/// `--template`: the template named or in the folder given, if any; an
/// unknown one is printed and its exit code returned.
pub(crate) fn chosen_template(
    template: Option<&std::path::Path>,
) -> Result<Option<crate::template::Template>, Exit> {
    template
        .map(|t| crate::template::Template::by_name_or_dir(t, &crate::disk::Disk))
        .transpose()
        .map_err(|d| {
            eprint!("{d}");
            Exit::of(&d).max(Exit::Input)
        })
}

/// Expands directories into the data files they hold; a directory with
/// none is an error rather than a silent success.
pub fn collect_inputs(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
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
