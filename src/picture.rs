//! Pictures a document shows (the 印章): PNG, with its transparency, JPEG
//! and SVG. Read once when the document is resolved, so a broken file is
//! reported against the data that named it; both writers take them from
//! here — the DOCX the file's own bytes, the PDF the decoded pixels (PNG)
//! or the file itself (JPEG, which PDF reads as it is). An SVG is drawn
//! (by resvg, without fonts or external files) at 600 dpi of the size it
//! is shown at and is a PNG from then on.

use std::fmt;

/// Largest picture accepted, in pixels; a seal needs far fewer.
const MAX_PIXELS: u64 = 25_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
        }
    }
}

#[derive(Clone, PartialEq)]
pub struct Picture {
    pub format: Format,
    /// The file as read.
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Colour channels of `pixels` (1 gray, 3 RGB), or of the JPEG.
    pub channels: u8,
    /// 8-bit samples, row by row, without alpha (PNG only).
    pub pixels: Vec<u8>,
    /// One 8-bit alpha sample per pixel, when the PNG is not opaque.
    pub alpha: Option<Vec<u8>>,
}

impl fmt::Debug for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Picture {
    /// Reads a PNG, JPEG or SVG to be shown `width` points wide; the error
    /// says in Chinese what is wrong with it.
    pub fn read(bytes: Vec<u8>, width: f32) -> Result<Picture, String> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png_picture(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            jpeg_picture(bytes)
        } else if is_svg(&bytes) {
            svg_picture(&bytes, width)
        } else {
            Err("不是 PNG、JPEG 或 SVG 图片".into())
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} {}×{}{}",
            self.format.extension().to_uppercase(),
            self.width,
            self.height,
            if self.alpha.is_some() {
                "，透明背景"
            } else {
                ""
            }
        )
    }
}

fn png_picture(bytes: Vec<u8>) -> Result<Picture, String> {
    let broken = |e: png::DecodingError| format!("PNG 图片已损坏或无法读取（{e}）");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(broken)?;
    let (w, h) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("图片尺寸 {w}×{h} 像素不合适（最多 2500 万像素）"));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "PNG 图片过大".to_string())?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(broken)?;
    buf.truncate(frame.buffer_size());
    let (channels, has_alpha) = match frame.color_type {
        png::ColorType::Grayscale => (1, false),
        png::ColorType::GrayscaleAlpha => (1, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (3, true),
        png::ColorType::Indexed => return Err("PNG 调色板图片无法展开".into()),
    };
    let (pixels, alpha) = if has_alpha {
        let step = channels + 1;
        let mut pixels = Vec::with_capacity(buf.len() / step * channels);
        let mut alpha = Vec::with_capacity(buf.len() / step);
        for px in buf.chunks_exact(step) {
            pixels.extend_from_slice(&px[..channels]);
            alpha.push(px[channels]);
        }
        let opaque = alpha.iter().all(|&a| a == 255);
        (pixels, (!opaque).then_some(alpha))
    } else {
        (buf, None)
    };
    Ok(Picture {
        format: Format::Png,
        bytes,
        width: w,
        height: h,
        channels: channels as u8,
        pixels,
        alpha,
    })
}

/// Whether the file starts like an SVG document (after a BOM, blanks, an
/// XML declaration or comments).
fn is_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<svg")
        || (head.starts_with("<?xml") || head.starts_with("<!")) && head.contains("<svg")
}

/// Most elements an SVG may have: a seal has a few hundred.
const MAX_SVG_ELEMENTS: usize = 20_000;

/// Pixels a shown inch gets when an SVG is drawn.
const SVG_DPI: f32 = 600.0;

fn svg_picture(bytes: &[u8], width: f32) -> Result<Picture, String> {
    let source =
        std::str::from_utf8(bytes).map_err(|_| "SVG 图片不是 UTF-8 编码的文本".to_string())?;
    check_svg_elements(source)?;
    let tree = resvg::usvg::Tree::from_data(bytes, &resvg::usvg::Options::default())
        .map_err(|e| format!("SVG 图片无法读取（{e}）"))?;
    let size = tree.size();
    let w = (width / 72.0 * SVG_DPI).round().clamp(16.0, 4000.0);
    let scale = w / size.width();
    let h = (size.height() * scale).round();
    if !(1.0..=8000.0).contains(&h) {
        return Err(format!(
            "SVG 图片的宽高比不合适（{:.0}×{:.0}）",
            size.width(),
            size.height()
        ));
    }
    let mut budget = Budget {
        composited: MAX_COMPOSITED_PIXELS,
        painted: MAX_PAINTED_PIXELS,
        dashes: MAX_DASHES,
    };
    check_groups(tree.root(), 0, scale, &mut budget)?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w as u32, h as u32)
        .ok_or_else(|| "SVG 图片尺寸不合适".to_string())?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| format!("SVG 图片无法转换（{e}）"))?;
    png_picture(png)
}

/// Deepest nesting of groups drawn; a seal has a handful.
const MAX_GROUP_DEPTH: usize = 32;

/// Pixels the layers of semi-transparent, masked or clipped groups may
/// add up to: each is drawn apart and composited, so 150 nested ones take
/// half a minute, while a seal has a few.
const MAX_COMPOSITED_PIXELS: f64 = 40_000_000.0;

/// Pixels the shapes may cover together (each shape's bounding box): a
/// second or two of drawing at most.
const MAX_PAINTED_PIXELS: f64 = 1_000_000_000.0;

/// Dashes the dashed strokes may have together: a dash pattern of a tenth
/// of a unit round thousands of circles draws for minutes.
const MAX_DASHES: f64 = 1_000_000.0;

/// Widest or tallest a shape may be, in pixels drawn (a seal is some
/// thousand).
const MAX_SHAPE_PIXELS: f64 = 100_000.0;

/// What is left of each bound while the tree is walked.
struct Budget {
    composited: f64,
    painted: f64,
    dashes: f64,
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Elements are told by their namespace, not their prefix: `<s:text>`
/// with `xmlns:s` the SVG namespace is text all the same.
fn check_svg_elements(source: &str) -> Result<(), String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(source, options)
        .map_err(|e| format!("SVG 图片无法读取（{e}）"))?;
    let mut count = 0;
    for node in doc.descendants().filter(|n| n.is_element()) {
        count += 1;
        if count > MAX_SVG_ELEMENTS {
            return Err(format!(
                "SVG 图片过于复杂（超过 {MAX_SVG_ELEMENTS} 个元素）；请简化或导出为 PNG"
            ));
        }
        let name = node.tag_name();
        if name.namespace() != Some(SVG_NS) {
            continue;
        }
        match name.name() {
            // Drawn without fonts: text would silently vanish from the seal.
            "text" => return Err(
                "SVG 中有文字（<text>）：请在制作软件中把文字转为路径（曲线）后再导出，或导出为 PNG"
                    .into(),
            ),
            // Filters cost seconds each at print resolution, and a seal has none.
            "filter" => return Err(
                "SVG 中有滤镜效果（<filter>），印章图片不应使用；请去掉滤镜或导出为 PNG".into(),
            ),
            _ => {}
        }
    }
    Ok(())
}

/// What the drawing will cost, on the tree resvg draws: filters however
/// given (an element or a CSS `filter:` function), the depth of groups,
/// the pixels of the layers composited; pictures inside it count too.
fn check_groups(
    group: &resvg::usvg::Group,
    depth: usize,
    scale: f32,
    budget: &mut Budget,
) -> Result<(), String> {
    use resvg::usvg::{ImageKind, Node, Paint};
    if depth > MAX_GROUP_DEPTH {
        return Err(format!(
            "SVG 图片的编组嵌套超过 {MAX_GROUP_DEPTH} 层；请简化或导出为 PNG"
        ));
    }
    if !group.filters().is_empty() {
        return Err("SVG 中有滤镜效果（filter），印章图片不应使用；请去掉滤镜或导出为 PNG".into());
    }
    if group.should_isolate() {
        let r = group.abs_layer_bounding_box();
        let area = f64::from(r.width() * scale) * f64::from(r.height() * scale);
        budget.composited -= area.max(1.0);
        if budget.composited < 0.0 {
            return Err(
                "SVG 图片中半透明、蒙版或裁剪的编组过多，合成的像素超过上限；请简化或导出为 PNG"
                    .into(),
            );
        }
    }
    if let Some(mask) = group.mask() {
        check_groups(mask.root(), depth + 1, scale, budget)?;
    }
    if let Some(clip) = group.clip_path() {
        check_groups(clip.root(), depth + 1, scale, budget)?;
    }
    for node in group.children() {
        match node {
            Node::Group(g) => check_groups(g, depth + 1, scale, budget)?,
            Node::Image(image) => {
                if let ImageKind::SVG(tree) = image.kind() {
                    check_groups(tree.root(), depth + 1, scale, budget)?;
                }
            }
            Node::Path(path) => {
                let r = path.abs_stroke_bounding_box();
                let (w, h) = (f64::from(r.width() * scale), f64::from(r.height() * scale));
                // Coordinates far past the picture overflow the drawing
                // library's arithmetic.
                if w.max(h) > MAX_SHAPE_PIXELS {
                    return Err(
                        "SVG 图片中有远超画面的图形（坐标或线宽过大）；请简化或导出为 PNG".into(),
                    );
                }
                let area = w * h;
                let strokes = usize::from(path.fill().is_some()) + usize::from(path.stroke().is_some());
                budget.painted -= area.max(1.0) * strokes as f64;
                if budget.painted < 0.0 {
                    return Err(
                        "SVG 图片要画的图形过多、过大，超过上限；请简化或导出为 PNG".into(),
                    );
                }
                if let Some(dashes) = path.stroke().and_then(|s| s.dasharray()) {
                    let period: f32 = dashes.iter().sum();
                    let b = path.data().bounds();
                    let around = 2.0 * (b.width() + b.height());
                    budget.dashes -= f64::from(around / period.max(1e-6)).max(1.0);
                    if budget.dashes < 0.0 {
                        return Err(
                            "SVG 图片中的虚线过密，画出来要很久；请简化或导出为 PNG".into(),
                        );
                    }
                }
                let paints = [
                    path.fill().map(|f| f.paint()),
                    path.stroke().map(|s| s.paint()),
                ];
                for paint in paints.into_iter().flatten() {
                    if let Paint::Pattern(p) = paint {
                        check_groups(p.root(), depth + 1, scale, budget)?;
                    }
                }
            }
            Node::Text(_) => {
                return Err(
                    "SVG 中有文字（<text>）：请在制作软件中把文字转为路径（曲线）后再导出，或导出为 PNG"
                        .into(),
                )
            }
        }
    }
    Ok(())
}

/// Size and colour channels from the JPEG's frame header; the pixels are
/// left to the reader of the PDF or DOCX.
fn jpeg_picture(bytes: Vec<u8>) -> Result<Picture, String> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            break;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            let seg = bytes.get(i + 4..i + 2 + len).ok_or("JPEG 图片不完整")?;
            if seg.len() < 6 {
                break;
            }
            let h = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let w = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let channels = seg[5];
            if !matches!(channels, 1 | 3) {
                return Err("JPEG 图片是 CMYK 颜色，请另存为 RGB 的 JPEG 或 PNG".into());
            }
            if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS {
                return Err(format!("图片尺寸 {w}×{h} 像素不合适（最多 2500 万像素）"));
            }
            return Ok(Picture {
                format: Format::Jpeg,
                bytes,
                width: w,
                height: h,
                channels,
                pixels: Vec::new(),
                alpha: None,
            });
        }
        i += 2 + len;
    }
    Err("JPEG 图片已损坏（找不到图像尺寸）".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×1 RGBA PNG: one opaque red pixel, one transparent.
    fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = png::Encoder::new(&mut out, 2, 1);
            e.set_color(png::ColorType::Rgba);
            e.set_depth(png::BitDepth::Eight);
            let mut w = e.write_header().unwrap();
            w.write_image_data(&[255, 0, 0, 255, 0, 0, 0, 0]).unwrap();
        }
        out
    }

    #[test]
    fn png_keeps_its_transparency() {
        let p = Picture::read(tiny_png(), 100.0).unwrap();
        assert_eq!((p.width, p.height, p.channels), (2, 1, 3));
        assert_eq!(p.pixels, vec![255, 0, 0, 0, 0, 0]);
        assert_eq!(p.alpha, Some(vec![255, 0]));
    }

    #[test]
    fn other_files_are_refused_in_chinese() {
        assert_eq!(
            Picture::read(b"hello".to_vec(), 100.0).unwrap_err(),
            "不是 PNG、JPEG 或 SVG 图片"
        );
        let mut cut = tiny_png();
        cut.truncate(40);
        assert!(Picture::read(cut, 100.0)
            .unwrap_err()
            .starts_with("PNG 图片已损坏"));
        assert!(Picture::read(b"<svg".to_vec(), 100.0)
            .unwrap_err()
            .starts_with("SVG 图片无法读取"));
        let text = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>seal</text></svg>"#;
        assert!(Picture::read(text.to_vec(), 100.0)
            .unwrap_err()
            .contains("转为路径"));
        let blur = br#"<svg xmlns="http://www.w3.org/2000/svg"><filter id="f"/></svg>"#;
        assert!(Picture::read(blur.to_vec(), 100.0)
            .unwrap_err()
            .contains("滤镜"));
        // A PNG header claiming 100000 × 100000 pixels is refused before
        // anything is allocated for it.
        let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        huge.extend(13u32.to_be_bytes());
        huge.extend(&ihdr);
        huge.extend(crc32fast::hash(&ihdr).to_be_bytes());
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            huge.extend(0u32.to_be_bytes());
            huge.extend(chunk);
            huge.extend(crc32fast::hash(chunk).to_be_bytes());
        }
        let e = Picture::read(huge, 100.0).unwrap_err();
        assert!(e.contains("100000×100000"), "{e}");
    }

    #[test]
    fn svg_is_drawn_at_600_dpi_with_its_transparency() {
        let svg = br##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
<circle cx="50" cy="50" r="45" fill="none" stroke="#E60012" stroke-width="6"/></svg>"##;
        // 72 pt, an inch: 600 pixels.
        let p = Picture::read(svg.to_vec(), 72.0).unwrap();
        assert_eq!(
            (p.format, p.width, p.height, p.channels),
            (Format::Png, 600, 600, 3)
        );
        let alpha = p.alpha.as_ref().expect("transparent outside the ring");
        let at = |x: usize, y: usize| alpha[y * 600 + x];
        assert_eq!(at(300, 300), 0, "the centre is clear");
        assert_eq!(at(300, 30), 255, "the ring is drawn");
        assert_eq!(&p.pixels[(30 * 600 + 300) * 3..][..3], &[0xE6, 0x00, 0x12]);
    }

    #[test]
    fn jpeg_size_from_its_frame_header() {
        // SOI, SOF0 (8 bit, 3×2, 3 components), EOI.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0, 2, 0, 3, 3];
        j.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xFF, 0xD9]);
        let p = Picture::read(j, 100.0).unwrap();
        assert_eq!(
            (p.format, p.width, p.height, p.channels),
            (Format::Jpeg, 3, 2, 3)
        );
    }
}
