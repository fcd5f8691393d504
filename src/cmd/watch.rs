//! `gongwen watch`: re-check and re-render whenever a data file, the last
//! year's file it names, or a template file changes.
//!
//! Polling keeps this free of platform watchers. A change is a new
//! modification time, size or content: a file restored with its old time
//! (`cp -p`, `touch -r`, an archive) still counts. Reading a few small
//! files every 300 ms costs nothing next to a render; anything that is not
//! a regular file (a FIFO put in a data file's place) is never opened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cmd::collect_inputs;
use crate::cmd::render::RenderOptions;
use crate::compile::{compile, Failure, Job, Until};
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;

const POLL: Duration = Duration::from_millis(300);

/// What is known of each file a data file depends on.
type Stamps = BTreeMap<PathBuf, Option<Stamp>>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stamp {
    /// A regular file: modification time, size, hash of the content.
    File(Option<SystemTime>, u64, u64),
    /// A directory (its time changes when a file is added or removed).
    Dir(Option<SystemTime>),
    /// Something else, never read.
    Other,
}

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
    crate::cmd::render::run(&files, opts);
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
            crate::cmd::render::run(std::slice::from_ref(file), opts);
        }
    }
}

/// The data file, the previous year's file it names, and the template
/// directory it uses with the files in it (the directory's own time
/// changes when a file is added or removed).
fn dependencies(file: &Path, opts: &RenderOptions) -> Vec<PathBuf> {
    let mut paths = vec![file.to_path_buf()];
    let job = Job {
        past_errors: true,
        ..Job::new(file).until(Until::Data)
    };
    let compiled = compile(&job, &Disk, &FontDirs::default()).value;
    let input = match &compiled {
        Ok(c) => Some(&c.input),
        Err(Failure::Typeset(input, _)) => Some(&**input),
        Err(Failure::Data(_)) => None,
    };
    if let Some(prev) = input.and_then(|i| i.report()?.previous.as_ref()) {
        paths.push(prev.spans.path.clone());
    }
    // `--template DIR` is followed whatever the data file says: read
    // without it, a file for that template need not load at all.
    let template_dir = opts.template_dir.clone().or_else(|| {
        let t = &input?.template;
        t.from_dir.then(|| t.origin.clone())
    });
    if let Some(t) = template_dir.filter(|t| t.is_dir()) {
        if let Ok(entries) = std::fs::read_dir(&t) {
            paths.extend(entries.flatten().map(|e| e.path()));
        }
        paths.push(t);
    }
    paths
}

/// Stamps of `paths`: none while a file is missing, so its reappearance
/// counts as a change.
fn stamp(paths: Vec<PathBuf>) -> Stamps {
    paths
        .into_iter()
        .map(|p| {
            let s = std::fs::metadata(&p).ok().map(|m| {
                let t = m.modified().ok();
                if m.is_dir() {
                    Stamp::Dir(t)
                } else if m.is_file() && m.len() <= crate::data::MAX_DATA_BYTES * 4 {
                    Stamp::File(t, m.len(), content_hash(&p))
                } else if m.is_file() {
                    Stamp::File(t, m.len(), 0)
                } else {
                    Stamp::Other
                }
            });
            (p, s)
        })
        .collect()
}

fn content_hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // It may have become a FIFO since the stat.
    match crate::data::open_nonblocking(path) {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => {
            use std::io::Read;
            let mut bytes = Vec::new();
            let _ = f
                .take(crate::data::MAX_DATA_BYTES * 4)
                .read_to_end(&mut bytes);
            bytes.hash(&mut h);
        }
        _ => 1u8.hash(&mut h),
    }
    h.finish()
}
