//! A readable text form of the document model, for `render --dump-model`
//! and for snapshot tests a person can check against the paper form.

use std::fmt::Write;

use super::{Block, Document, Role};

pub fn dump(doc: &Document) -> String {
    let mut s = String::new();
    let m = &doc.meta;
    let _ = writeln!(
        s,
        "meta title={:?} author={:?} subject={:?}",
        m.title, m.author, m.subject
    );
    let _ = writeln!(
        s,
        "     keywords={:?} lang={} date={:?}",
        m.keywords, m.language, m.date
    );
    let st = &doc.style;
    let _ = writeln!(
        s,
        "page {}x{} mm, margins {}/{}/{}/{} mm, pitch {} pt, {} chars x {} lines",
        st.page.width_mm,
        st.page.height_mm,
        st.page.margin_top_mm,
        st.page.margin_bottom_mm,
        st.page.margin_left_mm,
        st.page.margin_right_mm,
        st.page.line_pitch_pt,
        st.page.chars_per_line,
        st.page.lines_per_page
    );
    for role in Role::ALL {
        let r = st.role(role);
        let f = st.family(role);
        let _ = writeln!(
            s,
            "role {:<12} {} / {} {}pt{}",
            role.key(),
            f.file,
            f.word,
            r.size,
            if r.bold { " bold" } else { "" }
        );
    }
    dump_blocks(&mut s, &doc.blocks);
    s
}

fn dump_blocks(s: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Title(lines) => {
                let _ = writeln!(s, "\ntitle");
                for l in lines {
                    let _ = writeln!(s, "  | {l}");
                }
            }
            Block::Heading { level, text } => {
                let _ = writeln!(s, "\nh{level} {text}");
            }
            Block::Paragraph(p) => {
                let mut extra = String::new();
                if p.inset > 0.0 {
                    let _ = write!(extra, " inset {}", p.inset);
                }
                if p.hang > 0.0 {
                    let _ = write!(extra, " hang {}", p.hang);
                }
                if p.left > 0.0 {
                    let _ = write!(extra, " left {}", p.left);
                }
                if p.fit {
                    extra.push_str(" fit");
                }
                if let Some(space) = p.space {
                    let _ = write!(
                        extra,
                        " {:.2} mm under the rule",
                        space / crate::doc::style::MM
                    );
                }
                if p.anchored {
                    extra.push_str(" (from the page top)");
                }
                if let Some(top) = p.top {
                    let _ = write!(extra, " top {:.2} mm", top / crate::doc::style::MM);
                }
                let _ = writeln!(
                    s,
                    "p {}{}{extra}",
                    p.align.name(),
                    if p.indent { " indent" } else { "" }
                );
                for r in &p.runs {
                    let _ = writeln!(s, "  [{}] {}", r.role.key(), r.text);
                }
            }
            Block::Table(t) => {
                let widths: Vec<String> = t.widths.iter().map(|w| format!("{w:.1}")).collect();
                let _ = writeln!(
                    s,
                    "table {} rows x {} cols, header rows {}, widths pt [{}]",
                    t.rows,
                    t.widths.len(),
                    t.header_rows,
                    widths.join(", ")
                );
                let mut row = usize::MAX;
                for c in &t.cells {
                    if c.row != row {
                        row = c.row;
                        let keep = if t.keep_with_next[row] {
                            " keep-with-next"
                        } else {
                            ""
                        };
                        let _ = writeln!(s, "  row {}{keep}", row + 1);
                    }
                    let span = if c.rowspan > 1 || c.colspan > 1 {
                        format!(" span {}x{}", c.rowspan, c.colspan)
                    } else {
                        String::new()
                    };
                    let shade = c.shade.map_or(String::new(), |[r, g, b]| {
                        format!(" shade #{r:02X}{g:02X}{b:02X}")
                    });
                    let head = if c.role == Role::TableHeader {
                        " th"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        s,
                        "    c{}{span}{head} {}{shade} | {}",
                        c.col + 1,
                        c.align.name(),
                        c.text.replace('\n', "⏎")
                    );
                }
            }
            Block::PageBreak { landscape } => {
                let _ = writeln!(s, "pagebreak{}", if *landscape { " landscape" } else { "" });
            }
            Block::Signature {
                agency,
                date,
                seals,
            } => {
                let seals: String = seals.iter().map(|i| format!(" | seal {i:?}")).collect();
                let _ = writeln!(s, "signature {agency} | {date}{seals}");
            }
            Block::Signed { title, date, stamp } => {
                let _ = writeln!(s, "signed {title} | {date} | stamp {stamp:?}");
            }
            Block::Rule(r) => {
                let mm = |v: f32| v / crate::doc::style::MM;
                let [cr, cg, cb] = r.color;
                let _ = writeln!(
                    s,
                    "rule {:.2} mm #{cr:02X}{cg:02X}{cb:02X}{}{}",
                    mm(r.thickness),
                    r.below_text.map_or(String::new(), |b| format!(
                        " {:.2} mm below the text",
                        mm(b)
                    )),
                    r.length
                        .map_or(String::new(), |l| format!(" length {:.2} mm", mm(l)))
                );
                if let Some((t, gap)) = r.second {
                    let _ = writeln!(s, "  and {:.2} mm, {:.2} mm under it", mm(t), mm(gap));
                }
                if let Some(b) = r.page_bottom {
                    let _ = writeln!(s, "  {:.2} mm above the page foot", mm(b));
                }
            }
            Block::Blank(n) => {
                let _ = writeln!(s, "blank {n} lines");
            }
            Block::Ends {
                left,
                right,
                inset,
                space,
            } => {
                let runs = |rs: &[super::Run]| {
                    rs.iter()
                        .map(|r| format!("[{}] {}", r.role.key(), r.text))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let space = space.map_or(String::new(), |v| {
                    format!(" {:.2} mm under the rule", v / crate::doc::style::MM)
                });
                let _ = writeln!(
                    s,
                    "ends inset {inset}{space} | {} | {}",
                    runs(left),
                    runs(right)
                );
            }
            Block::Image { image, align } => {
                let _ = writeln!(s, "image {image:?} {}", align.name());
            }
            Block::Joint(j) => {
                let top = j.top.map_or(String::new(), |t| {
                    format!(" top {:.2} mm", t / crate::doc::style::MM)
                });
                let _ = writeln!(
                    s,
                    "joint [{}]{top} {} | {}",
                    j.role.key(),
                    j.names.join(" / "),
                    j.suffix
                );
            }
            Block::Foot { blocks, even } => {
                let mut inner = String::new();
                dump_blocks(&mut inner, blocks);
                let _ = writeln!(s, "\nfoot{}", if *even { " even page" } else { "" });
                for line in inner.lines().filter(|l| !l.is_empty()) {
                    let _ = writeln!(s, "  {line}");
                }
            }
        }
    }
}
