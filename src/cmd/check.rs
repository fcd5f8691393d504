//! `gongwen check`: data files read, checked and typeset without writing
//! anything, each with its problems or what it is.

use std::path::{Path, PathBuf};

use crate::compile::{compile, Failure, Job, Warned};
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;
use crate::template::Template;

/// Checks data files; a directory stands for the data files in it, as
/// for `render`.
pub fn check(inputs: &[PathBuf], template: Option<&Path>) -> Exit {
    let (files, errors) = crate::cmd::collect_inputs(inputs);
    let mut worst = Exit::Ok;
    for d in &errors {
        eprint!("{d}");
        worst = worst.max(Exit::of(d));
    }
    let chosen = match crate::cmd::chosen_template(template) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    for f in &files {
        let (code, text) = check_one(f, chosen.as_ref());
        eprint!("{text}");
        worst = worst.max(code);
    }
    worst
}

/// Checks one data file: the exit code and what `check` prints for it.
/// The template runs and the text is set in the bundled fonts, so a
/// character no font has is found by `check` as it is by `render`.
pub fn check_one(f: &Path, chosen: Option<&Template>) -> (Exit, String) {
    static FONTS: std::sync::OnceLock<FontDirs> = std::sync::OnceLock::new();
    let fonts = FONTS.get_or_init(Default::default);
    let Warned { value, diagnostics } = compile(&Job::new(f).template(chosen), &Disk, fonts);
    let mut out = diagnostics.to_string();
    let w = diagnostics.warning_count();
    let compiled = match value {
        Ok(c) => c,
        Err(failure) => {
            let code = failure.exit();
            return match failure {
                Failure::Data(d) => {
                    let (e, w) = (d.error_count(), d.warning_count());
                    out += &d.to_string();
                    out += &format!("{}: {e} 个错误，{w} 个警告\n", f.display());
                    (code, out)
                }
                Failure::Typeset(_, d) => {
                    out += &d.to_string();
                    out += "\n";
                    out += &format!("{}: 1 个错误，{w} 个警告\n", f.display());
                    (code.max(Exit::Input), out)
                }
            };
        }
    };
    let what = match compiled.input.report() {
        Some(r) => format!("{}，{}年，{}", r.agency, r.year, r.format.describe()),
        None => format!("模板 {}", compiled.input.template.name),
    };
    let warned = if w > 0 {
        format!("，{w} 个警告")
    } else {
        String::new()
    };
    out += &format!("{}: 通过（{what}）{warned}\n", f.display());
    (Exit::Ok, out)
}
