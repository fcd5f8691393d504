//! Dates written into the outputs: never the clock, only the report's date
//! or `SOURCE_DATE_EPOCH` (the reproducible-builds convention), and the
//! calendar arithmetic both writers share.

use crate::diag::{Diagnostic, Kind};

/// Latest moment a PDF or DOCX date can carry: 9999-12-31T23:59:59Z.
const MAX_EPOCH: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` when set: seconds since 1970 up to the year 9999;
/// anything else is refused rather than written as an invalid date.
pub fn source_date_epoch() -> Result<Option<i64>, Diagnostic> {
    let Ok(raw) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    match raw.trim().parse::<i64>() {
        Ok(secs) if (0..=MAX_EPOCH).contains(&secs) => Ok(Some(secs)),
        _ => Err(Diagnostic::error(format!(
            "环境变量 SOURCE_DATE_EPOCH 的值「{}」不是 0 到 {MAX_EPOCH} 之间的整数（自 1970 年起的秒数，最晚到 9999 年）",
            raw.chars().take(40).collect::<String>()
        ))
        .hint("改正或删去这个环境变量（unset SOURCE_DATE_EPOCH）")
        .kind(Kind::Usage)),
    }
}

/// Seconds since 1970-01-01 UTC → (year, month, day, hour, minute, second).
pub fn civil_from_secs(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let r = secs.rem_euclid(86_400) as u32;
    (y, m, d, r / 3600, r % 3600 / 60, r % 60)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day), proleptic Gregorian → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Today as (year, month, day): `SOURCE_DATE_EPOCH` when set, so files
/// written for a date (a new data file) are reproducible, else the clock.
pub fn today_civil() -> (i64, u32, u32) {
    let secs = source_date_epoch().ok().flatten().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    civil_from_days(secs.div_euclid(86_400))
}

/// Today as a TOML date, `2026-12-01`.
pub fn today() -> String {
    let (y, m, d) = today_civil();
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_and_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 60, 11_016, 18_628, 20_088, 2_932_896] {
            let (y, m, d) = super::civil_from_days(days);
            assert_eq!(super::days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(super::days_from_civil(2025, 1, 1), 20_089);
    }
}
