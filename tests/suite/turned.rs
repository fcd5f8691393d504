//! 横排 pages (GB/T 9704 clause 8): an annex with `landscape = true` is
//! laid out on the text block turned a quarter, its top along the sheet's
//! left edge, while the sheet stays A4 portrait and its page number stands
//! where every other page has it. Measured on the laid-out pages, then in
//! the PDF (shown turned by `/Rotate`), the DOCX (a landscape section whose
//! footers hold the number in a text box running down the page) and the
//! OFD (the objects turned by their CTM).

use crate::common;

use crate::kinds::near;
use gongwen::layout::frame::{Item, Page};

const MM: f32 = 72.0 / 25.4;
const FIXTURE: &str = "tests/fixtures/kinds/letter-landscape.toml";

fn pages() -> Vec<Page> {
    crate::kinds::lay_out(&std::fs::read_to_string(FIXTURE).unwrap()).pages
}

fn texts(items: &[Item]) -> Vec<(f32, f32, f32, &str)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) => Some((
                t.x,
                t.y,
                t.glyphs.iter().map(|g| g.advance).sum(),
                t.text.as_str(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_landscape_annex_turns_its_text_and_keeps_the_page_number_in_place() {
    let pages = pages();
    let turned: Vec<usize> = (0..pages.len())
        .filter(|&p| !pages[p].turned.is_empty())
        .collect();
    assert!(turned.len() >= 2, "the 分解表 runs over pages: {turned:?}");
    assert!(
        turned.windows(2).all(|w| w[1] == w[0] + 1),
        "one run of pages: {turned:?}"
    );
    let (first, last) = (turned[0], turned[turned.len() - 1]);
    assert!(first >= 2, "after the letter's own pages");
    assert!(
        last + 2 < pages.len(),
        "annexes 2 and 3 and the 版记 follow"
    );
    for p in [first - 1, last + 1, pages.len() - 1] {
        assert!(pages[p].turned.is_empty(), "page {} upright", p + 1);
    }
    for &p in &turned {
        let page = &pages[p];
        near("sheet width", page.width, 210.0 * MM);
        near("sheet height", page.height, 297.0 * MM);
        // Upright on the sheet: only the page number, where every other
        // page has it (7 mm under the block, one character in from its
        // outer edge: the right on odd pages, the left on even ones).
        let upright = texts(&page.items);
        assert_eq!(upright.len(), 1, "page {}: {upright:?}", p + 1);
        let (x, y, w, text) = upright[0];
        assert_eq!(text, format!("— {} —", p + 1));
        near("page number baseline", y, (262.0 + 7.0) * MM + 0.35 * 14.0);
        if (p + 1) % 2 == 1 {
            near("odd page number's right end", x + w, 184.0 * MM - 14.0);
        } else {
            near("even page number's left end", x, 28.0 * MM + 14.0);
        }
        // Turned: the table spans the turned block, 225 mm from the
        // sheet's foot margin (35 mm), under the block's top at the
        // sheet's left margin (28 mm), above its foot at 184 mm.
        let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for i in &page.turned {
            if let Item::Line {
                x1: a,
                x2: b,
                y1: c,
                y2: d,
                ..
            } = i
            {
                x0 = x0.min(a.min(*b));
                x1 = x1.max(a.max(*b));
                y0 = y0.min(c.min(*d));
                y1 = y1.max(c.max(*d));
            }
        }
        near("table's left edge", x0, 35.0 * MM);
        near("table's right edge", x1, 260.0 * MM);
        assert!(y0 >= 28.0 * MM - 1.0, "page {}: top {}", p + 1, y0 / MM);
        assert!(y1 <= 184.0 * MM + 1.0, "page {}: foot {}", p + 1, y1 / MM);
        let turned_text = texts(&page.turned);
        assert!(
            turned_text.iter().any(|t| t.3 == "序号"),
            "page {}: the header on every page",
            p + 1
        );
        assert_eq!(
            turned_text.iter().any(|t| t.3 == "续表"),
            p != first,
            "page {}: 续表 on the later pages",
            p + 1
        );
    }
    // The 序号 column: rows 1 to 24, each once.
    let mut rows: Vec<u32> = turned
        .iter()
        .flat_map(|&p| texts(&pages[p].turned).into_iter().collect::<Vec<_>>())
        .filter(|t| t.0 < 50.0 * MM)
        .filter_map(|t| t.3.parse().ok())
        .collect();
    rows.sort();
    assert_eq!(rows, (1..=24).collect::<Vec<u32>>(), "every row once");
}

#[test]
fn pdf_docx_and_ofd_turn_the_landscape_pages_alike() {
    let dir = common::cli::scratch("turned-outputs");
    std::fs::copy(FIXTURE, dir.join("data.toml")).unwrap();
    std::fs::copy("tests/fixtures/kinds/seal.png", dir.join("seal.png")).unwrap();
    let out = common::cli::run_in(&dir, &["render", "data.toml", "--ofd"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let turned = pages().iter().filter(|p| !p.turned.is_empty()).count();

    // PDF: the sheet portrait, shown turned a quarter clockwise.
    let pdf = std::fs::read(dir.join("data.pdf")).unwrap();
    let rotated = pdf.windows(10).filter(|w| w == b"/Rotate 90").count();
    assert_eq!(rotated, turned);

    // DOCX: upright, turned, upright sections; the turned one a landscape
    // A4 whose margins are the sheet's turned (top = left 28 mm, left =
    // foot 35 mm), its footers the turned page numbers; only the first
    // section has the first page's header and footer.
    let docx = std::fs::read(dir.join("data.docx")).unwrap();
    let xml = common::document_xml(&docx);
    let sections: Vec<&str> = xml.split("<w:sectPr>").skip(1).collect();
    assert_eq!(sections.len(), 3, "{xml}");
    assert!(sections[0].contains("<w:titlePg/>") && sections[0].contains("rIdHeaderFirst"));
    assert!(
        sections[1].contains("<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>"),
        "{}",
        sections[1]
    );
    assert!(
        sections[1].contains("w:top=\"1587\" w:right=\"2098\" w:bottom=\"1474\" w:left=\"1984\"")
    );
    assert!(
        sections[1].contains("rIdFooterTurnedOdd") && sections[1].contains("rIdFooterTurnedEven")
    );
    assert!(!sections[2].contains("titlePg") && !sections[2].contains("headerReference"));
    assert!(!sections[2].contains("landscape") && sections[2].contains("rIdFooterOdd"));
    let parts = common::unzip(&docx);
    let part = |name: &str| {
        let (_, bytes) = parts.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    for (name, jc) in [("word/footer5.xml", "right"), ("word/footer6.xml", "left")] {
        let footer = part(name);
        assert!(footer.contains("layout-flow:vertical"), "{footer}");
        assert!(footer.contains(" PAGE ") && footer.contains(&format!("<w:jc w:val=\"{jc}\"/>")));
        assert!(footer.contains("mso-position-horizontal-relative:page"));
    }

    // OFD: turned pages' objects carry the quarter turn, inside the sheet.
    let ofd = common::unzip(&std::fs::read(dir.join("data.ofd")).unwrap());
    let mut turned_pages = 0;
    for (name, bytes) in &ofd {
        if !name.ends_with("Content.xml") {
            continue;
        }
        let page = String::from_utf8(bytes.clone()).unwrap();
        let quarter = page.matches("CTM=\"0 -1 1 0 0 ").count();
        if quarter == 0 {
            continue;
        }
        turned_pages += 1;
        assert!(quarter > 20, "{name}: {quarter} turned objects");
        for b in page.split("Boundary=\"").skip(1) {
            let v: Vec<f32> = b
                .split('"')
                .next()
                .unwrap()
                .split(' ')
                .map(|n| n.parse().unwrap())
                .collect();
            assert!(v[0] >= 0.0 && v[0] + v[2] <= 210.5, "{name}: {v:?}");
            assert!(v[1] >= 0.0 && v[1] + v[3] <= 297.5, "{name}: {v:?}");
        }
    }
    assert_eq!(turned_pages, turned);
}
