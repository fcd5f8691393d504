//! The style sheet that lives with a template: page geometry, font
//! families and what each role of text is set in. Defaults are GB/T 9704;
//! a template's `style.toml` overrides any part of them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diag::{Diagnostic, Source};

/// The defaults, as a readable file rather than code.
pub const DEFAULT_STYLE: &str = include_str!("default-style.toml");

pub const MM: f32 = 72.0 / 25.4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Title,
    Heading1,
    Heading2,
    Heading3,
    Heading4,
    Body,
    Table,
    TableHeader,
    PageNumber,
    /// 发文机关标志 and the other red marks of the document kinds.
    Mark,
    /// 版记 (抄送, 印发机关和印发日期): 4号仿宋.
    Note,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Title,
        Role::Heading1,
        Role::Heading2,
        Role::Heading3,
        Role::Heading4,
        Role::Body,
        Role::Table,
        Role::TableHeader,
        Role::PageNumber,
        Role::Mark,
        Role::Note,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Heading1 => "heading1",
            Role::Heading2 => "heading2",
            Role::Heading3 => "heading3",
            Role::Heading4 => "heading4",
            Role::Body => "body",
            Role::Table => "table",
            Role::TableHeader => "table_header",
            Role::PageNumber => "page_number",
            Role::Mark => "mark",
            Role::Note => "note",
        }
    }

    /// The role a markup `role` attribute names.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn heading(level: u8) -> Role {
        match level {
            1 => Role::Heading1,
            2 => Role::Heading2,
            3 => Role::Heading3,
            _ => Role::Heading4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSheet {
    pub page: Page,
    pub fonts: BTreeMap<String, Family>,
    pub roles: BTreeMap<String, RoleStyle>,
    pub table: TableStyle,
    /// Named lengths in mm the templates place things by (`measures.NAME`
    /// in a template): the GB/T 9704 distances of 版头, 版记 and 印章 by
    /// default; a template may add its own.
    #[serde(default)]
    pub measures: BTreeMap<String, f32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    /// Distance between baselines of body lines.
    pub line_pitch_pt: f32,
    /// Characters of body text a line holds (28 per GB/T 9704).
    pub chars_per_line: u32,
    pub lines_per_page: u32,
    /// Text of the page number, `{}` standing for the number.
    pub page_number: String,
    /// From the bottom of the text block to the page number's dashes.
    pub page_number_offset_mm: f32,
    /// Whether the first page shows its number (信函格式: 首页不显示页码).
    pub first_page_number: bool,
}

/// A font family: the file used for PDF and the names Word looks for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub file: String,
    pub word: String,
    #[serde(default)]
    pub word_alt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleStyle {
    pub font: String,
    pub size: f32,
    #[serde(default)]
    pub bold: bool,
    /// Line pitch; body pitch when absent.
    #[serde(default)]
    pub pitch: Option<f32>,
    /// Text colour, hex RGB; black when absent.
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStyle {
    pub border_pt: f32,
    pub padding_pt: f32,
    pub padding_v_pt: f32,
    /// Default shading of group rows, hex RGB.
    pub shade: String,
}

impl StyleSheet {
    /// The built-in GB/T 9704 style.
    pub fn gbt9704() -> StyleSheet {
        StyleSheet::parse(&Source::new("default-style.toml", DEFAULT_STYLE))
            .expect("built-in style is valid")
    }

    /// Parses a style file, filling what it leaves out from the defaults.
    pub fn parse(src: &Source) -> Result<StyleSheet, Diagnostic> {
        let mut base: toml::Table = toml::from_str(DEFAULT_STYLE).expect("built-in style parses");
        let user: toml::Table = toml::from_str(&src.text).map_err(|e| toml_error(src, &e))?;
        // The user's own keys with their places, for messages that point
        // at the line to change.
        let tree = crate::data::node::parse_toml(src).ok();
        let at = |path: &[&str], d: Diagnostic| -> Diagnostic {
            let node = path.iter().try_fold(tree.as_ref(), |n, k| Some(n?.get(k)));
            match node.flatten() {
                Some(n) => d.at(src, n.span.clone()),
                None => d.in_file(&src.path),
            }
        };
        check_ranges(&user, &at)?;
        merge(&mut base, user);
        let style: StyleSheet = toml::Table::try_into(base).map_err(|e: toml::de::Error| {
            at(
                &[],
                Diagnostic::error(format!("样式文件有误：{}", serde_message(e.message()))),
            )
        })?;
        style
            .validate()
            .map_err(|(path, m)| at(&path, Diagnostic::error(format!("样式文件有误：{m}"))))?;
        Ok(style)
    }

    /// What the ranges of single values cannot say: fonts that exist and a
    /// text block that is left by the margins.
    fn validate(&self) -> Result<(), (Vec<&'static str>, String)> {
        for role in Role::ALL {
            let r = self
                .roles
                .get(role.key())
                .ok_or_else(|| (vec!["roles"], format!("缺少 [roles] 中的 {}", role.key())))?;
            if r.color.as_deref().is_some_and(|c| parse_hex(c).is_none()) {
                return Err((
                    vec!["roles", role.key()],
                    format!(
                        "roles.{} 的 color 应为 6 位十六进制颜色，例如 FF0000",
                        role.key()
                    ),
                ));
            }
            if !self.fonts.contains_key(&r.font) {
                return Err((
                    vec!["roles", role.key()],
                    format!(
                        "roles.{} 使用的字体 {} 没有在 [fonts] 中定义",
                        role.key(),
                        r.font
                    ),
                ));
            }
        }
        let (w, h) = (self.text_width(), self.text_height());
        if !(w >= 50.0 && h >= 50.0) {
            return Err((
                vec!["page"],
                format!(
                    "页边距占去了整个页面：版心只剩 {:.0} × {:.0} 毫米（至少 18 × 18 毫米）",
                    w / MM,
                    h / MM
                ),
            ));
        }
        Ok(())
    }

    pub fn role(&self, role: Role) -> &RoleStyle {
        &self.roles[role.key()]
    }

    pub fn family(&self, role: Role) -> &Family {
        &self.fonts[&self.role(role).font]
    }

    pub fn pitch(&self, role: Role) -> f32 {
        self.role(role).pitch.unwrap_or(self.page.line_pitch_pt)
    }

    pub fn page_width(&self) -> f32 {
        self.page.width_mm * MM
    }

    pub fn page_height(&self) -> f32 {
        self.page.height_mm * MM
    }

    pub fn text_width(&self) -> f32 {
        (self.page.width_mm - self.page.margin_left_mm - self.page.margin_right_mm) * MM
    }

    pub fn text_height(&self) -> f32 {
        (self.page.height_mm - self.page.margin_top_mm - self.page.margin_bottom_mm) * MM
    }

    /// A role's text colour.
    pub fn color(&self, role: Role) -> [u8; 3] {
        self.role(role)
            .color
            .as_deref()
            .and_then(parse_hex)
            .unwrap_or([0, 0, 0])
    }

    pub fn shade(&self) -> Option<[u8; 3]> {
        parse_hex(&self.table.shade)
    }
}

pub fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let s = s.trim_start_matches('#');
    if s.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(s, 16).ok()?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

/// Allowed range and unit of every number a style file may set: a
/// negative rule, an infinite page or a zero pitch would make a PDF no
/// reader opens.
const RANGES: &[(&str, &str, f64, f64, &str)] = &[
    ("page", "width_mm", 50.0, 1000.0, "毫米"),
    ("page", "height_mm", 50.0, 1000.0, "毫米"),
    ("page", "margin_top_mm", 0.0, 300.0, "毫米"),
    ("page", "margin_bottom_mm", 0.0, 300.0, "毫米"),
    ("page", "margin_left_mm", 0.0, 300.0, "毫米"),
    ("page", "margin_right_mm", 0.0, 300.0, "毫米"),
    ("page", "line_pitch_pt", 4.0, 200.0, "磅"),
    ("page", "chars_per_line", 1.0, 200.0, "个字"),
    ("page", "lines_per_page", 1.0, 200.0, "行"),
    ("page", "page_number_offset_mm", 0.0, 100.0, "毫米"),
    ("table", "border_pt", 0.0, 10.0, "磅"),
    ("table", "padding_pt", 0.0, 50.0, "磅"),
    ("table", "padding_v_pt", 0.0, 50.0, "磅"),
];

/// Font size and pitch of a role.
const ROLE_RANGES: &[(&str, f64, f64)] = &[("size", 4.0, 72.0), ("pitch", 4.0, 200.0)];

fn check_ranges(
    user: &toml::Table,
    at: &dyn Fn(&[&str], Diagnostic) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let number = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    };
    let check = |path: &[&str], v: &toml::Value, lo: f64, hi: f64, unit: &str| {
        let key = path.join(".");
        match number(v) {
            Some(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(()),
            Some(x) => Err(at(
                path,
                Diagnostic::error(format!("样式文件中 {key} = {x} 不在 {lo}–{hi} {unit}之间"))
                    .hint(format!("改为 {lo} 到 {hi} 之间的数")),
            )),
            None => Err(at(
                path,
                Diagnostic::error(format!("样式文件中 {key} 应为数字，实际是{}", v.type_str())),
            )),
        }
    };
    for (table, key, lo, hi, unit) in RANGES {
        if let Some(v) = user.get(*table).and_then(|t| t.get(*key)) {
            check(&[table, key], v, *lo, *hi, unit)?;
        }
    }
    if let Some(measures) = user.get("measures") {
        let toml::Value::Table(measures) = measures else {
            return Err(at(
                &["measures"],
                Diagnostic::error("样式文件中 measures 应为表：[measures]，每项一个毫米数"),
            ));
        };
        for (name, v) in measures {
            check(&["measures", name], v, 0.0, 300.0, "毫米")?;
        }
    }
    if let Some(toml::Value::Table(roles)) = user.get("roles") {
        for (name, role) in roles {
            for (key, lo, hi) in ROLE_RANGES {
                if let Some(v) = role.get(*key) {
                    check(&["roles", name, key], v, *lo, *hi, "磅")?;
                }
            }
        }
    }
    Ok(())
}

/// The deserializer's English messages in Chinese.
fn serde_message(m: &str) -> String {
    let quoted: Vec<&str> = m.split('`').skip(1).step_by(2).collect();
    if m.starts_with("unknown field") {
        let expected = quoted.get(1..).map(|k| k.join("、")).unwrap_or_default();
        format!(
            "没有「{}」这一项（可用的项：{expected}）",
            quoted.first().unwrap_or(&"")
        )
    } else if m.starts_with("missing field") {
        format!("缺少「{}」这一项", quoted.first().unwrap_or(&""))
    } else if m.starts_with("invalid type") {
        format!("值的类型不对（{m}）")
    } else {
        format!("无法读取（{m}）")
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn toml_error(src: &Source, e: &toml::de::Error) -> Diagnostic {
    let d = Diagnostic::error(format!(
        "样式文件 TOML 语法错误：{}",
        crate::data::node::explain_toml(e.message())
    ));
    match e.span() {
        Some(span) => d.at(src, span),
        None => d.in_file(&src.path),
    }
}
