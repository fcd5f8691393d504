//! Deflate for every stream the writers compress, one compressor per
//! thread and level, kept for the next stream: setting one up allocates
//! and clears tables of half a megabyte, and a report makes some thirty
//! streams (page contents, font programs, ToUnicode maps, the DOCX's
//! parts).
//!
//! Native builds deflate with libdeflate (C, `libdeflater`): whole
//! buffers at once, for 2.5 times fewer instructions than zlib-rs on the
//! seed's font programs and smaller output at the same level. The browser
//! build, which has no C compiler for its target, keeps zlib-rs
//! (`flate2`), which also makes what libdeflate cannot: a run flushed to a
//! byte boundary, and the fastest level's static codes.

use std::cell::RefCell;

use flate2::FlushCompress;

/// Level of the text streams (page contents, maps, XML).
pub const TEXT: u32 = 6;

/// Level of the font programs. Charstrings hardly compress (the seed's
/// 308 KB of programs deflate to 250 KB at any level from 2 up) and the
/// match search costs about as much per byte whether it finds much or
/// not: libdeflate's level 1 is within 0.5% of zlib-rs's level 6 for a
/// third of its instructions; zlib-rs's level 1 would add 18%, its level 2
/// is as small as libdeflate's 1.
#[cfg(not(target_arch = "wasm32"))]
pub const FONT: u32 = 1;
#[cfg(target_arch = "wasm32")]
pub const FONT: u32 = 2;

/// The streams' formats: zlib (a PDF stream's `FlateDecode`) or raw
/// deflate (a ZIP entry).
#[derive(Clone, Copy, PartialEq)]
enum Wrap {
    Zlib,
    Raw,
}

/// A zlib stream (a PDF stream's `FlateDecode`).
pub fn zlib(data: &[u8], level: u32) -> Vec<u8> {
    compress(Vec::new(), data, level, Wrap::Zlib)
}

/// A raw deflate stream (a ZIP entry), appended to `out`.
pub fn raw_onto(out: Vec<u8>, data: &[u8], level: u32) -> Vec<u8> {
    compress(out, data, level, Wrap::Raw)
}

/// A raw deflate stream at zlib-rs's fastest level (static codes, one
/// probe), appended to `out`: the OFD's page XML, 425 KB for the seed,
/// in half the instructions of libdeflate's level 1 and a quarter larger.
pub fn raw_fastest_onto(out: Vec<u8>, data: &[u8]) -> Vec<u8> {
    ZLIB_RS
        .with(|all| zlib_rs::compress(&mut all.borrow_mut(), out, data, 1, FlushCompress::Finish))
}

/// Raw deflate data at zlib-rs's fastest level, not final, flushed to a
/// byte boundary: another stream's blocks can follow it.
pub fn raw_flushed(data: &[u8]) -> Vec<u8> {
    ZLIB_RS.with(|all| {
        zlib_rs::compress(
            &mut all.borrow_mut(),
            Vec::new(),
            data,
            1,
            FlushCompress::Sync,
        )
    })
}

thread_local! {
    #[cfg(not(target_arch = "wasm32"))]
    static LIBDEFLATE: RefCell<libdeflate::Compressors> = const { RefCell::new(Vec::new()) };
    static ZLIB_RS: RefCell<zlib_rs::Compressors> = const { RefCell::new(Vec::new()) };
}

#[cfg(not(target_arch = "wasm32"))]
fn compress(out: Vec<u8>, data: &[u8], level: u32, wrap: Wrap) -> Vec<u8> {
    LIBDEFLATE.with(|all| libdeflate::compress(&mut all.borrow_mut(), out, data, level, wrap))
}

#[cfg(target_arch = "wasm32")]
fn compress(out: Vec<u8>, data: &[u8], level: u32, wrap: Wrap) -> Vec<u8> {
    let flush = FlushCompress::Finish;
    ZLIB_RS.with(|all| {
        let all = &mut all.borrow_mut();
        match wrap {
            Wrap::Zlib => zlib_rs::compress_zlib(all, out, data, level),
            Wrap::Raw => zlib_rs::compress(all, out, data, level, flush),
        }
    })
}

#[cfg(not(target_arch = "wasm32"))]
mod libdeflate {
    use libdeflater::{CompressionLvl, Compressor};

    pub(super) type Compressors = Vec<(u32, Compressor)>;

    pub(super) fn compress(
        all: &mut Compressors,
        mut out: Vec<u8>,
        data: &[u8],
        level: u32,
        wrap: super::Wrap,
    ) -> Vec<u8> {
        let k = match all.iter().position(|(l, _)| *l == level) {
            Some(k) => k,
            None => {
                let lvl = CompressionLvl::new(level.clamp(1, 12) as i32)
                    .unwrap_or_else(|_| CompressionLvl::default());
                all.push((level, Compressor::new(lvl)));
                all.len() - 1
            }
        };
        let c = &mut all[k].1;
        let start = out.len();
        let n = match wrap {
            super::Wrap::Zlib => {
                out.resize(start + c.zlib_compress_bound(data.len()), 0);
                c.zlib_compress(data, &mut out[start..])
            }
            super::Wrap::Raw => {
                out.resize(start + c.deflate_compress_bound(data.len()), 0);
                c.deflate_compress(data, &mut out[start..])
            }
        };
        // The bound is libdeflate's own worst case: it always fits.
        out.truncate(start + n.expect("room for the worst case"));
        out
    }
}

mod zlib_rs {
    use flate2::{Compress, Compression, FlushCompress, Status};

    /// (level, zlib header, compressor).
    pub(super) type Compressors = Vec<(u32, bool, Compress)>;

    fn compressor(all: &mut Compressors, level: u32, zlib: bool) -> &mut Compress {
        let k = match all.iter().position(|(l, z, _)| *l == level && *z == zlib) {
            Some(k) => k,
            None => {
                all.push((level, zlib, Compress::new(Compression::new(level), zlib)));
                all.len() - 1
            }
        };
        let c = &mut all[k].2;
        if c.total_in() != 0 || c.total_out() != 0 {
            c.reset();
        }
        c
    }

    /// Raw deflate of all of `input` onto `out`: the whole stream for
    /// `Finish`, a run flushed to a byte boundary for `Sync`.
    pub(super) fn compress(
        all: &mut Compressors,
        out: Vec<u8>,
        input: &[u8],
        level: u32,
        flush: FlushCompress,
    ) -> Vec<u8> {
        run(compressor(all, level, false), out, input, flush)
    }

    #[cfg(target_arch = "wasm32")]
    pub(super) fn compress_zlib(
        all: &mut Compressors,
        out: Vec<u8>,
        input: &[u8],
        level: u32,
    ) -> Vec<u8> {
        run(
            compressor(all, level, true),
            out,
            input,
            FlushCompress::Finish,
        )
    }

    fn run(c: &mut Compress, mut out: Vec<u8>, mut input: &[u8], flush: FlushCompress) -> Vec<u8> {
        // At worst stored blocks, 5 bytes each 16 KB, plus header and trailer.
        out.reserve(input.len() + input.len() / 1024 + 64);
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(256));
            }
            let before = c.total_in();
            let status = c
                .compress_vec(input, &mut out, flush)
                .expect("deflating in memory");
            input = &input[(c.total_in() - before) as usize..];
            let done = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                // Flushed once everything is in and the output did not fill up.
                _ => input.is_empty() && out.len() < out.capacity(),
            };
            if done {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate_zlib(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(z)
            .read_to_end(&mut out)
            .expect("valid zlib");
        out
    }

    /// Streams one after the other on the same compressor come out whole
    /// and independent, whatever their size.
    #[test]
    fn reused_compressors_make_whole_streams() {
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let text = "第一条　为了保障公民依法获取政府信息。"
            .repeat(200)
            .into_bytes();
        for data in [&big[..], &text, b"", &big[..1000], &text] {
            for level in [FONT, TEXT, 1] {
                assert_eq!(inflate_zlib(&zlib(data, level)), data);
                let mut flushed = raw_flushed(data);
                flushed.extend(raw_onto(Vec::new(), b"and after", level));
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(&flushed[..])
                    .read_to_end(&mut out)
                    .expect("a flushed run and a stream after it");
                assert_eq!(out, [data, b"and after"].concat());
                let fastest = raw_fastest_onto(b"head".to_vec(), data);
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(&fastest[4..])
                    .read_to_end(&mut out)
                    .expect("valid deflate");
                assert_eq!(out, data);
                let raw = raw_onto(b"head".to_vec(), data, level);
                assert_eq!(&raw[..4], b"head");
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(&raw[4..])
                    .read_to_end(&mut out)
                    .expect("valid deflate");
                assert_eq!(out, data);
            }
        }
    }
}
