//! Business time for many tickets at once. A [`BusinessClock`] tabulates, per local day of a span,
//! the business time before the day and (for the usual day with one window) the window's instants,
//! so the business time between two instants is two table lookups. Days it cannot tabulate exactly
//! (several windows, clock changes inside a window) fall back to the SLA module's arithmetic, and
//! every tabulated day is checked against it, so results equal `business_time_between` exactly.

use super::stats::{local_date, local_start};
use crate::domain::clock::Millis;
use crate::sla::{BusinessCalendar, business_time_between};
use chrono::{NaiveDate, NaiveTime, TimeZone};

#[derive(Debug, Clone, Copy)]
enum Shape {
    Closed,
    Window { open: Millis, close: Millis },
    Exact,
}

#[derive(Debug, Clone, Copy)]
struct Day {
    start: Millis,
    /// Business time from the first day's start to this day's start.
    before: i64,
    shape: Shape,
}

pub struct BusinessClock<'a> {
    cal: &'a BusinessCalendar,
    days: Vec<Day>,
    /// End of the last tabulated day.
    end: Millis,
}

/// The one window of `date` as instants, if the calendar has exactly one that day.
fn single_window(cal: &BusinessCalendar, date: NaiveDate) -> Option<(Millis, Millis)> {
    let [w] = cal.windows(chrono::Datelike::weekday(&date)) else {
        return None;
    };
    let tz = cal.time_zone();
    let open = tz
        .from_local_datetime(&date.and_time(w.start()))
        .earliest()?
        .timestamp_millis();
    let close = if w.end() == NaiveTime::MIN {
        local_start(tz, date.succ_opt()?)
    } else {
        tz.from_local_datetime(&date.and_time(w.end()))
            .latest()?
            .timestamp_millis()
    };
    Some((open, close))
}

impl<'a> BusinessClock<'a> {
    /// Tabulates the local days covering `[from, to]`.
    pub fn new(cal: &'a BusinessCalendar, from: Millis, to: Millis) -> Self {
        let tz = cal.time_zone();
        let mut date = local_date(tz, from);
        let last = local_date(tz, to);
        let mut days = Vec::new();
        let mut before = 0;
        let mut start = local_start(tz, date);
        while let Some(next) = date.succ_opt() {
            let end = local_start(tz, next);
            let total = business_time_between(cal, start, end);
            let shape = if total == 0 {
                Shape::Closed
            } else {
                match single_window(cal, date) {
                    Some((open, close))
                        if start <= open
                            && open < close
                            && close <= end
                            && close - open == total
                            && business_time_between(cal, open, close) == total =>
                    {
                        Shape::Window { open, close }
                    }
                    _ => Shape::Exact,
                }
            };
            days.push(Day {
                start,
                before,
                shape,
            });
            before += total;
            start = end;
            if date >= last {
                break;
            }
            date = next;
        }
        BusinessClock {
            cal,
            days,
            end: start,
        }
    }

    /// Business time from the first tabulated day's start to `t`, when `t` is inside the table.
    fn at(&self, t: Millis) -> Option<i64> {
        if t > self.end {
            return None;
        }
        let i = self.days.partition_point(|d| d.start <= t).checked_sub(1)?;
        let d = &self.days[i];
        Some(
            d.before
                + match d.shape {
                    Shape::Closed => 0,
                    Shape::Window { open, close } => t.clamp(open, close) - open,
                    Shape::Exact => business_time_between(self.cal, d.start, t),
                },
        )
    }

    /// Business time in `[from, to)`, exactly as `business_time_between`.
    pub fn between(&self, from: Millis, to: Millis) -> i64 {
        if to <= from {
            return 0;
        }
        match (self.at(from), self.at(to)) {
            (Some(a), Some(b)) => b - a,
            _ => business_time_between(self.cal, from, to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn t(s: &str) -> Millis {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn equals_the_sla_arithmetic_across_zones_dst_and_odd_calendars() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
        let one = NaiveTime::from_hms_opt(13, 0, 0).unwrap();
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        let early = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        let split = BusinessCalendar::with_windows(
            "America/New_York",
            [
                vec![(nine, noon), (one, five)],
                vec![(nine, five)],
                vec![(early, three)],
                vec![(nine, five)],
                vec![(NaiveTime::MIN, NaiveTime::MIN)],
                vec![],
                vec![(early, three)],
            ],
            [NaiveDate::from_ymd_opt(2024, 11, 28).unwrap()],
        )
        .unwrap();
        let calendars = [
            super::super::calendar_in("Europe/Berlin"),
            super::super::calendar_in("UTC"),
            super::super::calendar_in("Asia/Kathmandu"),
            split,
        ];
        let (lo, hi) = (t("2024-01-01T00:00:00Z"), t("2025-01-01T00:00:00Z"));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for (i, cal) in calendars.iter().enumerate() {
            let clock = BusinessClock::new(cal, lo, hi);
            let tabulated = clock
                .days
                .iter()
                .filter(|d| matches!(d.shape, Shape::Window { .. }))
                .count();
            assert!(
                i == 3 || tabulated > 250,
                "most weekdays take the fast path"
            );
            for _ in 0..4000 {
                let a = rng.gen_range(lo - 86_400_000 * 3..hi);
                let b = a + rng.gen_range(0..86_400_000 * 9);
                assert_eq!(
                    clock.between(a, b),
                    business_time_between(cal, a, b),
                    "{:?} {a} {b}",
                    cal.time_zone()
                );
            }
            // Exactly at window edges and clock changes.
            for (a, b) in [
                ("2024-03-31T00:00:00Z", "2024-04-01T12:00:00Z"),
                ("2024-10-27T00:30:00Z", "2024-10-28T09:00:00Z"),
                ("2024-11-01T13:00:00Z", "2024-11-04T17:00:00Z"),
            ] {
                assert_eq!(
                    clock.between(t(a), t(b)),
                    business_time_between(cal, t(a), t(b))
                );
            }
        }
    }
}
