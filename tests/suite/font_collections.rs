//! `--font-dir` on a folder laid out like Windows' `C:\Windows\Fonts`: the
//! official faces found by the names Word uses, the official name before
//! the alternative wherever the files sort, and `simsun.ttc` read as the
//! collection it is.

use std::collections::BTreeSet;

use gongwen::doc::Role;
use gongwen::font::{Face, FontBook};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider, Tag};

/// A TrueType Collection of `fonts`, each with its own tables.
fn collection(fonts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"ttcf\0\x01\0\0".to_vec();
    out.extend((fonts.len() as u32).to_be_bytes());
    let mut starts = Vec::new();
    let mut at = 12 + 4 * fonts.len();
    for f in fonts {
        starts.push(at as u32);
        at += f.len().next_multiple_of(4);
    }
    for s in &starts {
        out.extend(s.to_be_bytes());
    }
    for (font, start) in fonts.iter().zip(starts) {
        let mut font = font.clone();
        // Table offsets in a collection count from the file's start.
        let tables = u16::from_be_bytes([font[4], font[5]]) as usize;
        for i in 0..tables {
            let o = 12 + 16 * i + 8;
            let v = u32::from_be_bytes(font[o..o + 4].try_into().unwrap()) + start;
            font[o..o + 4].copy_from_slice(&v.to_be_bytes());
        }
        font.resize(font.len().next_multiple_of(4), 0);
        out.extend(font);
    }
    out
}

fn family(bytes: &[u8]) -> String {
    let font = FontRef::new(bytes).expect("a font of its own, not a collection");
    let name = font
        .localized_strings(StringId::FAMILY_NAME)
        .next()
        .unwrap();
    name.chars().collect()
}

fn glyf(bytes: &[u8]) -> Vec<u8> {
    let font = FontRef::new(bytes).unwrap();
    font.table_data(Tag::new(b"glyf"))
        .unwrap()
        .as_bytes()
        .to_vec()
}

#[test]
fn a_windows_font_folder_gives_the_official_faces_and_reads_simsun_ttc() {
    let report = crate::common::report("samples/zhanlang-2020.toml");
    let doc = gongwen::template::builtin::for_format(report.format)
        .document(&report)
        .unwrap();
    let chars: BTreeSet<char> = gongwen::doc::dump::dump(&doc)
        .chars()
        .chain("0123456789— ".chars())
        .collect();
    let bundled = FontBook::bundled();
    let face = |file: &str| -> &Face { bundled.faces.iter().find(|f| f.name == file).unwrap() };
    // TrueType, as Windows' Chinese fonts are, under Windows' file names
    // and family names.
    let ttf = |file: &str, family: &str| {
        gongwen::font::truetype::subset(face(file), &chars, family).unwrap()
    };
    let dir = std::env::temp_dir().join(format!("gongwen-winfonts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let simsun = ttf("FandolSong-Regular.otf", "SimSun");
    let files = [
        // The alternative 仿宋 sorts before 仿宋_GB2312.ttf.
        ("simfang.ttf", ttf("FandolHei-Regular.otf", "仿宋")),
        (
            "仿宋_GB2312.ttf",
            ttf("FandolFang-Regular.otf", "仿宋_GB2312"),
        ),
        ("simkai.ttf", ttf("FandolHei-Regular.otf", "楷体")),
        ("KT_GB2312.ttf", ttf("FandolKai-Regular.otf", "楷体_GB2312")),
        ("FZXBSJW.TTF", ttf("FandolSong-Bold.otf", "方正小标宋简体")),
        ("simhei.ttf", ttf("FandolHei-Regular.otf", "SimHei")),
        (
            "simsun.ttc",
            collection(&[ttf("FandolKai-Regular.otf", "NSimSun"), simsun.clone()]),
        ),
        // Not fonts: passed over.
        ("broken.ttc", b"ttcf\0\x01\0\0\0\0\0\x02\0\0\0\x14".to_vec()),
        ("empty.ttf", Vec::new()),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    let book = FontBook::load(&doc.style, std::slice::from_ref(&dir)).unwrap();
    assert_eq!(book.notes, Vec::<String>::new());
    let role = |r: Role| &book.faces[book.face_for(&doc.style, r)];
    for (r, family_name, file) in [
        (Role::Body, "仿宋_GB2312", "仿宋_GB2312.ttf"),
        (Role::heading(2), "楷体_GB2312", "KT_GB2312.ttf"),
        (Role::Title, "方正小标宋简体", "FZXBSJW.TTF"),
        (Role::heading(1), "SimHei", "simhei.ttf"),
        (Role::PageNumber, "SimSun", "simsun.ttc"),
    ] {
        let f = role(r);
        assert_eq!(family(f.bytes()), family_name, "{r:?}");
        assert_eq!(f.source.as_deref(), Some(dir.join(file).as_path()), "{r:?}");
    }
    // The collection's second member, copied out with its outlines.
    assert_eq!(glyf(role(Role::PageNumber).bytes()), glyf(&simsun));

    let pages = gongwen::layout::layout(&doc, &book).unwrap();
    let made = gongwen::font::subset::subset(&pages, &book, false).unwrap();
    let pdf = gongwen::export::pdf::write(&pages, &made, &doc.meta, Some(0), false).unwrap();
    let count = |needle: &[u8]| pdf.windows(needle.len()).filter(|w| *w == needle).count();
    assert_eq!(count(b"/FontFile2"), 5, "five TrueType faces embedded");
    let _ = std::fs::remove_dir_all(&dir);
}
