//! An sRGB ICC profile (version 2.1, display class) for a PDF/A output
//! intent, made here rather than shipped: the sRGB primaries adapted to
//! D50 as IEC 61966-2-1 gives them, the D50 white point and the sRGB tone
//! curve as a 1024-entry table. Built once, byte for byte the same.

use std::sync::OnceLock;

/// A number as ICC's s15Fixed16.
fn s15(v: f64) -> [u8; 4] {
    ((v * 65536.0).round() as i32).to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    for v in [x, y, z] {
        t.extend(s15(v));
    }
    t
}

/// `textDescriptionType` with an ASCII description and empty Unicode and
/// ScriptCode parts, as version 2 asks.
fn desc(text: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    t.extend(((text.len() + 1) as u32).to_be_bytes());
    t.extend(text.as_bytes());
    t.push(0);
    t.extend([0u8; 4]); // Unicode language code
    t.extend([0u8; 4]); // Unicode count
    t.extend([0u8; 2]); // ScriptCode code
    t.push(0); // ScriptCode count
    t.extend([0u8; 67]);
    t
}

fn text(s: &str) -> Vec<u8> {
    let mut t = b"text\0\0\0\0".to_vec();
    t.extend(s.as_bytes());
    t.push(0);
    t
}

/// The sRGB tone curve, 1024 samples.
fn curve() -> Vec<u8> {
    let n = 1024u32;
    let mut t = b"curv\0\0\0\0".to_vec();
    t.extend(n.to_be_bytes());
    for i in 0..n {
        let v = f64::from(i) / f64::from(n - 1);
        let lin = if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        };
        t.extend(((lin * 65535.0).round() as u16).to_be_bytes());
    }
    t
}

pub fn srgb() -> &'static [u8] {
    static PROFILE: OnceLock<Vec<u8>> = OnceLock::new();
    PROFILE.get_or_init(build)
}

fn build() -> Vec<u8> {
    let trc = curve();
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc("sRGB IEC61966-2.1")),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", trc.clone()),
        (b"gTRC", trc.clone()),
        (b"bTRC", trc),
    ];
    // The tag table follows the 128-byte header; the tags' data follow it,
    // each on a four-byte boundary (the table's length is a multiple of 4).
    let start = 128 + 4 + 12 * tags.len();
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    for (sig, body) in &tags {
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let at = start + data.len();
        table.extend(*sig);
        table.extend((at as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        data.extend(body);
    }
    let size = start + data.len();
    let mut h = Vec::with_capacity(size);
    h.extend((size as u32).to_be_bytes());
    h.extend([0u8; 4]); // preferred CMM
    h.extend([2, 0x10, 0, 0]); // version 2.1
    h.extend(b"mntr");
    h.extend(b"RGB ");
    h.extend(b"XYZ ");
    h.extend([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]); // 2000-01-01 00:00:00
    h.extend(b"acsp");
    h.extend([0u8; 4]); // platform
    h.extend([0u8; 4]); // flags
    h.extend([0u8; 4]); // manufacturer
    h.extend([0u8; 4]); // model
    h.extend([0u8; 8]); // attributes
    h.extend([0u8; 4]); // perceptual intent
    for v in [0.9642, 1.0, 0.8249] {
        h.extend(s15(v));
    }
    h.extend([0u8; 4]); // creator
    h.resize(128, 0);
    h.extend(table);
    h.extend(data);
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_profile_is_well_formed() {
        let p = super::srgb();
        assert_eq!(
            u32::from_be_bytes(p[0..4].try_into().unwrap()) as usize,
            p.len()
        );
        assert_eq!(&p[36..40], b"acsp");
        let n = u32::from_be_bytes(p[128..132].try_into().unwrap()) as usize;
        assert_eq!(n, 9);
        for k in 0..n {
            let e = &p[132 + 12 * k..144 + 12 * k];
            let (at, len) = (
                u32::from_be_bytes(e[4..8].try_into().unwrap()) as usize,
                u32::from_be_bytes(e[8..12].try_into().unwrap()) as usize,
            );
            assert_eq!(at % 4, 0);
            assert!(at + len <= p.len());
        }
    }
}
