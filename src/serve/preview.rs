//! Page previews as SVG, drawn from the same frames the PDF writer reads:
//! each text run at its glyphs' positions in the faces the desk serves at
//! `/fonts/N`, rules and shading as in the PDF, pictures inline.

use std::fmt::Write;

use crate::frame::{Item, Page};

fn color([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One page as an SVG element, sized by its width in the page; its text in
/// the faces of font book `book` (served at `/fonts/BOOK/N`).
pub fn svg(page: &Page, number: usize, book: usize, faces: usize) -> String {
    // A 横排 page is shown as a PDF viewer shows it: turned a quarter
    // clockwise, its table upright, the page number down its left side.
    let turned = !page.turned.is_empty();
    let (w, h) = if turned {
        (page.height, page.width)
    } else {
        (page.width, page.height)
    };
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"page\" data-page=\"{number}\" viewBox=\"0 0 {w:.2} {h:.2}\" role=\"img\" aria-label=\"第 {number} 页\"><style>"
    );
    for f in 0..faces {
        let _ = write!(
            s,
            "@font-face{{font-family:gw{f};src:url(/fonts/{book}/{f})}}"
        );
    }
    let _ = write!(
        s,
        "text{{white-space:pre}}</style><rect width=\"{w:.2}\" height=\"{h:.2}\" fill=\"#fff\"/>"
    );
    if turned {
        draw(&mut s, &page.turned);
        let _ = write!(s, "<g transform=\"matrix(0 1 -1 0 {w:.2} 0)\">");
        draw(&mut s, &page.items);
        s.push_str("</g>");
    } else {
        draw(&mut s, &page.items);
    }
    s.push_str("</svg>");
    s
}

fn draw(s: &mut String, items: &[Item]) {
    for item in items {
        match item {
            Item::Text(run) => {
                let mut xs = String::new();
                let mut text = String::new();
                let mut x = run.x;
                for g in &run.glyphs {
                    let chars: Vec<char> = run.text[g.range.clone()].chars().collect();
                    for (k, c) in chars.iter().enumerate() {
                        let cx = x + g.advance * k as f32 / chars.len() as f32;
                        let _ = write!(xs, "{cx:.2} ");
                        text.push(if c.is_control() { ' ' } else { *c });
                    }
                    x += g.advance;
                }
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{:.2}\" font-family=\"gw{}\" font-size=\"{:.2}\" fill=\"{}\">{}</text>",
                    xs.trim_end(),
                    run.y,
                    run.face,
                    run.size,
                    color(run.color),
                    crate::export::docx::esc(&text)
                );
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color: c,
            } => {
                let _ = write!(
                    s,
                    "<line x1=\"{x1:.2}\" y1=\"{y1:.2}\" x2=\"{x2:.2}\" y2=\"{y2:.2}\" stroke=\"{}\" stroke-width=\"{width:.2}\"/>",
                    color(*c)
                );
            }
            Item::Rect { x, y, w, h, fill } => {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\"/>",
                    color(*fill)
                );
            }
            Item::Image {
                x,
                y,
                w,
                h,
                picture,
            } => {
                let mime = match picture.format {
                    crate::picture::Format::Png => "image/png",
                    crate::picture::Format::Jpeg => "image/jpeg",
                };
                let _ = write!(
                    s,
                    "<image x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" preserveAspectRatio=\"none\" href=\"data:{mime};base64,{}\"/>",
                    base64(&picture.bytes)
                );
            }
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads() {
        assert_eq!(super::base64(b"a"), "YQ==");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
    }

    /// A 横排 page is shown turned, as a PDF viewer shows it: landscape,
    /// its text drawn as laid out, the sheet's page number turned with
    /// the sheet (its foot down the left side).
    #[test]
    fn a_turned_page_is_shown_landscape() {
        use crate::frame::{Item, Page};
        let line = |y: f32| Item::Line {
            x1: 10.0,
            y1: y,
            x2: 20.0,
            y2: y,
            width: 1.0,
            color: [0, 0, 0],
        };
        let mut page = Page::new(595.0, 842.0);
        page.items.push(line(800.0));
        let upright = super::svg(&page, 1, 0, 0);
        assert!(
            upright.contains("viewBox=\"0 0 595.00 842.00\""),
            "{upright}"
        );
        assert!(!upright.contains("<g "));
        page.turned.push(line(100.0));
        let turned = super::svg(&page, 2, 0, 0);
        assert!(turned.contains("viewBox=\"0 0 842.00 595.00\""), "{turned}");
        let (text, sheet) = turned
            .split_once("<g transform=\"matrix(0 1 -1 0 842.00 0)\">")
            .unwrap();
        assert!(
            text.contains("y1=\"100.00\"") && sheet.contains("y1=\"800.00\""),
            "{turned}"
        );
    }
}
