//! Inline layout: characters → glyph units → lines → positioned runs.
//!
//! Line breaking follows GB/T 15834-2011 §5.1: closing punctuation never
//! starts a line, opening punctuation never ends one, dashes and ellipses
//! stay whole, and digit/Latin runs (2020年, 12345) are not broken;
//! addresses (www.example.gov.cn/a/b) break only where typesetters break
//! them. A conflict is solved as Word and WPS solve it, so the DOCX breaks
//! its lines where the PDF does: a pause mark (、。，．) that would start
//! the next line stays at the end of this one, any other closing mark takes
//! the character before it over to the next line. A line holding such a
//! mark is kept inside the margin by squeezing its closing punctuation (up
//! to half an em each) or, failing that, by tightening its gaps slightly.

use std::ops::Range;

use super::frame::{Glyph, TextRun};
use crate::diag::{Diagnostic, Kind};
use crate::doc::{Align, Role, StyleSheet};
use crate::font::{FaceId, FontBook, Shaper};

/// May not begin a line (GB/T 15834 §5.1.1–5.1.3).
const NO_START: &str = "。，、；：？！）］｝】」』》〉〕”’….,;:?!)]}%％·・";
/// May not end a line (§5.1.4).
const NO_END: &str = "（［｛【「『《〈〔“‘([{";
/// Closing punctuation whose full-width glyph carries half an em of space
/// on its right, which can be given up to keep a line within the margin.
const SQUEEZABLE: &str = "。，、；：？！）］｝】」』》〉〕”’";
/// Opening punctuation, with half an em of space on its left to give up.
const SQUEEZABLE_OPENING: &str = "（［｛【「『《〈〔“‘";
/// Most characters pushed into a full line (by giving up punctuation
/// space) rather than carried to the next.
const MAX_PUSH_IN: usize = 8;
/// Marks that stay at the end of a full line instead of starting the next
/// (Word's and LibreOffice's hanging punctuation).
const HANGING: &str = "、。，．\u{3000}";
/// Most a line's gaps are tightened to keep a hanging mark inside, in ems.
const MAX_TIGHTEN: f32 = 0.05;

/// Most extra space justification puts between two characters, in ems.
pub const MAX_GAP: f32 = 0.25;

/// One character set in one face.
#[derive(Debug, Clone)]
pub struct Unit {
    pub ch: char,
    pub face: FaceId,
    pub size: f32,
    pub gid: u16,
    /// Advance in points, letter spacing included.
    pub adv: f32,
    pub color: [u8; 3],
}

impl Unit {
    fn squeeze(&self) -> f32 {
        if SQUEEZABLE.contains(self.ch) || SQUEEZABLE_OPENING.contains(self.ch) {
            self.size * 0.5
        } else {
            0.0
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_graphic() || matches!(c, '\u{a0}')
}

/// Whether a line may break between `a` and `b`.
pub fn break_allowed(a: char, b: char) -> bool {
    if b == ' ' || a == ' ' || a == '\u{3000}' {
        return true;
    }
    // An ideographic space (between names, after a label) ends its line
    // rather than starting the next, where it would show as an indent.
    if b == '\u{3000}' {
        return false;
    }
    if is_word(a) && is_word(b) {
        // Inside a word or number no break; inside a URL or e-mail address
        // where typesetters break one: after "/" (not inside "//") or "@",
        // after "." or "-" before a letter (so 7730.28 and 0517-87222589
        // stay whole), before "?".
        return match a {
            '/' => b != '/',
            '@' => true,
            '.' | '-' => b.is_ascii_alphabetic() && !b.is_ascii_digit(),
            _ => b == '?',
        };
    }
    if NO_START.contains(b) || NO_END.contains(a) {
        return false;
    }
    if (a == '—' && b == '—') || (a == '…' && b == '…') {
        return false;
    }
    true
}

/// Looks characters up in the role's face, falling back to the others.
/// A character no face has is an error naming it and where it stands.
pub fn shape(
    book: &FontBook,
    style: &StyleSheet,
    runs: &[(Role, &str)],
    tracking: f32,
) -> Result<Vec<Unit>, Diagnostic> {
    let shapers: Vec<Shaper<'_>> = book.faces.iter().map(Shaper::new).collect();
    shape_with(&shapers, book, style, runs, tracking)
}

/// As [`shape`], with a [`Shaper`] of each of the book's faces made once
/// for many runs: making them reads the font's tables, and was a tenth of
/// the layout's work when made for each of a report's hundreds of runs.
pub fn shape_with(
    shapers: &[Shaper<'_>],
    book: &FontBook,
    style: &StyleSheet,
    runs: &[(Role, &str)],
    tracking: f32,
) -> Result<Vec<Unit>, Diagnostic> {
    let mut units = Vec::new();
    for (role, text) in runs {
        let size = style.role(*role).size;
        let color = style.color(*role);
        let first = book.face_for(style, *role);
        for (i, ch) in text.char_indices() {
            let ch = match ch {
                '\t' | '\n' | '\r' => ' ',
                c => c,
            };
            let found = book
                .fallback_order(first)
                .find_map(|f| shapers[f].glyph(ch).map(|(gid, adv)| (f, gid, adv)))
                .or_else(|| (ch == ' ').then_some((first, 0, 0.25)));
            let Some((face, gid, adv)) = found else {
                return Err(missing_glyph(ch, text, i));
            };
            units.push(Unit {
                ch,
                face,
                size,
                gid,
                adv: adv * size + tracking,
                color,
            });
        }
    }
    Ok(units)
}

fn missing_glyph(ch: char, text: &str, at: usize) -> Diagnostic {
    let before: String = text[..at]
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[at..].chars().skip(1).take(12).collect();
    Diagnostic::error(format!(
        "字符「{ch}」（U+{:04X}）在所有可用字体中都没有，无法排印：……{before}【{ch}】{after}……",
        ch as u32
    ))
    .hint("换用常用字，或用 --font-dir 提供含有该字的字体")
    .kind(Kind::MissingGlyph(ch))
}

/// Breaks units into lines: `first` is the width of the first line (after
/// its indent), `width` that of the others.
pub fn break_lines(units: &[Unit], first: f32, width: f32) -> Vec<Range<usize>> {
    break_lines_with(units, first, width, &[], (true, false, true))
}

/// As [`break_lines`] for a table cell's text, which Word-compatible
/// engines set without hanging punctuation: a pause mark that does not fit
/// takes the character before it to the next line, nor are characters
/// pushed in by squeezing (Aspose.Words, Spire.Doc and LibreOffice alike,
/// where they hang the same mark in a body paragraph).
pub fn break_cell_lines(units: &[Unit], width: f32) -> Vec<Range<usize>> {
    break_lines_with(units, width, width, &[], (true, false, false))
}

/// As [`break_lines`] but breaking a time after its colon and keeping a
/// telephone number whole, as Word does: where this differs, the DOCX
/// must be told the line ends.
pub fn break_lines_as_word(units: &[Unit], first: f32, width: f32) -> Vec<Range<usize>> {
    break_lines_with(units, first, width, &[], (false, false, true))
}

/// Most a line may fall short of its width, in ems, before a telephone
/// number after it is broken at its hyphen.
const MAX_SHORT: f32 = 2.0;

/// Right after the hyphen of a telephone number (0571-｜87000001).
fn after_hyphen(units: &[Unit], h: usize) -> bool {
    h >= 2
        && h < units.len()
        && units[h - 1].ch == '-'
        && units[h - 2].ch.is_ascii_digit()
        && units[h].ch.is_ascii_digit()
}

/// A time (8：00, 14：30): no break after its full-width colon.
fn inside_time(units: &[Unit], i: usize) -> bool {
    i >= 2
        && units[i - 1].ch == '：'
        && units[i - 2].ch.is_ascii_digit()
        && units[i].ch.is_ascii_digit()
}

/// As [`break_lines`], with no break before unit `i` where `whole[i]`
/// (inside a name of a list of names), and a telephone number broken at
/// its hyphen rather than leave the line before it letter-spaced (a
/// paragraph's lines, whose line ends the DOCX can be given).
pub fn break_lines_keeping(
    units: &[Unit],
    first: f32,
    width: f32,
    whole: &[bool],
) -> Vec<Range<usize>> {
    break_lines_with(units, first, width, whole, (true, true, true))
}

fn break_lines_with(
    units: &[Unit],
    first: f32,
    width: f32,
    whole: &[bool],
    (times, phones, hanging): (bool, bool, bool),
) -> Vec<Range<usize>> {
    let n = units.len();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < n {
        if !lines.is_empty() {
            while start < n && matches!(units[start].ch, ' ' | '\u{3000}') {
                start += 1;
            }
            if start == n {
                break;
            }
        }
        let avail = if lines.is_empty() { first } else { width };
        let mut w = 0.0;
        let mut end = start;
        while end < n && w + units[end].adv <= avail + 0.01 {
            w += units[end].adv;
            end += 1;
        }
        if end == n {
            lines.push(start..n);
            break;
        }
        let ok = |i: usize| {
            break_allowed(units[i - 1].ch, units[i].ch)
                && !whole.get(i).copied().unwrap_or(false)
                && !(times && inside_time(units, i))
        };
        if end > start && ok(end) {
            lines.push(start..end);
            start = end;
            continue;
        }
        // A pause mark that would start the next line stays on this one.
        if hanging
            && end > start
            && HANGING.contains(units[end].ch)
            && (end + 1 == n || ok(end + 1))
        {
            lines.push(start..end + 1);
            start = end + 1;
            continue;
        }
        // Or, when what does not fit cannot start a line, the characters
        // up to the next allowed break are pushed in if the line's
        // punctuation can give up the room, a closing mark at its end
        // hanging (GB/T 15834's 挤进 before 挤出, as Word and WPS set a
        // justified line). An opening mark that cannot end the line is
        // carried over with what follows it instead, as Word does.
        if hanging && end > start && NO_START.contains(units[end].ch) {
            if let Some(b) = (end + 1..=n.min(end + MAX_PUSH_IN)).find(|&b| b == n || ok(b)) {
                let last = &units[b - 1];
                let hang = if SQUEEZABLE.contains(last.ch) {
                    last.adv
                } else {
                    0.0
                };
                let need = self::width(&units[start..b]) - hang - avail;
                let room: f32 = units[start..b - 1].iter().map(Unit::squeeze).sum();
                if need <= room + 0.01 {
                    lines.push(start..b);
                    start = b;
                    continue;
                }
            }
        }
        // Otherwise carry characters over to the last allowed break.
        match (start + 1..end).rev().find(|&b| ok(b)) {
            Some(b) => {
                // A telephone number carried whole would leave the line
                // letter-spaced: it breaks at its hyphen instead.
                let short = avail - self::width(&units[start..b]);
                let b = if phones && short > MAX_SHORT * units[start].size {
                    (b + 1..=end)
                        .rev()
                        .find(|&h| after_hyphen(units, h))
                        .unwrap_or(b)
                } else {
                    b
                };
                lines.push(start..b);
                start = b;
            }
            None => {
                // A single unbreakable run wider than the line: cut it.
                let b = end.max(start + 1);
                lines.push(start..b);
                start = b;
            }
        }
    }
    lines
}

/// Marks in `gaps` where justification may add space after each unit of
/// `line` (inside an address, only where a break may go); the count.
fn spreading_gaps(line: &[Unit], gaps: &mut [bool]) -> usize {
    for (i, pair) in line.windows(2).enumerate() {
        let (a, b) = (pair[0].ch, pair[1].ch);
        gaps[i] = !(is_word(a) && is_word(b)) || break_allowed(a, b);
    }
    gaps.iter().filter(|g| **g).count()
}

/// Positions one line's units as text runs starting at `x`, baseline `y`.
pub fn place_line(
    units: &[Unit],
    range: Range<usize>,
    x: f32,
    y: f32,
    avail: f32,
    align: Align,
    last: bool,
) -> Vec<TextRun> {
    let mut range = range;
    while range.end > range.start && matches!(units[range.end - 1].ch, ' ' | '\u{3000}') {
        range.end -= 1;
    }
    let line = &units[range.clone()];
    if line.is_empty() {
        return Vec::new();
    }
    let mut advs: Vec<f32> = line.iter().map(|u| u.adv).collect();
    let natural: f32 = advs.iter().sum();
    let mut gap_extra = 0.0;
    let mut gaps = vec![false; line.len()];
    if natural > avail + 0.01 {
        // Squeeze from the line's end, where the offending punctuation is.
        // A mark ending the line gives up its whole blank half, so its ink
        // stands at the margin as on every full line; what that gives too
        // much is spread over the line's gaps below.
        let mut over = natural - avail;
        let n = line.len();
        for (k, (a, u)) in advs.iter_mut().zip(line).enumerate().rev() {
            let take = if k + 1 == n {
                u.squeeze()
            } else {
                u.squeeze().min(over)
            };
            *a -= take;
            over -= take;
            if over <= 0.0 {
                break;
            }
        }
        if over < -0.01 && align == Align::Justify {
            let count = spreading_gaps(line, &mut gaps);
            if count > 0 {
                gap_extra = -over / count as f32;
            }
        }
        // What squeezing could not give comes out of the gaps, a little
        // from each; past that the mark hangs into the margin.
        if over > 0.01 && line.len() > 1 {
            let count = (line.len() - 1) as f32;
            gap_extra = -(over / count).min(MAX_TIGHTEN * line[0].size);
            gaps[..line.len() - 1].fill(true);
        }
    } else if align == Align::Justify && !last {
        let count = spreading_gaps(line, &mut gaps);
        if count > 0 {
            // Never spread a line wider than a quarter em a gap: a line
            // that would need more is set ragged instead.
            gap_extra = ((avail - natural) / count as f32).min(MAX_GAP * line[0].size);
        }
    }
    let width: f32 =
        advs.iter().sum::<f32>() + gap_extra * gaps.iter().filter(|g| **g).count() as f32;
    let mut cx = match align {
        Align::Center => x + (avail - width) / 2.0,
        Align::Right => x + avail - width,
        _ => x,
    };
    let mut runs: Vec<TextRun> = Vec::new();
    for (i, u) in line.iter().enumerate() {
        let adv = advs[i] + if gaps[i] { gap_extra } else { 0.0 };
        let same = runs
            .last()
            .is_some_and(|r| r.face == u.face && r.size == u.size && r.color == u.color);
        if !same {
            runs.push(TextRun {
                x: cx,
                y,
                face: u.face,
                size: u.size,
                color: u.color,
                text: String::new(),
                glyphs: Vec::new(),
            });
        }
        let run = runs.last_mut().expect("pushed");
        let start = run.text.len();
        run.text.push(u.ch);
        if u.ch != ' ' || u.gid != 0 {
            run.glyphs.push(Glyph {
                id: u.gid,
                advance: adv,
                range: start..run.text.len(),
            });
        } else if let Some(g) = run.glyphs.last_mut() {
            // A space without a glyph widens the glyph before it.
            g.advance += adv;
            g.range.end = run.text.len();
        } else {
            run.x += adv;
            run.text.clear();
        }
        cx += adv;
    }
    runs.retain(|r| !r.glyphs.is_empty());
    runs
}

/// Natural width of units.
pub fn width(units: &[Unit]) -> f32 {
    units.iter().map(|u| u.adv).sum()
}
