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
//! <pagebreak/>
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

use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Kind, Source};
use crate::doc::heading_level;
use crate::doc::style::MM;
use crate::doc::{
    Align, Block, Cell, Document, Image, Joint, Meta, Paragraph, Role, Rule, Run, StyleSheet, Table,
};
use crate::files::Files;
use crate::picture::Picture;

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
    let nodes = Parser {
        src,
        pos: 0,
        depth: 0,
    }
    .nodes(None)?;
    Builder {
        src,
        style,
        pictures,
    }
    .document(nodes)
}

/// Largest picture file read.
const MAX_PICTURE_BYTES: u64 = 20 * 1024 * 1024;

struct Parser<'a> {
    src: &'a Source,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn text(&self) -> &str {
        &self.src.text
    }

    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error(format!("模板输出的标记有误: {}", msg.into())).at(self.src, span)
    }

    /// Parses nodes until the closing tag of `parent` (or the end).
    fn nodes(&mut self, parent: Option<&str>) -> Result<Vec<Node>, Diagnostic> {
        let mut out = Vec::new();
        loop {
            let rest = &self.text()[self.pos..];
            if rest.is_empty() {
                return match parent {
                    Some(p) => {
                        Err(self.err(self.pos..self.pos, format!("<{p}> 没有结束标记 </{p}>")))
                    }
                    None => Ok(out),
                };
            }
            if rest.starts_with("<!--") {
                let end = rest
                    .find("-->")
                    .ok_or_else(|| self.err(self.pos..self.pos + 4, "注释没有结束"))?;
                self.pos += end + 3;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</") {
                let len = after
                    .find('>')
                    .ok_or_else(|| self.err(self.pos..self.pos + 2, "结束标记没有 '>'"))?;
                let name = after[..len].trim();
                let span = self.pos..self.pos + len + 3;
                return match parent {
                    Some(p) if p == name => {
                        self.pos = span.end;
                        Ok(out)
                    }
                    Some(p) => Err(self.err(span, format!("此处应为 </{p}>，而不是 </{name}>"))),
                    None => Err(self.err(span, format!("多余的结束标记 </{name}>"))),
                };
            }
            if rest.starts_with('<') {
                out.push(Node::Element(self.element()?));
                continue;
            }
            let start = self.pos;
            let len = rest.find('<').unwrap_or(rest.len());
            self.pos += len;
            let decoded = self.decode(start..self.pos)?;
            out.push(Node::Text(decoded, start..self.pos));
        }
    }

    fn element(&mut self) -> Result<Element, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let name = self.name();
        if name.is_empty() {
            return Err(self.err(start..start + 1, "'<' 后应为标记名；文本中的 < 应写作 &lt;"));
        }
        let mut attrs = Vec::new();
        loop {
            self.skip_ws();
            let rest = &self.text()[self.pos..];
            if rest.starts_with("/>") {
                self.pos += 2;
                return Ok(Element {
                    name,
                    attrs,
                    children: Vec::new(),
                    span: start..self.pos,
                });
            }
            if rest.starts_with('>') {
                self.pos += 1;
                break;
            }
            let astart = self.pos;
            let aname = self.name();
            if aname.is_empty() {
                return Err(self.err(self.pos..self.pos + 1, format!("<{name}> 的属性写法有误")));
            }
            self.skip_ws();
            if !self.text()[self.pos..].starts_with('=') {
                return Err(self.err(astart..self.pos, format!("属性 {aname} 需要 =\"值\"")));
            }
            self.pos += 1;
            self.skip_ws();
            if !self.text()[self.pos..].starts_with('"') {
                return Err(self.err(
                    self.pos..self.pos + 1,
                    format!("属性 {aname} 的值要用双引号括起"),
                ));
            }
            let vstart = self.pos + 1;
            let vlen = self.text()[vstart..]
                .find('"')
                .ok_or_else(|| self.err(astart..vstart, "属性值没有结束引号"))?;
            let value = self.decode(vstart..vstart + vlen)?;
            self.pos = vstart + vlen + 1;
            attrs.push((aname, value, astart..self.pos));
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(start..self.pos, "标记嵌套过深"));
        }
        let children = self.nodes(Some(&name))?;
        self.depth -= 1;
        Ok(Element {
            name,
            attrs,
            children,
            span: start..self.pos,
        })
    }

    fn name(&mut self) -> String {
        let rest = &self.src.text[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        let name = rest[..len].to_string();
        self.pos += len;
        name
    }

    fn skip_ws(&mut self) {
        let rest = &self.text()[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn decode(&self, span: Range<usize>) -> Result<String, Diagnostic> {
        let raw = &self.text()[span.clone()];
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find(['&', '>']) {
            out.push_str(&rest[..i]);
            let at = span.start + (raw.len() - rest.len()) + i;
            if rest[i..].starts_with('>') {
                out.push('>');
                rest = &rest[i + 1..];
                continue;
            }
            let semi = rest[i..].find(';').filter(|&n| n <= 10);
            let Some(semi) = semi else {
                return Err(self.err(at..at + 1, "文本中的 & 应写作 &amp;"));
            };
            let entity = &rest[i + 1..i + semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            match c {
                Some(c) => out.push(c),
                None => {
                    return Err(self.err(at..at + semi + 1, format!("不认识的字符实体 &{entity};")))
                }
            }
            rest = &rest[i + semi + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

struct Builder<'a> {
    src: &'a Source,
    style: StyleSheet,
    pictures: Option<(&'a Path, &'a dyn Files)>,
}

impl Builder<'_> {
    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error(format!("模板输出的标记有误: {}", msg.into())).at(self.src, span)
    }

    fn document(self, nodes: Vec<Node>) -> Result<Document, Diagnostic> {
        let mut meta = Meta {
            language: "zh-CN".into(),
            ..Meta::default()
        };
        let blocks = self.blocks(nodes, &mut meta, false)?;
        let too_long = |chars: usize| {
            self.err(
                0..0,
                format!("文档的文字超过 {MAX_TEXT_CHARS} 个字符的上限（共 {chars} 个），不予排印"),
            )
        };
        let doc = Document {
            meta,
            style: self.style.clone(),
            blocks,
        };
        let chars = doc.text_chars();
        if chars > MAX_TEXT_CHARS {
            return Err(too_long(chars));
        }
        Ok(doc)
    }

    /// The blocks of the document, or of a `<foot>` (`in_foot`), where
    /// only text, rules and blank lines may stand.
    fn blocks(
        &self,
        nodes: Vec<Node>,
        meta: &mut Meta,
        in_foot: bool,
    ) -> Result<Vec<Block>, Diagnostic> {
        let mut blocks = Vec::new();
        for node in nodes {
            let el = match node {
                Node::Text(t, span) => {
                    if t.trim().is_empty() {
                        continue;
                    }
                    return Err(self.err(span, "文字必须放在 <p>、<h1> 等标记之内"));
                }
                Node::Element(el) => el,
            };
            self.known_attrs(&el)?;
            if blocks.len() >= MAX_BLOCKS {
                return Err(self.err(
                    el.span.clone(),
                    format!("文档超过 {MAX_BLOCKS} 个段落、标题和表格的上限，不予排印"),
                ));
            }
            match el.name.as_str() {
                "meta" => {
                    meta.title = el.attr("title").unwrap_or_default().to_string();
                    meta.author = el.attr("author").unwrap_or_default().to_string();
                    meta.subject = el.attr("subject").unwrap_or_default().to_string();
                    meta.keywords = el
                        .attr("keywords")
                        .map(|k| {
                            k.split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Some(l) = el.attr("lang") {
                        meta.language = l.to_string();
                    }
                    if let Some(d) = el.attr("date").filter(|d| !d.is_empty()) {
                        let date = crate::data::date::Date::parse(d).ok_or_else(|| {
                            self.err(el.span.clone(), format!("meta 的 date 不是日期: {d}"))
                        })?;
                        meta.date = Some((date.year, date.month, date.day));
                    }
                }
                "title" => {
                    let mut lines = vec![String::new()];
                    for child in &el.children {
                        match child {
                            Node::Text(t, _) => {
                                lines.last_mut().expect("non-empty").push_str(&collapse(t))
                            }
                            Node::Element(e) if e.name == "br" => lines.push(String::new()),
                            Node::Element(e) => {
                                return Err(self.err(e.span.clone(), "<title> 中只能有文字和 <br/>"))
                            }
                        }
                    }
                    let lines: Vec<String> = lines
                        .into_iter()
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect();
                    if lines.is_empty() {
                        return Err(self.err(el.span.clone(), "<title> 是空的"));
                    }
                    blocks.push(Block::Title(lines));
                }
                "h1" | "h2" | "h3" | "h4" => {
                    let level = el.name.as_bytes()[1] - b'0';
                    let text = self.plain_text(&el)?;
                    blocks.push(Block::Heading { level, text });
                }
                "p" => blocks.push(Block::Paragraph(self.paragraph(&el)?)),
                "table" => blocks.push(Block::Table(self.table(&el)?)),
                "pagebreak" => blocks.push(Block::PageBreak),
                "signature" => blocks.push(Block::Signature {
                    agency: el.attr("agency").unwrap_or_default().to_string(),
                    date: el.attr("date").unwrap_or_default().to_string(),
                    seal: self.seal(&el)?,
                }),
                "rule" => blocks.push(Block::Rule(self.rule(&el)?)),
                "blank" => {
                    let lines = match el.attr("lines") {
                        None => 1,
                        Some(n) => n
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=22).contains(n))
                            .ok_or_else(|| self.err(el.span.clone(), "lines 应为 1–22 的整数"))?,
                    };
                    blocks.push(Block::Blank(lines));
                }
                "ends" => blocks.push(self.ends(&el)?),
                "joint" => blocks.push(self.joint(&el)?),
                "image" => {
                    let Some(image) = self.picture(&el, "src", "width", 100.0)? else {
                        return Err(self.err(el.span.clone(), "<image> 需要 src（图片文件）"));
                    };
                    blocks.push(Block::Image {
                        image,
                        align: self.align(&el, Align::Center)?,
                    });
                }
                "foot" if !in_foot => {
                    let even = match el.attr("even") {
                        None | Some("false") => false,
                        Some("true") => true,
                        Some(_) => {
                            return Err(self.err(el.span.clone(), "even 只能是 true 或 false"))
                        }
                    };
                    let inner = self.blocks(el.children.clone(), meta, true)?;
                    blocks.push(Block::Foot {
                        blocks: inner,
                        even,
                    });
                }
                other => return Err(self.err(el.span.clone(), format!("不认识的标记 <{other}>"))),
            }
            if in_foot
                && !matches!(
                    blocks.last(),
                    Some(
                        Block::Paragraph(_) | Block::Rule(_) | Block::Blank(_) | Block::Ends { .. }
                    )
                )
            {
                return Err(self.err(
                    el.span.clone(),
                    "<foot> 中只能有 <p>、<rule/>、<blank/> 和 <ends/>",
                ));
            }
        }
        Ok(blocks)
    }

    /// `<ends left="…" right="…"/>`, or with `<left>` and `<right>`
    /// children whose text may hold `<span role="…">` runs.
    fn ends(&self, el: &Element) -> Result<Block, Diagnostic> {
        let role = self.role(el, Role::Body)?;
        let run = |text: &str| {
            let text = text.trim();
            (!text.is_empty())
                .then(|| Run {
                    role,
                    text: text.to_string(),
                })
                .into_iter()
                .collect::<Vec<_>>()
        };
        let (mut left, mut right) = (
            run(el.attr("left").unwrap_or_default()),
            run(el.attr("right").unwrap_or_default()),
        );
        for child in &el.children {
            match child {
                Node::Text(t, span) if !t.trim().is_empty() => {
                    return Err(
                        self.err(span.clone(), "<ends> 中的文字应放在 <left> 或 <right> 之内")
                    )
                }
                Node::Text(..) => {}
                Node::Element(e) if e.name == "left" || e.name == "right" => {
                    let mut runs = Vec::new();
                    for c in &e.children {
                        match c {
                            Node::Text(t, _) => runs.push(Run {
                                role,
                                text: collapse(t),
                            }),
                            Node::Element(s) if s.name == "span" => {
                                self.known_attrs(s)?;
                                runs.push(Run {
                                    role: self.role(s, role)?,
                                    text: self.plain_text(s)?,
                                });
                            }
                            Node::Element(s) => {
                                return Err(self.err(
                                    s.span.clone(),
                                    format!("<{}> 中只能有文字和 <span>", e.name),
                                ))
                            }
                        }
                    }
                    if let Some(first) = runs.first_mut() {
                        first.text = first.text.trim_start().to_string();
                    }
                    if let Some(last) = runs.last_mut() {
                        last.text = last.text.trim_end().to_string();
                    }
                    runs.retain(|r| !r.text.is_empty());
                    if e.name == "left" {
                        left = runs;
                    } else {
                        right = runs;
                    }
                }
                Node::Element(e) => {
                    return Err(self.err(e.span.clone(), "<ends> 中只能有 <left> 和 <right>"))
                }
            }
        }
        Ok(Block::Ends {
            left,
            right,
            inset: self.chars(el, "inset")?,
            space: self.mm(el, "space", 0.0..=50.0)?,
        })
    }

    /// `<joint suffix="文件" role="mark" top="35"><name>…</name>…</joint>`.
    fn joint(&self, el: &Element) -> Result<Block, Diagnostic> {
        let mut names = Vec::new();
        for child in &el.children {
            match child {
                Node::Text(t, span) if !t.trim().is_empty() => {
                    return Err(self.err(span.clone(), "<joint> 中的机关名称应放在 <name> 之内"))
                }
                Node::Text(..) => {}
                Node::Element(e) if e.name == "name" => {
                    self.known_attrs(e)?;
                    let text = self.plain_text(e)?;
                    if !text.is_empty() {
                        names.push(text);
                    }
                }
                Node::Element(e) => return Err(self.err(e.span.clone(), "<joint> 中只能有 <name>")),
            }
        }
        if names.is_empty() {
            return Err(self.err(el.span.clone(), "<joint> 中至少要有一个 <name>"));
        }
        Ok(Block::Joint(Joint {
            names,
            suffix: el.attr("suffix").unwrap_or_default().trim().to_string(),
            role: self.role(el, Role::Mark)?,
            top: self.mm(el, "top", 0.0..=200.0)?,
        }))
    }

    /// A `role` attribute: the style role the text is set in.
    fn role(&self, el: &Element, default: Role) -> Result<Role, Diagnostic> {
        match el.attr("role") {
            None => Ok(default),
            Some(key) => Role::from_key(key).ok_or_else(|| {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                self.err(
                    el.span.clone(),
                    format!("role 只能是 {}，而不是 {key}", all.join("、")),
                )
            }),
        }
    }

    /// A length in characters (`inset="1"`), 0 when absent.
    fn chars(&self, el: &Element, name: &str) -> Result<f32, Diagnostic> {
        match el.attr(name) {
            None => Ok(0.0),
            Some(v) => v
                .parse::<f32>()
                .ok()
                .filter(|v| (0.0..=20.0).contains(v))
                .ok_or_else(|| self.err(el.span.clone(), format!("{name} 应为 0–20 个字"))),
        }
    }

    /// A length in millimetres within `range`, as points.
    fn mm(
        &self,
        el: &Element,
        name: &str,
        range: std::ops::RangeInclusive<f32>,
    ) -> Result<Option<f32>, Diagnostic> {
        let Some(v) = el.attr(name) else {
            return Ok(None);
        };
        v.parse::<f32>()
            .ok()
            .filter(|v| range.contains(v))
            .map(|v| Some(v * crate::doc::style::MM))
            .ok_or_else(|| {
                self.err(
                    el.span.clone(),
                    format!("{name} 应为 {}–{} 毫米之间的数", range.start(), range.end()),
                )
            })
    }

    /// The seal picture of `<signature seal="path" seal-size="mm">`; `seal=""`
    /// is no seal.
    fn seal(&self, el: &Element) -> Result<Option<Image>, Diagnostic> {
        self.picture(el, "seal", "seal-size", 42.0)
    }

    /// A picture named by attribute `src`, `size` its width in mm (else
    /// `default`), read from the data file's folder.
    fn picture(
        &self,
        el: &Element,
        src: &str,
        size: &str,
        default: f32,
    ) -> Result<Option<Image>, Diagnostic> {
        let Some(rel) = el.attr(src).map(str::trim).filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let max = self.style.text_width() / MM;
        let width = self.mm(el, size, 5.0..=max)?.unwrap_or(default * MM);
        let what = if src == "seal" {
            "印章图片"
        } else {
            "图片"
        };
        let fail = |why: String| {
            Diagnostic::error(format!("{what}「{rel}」{why}"))
                .kind(Kind::Picture)
                .hint("图片应为数据文件所在文件夹（或其子文件夹）中的 PNG（可带透明背景）、JPEG 或 SVG，路径相对于数据文件")
        };
        crate::data::inside_folder(rel).map_err(|why| fail(why.to_string()))?;
        let Some((base, files)) = self.pictures else {
            return Err(fail("无法读取：没有数据文件所在的文件夹".into()));
        };
        let bytes = files
            .read(&base.join(rel), MAX_PICTURE_BYTES)
            .map_err(|d| fail(format!("无法读取：{}", d.message)))?;
        let picture = Picture::read(bytes, width).map_err(fail)?;
        let height = width * picture.height as f32 / picture.width as f32;
        if height > self.style.text_height() {
            return Err(fail(format!(
                "按 {:.0} 毫米宽排印时比版心还高（{}×{} 像素）",
                width / MM,
                picture.width,
                picture.height
            )));
        }
        Ok(Some(Image {
            picture: std::sync::Arc::new(picture),
            width,
            height,
        }))
    }

    fn rule(&self, el: &Element) -> Result<Rule, Diagnostic> {
        let color = match el.attr("color") {
            None => [0, 0, 0],
            Some(c) => crate::doc::style::parse_hex(c).ok_or_else(|| {
                self.err(el.span.clone(), "color 应为 6 位十六进制颜色，例如 FF0000")
            })?,
        };
        Ok(Rule {
            thickness: self
                .mm(el, "thickness", 0.05..=5.0)?
                .unwrap_or(0.25 * crate::doc::style::MM),
            below_text: self.mm(el, "below", 0.0..=50.0)?,
            length: self.mm(el, "length", 1.0..=1000.0)?,
            color,
            second: match self.mm(el, "second", 0.05..=5.0)? {
                Some(t) => Some((t, self.mm(el, "gap", 0.0..=10.0)?.unwrap_or(0.5 * MM))),
                None => None,
            },
            page_bottom: self.mm(el, "page-bottom", 0.0..=150.0)?,
        })
    }

    fn known_attrs(&self, el: &Element) -> Result<(), Diagnostic> {
        let allowed: &[&str] = match el.name.as_str() {
            "meta" => &["title", "author", "subject", "keywords", "lang", "date"],
            "p" => &[
                "align", "indent", "role", "inset", "hang", "left", "top", "page-top", "space",
                "fit",
            ],
            "rule" => &[
                "thickness",
                "below",
                "length",
                "color",
                "second",
                "gap",
                "page-bottom",
            ],
            "blank" => &["lines"],
            "ends" => &["left", "right", "role", "inset", "space"],
            "joint" => &["suffix", "role", "top"],
            "image" => &["src", "width", "align"],
            "span" => &["role"],
            "foot" => &["even"],
            "lead" => &["level"],
            "table" => &["widths", "header-rows"],
            "tr" => &["keep"],
            "td" | "th" => &["colspan", "rowspan", "align", "shade"],
            "signature" => &["agency", "date", "seal", "seal-size"],
            _ => &[],
        };
        for (k, _, span) in &el.attrs {
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(span.clone(), format!("<{}> 没有属性 {k}", el.name)));
            }
        }
        Ok(())
    }

    fn plain_text(&self, el: &Element) -> Result<String, Diagnostic> {
        let mut s = String::new();
        for child in &el.children {
            match child {
                Node::Text(t, _) => s.push_str(&collapse(t)),
                Node::Element(e) if e.name == "br" => s.push('\n'),
                Node::Element(e) => {
                    return Err(self.err(e.span.clone(), format!("<{}> 中只能有文字", el.name)));
                }
            }
        }
        Ok(s.trim().to_string())
    }

    fn align(&self, el: &Element, default: Align) -> Result<Align, Diagnostic> {
        Ok(match el.attr("align") {
            None => default,
            Some("justify") => Align::Justify,
            Some("left") => Align::Left,
            Some("center") => Align::Center,
            Some("right") => Align::Right,
            Some(other) => {
                return Err(self.err(
                    el.span.clone(),
                    format!("align 只能是 justify/left/center/right，而不是 {other}"),
                ))
            }
        })
    }

    fn paragraph(&self, el: &Element) -> Result<Paragraph, Diagnostic> {
        let base = self.role(el, Role::Body)?;
        let mut runs: Vec<Run> = Vec::new();
        let mut push = |role: Role, text: String| {
            if text.is_empty() {
                return;
            }
            match runs.last_mut() {
                Some(r) if r.role == role => r.text.push_str(&text),
                _ => runs.push(Run { role, text }),
            }
        };
        for child in &el.children {
            match child {
                Node::Text(t, _) => push(base, collapse(t)),
                Node::Element(e) if e.name == "lead" => {
                    self.known_attrs(e)?;
                    let text = self.plain_text(e)?;
                    let level = match e.attr("level") {
                        Some(l) => l
                            .parse::<u8>()
                            .ok()
                            .filter(|l| (1..=4).contains(l))
                            .ok_or_else(|| self.err(e.span.clone(), "level 只能是 1–4"))?,
                        None => heading_level(&text).unwrap_or(2),
                    };
                    push(Role::heading(level), text);
                }
                Node::Element(e) => {
                    return Err(self.err(e.span.clone(), format!("<p> 中不能有 <{}>", e.name)))
                }
            }
        }
        if let Some(first) = runs.first_mut() {
            first.text = first.text.trim_start().to_string();
        }
        if let Some(last) = runs.last_mut() {
            last.text = last.text.trim_end().to_string();
        }
        runs.retain(|r| !r.text.is_empty());
        let indent = match el.attr("indent") {
            None | Some("2") => true,
            Some("0") => false,
            Some(other) => {
                return Err(self.err(
                    el.span.clone(),
                    format!("indent 只能是 0 或 2，而不是 {other}"),
                ))
            }
        };
        Ok(Paragraph {
            runs,
            align: self.align(el, Align::Justify)?,
            indent,
            inset: self.chars(el, "inset")?,
            hang: self.chars(el, "hang")?,
            left: self.chars(el, "left")?,
            top: match self.mm(el, "page-top", 0.0..=250.0)? {
                Some(_) if el.attr("top").is_some() => {
                    return Err(self.err(el.span.clone(), "top 与 page-top 只能给一个"));
                }
                Some(t) => Some(t - self.style.page.margin_top_mm * MM),
                None => self.mm(el, "top", 0.0..=200.0)?,
            },
            anchored: el.attr("page-top").is_some(),
            space: self.mm(el, "space", 0.0..=50.0)?,
            fit: match el.attr("fit") {
                None | Some("false") => false,
                Some("true") => true,
                Some(_) => return Err(self.err(el.span.clone(), "fit 只能是 true 或 false")),
            },
        })
    }

    fn table(&self, el: &Element) -> Result<Table, Diagnostic> {
        let weights: Vec<f32> = match el.attr("widths") {
            Some(w) => w
                .split(',')
                .map(|x| {
                    x.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|v| *v > 0.0 && v.is_finite())
                })
                .collect::<Option<Vec<f32>>>()
                .ok_or_else(|| {
                    self.err(el.span.clone(), "widths 应为逗号分隔的正数，例如 3,2,2,2")
                })?,
            None => {
                return Err(self.err(el.span.clone(), "<table> 需要 widths 属性（各列相对宽度）"))
            }
        };
        let ncols = weights.len();
        let sum: f32 = weights.iter().sum();
        let text_width = self.style.text_width();
        let widths: Vec<f32> = weights.iter().map(|w| w / sum * text_width).collect();
        let header_rows = match el.attr("header-rows") {
            Some(h) => h
                .parse::<usize>()
                .map_err(|_| self.err(el.span.clone(), "header-rows 应为整数"))?,
            None => 0,
        };
        let shade_default = self.style.shade();

        let mut occupied: Vec<Vec<bool>> = Vec::new();
        let mut keep_with_next = Vec::new();
        let mut cells = Vec::new();
        let mut row = 0;
        for child in &el.children {
            let tr = match child {
                Node::Text(t, span) if !t.trim().is_empty() => {
                    return Err(self.err(span.clone(), "表格中的文字必须放在 <td> 或 <th> 之内"))
                }
                Node::Text(..) => continue,
                Node::Element(e) if e.name == "tr" => e,
                Node::Element(e) => {
                    return Err(self.err(
                        e.span.clone(),
                        format!("<table> 中只能有 <tr>，而不是 <{}>", e.name),
                    ))
                }
            };
            self.known_attrs(tr)?;
            let keep = match tr.attr("keep") {
                None => false,
                Some("next") => true,
                Some(other) => {
                    return Err(self.err(
                        tr.span.clone(),
                        format!("keep 只能是 next（与下一行排在同一页），而不是 {other}"),
                    ))
                }
            };
            // Empty rows count against the cap as much as full ones.
            if (row + 1) * ncols > MAX_TABLE_CELLS {
                return Err(self.err(
                    tr.span.clone(),
                    format!("表格过大：超过 {MAX_TABLE_CELLS} 个单元格"),
                ));
            }
            keep_with_next.push(keep);
            if occupied.len() <= row {
                occupied.push(vec![false; ncols]);
            }
            let mut col = 0;
            for c in &tr.children {
                let td = match c {
                    Node::Text(t, span) if !t.trim().is_empty() => {
                        return Err(self.err(span.clone(), "表格中的文字必须放在 <td> 或 <th> 之内"))
                    }
                    Node::Text(..) => continue,
                    Node::Element(e) if e.name == "td" || e.name == "th" => e,
                    Node::Element(e) => {
                        return Err(self.err(
                            e.span.clone(),
                            format!("<tr> 中只能有 <td>/<th>，而不是 <{}>", e.name),
                        ))
                    }
                };
                self.known_attrs(td)?;
                while col < ncols && occupied[row][col] {
                    col += 1;
                }
                let span_attr = |name: &str| -> Result<usize, Diagnostic> {
                    match td.attr(name) {
                        None => Ok(1),
                        Some(v) => v
                            .parse::<usize>()
                            .ok()
                            .filter(|n| (1..=1000).contains(n))
                            .ok_or_else(|| {
                                self.err(td.span.clone(), format!("{name} 应为 1–1000 的整数"))
                            }),
                    }
                };
                let (colspan, rowspan) = (span_attr("colspan")?, span_attr("rowspan")?);
                if col + colspan > ncols {
                    return Err(self.err(
                        td.span.clone(),
                        format!(
                            "第 {} 行的单元格超出表格的 {ncols} 列（从第 {} 列起跨 {colspan} 列）",
                            row + 1,
                            col + 1
                        ),
                    ));
                }
                if (row + rowspan) * ncols > MAX_TABLE_CELLS {
                    return Err(self.err(
                        td.span.clone(),
                        format!("表格过大：超过 {MAX_TABLE_CELLS} 个单元格"),
                    ));
                }
                while occupied.len() < row + rowspan {
                    occupied.push(vec![false; ncols]);
                }
                for (r, line) in occupied.iter_mut().enumerate().skip(row).take(rowspan) {
                    for (c, slot) in line.iter_mut().enumerate().skip(col).take(colspan) {
                        if *slot {
                            return Err(self.err(
                                td.span.clone(),
                                format!(
                                    "单元格与上方跨行的单元格重叠（第 {} 行第 {} 列）",
                                    r + 1,
                                    c + 1
                                ),
                            ));
                        }
                        *slot = true;
                    }
                }
                let header = td.name == "th";
                let shade = match td.attr("shade") {
                    None => None,
                    Some("") => shade_default,
                    Some(hex) => Some(crate::doc::style::parse_hex(hex).ok_or_else(|| {
                        self.err(td.span.clone(), "shade 应为 6 位十六进制颜色，例如 C6D9F1")
                    })?),
                };
                cells.push(Cell {
                    row,
                    col,
                    rowspan,
                    colspan,
                    role: if header {
                        Role::TableHeader
                    } else {
                        Role::Table
                    },
                    text: self.plain_text(td)?,
                    align: self.align(td, Align::Center)?,
                    shade,
                });
                col += colspan;
            }
            row += 1;
        }
        let rows = occupied.len();
        // Rows made only by a rowspan reaching below the last <tr>.
        keep_with_next.resize(rows, false);
        for (r, line) in occupied.iter().enumerate() {
            if let Some(c) = line.iter().position(|o| !o) {
                return Err(self.err(
                    el.span.clone(),
                    format!(
                        "表格第 {} 行第 {} 列没有单元格（每行应填满 {ncols} 列）",
                        r + 1,
                        c + 1
                    ),
                ));
            }
        }
        if rows == 0 {
            return Err(self.err(el.span.clone(), "表格没有行"));
        }
        if header_rows >= rows {
            return Err(self.err(el.span.clone(), "header-rows 应少于表格的行数"));
        }
        // A header row may not be cut by a cell reaching into the body.
        if let Some(c) = cells
            .iter()
            .find(|c| c.row < header_rows && c.row + c.rowspan > header_rows)
        {
            return Err(self.err(
                el.span.clone(),
                format!("表头单元格「{}」跨入了表体", c.text),
            ));
        }
        Ok(Table {
            widths,
            header_rows,
            rows,
            keep_with_next,
            cells,
        })
    }
}

/// Whitespace that came from template line breaks disappears next to
/// Chinese text and becomes one space between Latin words.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() && c != '\u{a0}' && c != '\u{3000}' {
            let mut has_newline = c == '\n';
            while let Some(&n) = chars.peek() {
                if n.is_whitespace() && n != '\u{a0}' && n != '\u{3000}' {
                    has_newline |= n == '\n';
                    chars.next();
                } else {
                    break;
                }
            }
            let prev_ascii = out.chars().last().is_none_or(|p| p.is_ascii());
            let next_ascii = chars.peek().is_none_or(|n| n.is_ascii());
            if !has_newline || (prev_ascii && next_ascii) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}
