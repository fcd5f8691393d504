//! The markup templates write: a small HTML-like language, parsed straight
//! into the resolved [`Document`].
//!
//! ```text
//! <meta title="…" author="…" subject="…" keywords="a,b" date="2021-01-15"/>
//! <title>第一行<br/>第二行</title>
//! <h1>一、总体情况</h1>          <h2> <h3> <h4> likewise
//! <p>正文<lead>（一）小标题。</lead>正文继续</p>    attributes: align, indent="0"
//! <table widths="3,2,2,2" header-rows="1">
//!   <tr keep="next"><th colspan="4" shade="">…</th></tr>   th: header face; shade="" default colour;
//!                                  keep="next": never the last row on a page
//!   <tr><td rowspan="2" align="left">…</td>…</tr>
//! </table>
//! <pagebreak/>   <pagebreak orient="landscape"/>: the pages up to the next break turned (横排)
//! <signature agency="…" date="…"/>
//! <p role="mark" top="35" fit="true">…</p>   p also: inset, hang, left (characters)
//! <rule thickness="0.5" below="4" color="FF0000" length="170"/>   (mm)
//! <blank lines="2"/>
//! <ends left="…" right="…"/>  or  <ends><left>…</left><right>…<span role="heading2">…</span></right></ends>
//! <foot even="true">…</foot>   the 版记: p, rule, blank and ends only
//! ```
//!
//! The README's "Markup" section describes every element and attribute.
//!
//! Text is entity-decoded (`&amp; &lt; &gt; &quot; &#39; &#x2f;`…); any other
//! `&` or `<` is an error, so data escaped by the template can never turn
//! into markup.
//!
//! Three steps, a module each: `parse` reads the text into
//! elements (tags, attributes, entities), `build` makes the document's
//! blocks from them and `table` resolves a table's spans into its grid.
//! Pictures are read through the caller's [`Files`].

mod build;
mod parse;
mod table;

use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Source};
use crate::doc::{Document, StyleSheet};
use crate::files::Files;

/// Deepest nesting accepted; the language has at most four levels.
const MAX_DEPTH: usize = 16;
/// Largest table grid accepted, to bound layout work on hostile input.
const MAX_TABLE_CELLS: usize = 20_000;
/// Most blocks (paragraphs, headings, tables, breaks …) in one document.
pub const MAX_BLOCKS: usize = 20_000;
/// Most characters of text in one document: some 800 pages; a real report
/// has a few tens of thousands.
pub const MAX_TEXT_CHARS: usize = 500_000;

#[derive(Debug, Clone)]
enum Node {
    Text(String, Range<usize>),
    Element(Element),
}

#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String, Range<usize>)>,
    children: Vec<Node>,
    span: Range<usize>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.as_str())
    }
}

pub fn parse(src: &Source, style: StyleSheet) -> Result<Document, Diagnostic> {
    parse_in(src, style, None)
}

/// `pictures`: the folder a `<signature seal="…">` path is taken from
/// (the data file's) and what reads it; without it pictures are refused.
pub fn parse_in(
    src: &Source,
    style: StyleSheet,
    pictures: Option<(&Path, &dyn Files)>,
) -> Result<Document, Diagnostic> {
    let nodes = parse::nodes(src)?;
    build::document(src, style, pictures, nodes)
}
