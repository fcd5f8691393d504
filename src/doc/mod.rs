//! The resolved document model: what both the PDF and the DOCX writer read.
//! Everything is decided here: roles, numbering, table spans; lengths are in
//! points. Neither writer interprets markup or data.

pub mod dump;
pub mod style;

pub use style::{Role, StyleSheet};

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub meta: Meta,
    pub style: StyleSheet,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    pub language: String,
    /// Creation date written into the files; never the clock.
    pub date: Option<(i32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title, one entry per line as the template gave them; a single
    /// long line is balanced by the layout.
    Title(Vec<String>),
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Paragraph),
    Table(Table),
    /// A new page. `landscape`: the pages from here to the next break are
    /// a 横排 part (GB/T 9704 clause 8): the sheet stays A4 portrait with
    /// its page number where every other page has it, and the text turned
    /// a quarter so that its top lies along the sheet's left edge (the
    /// binding edge of an odd page, the cut edge of an even one).
    PageBreak {
        landscape: bool,
    },
    /// 发文机关署名 and 成文日期, placed per GB/T 9704 7.3.5.2, or with
    /// seals per 7.3.5.1: none, one, or one for each agency of a joint
    /// document in the order of the names.
    Signature {
        agency: String,
        date: String,
        seals: Vec<Image>,
    },
    /// The 签发人's 职务 and 签名章 with the 成文日期 under them, for a
    /// document a single agency issues under its head's name (命令（令）),
    /// placed per GB/T 9704 7.3.5.3 two blank lines under the text.
    Signed {
        title: String,
        date: String,
        stamp: Image,
    },
    /// A horizontal rule (the red 版头 rule, the 版记 rules).
    Rule(Rule),
    /// Empty body lines (空二行).
    Blank(u32),
    /// One line with text at both ends (印发机关 … 印发日期; 发文字号 …
    /// 签发人：姓名, the name in 楷体).
    Ends {
        left: Vec<Run>,
        right: Vec<Run>,
        /// Characters kept free at each side.
        inset: f32,
        /// As [`Paragraph::space`].
        space: Option<f32>,
    },
    /// A picture on lines of its own (a chart, a scanned form), the lines
    /// after it back on the body grid.
    Image {
        image: Image,
        align: Align,
    },
    /// 联合行文's 发文机关标志: the issuers' names one a line, each spread to
    /// the widest, with the suffix (「文件」) at their right, centred on
    /// them (GB/T 9704 7.2.4).
    Joint(Joint),
    /// Blocks set at the foot of the last page (the 版记), the last one on
    /// the text block's lower edge.
    Foot {
        blocks: Vec<Block>,
        /// On an even page (the back of the last sheet), with a blank page
        /// before it when needed; neither is numbered then.
        even: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Joint {
    pub names: Vec<String>,
    pub suffix: String,
    pub role: Role,
    /// As [`Paragraph::top`].
    pub top: Option<f32>,
    /// Body lines to leave free under the names on their page: the names
    /// are set tighter, then smaller (not below the body's size), until
    /// they do, so that many agencies still leave the title and the
    /// body's start on the first page.
    pub leave: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub thickness: f32,
    /// Distance from the bottom edge of the text above to the rule's
    /// centre, when the rule is placed by it; else the rule takes its own
    /// thickness in the flow.
    pub below_text: Option<f32>,
    /// Length, centred; the text width when absent.
    pub length: Option<f32>,
    pub color: [u8; 3],
    /// A double line: the second line's thickness and the gap between the
    /// two lines' facing edges (信函格式's 红色双线).
    pub second: Option<(f32, f32)>,
    /// Set out of the flow, the lowest line's lower edge this far above the
    /// page's lower edge, on the page where the rule falls (信函格式: 距下页边
    /// 20 mm).
    pub page_bottom: Option<f32>,
}

impl Rule {
    /// The lines from the top: (thickness, offset of its centre from the
    /// first line's centre).
    pub fn lines(&self) -> Vec<(f32, f32)> {
        let mut v = vec![(self.thickness, 0.0)];
        if let Some((t, gap)) = self.second {
            v.push((t, self.thickness / 2.0 + gap + t / 2.0));
        }
        v
    }

    /// From the first line's top edge to the last line's lower edge.
    pub fn extent(&self) -> f32 {
        let (t, off) = *self.lines().last().expect("a line");
        self.thickness / 2.0 + off + t / 2.0
    }
}

/// A picture drawn at a given size (the 印章).
#[derive(Clone, PartialEq)]
pub struct Image {
    pub picture: std::sync::Arc<crate::picture::Picture>,
    /// Size on the page, in points.
    pub width: f32,
    pub height: f32,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Image({}, {:.1} × {:.1} pt)",
            self.picture.describe(),
            self.width,
            self.height
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub align: Align,
    /// First-line indent of two characters (the usual paragraph) or none.
    pub indent: bool,
    /// Characters kept free at each side (版记 左右各空一字).
    pub inset: f32,
    /// Characters the lines after the first start in (抄送 回行时与冒号后的首字对齐).
    pub hang: f32,
    /// Characters every line starts in (the second and later 附件 lines).
    pub left: f32,
    /// The text's top edge this far (pt) below the text block's top, on the
    /// page it starts (发文机关标志 35 mm): the space above grows to it.
    /// Negative (above the text block) only at the top of a page.
    pub top: Option<f32>,
    /// `top` was given from the page's top edge (信函格式's 发文机关标志 30 mm
    /// from the page top): the paragraph belongs to the page, not the flow.
    pub anchored: bool,
    /// The text's top edge this far (pt) below the lower edge of the rule
    /// above it, off the body grid (信函格式: 发文字号与双线的距离为 3号汉字
    /// 高度的 7/8).
    pub space: Option<f32>,
    /// Set smaller when wider than the line, so that it stays on one line
    /// (a long 发文机关标志).
    pub fit: bool,
}

impl Paragraph {
    pub fn new(runs: Vec<Run>, align: Align, indent: bool) -> Self {
        Paragraph {
            runs,
            align,
            indent,
            inset: 0.0,
            hang: 0.0,
            left: 0.0,
            top: None,
            anchored: false,
            space: None,
            fit: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub role: Role,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
    Right,
}

impl Align {
    pub fn name(self) -> &'static str {
        match self {
            Align::Justify => "justify",
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A table with spans resolved onto a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column widths in points; they sum to the text width.
    pub widths: Vec<f32>,
    /// Number of leading rows repeated after a page break.
    pub header_rows: usize,
    /// A label (续表) on a line of its own above the header rows where
    /// they are repeated on a later page.
    pub continued: Option<String>,
    pub rows: usize,
    /// Rows that must stay on the page of the row after them (a group's
    /// title row, a column-header row inside the body), one flag per row.
    /// [`crate::layout::table::row_keeps`] adds the rules every table has.
    pub keep_with_next: Vec<bool>,
    /// Cells in reading order (row by row, left to right).
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub role: Role,
    pub text: String,
    pub align: Align,
    /// Background colour, RGB.
    pub shade: Option<[u8; 3]>,
}

impl Document {
    /// Characters of text in all blocks.
    pub fn text_chars(&self) -> usize {
        self.blocks.iter().map(Block::text_chars).sum()
    }
}

impl Block {
    /// Each piece of text with the role it is set in.
    pub fn texts(&self, f: &mut dyn FnMut(Role, &str)) {
        match self {
            Block::Title(lines) => lines.iter().for_each(|l| f(Role::Title, l)),
            Block::Heading { level, text } => f(Role::heading(*level), text),
            Block::Paragraph(p) => p.runs.iter().for_each(|r| f(r.role, &r.text)),
            Block::Table(t) => {
                t.cells.iter().for_each(|c| f(c.role, &c.text));
                t.continued.iter().for_each(|l| f(Role::Body, l));
            }
            Block::Signature { agency, date, .. } => {
                f(Role::Body, agency);
                f(Role::Body, date);
            }
            Block::Signed { title, date, .. } => {
                f(Role::Body, title);
                f(Role::Body, date);
            }
            Block::Ends { left, right, .. } => {
                left.iter().chain(right).for_each(|r| f(r.role, &r.text))
            }
            Block::Foot { blocks, .. } => blocks.iter().for_each(|b| b.texts(f)),
            Block::Joint(j) => j
                .names
                .iter()
                .chain(std::iter::once(&j.suffix))
                .for_each(|t| f(j.role, t)),
            Block::PageBreak { .. } | Block::Rule(_) | Block::Blank(_) | Block::Image { .. } => {}
        }
    }

    pub fn text_chars(&self) -> usize {
        let n = |s: &str| s.chars().count();
        match self {
            Block::Title(lines) => lines.iter().map(|l| n(l)).sum(),
            Block::Heading { text, .. } => n(text),
            Block::Paragraph(p) => p.runs.iter().map(|r| n(&r.text)).sum(),
            Block::Table(t) => t.cells.iter().map(|c| n(&c.text)).sum(),
            Block::PageBreak { .. } | Block::Rule(_) | Block::Blank(_) | Block::Image { .. } => 0,
            Block::Signature { agency, date, .. } => n(agency) + n(date),
            Block::Signed { title, date, .. } => n(title) + n(date),
            Block::Ends { left, right, .. } => left.iter().chain(right).map(|r| n(&r.text)).sum(),
            Block::Foot { blocks, .. } => blocks.iter().map(Block::text_chars).sum(),
            Block::Joint(j) => j.names.iter().map(|t| n(t)).sum::<usize>() + n(&j.suffix),
        }
    }
}

impl Table {
    /// The cell that covers a grid position, if any.
    pub fn cell_at(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            (c.row..c.row + c.rowspan).contains(&row) && (c.col..c.col + c.colspan).contains(&col)
        })
    }
}

/// The level GB/T 9704 7.3.3 gives a numbering prefix: 一、 （一） 1. （1）.
pub fn heading_level(s: &str) -> Option<u8> {
    const CN: &str = "一二三四五六七八九十";
    let s = s.trim_start();
    let mut chars = s.chars();
    let first = chars.next()?;
    if CN.contains(first) {
        let rest: String = s.chars().skip_while(|c| CN.contains(*c)).take(1).collect();
        return (rest == "、").then_some(1);
    }
    if first == '（' || first == '(' {
        let inner: String = chars
            .clone()
            .take_while(|c| *c != '）' && *c != ')')
            .collect();
        if !inner.is_empty() && inner.chars().all(|c| CN.contains(c)) {
            return Some(2);
        }
        if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
            return Some(4);
        }
        return None;
    }
    if first.is_ascii_digit() {
        let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
        if rest.starts_with('.') || rest.starts_with('．') || rest.starts_with('、') {
            return Some(3);
        }
    }
    None
}
