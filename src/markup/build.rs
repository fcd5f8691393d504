//! Elements into the blocks of the document model: styles cascaded from
//! the style sheet, lengths in points, every attribute checked, pictures
//! read through the caller's files. Tables are [`super::table`]'s.

use std::ops::Range;
use std::path::Path;

use super::{Element, Node, MAX_BLOCKS, MAX_TEXT_CHARS};
use crate::diag::{Diagnostic, Kind, Source};
use crate::doc::heading_level;
use crate::doc::style::MM;
use crate::doc::{
    Align, Block, Document, Image, Joint, Meta, Paragraph, Role, Rule, Run, StyleSheet,
};
use crate::files::Files;
use crate::picture::Picture;

/// Largest picture file read.
const MAX_PICTURE_BYTES: u64 = 20 * 1024 * 1024;

pub(super) fn document(
    src: &Source,
    style: StyleSheet,
    pictures: Option<(&Path, &dyn Files)>,
    nodes: Vec<Node>,
) -> Result<Document, Diagnostic> {
    Builder {
        src,
        style,
        pictures,
        turned: std::cell::Cell::new(false),
    }
    .document(nodes)
}

pub(super) struct Builder<'a> {
    src: &'a Source,
    pub(super) style: StyleSheet,
    pictures: Option<(&'a Path, &'a dyn Files)>,
    /// After a `<pagebreak orient="landscape">`: tables span the turned
    /// page's text block, as wide as the upright one is high.
    pub(super) turned: std::cell::Cell<bool>,
}

impl Builder<'_> {
    pub(super) fn err(&self, span: Range<usize>, msg: impl Into<String>) -> Diagnostic {
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
                "pagebreak" => {
                    let landscape = self.landscape(&el)?;
                    self.turned.set(landscape);
                    blocks.push(Block::PageBreak { landscape });
                }
                "signature" => blocks.push(Block::Signature {
                    agency: el.attr("agency").unwrap_or_default().to_string(),
                    date: el.attr("date").unwrap_or_default().to_string(),
                    seals: self.seals(&el)?,
                }),
                "signed" => blocks.push(self.signed(&el)?),
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
                        first.text = first.text.trim_start_matches(soft_space).to_string();
                    }
                    if let Some(last) = runs.last_mut() {
                        last.text = last.text.trim_end_matches(soft_space).to_string();
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
            leave: match el.attr("leave") {
                None => None,
                Some(n) => Some(
                    n.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|n| (0.0..=22.0).contains(n))
                        .ok_or_else(|| self.err(el.span.clone(), "leave 应为 0–22 之间的行数"))?,
                ),
            },
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

    /// The seal pictures of `<signature seal="path" seal-size="mm">`, one
    /// path a line (a joint document's seals, in the order of its names);
    /// `seal=""` is no seal. Several seals must be as many as the names.
    fn seals(&self, el: &Element) -> Result<Vec<Image>, Diagnostic> {
        let paths: Vec<&str> = el
            .attr("seal")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let names = crate::layout::signature_names(el.attr("agency").unwrap_or_default()).count();
        if paths.len() > 1 && paths.len() != names {
            return Err(self.err(
                el.span.clone(),
                format!(
                    "印章图片有 {} 个，发文机关署名有 {names} 个：联合行文时每个机关一枚印章，按署名的顺序排列；只由主办机关盖章时写一个",
                    paths.len()
                ),
            ));
        }
        let mut seals: Vec<(&str, Image)> = Vec::new();
        for rel in paths {
            // The same picture named again is read once.
            let image = match seals.iter().find(|(p, _)| *p == rel) {
                Some((_, i)) => i.clone(),
                None => self.picture_at(el, rel, "seal-size", 42.0, "印章图片")?,
            };
            seals.push((rel, image));
        }
        Ok(seals.into_iter().map(|(_, i)| i).collect())
    }

    /// `<signed title="省长" date="…" stamp="path" stamp-size="mm"/>`: the
    /// 职务 and 签名章 of a 令's 签发人. The stamp takes the name's place, so
    /// there is no element without one: a 令 without it prints the name as
    /// text.
    fn signed(&self, el: &Element) -> Result<Block, Diagnostic> {
        let Some(rel) = el.attr("stamp").map(str::trim).filter(|p| !p.is_empty()) else {
            return Err(self.err(el.span.clone(), "<signed> 需要 stamp（签名章图片）"));
        };
        let title = el.attr("title").unwrap_or_default().trim().to_string();
        if title.is_empty() {
            return Err(self.err(el.span.clone(), "<signed> 需要 title（签发人职务）"));
        }
        Ok(Block::Signed {
            title,
            date: el.attr("date").unwrap_or_default().trim().to_string(),
            stamp: self.picture_at(el, rel, "stamp-size", 30.0, "签名章图片")?,
        })
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
        self.picture_at(el, rel, size, default, "图片").map(Some)
    }

    /// The picture at `rel`, `what` naming it in messages.
    fn picture_at(
        &self,
        el: &Element,
        rel: &str,
        size: &str,
        default: f32,
        what: &str,
    ) -> Result<Image, Diagnostic> {
        let max = self.style.text_width() / MM;
        let width = self.mm(el, size, 5.0..=max)?.unwrap_or(default * MM);
        let fail = |why: String| {
            Diagnostic::error(format!("{what}「{rel}」{why}"))
                .kind(Kind::Picture)
                .hint("图片应为数据文件所在文件夹（或其子文件夹）中的 PNG（可带透明背景）、JPEG 或 SVG，路径相对于数据文件")
        };
        crate::data::inside_folder(rel).map_err(|why| fail(why.to_string()))?;
        let Some((base, files)) = self.pictures else {
            return Err(fail("无法读取：没有数据文件所在的文件夹".into()));
        };
        if files.leads_out(base, &base.join(rel)) {
            return Err(fail("是指向数据文件所在文件夹之外的链接，不予读取".into()));
        }
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
        Ok(Image {
            picture: std::sync::Arc::new(picture),
            width,
            height,
        })
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

    /// `orient` of a `<pagebreak>`: whether the pages after it are turned.
    fn landscape(&self, el: &Element) -> Result<bool, Diagnostic> {
        match el.attr("orient") {
            None | Some("portrait") => Ok(false),
            Some("landscape") => Ok(true),
            Some(_) => Err(self.err(
                el.span.clone(),
                "orient 只能是 portrait（竖排）或 landscape（横排）",
            )),
        }
    }

    pub(super) fn known_attrs(&self, el: &Element) -> Result<(), Diagnostic> {
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
            "joint" => &["suffix", "role", "top", "leave"],
            "image" => &["src", "width", "align"],
            "span" => &["role"],
            "foot" => &["even"],
            "pagebreak" => &["orient"],
            "lead" => &["level"],
            "table" => &["widths", "header-rows", "continued"],
            "tr" => &["keep"],
            "td" | "th" => &["colspan", "rowspan", "align", "shade"],
            "signature" => &["agency", "date", "seal", "seal-size"],
            "signed" => &["title", "date", "stamp", "stamp-size"],
            _ => &[],
        };
        for (k, _, span) in &el.attrs {
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(span.clone(), format!("<{}> 没有属性 {k}", el.name)));
            }
        }
        Ok(())
    }

    pub(super) fn plain_text(&self, el: &Element) -> Result<String, Diagnostic> {
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
        Ok(s.trim_matches(soft_space).to_string())
    }

    pub(super) fn align(&self, el: &Element, default: Align) -> Result<Align, Diagnostic> {
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
}

/// Whitespace that came from template line breaks disappears next to
/// Chinese text and becomes one space between Latin words.
/// Markup's own spacing, trimmed at the edges; an ideographic or
/// no-break space is the template's text (a blank left for handwriting).
fn soft_space(c: char) -> bool {
    c.is_whitespace() && c != '\u{a0}' && c != '\u{3000}'
}

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
