//! Shared test helpers: snapshot files a person can read, re-blessed with
//! `BLESS=1 cargo test`.

pub mod cli;
pub mod desk;

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
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  expected: {a}\n  actual:   {b}", i + 1))
            .collect();
        panic!(
            "snapshot {} differs ({} vs {} lines); BLESS=1 cargo test to accept\n{}",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
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
