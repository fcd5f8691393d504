//! PDF from frames, through krilla: fonts are embedded as subsets with a
//! ToUnicode map built from each glyph's source text, so the text layer
//! copies and searches exactly. krilla writes deterministic output: the
//! same frames give the same bytes.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document as PdfDocument;

use crate::diag::Diagnostic;
use crate::doc::Meta;
use crate::font::FontBook;
use crate::layout::frame::{Item, Page};

pub fn write(
    pages: &[Page],
    book: &FontBook,
    meta: &Meta,
    epoch: Option<i64>,
) -> Result<Vec<u8>, Diagnostic> {
    let fonts: Vec<Font> = book
        .faces
        .iter()
        .map(|f| {
            Font::new(krilla::Data::from(f.data.clone()), 0)
                .ok_or_else(|| Diagnostic::error(format!("PDF 无法使用字体 {}", f.name)))
        })
        .collect::<Result<_, _>>()?;

    let mut doc = PdfDocument::new();
    for page in pages {
        let settings = PageSettings::from_wh(page.width, page.height)
            .ok_or_else(|| Diagnostic::error("页面尺寸无效"))?;
        let mut p = doc.start_page_with(settings);
        let mut surface = p.surface();
        for item in &page.items {
            match item {
                Item::Rect { x, y, w, h, fill } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                        continue;
                    };
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: rgb::Color::new(fill[0], fill[1], fill[2]).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: *width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Item::Text(run) => {
                    let glyphs: Vec<KrillaGlyph> = run
                        .glyphs
                        .iter()
                        .map(|g| {
                            KrillaGlyph::new(
                                GlyphId::new(g.id as u32),
                                g.advance / run.size,
                                0.0,
                                0.0,
                                0.0,
                                g.range.clone(),
                                None,
                            )
                        })
                        .collect();
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_glyphs(
                        Point::from_xy(run.x, run.y),
                        &glyphs,
                        fonts[run.face].clone(),
                        &run.text,
                        run.size,
                        false,
                    );
                }
            }
        }
        surface.finish();
        p.finish();
    }

    let mut metadata = Metadata::new()
        .title(meta.title.clone())
        .authors(vec![meta.author.clone()])
        .description(meta.subject.clone())
        .keywords(meta.keywords.clone())
        .language(meta.language.clone())
        .creator(format!("gongwen {}", env!("CARGO_PKG_VERSION")))
        .producer(format!("gongwen {}", env!("CARGO_PKG_VERSION")));
    if let Some(date) = document_date(meta, epoch) {
        metadata = metadata.creation_date(date);
    }
    doc.set_metadata(metadata);
    doc.finish()
        .map_err(|e| Diagnostic::error(format!("PDF 生成失败: {e:?}")))
}

/// `SOURCE_DATE_EPOCH` wins; else the document's own date; never the clock.
fn document_date(meta: &Meta, epoch: Option<i64>) -> Option<DateTime> {
    if let Some(secs) = epoch {
        let (y, m, d) = crate::cli::civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        return Some(
            DateTime::new(y.clamp(0, 9999) as u16)
                .month(m as u8)
                .day(d as u8)
                .hour((rem / 3600) as u8)
                .minute((rem % 3600 / 60) as u8)
                .second((rem % 60) as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        );
    }
    let (y, m, d) = meta.date?;
    Some(
        DateTime::new(y.clamp(0, 9999) as u16)
            .month(m as u8)
            .day(d as u8)
            .utc_offset_hour(8)
            .utc_offset_minute(0),
    )
}
