//! Templates compiled into the binary, so gongwen works from any directory.

use std::path::PathBuf;

use super::{Template, ENTRY, MANIFEST, SCHEMA, STYLE};
use crate::annual::Format;
use crate::diag::{Diagnostic, Kind};

/// Macros the document kinds share, written into each kind's directory.
const PARTS: &str = "parts.html";

pub struct Builtin {
    pub name: &'static str,
    files: &'static [(&'static str, &'static str)],
    style: &'static str,
    manifest: &'static str,
    schema: &'static str,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "annual-report-2019",
        files: &[(
            ENTRY,
            include_str!("../../templates/annual-report-2019/report.html"),
        )],
        style: include_str!("../../templates/annual-report-2019/style.toml"),
        manifest: include_str!("../../templates/annual-report-2019/template.toml"),
        schema: include_str!("../../templates/annual-report-2019/schema.json"),
    },
    Builtin {
        name: "annual-report-2021",
        files: &[(
            ENTRY,
            include_str!("../../templates/annual-report-2021/report.html"),
        )],
        style: include_str!("../../templates/annual-report-2021/style.toml"),
        manifest: include_str!("../../templates/annual-report-2021/template.toml"),
        schema: include_str!("../../templates/annual-report-2021/schema.json"),
    },
    Builtin {
        name: "notice",
        files: &[
            (ENTRY, include_str!("../../templates/notice/report.html")),
            (PARTS, include_str!("../../templates/common/parts.html")),
        ],
        style: include_str!("../../templates/notice/style.toml"),
        manifest: include_str!("../../templates/notice/template.toml"),
        schema: include_str!("../../templates/notice/schema.json"),
    },
    Builtin {
        name: "letter",
        files: &[
            (ENTRY, include_str!("../../templates/letter/report.html")),
            (PARTS, include_str!("../../templates/common/parts.html")),
        ],
        style: include_str!("../../templates/letter/style.toml"),
        manifest: include_str!("../../templates/letter/template.toml"),
        schema: include_str!("../../templates/letter/schema.json"),
    },
    Builtin {
        name: "minutes",
        files: &[
            (ENTRY, include_str!("../../templates/minutes/report.html")),
            (PARTS, include_str!("../../templates/common/parts.html")),
        ],
        style: include_str!("../../templates/minutes/style.toml"),
        manifest: include_str!("../../templates/minutes/template.toml"),
        schema: include_str!("../../templates/minutes/schema.json"),
    },
    Builtin {
        name: "order",
        files: &[
            (ENTRY, include_str!("../../templates/order/report.html")),
            (PARTS, include_str!("../../templates/common/parts.html")),
        ],
        style: include_str!("../../templates/order/style.toml"),
        manifest: include_str!("../../templates/order/template.toml"),
        schema: include_str!("../../templates/order/schema.json"),
    },
];

pub fn list() -> &'static [Builtin] {
    BUILTINS
}

pub fn for_format(format: Format) -> Template {
    let name = match format {
        Format::F2019 => "annual-report-2019",
        Format::F2021 => "annual-report-2021",
    };
    get(name).expect("built-in template exists")
}

/// The built-ins' names, in order.
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// A built-in template. Each is read once per process (its manifest
/// parsed, its schema compiled), not once per data file of a batch, and
/// only when asked for: compiling the four schemas was a tenth of the
/// work of rendering one report that uses one of them.
pub fn get(name: &str) -> Option<Template> {
    static READ: std::sync::OnceLock<Vec<std::sync::OnceLock<Template>>> =
        std::sync::OnceLock::new();
    let all = READ.get_or_init(|| BUILTINS.iter().map(|_| Default::default()).collect());
    let i = BUILTINS.iter().position(|b| b.name == name)?;
    let b = &BUILTINS[i];
    let template = all[i].get_or_init(|| {
        Template::assemble(
            b.name.into(),
            PathBuf::from("templates").join(b.name),
            false,
            b.files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            Some(b.style.to_string()),
            Some(b.manifest.to_string()),
            Some(b.schema.to_string()),
        )
        .expect("built-in templates are valid")
    });
    Some(template.clone())
}

/// A built-in template's files by name, as `templates export` writes them.
pub fn files(name: &str) -> Result<Vec<(&'static str, &'static str)>, Diagnostic> {
    let Some(b) = BUILTINS.iter().find(|b| b.name == name) else {
        let names = names();
        return Err(Diagnostic::error(format!(
            "没有名为 {name} 的内置模板；可用: {}",
            names.join(", ")
        ))
        .kind(Kind::Usage));
    };
    Ok(b.files
        .iter()
        .copied()
        .chain([(STYLE, b.style), (MANIFEST, b.manifest), (SCHEMA, b.schema)])
        .collect())
}
