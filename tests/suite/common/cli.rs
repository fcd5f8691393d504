//! Running the real binary on a scratch directory of files, for the
//! bad-input and hostile-input suites.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const GONGWEN: &str = env!("CARGO_BIN_EXE_gongwen");
pub const OLD: &[u8] = b"an earlier output that must survive";

/// A sample without the seed's two half-width commas, so each case shows
/// only the messages it is about.
pub fn sample(stem: &str) -> String {
    std::fs::read_to_string(format!("samples/{stem}.toml"))
        .unwrap()
        .replace("检查, 强化", "检查，强化")
        .replace("制度,严格", "制度，严格")
}

pub struct Case {
    pub name: &'static str,
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub args: Vec<&'static str>,
    /// Outputs that exist before the run, which a failure must not touch.
    pub earlier: Vec<&'static str>,
    /// Environment variables set for the run.
    pub env: Vec<(&'static str, String)>,
}

pub fn case(name: &'static str, args: &[&'static str]) -> Case {
    Case {
        name,
        files: Vec::new(),
        args: args.to_vec(),
        earlier: Vec::new(),
        env: Vec::new(),
    }
}

impl Case {
    pub fn file(mut self, path: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path, bytes.into()));
        self
    }

    pub fn env(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.env.push((key, value.into()));
        self
    }

    pub fn earlier(mut self, paths: &[&'static str]) -> Self {
        self.earlier.extend(paths);
        self
    }
}

/// The binary run in `dir` with a fixed `SOURCE_DATE_EPOCH`.
pub fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(GONGWEN)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1735689600")
        .output()
        .unwrap()
}

/// Replaces timings, which vary from run to run, with `N`.
pub fn normalise(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split(" ms").enumerate() {
        if i > 0 {
            out.push_str(" ms");
        }
        let digits = part.len() - part.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && i + 1 < text.split(" ms").count() {
            out.push_str(&part[..part.len() - digits]);
            out.push('N');
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A fresh directory per call: tests run in parallel and share case names.
/// They live under the target folder, one folder per test process; the
/// folders of processes that have ended are removed on the first call.
pub fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    SWEPT.call_once(|| {
        for e in std::fs::read_dir(base).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("scratch-")
                .and_then(|p| p.parse::<i32>().ok())
            else {
                continue;
            };
            if unsafe { libc::kill(pid, 0) } != 0 {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = base
        .join(format!("scratch-{}", std::process::id()))
        .join(format!("{name}-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(temp_files(&p));
        } else if p.to_string_lossy().ends_with("tmp") {
            found.push(p);
        }
    }
    found
}

pub fn run_case(c: &Case) -> String {
    let dir = scratch(c.name);
    for (path, bytes) in &c.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    for path in &c.earlier {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, OLD).unwrap();
    }
    let out = Command::new(GONGWEN)
        .args(&c.args)
        .current_dir(&dir)
        .env("SOURCE_DATE_EPOCH", "1735689600")
        .envs(c.env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for path in &c.earlier {
        assert_eq!(
            std::fs::read(dir.join(path)).unwrap(),
            OLD,
            "{}: {path} was replaced by a failing run\n{stderr}",
            c.name
        );
    }
    assert!(
        temp_files(&dir).is_empty(),
        "{}: temporary files left",
        c.name
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stdout = if stdout.is_empty() {
        String::new()
    } else {
        format!("--- stdout\n{stdout}")
    };
    format!(
        "$ gongwen {}\nexit {code}\n{}{stdout}",
        c.args.join(" "),
        normalise(&stderr)
    )
}

/// Renders a batch of 120 reports over earlier outputs, sends `signal` as
/// soon as the first new output appears, and checks that the process ends
/// promptly with every output either the earlier file or a complete new
/// one and no temporary file left.
#[cfg(unix)]
pub fn interrupt_a_batch(signal: libc::c_int) {
    use std::time::{Duration, Instant};
    let dir = scratch(&format!("signal-{signal}"));
    let seed = sample("zhanlang-2020");
    let n = 120;
    for i in 0..n {
        std::fs::write(dir.join(format!("r{i:03}.toml")), &seed).unwrap();
        std::fs::write(dir.join(format!("r{i:03}.pdf")), OLD).unwrap();
    }
    let mut child = Command::new(GONGWEN)
        .args(["render", "--pdf-only", "."])
        .current_dir(&dir)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first_new = || {
        (0..n).any(|i| {
            std::fs::read(dir.join(format!("r{i:03}.pdf"))).is_ok_and(|b| b.starts_with(b"%PDF"))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !first_new() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "signal {signal}: slow to stop"
    );
    let (mut new, mut old) = (0, 0);
    for i in 0..n {
        let bytes = std::fs::read(dir.join(format!("r{i:03}.pdf"))).unwrap();
        if bytes == OLD {
            old += 1;
        } else {
            assert!(
                bytes.starts_with(b"%PDF-"),
                "r{i:03}.pdf is neither old nor new"
            );
            assert!(
                bytes.trim_ascii_end().ends_with(b"%%EOF"),
                "r{i:03}.pdf is cut short"
            );
            new += 1;
        }
    }
    assert!(
        temp_files(&dir).is_empty(),
        "signal {signal}: temporary files left"
    );
    assert!(new > 0);
    if old > 0 {
        assert_eq!(status.code(), Some(130), "signal {signal}: exit status");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
