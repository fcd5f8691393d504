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
            .file("b.toml", with("format = \"2019\"", "format = \"2019\"\nprevious = \"../gongwen-no-such-folder/2019.toml\""))
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

/// `gongwen ARGS` in `dir` under a 2 GiB address-space limit: a bound
/// that fails ends the run with an allocation error instead of taking the
/// machine's memory.
fn capped(dir: &Path, args: &[&str]) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(GONGWEN);
    cmd.args(args).current_dir(dir);
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    cmd
}

fn run_capped(dir: &Path, args: &[&str]) -> std::process::Output {
    capped(dir, args).output().unwrap()
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
        // Waited for by `wait4` below, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = capped(&dir, &["render", "a.toml", "--template", "t"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
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

/// Standard error of a run, which must have ended with `code`.
fn failed_with(out: &std::process::Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{err}");
    err
}

fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// 2025's sample with a seal picture named `seal`.
fn with_seal(seal: &str) -> String {
    sample("qinghe-market-2025").replacen(
        "date = 2026-01-20",
        &format!("date = 2026-01-20\nseal = \"{seal}\""),
        1,
    )
}

/// A seal picture or a template directory whose name lies in the data
/// file's folder but links out of it (itself, or through a folder) is
/// refused, by its real path; the outside picture is never printed.
#[test]
fn seals_and_templates_linking_out_of_the_folder_are_refused() {
    let root = scratch("link-out");
    let dir = root.join("office");
    std::fs::copy("tests/fixtures/kinds/seal.png", root.join("outside.png")).unwrap();
    write(
        &root,
        "outside-t/report.html",
        "<title>外面的模板</title>\n",
    );
    write(&dir, "a.toml", &with_seal("seal.png"));
    write(&dir, "b.toml", &with_seal("pics/outside.png"));
    write(
        &dir,
        "c.toml",
        &sample("zhanlang-2020").replacen(
            "format = \"2019\"",
            "format = \"2019\"\ntemplate = \"t\"",
            1,
        ),
    );
    symlink(&root.join("outside.png"), &dir.join("seal.png"));
    symlink(&root, &dir.join("pics"));
    symlink(&root.join("outside-t"), &dir.join("t"));
    for args in [["check", "a.toml"], ["render", "a.toml"]] {
        let err = failed_with(&run(&dir, &args), 1);
        assert!(
            err.contains("错误: 印章图片「seal.png」是指向数据文件所在文件夹之外的链接，不予读取"),
            "{err}"
        );
    }
    let err = failed_with(&run(&dir, &["render", "b.toml"]), 1);
    assert!(
        err.contains(
            "错误: 印章图片「pics/outside.png」是指向数据文件所在文件夹之外的链接，不予读取"
        ),
        "{err}"
    );
    let err = failed_with(&run(&dir, &["render", "c.toml"]), 1);
    assert!(
        err.contains("错误: 模板（template）「t」是指向数据文件所在文件夹之外的链接，不予使用"),
        "{err}"
    );
    assert!(!dir.join("a.pdf").exists() && !dir.join("c.pdf").exists());
    // A link that stays inside the folder is the clerk's own business.
    std::fs::copy("tests/fixtures/kinds/seal.png", dir.join("real.png")).unwrap();
    std::fs::remove_file(dir.join("seal.png")).unwrap();
    symlink(&dir.join("real.png"), &dir.join("seal.png"));
    let out = run(&dir, &["render", "a.toml", "--pdf-only"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Offices keep a folder per year: `new --from 2024/… -o 2025/…` names last
/// year's file across folders, and `check` reads it. A file outside the
/// data file's folder with errors is summarised, its lines never shown.
#[test]
fn previous_may_lie_in_another_folder_but_is_not_quoted() {
    let dir = scratch("previous-elsewhere");
    write(
        &dir,
        "2024/报告.toml",
        &sample("qinghe-market-2025")
            .replace("year = 2025", "year = 2024")
            .replace("date = 2026-01-20", "date = 2025-01-20"),
    );
    std::fs::create_dir_all(dir.join("2025")).unwrap();
    let out = run(
        &dir,
        &["new", "--from", "2024/报告.toml", "-o", "2025/报告.toml"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("2025/报告.toml")).unwrap();
    assert!(text.contains("previous = \"../2024/报告.toml\""), "{text}");
    let out = run(&dir, &["check", "2025/报告.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("上一年度数据文件 ../2024"), "{err}");
    // A secret-looking file elsewhere named as last year's: a count of
    // its errors, none of its text.
    write(&dir, "secret.toml", "password = \"机密口令\"\n");
    write(
        &dir,
        "office/a.toml",
        &sample("zhanlang-2020").replacen(
            "format = \"2019\"",
            "format = \"2019\"\nprevious = \"../secret.toml\"",
            1,
        ),
    );
    let err = failed_with(&run(&dir.join("office"), &["check", "a.toml"]), 1);
    assert!(
        !err.contains("机密口令") && !err.contains("password"),
        "{err}"
    );
    assert!(
        err.contains("错误: 上一年度数据文件 ../secret.toml 有 "),
        "{err}"
    );
    assert!(err.contains(" 处错误，请先单独核对它"), "{err}");
    // Still only data files.
    write(
        &dir,
        "office/b.toml",
        &sample("zhanlang-2020").replacen(
            "format = \"2019\"",
            "format = \"2019\"\nprevious = \"/etc/passwd\"",
            1,
        ),
    );
    let err = failed_with(&run(&dir.join("office"), &["check", "b.toml"]), 1);
    assert!(
        err.contains("错误: 上一年度数据文件（previous）应为 .toml 或 .json 数据文件"),
        "{err}"
    );
}

/// Fonts are read like data files: a FIFO named like a font and a link to
/// /dev/zero in a `--font-dir` are passed over at once, not read for ever.
#[test]
fn special_files_in_a_font_dir_never_block() {
    let dir = scratch("font-fifo");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    mkfifo(&dir.join("fonts/fifo.ttf"));
    symlink(Path::new("/dev/zero"), &dir.join("fonts/zero.ttf"));
    let mut child = Command::new(GONGWEN)
        .args(["render", "a.toml", "--pdf-only", "--font-dir", "fonts"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("render blocked on a special file in the font dir");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("fifo.ttf") || err.contains("不是普通文件"),
        "{err}"
    );
}

/// A FIFO under an output's name is refused at once (opening it to write
/// would wait for a reader for ever), the lock released.
#[test]
fn a_fifo_at_an_output_name_is_refused() {
    let dir = scratch("fifo-out");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    mkfifo(&dir.join("a.pdf"));
    let err = failed_with(&run(&dir, &["render", "a.toml"]), 3);
    assert!(
        err.contains("错误: 无法写出文件：同名的管道、设备或套接字已存在，不是普通文件，未写出"),
        "{err}"
    );
    assert!(std::fs::symlink_metadata(dir.join("a.pdf"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(!dir.join("a.docx").exists());
}

use std::os::unix::fs::FileTypeExt;

/// Anyone who can read the output directory can lock it: the render waits
/// a while, then says who holds the lock and writes nothing.
#[test]
fn a_held_output_lock_is_named_not_waited_on_for_ever() {
    use std::os::fd::AsRawFd;
    let dir = scratch("held-lock");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    let held = std::fs::File::open(&dir).unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let started = Instant::now();
    let err = failed_with(&run(&dir, &["render", "a.toml"]), 3);
    assert!(started.elapsed() < Duration::from_secs(60));
    let me = std::fs::read_to_string("/proc/self/comm").unwrap();
    let expected = format!(
        "错误: 输出目录被进程 {}（{}）锁定，等了 10 秒仍未释放，未写出",
        std::process::id(),
        me.trim()
    );
    assert!(err.contains(&expected), "{err}\nexpected: {expected}");
    assert!(!dir.join("a.pdf").exists() && temp_files(&dir).is_empty());
    drop(held);
}

/// A line feed in a name would become keys of its own where the name is
/// written back (`sum`, `new --from`); such names are refused, and a unit
/// file's name is written into comments escaped.
#[test]
fn names_stay_one_line_and_comments_stay_comments() {
    let dir = scratch("one-line");
    let seed = sample("qinghe-market-2025");
    write(
        &dir,
        "a.toml",
        &seed.replacen(
            "agency = \"青禾区市场监督管理局\"",
            "agency = \"青禾区市场监督管理局\\nsubject = \\\"注入\\\"\"",
            1,
        ),
    );
    let err = failed_with(&run(&dir, &["check", "a.toml"]), 1);
    assert!(
        err.contains("错误: 发布机关（agency）只能写一行，其中有换行符（U+000A）"),
        "{err}"
    );
    write(&dir, "units/甲.toml", &seed);
    write(
        &dir,
        "units/乙\ntemplate = \"x\".toml",
        &seed.replace("青禾区市场监督管理局", "青禾区乙局"),
    );
    sum_units(&dir, &[]);
    let text = std::fs::read_to_string(dir.join("区.toml")).unwrap();
    assert!(text.lines().all(|l| !l.starts_with("template")), "{text}");
    assert!(text.contains("乙\\u000Atemplate = \"x\".toml"), "{text}");
}

/// `sum` of the files in `units/` into `区.toml`, which must succeed.
fn sum_units(dir: &Path, more: &[&str]) {
    let mut args = vec![
        "sum",
        "units",
        "--agency",
        "青禾区人民政府",
        "-o",
        "区.toml",
    ];
    args.extend(more);
    let out = run(dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A cell a spreadsheet would run as a formula is written as text.
#[test]
fn sum_table_cells_are_never_formulas() {
    let dir = scratch("csv-formula");
    let seed = sample("qinghe-market-2025");
    write(&dir, "units/甲.toml", &seed);
    write(
        &dir,
        "units/乙.toml",
        &seed.replacen(
            "agency = \"青禾区市场监督管理局\"",
            "agency = \"=HYPERLINK(\\\"http://example.com\\\",\\\"点此\\\")\"",
            1,
        ),
    );
    write(
        &dir,
        "units/+1.toml",
        &seed.replace("青禾区市场监督管理局", "@SUM(A1)"),
    );
    sum_units(&dir, &["--table", "t.csv"]);
    let csv = std::fs::read_to_string(dir.join("t.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://example.com\"\",\"\"点此\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("'@SUM(A1),units/+1.toml,"), "{csv}");
    for line in csv.lines() {
        for cell in line.trim_start_matches('\u{feff}').split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "a formula cell: {cell}");
        }
    }
}

/// A certificate in 76-column PEM, and a chain file (issuer first), are
/// read as OpenSSL reads them.
#[test]
fn pem_of_any_width_and_chain_files_are_accepted() {
    let dir = scratch("pem");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    let pem = std::fs::read_to_string("samples/sign/test-cert.pem").unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let wide: Vec<String> = body
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let wide = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        wide.join("\n")
    );
    let issuer = std::fs::read_to_string("tests/fixtures/sign/issuer-cert.pem").unwrap();
    write(&dir, "wide.pem", &wide);
    write(&dir, "chain.pem", &format!("{issuer}{wide}"));
    std::fs::copy("samples/sign/test-key.pem", dir.join("k.pem")).unwrap();
    for cert in ["wide.pem", "chain.pem"] {
        let out = run(
            &dir,
            &[
                "render",
                "a.toml",
                "--ofd",
                "--sign-key",
                "k.pem",
                "--sign-cert",
                cert,
            ],
        );
        assert!(
            out.status.success(),
            "{cert}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Texts and lists a template or a rule builds are measured before they
/// are made: the issue's 10 GB `join` and `string` end with a message.
#[test]
fn built_texts_are_bounded_in_templates_and_rules() {
    let dir = scratch("built-texts");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    write(
        &dir,
        "t1/report.html",
        "<title>t</title>{% set s = \"y\" * 80000000 %}{{ ([s] * 120) | string | length }}\n",
    );
    write(
        &dir,
        "t2/report.html",
        "<title>t</title>{{ (([(\"x\" * 99000)] * 100000) | join | length) }}\n",
    );
    for t in ["t1", "t2"] {
        let err = failed_with(&run(&dir, &["render", "a.toml", "--template", t]), 1);
        assert!(
            err.contains("错误: 模板中的运算无法进行：生成的文字超过 16 MB 的上限，不予生成"),
            "{t}: {err}"
        );
    }
    for (name, rule, each) in [
        (
            "r1",
            "(([(\"x\" * 99000)] * 100000) | join | length) > 0",
            "",
        ),
        (
            "r2",
            "range(100000) | map(\"string\") | list | length > 0",
            "for = \"rows\"\n",
        ),
    ] {
        write(&dir, &format!("{name}/report.html"), "<title>t</title>\n");
        write(
            &dir,
            &format!("{name}/schema.json"),
            "{\"type\": \"object\"}\n",
        );
        write(
            &dir,
            &format!("{name}/template.toml"),
            &format!("name = \"r\"\n\n[[check]]\nrule = '{rule}'\nmessage = \"m\"\n{each}"),
        );
    }
    let rows = vec!["{ a = 1 }"; 1000].join(", ");
    write(&dir, "d.toml", &format!("rows = [{rows}]\n"));
    let err = failed_with(&run(&dir, &["check", "d.toml", "--template", "r1"]), 1);
    assert!(
        err.contains("错误: 规则无法计算：生成的文字超过 16 MB 的上限，不予生成"),
        "{err}"
    );
    // A rule costly on every one of a thousand rows: the total stops it.
    let err = failed_with(&run(&dir, &["check", "d.toml", "--template", "r2"]), 1);
    assert!(
        err.contains("错误: 规则运行步数合计超过上限（10000000 步），其余数据未核对"),
        "{err}"
    );
    assert_eq!(err.matches("错误:").count(), 1, "{err}");
}

/// A list or map is measured against the fuel before it becomes text, so
/// a hundred references to one 80 MB string (8 GB of text), a lazy list
/// of eighty million items, or sorting and de-duplicating the 80 MB string
/// stop at once with the fuel message, in a template and in a rule, with
/// the process's memory near the one string.
#[test]
fn containers_turned_into_text_are_bounded() {
    let dir = scratch("container-texts");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    let big = "{% set s = \"y\" * 80000000 %}{% set l = [s] * 100 %}";
    let cases = [
        ("concat", format!("{big}{{{{ (l ~ \"\") | length }}}}")),
        (
            "lazy",
            "{{ (([1] * 80000000) ~ \"x\") | length }}".to_string(),
        ),
        (
            "nested",
            "{{ ([[[1] * 80000000]] ~ \"x\") | length }}".to_string(),
        ),
        (
            "map",
            format!("{big}{{{{ ({{\"a\": l}} ~ \"\") | length }}}}"),
        ),
        ("lower", format!("{big}{{{{ (l | lower) | length }}}}")),
        ("indent", format!("{big}{{{{ (l | indent(2)) | length }}}}")),
        ("escape", format!("{big}{{{{ (l | e) | length }}}}")),
        ("pprint", format!("{big}{{{{ (l | pprint) | length }}}}")),
        (
            "format",
            format!("{big}{{{{ (\"%s\" | format(l)) | length }}}}"),
        ),
        ("sort", format!("{big}{{{{ (l | sort) | length }}}}")),
        ("unique", format!("{big}{{{{ (l | unique) | length }}}}")),
    ];
    for (name, body) in &cases {
        write(
            &dir,
            &format!("{name}/report.html"),
            &format!("<title>t</title>{body}\n"),
        );
        let err = failed_with(
            &run_capped(&dir, &["render", "a.toml", "--template", name]),
            1,
        );
        assert!(
            err.contains("错误: 模板运行步数超过上限（可能有死循环）"),
            "{name}: {err}"
        );
    }
    write(&dir, "r/report.html", "<title>t</title>\n");
    write(&dir, "r/schema.json", "{\"type\": \"object\"}\n");
    write(
        &dir,
        "r/template.toml",
        "name = \"r\"\n\n[[check]]\nrule = '((([1] * 80000000) ~ \"\") | length) > 0'\nmessage = \"m\"\n",
    );
    write(&dir, "d.toml", "a = 1\n");
    let err = failed_with(
        &run_capped(&dir, &["check", "d.toml", "--template", "r"]),
        1,
    );
    assert!(
        err.contains("错误: 规则无法计算：运行步数超过上限（规则中的运算过大）"),
        "{err}"
    );
}

/// `new --template` writes an example from the schema: one that refers
/// to itself, or asks for a billion rows, gives a short file at once.
#[test]
fn examples_of_recursive_or_huge_schemas_are_bounded() {
    let dir = scratch("schema-bounds");
    for (name, schema) in [
        (
            "s1",
            r##"{"type":"object","required":["a","rows"],"properties":{"a":{"$ref":"#"},"rows":{"type":"array","minItems":1000000000,"items":{"type":"object","properties":{"x":{"type":"integer"},"sub":{"$ref":"#"}}}}}}"##,
        ),
        (
            "s2",
            r##"{"type":"object","required":["v"],"properties":{"v":{"$ref":"#/$defs/l"}},"$defs":{"l":{"type":"array","minItems":1000000000,"items":{"$ref":"#/$defs/l"}}}}"##,
        ),
    ] {
        write(&dir, &format!("{name}/report.html"), "<title>t</title>\n");
        write(&dir, &format!("{name}/template.toml"), "name = \"s\"\n");
        write(&dir, &format!("{name}/schema.json"), schema);
        let out = run(
            &dir,
            &["new", "--template", name, "-o", &format!("{name}.toml")],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let len = std::fs::metadata(dir.join(format!("{name}.toml")))
            .unwrap()
            .len();
        assert!(len < 2 << 20, "{name}: {len} bytes");
    }
    let text = std::fs::read_to_string(dir.join("s1.toml")).unwrap();
    assert!(
        text.contains("# （以下从略：嵌套过深或示例过长）"),
        "{}",
        &text[..2000]
    );
}

/// A seal SVG is judged by its parsed tree: elements by namespace (a
/// filter or text under another prefix), filters however written, the
/// depth of groups and the pixels composited.
#[test]
fn seal_svgs_are_checked_on_their_tree() {
    let dir = scratch("svg-tree");
    let svg = |body: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:s=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\" viewBox=\"0 0 100 100\">{body}</svg>"
        )
    };
    let nested = format!(
        "{}<rect width=\"100\" height=\"100\" fill=\"red\"/>{}",
        "<g opacity=\"0.9\">".repeat(150),
        "</g>".repeat(150)
    );
    let layers =
        "<g opacity=\"0.5\"><rect width=\"100\" height=\"100\" fill=\"red\"/></g>".repeat(60);
    let cases = [
        ("filter.svg", svg("<s:filter id=\"f\"><s:feGaussianBlur stdDeviation=\"50\"/></s:filter><s:rect width=\"100\" height=\"100\" filter=\"url(#f)\"/>"), "SVG 中有滤镜效果（<filter>），印章图片不应使用；请去掉滤镜或导出为 PNG"),
        ("css.svg", svg("<rect width=\"100\" height=\"100\" style=\"filter: blur(20px)\"/>"), "SVG 中有滤镜效果（filter），印章图片不应使用；请去掉滤镜或导出为 PNG"),
        ("text.svg", svg("<s:text x=\"10\" y=\"50\">某某局</s:text>"), "SVG 中有文字（<text>）：请在制作软件中把文字转为路径（曲线）后再导出，或导出为 PNG"),
        ("nested.svg", svg(&nested), "SVG 图片的编组嵌套超过 32 层；请简化或导出为 PNG"),
        ("layers.svg", svg(layers.as_str()), "SVG 图片中半透明、蒙版或裁剪的编组过多，合成的像素超过上限；请简化或导出为 PNG"),
    ];
    for (name, text, message) in cases {
        write(&dir, name, &text);
        write(&dir, "a.toml", &with_seal(name));
        let started = Instant::now();
        let err = failed_with(&run(&dir, &["render", "a.toml"]), 1);
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
        assert!(
            err.contains(&format!("错误: 印章图片「{name}」{message}")),
            "{name}: {err}"
        );
    }
}

/// Only `report.html` and the files it names are read: other pages kept
/// in the folder (a FIFO, a file in another encoding) are never opened.
#[test]
fn a_template_folder_is_read_only_as_far_as_used() {
    let dir = scratch("template-used");
    write(&dir, "a.toml", &sample("zhanlang-2020"));
    write(
        &dir,
        "t/report.html",
        "{% import \"parts.html\" as parts %}<title>{{ parts.t() }}</title>\n",
    );
    write(&dir, "t/parts.html", "{% macro t() %}标题{% endmacro %}\n");
    std::fs::write(dir.join("t/old-gbk.html"), b"\xb1\xea\xcc\xe2\n").unwrap();
    mkfifo(&dir.join("t/pipe.html"));
    let out = run(
        &dir,
        &["render", "a.toml", "--template", "t", "--dump-markup"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("标题"));
    assert!(!err.contains("old-gbk") && !err.contains("pipe"), "{err}");
}

/// SIGTERM while a costly seal (within the bounds: a second or two) is
/// being drawn ends the render within the grace period, leaving the
/// earlier outputs and no temporary file.
#[test]
fn sigterm_ends_a_render_that_is_drawing() {
    let dir = scratch("sigterm-drawing");
    let circles: String = (0..380)
        .map(|i| {
            format!(
                "<circle cx=\"{}\" cy=\"50\" r=\"60\" fill=\"none\" stroke=\"red\" stroke-width=\"40\" stroke-opacity=\"0.5\"/>",
                i % 100
            )
        })
        .collect();
    write(
        &dir,
        "seal.svg",
        &format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\" viewBox=\"0 0 100 100\">{circles}</svg>"),
    );
    write(&dir, "a.toml", &with_seal("seal.svg"));
    write(&dir, "a.pdf", "old pdf");
    let mut child = Command::new(GONGWEN)
        .args(["render", "a.toml"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the drawing ended too soon to test"
    );
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(8),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        std::fs::read_to_string(dir.join("a.pdf")).unwrap(),
        "old pdf"
    );
    assert!(temp_files(&dir).is_empty());
}
