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
    let loaded = gongwen::input::load(Path::new(&path), None);
    let Some(input) = loaded.ok() else {
        eprint!("{}", loaded.diagnostics);
        std::process::exit(1);
    };
    let doc = input
        .template
        .document(input.data.content())
        .expect("document");
    let book = gongwen::font::FontBook::load(&doc.style, &[]).expect("fonts");
    let pages = gongwen::layout::layout(&doc, &book).expect("layout");
    let mut used: BTreeMap<usize, std::collections::BTreeSet<u16>> = BTreeMap::new();
    for page in &pages {
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
