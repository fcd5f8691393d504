//! A spanned tree of the data file, the same for TOML and JSON.
//!
//! The typed report is read from this tree rather than through serde so that
//! every problem (unknown key, wrong type, bad number) can be reported at
//! once, in Chinese, pointing at the exact key or value.

use std::ops::Range;

use crate::diag::{Diagnostic, Diagnostics, Source};

#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Str(String),
    /// Numbers keep their source text so decimals stay exactly as written.
    Int(String),
    Float(String),
    Bool(bool),
    Date(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Kind {
    /// The type's name as a clerk would read it in a message.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Str(_) => "文本",
            Kind::Int(_) => "整数",
            Kind::Float(_) => "小数",
            Kind::Bool(_) => "布尔值",
            Kind::Date(_) => "日期",
            Kind::Array(_) => "数组",
            Kind::Table(_) => "表",
        }
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Table(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
}

/// An integer as TOML writes it: `_` separators, a sign, `0x`/`0o`/`0b`.
pub fn parse_int(raw: &str) -> Option<i64> {
    let cleaned: String = raw.chars().filter(|&c| c != '_').collect();
    let (neg, digits) = match cleaned.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(b) = digits.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Parses TOML into a tree; syntax errors come back as diagnostics.
pub fn parse_toml(src: &Source) -> Result<Node, Diagnostics> {
    use toml::de::{DeTable, DeValue};
    let (root, errors) = DeTable::parse_recoverable(&src.text);
    if let Some(e) = errors.first() {
        // Only the first syntax error: the ones after it mostly follow
        // from it. A known typing mistake on the way there is named
        // instead, with the corrected text.
        let line = e.span().map_or(usize::MAX, |s| {
            src.text[..s.start.min(src.text.len())]
                .matches('\n')
                .count()
        });
        let mut out = Diagnostics::default();
        let d = match super::advice::first_mistake(&src.text, line) {
            Some(a) => Diagnostic::error(format!("写法有误：{}", a.message))
                .at(src, a.span)
                .hint(a.fix),
            None => {
                let msg = format!("TOML 语法错误：{}", explain_toml(e.message().trim_end()));
                match e.span() {
                    Some(span) => Diagnostic::error(msg).at(src, span),
                    None => Diagnostic::error(msg).in_file(&src.path),
                }
            }
        };
        out.push(d);
        return Err(out);
    }

    fn convert(value: &DeValue<'_>, span: Range<usize>, text: &str) -> Node {
        let kind = match value {
            DeValue::String(s) => Kind::Str(s.to_string()),
            DeValue::Integer(i) => Kind::Int(i.as_str().to_string()),
            DeValue::Float(f) => Kind::Float(f.as_str().to_string()),
            DeValue::Boolean(b) => Kind::Bool(*b),
            DeValue::Datetime(d) => Kind::Date(d.to_string()),
            DeValue::Array(items) => Kind::Array(
                items
                    .iter()
                    .map(|v| convert(v.get_ref(), v.span(), text))
                    .collect(),
            ),
            DeValue::Table(t) => Kind::Table(convert_table(t, text)),
        };
        Node { span, kind }
    }
    fn convert_table(t: &toml::de::DeTable<'_>, text: &str) -> Vec<Entry> {
        let mut entries: Vec<Entry> = t
            .iter()
            .map(|(k, v)| Entry {
                key: k.get_ref().to_string(),
                key_span: k.span(),
                value: convert(v.get_ref(), v.span(), text),
            })
            .collect();
        entries.sort_by_key(|e| e.key_span.start);
        entries
    }

    let span = root.span();
    Ok(Node {
        span,
        kind: Kind::Table(convert_table(root.get_ref(), &src.text)),
    })
}

/// Parses JSON into the same tree.
pub fn parse_json(src: &Source) -> Result<Node, Diagnostics> {
    let mut p = JsonParser {
        text: &src.text,
        pos: 0,
        depth: 0,
    };
    let result = p.skip_ws().and_then(|_| p.value()).and_then(|v| {
        p.skip_ws()?;
        if p.pos < p.text.len() {
            return Err(p.err("JSON 值之后还有多余内容"));
        }
        Ok(v)
    });
    result.map_err(|(msg, span)| {
        Diagnostic::error(format!("JSON 语法错误: {msg}"))
            .at(src, span)
            .into()
    })
}

/// Deep enough for any real report, shallow enough that hostile input cannot
/// exhaust the stack.
const MAX_DEPTH: usize = 64;

struct JsonParser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

type JsonResult<T> = Result<T, (String, Range<usize>)>;

impl JsonParser<'_> {
    fn err(&self, msg: &str) -> (String, Range<usize>) {
        (msg.to_string(), self.pos..self.pos + 1)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> JsonResult<()> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
        Ok(())
    }

    fn expect(&mut self, b: u8) -> JsonResult<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("此处应为 '{}'", b as char)))
        }
    }

    fn value(&mut self) -> JsonResult<Node> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => {
                self.enter()?;
                let t = self.object()?;
                self.depth -= 1;
                Kind::Table(t)
            }
            Some(b'[') => {
                self.enter()?;
                let a = self.array()?;
                self.depth -= 1;
                Kind::Array(a)
            }
            Some(b'"') => Kind::Str(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => return Err(self.err("不支持 null，请删去该项或填写数值")),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            None => return Err(self.err("文件意外结束")),
            Some(_) => return Err(self.err("此处应为 JSON 值")),
        };
        Ok(Node {
            span: start..self.pos,
            kind,
        })
    }

    fn enter(&mut self) -> JsonResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("嵌套层数过深"));
        }
        self.pos += 1;
        Ok(())
    }

    fn literal(&mut self, word: &str, kind: Kind) -> JsonResult<Kind> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.err("无法识别的值"))
        }
    }

    fn number(&mut self) -> JsonResult<Kind> {
        let start = self.pos;
        let mut is_float = false;
        while let Some(b) = self.peek() {
            match b {
                b'0'..=b'9' | b'-' | b'+' => {}
                b'.' | b'e' | b'E' => is_float = true,
                _ => break,
            }
            self.pos += 1;
        }
        let raw = self.text[start..self.pos].to_string();
        if raw.parse::<f64>().is_err() {
            return Err((format!("无效的数字 '{raw}'"), start..self.pos));
        }
        Ok(if is_float {
            Kind::Float(raw)
        } else {
            Kind::Int(raw)
        })
    }

    fn string(&mut self) -> JsonResult<String> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(("字符串没有结束引号".into(), start..self.pos));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.text[self.pos..].chars().next() else {
                        return Err(self.err("字符串意外结束"));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.text[self.pos..].starts_with("\\u") {
                                    return Err(self.err("不成对的 UTF-16 代理项"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("不成对的 UTF-16 代理项"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return Err(self.err("无效的 \\u 转义")),
                            }
                        }
                        _ => return Err(self.err("无效的转义序列")),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(("字符串中有未转义的控制字符".into(), self.pos - 1..self.pos))
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> JsonResult<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.err("无效的 \\u 转义"))?;
        self.pos += 4;
        Ok(v)
    }

    fn array(&mut self) -> JsonResult<Vec<Node>> {
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            self.skip_ws()?;
            items.push(self.value()?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => return Err(self.err("此处应为 ',' 或 ']'")),
            }
        }
    }

    fn object(&mut self) -> JsonResult<Vec<Entry>> {
        let mut entries: Vec<Entry> = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(entries);
        }
        loop {
            self.skip_ws()?;
            if self.peek() != Some(b'"') {
                return Err(self.err("此处应为带引号的键名"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            if entries.iter().any(|e| e.key == key) {
                return Err((format!("键 '{key}' 重复出现"), key_span));
            }
            self.skip_ws()?;
            self.expect(b':')?;
            self.skip_ws()?;
            let value = self.value()?;
            entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(entries);
                }
                _ => return Err(self.err("此处应为 ',' 或 '}'")),
            }
        }
    }
}

/// The parser's message in the clerk's language, with the original kept
/// for anyone searching the TOML documentation.
pub fn explain_toml(msg: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "invalid multi-line basic string",
            "多行文本没有正确结束（应以 \"\"\" 结尾，行尾续行用 \\）",
        ),
        ("invalid basic string", "文本缺少结尾的英文双引号 \""),
        ("invalid literal string", "文本缺少结尾的英文单引号 '"),
        ("string values must be quoted", "文字必须写在英文双引号里"),
        ("duplicate key", "同一项写了两次"),
        ("key with no value", "这一项缺少等号和值"),
        ("unclosed table", "表名缺少右方括号 ]"),
        ("unclosed array", "数组缺少右方括号 ]"),
        ("unclosed inline table", "缺少右花括号 }"),
        (
            "unexpected key or value",
            "一行只能写一项（多余的内容，或缺少逗号、换行）",
        ),
        ("unexpected leading zero", "数字不能以 0 开头"),
        ("invalid float", "数字格式不对"),
        ("unquoted keys cannot be empty", "等号前缺少名称"),
    ];
    match KNOWN.iter().find(|(en, _)| msg.starts_with(en)) {
        Some((_, zh)) => format!("{zh}（{msg}）"),
        None => format!("此处的写法数据文件不认识（{msg}）"),
    }
}
