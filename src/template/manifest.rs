//! `template.toml`: a template's name, description, which data it reads
//! and the cross-field rules its data must keep.

use serde::Deserialize;

use crate::data::rules::Check;
use crate::diag::{Diagnostic, Source};

/// What data a template reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// The annual report's typed form, with its computed totals and C1–C8.
    AnnualReport,
    /// Any data, described by the template's `schema.json`.
    Schema,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `"annual-report"` for the annual report's form; absent for data
    /// described by `schema.json`.
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub check: Vec<Check>,
}

impl Manifest {
    pub fn parse(src: &Source) -> Result<Manifest, Diagnostic> {
        let m: Manifest = toml::from_str(&src.text).map_err(|e| {
            let msg = format!(
                "template.toml 有误：{}",
                crate::data::node::explain_toml(e.message().trim_end())
            );
            match e.span() {
                Some(span) => Diagnostic::error(msg).at(src, span),
                None => Diagnostic::error(msg).in_file(&src.path),
            }
            .hint("可以有的项：name、description、data、[[check]]（rule、message、at、for、level）")
        })?;
        if let Some(d) = &m.data {
            if d != "annual-report" {
                return Err(Diagnostic::error(format!(
                    "data 只能是 \"annual-report\"（年度报告的表单），而不是「{d}」"
                ))
                .in_file(&src.path)
                .hint("模板读取自己的数据时不写 data，而在 schema.json 中描述数据"));
            }
        }
        Ok(m)
    }
}
