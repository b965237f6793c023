//! Table tests for business calendars and SLA clocks, plus property tests against the wall clock
//! and against a minute-by-minute count.

use super::*;
use crate::domain::Status;
use crate::domain::clock::Millis;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MIN: i64 = 60_000;
const H: i64 = 60 * MIN;

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An instant written as local time with its offset: "2026-03-30 10:00 +02:00".
fn ts(s: &str) -> Millis {
    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M %:z")
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .timestamp_millis()
}

/// An instant as the calendar's local time, for failure messages.
fn show(cal: &BusinessCalendar, ms: Millis) -> String {
    cal.time_zone()
        .timestamp_millis_opt(ms)
        .unwrap()
        .format("%Y-%m-%d %H:%M:%S%.3f %:z %a")
        .to_string()
}

/// Monday to Friday, one window a day.
fn weekdays(tz: &str, open: &str, close: &str, holidays: &[&str]) -> BusinessCalendar {
    let w = Some((t(open), t(close)));
    BusinessCalendar::new(
        tz,
        [w, w, w, w, w, None, None],
        holidays.iter().map(|h| d(h)),
    )
    .unwrap()
}

/// Every day of the week, one window a day.
fn daily(tz: &str, open: &str, close: &str) -> BusinessCalendar {
    BusinessCalendar::new(tz, [Some((t(open), t(close))); 7], []).unwrap()
}

/// The office the tables mostly use: Mon–Fri 09:00–17:00 Berlin, with German public holidays
/// around the dates the tables visit.
fn berlin() -> BusinessCalendar {
    weekdays(
        "Europe/Berlin",
        "09:00",
        "17:00",
        &[
            "2026-04-03",
            "2026-04-06",
            "2026-05-01",
            "2026-12-24",
            "2026-12-25",
            "2027-01-01",
        ],
    )
}

fn calendars() -> Vec<(&'static str, BusinessCalendar)> {
    let split = BusinessCalendar::with_windows(
        "Europe/Berlin",
        [
            vec![(t("09:00"), t("12:00")), (t("13:00"), t("17:00"))],
            vec![(t("13:00"), t("17:00")), (t("09:00"), t("12:00"))],
            vec![(t("09:00"), t("12:00")), (t("12:00"), t("17:00"))],
            vec![(t("00:00"), t("00:00"))],
            vec![(t("22:00"), t("00:00"))],
            vec![(t("00:00"), t("06:00"))],
            vec![],
        ],
        [d("2026-12-24")],
    )
    .unwrap();
    vec![
        ("berlin", berlin()),
        ("berlin_split", split),
        ("berlin_night", daily("Europe/Berlin", "01:00", "03:00")),
        (
            "new_york",
            weekdays("America/New_York", "08:00", "18:00", &[]),
        ),
        (
            "new_york_night",
            daily("America/New_York", "00:00", "04:00"),
        ),
        (
            "seoul",
            weekdays("Asia/Seoul", "09:00", "18:00", &["2026-02-17"]),
        ),
        ("kolkata", weekdays("Asia/Kolkata", "09:30", "18:30", &[])),
        ("always", BusinessCalendar::always()),
    ]
}

fn calendar(name: &str) -> BusinessCalendar {
    calendars()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no calendar {name}"))
        .1
}

#[test]
fn add_business_time_table() {
    // (calendar, start, business duration, due)
    #[rustfmt::skip]
    let cases: &[(&str, &str, i64, &str)] = &[
        // Inside hours, same day and next day.
        ("berlin", "2026-01-12 10:00 +01:00", 2 * H, "2026-01-12 12:00 +01:00"),
        ("berlin", "2026-01-12 10:00 +01:00", 8 * H, "2026-01-13 10:00 +01:00"),
        // A duration ending exactly at closing is due at closing, not at the next opening.
        ("berlin", "2026-01-12 09:00 +01:00", 8 * H, "2026-01-12 17:00 +01:00"),
        ("berlin", "2026-01-12 09:00 +01:00", 40 * H, "2026-01-16 17:00 +01:00"),
        ("berlin", "2026-01-12 09:00 +01:00", 41 * H, "2026-01-19 10:00 +01:00"),
        ("berlin", "2026-01-12 16:59 +01:00", MIN, "2026-01-12 17:00 +01:00"),
        // Start outside hours: before opening, after closing, at closing, on Saturday/Sunday.
        ("berlin", "2026-01-12 07:30 +01:00", H, "2026-01-12 10:00 +01:00"),
        ("berlin", "2026-01-12 18:00 +01:00", H, "2026-01-13 10:00 +01:00"),
        ("berlin", "2026-01-12 17:00 +01:00", MIN, "2026-01-13 09:01 +01:00"),
        ("berlin", "2026-01-17 00:00 +01:00", H, "2026-01-19 10:00 +01:00"),
        ("berlin", "2026-01-18 12:00 +01:00", H, "2026-01-19 10:00 +01:00"),
        ("berlin", "2026-01-18 23:59 +01:00", 8 * H, "2026-01-19 17:00 +01:00"),
        // Across a weekend.
        ("berlin", "2026-01-16 15:00 +01:00", 4 * H, "2026-01-19 11:00 +01:00"),
        // Zero (and negative) durations are due at once, even outside hours.
        ("berlin", "2026-01-18 12:00 +01:00", 0, "2026-01-18 12:00 +01:00"),
        ("berlin", "2026-01-18 12:00 +01:00", -H, "2026-01-18 12:00 +01:00"),
        // Holidays: May Day (Friday); Good Friday + Easter Monday; Christmas Eve + Day.
        ("berlin", "2026-04-30 16:00 +02:00", 2 * H, "2026-05-04 10:00 +02:00"),
        ("berlin", "2026-04-02 16:00 +02:00", 2 * H, "2026-04-07 10:00 +02:00"),
        ("berlin", "2026-12-23 12:00 +01:00", 8 * H, "2026-12-28 12:00 +01:00"),
        ("berlin", "2026-05-01 10:00 +02:00", H, "2026-05-04 10:00 +02:00"),
        // DST: Friday before spring-forward to Monday after (offset +01:00 → +02:00) and back.
        ("berlin", "2026-03-27 16:00 +01:00", 2 * H, "2026-03-30 10:00 +02:00"),
        ("berlin", "2026-10-23 16:00 +02:00", 2 * H, "2026-10-26 10:00 +01:00"),
        // Windows spanning the change: 01:00–03:00 is 1 hour on spring-forward, 3 on fall-back.
        ("berlin_night", "2026-03-29 01:00 +01:00", H, "2026-03-29 03:00 +02:00"),
        ("berlin_night", "2026-03-29 01:00 +01:00", H + MIN, "2026-03-30 01:01 +02:00"),
        ("berlin_night", "2026-03-29 01:30 +01:00", 30 * MIN, "2026-03-29 03:00 +02:00"),
        ("berlin_night", "2026-10-25 01:00 +02:00", 90 * MIN, "2026-10-25 02:30 +02:00"),
        ("berlin_night", "2026-10-25 01:00 +02:00", 150 * MIN, "2026-10-25 02:30 +01:00"),
        ("berlin_night", "2026-10-25 01:00 +02:00", 3 * H, "2026-10-25 03:00 +01:00"),
        ("berlin_night", "2026-10-25 01:00 +02:00", 3 * H + MIN, "2026-10-26 01:01 +01:00"),
        ("berlin_night", "2026-10-25 02:30 +01:00", 30 * MIN, "2026-10-25 03:00 +01:00"),
        // New York: 00:00–04:00 daily is 3 hours on 8 March and 5 hours on 1 November.
        ("new_york_night", "2026-03-08 00:00 -05:00", 3 * H, "2026-03-08 04:00 -04:00"),
        ("new_york_night", "2026-03-08 00:00 -05:00", 2 * H, "2026-03-08 03:00 -04:00"),
        ("new_york_night", "2026-03-08 00:00 -05:00", 3 * H + MIN, "2026-03-09 00:01 -04:00"),
        ("new_york_night", "2026-11-01 00:00 -04:00", 2 * H, "2026-11-01 01:00 -05:00"),
        ("new_york_night", "2026-11-01 00:00 -04:00", 5 * H, "2026-11-01 04:00 -05:00"),
        ("new_york", "2026-03-06 17:00 -05:00", 2 * H, "2026-03-09 09:00 -04:00"),
        ("new_york", "2026-10-30 17:00 -04:00", 2 * H, "2026-11-02 09:00 -05:00"),
        // Asia/Seoul (UTC+9, no DST) with Seollal as a holiday; Asia/Kolkata (UTC+5:30).
        ("seoul", "2026-01-16 17:00 +09:00", 2 * H, "2026-01-19 10:00 +09:00"),
        ("seoul", "2026-01-16 09:00 +00:00", H, "2026-01-19 10:00 +09:00"),
        ("seoul", "2026-02-16 17:00 +09:00", 2 * H, "2026-02-18 10:00 +09:00"),
        ("kolkata", "2026-01-12 09:00 +05:30", H, "2026-01-12 10:30 +05:30"),
        ("kolkata", "2026-01-12 12:00 +00:00", 2 * H, "2026-01-13 10:30 +05:30"),
        ("kolkata", "2026-01-16 18:00 +05:30", H, "2026-01-19 10:00 +05:30"),
        // Split days: lunch is not business time; touching windows are one.
        ("berlin_split", "2026-01-12 11:00 +01:00", 2 * H, "2026-01-12 14:00 +01:00"),
        ("berlin_split", "2026-01-13 11:30 +01:00", H, "2026-01-13 13:30 +01:00"),
        ("berlin_split", "2026-01-14 11:00 +01:00", 2 * H, "2026-01-14 13:00 +01:00"),
        // Thursday 24 h, Friday 22:00–24:00, Saturday 00:00–06:00: a night shift over midnight.
        ("berlin_split", "2026-01-15 00:00 +01:00", 24 * H, "2026-01-16 00:00 +01:00"),
        ("berlin_split", "2026-01-16 12:00 +01:00", 3 * H, "2026-01-17 01:00 +01:00"),
        ("berlin_split", "2026-01-17 05:00 +01:00", 2 * H, "2026-01-19 10:00 +01:00"),
        // Around the clock is the wall clock.
        ("always", "2026-03-29 00:00 +00:00", 50 * H, "2026-03-31 02:00 +00:00"),
    ];
    for &(name, start, duration, due) in cases {
        let cal = calendar(name);
        let got = add_business_time(&cal, ts(start), duration);
        assert_eq!(
            got,
            ts(due),
            "{name}: {start} + {duration} ms: got {}, want {due}",
            show(&cal, got)
        );
        if duration > 0 {
            assert_eq!(
                business_time_between(&cal, ts(start), got),
                duration,
                "{name}: {start} + {duration} ms"
            );
        }
    }
}

#[test]
fn business_time_between_table() {
    // (calendar, from, to, business time)
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, i64)] = &[
        ("berlin", "2026-01-12 09:00 +01:00", "2026-01-12 17:00 +01:00", 8 * H),
        ("berlin", "2026-01-12 07:00 +01:00", "2026-01-12 20:00 +01:00", 8 * H),
        ("berlin", "2026-01-12 12:00 +01:00", "2026-01-12 12:00 +01:00", 0),
        // Reversed ranges are empty, never negative.
        ("berlin", "2026-01-13 12:00 +01:00", "2026-01-12 12:00 +01:00", 0),
        ("berlin", "2026-01-16 16:00 +01:00", "2026-01-19 10:00 +01:00", 2 * H),
        ("berlin", "2026-01-17 00:00 +01:00", "2026-01-18 23:59 +01:00", 0),
        ("berlin", "2026-01-12 00:00 +01:00", "2026-01-19 00:00 +01:00", 40 * H),
        ("berlin", "2026-01-05 00:00 +01:00", "2026-03-02 00:00 +01:00", 8 * 40 * H),
        // Easter week: four working days.
        ("berlin", "2026-03-30 00:00 +02:00", "2026-04-06 00:00 +02:00", 32 * H),
        ("berlin", "2026-12-21 00:00 +01:00", "2027-01-04 00:00 +01:00", 7 * 8 * H),
        ("berlin", "2026-03-27 12:00 +01:00", "2026-03-30 12:00 +02:00", 8 * H),
        ("berlin_night", "2026-03-29 00:00 +01:00", "2026-03-30 00:00 +02:00", H),
        ("berlin_night", "2026-10-25 00:00 +02:00", "2026-10-26 00:00 +01:00", 3 * H),
        ("berlin_night", "2026-03-23 00:00 +01:00", "2026-03-30 00:00 +02:00", 13 * H),
        ("berlin_night", "2026-10-19 00:00 +02:00", "2026-10-26 00:00 +01:00", 15 * H),
        ("new_york_night", "2026-03-08 00:00 -05:00", "2026-03-09 00:00 -04:00", 3 * H),
        ("new_york_night", "2026-11-01 00:00 -04:00", "2026-11-02 00:00 -05:00", 5 * H),
        ("new_york_night", "2026-11-01 01:30 -04:00", "2026-11-01 01:30 -05:00", H),
        ("new_york", "2026-03-06 12:00 -05:00", "2026-03-09 12:00 -04:00", 10 * H),
        ("seoul", "2026-02-13 00:00 +09:00", "2026-02-20 00:00 +09:00", 4 * 9 * H),
        ("kolkata", "2026-01-12 00:00 +00:00", "2026-01-12 12:00 +00:00", 8 * H),
        ("berlin_split", "2026-01-12 00:00 +01:00", "2026-01-19 00:00 +01:00", (7 + 7 + 8 + 24 + 2 + 6) * H),
        ("always", "2026-10-25 00:00 +02:00", "2026-10-26 00:00 +01:00", 25 * H),
        ("always", "2026-03-29 00:00 +01:00", "2026-03-30 00:00 +02:00", 23 * H),
    ];
    for &(name, from, to, want) in cases {
        let cal = calendar(name);
        assert_eq!(
            business_time_between(&cal, ts(from), ts(to)),
            want,
            "{name}: {from} .. {to}"
        );
    }
}

#[test]
fn is_open_table() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, bool)] = &[
        ("berlin", "2026-01-12 09:00 +01:00", true),
        ("berlin", "2026-01-12 08:59 +01:00", false),
        ("berlin", "2026-01-12 16:59 +01:00", true),
        ("berlin", "2026-01-12 17:00 +01:00", false),
        ("berlin", "2026-01-17 12:00 +01:00", false),
        ("berlin", "2026-05-01 12:00 +02:00", false),
        ("berlin", "2026-03-30 09:30 +02:00", true),
        ("berlin", "2026-03-30 08:30 +01:00", true),
        ("berlin_split", "2026-01-12 12:30 +01:00", false),
        ("berlin_split", "2026-01-16 23:59 +01:00", true),
        ("berlin_split", "2026-01-17 00:00 +01:00", true),
        ("berlin_night", "2026-10-25 02:30 +01:00", true),
        ("berlin_night", "2026-10-25 03:00 +01:00", false),
        ("berlin_night", "2026-03-29 03:00 +02:00", false),
        ("seoul", "2026-01-12 00:00 +00:00", true),
        ("kolkata", "2026-01-12 04:00 +00:00", true),
        ("kolkata", "2026-01-12 03:59 +00:00", false),
        ("always", "2026-12-25 12:00 +00:00", true),
    ];
    for &(name, at, want) in cases {
        assert_eq!(is_open(&calendar(name), ts(at)), want, "{name}: {at}");
    }
}

#[test]
fn clock_change_edge_cases() {
    // A window that starts in the skipped hour opens at the jump; one inside it has no length.
    let cal = daily("Europe/Berlin", "02:30", "04:00");
    let day = |from, to| business_time_between(&cal, ts(from), ts(to));
    assert_eq!(day("2026-03-29 00:00 +01:00", "2026-03-30 00:00 +02:00"), H);
    assert!(is_open(&cal, ts("2026-03-29 03:00 +02:00")));
    let cal = daily("Europe/Berlin", "02:00", "02:45");
    let day = |from, to| business_time_between(&cal, ts(from), ts(to));
    assert_eq!(day("2026-03-29 00:00 +01:00", "2026-03-30 00:00 +02:00"), 0);
    assert_eq!(
        add_business_time(&cal, ts("2026-03-28 02:45 +01:00"), MIN),
        ts("2026-03-30 02:01 +02:00")
    );
    // A window ending in the repeated hour runs until the clock last shows its end:
    // 00:00–02:30 on fall-back night is 00:00 CEST to the second 02:30 (CET), 3.5 hours.
    let cal = daily("Europe/Berlin", "00:00", "02:30");
    assert_eq!(
        business_time_between(
            &cal,
            ts("2026-10-25 00:00 +02:00"),
            ts("2026-10-26 00:00 +01:00")
        ),
        3 * H + 30 * MIN
    );
    // Samoa skipped Friday 30 December 2011 entirely (UTC-10 → UTC+14).
    let cal = daily("Pacific/Apia", "09:00", "17:00");
    assert_eq!(
        add_business_time(&cal, ts("2011-12-29 16:00 -10:00"), 2 * H),
        ts("2011-12-31 10:00 +14:00")
    );
    assert_eq!(
        business_time_between(
            &cal,
            ts("2011-12-29 00:00 -10:00"),
            ts("2012-01-01 00:00 +14:00")
        ),
        16 * H
    );
}

#[test]
fn long_durations_skip_weeks_correctly() {
    let cal = berlin();
    // Worked out independently (Python zoneinfo, day by day) for this holiday list.
    let start = ts("2026-01-05 09:00 +01:00");
    assert_eq!(
        add_business_time(&cal, start, 10_000 * H),
        ts("2030-10-28 17:00 +01:00")
    );
    assert_eq!(
        add_business_time(&cal, start, 10_000 * H + 30 * MIN),
        ts("2030-10-29 09:30 +01:00")
    );
    // Adding an hour at a time never skips a week; it must land on the same instants.
    for (name, cal) in calendars() {
        let start = ts("2026-01-07 11:17 +01:00");
        let mut step = start;
        for hours in 1..=2_000 {
            step = add_business_time(&cal, step, H);
            if hours % 97 == 0 || hours == 2_000 {
                assert_eq!(
                    add_business_time(&cal, start, hours * H),
                    step,
                    "{name}: {hours} h"
                );
                assert_eq!(
                    business_time_between(&cal, start, step),
                    hours * H,
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn always_equals_wall_clock() {
    let cal = BusinessCalendar::always();
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..500 {
        let start = rng.gen_range(ts("1990-01-01 00:00 +00:00")..ts("2060-01-01 00:00 +00:00"));
        let duration = rng.gen_range(0..5_000 * H);
        assert_eq!(add_business_time(&cal, start, duration), start + duration);
        assert_eq!(
            business_time_between(&cal, start, start + duration),
            duration
        );
        assert!(is_open(&cal, start));
    }
}

#[test]
fn between_inverts_add_for_random_input() {
    let cals = calendars();
    let mut rng = StdRng::seed_from_u64(0x5_1a);
    for round in 0..3_000 {
        let (name, cal) = &cals[round % cals.len()];
        let start = rng.gen_range(ts("2000-01-01 00:00 +00:00")..ts("2040-01-01 00:00 +00:00"));
        let duration = match rng.gen_range(0..4) {
            0 => rng.gen_range(1..=MIN),
            1 => rng.gen_range(1..=10 * H),
            2 => rng.gen_range(1..=200 * H),
            _ => rng.gen_range(1..=12_000 * H),
        };
        let due = add_business_time(cal, start, duration);
        let ctx = || format!("{name}: {} + {duration} ms", show(cal, start));
        assert!(due > start, "{}", ctx());
        assert_eq!(
            business_time_between(cal, start, due),
            duration,
            "{}",
            ctx()
        );
        // The last millisecond before a due time is business time.
        assert!(is_open(cal, due - 1), "{}: due {}", ctx(), show(cal, due));
        let shorter = rng.gen_range(0..duration);
        assert!(add_business_time(cal, start, shorter) <= due, "{}", ctx());
    }
}

/// Counts business minutes by reading the local clock at every minute: an oracle that shares
/// nothing with the calendar's arithmetic. It agrees wherever no window starts or ends in a
/// repeated hour, which holds for every calendar in `calendars()`.
fn minute_count(cal: &BusinessCalendar, from: Millis, to: Millis) -> i64 {
    let mut count = 0;
    let mut at = from;
    while at < to {
        let local = cal
            .time_zone()
            .timestamp_millis_opt(at)
            .unwrap()
            .naive_local();
        let since_midnight = local.time() - NaiveTime::MIN;
        let open = !cal.holidays().contains(&local.date())
            && cal.windows(local.date().weekday()).iter().any(|w| {
                let start = w.start() - NaiveTime::MIN;
                let end = start + chrono::TimeDelta::milliseconds(w.len_ms());
                start <= since_midnight && since_midnight < end
            });
        count += i64::from(open) * MIN;
        at += MIN;
    }
    count
}

#[test]
fn between_matches_a_minute_count() {
    let cals = calendars();
    // Ranges around the 2026 clock changes in Europe and North America, and random ones.
    let mut ranges = vec![
        (ts("2026-03-27 13:07 +00:00"), ts("2026-03-30 22:00 +00:00")),
        (ts("2026-10-23 00:00 +00:00"), ts("2026-10-26 12:00 +00:00")),
        (ts("2026-03-06 00:00 +00:00"), ts("2026-03-09 12:00 +00:00")),
        (ts("2026-10-30 00:00 +00:00"), ts("2026-11-02 12:00 +00:00")),
        (ts("2026-12-23 00:00 +00:00"), ts("2026-12-29 00:00 +00:00")),
    ];
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..10 {
        let from = rng.gen_range(0..20 * 365 * 1440) * MIN + ts("2015-01-01 00:00 +00:00");
        ranges.push((from, from + rng.gen_range(0..4 * 1440) * MIN));
    }
    for (name, cal) in &cals {
        for &(from, to) in &ranges {
            assert_eq!(
                business_time_between(cal, from, to),
                minute_count(cal, from, to),
                "{name}: {} .. {}",
                show(cal, from),
                show(cal, to)
            );
        }
    }
}

#[test]
fn calendar_validation_names_the_field() {
    let w = Some((t("09:00"), t("17:00")));
    let err = BusinessCalendar::new("Europe/Berlín", [w; 7], []).unwrap_err();
    assert_eq!(err.field(), "time_zone");
    assert!(err.message().contains("Europe/Berlín"), "{}", err.message());
    assert_eq!(
        BusinessCalendar::new("", [w; 7], []).unwrap_err().field(),
        "time_zone"
    );

    let mut hours = [w; 7];
    hours[1] = Some((t("17:00"), t("09:00")));
    let err = BusinessCalendar::new("UTC", hours, []).unwrap_err();
    assert_eq!(
        err,
        SlaError::EmptyWindow {
            day: chrono::Weekday::Tue
        }
    );
    assert_eq!(err.field(), "hours.tuesday");
    assert!(err.message().contains("Tuesday"), "{}", err.message());

    hours[1] = Some((t("09:00"), t("09:00")));
    assert_eq!(
        BusinessCalendar::new("UTC", hours, []).unwrap_err().field(),
        "hours.tuesday"
    );

    let err = BusinessCalendar::new("Asia/Seoul", [None; 7], [d("2026-01-01")]).unwrap_err();
    assert_eq!(err, SlaError::NoWorkingTime);
    assert_eq!(err.field(), "hours");

    let mut split: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    split[6] = vec![(t("09:00"), t("13:00")), (t("12:00"), t("17:00"))];
    let err = BusinessCalendar::with_windows("UTC", split, []).unwrap_err();
    assert_eq!(err.field(), "hours.sunday");

    // Touching windows are joined; 00:00 as an end means midnight.
    let mut split: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    split[0] = vec![(t("13:00"), t("00:00")), (t("09:00"), t("13:00"))];
    let cal = BusinessCalendar::with_windows(" Asia/Kolkata ", split, []).unwrap();
    let monday = cal.windows(chrono::Weekday::Mon);
    assert_eq!(monday.len(), 1);
    assert_eq!(
        (monday[0].start(), monday[0].end()),
        (t("09:00"), t("00:00"))
    );
    assert_eq!(cal.week_ms(), 15 * H);
    assert_eq!(cal.time_zone(), chrono_tz::Asia::Kolkata);
}

fn history(entries: &[(&str, Status)]) -> Vec<StatusChange> {
    entries
        .iter()
        .map(|&(at, status)| StatusChange { at: ts(at), status })
        .collect()
}

#[test]
fn clock_readings_table() {
    use SlaState::*;
    use Status::*;
    let cal = berlin();
    let four_hours = Target::new(4 * H, 0.75).unwrap();
    // Monday 10:00 new: due 14:00, warning at 13:00.
    let monday = history(&[("2026-01-12 10:00 +01:00", New)]);
    // Pending from Friday 16:30 over the weekend until the customer answers Monday 10:00.
    let weekend = history(&[
        ("2026-01-16 16:00 +01:00", New),
        ("2026-01-16 16:15 +01:00", Open),
        ("2026-01-16 16:30 +01:00", Pending),
        ("2026-01-19 10:00 +01:00", Open),
    ]);
    // Warned, then pending; and breached, then pending.
    let warned = history(&[
        ("2026-01-12 10:00 +01:00", New),
        ("2026-01-12 13:30 +01:00", Pending),
    ]);
    let late = history(&[
        ("2026-01-12 10:00 +01:00", New),
        ("2026-01-12 15:00 +01:00", Pending),
    ]);
    // Solved Monday 11:00 and reopened Tuesday 09:00: solved time does not count.
    let reopened = history(&[
        ("2026-01-12 10:00 +01:00", Open),
        ("2026-01-12 11:00 +01:00", Solved),
        ("2026-01-13 09:00 +01:00", Open),
    ]);
    // Created straight into pending; the clock first runs when it opens.
    let pending_first = history(&[
        ("2026-01-12 10:00 +01:00", Pending),
        ("2026-01-12 15:00 +01:00", Open),
    ]);
    struct Case<'a> {
        name: &'a str,
        history: &'a [StatusChange],
        now: &'a str,
        met_at: Option<&'a str>,
        state: SlaState,
        due_at: Option<&'a str>,
        warning_at: Option<&'a str>,
        elapsed: i64,
    }
    #[rustfmt::skip]
    let cases = [
        Case { name: "just started", history: &monday, now: "2026-01-12 10:00 +01:00", met_at: None, state: OnTrack, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 0 },
        Case { name: "half way", history: &monday, now: "2026-01-12 12:00 +01:00", met_at: None, state: OnTrack, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 2 * H },
        Case { name: "warning at 75%", history: &monday, now: "2026-01-12 13:00 +01:00", met_at: None, state: Warning, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 3 * H },
        Case { name: "breach exactly at due", history: &monday, now: "2026-01-12 14:00 +01:00", met_at: None, state: Breached, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 4 * H },
        Case { name: "breached overnight counts business time only", history: &monday, now: "2026-01-13 10:00 +01:00", met_at: None, state: Breached, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 8 * H },
        Case { name: "met early", history: &monday, now: "2026-01-13 10:00 +01:00", met_at: Some("2026-01-12 12:30 +01:00"), state: Met, due_at: None, warning_at: None, elapsed: 2 * H + 30 * MIN },
        Case { name: "met after warning", history: &monday, now: "2026-01-12 13:30 +01:00", met_at: Some("2026-01-12 13:30 +01:00"), state: Met, due_at: None, warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 3 * H + 30 * MIN },
        Case { name: "met late", history: &monday, now: "2026-01-13 10:00 +01:00", met_at: Some("2026-01-12 14:30 +01:00"), state: Breached, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 4 * H + 30 * MIN },
        Case { name: "met at the due instant is late", history: &monday, now: "2026-01-12 14:00 +01:00", met_at: Some("2026-01-12 14:00 +01:00"), state: Breached, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 4 * H },
        Case { name: "a met_at after now is not known yet", history: &monday, now: "2026-01-12 12:00 +01:00", met_at: Some("2026-01-12 12:30 +01:00"), state: OnTrack, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 2 * H },
        Case { name: "pending over the weekend", history: &weekend, now: "2026-01-17 12:00 +01:00", met_at: None, state: Paused, due_at: None, warning_at: None, elapsed: 30 * MIN },
        Case { name: "still pending Monday morning", history: &weekend, now: "2026-01-19 09:59 +01:00", met_at: None, state: Paused, due_at: None, warning_at: None, elapsed: 30 * MIN },
        Case { name: "resumed Monday", history: &weekend, now: "2026-01-19 10:00 +01:00", met_at: None, state: OnTrack, due_at: Some("2026-01-19 13:30 +01:00"), warning_at: Some("2026-01-19 12:30 +01:00"), elapsed: 30 * MIN },
        Case { name: "resumed Monday, later", history: &weekend, now: "2026-01-19 13:00 +01:00", met_at: None, state: Warning, due_at: Some("2026-01-19 13:30 +01:00"), warning_at: Some("2026-01-19 12:30 +01:00"), elapsed: 3 * H + 30 * MIN },
        Case { name: "paused after the warning", history: &warned, now: "2026-01-12 16:00 +01:00", met_at: None, state: Paused, due_at: None, warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 3 * H + 30 * MIN },
        Case { name: "breached stays breached while paused", history: &late, now: "2026-01-13 12:00 +01:00", met_at: None, state: Breached, due_at: Some("2026-01-12 14:00 +01:00"), warning_at: Some("2026-01-12 13:00 +01:00"), elapsed: 5 * H },
        Case { name: "solved stops the clock", history: &reopened, now: "2026-01-12 16:00 +01:00", met_at: None, state: Paused, due_at: None, warning_at: None, elapsed: H },
        Case { name: "reopened resumes it", history: &reopened, now: "2026-01-13 09:00 +01:00", met_at: None, state: OnTrack, due_at: Some("2026-01-13 12:00 +01:00"), warning_at: Some("2026-01-13 11:00 +01:00"), elapsed: H },
        Case { name: "created pending", history: &pending_first, now: "2026-01-12 14:00 +01:00", met_at: None, state: Paused, due_at: None, warning_at: None, elapsed: 0 },
        Case { name: "created pending, then opened", history: &pending_first, now: "2026-01-12 16:00 +01:00", met_at: None, state: OnTrack, due_at: Some("2026-01-13 11:00 +01:00"), warning_at: Some("2026-01-13 10:00 +01:00"), elapsed: H },
    ];
    for case in cases {
        let clock = SlaClock::from_history(case.history).unwrap();
        let reading = clock.reading(&cal, &four_hours, ts(case.now), case.met_at.map(ts));
        let want = SlaReading {
            state: case.state,
            due_at: case.due_at.map(ts),
            warning_at: case.warning_at.map(ts),
            elapsed_business_ms: case.elapsed,
            remaining_business_ms: 4 * H - case.elapsed,
        };
        assert_eq!(reading, want, "{}", case.name);
    }
}

#[test]
fn clock_state_flips_on_the_millisecond() {
    let cal = berlin();
    let target = Target::new(4 * H, 0.75).unwrap();
    let clock =
        SlaClock::from_history(&history(&[("2026-01-12 10:00 +01:00", Status::New)])).unwrap();
    let due = ts("2026-01-12 14:00 +01:00");
    let warn = ts("2026-01-12 13:00 +01:00");
    let state = |at| clock.reading(&cal, &target, at, None).state;
    assert_eq!(state(warn - 1), SlaState::OnTrack);
    assert_eq!(state(warn), SlaState::Warning);
    assert_eq!(state(due - 1), SlaState::Warning);
    assert_eq!(state(due), SlaState::Breached);
    assert_eq!(
        clock
            .reading(&cal, &target, due - 1, None)
            .remaining_business_ms,
        1
    );
}

#[test]
fn policy_change_mid_ticket_recomputes_from_history() {
    use Status::*;
    let cal = berlin();
    let changes = history(&[
        ("2026-01-12 09:00 +01:00", New),
        ("2026-01-12 10:00 +01:00", Pending),
        ("2026-01-12 11:00 +01:00", Open),
    ]);
    let clock = SlaClock::from_history(&changes).unwrap();
    let now = ts("2026-01-12 13:00 +01:00");
    let read = |hours| clock.reading(&cal, &Target::new(hours * H, 0.75).unwrap(), now, None);

    // 8 hours: 3 spent (09–10, 11–13), due Tuesday 10:00 (the pending hour moved it).
    let before = read(8);
    assert_eq!(before.state, SlaState::OnTrack);
    assert_eq!(before.elapsed_business_ms, 3 * H);
    assert_eq!(before.due_at, Some(ts("2026-01-13 10:00 +01:00")));

    // Tightened to 4 hours: the same history, now in warning and due at 14:00 today.
    let tighter = read(4);
    assert_eq!(tighter.state, SlaState::Warning);
    assert_eq!(tighter.elapsed_business_ms, 3 * H);
    assert_eq!(tighter.due_at, Some(ts("2026-01-12 14:00 +01:00")));
    assert_eq!(tighter.warning_at, Some(ts("2026-01-12 13:00 +01:00")));

    // Tightened below what is spent: breached at once, due when 2 hours had passed.
    let breached = read(2);
    assert_eq!(breached.state, SlaState::Breached);
    assert_eq!(breached.due_at, Some(ts("2026-01-12 12:00 +01:00")));
    assert_eq!(breached.remaining_business_ms, -H);

    // Loosened: on track again, the warning moved too.
    let looser = read(16);
    assert_eq!(looser.state, SlaState::OnTrack);
    assert_eq!(looser.due_at, Some(ts("2026-01-14 10:00 +01:00")));
    assert_eq!(looser.warning_at, Some(ts("2026-01-13 14:00 +01:00")));
}

#[test]
fn clock_on_other_calendars() {
    let target = Target::new(90 * MIN, 0.5).unwrap();
    let clock =
        SlaClock::from_history(&history(&[("2026-03-08 00:30 -05:00", Status::New)])).unwrap();
    // Around the clock: due 90 minutes later in wall-clock time, DST or not.
    let reading = clock.reading(
        &BusinessCalendar::always(),
        &target,
        ts("2026-03-08 00:30 -05:00"),
        None,
    );
    assert_eq!(reading.due_at, Some(ts("2026-03-08 03:00 -04:00")));
    // New York nights 00:00–04:00: the same, since the jump from 02:00 to 03:00 is in the window.
    let reading = clock.reading(
        &calendar("new_york_night"),
        &target,
        ts("2026-03-08 01:20 -05:00"),
        None,
    );
    assert_eq!(reading.due_at, Some(ts("2026-03-08 03:00 -04:00")));
    assert_eq!(reading.warning_at, Some(ts("2026-03-08 01:15 -05:00")));
    assert_eq!(reading.state, SlaState::Warning);
}

#[test]
fn clock_from_history_and_pauses() {
    use Status::*;
    assert_eq!(SlaClock::from_history(&[]), None);
    // Unordered input, repeated statuses, pending → solved (one pause), reopen.
    let clock = SlaClock::from_history(&history(&[
        ("2026-01-12 12:00 +01:00", Pending),
        ("2026-01-12 10:00 +01:00", New),
        ("2026-01-12 11:00 +01:00", Open),
        ("2026-01-12 11:30 +01:00", Open),
        ("2026-01-12 13:00 +01:00", Solved),
        ("2026-01-12 14:00 +01:00", Open),
        ("2026-01-12 15:00 +01:00", Closed),
    ]))
    .unwrap();
    assert_eq!(clock.started_at(), ts("2026-01-12 10:00 +01:00"));
    assert_eq!(
        clock.pauses(),
        &[
            (
                ts("2026-01-12 12:00 +01:00"),
                Some(ts("2026-01-12 14:00 +01:00"))
            ),
            (ts("2026-01-12 15:00 +01:00"), None),
        ]
    );
    assert!(clock.is_running(ts("2026-01-12 11:59 +01:00")));
    assert!(!clock.is_running(ts("2026-01-12 12:00 +01:00")));
    assert!(clock.is_running(ts("2026-01-12 14:00 +01:00")));
    assert!(!clock.is_running(ts("2026-01-12 09:00 +01:00")));

    // Explicit pauses: ordered, overlapping ones joined, empty ones and parts before the start dropped.
    let clock = SlaClock::new(
        100,
        vec![
            (500, Some(700)),
            (50, Some(150)),
            (600, Some(800)),
            (900, Some(900)),
            (1000, None),
            (1200, Some(1300)),
        ],
    );
    assert_eq!(
        clock.pauses(),
        &[(100, Some(150)), (500, Some(800)), (1000, None)]
    );
    let reading = clock.reading(
        &BusinessCalendar::always(),
        &Target::new(1000, 1.0).unwrap(),
        2000,
        None,
    );
    assert_eq!(reading.elapsed_business_ms, 350 + 200);
    assert_eq!(reading.state, SlaState::Paused);
}

#[test]
fn target_validation_names_the_field() {
    for (ms, fraction, field) in [
        (0, 0.75, "target_ms"),
        (-H, 0.75, "target_ms"),
        (1001 * 24 * H, 0.75, "target_ms"),
        (H, 0.0, "warning_fraction"),
        (H, 1.5, "warning_fraction"),
        (H, f64::NAN, "warning_fraction"),
    ] {
        assert_eq!(
            Target::new(ms, fraction).unwrap_err().field(),
            field,
            "{ms} {fraction}"
        );
    }
    let target = Target::new(10 * MIN, 1.0).unwrap();
    assert_eq!(
        (target.target_ms(), target.warning_ms()),
        (10 * MIN, 10 * MIN)
    );
    assert_eq!(Target::new(3, 0.5).unwrap().warning_ms(), 2);
    assert_eq!(
        serde_json::to_string(&SlaState::OnTrack).unwrap(),
        "\"on_track\""
    );
    assert_eq!(SlaState::Breached.as_str(), "breached");
}
