//! Every data fixture is checked and its output compared with the
//! `.expected` file beside it: the exact messages a clerk sees.

use crate::common;

use std::path::{Path, PathBuf};

use gongwen::cmd::{check_one, Exit};

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/data")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "json")
            )
        })
        .filter(|p| !p.to_string_lossy().ends_with("-prev.toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn fixture_messages_match() {
    let files = fixtures();
    assert!(files.len() >= 15, "fixtures missing");
    for f in files {
        let (code, text) = check_one(&f, None);
        let shown = format!("exit {}\n{text}", code as u8);
        common::assert_snapshot(
            f.with_extension(format!(
                "{}.expected",
                f.extension().unwrap().to_str().unwrap()
            )),
            &shown,
        );
    }
}

#[test]
fn samples_pass() {
    let (code, text) = check_one(Path::new("samples/qinghe-market-2025.toml"), None);
    assert_eq!(code, Exit::Ok, "{text}");
    assert!(!text.contains("警告"), "{text}");
    // The published seed has two half-width commas between Chinese words
    // and no 署名 or 成文日期; they are reproduced as printed and reported
    // as warnings.
    let (code, text) = check_one(Path::new("samples/zhanlang-2020.toml"), None);
    assert_eq!(code, Exit::Ok, "{text}");
    assert_eq!(text.matches("警告: ").count(), 3, "{text}");
    assert!(text.contains("数据文件中没有署名和成文日期"), "{text}");
    assert_eq!(
        text.matches("中文之间用了半角的「,」，应为全角「，」")
            .count(),
        2,
        "{text}"
    );
}

#[test]
fn fresh_skeletons_pass_check() {
    for (format, year) in [
        (gongwen::annual::Format::F2019, 2020),
        (gongwen::annual::Format::F2021, 2025),
    ] {
        let text = gongwen::annual::skeleton::skeleton(format, "某某区某某局", year);
        let dir = std::env::temp_dir().join(format!("gongwen-skeleton-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("new-{}.toml", format.name()));
        std::fs::write(&path, text).unwrap();
        let (code, out) = check_one(&path, None);
        assert_eq!(code, Exit::Ok, "{out}");
        // The only warnings are for the placeholders it wrote.
        let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("警告")).collect();
        assert!(!warnings.is_empty(), "{out}");
        assert!(warnings.iter().all(|w| w.contains("占位文字")), "{out}");
    }
}

#[test]
fn one_changed_count_fails_naming_the_column() {
    let sample = std::fs::read_to_string("samples/zhanlang-2020.toml").unwrap();
    let broken = sample.replace("new = [1, 0, 0, 0, 0, 0]", "new = [1, 0, 2, 0, 0, 0]");
    assert_ne!(sample, broken);
    let dir = std::env::temp_dir().join(format!("gongwen-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("zhanlang-2020.toml");
    std::fs::write(&path, broken).unwrap();
    let (code, out) = check_one(&path, None);
    assert_eq!(code, Exit::Input);
    assert!(out.contains("表三「科研机构」列勾稽关系不成立"), "{out}");
    assert!(out.contains(":71:"), "line number of the new row: {out}");
}

#[test]
fn invalid_utf8_and_binary_are_refused() {
    let dir = std::env::temp_dir().join(format!("gongwen-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gbk.toml");
    std::fs::write(&path, b"agency = \"\xb2\xe2\xca\xd4\"\nyear = 2020\n").unwrap();
    let (code, out) = check_one(&path, None);
    assert_eq!(code, Exit::Input);
    assert!(
        out.contains("不是 UTF-8 编码") && out.contains("gbk.toml:1:"),
        "{out}"
    );

    let missing = dir.join("nope.toml");
    let (code, out) = check_one(&missing, None);
    assert_eq!(code, Exit::Io);
    assert!(out.contains("不存在，请检查路径"), "{out}");
}

#[test]
fn money_is_kept_as_written() {
    let report = common::report("tests/fixtures/data/ok.json");
    let fees = report
        .active
        .iter()
        .flat_map(|g| &g.rows)
        .find(|r| r.key == "fees")
        .unwrap();
    assert_eq!(fees.values, vec!["7730.28".to_string()]);
}

/// C9 must not cry wolf: the samples, the long reports written like real
/// ones and a corpus of clean sentences (with numbers it must leave alone)
/// give no narrative warning.
#[test]
fn clean_narrative_gives_no_c9_warning() {
    let mut files = vec![
        PathBuf::from("samples/qinghe-market-2025.toml"),
        PathBuf::from("samples/zhanlang-2020.toml"),
        PathBuf::from("tests/fixtures/data/c9-clean.toml"),
    ];
    for e in std::fs::read_dir("tests/fixtures/reports").unwrap() {
        files.push(e.unwrap().path());
    }
    for f in files {
        let (_, text) = check_one(&f, None);
        assert!(!text.contains("（C9）"), "{}: {text}", f.display());
    }
    // And each kind of contradiction is found, one warning apiece.
    let (code, text) = check_one(Path::new("tests/fixtures/data/c9-narrative.toml"), None);
    assert_eq!(code, Exit::Ok, "C9 warns, it does not fail: {text}");
    assert_eq!(text.matches("（C9）").count(), 20, "{text}");
}

/// A narrative that names table cells gets their values, so it cannot
/// disagree with the tables.
#[test]
fn narrative_references_take_the_table_values() {
    let report = common::report("tests/fixtures/data/narrative-references.toml");
    assert_eq!(
        report.overview[0].text,
        "全年新收政府信息公开申请62件，其中自然人46件，上年结转4件；已办结61件，其中予以公开26件、不予公开10件，结转下年度继续办理5件。"
    );
    assert_eq!(
        report.overview[1].text,
        "被申请行政复议4件，尚未审结1件；行政诉讼3件。作出行政许可决定1286件，收费36.52万元，现行有效规范性文件12件。"
    );
}
