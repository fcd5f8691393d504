//! The annual report's data as a JSON Schema (draft 2020-12), made from
//! the same form tables the loader reads, so an editor that validates with
//! it accepts and rejects what `gongwen check` does as far as the shape
//! goes (keys, types, counts per row). The arithmetic (C1–C8) stays with
//! the loader.

use serde_json::{json, Map, Value};

use super::form::{self, Cell, Format, MAX_COUNT};
use super::load::MAX_TEXT_CHARS;

pub fn schema(format: Format) -> Value {
    let count = json!({ "type": "integer", "minimum": 0, "maximum": MAX_COUNT - 1 });
    let text = json!({ "type": "string", "maxLength": MAX_TEXT_CHARS });
    let mut props = Map::new();
    let mut put = |key: &str, mut v: Value, title: &str, desc: Option<&str>| {
        v["title"] = title.into();
        if let Some(d) = desc {
            v["description"] = d.into();
        }
        props.insert(key.into(), v);
    };
    put(
        "template",
        text.clone(),
        "模板",
        Some("内置模板的名称，或数据文件所在文件夹之内的模板目录"),
    );
    put(
        "agency",
        json!({ "type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS }),
        "发布机关",
        None,
    );
    put(
        "year",
        json!({ "type": "integer", "minimum": 1990, "maximum": 2199 }),
        "报告年度",
        None,
    );
    put(
        "format",
        json!({ "enum": [format.name(), format.name().parse::<i64>().unwrap_or_default()] }),
        "格式",
        Some("\"2019\" 试行格式（2019、2020 年度报告）或 \"2021\" 修订格式（2021 年度起）"),
    );
    put(
        "title",
        json!({ "anyOf": [
            { "type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS },
            { "type": "array", "items": text, "minItems": 1 }
        ]}),
        "标题",
        Some("不写则用默认标题；分两行写作 [\"第一行\", \"第二行\"]"),
    );
    for (key, title) in [
        ("preamble", "前言"),
        ("overview", "一、总体情况"),
        ("problems", "五、存在的主要问题及改进情况"),
        ("other", "六、其他需要报告的事项"),
    ] {
        put(
            key,
            json!({ "$ref": "#/$defs/section" }),
            title,
            Some("一段一个字符串；段首有小标题时写成 { lead = \"（一）小标题。\", text = \"正文……\" }"),
        );
    }
    put("subject", text.clone(), "主题", None);
    put(
        "keywords",
        json!({ "anyOf": [text, { "type": "array", "items": text }] }),
        "关键词",
        None,
    );
    put(
        "previous",
        json!({ "type": "string", "pattern": "\\.(toml|json)$" }),
        "上一年度数据文件",
        Some("写上则核对跨年度数据（现行有效件数、结转件数）"),
    );
    put(
        "signature",
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["agency"],
            "properties": {
                "agency": { "type": "string", "maxLength": MAX_TEXT_CHARS, "title": "署名机关" },
                "date": {
                    "title": "成文日期",
                    "anyOf": [
                        { "type": "string", "format": "date" },
                        { "type": "string", "pattern": "^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日$" }
                    ]
                },
                "seal": {
                    "type": "string",
                    "pattern": "\\.(png|PNG|jpg|jpeg|JPG|JPEG|svg|SVG)$",
                    "title": "印章",
                    "description": "印章图片（PNG 透明背景、JPEG 或文字转为路径的 SVG），放在数据文件所在的文件夹"
                },
                "seal_size": { "type": "number", "minimum": 30, "maximum": 80, "title": "印章直径", "description": "毫米，默认 42" }
            }
        }),
        "署名和成文日期",
        None,
    );
    put(
        "active",
        active(format, &count),
        "二、主动公开政府信息情况",
        None,
    );
    put(
        "applications",
        applications(format, &count),
        "三、收到和处理政府信息公开申请情况",
        Some("每行六个数，按申请人情况的列序：[自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]，可再加总计"),
    );
    put(
        "review",
        review(&count),
        "四、政府信息公开行政复议、行政诉讼情况",
        None,
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("政府信息公开工作年度报告（{}）", format.describe()),
        "type": "object",
        "additionalProperties": false,
        "required": ["agency", "year"],
        "properties": props,
        "$defs": {
            "section": {
                "anyOf": [
                    { "type": "string", "maxLength": MAX_TEXT_CHARS },
                    { "type": "array", "items": { "$ref": "#/$defs/paragraph" } }
                ]
            },
            "paragraph": {
                "anyOf": [
                    { "type": "string", "maxLength": MAX_TEXT_CHARS },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "minProperties": 1,
                        "properties": {
                            "lead": { "type": "string", "title": "段首小标题" },
                            "text": { "type": "string", "maxLength": MAX_TEXT_CHARS, "title": "正文" },
                            "heading": { "type": "string", "title": "单独成行的标题" },
                            "level": { "type": "integer", "minimum": 1, "maximum": 4, "title": "层次" }
                        }
                    }
                ]
            }
        }
    })
}

fn active(format: Format, count: &Value) -> Value {
    let money = json!({ "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^ *[0-9]{1,15}(\\.[0-9]{1,6})? *$" }
    ]});
    let delta = json!({ "type": "integer", "minimum": -(MAX_COUNT - 1), "maximum": MAX_COUNT - 1 });
    let mut props = Map::new();
    for g in form::active_groups(format) {
        for row in g.rows {
            let cells: Vec<Value> = row
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Count => count.clone(),
                    Cell::Delta => delta.clone(),
                    Cell::Money => money.clone(),
                })
                .collect();
            let n = cells.len();
            let array =
                json!({ "type": "array", "prefixItems": cells, "items": false, "minItems": n });
            let mut v = if n == 1 {
                json!({ "anyOf": [cells[0], array] })
            } else {
                array
            };
            v["title"] = row.label.into();
            v["description"] = format!("{}：[{}]", g.title, g.columns.join(", ")).into();
            props.insert(row.key.into(), v);
        }
    }
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}

fn applications(format: Format, count: &Value) -> Value {
    let row = |label: &str| json!({ "type": "array", "items": count, "minItems": 6, "maxItems": 7, "title": label });
    let mut props = Map::new();
    for d in form::application_rows(format) {
        match d.path {
            [key] => {
                props.insert((*key).into(), row(d.label));
            }
            [group, key] => {
                let entry = props.entry(*group).or_insert_with(|| {
                    json!({
                        "type": "object",
                        "additionalProperties": false,
                        "title": d.group.unwrap_or_default(),
                        "properties": {}
                    })
                });
                entry["properties"][*key] = row(d.label);
            }
            _ => {}
        }
    }
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}

fn review(count: &Value) -> Value {
    let mut props = Map::new();
    for (key, label) in form::REVIEW_BLOCKS {
        props.insert(
            key.into(),
            json!({
                "type": "array", "items": count, "minItems": 4, "maxItems": 5,
                "title": label,
                "description": format!("[{}]，可再加总计", form::REVIEW_RESULTS.join(", "))
            }),
        );
    }
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}
