//! GB/T 9704 geometry and letter spacing, worked out once from the style
//! sheet for the PDF layout and the DOCX writer alike: where the text block
//! lies on the page, the body line pitch, how wide a character of each role
//! is with its spacing, where the page number stands. The two writers must
//! agree on these to break pages alike; neither computes them itself.

use crate::doc::style::MM;
use crate::doc::{Role, StyleSheet};

/// The page and its text block (版心), in points from the page's top-left
/// corner: 156 × 225 mm, 37 mm from the top and 28 mm from the left edge
/// of an A4 page by default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub page_width: f32,
    pub page_height: f32,
    /// The text block's left edge (订口 side).
    pub left: f32,
    /// The text block's top edge (天头).
    pub top: f32,
    pub width: f32,
    pub height: f32,
    /// Distance between baselines of body lines: 22 lines fill the block.
    pub pitch: f32,
    /// From the bottom of the text block down to the page number's dashes.
    pub page_number_offset: f32,
    /// The same point from the page's bottom edge, in millimetres, as Word
    /// places a footer.
    pub page_number_from_bottom_mm: f32,
}

impl Geometry {
    pub fn of(style: &StyleSheet) -> Geometry {
        let p = &style.page;
        Geometry {
            page_width: style.page_width(),
            page_height: style.page_height(),
            left: p.margin_left_mm * MM,
            top: p.margin_top_mm * MM,
            width: style.text_width(),
            height: style.text_height(),
            pitch: p.line_pitch_pt,
            page_number_offset: p.page_number_offset_mm * MM,
            page_number_from_bottom_mm: p.margin_bottom_mm - p.page_number_offset_mm,
        }
    }

    pub fn right(&self) -> f32 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f32 {
        self.top + self.height
    }

    /// The page number's baseline for text of `size`: its dashes, which sit
    /// about 0.35 em above the baseline in CJK faces, at the offset under
    /// the text block.
    pub fn page_number_baseline(&self, size: f32) -> f32 {
        self.bottom() + self.page_number_offset + 0.35 * size
    }
}

/// Letter spacing that keeps `chars_per_line` body characters within the
/// text width, in the twentieths of a point a DOCX can say (−0.25 pt for
/// 28 × 16 pt in 156 mm, where −0.207 would fill it exactly): the PDF sets
/// what Word sets, so lines with many digits or Latin letters, which carry
/// more of the spacing, break alike in both.
pub fn body_tracking(style: &StyleSheet) -> f32 {
    let exact = style.text_width() / style.page.chars_per_line as f32 - style.role(Role::Body).size;
    (exact * 20.0).floor() / 20.0
}

/// Letter spacing for a role: text of the body's size keeps
/// `chars_per_line` characters a line; tables and page numbers are set
/// solid.
pub fn tracking(style: &StyleSheet, role: Role) -> f32 {
    if style.role(role).size == style.role(Role::Body).size
        && !matches!(role, Role::Table | Role::TableHeader | Role::PageNumber)
    {
        body_tracking(style)
    } else {
        0.0
    }
}

/// A role's letter spacing as a DOCX run states it (`w:spacing`, in
/// twentieths of a point), none when the role is set solid.
pub fn tracking_twentieths(style: &StyleSheet, role: Role) -> Option<i64> {
    (tracking(style, role) != 0.0).then(|| (body_tracking(style) * 20.0).floor() as i64)
}

/// Width of one character of a role's text with its spacing: what insets,
/// hanging indents and the signature's offsets are counted in.
pub fn char_width(style: &StyleSheet, role: Role) -> f32 {
    style.role(role).size + tracking(style, role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_text_block_on_a4() {
        let g = Geometry::of(&StyleSheet::gbt9704());
        let mm = |v: f32| (v / MM * 100.0).round() / 100.0;
        assert_eq!([mm(g.page_width), mm(g.page_height)], [210.0, 297.0], "A4");
        assert_eq!([mm(g.left), mm(g.top)], [28.0, 37.0]);
        assert_eq!([mm(g.width), mm(g.height)], [156.0, 225.0]);
        assert_eq!([mm(g.right()), mm(g.bottom())], [184.0, 262.0]);
        // 22 lines of 16 pt text fill the block's height.
        assert!((g.pitch * 22.0 - g.height).abs() < 1.0);
        assert_eq!(mm(g.page_number_offset), 7.0);
        assert_eq!(g.page_number_from_bottom_mm, 28.0);
    }

    #[test]
    fn body_text_holds_28_characters_a_line_in_whole_twentieths() {
        let s = StyleSheet::gbt9704();
        assert_eq!(body_tracking(&s), -0.25);
        assert!(28.0 * char_width(&s, Role::Body) <= s.text_width());
        assert!(29.0 * char_width(&s, Role::Body) > s.text_width());
        assert_eq!(tracking_twentieths(&s, Role::Body), Some(-5));
        // Headings of the body's size are spaced like it; tables, page
        // numbers and the larger title are set solid.
        assert_eq!(tracking(&s, Role::Heading1), -0.25);
        for role in [
            Role::Table,
            Role::TableHeader,
            Role::PageNumber,
            Role::Title,
        ] {
            assert_eq!(tracking(&s, role), 0.0, "{role:?}");
            assert_eq!(tracking_twentieths(&s, role), None, "{role:?}");
        }
    }
}
