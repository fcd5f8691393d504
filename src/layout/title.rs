//! Breaking a title wider than the text block. GB/T 9704 7.3.3 wants a
//! multi-line title broken between words, keeping names whole, and set as
//! a 梯形 or 菱形 — never a short line over a long one.
//!
//! Where words begin comes from a word segmenter (jieba) with a dictionary
//! of its own: the commoner words of jieba's (frequency ≥ 100) and the
//! vocabulary of 公文 titles. The document's own names (its agencies) and
//! 《…》 titles are kept whole besides. Of the ways to set the title in the
//! fewest lines that break only between words, the one chosen costs least:
//! a break after the agency's name or before 「关于」 costs nothing, one
//! before 「的通知」 or after the year little, any other word boundary more;
//! lines are balanced, the first no shorter than the last.

use std::ops::Range;

use super::inline::{self, Unit};

/// The dictionary: `word frequency` lines sorted by the words' bytes, so
/// that a word is found by bisection, with nothing built first.
const WORDS: &str = include_str!("data/words.txt");

/// The sum of the dictionary's frequencies, by which jieba weighs a word.
const TOTAL: usize = 57_223_005;

/// The dictionary's longest word, in characters.
const LONGEST: usize = 15;

/// What a line more than the fewest costs.
const EXTRA_LINE: f32 = 12.0;

/// Most lines the search below tries; a longer title is broken line by line.
const MAX_LINES: usize = 4;

/// What a lookup of `word` in [`WORDS`] found: its frequency if it is a
/// word, and whether some longer word begins with it.
fn lookup(word: &str) -> (Option<usize>, bool) {
    let bytes = WORDS.as_bytes();
    // Both ends stay at the start of a line (or the end of the text).
    let (mut lo, mut hi) = (0, bytes.len());
    let line_at = |start: usize| {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| start + p);
        let (w, f) = WORDS[start..end]
            .split_once(' ')
            .unwrap_or((&WORDS[start..end], ""));
        (w, f, end + 1)
    };
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let (w, _, next) = line_at(start);
        if w < word {
            lo = next;
        } else {
            hi = start;
        }
    }
    if lo >= bytes.len() {
        return (None, false);
    }
    let (w, f, next) = line_at(lo);
    if w != word {
        return (None, w.starts_with(word));
    }
    let longer = next < bytes.len() && line_at(next).0.starts_with(word);
    (f.parse().ok(), longer)
}

/// A segmenter that holds only the dictionary's words found in `text`,
/// and their total: it cuts `text` as one holding the whole dictionary
/// does (jieba weighs a word by its frequency against the total and looks
/// up no word the text does not contain), without the 10 ms it takes to
/// build one of 36,000 words.
fn segmenter(text: &[char]) -> jieba_rs::Jieba {
    let mut jieba = jieba_rs::Jieba::empty();
    let mut known = 0;
    let mut word = String::new();
    for i in 0..text.len() {
        word.clear();
        for &c in text[i..].iter().take(LONGEST) {
            word.push(c);
            let (freq, longer) = lookup(&word);
            if let Some(f) = freq {
                if !jieba.has_word(&word) {
                    known += jieba.add_word(&word, Some(f), None);
                }
            }
            if !longer {
                break;
            }
        }
    }
    // The rest of the total, on a word the text does not hold.
    if let Some(other) = ('\u{E000}'..='\u{F8FF}').find(|c| !text.contains(c)) {
        jieba.add_word(
            other.encode_utf8(&mut [0; 4]),
            Some(TOTAL.saturating_sub(known)),
            None,
        );
    }
    jieba
}

/// Cost of breaking a title before each character (index 0 unused):
/// `None` where no break may go at all, [`INSIDE`] inside a word or name.
const INSIDE: f32 = 1000.0;

/// Words ending a title that a break may go before (…｜的通知).
const KINDS: [&str; 14] = [
    "的通知",
    "的意见",
    "的函",
    "的复函",
    "的批复",
    "的报告",
    "的请示",
    "的决定",
    "的通报",
    "的公告",
    "的通告",
    "的纪要",
    "的方案",
    "的办法",
];

/// Characters a name of a place or an agency ends in; a number before
/// 年/月/日 stays with it.
const UNITS: &str = "年月日号时";

fn costs(text: &[char], names: &[String]) -> Vec<Option<f32>> {
    let n = text.len();
    let mut cost = vec![Some(6.0f32); n + 1];
    cost[0] = None;
    cost[n] = None;
    for i in 1..n {
        if !inline::break_allowed(text[i - 1], text[i]) {
            cost[i] = None;
        }
    }
    let s: String = text.iter().collect();
    // Inside a word: only when nothing else fits.
    let mut at = 0;
    for tok in segmenter(text).cut(&s, true) {
        let len = tok.word.chars().count();
        for c in cost.iter_mut().skip(at + 1).take(len.saturating_sub(1)) {
            if c.is_some() {
                *c = Some(INSIDE);
            }
        }
        // A lone character of a compound (…局, …区) is better kept with
        // the word before it.
        if len == 1 && at > 0 && !"的和与及对在关".contains(text[at]) {
            if let Some(c) = cost[at].as_mut() {
                *c += 4.0;
            }
        }
        at += len;
    }
    let find_all = |pat: &[char], f: &mut dyn FnMut(usize)| {
        if pat.is_empty() || pat.len() > n {
            return;
        }
        for i in 0..=n - pat.len() {
            if text[i..i + pat.len()] == *pat {
                f(i);
            }
        }
    };
    // The document's names, whole; a break right after one is the best.
    for name in names {
        let pat: Vec<char> = name.chars().collect();
        if pat.len() < 2 {
            continue;
        }
        find_all(&pat, &mut |i| {
            for c in cost.iter_mut().skip(i + 1).take(pat.len() - 1) {
                if c.is_some() {
                    *c = Some(INSIDE);
                }
            }
            if let Some(c) = cost[i + pat.len()].as_mut() {
                *c = c.min(0.0);
            }
        });
    }
    // 《…》 whole unless longer than a line (then its own words decide).
    let mut open = None;
    for (i, &c) in text.iter().enumerate() {
        match c {
            '《' => open = Some(i),
            '》' => {
                if let Some(o) = open.take() {
                    for c in cost.iter_mut().skip(o + 1).take(i - o) {
                        if let Some(c) = c.as_mut() {
                            *c += 40.0;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // A number and its 年/月/日 stay together: 2019年度 is one word.
    for i in 1..n {
        if text[i - 1].is_ascii_digit() && UNITS.contains(text[i]) {
            cost[i] = None;
        }
        if i >= 2 && text[i - 2].is_ascii_digit() && text[i - 1] == '年' && text[i] == '度' {
            cost[i] = None;
        }
    }
    let prefer = |cost: &mut [Option<f32>], i: usize, v: f32| {
        if let Some(c) = cost[i].as_mut() {
            if *c < INSIDE {
                *c = c.min(v);
            }
        }
    };
    for i in 1..n {
        let rest: String = text[i..].iter().collect();
        if rest.starts_with("关于") {
            prefer(&mut cost, i, 0.0);
        }
        if KINDS.iter().any(|k| rest == *k) {
            prefer(&mut cost, i, 1.0);
        }
        // Words that lean on the one before: 春节｜期间 reads as cut.
        if ["期间", "以来", "之间", "方面", "有关", "相关"]
            .iter()
            .any(|w| rest.starts_with(w))
        {
            if let Some(c) = cost[i].as_mut() {
                *c += 8.0;
            }
        }
        if rest.starts_with("政府信息公开") {
            prefer(&mut cost, i, 2.0);
        }
        // After the year: 2020年｜, 2019年度｜.
        let year = |j: usize| j >= 2 && text[j - 2].is_ascii_digit() && text[j - 1] == '年';
        if year(i) && text[i] != '度' || i >= 1 && text[i - 1] == '度' && year(i - 1) {
            prefer(&mut cost, i, 2.0);
        }
    }
    cost
}

/// The title's lines, as ranges of `units`, each no wider than `width`.
pub fn break_title(units: &[Unit], width: f32, names: &[String]) -> Vec<Range<usize>> {
    let n = units.len();
    let total = inline::width(units);
    if total <= width + 0.01 || n < 2 {
        return std::iter::once(0..n).collect();
    }
    let text: Vec<char> = units.iter().map(|u| u.ch).collect();
    let cost = costs(&text, names);
    let em = units[0].size.max(1.0);
    // Prefix widths, so a line's width is one subtraction.
    let mut pre = vec![0.0f32; n + 1];
    for (i, u) in units.iter().enumerate() {
        pre[i + 1] = pre[i] + u.adv;
    }
    let w = |a: usize, b: usize| pre[b] - pre[a];
    let fits = |a: usize, b: usize| w(a, b) <= width + 0.01;
    let least = (total / width).ceil().max(2.0) as usize;
    let mut best_overall: Option<(f32, Vec<usize>)> = None;
    for k in least..=MAX_LINES {
        // Past the fewest lines that break between words, only one more is
        // tried: a line more for a title in shape (see [`shape`]).
        if best_overall
            .as_ref()
            .is_some_and(|(c, cuts)| *c < INSIDE && cuts.len() - 1 < k - 1)
        {
            break;
        }
        let mut cuts = Vec::with_capacity(k + 1);
        cuts.push(0);
        search(&mut cuts, k, n, &cost, &|a, b| fits(a, b), &mut |cuts| {
            let widths: Vec<f32> = cuts.windows(2).map(|p| w(p[0], p[1]) / em).collect();
            let chars: Vec<usize> = cuts.windows(2).map(|p| p[1] - p[0]).collect();
            let mut c: f32 = cuts[1..k].iter().map(|&i| cost[i].unwrap_or(INSIDE)).sum();
            c += shape(&widths, &chars) + EXTRA_LINE * (k - least) as f32;
            if best_overall.as_ref().is_none_or(|(b, _)| c < *b) {
                best_overall = Some((c, cuts.to_vec()));
            }
        });
    }
    match best_overall {
        Some((_, cuts)) => cuts.windows(2).map(|p| p[0]..p[1]).collect(),
        // Longer than MAX_LINES lines: broken as a paragraph is.
        None => inline::break_lines(units, width, width),
    }
}

/// Every way to cut `0..n` into `k` fitting lines at allowed breaks.
fn search(
    cuts: &mut Vec<usize>,
    k: usize,
    n: usize,
    cost: &[Option<f32>],
    fits: &dyn Fn(usize, usize) -> bool,
    found: &mut dyn FnMut(&[usize]),
) {
    let from = *cuts.last().expect("starts at 0");
    if cuts.len() == k {
        if fits(from, n) {
            cuts.push(n);
            found(cuts);
            cuts.pop();
        }
        return;
    }
    for b in from + 1..n {
        if !fits(from, b) {
            break;
        }
        if cost[b].is_none() {
            continue;
        }
        cuts.push(b);
        search(cuts, k, n, cost, fits, found);
        cuts.pop();
    }
}

/// What a set of line widths (in ems) costs: unbalanced lines a little, a
/// line longer than the one above it (an upside-down 梯形) much, a stub of
/// one or two characters (「函」 alone) most.
fn shape(widths: &[f32], chars: &[usize]) -> f32 {
    let k = widths.len();
    let mut c = 0.0;
    for &n in chars {
        if n <= 1 {
            c += 500.0;
        } else if n == 2 {
            c += 30.0;
        } else if n == 3 {
            c += 10.0;
        }
    }
    for i in 1..k {
        let (up, down) = (widths[i - 1], widths[i]);
        // A 菱形's middle line may be the longest; the last line never
        // outgrows the first.
        let diamond = k >= 3 && i < k - 1;
        if down > up + 0.5 && !diamond {
            c += 60.0 + 2.0 * (down - up);
        } else {
            c += 0.4 * (up - down).abs();
        }
    }
    if k >= 3 && widths[k - 1] > widths[0] + 0.5 {
        c += 60.0 + 2.0 * (widths[k - 1] - widths[0]);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<Unit> {
        s.chars()
            .map(|ch| Unit {
                ch,
                face: 0,
                size: 22.0,
                gid: 1,
                adv: if ch.is_ascii() { 11.0 } else { 22.0 },
                color: [0, 0, 0],
            })
            .collect()
    }

    #[test]
    fn the_dictionary_is_sorted_and_its_constants_hold() {
        let words: Vec<(&str, usize)> = WORDS
            .lines()
            .map(|l| {
                let (w, f) = l.split_once(' ').expect("word frequency");
                (w, f.parse().expect("a frequency"))
            })
            .collect();
        assert!(
            words.windows(2).all(|p| p[0].0 < p[1].0),
            "unsorted or twice"
        );
        assert_eq!(words.iter().map(|w| w.1).sum::<usize>(), TOTAL);
        assert_eq!(
            words.iter().map(|w| w.0.chars().count()).max(),
            Some(LONGEST)
        );
        // Words beginning with a word follow it.
        for (i, (w, f)) in words.iter().enumerate() {
            let longer = words.get(i + 1).is_some_and(|n| n.0.starts_with(w));
            assert_eq!(lookup(w), (Some(*f), longer), "{w}");
        }
        assert_eq!(lookup("政府信"), (None, true));
        assert_eq!(lookup("龢龢"), (None, false));
    }

    /// The segmenter of a title's own words cuts every title, and every
    /// stretch of a report's text, as jieba with the whole dictionary does.
    #[test]
    fn a_titles_segmenter_cuts_as_the_whole_dictionary() {
        let whole = jieba_rs::Jieba::with_dict(&mut WORDS.as_bytes()).unwrap();
        let titles = include_str!("../../tests/fixtures/layout/titles.txt");
        let reports = [
            include_str!("../../samples/zhanlang-2020.toml"),
            include_str!("../../samples/qinghe-market-2025.toml"),
            include_str!("../../tests/fixtures/kinds/notice.toml"),
        ];
        let mut texts: Vec<String> = titles
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split('|').next().unwrap().trim().to_string())
            .collect();
        for line in reports.iter().flat_map(|r| r.lines()) {
            let chars: Vec<char> = line.chars().collect();
            texts.extend(chars.chunks(48).map(|c| c.iter().collect::<String>()));
        }
        assert!(texts.len() > 200, "{}", texts.len());
        for t in &texts {
            let chars: Vec<char> = t.chars().collect();
            let words = |j: &jieba_rs::Jieba| -> Vec<String> {
                j.cut(t, true).iter().map(|w| w.word.to_string()).collect()
            };
            assert_eq!(words(&segmenter(&chars)), words(&whole), "{t}");
        }
    }

    /// The title broken to 20 characters of 2号 a line (156 mm).
    fn lines(s: &str, names: &[&str]) -> Vec<String> {
        let u = units(s);
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        break_title(&u, 442.2, &names)
            .into_iter()
            .map(|r| u[r].iter().map(|u| u.ch).collect())
            .collect()
    }

    #[test]
    fn a_year_stays_with_its_unit_and_the_first_line_is_longest() {
        let l = lines(
            "平潭综合实验区市场监督管理局2019年度政府信息公开工作年度报告",
            &["平潭综合实验区市场监督管理局"],
        );
        assert_eq!(
            l,
            [
                "平潭综合实验区市场监督管理局2019年度",
                "政府信息公开工作年度报告"
            ]
        );
    }

    #[test]
    fn the_break_goes_before_guanyu() {
        let l = lines(
            "福建省金融工作办公室关于做好2025年上半年金融风险排查工作的通知",
            &[],
        );
        assert_eq!(
            l,
            [
                "福建省金融工作办公室关于做好2025年",
                "上半年金融风险排查工作的通知"
            ]
        );
    }

    #[test]
    fn han_never_stands_alone() {
        let l = lines(
            "某某县发展和改革局关于青峰风电场项目核准有关事项的函",
            &["某某县发展和改革局"],
        );
        assert!(l.iter().all(|l| l.chars().count() > 2), "{l:?}");
        assert!(!l.concat().contains("青峰风电场") || l.iter().any(|l| l.contains("风电场")));
    }

    /// Titles of real agencies and subjects (街道、局、委员会、片区管理局、
    /// 联合行文), each with the words and names it holds that a reader
    /// would see cut.
    #[test]
    fn real_titles_break_between_words_in_shape() {
        let titles = include_str!("../../tests/fixtures/layout/titles.txt");
        let mut count = 0;
        for entry in titles
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut parts = entry.split('|');
            let title = parts.next().unwrap().trim();
            let words: Vec<&str> = parts.next().unwrap_or("").split_whitespace().collect();
            let l = lines(title, &[]);
            assert!(l.len() >= 2, "{title}: fits one line?");
            assert_eq!(l.concat(), title);
            // Breaks, as character offsets.
            let mut at = 0;
            let breaks: Vec<usize> = l[..l.len() - 1]
                .iter()
                .map(|x| {
                    at += x.chars().count();
                    at
                })
                .collect();
            let chars: Vec<char> = title.chars().collect();
            for w in &words {
                let wc: Vec<char> = w.chars().collect();
                for s in 0..=chars.len() - wc.len() {
                    if chars[s..s + wc.len()] == wc[..] {
                        for b in &breaks {
                            assert!(
                                !(s < *b && *b < s + wc.len()),
                                "{title}: 「{w}」 broken: {l:?}"
                            );
                        }
                    }
                }
            }
            let em = |x: &String| {
                x.chars()
                    .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                    .sum::<f32>()
            };
            assert!(
                l.iter().all(|x| x.chars().count() > 2),
                "{title}: a stub line: {l:?}"
            );
            assert!(
                em(l.last().unwrap()) <= em(&l[0]) + 0.5,
                "{title}: an upside-down 梯形: {l:?}"
            );
            count += 1;
        }
        assert!(count >= 20, "only {count} titles");
    }
}
