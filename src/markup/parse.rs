//! The markup's text into elements: tags with their attributes, and text
//! with its entities decoded; nesting and closing tags checked.

use std::ops::Range;

use super::{Element, Node, MAX_DEPTH};
use crate::diag::{Diagnostic, Source};

pub(super) fn nodes(src: &Source) -> Result<Vec<Node>, Diagnostic> {
    Parser {
        src,
        pos: 0,
        depth: 0,
    }
    .nodes(None)
}

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
