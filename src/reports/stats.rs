//! Pure helpers the reports share: nearest-rank percentiles, rates that are never NaN, rounding,
//! and the local-time buckets (days, weeks) periods are cut into.

use crate::domain::clock::Millis;
use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// The nearest-rank percentile of ascending `sorted` values: the value at rank ⌈p·n/100⌉ (1-based),
/// so it is always one of the values (the median of 1, 2, 3, 4 is 2). `None` for no values.
pub fn nearest_rank(sorted: &[i64], pct: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (pct as usize * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1])
}

/// Count, median, 90th percentile and mean of a set of durations (milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub count: i64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub mean_ms: Option<f64>,
}

pub fn summarize(mut values: Vec<i64>) -> Summary {
    values.sort_unstable();
    let count = values.len() as i64;
    let total: i128 = values.iter().map(|v| i128::from(*v)).sum();
    Summary {
        count,
        median_ms: nearest_rank(&values, 50),
        p90_ms: nearest_rank(&values, 90),
        mean_ms: (count > 0).then(|| total as f64 / count as f64),
    }
}

/// `part / whole` as a percentage rounded to 0.1; `None` (shown as "no data") when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 * 100.0 / whole as f64, 1))
}

/// Milliseconds as hours, rounded to 0.01 h.
pub fn hours(ms: f64) -> f64 {
    round(ms / 3_600_000.0, 2)
}

pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Relative change from `previous` to `current` in percent; `None` when there was nothing before.
pub fn change(current: Option<f64>, previous: Option<f64>) -> Option<f64> {
    match (current, previous) {
        (Some(c), Some(p)) if p != 0.0 => Some(round((c - p) * 100.0 / p.abs(), 1)),
        _ => None,
    }
}

/// How a period is cut for series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
        }
    }
}

/// The first instant of a local date (its midnight, or the end of a clock jump over midnight).
pub fn local_start(tz: Tz, date: NaiveDate) -> Millis {
    let mut t = NaiveTime::MIN;
    for _ in 0..8 {
        match tz.from_local_datetime(&date.and_time(t)) {
            LocalResult::Single(x) => return x.timestamp_millis(),
            LocalResult::Ambiguous(a, b) => return a.timestamp_millis().min(b.timestamp_millis()),
            LocalResult::None => t += chrono::Duration::minutes(15),
        }
    }
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

pub fn local_date(tz: Tz, at: Millis) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// Bucket starts covering `[from, to)`: `from` itself, then every local midnight (days) or
/// Monday midnight (weeks) after it and before `to`.
pub fn buckets(from: Millis, to: Millis, interval: Interval, tz: Tz) -> Vec<Millis> {
    let mut out = vec![from];
    let mut date = local_date(tz, from);
    if interval == Interval::Week {
        date = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
    }
    let step = Days::new(if interval == Interval::Week { 7 } else { 1 });
    loop {
        date = match date.checked_add_days(step) {
            Some(d) => d,
            None => break,
        };
        let start = local_start(tz, date);
        if start >= to {
            break;
        }
        if start > from {
            out.push(start);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let cases: &[(&[i64], u32, Option<i64>)] = &[
            (&[], 50, None),
            (&[7], 50, Some(7)),
            (&[7], 90, Some(7)),
            (&[1, 2, 3, 4], 50, Some(2)),
            (&[1, 2, 3, 4, 5], 50, Some(3)),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, Some(9)),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, Some(10)),
            (&[5, 10], 90, Some(10)),
        ];
        for (values, p, want) in cases {
            assert_eq!(nearest_rank(values, *p), *want, "{values:?} p{p}");
        }
    }

    #[test]
    fn summaries_and_rates_never_nan() {
        let s = summarize(vec![4, 1, 3, 2]);
        assert_eq!(
            s,
            Summary {
                count: 4,
                median_ms: Some(2),
                p90_ms: Some(4),
                mean_ms: Some(2.5)
            }
        );
        assert_eq!(summarize(vec![]).mean_ms, None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
        assert_eq!(change(Some(15.0), Some(10.0)), Some(50.0));
        assert_eq!(change(Some(15.0), Some(0.0)), None);
        assert_eq!(change(None, Some(3.0)), None);
        assert_eq!(hours(5_400_000.0), 1.5);
    }

    #[test]
    fn day_buckets_follow_the_local_clock() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // 2024-03-30 00:00 CET .. 2024-04-01 00:00 CEST: the middle day has 23 hours.
        let from = local_start(tz, NaiveDate::from_ymd_opt(2024, 3, 30).unwrap());
        let to = local_start(tz, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        let b = buckets(from, to, Interval::Day, tz);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1] - b[0], 24 * 3_600_000);
        assert_eq!(to - b[1], 23 * 3_600_000);
        // Weeks start on Monday; the first bucket starts at the period start.
        let from = local_start(tz, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()); // Wednesday
        let to = local_start(tz, NaiveDate::from_ymd_opt(2024, 5, 15).unwrap());
        let b = buckets(from, to, Interval::Week, tz);
        assert_eq!(b.len(), 3);
        assert_eq!(
            local_date(tz, b[1]),
            NaiveDate::from_ymd_opt(2024, 5, 6).unwrap()
        );
    }
}
