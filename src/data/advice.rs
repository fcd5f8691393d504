//! Advice for the TOML mistakes clerks make with a Chinese input method or
//! a paste from Word: full-width digits, `＝` and spaces, Chinese commas in
//! an array, numbers separated by spaces, units and thousands separators
//! after numbers, dates written the Chinese way, Chinese quotes used as
//! TOML quotes, a `"""` text closed with `""`.
//!
//! The TOML parser's own message for these is about the token it could not
//! read ("string values must be quoted"), which sends a clerk in circles.
//! Here the line itself is looked at, and one message says what the
//! mistake is and shows the corrected text.

use std::ops::Range;

/// One mistake: where it is, what it is, and the corrected text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    pub span: Range<usize>,
    pub message: String,
    pub fix: String,
}

/// The first known mistake in `text` on a line no later than `until` (the
/// line of the parser's first error), if any.
pub fn first_mistake(text: &str, until: usize) -> Option<Advice> {
    let mut in_multiline: Option<(&str, usize, usize)> = None;
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some((quote, open_line, open_at)) = in_multiline {
            if body.contains(quote) {
                in_multiline = None;
            } else if looks_like_key_line(body) || body.trim_start().starts_with('[') {
                // The text never closed: the line before held the end.
                return Some(unclosed(text, quote, open_line, open_at, start));
            }
            continue;
        }
        if n > until {
            break;
        }
        if let Some(a) = line_mistake(body, start) {
            return Some(a);
        }
        // Multi-line texts: whatever follows an opening """ is text.
        for quote in ["\"\"\"", "'''"] {
            if let Some(i) = body.find(quote) {
                let after = &body[i + 3..];
                if !after.contains(quote) {
                    in_multiline = Some((quote, n, start + i));
                }
                break;
            }
        }
    }
    if let Some((quote, line, at)) = in_multiline {
        return Some(unclosed(text, quote, line, at, text.len()));
    }
    None
}

/// A `"""` text whose end is missing before `next`: the last line ending in
/// `""` or `"` is where the clerk meant to close it.
fn unclosed(text: &str, quote: &str, _line: usize, at: usize, next: usize) -> Advice {
    let region = &text[at..next];
    let mark = &quote[..1];
    let close = region
        .trim_end()
        .rfind(&quote[..2])
        .or_else(|| region.trim_end().rfind(mark));
    let q = if mark == "\"" {
        "英文双引号"
    } else {
        "英文单引号"
    };
    let message = format!("多行文字要以三个{q} {quote} 结束，这里没有结束");
    let Some(c) = close else {
        return Advice {
            span: at..at + 3,
            message,
            fix: format!("在文字末尾写 {quote}（三个{q}）"),
        };
    };
    // The clerk's closing quotes, and that line with three of them.
    let close_at = at + c;
    let run = text[close_at..]
        .chars()
        .take_while(|ch| ch.to_string() == mark)
        .count();
    let line_start = text[..close_at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[close_at..]
        .find('\n')
        .map_or(text.len(), |i| close_at + i);
    let fixed = format!(
        "{}{quote}{}",
        &text[line_start..close_at],
        &text[close_at + run..line_end]
    );
    Advice {
        span: close_at..close_at + run,
        message,
        fix: format!("改为：{}", strip_comment(fixed.trim())),
    }
}

fn looks_like_key_line(body: &str) -> bool {
    let t = body.trim_start();
    let key: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    !key.is_empty() && t[key.len()..].trim_start().starts_with(['=', '＝'])
}

/// Mistakes visible on one `key = value` line.
fn line_mistake(body: &str, start: usize) -> Option<Advice> {
    let t = body.trim_start();
    let indent = body.len() - t.len();
    if t.starts_with('#') || t.is_empty() {
        return None;
    }
    // A full-width space or ＝ in the key part.
    let key_end = t.find(['=', '＝']).unwrap_or(t.len());
    let key_part = &t[..key_end];
    if let Some(i) = key_part.find('\u{3000}') {
        let at = start + indent + i;
        return Some(Advice {
            span: at..at + '\u{3000}'.len_utf8(),
            message: "这一行有全角空格（中文输入法下的空格）".into(),
            fix: format!(
                "改为半角空格或删去：{}",
                strip_comment(&t.replace('\u{3000}', " ")).trim()
            ),
        });
    }
    if t[key_end..].starts_with('＝') {
        let at = start + indent + key_end;
        return Some(Advice {
            span: at..at + '＝'.len_utf8(),
            message: "等号用了全角的「＝」".into(),
            fix: format!(
                "改用半角等号：{}",
                strip_comment(&t.replacen('＝', "=", 1)).trim()
            ),
        });
    }
    if !looks_like_key_line(body) {
        return None;
    }
    let key = key_part.trim();
    let value_at = start + indent + key_end + 1;
    let raw = &t[key_end + 1..];
    let value = raw.trim_start();
    let value_at = value_at + (raw.len() - value.len());
    let value = strip_comment(value).trim_end();
    let span = value_at..value_at + value.len();
    let advice = |message: String, fixed: String| Advice {
        span: span.clone(),
        message,
        fix: format!("改为：{key} = {fixed}"),
    };
    if value.starts_with(['“', '”', '‘', '’', '「']) {
        let inner = value.trim_matches(['“', '”', '‘', '’', '「', '」']);
        return Some(advice(
            "文字两边用了中文引号，数据文件要用英文双引号 \" 把文字括起来".into(),
            format!("\"{inner}\""),
        ));
    }
    if value.starts_with(['"', '\'']) {
        return None;
    }
    let half = to_half_width_digits(value);
    if half != value {
        return Some(Advice {
            span,
            message: "数字用了全角数字（中文输入法下的数字）".into(),
            fix: format!("请改用半角数字：{key} = {half}"),
        });
    }
    if let Some(inner) = value.strip_prefix('[') {
        let inner = inner.trim_end_matches(']');
        if inner.contains(['，', '、', '；']) {
            let fixed: Vec<&str> = inner
                .split(['，', '、', '；', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            return Some(advice(
                "数组中的数字请用英文逗号分隔（这里用了中文逗号或顿号）".into(),
                format!("[{}]", fixed.join(", ")),
            ));
        }
        let parts: Vec<&str> = inner.split_whitespace().collect();
        if !inner.contains(',') && parts.len() > 1 && parts.iter().all(|p| is_number(p)) {
            return Some(advice(
                "数组中的数字请用英文逗号分隔（这里只用了空格）".into(),
                format!("[{}]", parts.join(", ")),
            ));
        }
        return None;
    }
    if let Some(date) = chinese_date(value) {
        return Some(advice(
            format!("日期「{value}」的写法数据文件不认识，成文日期要写成 年-月-日"),
            date,
        ));
    }
    let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() && digits.len() < value.len() {
        let rest = &value[digits.len()..];
        if rest.starts_with(',') && is_grouped(value) {
            return Some(advice(
                format!("数字「{value}」中不要用千位分隔符"),
                value.replace(',', ""),
            ));
        }
        let unit: String = rest.chars().take_while(|c| !c.is_ascii()).collect();
        if !unit.is_empty() && unit.len() == rest.trim_end().len() {
            return Some(advice(
                format!("数字后面不要写单位「{unit}」，只写数字"),
                digits,
            ));
        }
    }
    None
}

fn strip_comment(v: &str) -> &str {
    let mut quote = None;
    for (i, c) in v.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return &v[..i],
            _ => {}
        }
    }
    v
}

fn is_number(p: &str) -> bool {
    !p.is_empty()
        && p.trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
}

/// `1,286` or `12,345,678`: digit groups of three after the first.
fn is_grouped(v: &str) -> bool {
    let parts: Vec<&str> = v.split(',').collect();
    parts.len() > 1
        && parts[0].len() <= 3
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..].iter().all(|p| p.len() == 3)
}

fn to_half_width_digits(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '，' if v.contains(|d: char| ('０'..='９').contains(&d)) => ',',
            c => c,
        })
        .collect()
}

/// A count typed as text the way it is said or printed — `15件`, `1,086`,
/// `1，086`, `１０８６ 件` — and what to remove: a hint showing the number
/// and naming the separators and unit to leave out. `None` for any other
/// text.
pub fn number_in_text(typed: &str) -> Option<String> {
    let v = to_half_width_digits(typed.trim());
    let body = v.trim_end_matches(|c: char| !c.is_ascii_digit());
    let unit = v[body.len()..].trim();
    const SEPARATORS: [char; 4] = [',', '，', ' ', '　'];
    let plain = !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || SEPARATORS.contains(&c))
        && unit.chars().count() <= 3;
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !plain || digits.len() == v.len() {
        return None;
    }
    let mut remove: Vec<String> = Vec::new();
    let mut seps: Vec<char> = typed.chars().filter(|c| SEPARATORS.contains(c)).collect();
    seps.dedup();
    if !seps.is_empty() {
        let shown: String = seps.iter().map(|c| format!("「{c}」")).collect();
        remove.push(format!("千位分隔符或空格{shown}"));
    }
    if !unit.is_empty() {
        remove.push(format!("单位「{unit}」"));
    }
    Some(format!("只填数字 {digits}：去掉{}", remove.join("和")))
}

/// `2026.1.15`, `2026/1/15`, `2026-1-15`, `2026年1月15日` → `2026-01-15`.
pub fn chinese_date(v: &str) -> Option<String> {
    let parts: Vec<&str> = v
        .trim_end_matches('日')
        .split(['.', '/', '-', '年', '月'])
        .collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = (parts[0], parts[1], parts[2]);
    let canonical = format!("{y}-{:0>2}-{:0>2}", m, d);
    (y.len() == 4 && m.len() <= 2 && d.len() <= 2 && canonical != v).then_some(canonical)
}

/// The closest key by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'k>(key: &str, candidates: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(key, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (key.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_typed_as_text() {
        for (typed, hint) in [
            ("15件", "只填数字 15：去掉单位「件」"),
            ("1,086", "只填数字 1086：去掉千位分隔符或空格「,」"),
            ("1，086", "只填数字 1086：去掉千位分隔符或空格「，」"),
            (
                "１，０８６ 件",
                "只填数字 1086：去掉千位分隔符或空格「，」「 」和单位「件」",
            ),
        ] {
            assert_eq!(number_in_text(typed).as_deref(), Some(hint), "{typed}");
        }
        for other in ["十五", "2025年1月", "第15条", "15", "1.5", "-3", ""] {
            assert_eq!(number_in_text(other), None, "{other}");
        }
    }
}
