//! Templates that declare their data: the annual report's JSON Schema as
//! committed beside its templates is the one made from the form, and a
//! template's own schema and rules report every violation in Chinese at
//! its place (transcripts in `tests/snapshots/schema/`, `BLESS=1` to
//! re-bless).

use crate::common;

use gongwen::annual::{schema::schema, Format};

#[test]
fn annual_report_schemas_are_made_from_the_form() {
    for (format, dir) in [
        (Format::F2019, "annual-report-2019"),
        (Format::F2021, "annual-report-2021"),
    ] {
        let made = serde_json::to_string_pretty(&schema(format)).unwrap() + "\n";
        common::assert_snapshot(format!("templates/{dir}/schema.json"), &made);
    }
}

use std::path::Path;

use common::cli::{normalise, scratch};
use gongwen::data::{node, schema::Schema, value::Located};

const VIOLATIONS: &[&str] = &[
    "unknown-key",
    "wrong-type",
    "out-of-range",
    "missing-key",
    "rule",
    "rule-warning",
    "formats",
];

fn gongwen(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = common::cli::run_in(dir, args);
    let text = format!(
        "$ gongwen {}\nexit {}\n{}{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        normalise(&String::from_utf8_lossy(&out.stderr))
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn each_kind_of_violation_has_its_message() {
    for name in VIOLATIONS {
        let file = format!("tests/fixtures/schema/{name}.toml");
        let (code, shown) = gongwen(Path::new("."), &["check", &file]);
        let expect_ok = *name == "rule-warning";
        assert_eq!(code == 0, expect_ok, "{name}: exit {code}\n{shown}");
        common::assert_snapshot(format!("tests/snapshots/schema/{name}.txt"), &shown);
    }
}

#[test]
fn a_template_with_its_own_data_renders_both_outputs() {
    let (code, shown) = gongwen(
        Path::new("."),
        &["check", "tests/fixtures/schema/bulletin.toml"],
    );
    assert_eq!(code, 0, "{shown}");
    let (code, model) = gongwen(
        Path::new("."),
        &[
            "render",
            "--dump-model",
            "tests/fixtures/schema/bulletin.toml",
        ],
    );
    assert_eq!(code, 0, "{model}");
    // The total row is computed by the template from the rows.
    assert!(model.contains("1268") && model.contains("1241"), "{model}");
    common::assert_snapshot("tests/snapshots/schema/bulletin.model", &model);

    let c = common::compiled(
        "tests/fixtures/schema/bulletin.toml",
        gongwen::compile::Until::Pages,
    )
    .expect("the bulletin checks");
    let t = c.typeset().unwrap();
    let outputs = gongwen::cmd::RenderOptions::default().outputs;
    let r = gongwen::export::write(&t.document, &t.laid, &t.book, &outputs).unwrap();
    assert!(r.pdf.as_ref().is_some_and(|p| p.starts_with(b"%PDF-")));
    let docx = r.docx.expect("a DOCX");
    assert!(docx.starts_with(b"PK"));
}

/// A scratch directory holding a copy of the bulletin template.
fn with_bulletin(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let tpl = dir.join("bulletin");
    std::fs::create_dir_all(&tpl).unwrap();
    for f in ["report.html", "schema.json", "template.toml"] {
        std::fs::copy(format!("tests/fixtures/schema/bulletin/{f}"), tpl.join(f)).unwrap();
    }
    dir
}

#[test]
fn new_writes_a_file_that_passes_check_but_for_placeholders() {
    let dir = with_bulletin("schema-new");
    let (code, shown) = gongwen(&dir, &["new", "--template", "bulletin", "-o", "b.toml"]);
    assert_eq!(code, 0, "{shown}");
    let text = std::fs::read_to_string(dir.join("b.toml")).unwrap();
    common::assert_snapshot("tests/snapshots/schema/new.txt", &text);
    assert!(text.starts_with("#:schema ./bulletin/schema.json\n"));
    let (code, shown) = gongwen(&dir, &["check", "b.toml"]);
    assert_eq!(code, 0, "{shown}");
    let warnings = shown.matches("警告:").count();
    let examples = shown.matches("写入的示例").count();
    assert_eq!(
        warnings,
        shown.matches("占位文字").count() + examples,
        "only placeholder and example warnings: {shown}"
    );
    // Every value the example gave is pointed at until it is replaced.
    assert_eq!(examples, 4, "{shown}");
    let changed = text
        .replace("某某区政务服务中心", "清河区政务服务中心")
        .replace("month = \"2025-11\"", "month = \"2025-10\"");
    std::fs::write(dir.join("b.toml"), changed).unwrap();
    let (_, shown) = gongwen(&dir, &["check", "b.toml"]);
    assert_eq!(shown.matches("写入的示例").count(), 2, "{shown}");
    assert!(!shown.contains("「编发单位」还是"), "{shown}");
    // Optional fields without an example are offered commented out: an
    // invented value could break a rule (total = 0 against the rows).
    assert!(text.contains("\n# total = 0\n"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schema_and_export_give_the_template_files() {
    let (code, printed) = gongwen(Path::new("."), &["schema", "annual-report-2021"]);
    assert_eq!(code, 0);
    let file = std::fs::read_to_string("templates/annual-report-2021/schema.json").unwrap();
    assert!(printed.ends_with(&file), "{printed}");
    let (code, printed) = gongwen(
        Path::new("."),
        &["schema", "tests/fixtures/schema/bulletin"],
    );
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("\"title\": \"受理件数\""));

    let dir = scratch("schema-export");
    let (code, shown) = gongwen(&dir, &["templates", "export", "annual-report-2019", "t"]);
    assert_eq!(code, 0, "{shown}");
    for f in ["report.html", "style.toml", "template.toml", "schema.json"] {
        let exported = std::fs::read(dir.join("t").join(f)).unwrap();
        let ours = std::fs::read(format!("templates/annual-report-2019/{f}")).unwrap();
        assert_eq!(exported, ours, "{f}");
    }
    // The exported directory is a template like the built-in one.
    let data = std::fs::read_to_string("samples/zhanlang-2020.toml").unwrap();
    std::fs::write(dir.join("a.toml"), data).unwrap();
    let (code, shown) = gongwen(&dir, &["check", "a.toml", "--template", "t"]);
    assert_eq!(code, 0, "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn annual_schema_errors(path: &str, text: &str) -> Vec<String> {
    let src = gongwen::diag::Source::new(path, text);
    let tree = node::parse_toml(&src).unwrap();
    let format = match tree.get("format").map(|n| &n.kind) {
        Some(node::Kind::Str(f)) if f == "2019" => Format::F2019,
        Some(node::Kind::Str(_)) => Format::F2021,
        _ => match tree.get("year").map(|n| &n.kind) {
            Some(node::Kind::Int(y)) if y.parse::<i64>().unwrap() <= 2020 => Format::F2019,
            _ => Format::F2021,
        },
    };
    let schema = Schema::from_json(schema(format)).unwrap();
    schema
        .check(&Located::new(&tree), &src)
        .0
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn the_annual_schema_accepts_what_the_loader_accepts() {
    let mut files = vec![
        "samples/zhanlang-2020.toml".to_string(),
        "samples/qinghe-market-2025.toml".to_string(),
    ];
    for dir in ["tests/fixtures/reports"] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            files.push(e.path().display().to_string());
        }
    }
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let checked = common::compiled(f, gongwen::compile::Until::Data);
        assert!(checked.is_ok_and(|c| c.input.report().is_some()), "{f}");
        let errors = annual_schema_errors(f, &text);
        assert!(errors.is_empty(), "{f}: {errors:?}");
    }
    let seed = std::fs::read_to_string("samples/zhanlang-2020.toml").unwrap();
    for (what, bad) in [
        (
            "an unknown key",
            seed.replace(
                "[applications]",
                "[applications]\nnews = [1, 0, 0, 0, 0, 0]",
            ),
        ),
        (
            "a text for a count",
            seed.replacen("new = [", "new = [\"三\", ", 1),
        ),
        (
            "the other format's rows",
            seed.replace(
                "[applications]",
                "[applications.other]\nno_correction = [0, 0, 0, 0, 0, 0]\n[applications]",
            ),
        ),
    ] {
        let src = gongwen::diag::Source::new("bad.toml", bad.as_str());
        let loader = gongwen::annual::read(&src, &node::parse_toml(&src).unwrap(), None);
        assert!(loader.diagnostics.has_errors(), "the loader accepts {what}");
        let errors = annual_schema_errors("bad.toml", &bad);
        assert!(!errors.is_empty(), "the schema accepts {what}");
    }
}

/// Template directories written to break gongwen: each refused with a
/// message at the file and line, nothing fetched, nothing hung.
#[test]
fn hostile_templates_are_refused_with_a_message() {
    use common::cli::{case, run_case};
    let html = std::fs::read_to_string("tests/fixtures/schema/bulletin/report.html").unwrap();
    let schema = std::fs::read_to_string("tests/fixtures/schema/bulletin/schema.json").unwrap();
    let data = std::fs::read_to_string("tests/fixtures/schema/bulletin.toml")
        .unwrap()
        .replace("template = \"bulletin\"", "template = \"t\"");
    let with = |name: &'static str, file: &'static str, text: String| {
        let mut c = case(name, &["check", "d.toml"])
            .file("d.toml", data.clone())
            .file("t/report.html", html.clone());
        if file != "t/schema.json" {
            c = c.file("t/schema.json", schema.clone());
        }
        c.file(file, text)
    };
    let cases = [
        with(
            "schema-fetches-the-network",
            "t/schema.json",
            r#"{"type": "object", "properties": {"agency": {"$ref": "https://example.com/s.json"}}}"#.into(),
        ),
        with(
            "schema-reads-a-file",
            "t/schema.json",
            r#"{"type": "object", "properties": {"agency": {"$ref": "file:///etc/passwd"}}}"#.into(),
        ),
        with(
            "schema-is-not-json",
            "t/schema.json",
            "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"agency\": {\"type\": \"string\",}\n  }\n}\n".into(),
        ),
        with(
            "schema-is-not-a-schema",
            "t/schema.json",
            r#"{"type": "objekt"}"#.into(),
        ),
        with(
            "manifest-unknown-key",
            "t/template.toml",
            "name = \"t\"\n[[check]]\nrule = \"true\"\nmessage = \"x\"\nwhere = \"total\"\n".into(),
        ),
        with(
            "rule-syntax",
            "t/template.toml",
            "[[check]]\nrule = \"total == (rows | length\"\nmessage = \"x\"\n".into(),
        ),
        with(
            "rule-runs-away",
            "t/template.toml",
            "[[check]]\nrule = \"('x' * 3000000000) | length > 0\"\nmessage = \"x\"\n".into(),
        ),
    ];
    for c in &cases {
        let shown = run_case(c);
        assert!(shown.contains("exit 1"), "{}: {shown}", c.name);
        common::assert_snapshot(format!("tests/snapshots/schema/{}.txt", c.name), &shown);
    }
}

#[test]
fn json_data_is_checked_with_the_same_messages() {
    let dir = with_bulletin("schema-json");
    let json = r#"{
  "template": "bulletin",
  "agency": "某某区政务服务中心",
  "month": "2025-11",
  "issued": "2025-12-05",
  "rows": [
    { "window": "不动产登记", "received": 512, "closed": 498 },
    { "window": "市场主体登记", "received": "四百三十六", "closed": 436 }
  ]
}
"#;
    std::fs::write(dir.join("b.json"), json).unwrap();
    let (code, shown) = gongwen(&dir, &["check", "b.json"]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("「受理件数」应为整数，而不是文本「四百三十六」\n  --> b.json:8:39"),
        "{shown}"
    );
    std::fs::write(dir.join("b.json"), json.replace("\"四百三十六\"", "436")).unwrap();
    let (code, shown) = gongwen(&dir, &["render", "b.json"]);
    assert_eq!(code, 0, "{shown}");
    assert!(dir.join("b.pdf").exists() && dir.join("b.docx").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rule_broken_on_every_row_is_counted_not_listed() {
    let dir = with_bulletin("schema-many");
    let rows: String = (0..300)
        .map(|i| {
            format!(
                "\n[[rows]]\nwindow = \"窗口{i}\"\nreceived = {i}\nclosed = {}\n",
                i + 1
            )
        })
        .collect();
    let head =
        "template = \"bulletin\"\nagency = \"某某\"\nmonth = \"2025-10\"\nissued = 2025-11-05\n";
    std::fs::write(dir.join("many.toml"), format!("{head}{rows}")).unwrap();
    let (code, shown) = gongwen(&dir, &["check", "many.toml"]);
    assert_eq!(code, 1);
    assert_eq!(shown.matches("不能多于受理件数").count(), 20, "{shown}");
    let tail: Vec<&str> = shown.lines().rev().take(8).collect();
    assert!(
        tail.contains(&"错误: 这条规则另有 280 处不满足要求，未一一列出"),
        "{tail:?}"
    );
    assert!(
        shown.ends_with("many.toml: 300 个错误，0 个警告\n"),
        "{shown}"
    );
    let bad: String = rows.replace("received = ", "received = \"x\" # ");
    std::fs::write(dir.join("many.toml"), format!("{head}{bad}")).unwrap();
    let (_, shown) = gongwen(&dir, &["check", "many.toml"]);
    assert_eq!(shown.matches("应为整数").count(), 100, "{shown}");
    assert!(shown.contains("错误: 数据文件另有 200 处不满足要求，未一一列出"));
    assert!(
        shown.ends_with("many.toml: 300 个错误，0 个警告\n"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
