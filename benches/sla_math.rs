//! SLA business-time arithmetic: how long `add_business_time` and `business_time_between` take
//! for short and very long targets on a few calendars. Prints figures; asserts nothing.
//!
//! `cargo bench --bench sla_math`

use casebook::sla::{BusinessCalendar, add_business_time, business_time_between};
use chrono::{NaiveDate, NaiveTime};
use std::hint::black_box;
use std::time::Instant;

const H: i64 = 3_600_000;

fn main() {
    let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
    let office = Some((t("09:00"), t("17:00")));
    let holidays: Vec<NaiveDate> = (2026..2040)
        .flat_map(|year| {
            [(1, 1), (5, 1), (10, 3), (12, 24), (12, 25), (12, 26)]
                .map(|(m, d)| NaiveDate::from_ymd_opt(year, m, d).unwrap())
        })
        .collect();
    let calendars = [
        (
            "Europe/Berlin Mon-Fri 09-17, holidays",
            BusinessCalendar::new(
                "Europe/Berlin",
                [office, office, office, office, office, None, None],
                holidays,
            )
            .unwrap(),
        ),
        (
            "America/New_York daily 00-04 (DST inside)",
            BusinessCalendar::new("America/New_York", [Some((t("00:00"), t("04:00"))); 7], [])
                .unwrap(),
        ),
        ("24x7 UTC", BusinessCalendar::always()),
    ];
    // Monday 2026-01-05 09:00 UTC, shifted by up to 16 hours between iterations.
    let start = 1_767_603_600_000i64;
    println!(
        "{:44} {:>8} {:>12} {:>12}",
        "calendar", "target", "add", "between"
    );
    for (name, cal) in &calendars {
        for hours in [8, 100, 1_000, 10_000] {
            let n = if hours >= 1_000 { 2_000 } else { 20_000 };
            let began = Instant::now();
            for i in 0..n {
                black_box(add_business_time(
                    cal,
                    start + (i % 97) * 600_000,
                    hours * H,
                ));
            }
            let add = began.elapsed().as_secs_f64() * 1e6 / n as f64;
            let due = add_business_time(cal, start, hours * H);
            let began = Instant::now();
            for i in 0..n {
                black_box(business_time_between(cal, start + (i % 97) * 600_000, due));
            }
            let between = began.elapsed().as_secs_f64() * 1e6 / n as f64;
            println!("{name:44} {hours:>6} h {add:>9.2} µs {between:>9.2} µs");
        }
    }
}
