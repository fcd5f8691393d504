//! `gongwen watch` through the real binary: an edit is picked up and
//! rendered, a broken edit is reported and leaves the last good output.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ends the watcher if the test fails half-way, so it cannot hold the test
/// harness's output open.
struct Watcher(std::process::Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// A watcher started on a copy of the seed in a fresh directory named
/// `name`, after its first render: the directory, the data file, the
/// stderr log and the first PDF.
struct Started {
    watcher: Watcher,
    dir: std::path::PathBuf,
    data: std::path::PathBuf,
    log: std::path::PathBuf,
    pdf: std::path::PathBuf,
    seed: String,
    first: Vec<u8>,
}

/// `gongwen watch FILE --pdf-only -o out [more]` in `dir`, its stderr in
/// a log.
fn spawn_watch(dir: &Path, file: &str, more: &[&str]) -> (Watcher, std::path::PathBuf) {
    let log = dir.join("log.txt");
    let watcher = Watcher(
        Command::new(env!("CARGO_BIN_EXE_gongwen"))
            .args(["watch", file, "--pdf-only", "-o", "out"])
            .args(more)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap(),
    );
    (watcher, log)
}

fn start(name: &str) -> Started {
    let dir = std::env::temp_dir().join(format!("gongwen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let seed = std::fs::read_to_string("samples/zhanlang-2020.toml").unwrap();
    let data = dir.join("a.toml");
    std::fs::write(&data, &seed).unwrap();
    let (watcher, log) = spawn_watch(&dir, "a.toml", &[]);
    let pdf = dir.join("out/a.pdf");
    wait_for("the first render", || read(&pdf).starts_with(b"%PDF"));
    let first = read(&pdf);
    Started {
        watcher,
        dir,
        data,
        log,
        pdf,
        seed,
        first,
    }
}

#[test]
fn watch_rerenders_on_save_and_keeps_the_last_good_output() {
    let Started {
        mut watcher,
        dir,
        data,
        log,
        pdf,
        seed,
        first,
    } = start("watch");
    let child = &mut watcher.0;

    // A corrected name is rendered again.
    let edited = seed.replacen("agency = \"湛郎街道\"", "agency = \"湛郎街道办事处\"", 1);
    assert_ne!(edited, seed);
    std::fs::write(&data, &edited).unwrap();
    wait_for("the re-render", || {
        let now = read(&pdf);
        now.starts_with(b"%PDF") && now != first
    });
    let second = read(&pdf);

    // A broken edit is reported; the good output stays.
    std::fs::write(&data, seed.replacen("year = 2020", "year = \"x\"", 1)).unwrap();
    wait_for("the error report", || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("应为整数")
    });
    assert_eq!(read(&pdf), second);

    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("a.toml 已修改，重新核对并生成"), "{log}");
    assert!(log.matches("a.toml: 完成").count() >= 2, "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A content change that keeps the modification time (`cp -p`, `touch -r`,
/// a restore from an archive) is seen; a FIFO put in the data file's place
/// does not block the watcher, which still ends promptly on Ctrl-C.
#[test]
fn watch_sees_changes_that_keep_the_time_and_never_blocks_on_a_fifo() {
    let Started {
        mut watcher,
        dir,
        data,
        log,
        pdf,
        seed,
        first,
    } = start("watch-mtime");
    let child = &mut watcher.0;

    // Same length, same time, other content.
    let stamp = std::fs::metadata(&data).unwrap().modified().unwrap();
    let edited = seed.replacen("agency = \"湛郎街道\"", "agency = \"湛朗街道\"", 1);
    assert_eq!(edited.len(), seed.len());
    std::fs::write(&data, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&data)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    wait_for("the re-render", || {
        let now = read(&pdf);
        now.starts_with(b"%PDF") && now != first
    });

    std::fs::remove_file(&data).unwrap();
    let c = std::ffi::CString::new(data.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    wait_for("the FIFO reported", || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("不是普通文件")
    });
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(5), "slow to stop");
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A template with its own data, named by the data file or by
/// `--template`: editing its `template.toml` re-checks the data with the
/// new rule, whose message appears, and the good output stays.
#[test]
fn watch_follows_a_templates_rules() {
    for (case, more) in [
        ("named", &[][..]),
        ("option", &["--template", "bulletin"][..]),
    ] {
        let dir =
            std::env::temp_dir().join(format!("gongwen-watch-rules-{case}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let tpl = dir.join("bulletin");
        std::fs::create_dir_all(&tpl).unwrap();
        for f in ["report.html", "schema.json", "template.toml"] {
            std::fs::copy(format!("tests/fixtures/schema/bulletin/{f}"), tpl.join(f)).unwrap();
        }
        let mut data = std::fs::read_to_string("tests/fixtures/schema/bulletin.toml").unwrap();
        if !more.is_empty() {
            data = data.replace("template = \"bulletin\"\n", "");
        }
        std::fs::write(dir.join("b.toml"), data).unwrap();
        let (mut watcher, log) = spawn_watch(&dir, "b.toml", more);
        let pdf = dir.join("out/b.pdf");
        wait_for("the first render", || read(&pdf).starts_with(b"%PDF"));
        let first = read(&pdf);
        let manifest = tpl.join("template.toml");
        let mut rules = std::fs::read_to_string(&manifest).unwrap();
        rules += "\n[[check]]\nrule = \"rows | length > 5\"\nmessage = \"至少应有 6 个窗口\"\nat = \"rows\"\n";
        std::fs::write(&manifest, rules).unwrap();
        wait_for("the new rule's message", || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("至少应有 6 个窗口")
        });
        assert_eq!(read(&pdf), first, "{case}: the good output stays");
        let child = &mut watcher.0;
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
        assert_eq!(child.wait().unwrap().code(), Some(0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
