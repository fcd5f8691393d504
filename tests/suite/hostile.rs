//! Hostile input through the real command line: outputs that would collide,
//! links planted in the output directory, files left by killed runs,
//! characters Word refuses, data files naming files elsewhere, templates
//! linking out of their directory or built to exhaust the stack, memory or
//! time, style files with impossible values, signals. Each case's exit
//! code and messages are compared with `tests/fixtures/hostile/<case>.expected`
//! (`BLESS=1` to re-bless); every failing run must leave earlier outputs
//! byte-identical and no temporary file behind.
#![cfg(unix)]

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::{case, run_case, sample, scratch, temp_files, Case, GONGWEN};

fn cases() -> Vec<Case> {
    let seed = sample("zhanlang-2020");
    let qinghe = sample("qinghe-market-2025");
    let with = |from: &str, to: &str| -> String {
        assert!(seed.contains(from), "{from}");
        seed.replacen(from, to, 1)
    };
    let table = |body: &str| format!("<title>表格</title>\n{body}\n");
    let long_line = format!(
        "{{\"agency\": \"{}\", \"year\": \"二〇二〇\"}}\n",
        "长".repeat(600_000)
    );
    vec![
        case("colliding-outputs", &["render", "A/r.toml", "B/r.toml", "-o", "out"])
            .file("A/r.toml", seed.clone())
            .file("B/r.toml", qinghe.clone())
            .earlier(&["out/r.pdf", "out/r.docx"]),
        case("toml-and-json-of-one-stem", &["render", "dir"])
            .file("dir/r.toml", seed.clone())
            .file("dir/r.json", "{\"agency\": \"湛郎街道\", \"year\": 2020}")
            .earlier(&["dir/r.pdf", "dir/r.docx"]),
        case("forbidden-xml-characters", &["check", "x.toml"]).file(
            "x.toml",
            with(
                "agency = \"湛郎街道\"",
                "agency = \"湛郎\\uFFFE街道\"\nsubject = \"主题\\uFFFF\"\nkeywords = [\"\\uFDD0\"]",
            ),
        ),
        case("previous-outside-the-folder", &["check", "a.toml", "b.toml", "c.toml"])
            .file("a.toml", with("format = \"2019\"", "format = \"2019\"\nprevious = \"/etc/shadow\""))
            .file("b.toml", with("format = \"2019\"", "format = \"2019\"\nprevious = \"../secret.toml\""))
            .file("c.toml", with("format = \"2019\"", "format = \"2019\"\nprevious = \"notes.txt\"")),
        case("template-outside-the-folder", &["render", "a.toml", "b.toml"])
            .file("a.toml", with("format = \"2019\"", "format = \"2019\"\ntemplate = \"/tmp\""))
            .file("b.toml", with("format = \"2019\"", "format = \"2019\"\ntemplate = \"../t\""))
            .earlier(&["a.pdf", "b.pdf"]),
        case("one-line-megabyte-json", &["check", "big.json"]).file("big.json", long_line),
        case("style-out-of-range", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file("t/report.html", "<title>标题</title>\n")
            .file("t/style.toml", "[table]\nborder_pt = -1\n")
            .earlier(&["a.pdf"]),
        case("style-not-a-number", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file("t/report.html", "<title>标题</title>\n")
            .file("t/style.toml", "[page]\nwidth_mm = inf\n\n[roles]\nbody = { font = \"fangsong\", size = 16, pitch = nan }\n"),
        case("style-unknown-key", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file("t/report.html", "<title>标题</title>\n")
            .file("t/style.toml", "[page]\nwidht_mm = 200\n"),
        case("style-no-text-block", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file("t/report.html", "<title>标题</title>\n")
            .file("t/style.toml", "[page]\nmargin_left_mm = 100\nmargin_right_mm = 100\n"),
        case("template-expression-chain", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file(
                "t/report.html",
                format!("<title>{{{{ {} }}}}</title>\n", vec!["\"a\""; 30_000].join(" ~ ")),
            ),
        case("template-nested-blocks", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file(
                "t/report.html",
                format!(
                    "<title>深</title>\n{}<p>x</p>{}\n",
                    "{% if true %}".repeat(5_000),
                    "{% endif %}".repeat(5_000)
                ),
            ),
        case("empty-rows-past-the-cap", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file(
                "t/report.html",
                table("<table widths=\"{% for i in range(100000) %}1,{% endfor %}1\">{% for i in range(100000) %}<tr></tr>{% endfor %}</table>"),
            ),
        case("huge-join", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file("t/report.html", "<title>{{ range(100000)|join(\"x\" * 1000) }}</title>\n"),
        case("a-million-page-breaks", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file(
                "t/report.html",
                "<title>分页</title>\n{% for i in range(100) %}{% for j in range(10000) %}<pagebreak/>{% endfor %}{% endfor %}\n",
            ),
        case("too-many-pages", &["render", "a.toml", "--template", "t"])
            .file("a.toml", seed.clone())
            .file(
                "t/report.html",
                "<title>分页</title>\n{% for i in range(2100) %}<p>第{{ i }}页</p><pagebreak/>{% endfor %}\n",
            ),
        case("source-date-epoch-out-of-range", &["render", "a.toml"])
            .file("a.toml", seed.clone())
            .env("SOURCE_DATE_EPOCH", "99999999999999")
            .earlier(&["a.pdf", "a.docx"]),
        case("docx-only-still-checks-glyphs", &["render", "a.toml", "--docx-only"])
            .file("a.toml", with("2020年，在区委", "2020年，在区委𪚥"))
            .earlier(&["a.docx"]),
    ]
}

#[test]
fn hostile_input_gets_the_expected_messages() {
    for c in &cases() {
        let shown = run_case(c);
        // A megabyte-long line must not come back as a megabyte message.
        assert!(
            shown.len() < 8_000,
            "{}: {} bytes of messages",
            c.name,
            shown.len()
        );
        common::assert_snapshot(
            format!("tests/fixtures/hostile/{}.expected", c.name),
            &shown,
        );
    }
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    common::cli::run_in(dir, args)
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// A link planted under the output's name is replaced, never written
/// through; temporary files a killed run left are removed.
#[test]
fn links_in_the_output_directory_are_never_followed() {
    let dir = scratch("links");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    write(&dir, "victim.txt", "must not change");
    std::os::unix::fs::symlink(dir.join("victim.txt"), dir.join("a.pdf")).unwrap();
    for stale in [".a.pdf.X1y2Z3.gongwen-tmp", ".a.docx.Q9w8E7.gongwen-tmp"] {
        write(&dir, stale, "left by a killed run");
    }
    let out = run(&dir, &["render", "a.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("victim.txt")).unwrap(),
        "must not change"
    );
    let meta = std::fs::symlink_metadata(dir.join("a.pdf")).unwrap();
    assert!(meta.file_type().is_file());
    // An ordinary file others can read, not a private temporary one.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        meta.permissions().mode() & 0o044,
        0o044,
        "output not readable by others"
    );
    assert!(std::fs::read(dir.join("a.pdf"))
        .unwrap()
        .starts_with(b"%PDF-"));
    assert!(temp_files(&dir).is_empty(), "{:?}", temp_files(&dir));
}

/// A data file naming a FIFO or a device as last year's file is answered
/// at once; a FIFO given as the data file too.
#[test]
fn fifos_and_devices_never_block_or_grow() {
    let dir = scratch("fifo");
    mkfifo(&dir.join("prev.toml"));
    mkfifo(&dir.join("pipe.toml"));
    write(
        &dir,
        "a.toml",
        &sample("zhanlang-2020").replacen(
            "format = \"2019\"",
            "format = \"2019\"\nprevious = \"prev.toml\"",
            1,
        ),
    );
    let started = Instant::now();
    let out = run(&dir, &["check", "a.toml", "pipe.toml"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("prev.toml") && err.contains("不是普通文件"),
        "{err}"
    );
    assert!(err.contains("pipe.toml"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

/// The template directory may not link to files outside it.
#[test]
fn template_links_out_of_their_directory_are_refused() {
    let dir = scratch("template-link");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    write(&dir, "secret.html", "机密内容");
    write(
        &dir,
        "t/report.html",
        "<title>标题</title>\n<p>{% include \"leak.html\" %}</p>\n",
    );
    std::os::unix::fs::symlink(dir.join("secret.html"), dir.join("t/leak.html")).unwrap();
    let out = run(
        &dir,
        &["render", "a.toml", "--template", "t", "--dump-markup"],
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        !stdout.contains("机密内容") && !stderr.contains("机密内容"),
        "{stdout}{stderr}"
    );
    assert!(
        stderr.contains("leak.html") && stderr.contains("链接"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A DOCX that cannot be replaced (immutable here; open in Word on
/// Windows) leaves the earlier PDF too: the pair stays a pair.
#[test]
fn a_locked_docx_keeps_the_earlier_pdf() {
    let dir = scratch("locked");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    write(&dir, "a.pdf", "old pdf");
    write(&dir, "a.docx", "old docx");
    let locked = Command::new("chattr")
        .arg("+i")
        .arg(dir.join("a.docx"))
        .status();
    if !locked.is_ok_and(|s| s.success()) {
        // Without chattr (or as a user who may not use it) a read-only file
        // plays the part for a non-root user; root writes through those.
        assert!(
            unsafe { libc::geteuid() } == 0,
            "chattr is needed to lock a file for this test"
        );
        panic!("chattr +i failed: this file system cannot mark a file immutable");
    }
    let out = run(&dir, &["render", "a.toml"]);
    let _ = Command::new("chattr")
        .arg("-i")
        .arg(dir.join("a.docx"))
        .status();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("a.pdf")).unwrap(),
        "old pdf",
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.docx")).unwrap(),
        "old docx"
    );
    assert!(
        err.contains("a.docx") && err.contains("关闭该文件"),
        "{err}"
    );
    assert!(temp_files(&dir).is_empty());
}

/// Two processes rendering different reports of one stem into one
/// directory, over and over: the pair on disk is always one report's.
#[test]
fn two_processes_never_leave_a_mixed_pair() {
    let dir = scratch("two-processes");
    write(&dir, "A/r.toml", &sample("zhanlang-2020"));
    write(&dir, "B/r.toml", &sample("qinghe-market-2025"));
    let alone = |src: &str| {
        let out_dir = format!("alone-{src}");
        assert!(
            run(&dir, &["render", &format!("{src}/r.toml"), "-o", &out_dir])
                .status
                .success()
        );
        (
            std::fs::read(dir.join(&out_dir).join("r.pdf")).unwrap(),
            std::fs::read(dir.join(&out_dir).join("r.docx")).unwrap(),
        )
    };
    let (a, b) = (alone("A"), alone("B"));
    for _ in 0..15 {
        let spawn = |src: &str| {
            Command::new(GONGWEN)
                .args(["render", &format!("{src}/r.toml"), "-o", "out"])
                .current_dir(&dir)
                .env("SOURCE_DATE_EPOCH", "1735689600")
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut x, mut y) = (spawn("A"), spawn("B"));
        assert!(x.wait().unwrap().success() && y.wait().unwrap().success());
        let pair = (
            std::fs::read(dir.join("out/r.pdf")).unwrap(),
            std::fs::read(dir.join("out/r.docx")).unwrap(),
        );
        assert!(pair == a || pair == b, "a mixed pair");
    }
    assert!(temp_files(&dir).is_empty());
}

/// SIGTERM and SIGHUP end a batch like Ctrl-C: promptly, every output old
/// or complete, nothing temporary left.
#[test]
fn sigterm_and_sighup_end_a_batch_cleanly() {
    common::cli::interrupt_a_batch(libc::SIGTERM);
    common::cli::interrupt_a_batch(libc::SIGHUP);
}

/// Each resource bound, measured: the hostile template runs under a 2 GiB
/// address-space limit, and must end with its error (not be killed) within
/// a minute, its peak memory under 512 MiB. The figures are printed
/// (`cargo test -- --nocapture`).
#[test]
fn every_bound_holds_under_a_memory_limit() {
    use std::os::unix::process::CommandExt;
    let seed = sample("zhanlang-2020");
    let cases = [
        ("expression chain", format!("<title>{{{{ {} }}}}</title>", vec!["\"a\""; 30_000].join(" ~ "))),
        ("nested blocks", format!("<title>深</title>{}{}", "{% if true %}".repeat(5_000), "{% endif %}".repeat(5_000))),
        ("empty rows", "<title>t</title><table widths=\"{% for i in range(100000) %}1,{% endfor %}1\">{% for i in range(100000) %}<tr></tr>{% endfor %}</table>".to_string()),
        ("join", "<title>{{ range(100000)|join(\"x\" * 1000) }}</title>".to_string()),
        ("page breaks", "<title>t</title>{% for i in range(100) %}{% for j in range(10000) %}<pagebreak/>{% endfor %}{% endfor %}".to_string()),
        ("pages", "<title>t</title>{% for i in range(2100) %}<p>第{{ i }}页</p><pagebreak/>{% endfor %}".to_string()),
        ("text", "<title>t</title>{% for i in range(30) %}<p>{{ \"政\" * 20000 }}</p>{% endfor %}".to_string()),
        ("doubling", "{% set ns = namespace(s=\"aaaaaaaaaa\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}<title>{{ ns.s|length }}</title>".to_string()),
    ];
    for (name, template) in cases {
        let dir = scratch("bounds");
        write(&dir, "a.toml", &seed);
        write(&dir, "t/report.html", &template);
        let started = Instant::now();
        let child = unsafe {
            Command::new(GONGWEN)
                .args(["render", "a.toml", "--template", "t"])
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .pre_exec(|| {
                    let limit = libc::rlimit {
                        rlim_cur: 2 << 30,
                        rlim_max: 2 << 30,
                    };
                    libc::setrlimit(libc::RLIMIT_AS, &limit);
                    Ok(())
                })
                .spawn()
                .unwrap()
        };
        let mut status = 0;
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = child.id() as libc::pid_t;
        assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
        let secs = started.elapsed().as_secs_f64();
        let peak_mb = usage.ru_maxrss / 1024;
        println!("bound {name}: {secs:.2} s, peak {peak_mb} MB");
        assert!(libc::WIFEXITED(status), "{name}: killed by a signal");
        assert_eq!(libc::WEXITSTATUS(status), 1, "{name}: exit status");
        assert!(secs < 60.0, "{name}: {secs} s");
        assert!(peak_mb < 512, "{name}: {peak_mb} MB");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
