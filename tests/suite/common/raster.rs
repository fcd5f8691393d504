//! Pages drawn from the layout's frames as they print: every glyph from
//! its face's outline (skrifa), rules, shading and pictures (tiny-skia),
//! and compared with PNG references a person can open. It reads the same
//! frames the PDF and OFD writers read, so a moved glyph, rule or seal
//! shows here without a PDF reader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gongwen::font::{FaceId, FontBook};
use gongwen::layout::frame::{Item, Page};
use gongwen::picture::{Format, Picture};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::MetadataProvider;
use tiny_skia::{
    Color, FillRule, FilterQuality, Paint, PathBuilder, Pixmap, PixmapPaint, Rect, Stroke,
    Transform,
};

/// Dots per inch of the references: a 16 pt character is 11 pixels, big
/// enough to read, and an A4 page is 397 × 561 pixels.
pub const DPI: f32 = 48.0;

/// How far a channel may stray (of 255) before a pixel counts as changed:
/// room for rounding at anti-aliased edges on another CPU, far less than
/// any glyph, rule or picture that moves or changes.
pub const TOLERANCE: u8 = 16;

/// Builds a glyph's path in font units.
struct Pen(PathBuilder);

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to(cx0, cy0, x, y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// Glyph paths of a book's faces, each drawn once.
pub struct Glyphs<'a> {
    book: &'a FontBook,
    paths: HashMap<(FaceId, u16), Option<tiny_skia::Path>>,
}

impl<'a> Glyphs<'a> {
    pub fn new(book: &'a FontBook) -> Self {
        Glyphs {
            book,
            paths: HashMap::new(),
        }
    }

    fn path(&mut self, face: FaceId, id: u16) -> Option<&tiny_skia::Path> {
        let book = self.book;
        self.paths
            .entry((face, id))
            .or_insert_with(|| {
                let font = book.faces[face].font_ref();
                let outline = font.outline_glyphs().get(id.into())?;
                let mut pen = Pen(PathBuilder::new());
                let settings = DrawSettings::unhinted(Size::unscaled(), LocationRef::default());
                outline.draw(settings, &mut pen).ok()?;
                pen.0.finish()
            })
            .as_ref()
    }
}

fn paint(rgb: [u8; 3]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(Color::from_rgba8(rgb[0], rgb[1], rgb[2], 255));
    p.anti_alias = true;
    p
}

/// One page at [`DPI`], on white.
pub fn draw(page: &Page, glyphs: &mut Glyphs) -> Pixmap {
    let s = DPI / 72.0;
    let (w, h) = (
        (page.width * s).ceil() as u32,
        (page.height * s).ceil() as u32,
    );
    let mut pixmap = Pixmap::new(w, h).expect("a page has a size");
    pixmap.fill(Color::WHITE);
    let page_transform = Transform::from_scale(s, s);
    for item in &page.items {
        match item {
            Item::Rect {
                x,
                y,
                w,
                h: rh,
                fill,
            } => {
                if let Some(rect) = Rect::from_xywh(*x, *y, *w, *rh) {
                    pixmap.fill_rect(rect, &paint(*fill), page_transform, None);
                }
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    let stroke = Stroke {
                        width: *width,
                        ..Stroke::default()
                    };
                    pixmap.stroke_path(&path, &paint(*color), &stroke, page_transform, None);
                }
            }
            Item::Image {
                x,
                y,
                w,
                h: ih,
                picture,
            } => {
                let (pw, ph) = ((w * s).round() as u32, (ih * s).round() as u32);
                if let Some(small) = shrunk(picture, pw.max(1), ph.max(1)) {
                    let k = Transform::from_scale(w * s / pw as f32, ih * s / ph as f32)
                        .post_translate(x * s, y * s);
                    let paint = PixmapPaint {
                        quality: FilterQuality::Bilinear,
                        ..PixmapPaint::default()
                    };
                    pixmap.draw_pixmap(0, 0, small.as_ref(), &paint, k, None);
                } else if let Some(rect) = Rect::from_xywh(*x, *y, *w, *ih) {
                    // A JPEG, which nothing here decodes: its box in grey.
                    pixmap.fill_rect(rect, &paint([200, 200, 200]), page_transform, None);
                }
            }
            Item::Text(run) => {
                let face = &glyphs.book.faces[run.face];
                let k = run.size / face.units_per_em * s;
                let color = paint(run.color);
                let mut x = run.x;
                for g in &run.glyphs {
                    if let Some(path) = glyphs.path(run.face, g.id) {
                        let t = Transform::from_row(k, 0.0, 0.0, -k, x * s, run.y * s);
                        pixmap.fill_path(path, &color, FillRule::Winding, t, None);
                    }
                    x += g.advance;
                }
            }
        }
    }
    pixmap
}

/// A PNG picture averaged down to `w` × `h` pixels (premultiplied), as a
/// printer would show a 600 dpi seal at this size; `None` for a JPEG.
fn shrunk(p: &Picture, w: u32, h: u32) -> Option<Pixmap> {
    if p.format != Format::Png || p.width == 0 || p.height == 0 {
        return None;
    }
    let ch = p.channels as usize;
    let mut out = Pixmap::new(w, h)?;
    let data = out.data_mut();
    for dy in 0..h {
        let (y0, y1) = span(dy, h, p.height);
        for dx in 0..w {
            let (x0, x1) = span(dx, w, p.width);
            let mut sum = [0u64; 4];
            for sy in y0..y1 {
                for sx in x0..x1 {
                    let i = sy as usize * p.width as usize + sx as usize;
                    let a = p.alpha.as_ref().map_or(255, |a| a[i]) as u64;
                    let px = &p.pixels[i * ch..i * ch + ch];
                    let rgb = if ch == 1 {
                        [px[0]; 3]
                    } else {
                        [px[0], px[1], px[2]]
                    };
                    for c in 0..3 {
                        sum[c] += rgb[c] as u64 * a;
                    }
                    sum[3] += a;
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u64;
            let o = (dy * w + dx) as usize * 4;
            for c in 0..3 {
                data[o + c] = ((sum[c] / 255 + n / 2) / n) as u8;
            }
            data[o + 3] = ((sum[3] + n / 2) / n) as u8;
        }
    }
    Some(out)
}

/// The source pixels `[from, to)` that destination pixel `i` of `n`
/// covers, at least one.
fn span(i: u32, n: u32, source: u32) -> (u32, u32) {
    let from = (i as u64 * source as u64 / n as u64) as u32;
    let to = ((i as u64 + 1) * source as u64).div_ceil(n as u64) as u32;
    (from.min(source - 1), to.clamp(from + 1, source))
}

/// RGB rows of an opaque pixmap.
pub fn rgb(pixmap: &Pixmap) -> Vec<u8> {
    pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

pub fn encode(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, width, height);
    e.set_color(png::ColorType::Rgb);
    e.set_depth(png::BitDepth::Eight);
    e.set_compression(png::Compression::High);
    let mut w = e.write_header().unwrap();
    w.write_image_data(rgb).unwrap();
    w.finish().unwrap();
    out
}

/// A PNG's size and RGB rows.
pub fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let f = r.next_frame(&mut buf).unwrap();
    buf.truncate(f.buffer_size());
    let rgb = match f.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&v| [v; 3]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).flat_map(|p| [p[0]; 3]).collect(),
        png::ColorType::Indexed => unreachable!("expanded"),
    };
    (f.width, f.height, rgb)
}

/// Where failed pages are written: the actual page and a diff beside it.
fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("raster")
}

/// Compares the pages of document `stem` with
/// `tests/references/raster/STEM-pNN.png`, or writes them there with
/// `BLESS=1`. On a difference the actual page and a diff (changed pixels
/// in red over the faded reference) are written under the target's tmp
/// folder and named in the panic.
pub fn assert_pages(stem: &str, pages: &[Page], book: &FontBook) {
    let dir = Path::new("tests/references/raster");
    let name = |n: usize| format!("{stem}-p{n:02}.png");
    let mut glyphs = Glyphs::new(book);
    let drawn: Vec<Pixmap> = pages.iter().map(|p| draw(p, &mut glyphs)).collect();
    let stale = |from: usize| {
        (from..)
            .map(|n| dir.join(name(n)))
            .take_while(|p| p.exists())
            .collect::<Vec<_>>()
    };
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(dir).unwrap();
        for (i, p) in drawn.iter().enumerate() {
            let png = encode(p.width(), p.height(), &rgb(p));
            std::fs::write(dir.join(name(i + 1)), png).unwrap();
        }
        for old in stale(drawn.len() + 1) {
            std::fs::remove_file(old).unwrap();
        }
        return;
    }
    let mut problems = Vec::new();
    let extra = stale(drawn.len() + 1);
    if !extra.is_empty() {
        problems.push(format!(
            "{} pages, but references up to {} exist",
            drawn.len(),
            extra.last().unwrap().display()
        ));
    }
    for (i, p) in drawn.iter().enumerate() {
        let reference = dir.join(name(i + 1));
        let Ok(bytes) = std::fs::read(&reference) else {
            problems.push(format!("no reference {}", reference.display()));
            continue;
        };
        let (rw, rh, want) = decode(&bytes);
        let got = rgb(p);
        let changed = if (rw, rh) != (p.width(), p.height()) {
            None
        } else {
            changed_box(&want, &got, rw)
        };
        if (rw, rh) == (p.width(), p.height()) && changed.is_none() {
            continue;
        }
        std::fs::create_dir_all(scratch()).unwrap();
        let actual = scratch().join(name(i + 1));
        std::fs::write(&actual, encode(p.width(), p.height(), &got)).unwrap();
        let what = match changed {
            Some((n, [x0, y0, x1, y1])) => {
                let diff = actual.with_extension("diff.png");
                std::fs::write(&diff, encode(rw, rh, &diff_image(&want, &got))).unwrap();
                format!(
                    "{n} pixels differ within x {x0}..={x1}, y {y0}..={y1} (pixels at {DPI} dpi); diff {}",
                    diff.display()
                )
            }
            None => format!("{}×{} vs {rw}×{rh} pixels", p.width(), p.height()),
        };
        problems.push(format!(
            "{} differs: {what}; actual {}",
            reference.display(),
            actual.display()
        ));
    }
    assert!(
        problems.is_empty(),
        "pages of {stem} differ from their references (BLESS=1 cargo test to accept):\n  {}",
        problems.join("\n  ")
    );
}

/// How many pixels differ by more than [`TOLERANCE`] and the box around
/// them, if any do.
pub fn changed_box(want: &[u8], got: &[u8], width: u32) -> Option<(usize, [u32; 4])> {
    let mut n = 0;
    let mut b = [u32::MAX, u32::MAX, 0, 0];
    for (i, (a, g)) in want.chunks_exact(3).zip(got.chunks_exact(3)).enumerate() {
        if a.iter().zip(g).any(|(a, g)| a.abs_diff(*g) > TOLERANCE) {
            let (x, y) = (i as u32 % width, i as u32 / width);
            n += 1;
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    }
    (n > 0).then_some((n, b))
}

/// The reference faded, each changed pixel red.
fn diff_image(want: &[u8], got: &[u8]) -> Vec<u8> {
    want.chunks_exact(3)
        .zip(got.chunks_exact(3))
        .flat_map(|(a, g)| {
            if a.iter().zip(g).any(|(a, g)| a.abs_diff(*g) > TOLERANCE) {
                [255, 0, 0]
            } else {
                [a[0], a[1], a[2]].map(|v| 255 - (255 - v) / 4)
            }
        })
        .collect()
}
