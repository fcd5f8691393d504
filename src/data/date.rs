//! Dates as data files and templates write them: `2021-01-15` or
//! 2021年1月15日, printed the GB/T 9704 way.

use serde::Serialize;

/// A calendar date.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// 2021年1月15日: no leading zeros, per GB/T 9704 7.3.5.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Parses `2021-01-15` or `2021年1月15日`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let parts: Vec<&str> = if s.contains('年') {
            let s = s.strip_suffix('日')?;
            let (y, rest) = s.split_once('年')?;
            let (m, d) = rest.split_once('月')?;
            vec![y, m, d]
        } else {
            let date = s.split(['T', ' ']).next()?;
            date.split('-').collect()
        };
        let [y, m, d] = parts[..] else { return None };
        let date = Date {
            year: y.trim().parse().ok()?,
            month: m.trim().parse().ok()?,
            day: d.trim().parse().ok()?,
        };
        date.is_valid().then_some(date)
    }

    fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1000..=9999).contains(&self.year) && (1..=days).contains(&self.day)
    }
}
