//! Font resolution: bundled faces, `--font-dir` by file name and by the
//! name Word uses, and characters high in the Fandol glyph order.

use std::path::{Path, PathBuf};

use gongwen::diag::Source;
use gongwen::doc::{Role, StyleSheet};
use gongwen::font::{FontBook, Shaper};
use gongwen::layout::geometry::body_tracking;
use gongwen::layout::inline::shape;

/// Characters whose Fandol glyph ids lie above 8896, where the CFF charset
/// stops being the identity: a subsetter that assumes identity draws the
/// wrong glyphs for them.
const HIGH_CID: &str = "–‐€¥↗☉⊕﹦╬▼";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongwen-fonts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bundled(file: &str) -> Vec<u8> {
    std::fs::read(Path::new("fonts").join(file)).unwrap()
}

#[test]
fn high_cid_characters_are_shaped_from_the_body_face() {
    let book = FontBook::bundled();
    let style = StyleSheet::gbt9704();
    let body = book.face_for(&style, Role::Body);
    let units = shape(
        &book,
        &style,
        &[(Role::Body, HIGH_CID)],
        body_tracking(&style),
    )
    .unwrap();
    let shaper = Shaper::new(&book.faces[body]);
    assert_eq!(units.len(), HIGH_CID.chars().count());
    for (u, c) in units.iter().zip(HIGH_CID.chars()) {
        assert_eq!(u.ch, c);
        assert_eq!(u.face, body, "{c} fell back to another face");
        assert_eq!(Some(u.gid), shaper.glyph(c).map(|g| g.0));
        assert!(u.gid > 8896, "{c} has glyph {}: not a high CID", u.gid);
    }
}

#[test]
fn font_dir_replaces_a_face_by_file_name() {
    let dir = temp_dir("by-file");
    // A face under the body font's file name takes its place.
    std::fs::write(
        dir.join("FandolFang-Regular.otf"),
        bundled("FandolHei-Regular.otf"),
    )
    .unwrap();
    let style = StyleSheet::gbt9704();
    let book = FontBook::load(&style, &[dir]).unwrap();
    let body = &book.faces[book.face_for(&style, Role::Body)];
    assert_eq!(body.bytes(), bundled("FandolHei-Regular.otf").as_slice());
    let title = &book.faces[book.face_for(&style, Role::Title)];
    assert_eq!(title.bytes(), bundled("FandolSong-Bold.otf").as_slice());
}

#[test]
fn font_dir_finds_a_face_by_the_name_word_uses() {
    let dir = temp_dir("by-family");
    std::fs::write(dir.join("simhei.otf"), bundled("FandolHei-Regular.otf")).unwrap();
    // The family whose Word name is the font's family name gets it; the
    // others keep their bundled faces.
    let style = StyleSheet::parse(&Source::new(
        "style.toml",
        "[fonts.heiti]\nword = \"FandolHei\"\n[fonts.kaiti]\nword = \"不存在的字体\"\n",
    ))
    .unwrap();
    let book = FontBook::load(&style, std::slice::from_ref(&dir)).unwrap();
    let heading = &book.faces[book.face_for(&style, Role::heading(1))];
    assert_eq!(heading.name, "FandolHei-Regular.otf");
    assert_eq!(
        heading.source.as_deref(),
        Some(dir.join("simhei.otf").as_path())
    );
    let kai = &book.faces[book.face_for(&style, Role::heading(2))];
    assert_eq!(kai.source, None);
}

#[test]
fn a_font_dir_that_does_not_exist_is_an_error() {
    let missing = std::env::temp_dir().join("gongwen-no-such-font-dir");
    let e = FontBook::load(&StyleSheet::gbt9704(), std::slice::from_ref(&missing))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("字体目录不存在") && e.contains(&missing.display().to_string()),
        "{e}"
    );
}
