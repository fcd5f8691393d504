//! Plain text: a report copied out of a browser, Word or a PDF reader and
//! saved with Notepad (UTF-8, UTF-16 with its byte-order mark, or GBK).
//! A line is a paragraph; tables come as their cells separated by tabs,
//! either a row a line or, as browsers copy Word-made tables, a cell a
//! line (each after a tab, a cell's own line breaks kept) with a blank
//! line after each row.

use super::source::{place_cells, Block, Cell, Document, Para, Place, Row, Run, Table};

/// Text in the encodings Windows saves it in.
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    for (bom, enc) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if bytes.starts_with(bom) {
            return enc.decode_without_bom_handling(&bytes[2..]).0.into_owned();
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

pub fn read(bytes: &[u8]) -> Document {
    let text = decode(bytes);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut doc = Document::default();
    let mut tables = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.contains('\t') {
            // The table block: tab lines, blank lines and the lines that
            // continue a cell, up to text after a blank line.
            let start = i;
            let mut end = i;
            let mut after_blank = false;
            while end < lines.len() {
                let l = lines[end];
                if blank(l) {
                    after_blank = true;
                } else if l.contains('\t') {
                    after_blank = false;
                } else if after_blank {
                    break;
                }
                end += 1;
            }
            let rows = table_rows(&lines[start..end], start);
            if rows.len() >= 2 && rows.iter().filter(|r| r.cells.len() >= 2).count() >= 2 {
                tables += 1;
                let place = Place::line(start + 1);
                let rows = rows
                    .into_iter()
                    .enumerate()
                    .map(|(n, mut r)| {
                        r.place = Place {
                            line: r.place.line,
                            ..place.in_table(tables, Some(n + 1))
                        };
                        r
                    })
                    .collect();
                doc.blocks.push(Block::Table(Table {
                    rows,
                    place: place.in_table(tables, None),
                }));
                i = end;
                continue;
            }
        }
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if !t.is_empty() {
            doc.blocks.push(Block::Para(Para {
                runs: vec![Run {
                    text: t.to_string(),
                    face: String::new(),
                }],
                place: Place::line(i + 1),
                ..Para::default()
            }));
        }
        i += 1;
    }
    doc
}

/// The rows of a table block whose first line is line `first` (0-based).
fn table_rows(lines: &[&str], first: usize) -> Vec<Row> {
    let tab_lines: Vec<&&str> = lines.iter().filter(|l| l.contains('\t')).collect();
    let cell_a_line = tab_lines
        .iter()
        .all(|l| l.starts_with('\t') && l.matches('\t').count() == 1);
    let mut rows = Vec::new();
    if cell_a_line {
        let mut cur: Option<Row> = None;
        for (k, l) in lines.iter().enumerate() {
            if blank(l) {
                if let Some(r) = cur.take() {
                    rows.push(r);
                }
                continue;
            }
            let row = cur.get_or_insert_with(|| Row {
                cells: Vec::new(),
                place: Place::line(first + k + 1),
            });
            match l.strip_prefix('\t') {
                Some(cell) => row.cells.push(Cell {
                    text: clean(cell),
                    span: 1,
                    ..Cell::default()
                }),
                None => {
                    if let Some(c) = row.cells.last_mut() {
                        c.text.push('\n');
                        c.text += &clean(l);
                    }
                }
            }
        }
        rows.extend(cur);
    } else {
        for (k, l) in lines.iter().enumerate() {
            if blank(l) {
                continue;
            }
            rows.push(Row {
                cells: l
                    .split('\t')
                    .map(|c| Cell {
                        text: clean(c),
                        span: 1,
                        ..Cell::default()
                    })
                    .collect(),
                place: Place::line(first + k + 1),
            });
        }
    }
    for r in &mut rows {
        place_cells(&mut r.cells, 0);
    }
    rows
}

/// A line with nothing on it; a tab alone is an empty cell.
fn blank(l: &str) -> bool {
    !l.contains('\t') && l.trim().is_empty()
}

fn clean(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .to_string()
}
