//! Subsets of CID-keyed CFF fonts that use no subroutines, such as the
//! Fandol faces, by copying the charstrings of the glyphs used.
//!
//! A general subsetter decompiles every charstring to find the subroutines
//! it calls; with none to find, that was two fifths of the work of a whole
//! render. Any other CFF font returns `None` and goes to the general one.
//!
//! Layout written (CFF spec, Adobe TN 5176): header, Name INDEX and String
//! INDEX copied, the Top DICT copied without its offsets plus new ones, an
//! empty Global Subr INDEX, charset and FDSelect for the identity mapping,
//! the CharStrings INDEX, a one-entry Font DICT INDEX and its Private DICT.

/// One INDEX, read where it lies: an item's bytes are found from its two
/// offsets when asked for, so a subset of a few hundred glyphs reads a few
/// hundred of a face's 27,000 CharStrings offsets.
struct Index<'a> {
    data: &'a [u8],
    count: usize,
    off_size: usize,
    offsets_at: usize,
    /// Where item data starts, less one (offsets count from 1).
    base: usize,
    /// Bytes the INDEX occupies.
    len: usize,
}

impl<'a> Index<'a> {
    fn offset(&self, i: usize) -> Option<usize> {
        let at = self.offsets_at + i * self.off_size;
        let bytes = self.data.get(at..at + self.off_size)?;
        Some(bytes.iter().fold(0usize, |v, &b| v << 8 | b as usize))
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.count {
            return None;
        }
        let (from, to) = (self.offset(i)?, self.offset(i + 1)?);
        self.data.get(self.base + from..self.base + to)
    }

    /// Every item, for the small INDEXes copied whole.
    fn items(&self) -> Option<Vec<&'a [u8]>> {
        (0..self.count).map(|i| self.get(i)).collect()
    }
}

fn index(data: &[u8], at: usize) -> Option<Index<'_>> {
    let count = u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]) as usize;
    if count == 0 {
        return Some(Index {
            data,
            count,
            off_size: 1,
            offsets_at: at + 2,
            base: at + 1,
            len: 2,
        });
    }
    let off_size = *data.get(at + 2)? as usize;
    if !(1..=4).contains(&off_size) {
        return None;
    }
    let offsets_at = at + 3;
    let mut index = Index {
        data,
        count,
        off_size,
        offsets_at,
        base: offsets_at + (count + 1) * off_size - 1,
        len: 0,
    };
    let last = index.offset(count)?;
    index.len = (index.base + last).checked_sub(at)?;
    data.get(index.base + index.offset(0)?..index.base + last)?;
    Some(index)
}

fn write_index(out: &mut Vec<u8>, items: &[&[u8]]) {
    out.extend((items.len() as u16).to_be_bytes());
    if items.is_empty() {
        return;
    }
    let off_size = off_size(items);
    out.push(off_size as u8);
    let mut offset = 1usize;
    let put = |out: &mut Vec<u8>, v: usize| out.extend(&(v as u64).to_be_bytes()[8 - off_size..]);
    put(out, offset);
    for item in items {
        offset += item.len();
        put(out, offset);
    }
    for item in items {
        out.extend_from_slice(item);
    }
}

/// Bytes per offset: the fewest that hold the last offset.
fn off_size(items: &[&[u8]]) -> usize {
    match items.iter().map(|i| i.len()).sum::<usize>() + 1 {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFF_FFFF => 3,
        _ => 4,
    }
}

fn index_len(items: &[&[u8]]) -> usize {
    if items.is_empty() {
        return 2;
    }
    let data: usize = items.iter().map(|i| i.len()).sum();
    3 + (items.len() + 1) * off_size(items) + data
}

/// A DICT as (operator, bytes of operands and operator) pairs; two-byte
/// operators are 1200 + their second byte.
fn dict_ops(data: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut ops = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < data.len() {
        let b = data[i];
        match b {
            0..=21 => {
                let op = if b == 12 {
                    i += 1;
                    1200 + *data.get(i)? as u16
                } else {
                    b as u16
                };
                i += 1;
                ops.push((op, &data[start..i]));
                start = i;
            }
            28 => i += 3,
            29 => i += 5,
            30 => {
                i += 1;
                while i < data.len() && data[i] & 0x0F != 0x0F && data[i] >> 4 != 0x0F {
                    i += 1;
                }
                i += 1;
            }
            32..=246 => i += 1,
            247..=254 => i += 2,
            _ => return None,
        }
    }
    (start == data.len()).then_some(ops)
}

fn find<'a>(ops: &[(u16, &'a [u8])], code: u16) -> Option<&'a [u8]> {
    ops.iter().find(|(o, _)| *o == code).map(|(_, b)| *b)
}

/// The integer operand of a one-operand entry.
fn int_operand(entry: &[u8]) -> Option<usize> {
    let v = match entry[0] {
        b @ 32..=246 => b as i64 - 139,
        b @ 247..=250 => (b as i64 - 247) * 256 + *entry.get(1)? as i64 + 108,
        b @ 251..=254 => -(b as i64 - 251) * 256 - *entry.get(1)? as i64 - 108,
        28 => i16::from_be_bytes([*entry.get(1)?, *entry.get(2)?]) as i64,
        29 => i32::from_be_bytes(entry.get(1..5)?.try_into().ok()?) as i64,
        _ => return None,
    };
    usize::try_from(v).ok()
}

/// The two integer operands of the Private entry: size and offset.
fn private_range(entry: &[u8]) -> Option<(usize, usize)> {
    let first_len = match entry[0] {
        32..=246 => 1,
        247..=254 => 2,
        28 => 3,
        29 => 5,
        _ => return None,
    };
    Some((int_operand(entry)?, int_operand(&entry[first_len..])?))
}

fn int5(out: &mut Vec<u8>, v: usize) {
    out.push(29);
    out.extend((v as i32).to_be_bytes());
}

fn op(out: &mut Vec<u8>, op: u16) {
    if op >= 1200 {
        out.extend([12, (op - 1200) as u8]);
    } else {
        out.push(op as u8);
    }
}

const CHARSET: u16 = 15;
const ENCODING: u16 = 16;
const CHAR_STRINGS: u16 = 17;
const PRIVATE: u16 = 18;
const SUBRS: u16 = 19;
const ROS: u16 = 1230;
const CID_COUNT: u16 = 1234;
const FD_ARRAY: u16 = 1236;
const FD_SELECT: u16 = 1237;

/// The CFF program of `cff` with only `glyphs` (old glyph ids, in their new
/// order, `.notdef` first), or `None` if the font is not CID-keyed with a
/// single Font DICT and no subroutines.
pub fn subset_cid(cff: &[u8], glyphs: &[u16]) -> Option<Vec<u8>> {
    let header_len = *cff.get(2)? as usize;
    let names = index(cff, header_len)?;
    let tops = index(cff, header_len + names.len)?;
    let strings_at = header_len + names.len + tops.len;
    let strings = index(cff, strings_at)?;
    let gsubrs = index(cff, strings_at + strings.len)?;
    if gsubrs.count != 0 || tops.count != 1 {
        return None;
    }
    let top = dict_ops(tops.get(0)?)?;
    find(&top, ROS)?;
    let charstrings = index(cff, int_operand(find(&top, CHAR_STRINGS)?)?)?;
    let fd_array = index(cff, int_operand(find(&top, FD_ARRAY)?)?)?;
    if fd_array.count != 1 {
        return None;
    }
    let fd = dict_ops(fd_array.get(0)?)?;
    let (private_len, private_at) = private_range(find(&fd, PRIVATE)?)?;
    let private = cff.get(private_at..private_at + private_len)?;
    if find(&dict_ops(private)?, SUBRS).is_some() {
        return None;
    }
    let glyph_strings: Vec<&[u8]> = glyphs
        .iter()
        .map(|&g| charstrings.get(g as usize))
        .collect::<Option<_>>()?;
    let n = glyph_strings.len();

    // The CIDs become the new glyph ids, so the character collection is
    // Adobe-Identity-0, as the PDF's CIDSystemInfo says: two strings more.
    let mut string_items = strings.items()?;
    let adobe = 391 + string_items.len();
    string_items.extend([b"Adobe".as_slice(), b"Identity".as_slice()]);
    let mut ros = Vec::new();
    int5(&mut ros, adobe);
    int5(&mut ros, adobe + 1);
    ros.push(139); // 0
    op(&mut ros, ROS);

    // Top DICT: the original without offsets, then the new ones, each
    // offset written as a five-byte integer so its size is known up front.
    let mut top_dict: Vec<u8> = top
        .iter()
        .filter(|(o, _)| {
            ![
                CHARSET,
                ENCODING,
                CHAR_STRINGS,
                PRIVATE,
                CID_COUNT,
                FD_ARRAY,
                FD_SELECT,
            ]
            .contains(o)
        })
        .flat_map(|(o, b)| if *o == ROS { ros.as_slice() } else { b }.iter().copied())
        .collect();
    let top_fixed_len = top_dict.len() + 5 * 5 + 2 + 1 + 2 + 1 + 2;
    let charset: Vec<u8> = if n > 1 {
        let mut c = vec![2];
        c.extend(1u16.to_be_bytes());
        c.extend(((n - 2) as u16).to_be_bytes());
        c
    } else {
        vec![0]
    };
    let mut fd_select = vec![3];
    fd_select.extend(1u16.to_be_bytes());
    fd_select.extend(0u16.to_be_bytes());
    fd_select.push(0);
    fd_select.extend((n as u16).to_be_bytes());

    let names_bytes = &cff[header_len..header_len + names.len];
    let charset_at = 4
        + names_bytes.len()
        + index_len(&[&vec![0; top_fixed_len]])
        + index_len(&string_items)
        + 2;
    let fd_select_at = charset_at + charset.len();
    let charstrings_at = fd_select_at + fd_select.len();
    let fd_array_at = charstrings_at + index_len(&glyph_strings);
    let mut fd_dict: Vec<u8> = fd
        .iter()
        .filter(|(o, _)| *o != PRIVATE)
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    let fd_fixed_len = fd_dict.len() + 5 + 5 + 1;
    let private_out_at = fd_array_at + index_len(&[&vec![0; fd_fixed_len]]);
    int5(&mut fd_dict, private.len());
    int5(&mut fd_dict, private_out_at);
    op(&mut fd_dict, PRIVATE);

    for (value, code) in [
        (n, CID_COUNT),
        (charset_at, CHARSET),
        (fd_select_at, FD_SELECT),
        (charstrings_at, CHAR_STRINGS),
        (fd_array_at, FD_ARRAY),
    ] {
        int5(&mut top_dict, value);
        op(&mut top_dict, code);
    }
    debug_assert_eq!(top_dict.len(), top_fixed_len);

    let mut out = vec![1, 0, 4, 4];
    out.extend_from_slice(names_bytes);
    write_index(&mut out, &[&top_dict]);
    write_index(&mut out, &string_items);
    write_index(&mut out, &[]);
    debug_assert_eq!(out.len(), charset_at);
    out.extend(charset);
    out.extend(fd_select);
    write_index(&mut out, &glyph_strings);
    write_index(&mut out, &[&fd_dict]);
    debug_assert_eq!(out.len(), private_out_at);
    out.extend_from_slice(private);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fang_cff() -> Vec<u8> {
        let face = crate::font::FontBook::bundled().faces[0].clone();
        assert_eq!(face.name, "FandolFang-Regular.otf");
        let font = face.font_ref();
        font.table_data(skrifa::Tag::new(b"CFF "))
            .expect("CFF table")
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn subset_keeps_the_charstrings_of_the_glyphs_asked_for() {
        let cff = fang_cff();
        let glyphs = [0u16, 8899, 17, 9198, 1041];
        let out = subset_cid(&cff, &glyphs).expect("Fandol is CID-keyed without subroutines");
        let original = |g: u16| {
            let top = index(&cff, 4 + index(&cff, 4).unwrap().len).unwrap();
            let ops = dict_ops(top.get(0).unwrap()).unwrap();
            let cs = index(
                &cff,
                int_operand(find(&ops, CHAR_STRINGS).unwrap()).unwrap(),
            )
            .unwrap();
            cs.get(g as usize).unwrap().to_vec()
        };
        let names = index(&out, 4).unwrap();
        let top = index(&out, 4 + names.len).unwrap();
        let ops = dict_ops(top.get(0).unwrap()).unwrap();
        assert_eq!(ops[0].0, ROS, "ROS stays the first operator");
        let cs = index(
            &out,
            int_operand(find(&ops, CHAR_STRINGS).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(cs.count, glyphs.len());
        for (new, &old) in glyphs.iter().enumerate() {
            assert_eq!(
                cs.get(new).unwrap(),
                original(old).as_slice(),
                "glyph {old}"
            );
        }
        assert_eq!(
            int_operand(find(&ops, CID_COUNT).unwrap()),
            Some(glyphs.len())
        );
    }

    #[test]
    fn anything_else_is_refused_without_panicking() {
        let cff = fang_cff();
        assert!(subset_cid(b"not a font", &[0]).is_none());
        assert!(
            subset_cid(&cff, &[0, 60_000]).is_none(),
            "glyph out of range"
        );
        for cut in (0..4096).chain((4096..cff.len()).step_by(7919)) {
            let _ = subset_cid(&cff[..cut], &[0, 1, 2]);
        }
    }

    /// Offsets of 3 and 4 bytes, the widest a CFF INDEX has: written as
    /// the low bytes of the value, big-endian, whatever the width of
    /// usize (an 8-byte assumption panicked on 32-bit targets).
    #[test]
    fn index_offsets_are_written_in_off_size_bytes() {
        let (big, small) = (vec![7u8; 70_000], [1u8, 2, 3]);
        let mut out = Vec::new();
        write_index(&mut out, &[&big, &small]);
        // count 2, offSize 3, offsets 1, 70001 (0x011171), 70004.
        assert_eq!(out[..12], [0, 2, 3, 0, 0, 1, 1, 0x11, 0x71, 1, 0x11, 0x74]);
        assert_eq!(out.len(), index_len(&[&big, &small]));
        let read = index(&out, 0).unwrap();
        assert_eq!(read.items().unwrap(), [&big[..], &small[..]]);

        let huge = vec![0u8; 0x100_0000];
        let mut out = Vec::new();
        write_index(&mut out, &[&huge]);
        // offSize 4: offsets 1 and 0x1000001, a value that needs 32 bits.
        assert_eq!(out[..11], [0, 1, 4, 0, 0, 0, 1, 1, 0, 0, 1]);
        assert_eq!(index(&out, 0).unwrap().get(0).unwrap().len(), huge.len());
    }
}
