//! The typed annual report, totals computed. Templates see it as their
//! context, so its serialised shape is part of the template interface.

use std::ops::Range;
use std::path::PathBuf;

use serde::Serialize;

pub use crate::data::date::Date;

use super::form::{self, Format};
use crate::diag::Source;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub agency: String,
    pub year: i64,
    pub format: Format,
    /// The title, one entry per printed line.
    pub title: Vec<String>,
    pub preamble: Vec<Paragraph>,
    /// 一、总体情况
    pub overview: Vec<Paragraph>,
    /// 五、存在的主要问题及改进情况
    pub problems: Vec<Paragraph>,
    /// 六、其他需要报告的事项
    pub other: Vec<Paragraph>,
    /// 二: groups of the format, values in form order.
    pub active: Vec<ActiveGroup>,
    /// 三
    pub applications: Applications,
    /// 四: three blocks of five numbers (four results and the 总计).
    pub review: Vec<ReviewBlock>,
    pub signature: Option<Signature>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// Last year's report, when the data file names it.
    pub previous: Option<Box<Report>>,
    /// A built-in template's name or a template directory relative to the
    /// data file; the format's built-in template when absent.
    pub template: Option<String>,
    #[serde(skip)]
    pub spans: Spans,
}

/// A paragraph of narrative. With a lead-in, the lead-in is set in the
/// heading face (楷体 for （一）) and the text continues in the body face.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Paragraph {
    pub lead: Option<String>,
    pub text: String,
    /// Heading level of the lead-in or of a stand-alone heading (2–4).
    pub level: Option<u8>,
    /// A heading on its own line rather than a run-in lead.
    pub heading: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActiveGroup {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<ActiveRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActiveRow {
    pub key: String,
    pub label: String,
    /// Values as printed: integers in decimal, money exactly as written.
    pub values: Vec<String>,
}

impl ActiveRow {
    pub fn int(&self, i: usize) -> Option<i64> {
        self.values.get(i)?.parse().ok()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Applications {
    /// The seven columns: six applicant types and 总计.
    pub columns: Vec<String>,
    pub rows: Vec<ApplicationRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRow {
    /// Key path joined with dots, e.g. `withheld.state_secret`.
    pub key: String,
    pub group: Option<String>,
    pub label: String,
    /// Six applicant columns followed by the computed 总计.
    pub values: [i64; 7],
}

impl Applications {
    pub fn row(&self, key: &str) -> Option<&ApplicationRow> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// The 总计 column of a row, 0 for an unknown key.
    pub fn total(&self, key: &str) -> i64 {
        self.row(key).map_or(0, |r| r.values[6])
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewBlock {
    pub key: String,
    pub label: String,
    /// 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
    pub values: [i64; 5],
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    pub agency: String,
    pub date: Option<Date>,
    /// The seal's picture file, relative to the data file's folder.
    pub seal: Option<String>,
    /// The seal's width in mm.
    pub seal_size: Option<f64>,
}

/// Where values came from, for checks that point back into the file.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    pub source: Option<Source>,
    /// Per row of table 三: the span of the row's value and of each number.
    pub applications: Vec<Option<RowSpans>>,
    /// Per block of table 四.
    pub review: Vec<Option<RowSpans>>,
    /// Per row of table 二 (key), in form order.
    pub active: Vec<(String, RowSpans)>,
    pub previous: Option<Range<usize>>,
    pub template: Option<Range<usize>>,
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct RowSpans {
    pub whole: Range<usize>,
    pub cells: Vec<Range<usize>>,
}

impl Report {
    pub fn default_title(agency: &str, year: i64) -> String {
        format!("{agency}{year}年政府信息公开工作年度报告")
    }

    pub fn application_columns() -> Vec<String> {
        form::APPLICANTS
            .iter()
            .map(|s| s.to_string())
            .chain(std::iter::once("总计".to_string()))
            .collect()
    }
}
