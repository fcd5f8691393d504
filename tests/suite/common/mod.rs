//! Shared test helpers: snapshot files a person can read, re-blessed with
//! `BLESS=1 cargo test`.

pub mod cli;
pub mod desk;
pub mod raster;

use std::io::Read;
use std::path::Path;

#[allow(dead_code)]
pub fn assert_snapshot(path: impl AsRef<Path>, actual: &str) {
    let path = path.as_ref();
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run BLESS=1 cargo test",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .context_radius(2)
            .header("expected", "actual")
            .to_string();
        panic!(
            "snapshot {} differs ({} vs {} lines); BLESS=1 cargo test to accept\n{}",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            shortened(&diff, 60)
        );
    }
}

/// The first `max` lines of a long diff, saying how many more there are.
fn shortened(diff: &str, max: usize) -> String {
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() <= max {
        return diff.to_string();
    }
    format!(
        "{}\n… {} more diff lines",
        lines[..max].join("\n"),
        lines.len() - max
    )
}

/// The entries of a ZIP archive (the DOCX, the OFD), inflated.
#[allow(dead_code)]
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    while u32_at(at) == 0x0403_4b50 {
        let (packed, name_len, extra) = (u32_at(at + 18), u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let start = at + 30 + name_len + extra;
        let mut data = Vec::new();
        flate2::read::DeflateDecoder::new(&bytes[start..start + packed])
            .read_to_end(&mut data)
            .unwrap();
        out.push((name, data));
        at = start + packed;
    }
    out
}

/// The eight-agency notice's seals (`tests/fixtures/kinds/seal-*.svg`),
/// one for each agency, copied into `dir`.
#[allow(dead_code)]
pub fn copy_joint_seals(dir: &std::path::Path) {
    for e in std::fs::read_dir("tests/fixtures/kinds").unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with("seal-") {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
}

/// A DOCX's `word/document.xml`.
#[allow(dead_code)]
pub fn document_xml(docx: &[u8]) -> String {
    unzip(docx)
        .into_iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .expect("a DOCX has word/document.xml")
}

/// A data file compiled from the disk as `gongwen render` compiles it, in
/// the bundled faces; the error as printed.
#[allow(dead_code)]
pub fn compiled(
    path: impl AsRef<std::path::Path>,
    until: gongwen::compile::Until,
) -> Result<gongwen::compile::Compiled, String> {
    use gongwen::compile::{compile, Failure, Job};
    static FONTS: std::sync::OnceLock<gongwen::disk::FontDirs> = std::sync::OnceLock::new();
    let fonts = FONTS.get_or_init(Default::default);
    let job = Job::new(path.as_ref()).until(until);
    compile(&job, &gongwen::disk::Disk, fonts)
        .value
        .map_err(|f| match f {
            Failure::Data(d) => d.to_string(),
            Failure::Typeset(_, d) => d.to_string(),
        })
}

/// An annual report's data file, read and checked.
#[allow(dead_code)]
pub fn report(path: impl AsRef<std::path::Path>) -> gongwen::annual::Report {
    let c = compiled(path, gongwen::compile::Until::Data).unwrap_or_else(|e| panic!("{e}"));
    c.input.report().expect("an annual report").clone()
}

/// The bundled faces of a document's style.
#[allow(dead_code)]
pub fn book(doc: &gongwen::doc::Document) -> std::sync::Arc<gongwen::font::FontBook> {
    use gongwen::files::Fonts;
    gongwen::disk::FontDirs::default().book(&doc.style).unwrap()
}

/// A page's text lines, top to bottom, of the runs `keep` takes: runs on
/// one baseline joined left to right, with that baseline.
#[allow(dead_code)]
pub fn text_lines(
    p: &gongwen::layout::frame::Page,
    keep: impl Fn(&gongwen::layout::frame::TextRun) -> bool,
) -> Vec<(f32, String)> {
    use gongwen::layout::frame::Item;
    let mut runs: Vec<(f32, f32, &str)> = p
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) if keep(t) => Some((t.y, t.x, t.text.as_str())),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<(f32, String)> = Vec::new();
    for (y, _, text) in runs {
        match out.last_mut() {
            Some((ly, l)) if (*ly - y).abs() < 0.05 => l.push_str(text),
            _ => out.push((y, text.to_string())),
        }
    }
    out
}
