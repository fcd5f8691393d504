//! `gongwen new`: a data file to fill in — the annual report's skeleton,
//! a template's example, or next year's file from this year's.

use std::path::{Path, PathBuf};

use crate::annual::Format;
use crate::compile::{compile, Failure, Job, Until};
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;
use crate::input::Data;
use crate::template::Template;

/// `gongwen new`: the skeleton on standard output, or into `out` (never
/// over an existing file unless `force`; written as UTF-8 whatever the
/// shell, where PowerShell's `>` would write UTF-16).
pub fn new(
    format: Option<&str>,
    agency: Option<&str>,
    year: Option<&str>,
    template: Option<&Path>,
    from: Option<&Path>,
    out: Option<&Path>,
    force: bool,
) -> Result<Exit, String> {
    if let Some(last) = from {
        return new_from(last, out, force);
    }
    let chosen = match crate::cmd::chosen_template(template) {
        Ok(t) => t,
        Err(exit) => return Ok(exit),
    };
    let format = match (&chosen, format) {
        (Some(t), None) => t.annual_format().map(Format::name),
        _ => format,
    };
    let text = match &chosen {
        Some(t) if t.kind == crate::template::DataKind::Schema => {
            schema_example(t, template.unwrap_or(Path::new("")), out)
        }
        _ => {
            let mut text = annual_skeleton(format, agency, year)?;
            if let Some(line) = chosen
                .as_ref()
                .and_then(|t| template_line(t, template?, out))
            {
                crate::annual::skeleton::after_header(&mut text, &format!("{line}\n"));
            }
            text
        }
    };
    write_new(&text, out, force)
}

/// `gongwen new --from LAST`: next year's file started from this year's,
/// which must pass its own checks first.
fn new_from(last: &Path, out: Option<&Path>, force: bool) -> Result<Exit, String> {
    let fonts = FontDirs::default();
    let compiled = compile(&Job::new(last).until(Until::Data), &Disk, &fonts).value;
    let report = match &compiled {
        Ok(c) => match &c.input.data {
            Data::Annual(report) => report,
            Data::Record(_) => {
                eprintln!(
                    "{}: 不是政府信息公开工作年度报告的数据文件（模板 {}），不能据此生成下一年度的数据文件",
                    last.display(),
                    c.input.template.name
                );
                return Ok(Exit::Input);
            }
        },
        Err(failure) => {
            if let Failure::Data(d) = failure {
                eprint!("{d}");
            }
            eprintln!(
                "{}: 有错误，请先改正再据此生成下一年度的数据文件",
                last.display()
            );
            return Ok(Exit::Input);
        }
    };
    let Some(previous) = relative_to_data(last, out).or_else(|| path_from_data(last, out)) else {
        eprint!(
            "{}",
            crate::diag::Diagnostic::error(
                "上一年度数据文件不在新文件所在的文件夹之内，新文件无法引用它"
            )
            .in_file(last)
            .hint("把新文件写到同一文件夹：gongwen new --from 2024.toml -o 2025.toml")
            .kind(crate::diag::Kind::Usage)
        );
        return Ok(Exit::Usage);
    };
    let text = crate::annual::skeleton::next_year(report, &previous);
    write_new(&text, out, force)
}

/// `template = "…"` naming the template from where the data file will be:
/// a built-in by its name, a directory by its path relative to the file's
/// folder. None for a directory outside that folder, which a data file
/// cannot name.
fn template_line(t: &Template, arg: &Path, out: Option<&Path>) -> Option<String> {
    template_ref(t, arg, out).map(|r| template_key(&r))
}

fn template_key(r: &str) -> String {
    format!("template = {}", crate::data::example::toml_string(r))
}

/// What a data file's `template` key says for `t`: a built-in's name, a
/// directory's path relative to the data file's folder.
fn template_ref(t: &Template, arg: &Path, out: Option<&Path>) -> Option<String> {
    if t.from_dir {
        relative_to_data(arg, out)
    } else {
        Some(t.name.clone())
    }
}

/// The folder of the data file at `out`: paths it names start there.
fn data_folder(out: Option<&Path>) -> &Path {
    out.and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A template directory's path as the data file at `out` names it.
fn relative_to_data(dir: &Path, out: Option<&Path>) -> Option<String> {
    let base = data_folder(out);
    let (dir, base) = (dir.canonicalize().ok()?, base.canonicalize().ok()?);
    let rel = dir.strip_prefix(&base).ok()?;
    let rel = rel.to_str()?.replace('\\', "/");
    (!rel.is_empty()).then_some(rel)
}

/// A file's path as the data file at `out` names it when it lies in
/// another folder (last year's, in a folder per year): `../2024/报告.toml`.
fn path_from_data(file: &Path, out: Option<&Path>) -> Option<String> {
    let base = data_folder(out);
    let (file, base) = (file.canonicalize().ok()?, base.canonicalize().ok()?);
    let common = file
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        // Nothing shared but the root (or another drive): the full path.
        return file.to_str().map(str::to_string);
    }
    let mut rel = PathBuf::new();
    for _ in base.components().skip(common) {
        rel.push("..");
    }
    rel.extend(file.components().skip(common));
    let rel = rel.to_str()?.replace('\\', "/");
    (!rel.is_empty()).then_some(rel)
}

/// A data file for a template with its own schema.
fn schema_example(t: &Template, arg: &Path, out: Option<&Path>) -> String {
    let spec = t.spec.as_ref().expect("a schema template has its spec");
    let today = crate::epoch::today();
    let mut head = vec![format!(
        "# {} — 数据文件。填好后运行 gongwen check 本文件 核对，再运行 gongwen render 本文件 生成 PDF 和 Word。",
        t.description.as_deref().unwrap_or(&t.name)
    )];
    let Some(schema) = &spec.schema else {
        head.extend(template_line(t, arg, out));
        return head.join("\n") + "\n";
    };
    match template_ref(t, arg, out) {
        Some(r) => {
            if t.from_dir {
                // Read by taplo (VS Code's Even Better TOML) to check and
                // complete the file as it is typed.
                head.insert(0, format!("#:schema ./{r}/{}", crate::template::SCHEMA));
            }
            head.push(template_key(&r));
        }
        None => head.push(format!(
            "# 模板目录不在本文件所在的文件夹之内：生成时用 gongwen render 本文件 --template {}",
            arg.display()
        )),
    }
    head.push(String::new());
    crate::data::example::example(schema, &head, &today)
}

fn annual_skeleton(
    format: Option<&str>,
    agency: Option<&str>,
    year: Option<&str>,
) -> Result<String, String> {
    let year: Option<i64> = year.map(parse_year).transpose()?;
    let format = match format {
        Some(f) => {
            Format::parse(f).ok_or_else(|| format!("--format 只能是 2019 或 2021，而不是 {f}"))?
        }
        None => year.map_or(Format::F2021, Format::for_year),
    };
    let year = year.unwrap_or(match format {
        Format::F2019 => 2020,
        Format::F2021 => default_report_year(),
    });
    if Format::for_year(year) != format {
        eprintln!(
            "警告: {year} 年度报告通常使用{}，此处按要求使用{}",
            Format::for_year(year).describe(),
            format.describe()
        );
    }
    let agency = agency.unwrap_or("某某区某某局");
    Ok(crate::annual::skeleton::skeleton(format, agency, year))
}

fn write_new(text: &str, out: Option<&Path>, force: bool) -> Result<Exit, String> {
    let Some(out) = out else {
        print!("{text}");
        return Ok(Exit::Ok);
    };
    if out.exists() && !force {
        eprint!(
            "{}",
            crate::diag::Diagnostic::io("文件已存在，未覆盖（其中可能已填了数据）")
                .in_file(out)
                .hint("换一个文件名，或加 --force 覆盖")
        );
        return Ok(Exit::Io);
    }
    match crate::output::write_atomic(out, text.as_bytes()) {
        Ok(()) => {
            eprintln!(
                "已写出 {}，填好后运行 gongwen check {}",
                out.display(),
                out.display()
            );
            Ok(Exit::Ok)
        }
        Err(d) => {
            eprint!("{d}");
            Ok(Exit::of(&d))
        }
    }
}

/// The year whose report is being prepared: reports are due by 31 January,
/// so until June it is last year's, from July on this year's.
fn default_report_year() -> i64 {
    let (y, m, _) = crate::epoch::today_civil();
    if m <= 6 {
        y - 1
    } else {
        y
    }
}

/// `--year`: a report year.
pub fn parse_year(y: &str) -> Result<i64, String> {
    y.parse()
        .ok()
        .filter(|y| (1990..2200).contains(y))
        .ok_or_else(|| format!("--year 应为年份，例如 2025，而不是 {y}"))
}
