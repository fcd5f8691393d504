//! gongwen turns a data file and a template into an official document
//! laid out per GB/T 9704-2012, as PDF and DOCX made from one model.
//!
//! The pipeline, one module a step:
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
//! 4. Two writers read that one model:
//!    - [`layout`] breaks lines and pages into [`layout::frame`]s, which
//!      [`export::pdf`] writes as PDF with subset fonts;
//!    - [`export::docx`] writes WordprocessingML with the layout's page
//!      break rules and row heights, leaving line breaking to Word.
//! 5. [`output`] puts a report's PDF and DOCX in place as a pair.
//!
//! [`serve`] is the same pipeline behind a local web page: the data file
//! as the official form, checked and previewed (from the layout's frames)
//! as it is typed, saved back into the file.
//!
//! [`diag`] carries file, line and column for every error along the way;
//! [`epoch`] gives the only dates the outputs carry.

pub mod annual;
pub mod cli;
pub mod data;
pub mod diag;
pub mod doc;
pub mod epoch;
pub mod exit;
pub mod export;
pub mod font;
pub mod import;
pub mod input;
pub mod interrupt;
pub mod layout;
pub mod markup;
pub mod output;
pub mod picture;
pub mod render;
pub mod serve;
pub mod sum;
pub mod template;
pub mod watch;
