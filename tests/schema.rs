//! Templates that declare their data: the annual report's JSON Schema as
//! committed beside its templates is the one made from the form, and a
//! template's own schema and rules report every violation in Chinese at
//! its place (transcripts in `tests/snapshots/schema/`, `BLESS=1` to
//! re-bless).

mod common;

use gongwen::annual::{schema::schema, Format};

#[test]
fn annual_report_schemas_are_made_from_the_form() {
    for (format, dir) in [
        (Format::F2019, "annual-report-2019"),
        (Format::F2021, "annual-report-2021"),
    ] {
        let made = serde_json::to_string_pretty(&schema(format)).unwrap() + "\n";
        common::assert_snapshot(format!("templates/{dir}/schema.json"), &made);
    }
}
