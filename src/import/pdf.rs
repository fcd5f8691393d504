//! PDF as Word, LibreOffice and WPS export it: the text layer read with
//! positions (CID fonts through their ToUnicode maps, simple fonts through
//! their own codes) and the table rules drawn on each page. The rules give
//! each table's grid — a cell merged over columns or rows is one where a
//! rule is missing — and the text inside a cell is its text; the text
//! outside tables is cut into lines, and lines into paragraphs where a line
//! is indented or the line before it stops short. Page numbers are left
//! out. lopdf parses the file; the content streams are interpreted here.
//! A PDF without text (a scan) is refused: there is no OCR.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document as Pdf, Object};

use super::source::{Align, Block, Cell, Document, Para, Place, Row, Run, Table};

/// Largest decompressed content of one page.
const MAX_PAGE: usize = 32 * 1024 * 1024;

/// A font as the text needs it: code length, Unicode of each code, widths.
struct Font {
    two_bytes: bool,
    unicode: HashMap<u32, String>,
    widths: HashMap<u32, f32>,
    default_width: f32,
    name: String,
}

/// One glyph placed: its text, left edge, baseline, advance, size, face.
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x: f32,
    y: f32,
    w: f32,
    size: f32,
    face: String,
}

/// A rule: horizontal (y, x0..x1) or vertical (x, y0..y1).
#[derive(Debug, Clone, Copy)]
struct Rule {
    horizontal: bool,
    at: f32,
    from: f32,
    to: f32,
}

type Matrix = [f32; 6];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn num(o: &Object) -> f32 {
    o.as_float().unwrap_or(0.0)
}

fn deref<'a>(doc: &'a Pdf, o: &'a Object) -> &'a Object {
    doc.dereference(o).map_or(o, |(_, o)| o)
}

/// The pairs and ranges of a ToUnicode CMap.
fn to_unicode(data: &[u8]) -> HashMap<u32, String> {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    let hex = |s: &str| -> Option<Vec<u8>> {
        let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).ok())
            .collect()
    };
    let code = |b: &[u8]| b.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x));
    let utf16 = |b: &[u8]| {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| (u16::from(c[0]) << 8) | u16::from(*c.get(1).unwrap_or(&0)))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let mut i = 0;
    // Tokens are split further where <…> and […] touch.
    let mut parts: Vec<String> = Vec::new();
    for t in &tokens {
        let mut cur = String::new();
        for c in t.chars() {
            match c {
                '<' | '[' if !cur.is_empty() => {
                    parts.push(std::mem::take(&mut cur));
                    cur.push(c);
                }
                '>' | ']' => {
                    cur.push(c);
                    parts.push(std::mem::take(&mut cur));
                }
                _ => cur.push(c),
            }
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
    }
    let mut mode = "";
    while i < parts.len() {
        let p = parts[i].as_str();
        if p == "beginbfchar" || p == "beginbfrange" {
            mode = if p == "beginbfchar" { "char" } else { "range" };
            i += 1;
            continue;
        }
        if p.starts_with("end") {
            mode = "";
            i += 1;
            continue;
        }
        match mode {
            "char" if i + 1 < parts.len() => {
                if let (Some(src), Some(dst)) = (hex(p), hex(&parts[i + 1])) {
                    map.insert(code(&src), utf16(&dst));
                }
                i += 2;
            }
            "range" if i + 2 < parts.len() => {
                let (lo, hi) = (hex(p), hex(&parts[i + 1]));
                if parts[i + 2] == "[" || parts[i + 2].starts_with('[') {
                    let mut k = i + 2;
                    let (Some(lo), Some(_)) = (lo, hi) else {
                        i += 3;
                        continue;
                    };
                    let mut c = code(&lo);
                    if parts[k] == "[" {
                        k += 1;
                    }
                    while k < parts.len() && parts[k] != "]" {
                        if let Some(d) = hex(parts[k].trim_start_matches('[')) {
                            map.insert(c, utf16(&d));
                            c += 1;
                        }
                        if parts[k].ends_with(']') {
                            break;
                        }
                        k += 1;
                    }
                    i = k + 1;
                } else {
                    if let (Some(lo), Some(hi), Some(dst)) = (lo, hi, hex(&parts[i + 2])) {
                        let (lo, hi) = (code(&lo), code(&hi));
                        let base = utf16(&dst);
                        let mut chars: Vec<char> = base.chars().collect();
                        for c in lo..=hi.min(lo + 0xFFFF) {
                            map.insert(c, chars.iter().collect());
                            if let Some(last) = chars.last_mut() {
                                *last = char::from_u32(*last as u32 + 1).unwrap_or(*last);
                            }
                        }
                    }
                    i += 3;
                }
            }
            _ => i += 1,
        }
    }
    map
}

fn font(doc: &Pdf, dict: &Dictionary) -> Font {
    let name = |d: &Dictionary| {
        d.get(b"BaseFont")
            .ok()
            .and_then(|n| n.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    let mut f = Font {
        two_bytes: false,
        unicode: HashMap::new(),
        widths: HashMap::new(),
        default_width: 1000.0,
        name: name(dict),
    };
    if let Some(s) = dict
        .get(b"ToUnicode")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_stream().ok())
    {
        if let Ok(data) = s.decompressed_content_with_limit(MAX_PAGE) {
            f.unicode = to_unicode(&data);
        }
    }
    let subtype = dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok());
    if subtype == Some(b"Type0") {
        f.two_bytes = true;
        let desc = dict
            .get(b"DescendantFonts")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        if let Some(d) = desc {
            if let Ok(dw) = d.get(b"DW") {
                f.default_width = num(deref(doc, dw));
            }
            if let Some(w) = d
                .get(b"W")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_array().ok())
            {
                let mut k = 0;
                while k + 1 < w.len() {
                    let first = num(deref(doc, &w[k])) as u32;
                    match deref(doc, &w[k + 1]) {
                        Object::Array(ws) => {
                            for (j, v) in ws.iter().enumerate() {
                                f.widths.insert(first + j as u32, num(deref(doc, v)));
                            }
                            k += 2;
                        }
                        last if k + 2 < w.len() => {
                            let last = num(last) as u32;
                            let v = num(deref(doc, &w[k + 2]));
                            for c in first..=last.min(first + 0xFFFF) {
                                f.widths.insert(c, v);
                            }
                            k += 3;
                        }
                        _ => break,
                    }
                }
            }
        }
    } else {
        f.default_width = 500.0;
        let first = dict
            .get(b"FirstChar")
            .map(|o| num(deref(doc, o)) as u32)
            .unwrap_or(0);
        if let Some(ws) = dict
            .get(b"Widths")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
        {
            for (j, v) in ws.iter().enumerate() {
                f.widths.insert(first + j as u32, num(deref(doc, v)));
            }
        }
    }
    f
}

impl Font {
    /// Codes of a string and their text.
    fn decode(&self, bytes: &[u8]) -> Vec<(u32, String)> {
        let step = if self.two_bytes { 2 } else { 1 };
        bytes
            .chunks(step)
            .map(|c| {
                let code = c.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x));
                let text = self.unicode.get(&code).cloned().unwrap_or_else(|| {
                    if self.two_bytes {
                        String::new()
                    } else {
                        // WinAnsi and Latin-1 agree on what reports print.
                        char::from(c[0]).to_string()
                    }
                });
                (code, text)
            })
            .collect()
    }
}

struct Page {
    glyphs: Vec<Glyph>,
    rules: Vec<Rule>,
}

/// A PDF text string: UTF-16BE after its byte-order mark, otherwise
/// PDFDocEncoding (Latin-1 for what reports hold).
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// How deep forms may be drawn inside forms: exporters nest one or two.
const MAX_FORM_DEPTH: usize = 8;

/// The fonts of a resource dictionary.
fn fonts_of(doc: &Pdf, res: &Dictionary) -> HashMap<Vec<u8>, Font> {
    let mut out = HashMap::new();
    if let Some(fs) = res
        .get(b"Font")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
    {
        for (name, f) in fs {
            if let Ok(d) = deref(doc, f).as_dict() {
                out.insert(name.clone(), font(doc, d));
            }
        }
    }
    out
}

/// The named XObjects of a resource dictionary.
fn xobjects_of<'a>(doc: &'a Pdf, res: &'a Dictionary, out: &mut HashMap<Vec<u8>, &'a Object>) {
    if let Some(xs) = res
        .get(b"XObject")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
    {
        for (name, x) in xs {
            out.entry(name.clone()).or_insert(x);
        }
    }
}

fn interpret(doc: &Pdf, page_id: lopdf::ObjectId) -> Result<Page, String> {
    let mut fonts: HashMap<Vec<u8>, Font> = HashMap::new();
    if let Ok(fs) = doc.get_page_fonts(page_id) {
        for (name, dict) in fs {
            fonts.insert(name, font(doc, dict));
        }
    }
    let mut xobjects = HashMap::new();
    if let Ok((own, inherited)) = doc.get_page_resources(page_id) {
        if let Some(res) = own {
            xobjects_of(doc, res, &mut xobjects);
        }
        for id in inherited {
            if let Ok(res) = doc.get_dictionary(id) {
                xobjects_of(doc, res, &mut xobjects);
            }
        }
    }
    let data = doc
        .get_page_content_with_limit(page_id, MAX_PAGE)
        .map_err(|_| "页面内容过大或已损坏".to_string())?;
    let mut page = Page {
        glyphs: Vec::new(),
        rules: Vec::new(),
    };
    let mut budget = MAX_PAGE;
    let mut ctx = Draw {
        doc,
        page: &mut page,
        budget: &mut budget,
    };
    ctx.draw(&data, &fonts, &xobjects, IDENTITY, 0)?;
    Ok(page)
}

/// What drawing a page's content writes to and how much more it may read:
/// a form drawn many times counts each time.
struct Draw<'a, 'p> {
    doc: &'a Pdf,
    page: &'p mut Page,
    budget: &'p mut usize,
}

impl<'a> Draw<'a, '_> {
    /// Draws a content stream (a page's or a form's, under `ctm0`) onto the
    /// page: its glyphs and rules.
    fn draw(
        &mut self,
        data: &[u8],
        fonts: &HashMap<Vec<u8>, Font>,
        xobjects: &HashMap<Vec<u8>, &'a Object>,
        ctm0: Matrix,
        depth: usize,
    ) -> Result<(), String> {
        *self.budget = self
            .budget
            .checked_sub(data.len() + 64)
            .ok_or("页面内容过大")?;
        let content = Content::decode(data).map_err(|_| "页面内容无法解析".to_string())?;
        let mut ctm = ctm0;
        let mut stack: Vec<Matrix> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        let mut font_key: Vec<u8> = Vec::new();
        let (mut size, mut tc, mut tw, mut th, mut leading, mut rise) =
            (12.0f32, 0.0f32, 0.0f32, 1.0f32, 0.0f32, 0.0f32);
        // Segments of the path being built, each with the number of the
        // shape (subpath) it belongs to.
        let mut path: Vec<(f32, f32, f32, f32, usize)> = Vec::new();
        let mut sub = 0usize;
        let mut start = (0.0, 0.0);
        let mut cur = (0.0, 0.0);
        // Marked content open now: the text it stands for (`ActualText`)
        // and whether that was given to a glyph yet.
        let mut marked: Vec<Option<(String, bool)>> = Vec::new();
        for op in &content.operations {
            let o = &op.operands;
            let f = |i: usize| o.get(i).map_or(0.0, num);
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(ctm0),
                "cm" => ctm = mul(&[f(0), f(1), f(2), f(3), f(4), f(5)], &ctm),
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    font_key = o
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .unwrap_or(b"")
                        .to_vec();
                    size = f(1);
                }
                "Tc" => tc = f(0),
                "BMC" => marked.push(None),
                "BDC" => marked.push(
                    o.get(1)
                        .and_then(|d| d.as_dict().ok())
                        .and_then(|d| d.get(b"ActualText").ok())
                        .and_then(|t| t.as_str().ok())
                        .map(|t| (text_string(t), false)),
                ),
                "EMC" => {
                    marked.pop();
                }
                "Tw" => tw = f(0),
                "Tz" => th = f(0) / 100.0,
                "TL" => leading = f(0),
                "Ts" => rise = f(0),
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        leading = -f(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, f(0), f(1)], &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    tlm = [f(0), f(1), f(2), f(3), f(4), f(5)];
                    tm = tlm;
                }
                "T*" | "'" | "\"" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &tlm);
                    tm = tlm;
                }
                _ => {}
            }
            let shows: Vec<&Object> = match op.operator.as_str() {
                "Tj" | "'" => o.first().into_iter().collect(),
                "\"" => o.get(2).into_iter().collect(),
                "TJ" => o
                    .first()
                    .and_then(|a| a.as_array().ok())
                    .map(|a| a.iter().collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for item in shows {
                let Some(font) = fonts.get(&font_key) else {
                    continue;
                };
                match item {
                    Object::String(bytes, _) => {
                        for (code, mut text) in font.decode(bytes) {
                            // Glyphs that stand for another text (a character
                            // drawn as a picture or as several glyphs) are
                            // read as that text, given once.
                            if let Some((actual, given)) = marked.iter_mut().flatten().next() {
                                text = if *given {
                                    String::new()
                                } else {
                                    actual.clone()
                                };
                                *given = true;
                            }
                            let w0 = font
                                .widths
                                .get(&code)
                                .copied()
                                .unwrap_or(font.default_width)
                                / 1000.0;
                            let trm = mul(&mul(&[size * th, 0.0, 0.0, size, 0.0, rise], &tm), &ctm);
                            let scale = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
                            let xscale = (trm[0] * trm[0] + trm[1] * trm[1]).sqrt();
                            let space = text == " " && !font.two_bytes;
                            let advance = (w0 * size + tc + if space { tw } else { 0.0 }) * th;
                            if !text.is_empty() {
                                self.page.glyphs.push(Glyph {
                                    text,
                                    x: trm[4],
                                    y: trm[5],
                                    w: w0 * xscale,
                                    size: scale,
                                    face: font
                                        .name
                                        .split_once('+')
                                        .map_or(font.name.as_str(), |(_, n)| n)
                                        .to_string(),
                                });
                            }
                            tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], &tm);
                        }
                    }
                    other => {
                        let adj = num(other);
                        tm = mul(&[1.0, 0.0, 0.0, 1.0, -adj / 1000.0 * size * th, 0.0], &tm);
                    }
                }
            }
            // Paths: the rules of tables.
            match op.operator.as_str() {
                "m" => {
                    cur = apply(&ctm, f(0), f(1));
                    start = cur;
                    sub += 1;
                }
                "l" => {
                    let p = apply(&ctm, f(0), f(1));
                    path.push((cur.0, cur.1, p.0, p.1, sub));
                    cur = p;
                }
                "h" => {
                    path.push((cur.0, cur.1, start.0, start.1, sub));
                    cur = start;
                }
                "re" => {
                    let (x, y, w, h) = (f(0), f(1), f(2), f(3));
                    let a = apply(&ctm, x, y);
                    let b = apply(&ctm, x + w, y + h);
                    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
                    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
                    sub += 1;
                    if x1 - x0 < 3.0 || y1 - y0 < 3.0 {
                        // A thin rectangle is a rule.
                        if x1 - x0 < y1 - y0 {
                            path.push(((x0 + x1) / 2.0, y0, (x0 + x1) / 2.0, y1, sub));
                        } else {
                            path.push((x0, (y0 + y1) / 2.0, x1, (y0 + y1) / 2.0, sub));
                        }
                    } else {
                        path.extend([
                            (x0, y0, x1, y0, sub),
                            (x1, y0, x1, y1, sub),
                            (x0, y1, x1, y1, sub),
                            (x0, y0, x0, y1, sub),
                        ]);
                    }
                    sub += 1;
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                    let segments = std::mem::take(&mut path);
                    let lines: Vec<(f32, f32, f32, f32)> = if op.operator.starts_with(['f', 'F']) {
                        // Filled, each shape is a rule when it is thin (a
                        // border drawn as a thin box) and nothing when it
                        // is not (a shaded cell, highlighted or shaded text).
                        let mut shapes: Vec<usize> = segments.iter().map(|s| s.4).collect();
                        shapes.dedup();
                        shapes
                            .into_iter()
                            .filter_map(|id| {
                                let mut bx = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
                                for s in segments.iter().filter(|s| s.4 == id) {
                                    bx = (
                                        bx.0.min(s.0.min(s.2)),
                                        bx.1.min(s.1.min(s.3)),
                                        bx.2.max(s.0.max(s.2)),
                                        bx.3.max(s.1.max(s.3)),
                                    );
                                }
                                let (w, h) = (bx.2 - bx.0, bx.3 - bx.1);
                                if w >= 3.0 && h >= 3.0 {
                                    None
                                } else if w < h {
                                    let x = (bx.0 + bx.2) / 2.0;
                                    Some((x, bx.1, x, bx.3))
                                } else {
                                    let y = (bx.1 + bx.3) / 2.0;
                                    Some((bx.0, y, bx.2, y))
                                }
                            })
                            .collect()
                    } else {
                        segments.iter().map(|s| (s.0, s.1, s.2, s.3)).collect()
                    };
                    for (x0, y0, x1, y1) in lines {
                        let horizontal = (y1 - y0).abs() < 0.5;
                        let vertical = (x1 - x0).abs() < 0.5;
                        if horizontal && (x1 - x0).abs() > 1.0 {
                            self.page.rules.push(Rule {
                                horizontal: true,
                                at: y0,
                                from: x0.min(x1),
                                to: x0.max(x1),
                            });
                        } else if vertical && (y1 - y0).abs() > 1.0 {
                            self.page.rules.push(Rule {
                                horizontal: false,
                                at: x0,
                                from: y0.min(y1),
                                to: y0.max(y1),
                            });
                        }
                    }
                }
                "n" => path.clear(),
                "Do" if depth < MAX_FORM_DEPTH => {
                    let form = o
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| xobjects.get(n))
                        .and_then(|x| deref(self.doc, x).as_stream().ok())
                        .filter(|s| {
                            s.dict.get(b"Subtype").ok().and_then(|t| t.as_name().ok())
                                == Some(b"Form")
                        });
                    let Some(form) = form else { continue };
                    let m = form
                        .dict
                        .get(b"Matrix")
                        .ok()
                        .and_then(|a| a.as_array().ok())
                        .filter(|a| a.len() == 6)
                        .map_or(IDENTITY, |a| {
                            [
                                num(&a[0]),
                                num(&a[1]),
                                num(&a[2]),
                                num(&a[3]),
                                num(&a[4]),
                                num(&a[5]),
                            ]
                        });
                    let data = form
                        .decompressed_content_with_limit(*self.budget)
                        .map_err(|_| "页面中的一个图形对象过大或已损坏".to_string())?;
                    // A form with resources of its own draws with them; one
                    // without uses the page's.
                    let res = form
                        .dict
                        .get(b"Resources")
                        .ok()
                        .map(|r| deref(self.doc, r))
                        .and_then(|r| r.as_dict().ok());
                    let (own_fonts, own_xobjects);
                    let (f2, x2) = match res {
                        Some(r) => {
                            own_fonts = fonts_of(self.doc, r);
                            let mut xs = HashMap::new();
                            xobjects_of(self.doc, r, &mut xs);
                            own_xobjects = xs;
                            (&own_fonts, &own_xobjects)
                        }
                        None => (fonts, xobjects),
                    };
                    self.draw(&data, f2, x2, mul(&m, &ctm), depth + 1)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

pub fn read(bytes: &[u8]) -> Result<Document, String> {
    let pdf = Pdf::load_mem(bytes).map_err(|_| {
        "这个 PDF 无法读取，可能已损坏或只下载了一部分：请重新下载，或用原来的 Word 文件导入"
            .to_string()
    })?;
    if pdf.is_encrypted() && pdf.encryption_state.is_none() {
        return Err("这个 PDF 加了密码，无法读取其中的文字：请用原来的 Word 文件或网页导入".into());
    }
    let mut doc = Document::default();
    let mut tables = 0;
    let mut any_text = false;
    let mut pages = Vec::new();
    for (n, id) in &pdf.get_pages() {
        let n = *n as usize;
        match interpret(&pdf, *id) {
            Ok(p) => {
                any_text |= p.glyphs.iter().any(|g| !g.text.trim().is_empty());
                pages.push((n, split(p)));
            }
            Err(why) => doc.notes.push(super::source::Note::new(
                &Place::page(n),
                format!("{why}，这一页未导入：请照原文补上"),
            )),
        }
    }
    // The text block's edges, where most lines of the whole report start
    // and end: a page holding only a 署名 has no edges of its own.
    let mode = |v: Vec<f32>| {
        let mut counts: Vec<(i32, usize)> = Vec::new();
        for x in v {
            let k = x.round() as i32;
            match counts.iter_mut().find(|(c, _)| (*c - k).abs() <= 1) {
                Some((_, n)) => *n += 1,
                None => counts.push((k, 1)),
            }
        }
        counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .map_or(0.0, |(c, _)| *c as f32)
    };
    let long: Vec<&Vec<Glyph>> = pages
        .iter()
        .flat_map(|(_, s)| &s.lines)
        .filter(|l| l.len() >= 10)
        .collect();
    // The left edge is where body lines start; a first-line indent can be
    // as common (a page of short paragraphs), so it is the leftmost start
    // shared by a tenth of the lines.
    let left = {
        let mut starts: Vec<(i32, usize)> = Vec::new();
        for l in &long {
            let k = l[0].x.round() as i32;
            match starts.iter_mut().find(|(c, _)| (*c - k).abs() <= 1) {
                Some((_, n)) => *n += 1,
                None => starts.push((k, 1)),
            }
        }
        let enough = (long.len() / 10).max(2);
        starts
            .iter()
            .filter(|(_, n)| *n >= enough)
            .map(|(c, _)| *c)
            .min()
            .map_or_else(|| mode(long.iter().map(|l| l[0].x).collect()), |c| c as f32)
    };
    let right = mode(
        long.iter()
            .filter_map(|l| l.last().map(|g| g.x + g.w))
            .collect(),
    );
    // The body's size: most glyphs of the report are set in it; a larger
    // size is a title. Counted over all pages: a last page may hold more
    // of a site's small print than of the report.
    let mut sizes: Vec<(i32, usize)> = Vec::new();
    for g in pages.iter().flat_map(|(_, s)| s.lines.iter().flatten()) {
        let k = (g.size * 2.0).round() as i32;
        match sizes.iter_mut().find(|(s, _)| *s == k) {
            Some((_, n)) => *n += 1,
            None => sizes.push((k, 1)),
        }
    }
    let body_size = sizes
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(16.0, |(s, _)| *s as f32 / 2.0);
    for (n, page) in pages {
        lay_out(page, n, (left, right, body_size), &mut tables, &mut doc);
    }
    if !any_text {
        return Err("这个 PDF 没有文字层（多半是扫描件或图片），gongwen 不做文字识别：请用原来的 Word 文件、网页或可以复制文字的 PDF 导入".into());
    }
    join_pages(&mut doc);
    join_rows(&mut doc);
    Ok(doc)
}

/// Positions within this distance (points) are the same.
const NEAR: f32 = 2.0;

fn cluster(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in v {
        match out.last() {
            Some(l) if x - l < NEAR => {}
            _ => out.push(x),
        }
    }
    out
}

/// A table's grid on a page: column edges left to right, row edges top
/// to bottom, the rules drawn.
struct Grid {
    xs: Vec<f32>,
    ys: Vec<f32>,
    rules: Vec<Rule>,
}

impl Grid {
    fn has(&self, horizontal: bool, at: f32, from: f32, to: f32) -> bool {
        let mid = (from + to) / 2.0;
        self.rules.iter().any(|r| {
            r.horizontal == horizontal
                && (r.at - at).abs() < NEAR
                && r.from - NEAR <= mid
                && mid <= r.to + NEAR
        })
    }

    fn contains(&self, x: f32, y: f32) -> bool {
        let (Some(x0), Some(x1), Some(y0), Some(y1)) = (
            self.xs.first(),
            self.xs.last(),
            self.ys.last(),
            self.ys.first(),
        ) else {
            return false;
        };
        *x0 <= x && x <= *x1 && *y0 <= y && y <= *y1
    }

    /// Column and row of a point.
    fn at(&self, x: f32, y: f32) -> Option<(usize, usize)> {
        let c = self.xs.windows(2).position(|w| w[0] <= x && x <= w[1])?;
        let r = self.ys.windows(2).position(|w| w[1] <= y && y <= w[0])?;
        Some((r, c))
    }
}

/// The tables of a page: rules that touch are one table.
fn grids(rules: &[Rule]) -> Vec<Grid> {
    let n = rules.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn root(g: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (rules[i], rules[j]);
            let touch = if a.horizontal != b.horizontal {
                let (h, v) = if a.horizontal { (a, b) } else { (b, a) };
                h.from - NEAR <= v.at
                    && v.at <= h.to + NEAR
                    && v.from - NEAR <= h.at
                    && h.at <= v.to + NEAR
            } else {
                (a.at - b.at).abs() < NEAR && a.from <= b.to + NEAR && b.from <= a.to + NEAR
            };
            if touch {
                let (ra, rb) = (root(&mut group, i), root(&mut group, j));
                group[ra] = rb;
            }
        }
    }
    let mut by: HashMap<usize, Vec<Rule>> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let r = root(&mut group, i);
        by.entry(r).or_default().push(*rule);
    }
    let mut out: Vec<Grid> = by
        .into_values()
        .filter_map(|rs| {
            let xs = cluster(rs.iter().filter(|r| !r.horizontal).map(|r| r.at).collect());
            let mut ys = cluster(rs.iter().filter(|r| r.horizontal).map(|r| r.at).collect());
            ys.reverse();
            (xs.len() >= 2 && ys.len() >= 2).then_some(Grid { xs, ys, rules: rs })
        })
        .collect();
    out.sort_by(|a, b| b.ys[0].total_cmp(&a.ys[0]));
    out
}

/// Glyphs into lines (top to bottom), each sorted left to right.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut out: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(l) if (l[0].y - g.y).abs() < l[0].size.max(g.size) * 0.5 => l.push(g),
            _ => out.push(vec![g]),
        }
    }
    for l in &mut out {
        l.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

fn latin(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || ".,;:%-/()".contains(c))
}

/// A line's runs: glyphs of one face together, a space put where Latin
/// words stand apart with none drawn.
fn runs(line: &[Glyph]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut prev: Option<&Glyph> = None;
    for g in line {
        let mut text = g.text.clone();
        if let Some(p) = prev {
            let gap = g.x - (p.x + p.w);
            if gap > g.size * 0.25 && latin(&p.text) && latin(&g.text) && p.text != " " {
                text.insert(0, ' ');
            }
        }
        match out.last_mut() {
            Some(r) if r.face == g.face => r.text += &text,
            _ => out.push(Run {
                text,
                face: g.face.clone(),
            }),
        }
        prev = Some(g);
    }
    out
}

/// The width of a line's first word: up to the first space or Chinese
/// character, an opening bracket or quote before it included.
fn first_word(line: &[Glyph]) -> f32 {
    let Some(first) = line.first() else {
        return 0.0;
    };
    let mut end = first.x + first.w;
    for g in &line[1..] {
        let c = g.text.chars().next().unwrap_or(' ');
        if c.is_whitespace() || (cjk(c) && !"（“《‘【".contains(c)) {
            break;
        }
        end = g.x + g.w;
    }
    end - first.x
}

/// Chinese or full-width (punctuation, digits).
fn cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// A paragraph's text without spaces between Chinese characters: a browser
/// printing a page draws the line breaks of its source there, and Chinese
/// text has none of its own.
fn cjk_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let between =
            i > 0 && c == ' ' && cjk(chars[i - 1]) && chars.get(i + 1).is_some_and(|n| cjk(*n));
        if !between {
            out.push(c);
        }
    }
    out
}

fn line_text(line: &[Glyph]) -> String {
    runs(line).iter().map(|r| r.text.as_str()).collect()
}

/// Page numbers and running heads: 「— 3 —」「- 3 -」「第3页」「3」.
fn page_number(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"—-–－第页共/".contains(*c))
        .collect();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// A page's tables (grids and the glyphs inside them) and its other lines.
struct Split {
    grids: Vec<(Grid, Vec<Glyph>)>,
    lines: Vec<Vec<Glyph>>,
}

fn split(page: Page) -> Split {
    let grids = grids(&page.rules);
    let mut in_grid: Vec<Vec<Glyph>> = vec![Vec::new(); grids.len()];
    let mut free = Vec::new();
    for g in page.glyphs {
        if g.text.trim().is_empty() && g.text != " " {
            continue;
        }
        let cx = g.x + g.w / 2.0;
        let cy = g.y + g.size * 0.3;
        match grids.iter().position(|t| t.contains(cx, cy)) {
            Some(i) => in_grid[i].push(g),
            None => free.push(g),
        }
    }
    Split {
        grids: grids.into_iter().zip(in_grid).collect(),
        lines: lines(free),
    }
}

fn lay_out(
    page: Split,
    n: usize,
    (left, right, body_size): (f32, f32, f32),
    tables: &mut usize,
    doc: &mut Document,
) {
    // Blocks with their top edge, put in order down the page.
    let mut blocks: Vec<(f32, Block)> = Vec::new();
    for (grid, glyphs) in &page.grids {
        *tables += 1;
        blocks.push((
            grid.ys[0],
            Block::Table(table(grid, glyphs.clone(), n, *tables)),
        ));
    }
    let all = page.lines;
    let mut prev: Option<(f32, f32, f32, bool, bool)> = None;
    let mut para: Option<(f32, Para)> = None;
    for line in &all {
        let text = line_text(line);
        if page_number(&text) {
            continue;
        }
        let size = line[0].size;
        let start = line[0].x;
        let end = line.last().map_or(start, |g| g.x + g.w);
        let full = start < left + size * 0.5 && end > right - size * 1.5;
        // Centred: as far in from both edges, further than a first-line indent.
        let centered =
            !full && ((start - left) - (right - end)).abs() < size && start - left > size * 2.5;
        let indented = start > left + size * 0.8;
        let title = size > body_size * 1.2;
        // (end, baseline, size, centered, full) of the line before.
        let (new, broken) = match prev {
            None => (true, false),
            Some((pend, py, psize, pcentered, pfull)) => {
                let gap = py - line[0].y > size.max(psize) * 2.6;
                if title && (psize - size).abs() < 0.5 && !gap {
                    // A title's lines: a full line wraps, a shorter one ends a line.
                    (false, !pfull)
                } else {
                    // A short line ends its paragraph unless what starts
                    // the next line (a URL, a long number) would not have
                    // fitted after it: a browser's ragged lines wrap so.
                    let short = pend < right - size * 4.0
                        && (indented || pend + first_word(line) < right + size * 0.5);
                    let new = indented
                        || gap
                        || (psize - size).abs() >= 0.5
                        || centered
                        || pcentered
                        || short;
                    (new, false)
                }
            }
        };
        if new {
            if let Some((y, p)) = para.take() {
                blocks.push((y, Block::Para(p)));
            }
            let align = if centered || title {
                Align::Center
            } else if end > right - size && start > left + (right - left) / 2.0 {
                Align::Right
            } else {
                Align::Unknown
            };
            para = Some((
                line[0].y + size,
                Para {
                    runs: Vec::new(),
                    align,
                    place: Place::page(n),
                    at_margin: !indented && !centered,
                },
            ));
        }
        if let Some((_, p)) = para.as_mut() {
            if broken {
                p.runs.push(Run {
                    text: "\n".into(),
                    face: line[0].face.clone(),
                });
            }
            p.runs.extend(runs(line).into_iter().map(|mut r| {
                r.text = cjk_spaces(&r.text);
                r
            }));
        }
        prev = Some((end, line[0].y, size, centered, full));
    }
    if let Some((y, p)) = para.take() {
        blocks.push((y, Block::Para(p)));
    }
    blocks.sort_by(|a, b| b.0.total_cmp(&a.0));
    doc.blocks.extend(blocks.into_iter().map(|(_, b)| b));
}

/// A table's cells from its grid: merged where a rule is missing.
fn table(grid: &Grid, glyphs: Vec<Glyph>, page: usize, number: usize) -> Table {
    let rows = grid.ys.len() - 1;
    let cols = grid.xs.len() - 1;
    // Each grid cell's region: the top-left grid cell it is merged into.
    let mut owner: Vec<Vec<(usize, usize)>> = vec![vec![(0, 0); cols]; rows];
    for r in 0..rows {
        for c in 0..cols {
            let (y0, y1) = (grid.ys[r + 1], grid.ys[r]);
            let (x0, x1) = (grid.xs[c], grid.xs[c + 1]);
            owner[r][c] = (r, c);
            if c > 0 && !grid.has(false, x0, y0, y1) {
                owner[r][c] = owner[r][c - 1];
            } else if r > 0 && !grid.has(true, y1, x0, x1) {
                owner[r][c] = owner[r - 1][c];
            }
        }
    }
    let mut text: HashMap<(usize, usize), Vec<Glyph>> = HashMap::new();
    for g in glyphs {
        let cx = g.x + g.w / 2.0;
        let cy = g.y + g.size * 0.3;
        if let Some((r, c)) = grid.at(cx, cy) {
            text.entry(owner[r][c]).or_default().push(g);
        }
    }
    let mut out = Vec::new();
    for (r, owners) in owner.iter().enumerate() {
        let mut cells = Vec::new();
        let mut c = 0;
        while c < cols {
            let o = owners[c];
            let mut span = 1;
            while c + span < cols && owners[c + span] == o {
                span += 1;
            }
            let covered = o.0 < r;
            let t = if covered {
                String::new()
            } else {
                lines(text.remove(&o).unwrap_or_default())
                    .iter()
                    .map(|l| line_text(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            cells.push(Cell {
                text: t.trim().to_string(),
                col: c,
                span,
                covered,
            });
            c += span;
        }
        out.push(Row {
            cells,
            place: Place::page(page).in_table(number, Some(r + 1)),
        });
    }
    Table {
        rows: out,
        place: Place::page(page).in_table(number, None),
    }
}

/// A paragraph that runs on to the next page is one paragraph: the next
/// page's first paragraph joins it when it starts at the margin.
fn join_pages(doc: &mut Document) {
    let mut out: Vec<Block> = Vec::new();
    let mut last_page = 0;
    for b in std::mem::take(&mut doc.blocks) {
        let page = match &b {
            Block::Para(p) => p.place.page.unwrap_or(0),
            Block::Table(t) => t.place.page.unwrap_or(0),
        };
        let first_on_page = page != last_page;
        last_page = page;
        if let (true, Block::Para(p), Some(Block::Para(prev))) = (first_on_page, &b, out.last_mut())
        {
            let text = p.text();
            let cont = p.align == Align::Unknown
                && prev.align == Align::Unknown
                && !text.starts_with(['　', ' '])
                && super::text::section(&text).is_none()
                && p.runs.first().is_some_and(|r| !r.text.starts_with('（'))
                && p.at_margin;
            if cont {
                prev.runs.extend(p.runs.iter().cloned());
                continue;
            }
        }
        out.push(b);
    }
    doc.blocks = out;
}

/// Whether a cell's text starts a row of the form: a number of its own
/// (1. （一） 一、) rather than the rest of a label cut by a page break.
fn starts_row(text: &str) -> bool {
    let t = text.trim();
    crate::doc::heading_level(t).is_some() || t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A row a page break cut in two is one row: the table going on at the
/// top of the next page (its repeated header rows left aside) starts with
/// the rest of a label, and no cell has text in both parts but the label.
fn join_rows(doc: &mut Document) {
    let mut i = 0;
    while i + 1 < doc.blocks.len() {
        let (head, tail) = doc.blocks.split_at_mut(i + 1);
        let (Block::Table(a), Block::Table(b)) = (&mut head[i], &mut tail[0]) else {
            i += 1;
            continue;
        };
        if a.place.page == b.place.page {
            i += 1;
            continue;
        }
        let texts = |r: &Row| r.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        let repeated = b
            .rows
            .iter()
            .zip(&a.rows)
            .take_while(|(x, y)| texts(x) == texts(y) && x.cells.iter().any(|c| !c.text.is_empty()))
            .count();
        let (Some(last), Some(first)) = (a.rows.last_mut(), b.rows.get(repeated)) else {
            i += 1;
            continue;
        };
        let same_shape = last.cells.len() == first.cells.len()
            && last
                .cells
                .iter()
                .zip(&first.cells)
                .all(|(x, y)| x.col == y.col && x.span == y.span);
        let label = first.cells.iter().find(|c| !c.text.is_empty());
        let cut = same_shape
            && label.is_some_and(|c| !starts_row(&c.text))
            && last
                .cells
                .iter()
                .zip(&first.cells)
                .filter(|(x, y)| !x.text.is_empty() && !y.text.is_empty())
                .count()
                <= 1;
        if cut {
            for (x, y) in last.cells.iter_mut().zip(&first.cells) {
                x.text += &y.text;
            }
            b.rows.remove(repeated);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f32) -> Vec<Glyph> {
        let mut at = x;
        text.chars()
            .map(|c| {
                let w = if c.is_ascii() { 8.0 } else { 16.0 };
                let g = Glyph {
                    text: c.to_string(),
                    x: at,
                    y: 700.0,
                    w,
                    size: 16.0,
                    face: String::new(),
                };
                at += w;
                g
            })
            .collect()
    }

    #[test]
    fn spaces_between_chinese_characters_are_dropped() {
        assert_eq!(cjk_spaces("上年结转3件 ，均在"), "上年结转3件，均在");
        assert_eq!(cjk_spaces("未发生 泄密事件"), "未发生泄密事件");
        // Latin words and a space beside Latin text keep theirs.
        assert_eq!(cjk_spaces("Word 文件 and PDF"), "Word 文件 and PDF");
    }

    #[test]
    fn a_first_word_is_measured_to_the_first_space_or_chinese_character() {
        // The bracket (16) and the 24 ASCII characters (8 each) before the close.
        let url = glyphs("（http://www.hongze.gov.cn）查阅", 90.0);
        assert_eq!(first_word(&url), 16.0 + 24.0 * 8.0);
        assert_eq!(first_word(&glyphs("查阅或下载", 90.0)), 16.0);
        assert_eq!(first_word(&glyphs("2025 年", 90.0)), 32.0);
    }
}
