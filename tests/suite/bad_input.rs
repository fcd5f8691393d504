//! Bad input through the real command line: each case's exit code and
//! messages are compared with `tests/fixtures/bad/<case>.expected`
//! (`BLESS=1` to re-bless), and every failed run must leave earlier outputs
//! byte-identical and no temporary files behind.

use crate::common;

use std::process::Command;

use common::cli::{case, run_case, sample, scratch, Case, GONGWEN};

/// Bytes that are neither text nor anything else: a fixed pseudo-random run.
fn garbage(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn sign_file(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn cases() -> Vec<Case> {
    let seed = sample("zhanlang-2020");
    let with = |from: &str, to: &str| -> Vec<u8> {
        assert!(seed.contains(from), "{from}");
        seed.replacen(from, to, 1).into_bytes()
    };
    let para = "2020年，在区委、区政府的正确领导下";
    let mut gbk = b"agency = \"".to_vec();
    gbk.extend([0xD5, 0xBF, 0xC0, 0xC9, 0xBD, 0xD6, 0xB5, 0xC0]); // 湛郎街道 in GBK
    gbk.extend(b"\"\nyear = 2020\n");
    let huge = format!("preamble = \"{}\"\n", "政".repeat(10 * 1024 * 1024 / 3));
    let long = with(para, &"长".repeat(30_000));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(seed.as_bytes());
    vec![
        case("empty-file", &["render", "empty.toml"])
            .file("empty.toml", "")
            .earlier(&["empty.pdf", "empty.docx"]),
        case("binary-garbage", &["render", "garbage.toml"])
            .file("garbage.toml", garbage(4096))
            .earlier(&["garbage.pdf"]),
        case("gbk-encoded", &["check", "gbk.toml"]).file("gbk.toml", gbk),
        case("bom", &["render", "bom.toml", "-o", "out"]).file("bom.toml", bom),
        case("toml-syntax", &["render", "syntax.toml"])
            .file("syntax.toml", with("agency = \"湛郎街道\"", "agency = \"湛郎街道"))
            .earlier(&["syntax.pdf", "syntax.docx"]),
        case("json-syntax", &["check", "syntax.json"])
            .file("syntax.json", "{\"agency\": \"湛郎街道\",\n \"year\": 2020,,\n}\n"),
        case("wrong-types", &["check", "types.toml"]).file(
            "types.toml",
            with("year = 2020", "year = \"二〇二〇\"")
                .into_iter()
                .chain(b"\n[signature]\nagency = 12\n".iter().copied())
                .collect::<Vec<u8>>(),
        ),
        case("negative-and-out-of-range", &["check", "counts.toml"]).file(
            "counts.toml",
            String::from_utf8(with("new = [1, 0, 0, 0, 0, 0]", "new = [-1, 0, 0, 0, 0, 0]"))
                .unwrap()
                .replacen(
                    "carried_over = [0, 0, 0, 0, 0, 0]",
                    "carried_over = [0, 99999999999, 0, 0, 0, 0]",
                    1,
                ),
        ),
        case("ten-megabyte-field", &["render", "huge.toml"])
            .file("huge.toml", huge)
            .earlier(&["huge.pdf"]),
        case("over-long-text", &["render", "long.toml"])
            .file("long.toml", long)
            .earlier(&["long.pdf"]),
        case("control-characters", &["check", "ctrl.toml"])
            .file("ctrl.toml", with(para, "2020年，在区委\u{7}、区政府的正确领导下")),
        case("no-font-has-it", &["render", "glyph.toml"])
            .file("glyph.toml", with(para, "2020年，在区委𪚥、区政府的正确领导下"))
            .earlier(&["glyph.pdf", "glyph.docx"]),
        case("unknown-template", &["render", "tpl.toml"])
            .file(
                "tpl.toml",
                with("format = \"2019\"", "format = \"2019\"\ntemplate = \"annual-report-2030\""),
            )
            .earlier(&["tpl.pdf"]),
        case("template-with-an-error", &["render", "a.toml", "--template", "tpl"])
            .file("a.toml", seed.clone())
            .file(
                "tpl/report.html",
                "<title>{{ report.agency }}</title>\n<p>{% for x in report.overview %}{{ x.text }}</p>\n",
            )
            .earlier(&["a.pdf", "a.docx"]),
        case("unwritable-output-dir", &["render", "a.toml", "-o", "blocker/out"])
            .file("a.toml", seed.clone())
            .file("blocker", "a file where a directory should be"),
        case("output-is-a-directory", &["render", "a.toml"])
            .file("a.toml", seed.clone())
            .file("a.pdf/keep", "")
            .earlier(&["a.docx"]),
        case("same-file-twice", &["render", "a.toml", "./a.toml", "-o", "out"])
            .file("a.toml", seed.clone()),
        case("missing-file", &["render", "nope.toml"]),
        case("one-bad-in-a-batch", &["render", "good.toml", "bad.toml", "-o", "out"])
            .file("good.toml", seed.clone())
            .file("bad.toml", with("new = [1, 0, 0, 0, 0, 0]", "new = [1, 0, 2, 0, 0, 0]"))
            .earlier(&["out/bad.pdf", "out/bad.docx"]),
        case("empty-directory", &["render", "nothing"]).file("nothing/readme.txt", "no data"),
        case("unknown-option", &["render", "a.toml", "--colour"]),
        case("mistyped-option", &["render", "a.toml", "--pdf-onyl"]),
        case("mistyped-command", &["rendr", "a.toml"]),
        case("render-help", &["render", "--help"]),
        case("help-for-a-command", &["help", "check"]),
        case("user-help", &["user", "--help"]),
        case("user-unknown-action", &["user", "open", "wang", "--district", "d"]),
        case("new-over-an-existing-file", &["new", "-o", "a.toml"]).file("a.toml", seed.clone()),
        case("check-a-directory", &["check", "dir"])
            .file("dir/good.toml", seed.clone())
            .file("dir/bad.toml", with("year = 2020", "year = \"x\"")),
        case("font-dir-without-some-fonts", &["render", "a.toml", "--font-dir", "fonts", "--pdf-only"])
            .file("a.toml", seed.clone())
            .file("fonts/FandolHei-Regular.otf", std::fs::read("fonts/FandolHei-Regular.otf").unwrap()),
        case("sign-without-ofd", &["render", "a.toml", "--sign-key", "k.pem", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("k.pem", sign_file("samples/sign/test-key.pem"))
            .file("c.pem", sign_file("samples/sign/test-cert.pem")),
        case("sign-key-of-another-cert", &["render", "a.toml", "--ofd", "--sign-key", "k.pem", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("k.pem", sign_file("tests/fixtures/sign/other-key.pem"))
            .file("c.pem", sign_file("samples/sign/test-cert.pem"))
            .earlier(&["a.pdf", "a.ofd"]),
        case("sign-key-encrypted", &["render", "a.toml", "--ofd", "--sign-key", "k.pem", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("k.pem", sign_file("tests/fixtures/sign/encrypted-key.pem"))
            .file("c.pem", sign_file("samples/sign/test-cert.pem")),
        case("sign-key-missing", &["render", "a.toml", "--ofd", "--sign-key", "k.pem", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("c.pem", sign_file("samples/sign/test-cert.pem")),
        case("sign-key-is-not-a-key", &["render", "a.toml", "--ofd", "--sign-key", "a.toml", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("c.pem", sign_file("samples/sign/test-cert.pem")),
        case("sign-cert-expired", &["render", "a.toml", "--ofd", "--sign-key", "k.pem", "--sign-cert", "c.pem"])
            .file("a.toml", seed.clone())
            .file("k.pem", sign_file("samples/sign/test-key.pem"))
            .file("c.pem", sign_file("tests/fixtures/sign/expired-cert.pem"))
            .earlier(&["a.pdf", "a.docx", "a.ofd"]),
        case("export-over-an-edited-template", &["templates", "export", "annual-report-2021", "t"])
            .file("t/report.html", "<title>已修改的模板</title>\n"),
    ]
}

#[test]
fn bad_input_gets_the_expected_messages() {
    let cases = cases();
    assert!(cases.len() >= 20);
    for c in &cases {
        let shown = run_case(c);
        common::assert_snapshot(format!("tests/fixtures/bad/{}.expected", c.name), &shown);
    }
}

#[test]
fn every_failure_names_the_file() {
    for c in cases() {
        let shown = run_case(&c);
        // Usage errors are about the command line, not a file.
        if shown.contains("\nexit 0\n") || shown.contains("\nexit 2\n") {
            continue;
        }
        let named = c
            .args
            .iter()
            .filter(|a| !a.starts_with('-') && **a != "render" && **a != "check")
            .any(|a| shown.lines().skip(2).any(|l| l.contains(a)));
        assert!(named, "{}: no file named\n{shown}", c.name);
    }
}

#[test]
fn good_files_in_a_failing_batch_are_written() {
    let c = case(
        "batch-outputs",
        &["render", "good.toml", "bad.toml", "-o", "out"],
    )
    .file("good.toml", sample("zhanlang-2020"))
    .file("bad.toml", "agency = ");
    let dir = scratch(c.name);
    for (path, bytes) in &c.files {
        std::fs::write(dir.join(path), bytes).unwrap();
    }
    let status = Command::new(GONGWEN)
        .args(&c.args)
        .current_dir(&dir)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(std::fs::read(dir.join("out/good.pdf"))
        .unwrap()
        .starts_with(b"%PDF-"));
    assert!(std::fs::read(dir.join("out/good.docx"))
        .unwrap()
        .starts_with(b"PK"));
    assert!(!dir.join("out/bad.pdf").exists());
}

/// Ctrl-C in the middle of a batch: every output is either the earlier
/// file or a complete new one, and no temporary file is left.
#[cfg(unix)]
#[test]
fn interrupted_batch_leaves_every_output_whole() {
    common::cli::interrupt_a_batch(libc::SIGINT);
}
