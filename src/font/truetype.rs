//! Subset TrueType copies of a face, for embedding in DOCX files.
//!
//! Word embeds and renders TrueType outlines; the Fandol faces are CFF, so
//! each glyph's cubic outline is drawn, approximated by quadratic splines
//! (within a tenth of a font unit per thousand) and written as a `glyf`
//! glyph. Metrics, OS/2 and the vertical extents come from the original
//! face; the name table gives the new family name the document asks for.

use std::collections::{BTreeMap, BTreeSet};

use kurbo::{BezPath, CubicBez, PathEl, Point, Shape};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::raw::TableProvider;
use skrifa::{GlyphId, MetadataProvider};
use write_fonts::from_obj::ToOwnedTable;
use write_fonts::tables::cmap::Cmap;
use write_fonts::tables::glyf::{GlyfLocaBuilder, Glyph, SimpleGlyph};
use write_fonts::tables::hmtx::{Hmtx, LongMetric};
use write_fonts::tables::maxp::Maxp;
use write_fonts::tables::name::{Name, NameRecord};
use write_fonts::tables::post::Post;
use write_fonts::types::NameId;
use write_fonts::FontBuilder;

use crate::font::Face;

/// Largest distance, in font units, between a cubic curve and its
/// quadratic approximation: invisible at any print size.
const ACCURACY: f64 = 0.5;

struct Pen(BezPath);

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to((x as f64, y as f64));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to((x as f64, y as f64));
    }
    fn quad_to(&mut self, cx: f32, cy: f32, x: f32, y: f32) {
        self.0.quad_to((cx as f64, cy as f64), (x as f64, y as f64));
    }
    fn curve_to(&mut self, c0x: f32, c0y: f32, c1x: f32, c1y: f32, x: f32, y: f32) {
        self.0.curve_to(
            (c0x as f64, c0y as f64),
            (c1x as f64, c1y as f64),
            (x as f64, y as f64),
        );
    }
    fn close(&mut self) {
        self.0.close_path();
    }
}

/// The outline with every cubic replaced by quadratics, contours reversed:
/// PostScript outlines run counter-clockwise, TrueType ones clockwise.
fn quadratic(path: &BezPath) -> BezPath {
    let mut out = BezPath::new();
    let mut last = Point::ZERO;
    let mut start = Point::ZERO;
    for el in path.elements() {
        match *el {
            PathEl::MoveTo(p) => {
                out.move_to(p);
                last = p;
                start = p;
            }
            PathEl::LineTo(p) => {
                out.line_to(p);
                last = p;
            }
            PathEl::QuadTo(c, p) => {
                out.quad_to(c, p);
                last = p;
            }
            PathEl::CurveTo(c0, c1, p) => {
                for (_, _, q) in CubicBez::new(last, c0, c1, p).to_quads(ACCURACY) {
                    out.quad_to(q.p1, q.p2);
                }
                last = p;
            }
            PathEl::ClosePath => {
                out.close_path();
                last = start;
            }
        }
    }
    // Coordinates are whole font units in `glyf`.
    let mut rounded = BezPath::new();
    let r = |p: Point| Point::new(p.x.round(), p.y.round());
    for el in out.reverse_subpaths().elements() {
        rounded.push(match *el {
            PathEl::MoveTo(p) => PathEl::MoveTo(r(p)),
            PathEl::LineTo(p) => PathEl::LineTo(r(p)),
            PathEl::QuadTo(c, p) => PathEl::QuadTo(r(c), r(p)),
            PathEl::CurveTo(a, b, p) => PathEl::CurveTo(r(a), r(b), r(p)),
            PathEl::ClosePath => PathEl::ClosePath,
        });
    }
    rounded
}

/// A TrueType font named `family` with the face's glyphs for `chars`
/// (those it has) and `.notdef`.
pub fn subset(face: &Face, chars: &BTreeSet<char>, family: &str) -> Result<Vec<u8>, String> {
    let font = face.font_ref();
    let err = |what: &str, e: &dyn std::fmt::Display| format!("{}: {what}: {e}", face.name);
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
    let outlines = font.outline_glyphs();

    // Old glyph id → new, .notdef first, then in character order.
    let mut order: Vec<GlyphId> = vec![GlyphId::NOTDEF];
    let mut new_id: BTreeMap<GlyphId, u16> = BTreeMap::from([(GlyphId::NOTDEF, 0)]);
    let mut mapping = Vec::new();
    for &c in chars {
        let Some(old) = charmap.map(c).filter(|g| g.to_u32() != 0) else {
            continue;
        };
        let id = *new_id.entry(old).or_insert_with(|| {
            order.push(old);
            (order.len() - 1) as u16
        });
        mapping.push((c, GlyphId::new(id as u32)));
    }

    let mut glyf = GlyfLocaBuilder::new();
    let mut h_metrics = Vec::new();
    let (mut max_points, mut max_contours) = (0u16, 0u16);
    let mut bounds: Option<kurbo::Rect> = None;
    for &old in &order {
        let mut pen = Pen(BezPath::new());
        if let Some(g) = outlines.get(old) {
            let settings = DrawSettings::unhinted(Size::unscaled(), LocationRef::default());
            g.draw(settings, &mut pen).map_err(|e| err("outline", &e))?;
        }
        let path = quadratic(&pen.0);
        let glyph = if path.elements().is_empty() {
            Glyph::Empty
        } else {
            let simple = SimpleGlyph::from_bezpath(&path)
                .map_err(|e| err("glyph", &format!("{e:?} in glyph {}", old.to_u32())))?;
            max_points = max_points.max(simple.contours.iter().map(|c| c.len() as u16).sum());
            max_contours = max_contours.max(simple.contours.len() as u16);
            let bb = path.bounding_box();
            bounds = Some(bounds.map_or(bb, |b| b.union(bb)));
            Glyph::Simple(simple)
        };
        glyf.add_glyph(&glyph).map_err(|e| err("glyf", &e))?;
        let advance = metrics
            .advance_width(old)
            .unwrap_or(face.units_per_em)
            .round() as u16;
        let lsb = match &glyph {
            Glyph::Simple(s) => s.bbox.x_min,
            _ => 0,
        };
        h_metrics.push(LongMetric::new(advance, lsb));
    }
    let (glyf, loca, loca_format) = glyf.build();
    let bounds = bounds.unwrap_or_default();

    let mut maxp = Maxp::new(order.len() as u16);
    maxp.max_points = Some(max_points);
    maxp.max_contours = Some(max_contours);
    maxp.max_composite_points = Some(0);
    maxp.max_composite_contours = Some(0);
    maxp.max_zones = Some(1);
    maxp.max_twilight_points = Some(0);
    maxp.max_storage = Some(0);
    maxp.max_function_defs = Some(0);
    maxp.max_instruction_defs = Some(0);
    maxp.max_stack_elements = Some(0);
    maxp.max_size_of_instructions = Some(0);
    maxp.max_component_elements = Some(0);
    maxp.max_component_depth = Some(0);
    let mut tables = Tables::new(face, h_metrics, mapping, maxp, family)?;
    tables.head.index_to_loc_format = loca_format as i16;
    tables.head.x_min = bounds.x0 as i16;
    tables.head.y_min = bounds.y0 as i16;
    tables.head.x_max = bounds.x1 as i16;
    tables.head.y_max = bounds.y1 as i16;
    let mut builder = tables.builder()?;
    builder
        .add_table(&loca)
        .and_then(|b| b.add_table(&glyf))
        .map_err(|e| err("table", &e))?;
    Ok(builder.build())
}

/// The tables a subset font file has besides its outlines: the face's
/// `head`, `hhea` and `OS/2` (dates fixed, metrics counted for the subset),
/// widths, character map, names and a `post` without glyph names.
pub(crate) struct Tables {
    pub head: write_fonts::tables::head::Head,
    hhea: write_fonts::tables::hhea::Hhea,
    maxp: Maxp,
    os2: write_fonts::tables::os2::Os2,
    hmtx: Hmtx,
    cmap: Cmap,
    name: Name,
    post: Post,
    face: String,
}

impl Tables {
    pub(crate) fn new(
        face: &Face,
        metrics: Vec<LongMetric>,
        mapping: Vec<(char, GlyphId)>,
        maxp: Maxp,
        family: &str,
    ) -> Result<Tables, String> {
        let font = face.font_ref();
        let err = |what: &str, e: &dyn std::fmt::Display| format!("{}: {what}: {e}", face.name);
        let mut head: write_fonts::tables::head::Head =
            font.head().map_err(|e| err("head", &e))?.to_owned_table();
        // Fixed, so the same input gives the same bytes.
        head.created = Default::default();
        head.modified = Default::default();
        let mut hhea: write_fonts::tables::hhea::Hhea =
            font.hhea().map_err(|e| err("hhea", &e))?.to_owned_table();
        hhea.number_of_h_metrics = metrics.len() as u16;
        hhea.advance_width_max = metrics.iter().map(|m| m.advance).max().unwrap_or(0).into();
        Ok(Tables {
            head,
            hhea,
            maxp,
            os2: font.os2().map_err(|e| err("OS/2", &e))?.to_owned_table(),
            hmtx: Hmtx::new(metrics, Vec::new()),
            cmap: Cmap::from_mappings(mapping).map_err(|e| err("cmap", &e))?,
            name: names(family),
            // Version 3: no glyph names, which a subset has no use for.
            post: Post {
                version: write_fonts::types::Version16Dot16::VERSION_3_0,
                ..Default::default()
            },
            face: face.name.clone(),
        })
    }

    /// A font builder holding these tables; the outlines are added to it.
    pub(crate) fn builder(&self) -> Result<FontBuilder<'_>, String> {
        let mut builder = FontBuilder::new();
        builder
            .add_table(&self.head)
            .and_then(|b| b.add_table(&self.hhea))
            .and_then(|b| b.add_table(&self.maxp))
            .and_then(|b| b.add_table(&self.os2))
            .and_then(|b| b.add_table(&self.hmtx))
            .and_then(|b| b.add_table(&self.cmap))
            .and_then(|b| b.add_table(&self.name))
            .and_then(|b| b.add_table(&self.post))
            .map_err(|e| format!("{}: table: {e}", self.face))?;
        Ok(builder)
    }
}

/// Family, subfamily, full and PostScript names, for Windows (where Word
/// looks) in US English and Simplified Chinese.
pub(crate) fn names(family: &str) -> Name {
    let ps: String = family
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut records = Vec::new();
    for lang in [0x0409, 0x0804] {
        for (id, text) in [
            (NameId::FAMILY_NAME, family),
            (NameId::SUBFAMILY_NAME, "Regular"),
            (NameId::FULL_NAME, family),
            (NameId::POSTSCRIPT_NAME, ps.as_str()),
        ] {
            records.push(NameRecord::new(3, 1, lang, id, text.to_string().into()));
        }
    }
    let mut name = Name::new(records);
    name.name_record
        .sort_by_key(|r| (r.platform_id, r.encoding_id, r.language_id, r.name_id));
    name
}
