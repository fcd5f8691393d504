//! gongwen turns a data file and a template into an official document
//! laid out per GB/T 9704-2012, as PDF and DOCX made from one model.
//!
//! [`compile`] runs the pipeline, one module a step, for every command and
//! the desk; everything it reads comes through the caller's
//! [`files::Files`] and [`files::Fonts`] ([`disk`] on the command line):
//!
//! 1. [`data`]: TOML or JSON → spanned tree → checked against a template's
//!    JSON Schema and rules; or [`annual`]: the same tree → the annual
//!    report's typed form, totals computed, consistency rules (勾稽关系)
//!    checked. [`input`] chooses between them by the template; either way
//!    every problem is reported at once.
//! 2. [`template`]: the data is the context of a minijinja template that
//!    writes a small HTML-like markup.
//! 3. [`markup`]: the markup is parsed into the resolved document model
//!    [`doc::Document`] (styles cascaded, lengths in points, table spans
//!    resolved and validated).
//! 4. [`layout`] breaks lines and pages into [`frame`]s, in the faces of a
//!    [`font::FontBook`], on the page geometry and letter spacing
//!    [`layout::geometry`] works out from the style sheet; an error on the
//!    way is pointed at the data that caused it.
//!
//! [`export::write`] then writes the files asked for from the one model:
//! [`export::pdf`] and [`export::ofd`] from the frames, both embedding the
//! subsets [`font::subset`] makes once, [`export::docx`]
//! WordprocessingML with the layout's [`layout::BlockFacts`] (page breaks,
//! title lines, row heights) and the same geometry, leaving line breaking
//! to Word. The commands ([`cmd`]) put them in place as a
//! set ([`output`]); [`serve`] is the desk: the data file as the official
//! form, checked and previewed (from the layout's frames) as it is typed,
//! saved back into the file.
//!
//! The `wasm/` crate builds the same [`compile`] and [`export::write`]
//! for web pages, every file and font given by the page.
//!
//! [`launch`] is how the Windows program starts from Explorer: the desk on
//! its own folder.
//!
//! [`diag`] carries file, line and column for every error along the way;
//! [`epoch`] gives the only dates the outputs carry.

pub mod annual;
pub mod bounds;
pub mod cmd;
pub mod compile;
pub mod data;
pub mod deflate;
pub mod diag;
pub mod disk;
pub mod doc;
pub mod epoch;
pub mod exit;
pub mod export;
pub mod files;
pub mod font;
pub mod frame;
#[cfg(not(target_arch = "wasm32"))]
pub mod import;
pub mod input;
pub mod interrupt;
#[cfg(not(target_arch = "wasm32"))]
pub mod launch;
pub mod layout;
pub mod markup;
pub mod output;
pub mod picture;
#[cfg(not(target_arch = "wasm32"))]
pub mod serve;
pub mod template;
