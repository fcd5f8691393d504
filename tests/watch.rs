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

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

#[test]
fn watch_rerenders_on_save_and_keeps_the_last_good_output() {
    let dir = std::env::temp_dir().join(format!("gongwen-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let seed = std::fs::read_to_string("samples/zhanlang-2020.toml").unwrap();
    let data = dir.join("a.toml");
    std::fs::write(&data, &seed).unwrap();
    let log = dir.join("log.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["watch", "a.toml", "--pdf-only", "-o", "out"])
        .current_dir(&dir)
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let pdf = dir.join("out/a.pdf");
    wait_for("the first render", || read(&pdf).starts_with(b"%PDF"));
    let first = read(&pdf);

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
