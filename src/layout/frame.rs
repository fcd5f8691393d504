//! Frames: finished pages with items at fixed positions. The PDF writer
//! reads only these; it never sees a paragraph or a table.

use crate::font::FaceId;

/// Points, origin at the top-left corner of the page, y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
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
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: [u8; 3],
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub x: f32,
    /// Baseline.
    pub y: f32,
    pub face: FaceId,
    pub size: f32,
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
