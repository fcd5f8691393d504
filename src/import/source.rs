//! What every reader makes of a published report: its paragraphs and
//! tables in reading order, each with the place it came from, so the
//! form can be filled from any of them and every warning can say where
//! to look.

use std::fmt;

/// Where something was found, in the source's own terms: a page (PDF), a
/// line of the file (HTML, text), a paragraph (DOCX), a table and its row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub page: Option<usize>,
    pub line: Option<usize>,
    pub paragraph: Option<usize>,
    pub table: Option<usize>,
    pub row: Option<usize>,
}

impl Place {
    pub fn page(page: usize) -> Place {
        Place {
            page: Some(page),
            ..Place::default()
        }
    }

    pub fn line(line: usize) -> Place {
        Place {
            line: Some(line),
            ..Place::default()
        }
    }

    pub fn paragraph(n: usize) -> Place {
        Place {
            paragraph: Some(n),
            ..Place::default()
        }
    }

    /// The same place within table `table`, row `row`.
    pub fn in_table(&self, table: usize, row: Option<usize>) -> Place {
        Place {
            table: Some(table),
            row,
            paragraph: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        if let Some(p) = self.page {
            s += &format!("第 {p} 页");
        }
        if let Some(t) = self.table {
            s += &format!("第 {t} 个表格");
        }
        if let Some(r) = self.row {
            s += &format!("第 {r} 行");
        }
        if let Some(p) = self.paragraph {
            s += &format!("第 {p} 段");
        }
        if let Some(l) = self.line {
            if self.table.is_some() {
                s += &format!("，文件第 {l} 行");
            } else {
                s += &format!("文件第 {l} 行");
            }
        }
        if s.is_empty() {
            s = "文件中".into();
        }
        f.write_str(&s)
    }
}

/// A run of text in one face. `face` names what the source says of its
/// look (font and weight): a run-in lead is told from its text by a face
/// of its own. Empty when the source says nothing (plain text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    pub text: String,
    pub face: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Unknown,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Default)]
pub struct Para {
    pub runs: Vec<Run>,
    pub align: Align,
    pub place: Place,
    /// Its first line starts at the margin, unindented: at the top of a
    /// page it may go on with the paragraph the page before ended with.
    pub at_margin: bool,
}

impl Para {
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A table cell: its text (lines joined), the grid column it starts in and
/// how many it spans; `covered` when it continues a cell merged from the
/// row above (`vMerge`, `rowspan`), which has no text of its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    pub col: usize,
    pub span: usize,
    pub covered: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub place: Place,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub rows: Vec<Row>,
    pub place: Place,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
}

/// A source read into blocks, with what the reader could not read.
#[derive(Debug, Default)]
pub struct Document {
    pub blocks: Vec<Block>,
    pub notes: Vec<Note>,
}

/// Something the reader or the mapping could not read, or read with a
/// guess: said with its place and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub place: Place,
    pub message: String,
}

impl Note {
    pub fn new(place: &Place, message: impl Into<String>) -> Note {
        Note {
            place: place.clone(),
            message: message.into(),
        }
    }
}

/// Lays out cells of a row given in order with their spans: each cell's
/// grid column follows the ones before it (the first at `start`).
pub fn place_cells(cells: &mut [Cell], start: usize) {
    let mut col = start;
    for c in cells {
        c.col = col;
        col += c.span.max(1);
    }
}
