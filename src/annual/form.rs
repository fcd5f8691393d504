//! The official form: rows, columns and labels of tables 二, 三 and 四 in
//! both layouts (国办公开办函〔2019〕60号 trial format, 〔2021〕30号 revision),
//! together with the data-file key of each row.

use serde::Serialize;

/// Which official layout a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    #[serde(rename = "2019")]
    F2019,
    #[serde(rename = "2021")]
    F2021,
}

impl Format {
    /// The layout that applies to a report year when none is named.
    pub fn for_year(year: i64) -> Format {
        if year <= 2020 {
            Format::F2019
        } else {
            Format::F2021
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::F2019 => "2019",
            Format::F2021 => "2021",
        }
    }

    /// How a message names the layout.
    pub fn describe(self) -> &'static str {
        match self {
            Format::F2019 => "2019 年试行格式",
            Format::F2021 => "2021 年修订格式",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "2019" => Some(Format::F2019),
            "2021" => Some(Format::F2021),
            _ => None,
        }
    }
}

/// What one number of table 二 may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A count: a non-negative integer.
    Count,
    /// 本年增/减: an integer that may be negative.
    Delta,
    /// An amount of money, kept exactly as written.
    Money,
}

#[derive(Debug)]
pub struct ActiveRow {
    pub key: &'static str,
    pub label: &'static str,
    pub cells: &'static [Cell],
}

#[derive(Debug)]
pub struct ActiveGroup {
    pub title: &'static str,
    /// Column headings after 信息内容.
    pub columns: &'static [&'static str],
    pub rows: &'static [ActiveRow],
}

use Cell::{Count, Delta, Money};

const ACTIVE_2019: &[ActiveGroup] = &[
    ActiveGroup {
        title: "第二十条第（一）项",
        columns: &["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        rows: &[
            ActiveRow {
                key: "rules",
                label: "规章",
                cells: &[Count, Count, Count],
            },
            ActiveRow {
                key: "normative_documents",
                label: "规范性文件",
                cells: &[Count, Count, Count],
            },
        ],
    },
    ActiveGroup {
        title: "第二十条第（五）项",
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        rows: &[
            ActiveRow {
                key: "licensing",
                label: "行政许可",
                cells: &[Count, Delta, Count],
            },
            ActiveRow {
                key: "other_services",
                label: "其他对外管理服务事项",
                cells: &[Count, Delta, Count],
            },
        ],
    },
    ActiveGroup {
        title: "第二十条第（六）项",
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        rows: &[
            ActiveRow {
                key: "penalty",
                label: "行政处罚",
                cells: &[Count, Delta, Count],
            },
            ActiveRow {
                key: "enforcement",
                label: "行政强制",
                cells: &[Count, Delta, Count],
            },
        ],
    },
    ActiveGroup {
        title: "第二十条第（八）项",
        columns: &["上一年项目数量", "本年增/减"],
        rows: &[ActiveRow {
            key: "fees",
            label: "行政事业性收费",
            cells: &[Count, Delta],
        }],
    },
    ActiveGroup {
        title: "第二十条第（九）项",
        columns: &["采购项目数量", "采购总金额"],
        rows: &[ActiveRow {
            key: "procurement",
            label: "政府集中采购",
            cells: &[Count, Money],
        }],
    },
];

const ACTIVE_2021: &[ActiveGroup] = &[
    ActiveGroup {
        title: "第二十条第（一）项",
        columns: &["本年制发件数", "本年废止件数", "现行有效件数"],
        rows: &[
            ActiveRow {
                key: "rules",
                label: "规章",
                cells: &[Count, Count, Count],
            },
            ActiveRow {
                key: "normative_documents",
                label: "行政规范性文件",
                cells: &[Count, Count, Count],
            },
        ],
    },
    ActiveGroup {
        title: "第二十条第（五）项",
        columns: &["本年处理决定数量"],
        rows: &[ActiveRow {
            key: "licensing",
            label: "行政许可",
            cells: &[Count],
        }],
    },
    ActiveGroup {
        title: "第二十条第（六）项",
        columns: &["本年处理决定数量"],
        rows: &[
            ActiveRow {
                key: "penalty",
                label: "行政处罚",
                cells: &[Count],
            },
            ActiveRow {
                key: "enforcement",
                label: "行政强制",
                cells: &[Count],
            },
        ],
    },
    ActiveGroup {
        title: "第二十条第（八）项",
        columns: &["本年收费金额（单位：万元）"],
        rows: &[ActiveRow {
            key: "fees",
            label: "行政事业性收费",
            cells: &[Money],
        }],
    },
];

pub fn active_groups(format: Format) -> &'static [ActiveGroup] {
    match format {
        Format::F2019 => ACTIVE_2019,
        Format::F2021 => ACTIVE_2021,
    }
}

/// The six applicant columns of table 三, in the order of the paper form.
pub const APPLICANTS: [&str; 6] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
];

/// A row of table 三.
#[derive(Debug)]
pub struct ApplicationRow {
    /// Key path in the data file, under `[applications]`.
    pub path: &'static [&'static str],
    /// Row heading of the result group, for rows inside one （三）…（六）.
    pub group: Option<&'static str>,
    pub label: &'static str,
    /// The computed （七）总计 row.
    pub computed: bool,
}

const fn row(
    path: &'static [&'static str],
    group: Option<&'static str>,
    label: &'static str,
) -> ApplicationRow {
    ApplicationRow {
        path,
        group,
        label,
        computed: false,
    }
}

pub const GROUP_WITHHELD: &str = "（三）不予公开";
pub const GROUP_UNAVAILABLE: &str = "（四）无法提供";
pub const GROUP_NOT_PROCESSED: &str = "（五）不予处理";
pub const GROUP_OTHER: &str = "（六）其他处理";

macro_rules! application_rows {
    ($($other:expr),* $(,)?) => {
        &[
            row(&["new"], None, "一、本年新收政府信息公开申请数量"),
            row(&["carried_over"], None, "二、上年结转政府信息公开申请数量"),
            row(&["disclosed"], None, "（一）予以公开"),
            row(&["partially_disclosed"], None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            row(&["withheld", "state_secret"], Some(GROUP_WITHHELD), "1.属于国家秘密"),
            row(&["withheld", "prohibited_by_law"], Some(GROUP_WITHHELD), "2.其他法律行政法规禁止公开"),
            row(&["withheld", "security_stability"], Some(GROUP_WITHHELD), "3.危及“三安全一稳定”"),
            row(&["withheld", "third_party"], Some(GROUP_WITHHELD), "4.保护第三方合法权益"),
            row(&["withheld", "internal_affairs"], Some(GROUP_WITHHELD), "5.属于三类内部事务信息"),
            row(&["withheld", "process_information"], Some(GROUP_WITHHELD), "6.属于四类过程性信息"),
            row(&["withheld", "enforcement_files"], Some(GROUP_WITHHELD), "7.属于行政执法案卷"),
            row(&["withheld", "query_matters"], Some(GROUP_WITHHELD), "8.属于行政查询事项"),
            row(&["unavailable", "not_held"], Some(GROUP_UNAVAILABLE), "1.本机关不掌握相关政府信息"),
            row(&["unavailable", "needs_creation"], Some(GROUP_UNAVAILABLE), "2.没有现成信息需要另行制作"),
            row(&["unavailable", "still_unclear"], Some(GROUP_UNAVAILABLE), "3.补正后申请内容仍不明确"),
            row(&["not_processed", "petition"], Some(GROUP_NOT_PROCESSED), "1.信访举报投诉类申请"),
            row(&["not_processed", "repeated"], Some(GROUP_NOT_PROCESSED), "2.重复申请"),
            row(&["not_processed", "publications"], Some(GROUP_NOT_PROCESSED), "3.要求提供公开出版物"),
            row(&["not_processed", "excessive"], Some(GROUP_NOT_PROCESSED), "4.无正当理由大量反复申请"),
            row(&["not_processed", "confirmation"], Some(GROUP_NOT_PROCESSED), "5.要求行政机关确认或重新出具已获取信息"),
            $($other,)*
            ApplicationRow { path: &["total"], group: None, label: "（七）总计", computed: true },
            row(&["carried_forward"], None, "四、结转下年度继续办理"),
        ]
    };
}

const APPLICATIONS_2019: &[ApplicationRow] = application_rows![row(&["other"], None, GROUP_OTHER)];

const APPLICATIONS_2021: &[ApplicationRow] = application_rows![
    row(
        &["other", "no_correction"],
        Some(GROUP_OTHER),
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    ),
    row(
        &["other", "unpaid_fee"],
        Some(GROUP_OTHER),
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    ),
    row(&["other", "other"], Some(GROUP_OTHER), "3.其他"),
];

pub fn application_rows(format: Format) -> &'static [ApplicationRow] {
    match format {
        Format::F2019 => APPLICATIONS_2019,
        Format::F2021 => APPLICATIONS_2021,
    }
}

/// Index of a row of table 三 by key path.
pub fn application_index(format: Format, path: &[&str]) -> Option<usize> {
    application_rows(format).iter().position(|r| r.path == path)
}

/// Table 四: three blocks of four results, each with a computed 总计.
pub const REVIEW_BLOCKS: [(&str, &str); 3] = [
    ("administrative_review", "行政复议"),
    ("litigation_direct", "行政诉讼·未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼·复议后起诉"),
];

pub const REVIEW_RESULTS: [&str; 4] = ["结果维持", "结果纠正", "其他结果", "尚未审结"];

/// Upper bound (exclusive) on every count.
pub const MAX_COUNT: i64 = 1_000_000_000;
