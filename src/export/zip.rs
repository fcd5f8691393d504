//! A minimal deterministic ZIP writer for OOXML packages (deflated entries,
//! a fixed timestamp, entries in the order given) and the reader `import`
//! opens Word files with.

/// 1980-01-01 00:00:00, the earliest DOS date: no clock in the output.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

pub fn write(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let prepared: Vec<(&str, Entry)> = entries
        .iter()
        .map(|(n, d)| (*n, Entry::Plain(d.as_slice())))
        .collect();
    write_entries(&prepared, |out, data| {
        crate::deflate::raw_onto(out, data, crate::deflate::TEXT)
    })
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

/// `deflate`: appends an entry's deflated data to the bytes given.
pub fn write_entries(entries: &[(&str, Entry)], deflate: fn(Vec<u8>, &[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, entry) in entries {
        let (packed, crc, len): (std::borrow::Cow<[u8]>, u32, usize) = match entry {
            Entry::Plain(data) => {
                let packed = deflate(Vec::new(), data);
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

/// Largest entry inflated when reading: a Word document's XML is a few
/// megabytes at most, and a ZIP bomb stops here.
const MAX_ENTRY: u64 = 64 * 1024 * 1024;

/// Reads the entry `name` of a ZIP archive (a DOCX package) through its
/// central directory; `Ok(None)` when there is no such entry.
pub fn read_entry(bytes: &[u8], name: &str) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let u16_at = |i: usize| -> Result<usize, String> {
        bytes
            .get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| "压缩包不完整".to_string())
    };
    let u32_at = |i: usize| -> Result<usize, String> {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| "压缩包不完整".to_string())
    };
    // The end record is in the last 64 KiB (its comment is at most that).
    let from = bytes.len().saturating_sub(22 + 65_535);
    let end = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or("不是完整的压缩包（找不到目录），文件可能已损坏或只下载了一部分")?;
    let (count, mut at) = (u16_at(end + 10)?, u32_at(end + 16)?);
    for _ in 0..count {
        if u32_at(at)? != 0x0201_4b50 {
            return Err("压缩包的目录已损坏".into());
        }
        let (method, packed) = (u16_at(at + 10)?, u32_at(at + 20)?);
        let (name_len, extra, comment) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let local = u32_at(at + 42)?;
        let entry = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or("压缩包的目录已损坏")?;
        at += 46 + name_len + extra + comment;
        if entry != name.as_bytes() {
            continue;
        }
        if u32_at(local)? != 0x0403_4b50 {
            return Err(format!("压缩包中的 {name} 已损坏"));
        }
        let start = local + 30 + u16_at(local + 26)? + u16_at(local + 28)?;
        let data = bytes
            .get(start..start + packed)
            .ok_or_else(|| format!("压缩包中的 {name} 不完整"))?;
        let mut out = Vec::new();
        match method {
            0 => out.extend_from_slice(data),
            8 => {
                flate2::read::DeflateDecoder::new(data)
                    .take(MAX_ENTRY + 1)
                    .read_to_end(&mut out)
                    .map_err(|_| format!("压缩包中的 {name} 无法解压，文件可能已损坏"))?;
            }
            m => return Err(format!("压缩包中的 {name} 用了不支持的压缩方法（{m}）")),
        }
        if out.len() as u64 > MAX_ENTRY {
            return Err(format!("压缩包中的 {name} 解压后过大"));
        }
        return Ok(Some(out));
    }
    Ok(None)
}
