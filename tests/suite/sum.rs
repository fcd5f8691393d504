//! `gongwen sum`: an upper office's data file from its units', through the
//! binary. The result's tables are the units' sums (money exactly), it
//! names the units in comments and passes `check`; a unit with an error,
//! units of several years or of both formats are refused by name and
//! nothing is written; the per-unit CSV has a row a unit and a row of sums.

use crate::common;

use common::cli::{normalise, run_in, scratch};

/// `gongwen sum units --agency 青禾区人民政府 -o OUT` and more arguments.
fn sum(dir: &std::path::Path, out: &str, more: &[&str]) -> (i32, String) {
    let mut args = vec!["sum", "units", "--agency", "青禾区人民政府", "-o", out];
    args.extend(more);
    gongwen(dir, &args)
}

fn gongwen(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = run_in(dir, args);
    (
        out.status.code().unwrap_or(-1),
        normalise(&String::from_utf8_lossy(&out.stderr)),
    )
}

/// Three 街道 of 青禾区, made from the 2025 sample: the same tables but for
/// their fees (36.52, 0.48 and 7 万元) and one more application for 丙.
fn units(dir: &std::path::Path) {
    let sample = std::fs::read_to_string("samples/qinghe-market-2025.toml").unwrap();
    std::fs::create_dir_all(dir.join("units")).unwrap();
    for (name, fees) in [("甲", "36.52"), ("乙", "0.48"), ("丙", "7")] {
        let mut text = sample
            .replace("青禾区市场监督管理局", &format!("青禾区{name}街道办事处"))
            .replace("fees = \"36.52\"", &format!("fees = \"{fees}\""));
        if name == "丙" {
            text = text
                .replace("new = [46, 9, 1, 2, 3, 1]", "new = [47, 9, 1, 2, 3, 1]")
                .replace(
                    "disclosed = [20, 4, 1, 0, 1, 0]",
                    "disclosed = [21, 4, 1, 0, 1, 0]",
                )
                .replace(
                    "全年新收政府信息公开申请62件",
                    "全年新收政府信息公开申请63件",
                )
                .replace("其中予以公开26件", "其中予以公开27件")
                .replace("已办结61件", "已办结62件");
        }
        std::fs::write(dir.join("units").join(format!("{name}.toml")), text).unwrap();
    }
}

#[test]
fn sum_adds_every_count_and_passes_check() {
    let dir = scratch("sum-ok");
    units(&dir);
    let (code, shown) = sum(&dir, "青禾区.toml", &["--table", "各单位.csv"]);
    assert_eq!(code, 0, "{shown}");
    let text = std::fs::read_to_string(dir.join("青禾区.toml")).unwrap();
    common::assert_snapshot("tests/snapshots/sum/qinghe-district.toml", &text);
    let csv = std::fs::read_to_string(dir.join("各单位.csv")).unwrap();
    common::assert_snapshot("tests/snapshots/sum/qinghe-district.csv", &csv);
    // Each count is the sum of the three, money to the cent.
    assert!(text.contains("fees = \"44.00\""), "{text}");
    assert!(text.contains("new = [139, 27, 3, 6, 9, 3]"), "{text}");
    assert!(text.contains("licensing = 3858"), "{text}");
    assert!(
        text.contains("administrative_review = [6, 3, 0, 3]"),
        "{text}"
    );
    for unit in ["甲", "乙", "丙"] {
        assert!(
            text.contains(&format!("#   青禾区{unit}街道办事处：units/{unit}.toml")),
            "{text}"
        );
    }
    let (code, shown) = gongwen(&dir, &["check", "青禾区.toml"]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("青禾区.toml: 通过（青禾区人民政府，2025年"),
        "{shown}"
    );
    // Run again over the folder that now holds the result: it is not a unit.
    std::fs::rename(dir.join("青禾区.toml"), dir.join("units/青禾区.toml")).unwrap();
    let (code, shown) = sum(&dir, "units/青禾区.toml", &["--force"]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("已汇总 3 个单位"), "{shown}");
    // An existing result is not overwritten without --force.
    let (code, shown) = sum(&dir, "units/青禾区.toml", &[]);
    assert_eq!(code, 3, "{shown}");
    assert!(shown.contains("文件已存在，未覆盖"), "{shown}");
}

#[test]
fn a_unit_with_an_error_is_named_and_nothing_is_written() {
    let dir = scratch("sum-bad");
    units(&dir);
    let path = dir.join("units/乙.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("new = [46, 9, 1, 2, 3, 1]", "new = [50, 9, 1, 2, 3, 1]"),
    )
    .unwrap();
    let (code, shown) = sum(&dir, "青禾区.toml", &[]);
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("units/乙.toml:"), "{shown}");
    assert!(shown.contains("C1"), "the rule is named: {shown}");
    assert!(
        shown.contains("未写出汇总：1 个单位的数据有错误（units/乙.toml）"),
        "{shown}"
    );
    assert!(!dir.join("青禾区.toml").exists());
}

#[test]
fn units_of_several_years_or_formats_are_refused_by_name() {
    let dir = scratch("sum-years");
    units(&dir);
    let text = std::fs::read_to_string(dir.join("units/丙.toml")).unwrap();
    std::fs::write(
        dir.join("units/丙.toml"),
        text.replace("year = 2025", "year = 2024"),
    )
    .unwrap();
    let (code, shown) = sum(&dir, "a.toml", &[]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("各单位的报告年度不同，不能汇总——2024年：units/丙.toml；2025年：units/乙.toml、units/甲.toml"),
        "{shown}"
    );
    let (code, shown) = gongwen(
        &dir,
        &[
            "sum",
            "units",
            "--agency",
            "青禾区人民政府",
            "--year",
            "2025",
            "-o",
            "a.toml",
        ],
    );
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("要汇总 2025 年度，但有其他年度的数据文件——2024年：units/丙.toml"),
        "{shown}"
    );
    assert!(!dir.join("a.toml").exists());

    let dir = scratch("sum-formats");
    units(&dir);
    std::fs::copy(
        "samples/zhanlang-2020.toml",
        dir.join("units/zhanlang-2020.toml"),
    )
    .unwrap();
    let (code, shown) = sum(&dir, "a.toml", &[]);
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("各单位的报告年度不同"), "{shown}");
    let text = std::fs::read_to_string(dir.join("units/zhanlang-2020.toml")).unwrap();
    std::fs::write(
        dir.join("units/zhanlang-2020.toml"),
        text.replace("year = 2020", "year = 2025"),
    )
    .unwrap();
    let (_, shown) = sum(&dir, "a.toml", &[]);
    assert!(
        shown.contains("各单位用的表格格式不同，不能汇总——2019 年试行格式：units/zhanlang-2020.toml；2021 年修订格式：units/丙.toml、units/乙.toml、units/甲.toml"),
        "{shown}"
    );
    assert!(!dir.join("a.toml").exists());
}

#[test]
fn a_file_of_another_kind_is_not_summed() {
    let dir = scratch("sum-kind");
    units(&dir);
    std::fs::copy(
        "tests/fixtures/kinds/minutes.toml",
        dir.join("units/纪要.toml"),
    )
    .unwrap();
    let (code, shown) = sum(&dir, "a.toml", &[]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains(
            "units/纪要.toml: 不是政府信息公开工作年度报告的数据文件（模板 minutes），不能汇总"
        ),
        "{shown}"
    );
}
