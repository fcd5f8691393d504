//! `gongwen watch`: re-check and re-render whenever a data file, the last
//! year's file it names, or a template file changes.
//!
//! Polling modification times keeps this free of platform watchers; a few
//! dozen `stat` calls every 300 ms cost nothing next to a render.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cli::{Exit, RenderOptions};
use crate::render::collect_inputs;

const POLL: Duration = Duration::from_millis(300);

/// Modification times of the files a data file depends on.
type Stamps = BTreeMap<PathBuf, Option<SystemTime>>;

pub fn run(inputs: &[PathBuf], opts: &RenderOptions) -> Exit {
    let (files, errors) = collect_inputs(inputs);
    for d in &errors {
        eprint!("{d}");
    }
    if files.is_empty() {
        return Exit::Input;
    }
    crate::interrupt::install();
    let mut stamps: Vec<Stamps> = files.iter().map(|f| stamp(dependencies(f, opts))).collect();
    crate::render::run(&files, opts);
    eprintln!(
        "正在监视 {} 个数据文件及其模板，修改后自动重新生成；按 Ctrl-C 结束",
        files.len()
    );
    loop {
        std::thread::sleep(POLL);
        if crate::interrupt::requested() {
            return Exit::Ok;
        }
        for (file, old) in files.iter().zip(stamps.iter_mut()) {
            // Only the known files are looked at each poll; the data file is
            // read again only when one of them changed.
            let now = stamp(old.keys().cloned().collect());
            if now == *old {
                continue;
            }
            let changed: Vec<String> = now
                .iter()
                .filter(|(p, t)| old.get(*p) != Some(t))
                .map(|(p, _)| p.display().to_string())
                .collect();
            *old = stamp(dependencies(file, opts));
            eprintln!("\n—— {} 已修改，重新核对并生成", changed.join("、"));
            crate::render::run(std::slice::from_ref(file), opts);
        }
    }
}

/// The data file, the previous year's file it names, and the template
/// directory it uses with the files in it (the directory's own time
/// changes when a file is added or removed).
fn dependencies(file: &Path, opts: &RenderOptions) -> Vec<PathBuf> {
    let mut paths = vec![file.to_path_buf()];
    let loaded = crate::data::load(file);
    if let Some(report) = &loaded.report {
        if let Some(prev) = &report.previous {
            paths.push(prev.spans.path.clone());
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let template_dir = opts
            .template_dir
            .clone()
            .or_else(|| report.template.as_ref().map(|t| dir.join(t)));
        if let Some(t) = template_dir.filter(|t| t.is_dir()) {
            if let Ok(entries) = std::fs::read_dir(&t) {
                paths.extend(entries.flatten().map(|e| e.path()));
            }
            paths.push(t);
        }
    }
    paths
}

/// Modification times of `paths`: none while a file is missing, so its
/// reappearance counts as a change.
fn stamp(paths: Vec<PathBuf>) -> Stamps {
    paths
        .into_iter()
        .map(|p| {
            let t = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
            (p, t)
        })
        .collect()
}
