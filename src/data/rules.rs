//! Cross-field rules a template declares in `template.toml`: each
//! `[[check]]` is a minijinja expression that must be true of the data,
//! with a Chinese message (itself a minijinja template) and the key it is
//! shown at. `for = "rows"` runs the rule once per item of that array.

use serde::Deserialize;
use toml::Spanned;

use super::value::{pointer_segment, Located};
use crate::diag::{Diagnostic, Diagnostics, Severity, Source};

/// Steps one rule may take on one item: plenty for sums over thousands of
/// rows, and a runaway expression stops.
const RULE_FUEL: u64 = 1_000_000;

/// Steps all the rules may take on one data file together: a cheap rule
/// over a thousand rows takes some ten thousand, while a rule made to use its
/// whole allowance on every row stops after ten rows (about a second).
const TOTAL_FUEL: u64 = 10_000_000;

thread_local! {
    /// Fuel the last rule evaluated on this thread used, set by `__spent`.
    static SPENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Messages one rule gives before the rest are counted instead: a rule
/// broken on every row of a long table would otherwise bury the others.
pub const MAX_PER_RULE: usize = 20;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub rule: Spanned<String>,
    pub message: Spanned<String>,
    /// Dotted key path of the value the message points at.
    #[serde(default)]
    pub at: Option<Spanned<String>>,
    /// Dotted key path of the array whose items the rule runs over.
    #[serde(rename = "for", default)]
    pub each: Option<Spanned<String>>,
    /// `error` (the default) or `warning`.
    #[serde(default)]
    pub level: Option<Spanned<String>>,
}

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_fuel(Some(RULE_FUEL));
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_test("matching", matching);
    env.add_function("__spent", spent);
    crate::bounds::bound_filters(&mut env);
    env
}

/// Passes its value through, noting the fuel used so far: every rule is
/// run as `__spent((rule))`, so what each run used is known.
fn spent(state: &minijinja::State, value: minijinja::Value) -> minijinja::Value {
    if let Some((used, _)) = state.fuel_levels() {
        SPENT.with(|s| s.set(used));
    }
    value
}

/// `value is matching('^[0-9]{6}$')`: whether a text matches a regular
/// expression (Rust `regex` syntax: no look-around, no backreferences, so
/// matching time is linear in the text).
fn matching(value: &str, pattern: &str) -> Result<bool, minijinja::Error> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache.get(pattern) {
        return Ok(re.is_match(value));
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("matching 的正则表达式有误：{e}"),
            )
        })?;
    let hit = re.is_match(value);
    if cache.len() < 256 {
        cache.insert(pattern.to_string(), re);
    }
    Ok(hit)
}

/// Problems in the rules themselves, found when the template is read:
/// expressions and messages that do not compile, bad levels.
pub fn validate(checks: &[Check], manifest: &Source) -> Diagnostics {
    let env = environment();
    let mut out = Diagnostics::default();
    for c in checks {
        if let Err(e) = env.compile_expression(c.rule.get_ref()) {
            out.push(
                Diagnostic::error(format!("规则写法有误：{}", detail(&e)))
                    .at(manifest, c.rule.span()),
            );
        }
        if let Err(e) = env.template_from_str(c.message.get_ref()) {
            out.push(
                Diagnostic::error(format!("规则的提示语写法有误：{}", detail(&e)))
                    .at(manifest, c.message.span()),
            );
        }
        if let Some(level) = &c.level {
            if !matches!(level.get_ref().as_str(), "error" | "warning") {
                out.push(
                    Diagnostic::error("level 只能是 error 或 warning").at(manifest, level.span()),
                );
            }
        }
    }
    out
}

/// Runs every rule against the data. When the data already broke its
/// schema, a rule that cannot be evaluated (a text where a number
/// belongs) is skipped: the schema's message says what to fix.
pub fn check(
    checks: &[Check],
    manifest: &Source,
    data: &Located,
    src: &Source,
    schema_failed: bool,
) -> Diagnostics {
    let env = environment();
    let base = minijinja::Value::from(minijinja::value::Serde(&data.value));
    let mut out = Diagnostics::default();
    let used = std::cell::Cell::new(0u64);
    for c in checks {
        if env.compile_expression(c.rule.get_ref()).is_err() {
            continue;
        }
        let counted = format!("__spent(({}\n))", c.rule.get_ref());
        let Ok(expr) = env.compile_expression(&counted) else {
            continue;
        };
        let mut broken = 0;
        let mut exhausted = false;
        let mut run = |ctx: minijinja::Value, prefix: String| {
            if exhausted {
                return;
            }
            SPENT.with(|s| s.set(0));
            let result = expr.eval(ctx.clone());
            used.set(
                used.get()
                    + match &result {
                        Ok(_) => SPENT.with(|s| s.get()),
                        Err(_) => RULE_FUEL,
                    },
            );
            if used.get() > TOTAL_FUEL {
                exhausted = true;
                out.push(
                    Diagnostic::error(format!(
                        "规则运行步数合计超过上限（{TOTAL_FUEL} 步），其余数据未核对"
                    ))
                    .at(manifest, c.rule.span())
                    .hint(format!(
                        "数据文件 {}；简化这条规则，或把数据分成几个文件",
                        src.path.display()
                    )),
                );
                return;
            }
            let failed = match result {
                Ok(v) => !v.is_true(),
                Err(_) if schema_failed => return,
                Err(e) => {
                    out.push(
                        Diagnostic::error(format!("规则无法计算：{}", detail(&e)))
                            .at(manifest, c.rule.span())
                            .hint(format!("数据文件 {}", src.path.display())),
                    );
                    return;
                }
            };
            if !failed {
                return;
            }
            broken += 1;
            if broken > MAX_PER_RULE {
                return;
            }
            let message = match env.render_str(c.message.get_ref(), ctx) {
                Ok(m) => m,
                Err(_) if schema_failed => return,
                Err(e) => {
                    out.push(
                        Diagnostic::error(format!("规则的提示语无法生成：{}", detail(&e)))
                            .at(manifest, c.message.span()),
                    );
                    return;
                }
            };
            let pointer = match &c.at {
                Some(at) => format!("{prefix}{}", pointer_of(at.get_ref())),
                None => prefix,
            };
            let mut d = Diagnostic::error(message);
            if c.level.as_ref().is_some_and(|l| l.get_ref() == "warning") {
                d.severity = Severity::Warning;
            }
            out.push(match data.place(&pointer) {
                Some(place) => d.at(src, place.value.clone()),
                None => d.in_file(&src.path),
            });
        };
        match &c.each {
            None => run(base.clone(), String::new()),
            Some(each) => {
                let pointer = pointer_of(each.get_ref());
                let Some(items) = data.value.pointer(&pointer).and_then(|v| v.as_array()) else {
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    if used.get() > TOTAL_FUEL {
                        break;
                    }
                    let ctx = minijinja::context! {
                        item => minijinja::Value::from(minijinja::value::Serde(item)),
                        index => i + 1,
                        ..base.clone()
                    };
                    run(ctx, format!("{pointer}/{i}"));
                }
            }
        }
        if used.get() > TOTAL_FUEL {
            break;
        }
        if broken > MAX_PER_RULE {
            out.push(
                Diagnostic::untold(broken - MAX_PER_RULE, "这条规则")
                    .at(manifest, c.rule.span())
                    .hint(format!("数据文件 {}", src.path.display())),
            );
        }
    }
    out
}

/// `rows.0.count` → `/rows/0/count`.
fn pointer_of(path: &str) -> String {
    path.split('.')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{}", pointer_segment(s)))
        .collect()
}

fn detail(e: &minijinja::Error) -> String {
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        return "运行步数超过上限（规则中的运算过大）".into();
    }
    crate::bounds::detail(e, crate::bounds::Written::Rule)
}
