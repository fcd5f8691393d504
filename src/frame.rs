//! Frames: finished pages with items at fixed positions, which the layout
//! makes and the writers of PDF and OFD, the font subsets and the desk's
//! previews read; none of them sees a paragraph or a table.

/// Points, origin at the top-left corner of the page, y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
    /// A 横排 page's text: items on the page turned a quarter clockwise
    /// (`height` wide, `width` high, origin at its top-left corner), which
    /// the writers turn back onto the sheet so that their top lies along
    /// its left edge. Empty on other pages.
    pub turned: Vec<Item>,
}

impl Page {
    pub fn new(width: f32, height: f32) -> Page {
        Page {
            width,
            height,
            items: Vec::new(),
            turned: Vec::new(),
        }
    }

    /// Every item, the turned ones last.
    pub fn all_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().chain(&self.turned)
    }

    /// Every item as [`Page::all_items`], with whether it is turned.
    pub fn items_turned(&self) -> impl Iterator<Item = (&Item, bool)> {
        let turned = self.turned.iter().map(|i| (i, true));
        self.items.iter().map(|i| (i, false)).chain(turned)
    }

    /// The matrix `[a b c d e f]` taking a point of the turned items (in
    /// PDF's axes: y up, origin at the turned page's bottom-left) to the
    /// sheet's (y up), a quarter turn anticlockwise.
    pub fn turn_matrix(&self) -> [f32; 6] {
        [0.0, 1.0, -1.0, 0.0, self.width, 0.0]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A run of glyphs of one face and size on one baseline.
    Text(TextRun),
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: [u8; 3],
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: [u8; 3],
    },
    /// A picture stretched over the box whose top-left corner is (x, y).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        picture: std::sync::Arc<crate::picture::Picture>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// The face, by its place in the font book the pages were laid out
    /// with (a [`crate::font::FaceId`]).
    pub face: usize,
    pub size: f32,
    pub color: [u8; 3],
    /// The characters, for the PDF's text layer.
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Distance to the next glyph, in points (spacing and justification
    /// included).
    pub advance: f32,
    /// Byte range of the glyph's character in `text`.
    pub range: std::ops::Range<usize>,
}

/// Every picture the pages draw, once each, in the order first drawn.
pub fn pictures(pages: &[Page]) -> Vec<&std::sync::Arc<crate::picture::Picture>> {
    let mut out: Vec<&std::sync::Arc<crate::picture::Picture>> = Vec::new();
    for item in pages.iter().flat_map(Page::all_items) {
        if let Item::Image { picture, .. } = item {
            if !out.iter().any(|p| std::sync::Arc::ptr_eq(p, picture)) {
                out.push(picture);
            }
        }
    }
    out
}

/// An item moved down by `dy`.
pub fn translate(item: &Item, dy: f32) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Text(r) => r.y += dy,
        Item::Line { y1, y2, .. } => {
            *y1 += dy;
            *y2 += dy;
        }
        Item::Rect { y, .. } | Item::Image { y, .. } => *y += dy,
    }
    item
}

/// A readable dump of pages: each line of text with its baseline and left
/// edge in points, and a count of rules and fills. Used as a test reference.
pub fn dump(pages: &[Page]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for (i, page) in pages.iter().enumerate() {
        let mut lines: Vec<(f32, f32, String)> = Vec::new();
        for (k, items) in [&page.items, &page.turned].into_iter().enumerate() {
            if k == 1 && items.is_empty() {
                break;
            }
            let (mut rules, mut fills, mut pictures) = (0, 0, 0);
            for item in items {
                match item {
                    Item::Text(r) => lines.push((r.y, r.x, r.text.clone())),
                    Item::Line { .. } => rules += 1,
                    Item::Rect { .. } => fills += 1,
                    Item::Image { .. } => pictures += 1,
                }
            }
            let pictures = if pictures > 0 {
                format!(", {pictures} pictures")
            } else {
                String::new()
            };
            if k == 0 {
                let _ = writeln!(
                    s,
                    "=== page {} ({rules} rules, {fills} fills{pictures})",
                    i + 1
                );
            } else {
                let _ = writeln!(s, "--- turned ({rules} rules, {fills} fills{pictures})");
            }
            dump_lines(&mut s, &mut lines);
        }
    }
    s
}

fn dump_lines(s: &mut String, lines: &mut Vec<(f32, f32, String)>) {
    use std::fmt::Write;
    lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut k = 0;
    while k < lines.len() {
        let y = lines[k].0;
        let mut parts = Vec::new();
        let x0 = lines[k].1;
        while k < lines.len() && (lines[k].0 - y).abs() < 0.05 {
            parts.push(lines[k].2.as_str());
            k += 1;
        }
        let _ = writeln!(s, "{y:7.2} {x0:6.2} | {}", parts.join(" | "));
    }
    lines.clear();
}
