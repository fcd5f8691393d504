//! Every page of the reference documents (the samples, the long reports,
//! the three kinds, the layout fixtures) drawn from its frames and compared
//! with `tests/references/raster/` (`BLESS=1` to re-bless; a failure names
//! the actual page and a diff to open).

use std::path::Path;

use gongwen::compile::{compile, Compiled, Failure, Job};
use gongwen::layout::frame::Item;
use gongwen::template::Template;

use crate::common::raster::{assert_pages, changed_box, draw, rgb, Glyphs};

/// Lays out `data` (with the template folder `template`, if given) as
/// `gongwen render` does.
fn typeset(data: &str, template: Option<&str>) -> Compiled {
    let fonts = gongwen::disk::FontDirs::default();
    let template =
        template.map(|t| Template::from_dir(Path::new(t), &gongwen::disk::Disk).unwrap());
    let job = Job::new(Path::new(data)).template(template.as_ref());
    compile(&job, &gongwen::disk::Disk, &fonts)
        .value
        .unwrap_or_else(|f| match f {
            Failure::Data(d) => panic!("{d}"),
            Failure::Typeset(_, d) => panic!("{d}"),
        })
}

/// Compares the pages of `data` with the references of `stem`.
fn check(stem: &str, data: &str, template: Option<&str>) {
    let compiled = typeset(data, template);
    let t = compiled.typeset().expect("laid out");
    assert_pages(stem, &t.laid.pages, &t.book);
}

/// A single glyph placed a third of a pixel further right is a change the
/// comparison reports, so a layout that moves one character cannot pass.
#[test]
fn one_glyph_moved_by_a_third_of_a_pixel_shows() {
    let compiled = typeset("tests/fixtures/kinds/notice.toml", None);
    let t = compiled.typeset().unwrap();
    let page = &t.laid.pages[0];
    let mut moved = page.clone();
    let run = moved
        .items
        .iter_mut()
        .find_map(|i| match i {
            Item::Text(r) if r.glyphs.len() > 3 => Some(r),
            _ => None,
        })
        .unwrap();
    run.glyphs[1].advance += 0.5;
    run.glyphs[2].advance -= 0.5;
    let mut glyphs = Glyphs::new(&t.book);
    let (a, b) = (draw(page, &mut glyphs), draw(&moved, &mut glyphs));
    let (n, [x0, _, x1, _]) = changed_box(&rgb(&a), &rgb(&b), a.width()).expect("a change");
    // Only that glyph's pixels: about one character wide at 16 pt.
    assert!(n >= 10 && x1 - x0 <= 16, "{n} pixels, x {x0}..={x1}");
    assert_eq!(changed_box(&rgb(&a), &rgb(&a), a.width()), None);
}

macro_rules! documents {
    ($($test:ident: $stem:literal, $data:literal $(, $template:literal)?;)*) => {
        $(
            #[test]
            fn $test() {
                check($stem, $data, None $(.or(Some($template)))?);
            }
        )*
    };
}

documents! {
    zhanlang_2020: "zhanlang-2020", "samples/zhanlang-2020.toml";
    qinghe_market_2025: "qinghe-market-2025", "samples/qinghe-market-2025.toml";
    qingxi_district_2024: "qingxi-district-2024", "tests/fixtures/reports/qingxi-district-2024.toml";
    qingxi_jiedao_2020: "qingxi-jiedao-2020", "tests/fixtures/reports/qingxi-jiedao-2020.toml";
    kinds_notice: "kinds-notice", "tests/fixtures/kinds/notice.toml";
    kinds_minutes: "kinds-minutes", "tests/fixtures/kinds/minutes.toml";
    kinds_letter: "kinds-letter", "tests/fixtures/kinds/letter.toml";
    layout_heading_before_table: "layout-heading-before-table",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/heading-before-table";
    layout_table_header_one_row: "layout-table-header-one-row",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/table-header-one-row";
    layout_group_row_at_foot: "layout-group-row-at-foot",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/group-row-at-foot";
    layout_signature_at_foot: "layout-signature-at-foot",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/signature-at-foot";
    layout_long_title: "layout-long-title",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/long-title";
    layout_long_signature: "layout-long-signature",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/long-signature";
    layout_rowspan_empty: "layout-rowspan-empty",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/rowspan-empty";
    layout_long_url: "layout-long-url",
        "samples/qinghe-market-2025.toml", "tests/fixtures/layout/long-url";
}
