//! Pictures a document shows (the 印章): PNG, with its transparency, and
//! JPEG. Read once when the document is resolved, so a broken file is
//! reported against the data that named it; both writers take them from
//! here — the DOCX the file's own bytes, the PDF the decoded pixels (PNG)
//! or the file itself (JPEG, which PDF reads as it is).

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
    /// Reads a PNG or JPEG; the error says in Chinese what is wrong with it.
    pub fn read(bytes: Vec<u8>) -> Result<Picture, String> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png_picture(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            jpeg_picture(bytes)
        } else if bytes.starts_with(b"<svg") || bytes.starts_with(b"<?xml") {
            Err("是 SVG 文件；印章请用 PNG（可带透明背景）或 JPEG 图片".into())
        } else {
            Err("不是 PNG 或 JPEG 图片".into())
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
        let p = Picture::read(tiny_png()).unwrap();
        assert_eq!((p.width, p.height, p.channels), (2, 1, 3));
        assert_eq!(p.pixels, vec![255, 0, 0, 0, 0, 0]);
        assert_eq!(p.alpha, Some(vec![255, 0]));
    }

    #[test]
    fn other_files_are_refused_in_chinese() {
        assert_eq!(
            Picture::read(b"hello".to_vec()).unwrap_err(),
            "不是 PNG 或 JPEG 图片"
        );
        let mut cut = tiny_png();
        cut.truncate(40);
        assert!(Picture::read(cut)
            .unwrap_err()
            .starts_with("PNG 图片已损坏"));
        assert!(Picture::read(b"<svg/>".to_vec())
            .unwrap_err()
            .contains("SVG"));
    }

    #[test]
    fn jpeg_size_from_its_frame_header() {
        // SOI, SOF0 (8 bit, 3×2, 3 components), EOI.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0, 2, 0, 3, 3];
        j.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xFF, 0xD9]);
        let p = Picture::read(j).unwrap();
        assert_eq!(
            (p.format, p.width, p.height, p.channels),
            (Format::Jpeg, 3, 2, 3)
        );
    }
}
