//! Bounds on template source checked before minijinja compiles it: the
//! compiler and renderer recurse once per nested expression term and block,
//! so a 120 KB chain of `~` or thousands of nested `{% if %}` would
//! overflow the stack and abort the whole batch.

use crate::diag::{Diagnostic, Source};

/// Longest `{{ … }}` or `{% … %}` tag, in characters; real tags are a
/// line or a short list.
pub const MAX_TAG_CHARS: usize = 10_000;
/// Deepest nesting of blocks (`if`, `for`, `macro` …) and of brackets in
/// one tag.
pub const MAX_NESTING: usize = 100;

const BLOCKS: &[&str] = &[
    "if",
    "for",
    "macro",
    "call",
    "filter",
    "with",
    "block",
    "raw",
    "autoescape",
];

pub fn check(src: &Source) -> Result<(), Diagnostic> {
    let text = &*src.text;
    let mut depth = 0usize;
    let mut pos = 0;
    while let Some(off) = text[pos..].find('{') {
        let start = pos + off;
        let rest = &text[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            pos = start + 1;
            continue;
        };
        let end = rest.find(close).map_or(text.len(), |e| start + e + 2);
        let tag = &text[start..end];
        let err = |msg: String| Diagnostic::error(msg).at(src, start..start + 2);
        if close != "#}" && tag.chars().count() > MAX_TAG_CHARS {
            return Err(err(format!(
                "模板标记过长（超过 {MAX_TAG_CHARS} 个字符），不予编译"
            ))
            .hint("把长表达式拆成几个 {% set %}，或把数据放进数据文件"));
        }
        if close != "#}" {
            let mut nest = 0usize;
            let mut deepest = 0usize;
            let mut quote: Option<char> = None;
            let inner = tag.get(2..tag.len().saturating_sub(2)).unwrap_or("");
            for c in inner.chars() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '(' | '[' | '{') => {
                        nest += 1;
                        deepest = deepest.max(nest);
                    }
                    (None, ')' | ']' | '}') => nest = nest.saturating_sub(1),
                    _ => {}
                }
            }
            if deepest > MAX_NESTING {
                return Err(err(format!(
                    "模板表达式的括号嵌套超过 {MAX_NESTING} 层，不予编译"
                )));
            }
        }
        if close == "%}" {
            let word = tag[2..]
                .trim_start_matches(['-', '+'])
                .split_whitespace()
                .next()
                .unwrap_or("");
            if BLOCKS.contains(&word) || (word == "set" && !tag.contains('=')) {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(err(format!(
                        "模板的块（if、for 等）嵌套超过 {MAX_NESTING} 层，不予编译"
                    )));
                }
            } else if word.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
        }
        pos = end.max(start + 1);
    }
    Ok(())
}
