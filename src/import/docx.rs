//! Word files (.docx, also as saved by WPS): the paragraphs and tables of
//! `word/document.xml` in order. Cells merged across columns (`gridSpan`)
//! and down rows (`vMerge`) are placed on the table's grid; a run's face is
//! its East Asian font and weight, from the run, its character style, the
//! paragraph's style chain or the document defaults, so a 楷体 or bold lead
//! is told from the 仿宋 text after it; numbers Word adds itself (（一）,
//! 1.) are put back in front of their paragraphs. Deleted text (tracked
//! changes) is left out; text boxes and pictures are named as not read.

use std::collections::HashMap;

use roxmltree::{Document as Xml, Node};

use super::source::{
    place_cells, Align, Block, Cell, Document, Note, Para, Place, Row, Run, Table,
};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn is(n: Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(W)
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(*c, name))
}

fn val<'a>(n: Node<'a, '_>, attr: &str) -> Option<&'a str> {
    n.attribute((W, attr))
}

/// A run property: East Asian font and bold, either possibly unset.
#[derive(Debug, Clone, Default)]
struct Look {
    font: Option<String>,
    bold: Option<bool>,
}

impl Look {
    fn of(rpr: Option<Node>) -> Look {
        let Some(rpr) = rpr else {
            return Look::default();
        };
        let font = child(rpr, "rFonts").and_then(|f| {
            val(f, "eastAsia")
                .or_else(|| val(f, "hAnsi"))
                .or_else(|| val(f, "ascii"))
                .map(str::to_string)
        });
        let bold = child(rpr, "b").map(|b| !matches!(val(b, "val"), Some("0" | "false")));
        Look { font, bold }
    }

    /// `self` where set, `under` otherwise.
    fn over(&self, under: &Look) -> Look {
        Look {
            font: self.font.clone().or_else(|| under.font.clone()),
            bold: self.bold.or(under.bold),
        }
    }

    fn face(&self) -> String {
        let font = self.font.as_deref().unwrap_or("默认");
        if self.bold == Some(true) {
            format!("{font} 加粗")
        } else {
            font.to_string()
        }
    }
}

/// A style's own look, its parent and its list numbering.
type Style = (Look, Option<String>, Option<(String, usize)>);

/// Styles by id.
#[derive(Default)]
struct Styles {
    looks: HashMap<String, Style>,
    default: Look,
}

impl Styles {
    fn read(xml: Option<&str>) -> Styles {
        let mut s = Styles::default();
        let Some(doc) = xml.and_then(|x| Xml::parse(x).ok()) else {
            return s;
        };
        for n in doc.descendants() {
            if is(n, "rPrDefault") {
                s.default = Look::of(child(n, "rPr"));
            }
            if is(n, "style") {
                let Some(id) = val(n, "styleId") else {
                    continue;
                };
                let look = Look::of(child(n, "rPr"));
                let parent = child(n, "basedOn")
                    .and_then(|b| val(b, "val"))
                    .map(String::from);
                let num = child(n, "pPr").and_then(|p| numbering_of(p));
                s.looks.insert(id.to_string(), (look, parent, num));
            }
        }
        s
    }

    /// A style's look with its parents' under it.
    fn look(&self, id: Option<&str>) -> Look {
        let mut look = Look::default();
        let mut at = id.map(String::from);
        for _ in 0..20 {
            let Some(entry) = at.as_ref().and_then(|i| self.looks.get(i)) else {
                break;
            };
            look = look.over(&entry.0);
            at = entry.1.clone();
        }
        look.over(&self.default)
    }

    fn numbering(&self, id: Option<&str>) -> Option<(String, usize)> {
        let mut at = id.map(String::from);
        for _ in 0..20 {
            let entry = at.as_ref().and_then(|i| self.looks.get(i))?;
            if entry.2.is_some() {
                return entry.2.clone();
            }
            at = entry.1.clone();
        }
        None
    }
}

fn numbering_of(ppr: Node) -> Option<(String, usize)> {
    let num = child(ppr, "numPr")?;
    let id = child(num, "numId").and_then(|n| val(n, "val"))?.to_string();
    let level = child(num, "ilvl")
        .and_then(|n| val(n, "val"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some((id, level))
}

/// Word's list numbering: each list's levels (format, text, start) and
/// the counters as the document goes.
#[derive(Default)]
struct Numbering {
    /// numId → abstract levels: (numFmt, lvlText, start) per level.
    lists: HashMap<String, Vec<(String, String, i64)>>,
    counters: HashMap<String, Vec<i64>>,
}

impl Numbering {
    fn read(xml: Option<&str>) -> Numbering {
        let mut n = Numbering::default();
        let Some(doc) = xml.and_then(|x| Xml::parse(x).ok()) else {
            return n;
        };
        let mut abstracts: HashMap<&str, Vec<(String, String, i64)>> = HashMap::new();
        for a in doc.descendants().filter(|a| is(*a, "abstractNum")) {
            let Some(id) = val(a, "abstractNumId") else {
                continue;
            };
            let mut levels = Vec::new();
            for l in a.children().filter(|l| is(*l, "lvl")) {
                let fmt = child(l, "numFmt")
                    .and_then(|f| val(f, "val"))
                    .unwrap_or("decimal");
                let text = child(l, "lvlText")
                    .and_then(|f| val(f, "val"))
                    .unwrap_or("");
                let start = child(l, "start")
                    .and_then(|f| val(f, "val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                levels.push((fmt.to_string(), text.to_string(), start));
            }
            abstracts.insert(id, levels);
        }
        for num in doc.descendants().filter(|a| is(*a, "num")) {
            let (Some(id), Some(abs)) = (
                val(num, "numId"),
                child(num, "abstractNumId").and_then(|a| val(a, "val")),
            ) else {
                continue;
            };
            if let Some(levels) = abstracts.get(abs) {
                n.lists.insert(id.to_string(), levels.clone());
            }
        }
        n
    }

    /// The number Word shows before the next paragraph of list `id` at
    /// `level`.
    fn next(&mut self, id: &str, level: usize) -> Option<String> {
        let levels = self.lists.get(id)?;
        let count = self
            .counters
            .entry(id.to_string())
            .or_insert_with(|| levels.iter().map(|(_, _, start)| start - 1).collect());
        if level >= count.len() {
            return None;
        }
        count[level] += 1;
        for (deeper, (_, _, start)) in count.iter_mut().zip(levels.iter()).skip(level + 1) {
            *deeper = start - 1;
        }
        let (fmt, text, _) = &levels[level];
        if fmt == "none" || fmt == "bullet" {
            return None;
        }
        let mut out = text.clone();
        for (i, (fmt, _, _)) in levels.iter().enumerate().take(level + 1) {
            out = out.replace(&format!("%{}", i + 1), &number(fmt, count[i]));
        }
        Some(out)
    }
}

/// A list number in Word's format.
fn number(fmt: &str, n: i64) -> String {
    const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match fmt {
        "chineseCounting"
        | "chineseCountingThousand"
        | "ideographTraditional"
        | "japaneseCounting"
        | "taiwaneseCounting"
            if (1..100).contains(&n) =>
        {
            let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
            let mut s = String::new();
            if tens > 1 {
                s += CN[tens];
            }
            if tens > 0 {
                s += "十";
            }
            if ones > 0 {
                s += CN[ones];
            }
            s
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap_or(c))
            .collect(),
        _ => n.to_string(),
    }
}

struct Reader<'s> {
    styles: &'s Styles,
    numbering: Numbering,
    doc: Document,
    paragraphs: usize,
    tables: usize,
}

pub fn read(bytes: &[u8]) -> Result<Document, String> {
    let part = |name: &str| -> Result<Option<String>, String> {
        Ok(crate::export::zip::read_entry(bytes, name)
            .map_err(|e| {
                format!("这个 Word 文件无法打开：{e}。请用 Word 或 WPS 打开后另存一份再导入")
            })?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    };
    let main = part("word/document.xml")?.ok_or(
        "压缩包里没有 word/document.xml：这不是 Word 文件（.docx）。WPS 的 .wps 文件请先另存为 .docx",
    )?;
    let styles = Styles::read(part("word/styles.xml")?.as_deref());
    let xml = Xml::parse(&main)
        .map_err(|e| format!("Word 文件的正文（word/document.xml）不是完整的 XML：{e}；请用 Word 或 WPS 打开后重新保存"))?;
    let body = xml
        .descendants()
        .find(|n| is(*n, "body"))
        .ok_or("Word 文件中没有正文（w:body）")?;
    let mut r = Reader {
        styles: &styles,
        numbering: Numbering::read(part("word/numbering.xml")?.as_deref()),
        doc: Document::default(),
        paragraphs: 0,
        tables: 0,
    };
    r.blocks(body);
    Ok(r.doc)
}

impl Reader<'_> {
    fn blocks(&mut self, parent: Node) {
        for n in parent.children() {
            if is(n, "p") {
                self.paragraphs += 1;
                let place = Place::paragraph(self.paragraphs);
                let para = self.paragraph(n, &place);
                self.doc.blocks.push(Block::Para(para));
            } else if is(n, "tbl") {
                self.tables += 1;
                let t = self.table(n);
                self.doc.blocks.push(Block::Table(t));
            } else if is(n, "sdt") {
                if let Some(c) = child(n, "sdtContent") {
                    self.blocks(c);
                }
            } else if is(n, "customXml") || is(n, "ins") {
                self.blocks(n);
            }
        }
    }

    fn paragraph(&mut self, p: Node, place: &Place) -> Para {
        let ppr = child(p, "pPr");
        let style = ppr
            .and_then(|x| child(x, "pStyle"))
            .and_then(|s| val(s, "val"));
        let base = self.styles.look(style);
        let align = match ppr.and_then(|x| child(x, "jc")).and_then(|j| val(j, "val")) {
            Some("center") => Align::Center,
            Some("right" | "end") => Align::Right,
            Some(_) => Align::Left,
            None => Align::Unknown,
        };
        let mut runs = Vec::new();
        self.runs(p, &base, place, &mut runs);
        let num = ppr
            .and_then(numbering_of)
            .or_else(|| self.styles.numbering(style))
            .filter(|(id, _)| id != "0");
        if let Some(label) = num.and_then(|(id, level)| self.numbering.next(&id, level)) {
            let face = runs
                .first()
                .map_or_else(|| base.face(), |r: &Run| r.face.clone());
            runs.insert(0, Run { text: label, face });
        }
        Para {
            runs,
            align,
            place: place.clone(),
            at_margin: false,
        }
    }

    fn runs(&mut self, parent: Node, base: &Look, place: &Place, out: &mut Vec<Run>) {
        for n in parent.children().filter(Node::is_element) {
            let name = n.tag_name().name();
            if is(n, "r") {
                let rpr = child(n, "rPr");
                let style = rpr
                    .and_then(|x| child(x, "rStyle"))
                    .and_then(|s| val(s, "val"));
                let look = Look::of(rpr).over(&self.styles.look(style).over(base));
                let mut text = String::new();
                for c in n.children().filter(Node::is_element) {
                    match c.tag_name().name() {
                        "t" if is(c, "t") => text += c.text().unwrap_or(""),
                        "tab" => text.push(' '),
                        "br" if val(c, "type") != Some("page") => text.push('\n'),
                        "cr" => text.push('\n'),
                        "noBreakHyphen" => text.push('-'),
                        "drawing" | "pict" | "object" => {
                            let boxed = c.descendants().any(|d| is(d, "txbxContent"));
                            let what = if boxed {
                                "文本框"
                            } else {
                                "图片或图形"
                            };
                            self.doc.notes.push(Note::new(
                                place,
                                format!("这里有{what}，其中的内容未导入（印章图片可在数据文件的 [signature] 下用 seal 指定）"),
                            ));
                        }
                        _ => {}
                    }
                }
                if !text.is_empty() {
                    out.push(Run {
                        text,
                        face: look.face(),
                    });
                }
            } else if is(n, "del") || is(n, "moveFrom") || name == "Fallback" {
                continue;
            } else if matches!(
                name,
                "hyperlink"
                    | "ins"
                    | "moveTo"
                    | "smartTag"
                    | "customXml"
                    | "fldSimple"
                    | "sdt"
                    | "sdtContent"
                    | "AlternateContent"
                    | "Choice"
            ) {
                self.runs(n, base, place, out);
            }
        }
    }

    fn table(&mut self, t: Node) -> Table {
        let place = Place::default().in_table(self.tables, None);
        let mut rows = Vec::new();
        for (ri, tr) in t.children().filter(|c| is(*c, "tr")).enumerate() {
            let row_place = Place::default().in_table(self.tables, Some(ri + 1));
            let before = child(tr, "trPr")
                .and_then(|p| child(p, "gridBefore"))
                .and_then(|g| val(g, "val"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut cells = Vec::new();
            for tc in tr.children().filter(|c| is(*c, "tc")) {
                let tcpr = child(tc, "tcPr");
                let span = tcpr
                    .and_then(|p| child(p, "gridSpan"))
                    .and_then(|g| val(g, "val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1usize);
                let covered = tcpr
                    .and_then(|p| child(p, "vMerge"))
                    .is_some_and(|m| val(m, "val").is_none_or(|v| v == "continue"));
                let mut lines = Vec::new();
                for p in tc.children().filter(|c| is(*c, "p")) {
                    let para = self.paragraph(p, &row_place);
                    lines.push(para.text());
                }
                cells.push(Cell {
                    text: lines.join("\n").trim().to_string(),
                    col: 0,
                    span,
                    covered,
                });
            }
            place_cells(&mut cells, before);
            rows.push(Row {
                cells,
                place: row_place,
            });
        }
        Table { rows, place }
    }
}
