//! Prints, for a data file, each face's file and the glyph ids its pages
//! use: `bench/bench.py` subsets the same glyphs with fontTools to find
//! the smallest possible font data for the PDF.
//!
//!     cargo run --release --example glyphs -- samples/zhanlang-2020.toml

use std::collections::BTreeMap;
use std::path::Path;

use gongwen::layout::frame::Item;

fn main() {
    let path = std::env::args().nth(1).expect("usage: glyphs DATA_FILE");
    let fonts = gongwen::disk::FontDirs::default();
    let job = gongwen::compile::Job::new(Path::new(&path));
    let c = match gongwen::compile::compile(&job, &gongwen::disk::Disk, &fonts).value {
        Ok(c) => c,
        Err(gongwen::compile::Failure::Data(d)) => {
            eprint!("{d}");
            std::process::exit(1);
        }
        Err(gongwen::compile::Failure::Typeset(_, d)) => {
            eprint!("{d}");
            std::process::exit(1);
        }
    };
    let t = c.typeset().expect("laid out");
    let (book, pages) = (&t.book, &t.laid.pages);
    let mut used: BTreeMap<usize, std::collections::BTreeSet<u16>> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                used.entry(run.face)
                    .or_default()
                    .extend(run.glyphs.iter().map(|g| g.id));
            }
        }
    }
    for (face, gids) in used {
        let ids: Vec<String> = gids.iter().map(u16::to_string).collect();
        println!("{}\t{}", book.faces[face].name, ids.join(","));
    }
}
