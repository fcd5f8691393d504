//! Layout of arbitrary text and tables: the bytes drive a generator of
//! well-formed markup (paragraphs of any text, tables of any shape and
//! spans), so the fuzzer spends its time in line breaking, table
//! splitting and export rather than in the markup parser's error paths.
#![no_main]

#[path = "../replay.rs"]
mod replay;

use std::fmt::Write;

use gongwen::diag::Source;
use gongwen::doc::StyleSheet;
use libfuzzer_sys::fuzz_target;

/// Characters the generator draws text from: CJK, every kind of
/// punctuation the line breaker treats specially, digits, Latin, spaces.
const ALPHABET: &[char] = &[
    '政', '府', '信', '息', '公', '开', '年', '度', '报', '告', '。', '，', '、', '；', '：', '？',
    '！', '（', '）', '【', '】', '《', '》', '“', '”', '‘', '’', '—', '…', '·', '0', '1', '2',
    '9', '.', '%', 'a', 'Z', 'w', '/', '-', ' ', '\u{3000}', '–', '€', '▼', '\t', '&',
];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn text(&mut self, max: usize) -> String {
        let n = self.next() as usize % (max + 1);
        (0..n)
            .map(|_| ALPHABET[self.next() as usize % ALPHABET.len()])
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                c => c.to_string(),
            })
            .collect()
    }
}

fn generate(b: &mut Bytes) -> String {
    let mut m = String::new();
    while !b.0.is_empty() && m.len() < 200_000 {
        match b.next() % 8 {
            0 => {
                // A title must have some text; the markup parser says so.
                let _ = write!(m, "<title>政{}<br/>{}</title>", b.text(60), b.text(60));
            }
            1..=3 => {
                let indent = if b.next() & 1 == 1 {
                    ""
                } else {
                    " indent=\"0\""
                };
                let _ = write!(
                    m,
                    "<p{indent}><lead>{}</lead>{}</p>",
                    b.text(8),
                    b.text(250)
                );
            }
            4 => {
                let _ = write!(m, "<h{0}>{1}</h{0}>", 1 + b.next() % 4, b.text(40));
            }
            5 => m.push_str("<pagebreak/>"),
            6 => {
                let _ = write!(
                    m,
                    "<signature agency=\"{}\" date=\"2025年1月15日\"/>",
                    b.text(30)
                );
            }
            _ => table(b, &mut m),
        }
    }
    m
}

/// A table with random widths, header rows and spans. Spans that collide
/// are left to the markup parser to reject.
fn table(b: &mut Bytes, m: &mut String) {
    let cols = 1 + b.next() as usize % 10;
    let rows = 1 + b.next() as usize % 60;
    let widths: Vec<String> = (0..cols).map(|_| (1 + b.next() % 40).to_string()).collect();
    // Header rows: fewer than the rows, and no header cell reaching into
    // the body (the markup parser rejects both).
    let header = (b.next() as usize % 4).min(rows - 1);
    let _ = write!(
        m,
        "<table widths=\"{}\" header-rows=\"{header}\">",
        widths.join(",")
    );
    let mut covered = vec![vec![false; cols]; rows];
    for r in 0..rows {
        m.push_str("<tr>");
        let mut c = 0;
        while c < cols {
            if covered[r][c] {
                c += 1;
                continue;
            }
            let free = (c..cols).take_while(|&k| !covered[r][k]).count();
            let (mut cs, mut rs) = (1, 1);
            if b.next() % 4 == 0 {
                cs = 1 + b.next() as usize % free;
                let limit = if r < header { header - r } else { rows - r };
                rs = 1 + b.next() as usize % limit;
            }
            for row in covered.iter_mut().skip(r).take(rs) {
                for cell in row.iter_mut().skip(c).take(cs) {
                    *cell = true;
                }
            }
            let tag = if r < header { "th" } else { "td" };
            let align = ["", " align=\"left\"", " align=\"right\""][b.next() as usize % 3];
            let _ = write!(
                m,
                "<{tag} colspan=\"{cs}\" rowspan=\"{rs}\"{align}>{}</{tag}>",
                b.text(40)
            );
            c += cs;
        }
        m.push_str("</tr>");
    }
    m.push_str("</table>");
}

fuzz_target!(|bytes: &[u8]| {
    let markup = generate(&mut Bytes(bytes));
    let src = Source::new("generated.html", markup.as_str());
    let doc = match gongwen::markup::parse(&src, StyleSheet::gbt9704()) {
        Ok(doc) => doc,
        Err(d) => {
            // The generator only writes well-formed markup.
            panic!("generated markup rejected: {d}\n{markup}");
        }
    };
    // Every generated character has a glyph; a row taller than a page or a
    // document over the page limit is refused with a message, as it should.
    let laid = match gongwen::layout::lay_out(&doc, replay::book()) {
        Ok(laid) => laid,
        Err(d) if !matches!(d.kind, gongwen::diag::Kind::MissingGlyph(_)) => return,
        Err(d) => panic!("a generated character has no glyph: {d}"),
    };
    replay::write_both(&doc, &laid);
});
