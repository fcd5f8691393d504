//! `gongwen new --from LAST.toml`: next year's data file started from this
//! year's, through the binary. The new file passes `check` (cross-year C7
//! and C8 included, with `previous` naming last year's file) with warnings
//! only for what the clerk must still revise; a last year with errors, or
//! outside the new file's folder, is refused.

use crate::common;

use common::cli::{normalise, run_in, scratch};

fn gongwen(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = run_in(dir, args);
    (
        out.status.code().unwrap_or(-1),
        normalise(&String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn next_year_passes_check_and_carries_what_the_form_carries() {
    // 2019 layout to 2021 (the format changes with the year), 2021 to 2021
    // (现行有效件数 carried, C7), and 2019 to 2019 (上一年项目数量 carried, C8).
    for (stem, year) in [
        ("samples/zhanlang-2020", 2020),
        ("samples/qinghe-market-2025", 2025),
        ("tests/fixtures/data/c8-prev", 2019),
    ] {
        let dir = scratch(&format!("next-{year}"));
        let last = format!("{year}.toml");
        let next = format!("{}.toml", year + 1);
        std::fs::copy(format!("{stem}.toml"), dir.join(&last)).unwrap();
        let (code, shown) = gongwen(&dir, &["new", "--from", &last, "-o", &next]);
        assert_eq!(code, 0, "{shown}");
        let text = std::fs::read_to_string(dir.join(&next)).unwrap();
        assert!(text.contains(&format!("\nyear = {}", year + 1)), "{text}");
        assert!(text.contains(&format!("\nprevious = \"{last}\"")), "{text}");
        let last_text = std::fs::read_to_string(dir.join(&last)).unwrap();
        let carried_forward = last_text
            .lines()
            .find_map(|l| l.strip_prefix("carried_forward = "))
            .map(|v| v.split('#').next().unwrap().trim().to_string())
            .unwrap_or_else(|| "[0, 0, 0, 0, 0, 0]".into());
        assert!(
            text.contains(&format!("carried_over = {carried_forward}")),
            "上年结转 = last year's 结转下年度: {carried_forward}\n{text}"
        );
        let (code, checked) = gongwen(&dir, &["check", &next]);
        assert_eq!(code, 0, "{checked}");
        assert!(!checked.contains("错误"), "{checked}");
        let revise = checked.matches("占位文字").count();
        assert!(revise > 0, "each carried paragraph is marked: {checked}");
        for w in checked.lines().filter(|l| l.starts_with("警告")) {
            assert!(
                w.contains("占位文字")
                    || w.contains("半角")
                    || w.contains("署名")
                    || w.contains("数据文件中没有"),
                "{stem}: a warning the new file should not have: {w}"
            );
        }
        if year == 2019 {
            assert!(
                text.contains("licensing = [7, 0, 0]"),
                "上一年项目数量 5 + 2: {text}"
            );
        }
        if year == 2025 {
            assert!(
                text.contains("rules = [0, 0, 3]"),
                "现行有效件数 carried: {text}"
            );
            common::assert_snapshot("tests/snapshots/next-year-qinghe-2026.txt", &text);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_last_year_with_errors_is_refused_one_elsewhere_named() {
    let dir = scratch("next-refused");
    let seed = std::fs::read_to_string("samples/qinghe-market-2025.toml").unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        seed.replacen("year = 2025", "year = \"x\"", 1),
    )
    .unwrap();
    let (code, shown) = gongwen(&dir, &["new", "--from", "bad.toml", "-o", "next.toml"]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("有错误，请先改正再据此生成下一年度的数据文件"),
        "{shown}"
    );
    assert!(!dir.join("next.toml").exists());
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("good.toml"), &seed).unwrap();
    // A folder per year: the new file names last year's across folders.
    let (code, shown) = gongwen(&dir, &["new", "--from", "good.toml", "-o", "sub/next.toml"]);
    assert_eq!(code, 0, "{shown}");
    let text = std::fs::read_to_string(dir.join("sub/next.toml")).unwrap();
    assert!(text.contains("previous = \"../good.toml\""), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
