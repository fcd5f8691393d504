//! A report's page saved from a government site: Word's "save as web page"
//! (MsoNormal paragraphs, `<o:p>`, conditional comments) or a TRS editor's
//! HTML, in UTF-8 or GB2312/GBK as the page's `<meta>` says. Paragraphs are
//! the block elements' text; tables are placed on their grid with
//! `rowspan`/`colspan`, a cell a row covers being marked as such; a run's
//! face is the `font-family` and weight its elements give it. Whitespace
//! collapses as a browser collapses it, a line break in the source between
//! two Chinese characters being no space (CSS Text 3 segment breaks).
//!
//! A tokenizer of its own (tags, attributes, comments, entities) rather
//! than html5ever: these pages need no more, and html5ever would add 13
//! crates.

use super::source::{Align, Block, Cell, Document, Para, Place, Row, Run, Table};

/// Text in the page's encoding: its byte-order mark, `<meta charset>`, or
/// UTF-8 if it is valid, GB18030 otherwise.
fn decode(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let gbk = ["gb2312", "gbk", "gb18030"].iter().any(|c| {
        head.find("charset")
            .is_some_and(|at| head[at..].chars().take(20).collect::<String>().contains(c))
    });
    if gbk && !bytes.starts_with(b"\xEF\xBB\xBF") {
        return encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned();
    }
    super::txt::decode(bytes)
}

#[derive(Debug)]
enum Token {
    Text(String),
    Start(String, Vec<(String, String)>, bool),
    End(String),
}

/// The page's tokens, each with the line it starts on.
fn tokens(s: &str) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let mut line = 1;
    let mut text = String::new();
    let mut text_line = 1;
    let flush = |text: &mut String, out: &mut Vec<(Token, usize)>, at: usize| {
        if !text.is_empty() {
            out.push((Token::Text(entities(text)), at));
            text.clear();
        }
    };
    while i < b.len() {
        if b[i] == b'<' {
            let rest = &s[i..];
            if let Some(body) = rest.strip_prefix("<!--") {
                flush(&mut text, &mut out, text_line);
                let end = body.find("-->").map_or(s.len(), |e| i + 4 + e + 3);
                line += s[i..end].matches('\n').count();
                i = end;
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                // Doctype, downlevel-revealed conditionals (<![if …]>).
                flush(&mut text, &mut out, text_line);
                let end = rest.find('>').map_or(s.len(), |e| i + e + 1);
                line += s[i..end].matches('\n').count();
                i = end;
                continue;
            }
            let is_tag = rest[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
            if is_tag {
                flush(&mut text, &mut out, text_line);
                let end = tag_end(rest).map_or(s.len(), |e| i + e + 1);
                let tag_text = &s[i + 1..end.saturating_sub(1).max(i + 1)];
                let start_line = line;
                line += tag_text.matches('\n').count();
                i = end;
                let token = tag(tag_text);
                // Script and style bodies are not text; neither is <title>.
                if let Token::Start(name, _, false) = &token {
                    if ["script", "style", "title", "xml", "textarea"].contains(&name.as_str()) {
                        let close = format!("</{name}");
                        let lower = s[i..].to_ascii_lowercase();
                        let stop = lower.find(&close).map_or(s.len(), |e| i + e);
                        line += s[i..stop].matches('\n').count();
                        i = stop;
                        continue;
                    }
                }
                out.push((token, start_line));
                text_line = line;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        if text.is_empty() {
            text_line = line;
        }
        if c == '\n' {
            line += 1;
        }
        text.push(c);
        i += c.len_utf8();
    }
    flush(&mut text, &mut out, text_line);
    out
}

/// Where a tag ends, quotes respected.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn tag(t: &str) -> Token {
    if let Some(name) = t.strip_prefix('/') {
        let name: String = name
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>')
            .collect();
        return Token::End(name.to_ascii_lowercase());
    }
    let self_closing = t.ends_with('/');
    let t = t.trim_end_matches('/');
    let name_len = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
    let name = t[..name_len].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = t[name_len..].trim_start();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = rest[..key_len].to_ascii_lowercase();
        rest = rest[key_len..].trim_start();
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            if let Some(q) = r.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &r[1..];
                let end = body.find(q).unwrap_or(body.len());
                value = body[..end].to_string();
                rest = body.get(end + 1..).unwrap_or("").trim_start();
            } else {
                let end = r.find(char::is_whitespace).unwrap_or(r.len());
                value = r[..end].to_string();
                rest = r[end..].trim_start();
            }
        }
        if key.is_empty() {
            break;
        }
        attrs.push((key, entities(&value)));
    }
    Token::Start(name, attrs, self_closing)
}

/// Character references: numeric ones and the named ones such pages use.
fn entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out += &rest[..at];
        rest = &rest[at..];
        let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#');
        let (name, after) = match end {
            Some(e) => (&rest[1..1 + e], &rest[1 + e..]),
            None => (&rest[1..], ""),
        };
        let c = if let Some(num) = name.strip_prefix('#') {
            let v = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            v.and_then(char::from_u32).map(String::from)
        } else {
            NAMED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.to_string())
        };
        match c {
            Some(c) => {
                out += &c;
                rest = after.strip_prefix(';').unwrap_or(after);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out + rest
}

const NAMED: &[(&str, &str)] = &[
    ("nbsp", "\u{a0}"),
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("hellip", "…"),
    ("middot", "·"),
    ("times", "×"),
    ("divide", "÷"),
    ("emsp", "\u{2003}"),
    ("ensp", "\u{2002}"),
    ("thinsp", "\u{2009}"),
    ("copy", "©"),
    ("reg", "®"),
    ("yen", "¥"),
    ("bull", "•"),
    ("deg", "°"),
    ("plusmn", "±"),
    ("le", "≤"),
    ("ge", "≥"),
];

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A CSS property from a `style` attribute.
fn style<'a>(attrs: &'a [(String, String)], prop: &str) -> Option<&'a str> {
    attr(attrs, "style")?.split(';').find_map(|d| {
        let (k, v) = d.split_once(':')?;
        (k.trim().eq_ignore_ascii_case(prop)).then_some(v.trim())
    })
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "center",
    "blockquote",
    "dd",
    "dt",
    "body",
    "form",
    "header",
    "footer",
    "nav",
    "pre",
    "hr",
];

fn cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Collapses whitespace as a browser does; `\n` (a `<br>`) stays.
fn collapse(runs: &mut [Run]) {
    for r in runs.iter_mut() {
        r.text = r.text.replace(['\r', '\t'], " ");
    }
    // Joined over the runs, so that a break between runs is judged too.
    let chars: Vec<(usize, char)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.text.chars().map(move |c| (i, c)))
        .collect();
    let mut out: Vec<String> = vec![String::new(); runs.len()];
    let mut k = 0;
    let mut last: Option<char> = None;
    while k < chars.len() {
        let (i, c) = chars[k];
        if c == ' ' || c == '\u{b}' || c == '\u{c}' {
            // A source line break (marked by the tokenizer as '\u{b}')
            // between two Chinese characters is no space.
            let mut j = k;
            let mut segment = false;
            while j < chars.len() && matches!(chars[j].1, ' ' | '\u{b}' | '\u{c}') {
                segment |= chars[j].1 == '\u{b}';
                j += 1;
            }
            let next = chars.get(j).map(|x| x.1);
            let drop = last.is_none_or(|l| l == '\n')
                || next.is_none_or(|n| n == '\n')
                || (segment && last.is_some_and(cjk) && next.is_some_and(cjk));
            if !drop {
                out[i].push(' ');
                last = Some(' ');
            }
            k = j;
            continue;
        }
        out[i].push(c);
        last = Some(c);
        k += 1;
    }
    for (r, t) in runs.iter_mut().zip(out) {
        r.text = t;
    }
}

/// A cell as read: its text, colspan and rowspan.
type RawCell = (String, usize, usize);

struct TableBuild {
    /// Each row's cells and the line it starts on.
    rows: Vec<(Vec<RawCell>, usize)>,
    line: usize,
}

pub fn read(bytes: &[u8]) -> Document {
    let text = decode(bytes);
    // Source line breaks are told from other spaces when collapsing.
    let toks = tokens(&text);
    let mut doc = Document::default();
    let mut faces: Vec<(String, String)> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut para_line = 1;
    let mut align = Align::Unknown;
    let mut tables: Vec<TableBuild> = Vec::new();
    let mut count = 0;
    let mut in_head = false;
    let face_now = |faces: &[(String, String)]| -> String {
        let font = faces
            .iter()
            .rev()
            .find(|(_, f)| !f.is_empty() && f != "b")
            .map_or("", |(_, f)| f.as_str());
        let bold = faces.iter().any(|(_, f)| f == "b");
        if bold {
            format!("{font} 加粗")
        } else {
            font.to_string()
        }
    };
    fn end_para(
        runs: &mut Vec<Run>,
        tables: &mut [TableBuild],
        doc: &mut Document,
        line: usize,
        align: Align,
    ) {
        if runs.is_empty() {
            return;
        }
        collapse(runs);
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        if let Some(t) = tables.last_mut() {
            if let Some(cell) = t.rows.last_mut().and_then(|r| r.0.last_mut()) {
                if !cell.0.is_empty() {
                    cell.0.push('\n');
                }
                cell.0 += text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
            }
        } else if !text.trim().is_empty() {
            doc.blocks.push(Block::Para(Para {
                runs: std::mem::take(runs),
                align,
                place: Place::line(line),
                at_margin: false,
            }));
        }
        runs.clear();
    }
    for (tok, line) in toks {
        match tok {
            Token::Text(t) => {
                if in_head {
                    continue;
                }
                if runs.iter().all(|r| r.text.trim().is_empty()) {
                    para_line = line;
                }
                let face = face_now(&faces);
                let t = t.replace('\n', "\u{b}");
                match runs.last_mut() {
                    Some(r) if r.face == face => r.text += &t,
                    _ => runs.push(Run { text: t, face }),
                }
            }
            Token::Start(name, attrs, self_closing) => {
                match name.as_str() {
                    "head" => in_head = true,
                    "body" => in_head = false,
                    "br" => {
                        let face = face_now(&faces);
                        runs.push(Run {
                            text: "\n".into(),
                            face,
                        });
                    }
                    "table" => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align);
                        tables.push(TableBuild {
                            rows: Vec::new(),
                            line,
                        });
                    }
                    "tr" => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align);
                        if let Some(t) = tables.last_mut() {
                            t.rows.push((Vec::new(), line));
                        }
                    }
                    "td" | "th" => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align);
                        if let Some(t) = tables.last_mut() {
                            let n = |a: &str| {
                                attr(&attrs, a)
                                    .and_then(|v| v.trim().parse::<usize>().ok())
                                    .filter(|v| (1..=100).contains(v))
                                    .unwrap_or(1)
                            };
                            if t.rows.is_empty() {
                                t.rows.push((Vec::new(), line));
                            }
                            if let Some(r) = t.rows.last_mut() {
                                r.0.push((String::new(), n("colspan"), n("rowspan")));
                            }
                        }
                    }
                    n if BLOCKS.contains(&n) => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align);
                        align = match (
                            attr(&attrs, "align").map(str::to_ascii_lowercase),
                            style(&attrs, "text-align").map(str::to_ascii_lowercase),
                        ) {
                            (_, Some(a)) | (Some(a), None) if a == "center" => Align::Center,
                            (_, Some(a)) | (Some(a), None) if a == "right" => Align::Right,
                            _ => Align::Unknown,
                        };
                    }
                    _ => {}
                }
                if !self_closing
                    && !["br", "img", "hr", "meta", "link", "input"].contains(&name.as_str())
                {
                    let font = style(&attrs, "font-family")
                        .or_else(|| attr(&attrs, "face"))
                        .and_then(|f| f.split(',').next())
                        .map(|f| f.trim().trim_matches(['"', '\'']).to_string());
                    let weight = style(&attrs, "font-weight").is_some_and(|w| {
                        w.contains("bold")
                            || w.starts_with('7')
                            || w.starts_with('8')
                            || w.starts_with('9')
                    });
                    let f = if name == "b" || name == "strong" || weight {
                        "b".to_string()
                    } else {
                        font.unwrap_or_default()
                    };
                    faces.push((name.clone(), f));
                }
            }
            Token::End(name) => {
                match name.as_str() {
                    "head" => in_head = false,
                    "table" => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align);
                        if let Some(t) = tables.pop() {
                            let grid = grid(t, count + 1);
                            if let Some(outer) = tables.last_mut() {
                                // A table inside a cell: its text joins the cell's.
                                let text: Vec<String> = grid
                                    .rows
                                    .iter()
                                    .map(|r| {
                                        r.cells
                                            .iter()
                                            .map(|c| c.text.as_str())
                                            .collect::<Vec<_>>()
                                            .join(" ")
                                    })
                                    .collect();
                                if let Some(cell) =
                                    outer.rows.last_mut().and_then(|r| r.0.last_mut())
                                {
                                    cell.0 += &text.join("\n");
                                }
                            } else {
                                count += 1;
                                doc.blocks.push(Block::Table(grid));
                            }
                        }
                    }
                    "td" | "th" | "tr" => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align)
                    }
                    n if BLOCKS.contains(&n) => {
                        end_para(&mut runs, &mut tables, &mut doc, para_line, align)
                    }
                    _ => {}
                }
                if let Some(at) = faces.iter().rposition(|(n, _)| *n == name) {
                    faces.truncate(at);
                }
            }
        }
    }
    end_para(&mut runs, &mut tables, &mut doc, para_line, align);
    doc
}

/// A table's rows on its grid: each cell at the column left free by the
/// cells above that reach down into its row, which are put in as covered.
fn grid(t: TableBuild, number: usize) -> Table {
    let place = Place::line(t.line).in_table(number, None);
    // Columns taken from above: column → rows still covered.
    let mut taken: Vec<usize> = Vec::new();
    let mut rows = Vec::new();
    for (ri, (cells, line)) in t.rows.into_iter().enumerate() {
        let mut out = Vec::new();
        let mut col = 0;
        let mut cells = cells.into_iter().peekable();
        loop {
            while taken.get(col).is_some_and(|n| *n > 0) {
                out.push(Cell {
                    text: String::new(),
                    col,
                    span: 1,
                    covered: true,
                });
                col += 1;
            }
            let Some((text, span, rowspan)) = cells.next() else {
                break;
            };
            if taken.len() < col + span {
                taken.resize(col + span, 0);
            }
            taken[col..col + span].fill(rowspan);
            out.push(Cell {
                text: text
                    .trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}')
                    .to_string(),
                col,
                span,
                covered: false,
            });
            col += span;
        }
        for n in taken.iter_mut() {
            *n = n.saturating_sub(1);
        }
        rows.push(Row {
            cells: out,
            place: Place::line(line).in_table(number, Some(ri + 1)),
        });
    }
    Table { rows, place }
}
