//! `gongwen sum`: an upper office's annual report data file from its
//! units' files. Every unit is checked first; units of different years or
//! formats are refused by name; nothing is written unless every unit is
//! sound, and what is written passes `check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::annual::report::Report;
use crate::compile::{compile, Compiled, Failure, Job, Until};
use crate::diag::Diagnostic;
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;
use crate::input::Data;

pub struct SumOptions<'a> {
    pub agency: &'a str,
    pub year: Option<i64>,
    pub out: &'a Path,
    pub table: Option<&'a Path>,
    pub force: bool,
}

pub fn run(inputs: &[PathBuf], o: &SumOptions) -> Exit {
    let (files, errors) = crate::cmd::collect_inputs(inputs);
    let mut worst = Exit::Ok;
    for d in &errors {
        eprint!("{d}");
        worst = worst.max(Exit::of(d));
    }
    // The result itself may sit in a folder being summed, from a run before.
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let files: Vec<PathBuf> = files.into_iter().filter(|f| !same(f, o.out)).collect();
    if files.is_empty() {
        eprintln!("没有可汇总的数据文件，未写出 {}", o.out.display());
        return worst.max(Exit::Usage);
    }
    let fonts = FontDirs::default();
    let mut units: Vec<(PathBuf, Compiled)> = Vec::new();
    let mut broken = Vec::new();
    for f in files {
        match compile(&Job::new(&f).until(Until::Data), &Disk, &fonts).value {
            Ok(c) if matches!(c.input.data, Data::Annual(_)) => units.push((f, c)),
            Ok(c) => {
                eprintln!(
                    "{}: 不是政府信息公开工作年度报告的数据文件（模板 {}），不能汇总",
                    f.display(),
                    c.input.template.name
                );
                broken.push(f);
            }
            Err(failure) => {
                let errors = match &failure {
                    Failure::Data(d) => {
                        eprint!("{d}");
                        d.error_count()
                    }
                    Failure::Typeset(_, d) => {
                        eprint!("{d}");
                        1
                    }
                };
                eprintln!("{}: {errors} 个错误，不能汇总", f.display());
                broken.push(f);
            }
        }
    }
    if !broken.is_empty() {
        eprintln!(
            "未写出汇总：{} 个单位的数据有错误（{}），先改正再汇总",
            broken.len(),
            names(&broken)
        );
        return Exit::Input;
    }
    let reports: Vec<(&Path, &Report)> = units
        .iter()
        .filter_map(|(f, c)| Some((f.as_path(), c.input.report()?)))
        .collect();
    if let Err(why) = one_year_and_format(&reports, o.year) {
        eprintln!("{why}\n未写出汇总");
        return Exit::Input;
    }
    let only: Vec<&Report> = reports.iter().map(|(_, r)| *r).collect();
    let total = match crate::annual::sum::total(&only, o.agency) {
        Ok(t) => t,
        Err(why) => {
            eprintln!("{why}\n未写出汇总");
            return Exit::Input;
        }
    };
    let listed: Vec<(String, String)> = reports
        .iter()
        .map(|(f, r)| (r.agency.clone(), relative(f, o.out)))
        .collect();
    let text = crate::annual::skeleton::summed(&total, &listed);
    // What is written must pass `check`; it is checked as the file it will be.
    let job = Job {
        previous: false,
        ..Job::new(o.out).text(&text).until(Until::Data)
    };
    if let Err(failure) = compile(&job, &Disk, &fonts).value {
        if let Failure::Data(d) = failure {
            eprint!("{d}");
        }
        eprintln!("汇总结果未通过核对，未写出（这是 gongwen 的问题，请报告）");
        return Exit::Input;
    }
    for (path, what) in [(Some(o.out), "数据文件"), (o.table, "表格")] {
        if let Some(p) = path.filter(|p| p.exists() && !o.force) {
            eprint!(
                "{}",
                Diagnostic::io(format!("文件已存在，未覆盖（汇总的{what}）"))
                    .in_file(p)
                    .hint("换一个文件名，或加 --force 覆盖")
            );
            return Exit::Io;
        }
    }
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = vec![(o.out.to_path_buf(), text.into_bytes())];
    if let Some(table) = o.table {
        let rows: Vec<(String, &Report)> = reports
            .iter()
            .map(|(f, r)| (relative(f, o.out), *r))
            .collect();
        let rows: Vec<(&str, &Report)> = rows.iter().map(|(f, r)| (f.as_str(), *r)).collect();
        let csv = crate::annual::sum::figures_csv(&rows, &total);
        outputs.push((table.to_path_buf(), csv.into_bytes()));
    }
    let pairs: Vec<(PathBuf, &[u8])> = outputs
        .iter()
        .map(|(p, b)| (p.clone(), b.as_slice()))
        .collect();
    if let Err(d) = crate::output::write_pair(&pairs) {
        eprint!("{d}");
        return Exit::of(&d);
    }
    eprintln!(
        "已汇总 {} 个单位（{}年，{}）→ {}{}",
        reports.len(),
        total.year,
        total.format.describe(),
        o.out.display(),
        o.table
            .map_or(String::new(), |t| format!("，各单位数据 → {}", t.display()))
    );
    eprintln!(
        "正文各部分请按本级情况填写，再运行 gongwen check {}",
        o.out.display()
    );
    worst.max(Exit::Ok)
}

/// Refuses units of several years (or of another year than `year`) and
/// of both formats, naming the files of each.
pub(crate) fn one_year_and_format(
    reports: &[(&Path, &Report)],
    year: Option<i64>,
) -> Result<(), String> {
    let mut years: BTreeMap<i64, Vec<PathBuf>> = BTreeMap::new();
    let mut formats: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for (f, r) in reports {
        years.entry(r.year).or_default().push(f.to_path_buf());
        formats
            .entry(r.format.describe())
            .or_default()
            .push(f.to_path_buf());
    }
    // Each year or format with its files, those `keep` selects.
    fn listed<K: std::fmt::Display>(
        groups: &BTreeMap<K, Vec<PathBuf>>,
        unit: &str,
        keep: impl Fn(&K) -> bool,
    ) -> String {
        groups
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, fs)| format!("{k}{unit}：{}", names(fs)))
            .collect::<Vec<_>>()
            .join("；")
    }
    if let Some(y) = year {
        let other = listed(&years, "年", |k| *k != y);
        if !other.is_empty() {
            return Err(format!("要汇总 {y} 年度，但有其他年度的数据文件——{other}"));
        }
    }
    if years.len() > 1 {
        return Err(format!(
            "各单位的报告年度不同，不能汇总——{}（用 --year 指明年度，并去掉其他年度的文件）",
            listed(&years, "年", |_| true)
        ));
    }
    if formats.len() > 1 {
        return Err(format!(
            "各单位用的表格格式不同，不能汇总——{}",
            listed(&formats, "", |_| true)
        ));
    }
    Ok(())
}

fn names(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join("、")
}

/// A unit's file as seen from the folder of the result, when inside it.
fn relative(file: &Path, out: &Path) -> String {
    let dir = crate::compile::folder(out).unwrap_or(Path::new("."));
    let (Ok(f), Ok(d)) = (file.canonicalize(), dir.canonicalize()) else {
        return file.display().to_string();
    };
    // Shown without the `\\?\` that canonicalize puts before a Windows
    // path.
    f.strip_prefix(&d).map_or_else(
        |_| dunce::simplified(&f).display().to_string(),
        |r| r.display().to_string(),
    )
}
