//! A minimal deterministic ZIP writer for OOXML packages: deflated entries,
//! a fixed timestamp, entries in the order given.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;

/// 1980-01-01 00:00:00, the earliest DOS date: no clock in the output.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

pub fn write(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let prepared: Vec<(&str, Entry)> = entries
        .iter()
        .map(|(n, d)| (*n, Entry::Plain(d.as_slice())))
        .collect();
    write_entries(&prepared, Compression::default())
}

/// An entry's content: to be deflated here, or deflated already (a zlib
/// stream made for a PDF, whose raw deflate data a ZIP entry can hold as
/// it is) with the CRC and length of what it inflates to.
pub enum Entry<'a> {
    Plain(&'a [u8]),
    Zlib {
        stream: &'a [u8],
        crc: u32,
        len: usize,
    },
    /// A raw deflate stream made elsewhere.
    Deflated {
        stream: &'a [u8],
        crc: u32,
        len: usize,
    },
}

pub fn write_entries(entries: &[(&str, Entry)], level: Compression) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, entry) in entries {
        let (packed, crc, len): (std::borrow::Cow<[u8]>, u32, usize) = match entry {
            Entry::Plain(data) => {
                let mut enc = DeflateEncoder::new(Vec::new(), level);
                enc.write_all(data).expect("writing to memory");
                let packed = enc.finish().expect("writing to memory");
                (packed.into(), crc32fast::hash(data), data.len())
            }
            // Without the zlib header (2 bytes) and its Adler-32 (4).
            Entry::Zlib { stream, crc, len } => (stream[2..stream.len() - 4].into(), *crc, *len),
            Entry::Deflated { stream, crc, len } => ((*stream).into(), *crc, *len),
        };
        let offset = out.len() as u32;
        let name = name.as_bytes();
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&8u16.to_le_bytes()); // deflate
            h.extend_from_slice(&DOS_TIME.to_le_bytes());
            h.extend_from_slice(&DOS_DATE.to_le_bytes());
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            h.extend_from_slice(&(len as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
                h.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&packed);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let n = entries.len() as u16;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
