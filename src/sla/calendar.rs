//! Business calendars (working windows per weekday in an IANA time zone, minus holidays) and the
//! business-time arithmetic over them: when a target falls due, how much business time lies
//! between two instants, whether an instant is inside working hours.
//!
//! How local hours become instants:
//! - Windows are wall-clock times of a local date in the calendar's zone. A window runs from the
//!   first instant the local clock shows its start until the last instant it shows its end, so a
//!   window 01:00–03:00 lasts 1 hour on a spring-forward night and 3 hours on a fall-back night.
//!   A start or end that the clock skips (inside a spring-forward gap) is the instant of the jump.
//! - A window never crosses midnight: an end of 00:00 means midnight at the end of the day, so
//!   00:00–00:00 is the whole day and a night shift is two windows on two days.
//! - A holiday closes the whole local date, every window of it.
//! - Arithmetic is exact to the millisecond; nothing is rounded.
//! - Instants are clamped to the years 1–9999; a due time past 9999 saturates at its end.

use super::SlaError;
use crate::domain::clock::Millis;
use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike, Weekday,
};
use chrono_tz::Tz;
use std::collections::BTreeSet;

const DAY_MS: i64 = 86_400_000;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
const MIN_MS: Millis = -62_135_596_800_000;
const MAX_MS: Millis = 253_402_300_799_999;

/// One working window of a day, in local wall-clock time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Milliseconds since local midnight; `end_ms` may be a whole day (midnight at the end).
    start_ms: i64,
    end_ms: i64,
}

impl Window {
    pub fn start(&self) -> NaiveTime {
        time_of_day(self.start_ms)
    }

    /// The end; 00:00 when the window runs until midnight.
    pub fn end(&self) -> NaiveTime {
        time_of_day(self.end_ms % DAY_MS)
    }

    /// Length in a day without a clock change.
    pub fn len_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }
}

/// Working hours in a time zone: windows per weekday (Monday first) and closed dates. A value of
/// this type is valid: it has a known zone, well-formed windows and some working time each week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    time_zone: Tz,
    hours: [Vec<Window>; 7],
    holidays: BTreeSet<NaiveDate>,
    /// Business time of each weekday and of the week, without holidays or clock changes.
    day_ms: [i64; 7],
    week_ms: i64,
}

/// A local week in which the clock does not change (see `BusinessCalendar::steady_week`).
struct SteadyWeek {
    start: Millis,
    end: Millis,
    business_ms: i64,
    /// The offset at the next Monday's midnight, to carry into the next week.
    next_offset: i64,
}

impl BusinessCalendar {
    /// A calendar with at most one window a day, `hours[0]` being Monday.
    pub fn new(
        time_zone: &str,
        hours: [Option<(NaiveTime, NaiveTime)>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, SlaError> {
        Self::with_windows(
            time_zone,
            hours.map(|day| day.into_iter().collect()),
            holidays,
        )
    }

    /// A calendar with any number of windows a day (e.g. 09:00–12:00 and 13:00–17:00). Windows
    /// of a day may come in any order; windows that touch are joined; windows that overlap are
    /// an error.
    pub fn with_windows(
        time_zone: &str,
        hours: [Vec<(NaiveTime, NaiveTime)>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, SlaError> {
        let time_zone: Tz = time_zone
            .trim()
            .parse()
            .map_err(|_| SlaError::UnknownTimeZone(time_zone.to_string()))?;
        let mut days: [Vec<Window>; 7] = Default::default();
        for (index, windows) in hours.into_iter().enumerate() {
            let day = Weekday::try_from(index as u8).expect("seven weekdays");
            let mut parsed = Vec::with_capacity(windows.len());
            for (start, end) in windows {
                let start_ms = ms_of_day(start);
                let end_ms = if end == NaiveTime::MIN {
                    DAY_MS
                } else {
                    ms_of_day(end)
                };
                if end_ms <= start_ms {
                    return Err(SlaError::EmptyWindow { day });
                }
                parsed.push(Window { start_ms, end_ms });
            }
            parsed.sort_by_key(|w| w.start_ms);
            let mut joined: Vec<Window> = Vec::with_capacity(parsed.len());
            for w in parsed {
                match joined.last_mut() {
                    Some(last) if w.start_ms < last.end_ms => {
                        return Err(SlaError::OverlappingWindows { day });
                    }
                    Some(last) if w.start_ms == last.end_ms => last.end_ms = w.end_ms,
                    _ => joined.push(w),
                }
            }
            days[index] = joined;
        }
        let day_ms = days
            .each_ref()
            .map(|d| d.iter().map(Window::len_ms).sum::<i64>());
        let week_ms = day_ms.iter().sum();
        if week_ms == 0 {
            return Err(SlaError::NoWorkingTime);
        }
        Ok(BusinessCalendar {
            time_zone,
            hours: days,
            holidays: holidays.into_iter().collect(),
            day_ms,
            week_ms,
        })
    }

    /// Around the clock, every day, in UTC: business time equals wall-clock time.
    pub fn always() -> Self {
        let whole_day = Window {
            start_ms: 0,
            end_ms: DAY_MS,
        };
        BusinessCalendar {
            time_zone: Tz::UTC,
            hours: std::array::from_fn(|_| vec![whole_day]),
            holidays: BTreeSet::new(),
            day_ms: [DAY_MS; 7],
            week_ms: 7 * DAY_MS,
        }
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The windows of a weekday, in order, not touching each other.
    pub fn windows(&self, day: Weekday) -> &[Window] {
        &self.hours[day.num_days_from_monday() as usize]
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Business time in a week with no holiday and no clock change.
    pub fn week_ms(&self) -> i64 {
        self.week_ms
    }

    /// UTC offset in force at an instant, in milliseconds.
    fn offset_ms(&self, at: Millis) -> i64 {
        let offset = self.time_zone.offset_from_utc_datetime(&naive(at));
        i64::from(offset.fix().local_minus_utc()) * 1000
    }

    fn local_date(&self, at: Millis) -> NaiveDate {
        naive(at + self.offset_ms(at)).date()
    }

    /// The first and the last instant at which the local clock shows `local` (milliseconds of a
    /// naive local date-time); for a time the clock skips, both are the instant of the jump.
    fn resolve(&self, local: i64) -> (Millis, Millis) {
        match self.time_zone.from_local_datetime(&naive(local)) {
            LocalResult::Single(t) => (t.timestamp_millis(), t.timestamp_millis()),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.timestamp_millis(), b.timestamp_millis());
                (a.min(b), a.max(b))
            }
            LocalResult::None => {
                let jump = self.gap_end(local);
                (jump, jump)
            }
        }
    }

    /// The instant the clock jumps over `local`, which it skips: the first instant whose local
    /// reading is at or past it. Within a day on either side there is only this one change, so
    /// local readings there never go back and a binary search finds it.
    fn gap_end(&self, local: i64) -> Millis {
        let (mut lo, mut hi) = (local - DAY_MS, local + DAY_MS);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if mid + self.offset_ms(mid) >= local {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// The working intervals `[start, end)` of a local date as instants, in order. Intervals of
    /// a date never overlap each other except inside a repeated (fall-back) hour, where callers
    /// count the overlap once.
    fn day_intervals(&self, date: NaiveDate) -> impl Iterator<Item = (Millis, Millis)> + '_ {
        let windows: &[Window] = if self.holidays.contains(&date) {
            &[]
        } else {
            self.windows(date.weekday())
        };
        let midnight = local_midnight(date);
        windows.iter().map(move |w| {
            (
                self.resolve(midnight + w.start_ms).0,
                self.resolve(midnight + w.end_ms).1,
            )
        })
    }

    /// The local week starting on `monday` when the clock does not change in it: the instants it
    /// starts and ends and its business time (the nominal week less its holidays). The offset is
    /// sampled at Monday, Thursday and the next Monday midnight, so a change that is undone
    /// within four days would go unseen; the time zone database has none (an hourly scan of all
    /// zones over 1970–2100 finds the closest such pair ~7 days apart: Brazil 2000, Gaza).
    /// `offset` is the offset at this Monday's midnight if the caller knows it.
    fn steady_week(&self, monday: NaiveDate, offset: Option<i64>) -> Option<SteadyWeek> {
        let start = local_midnight(monday);
        let offset = match offset {
            Some(known) => known,
            None => self.single_offset(start)?,
        };
        let next_offset = self.single_offset(start + 7 * DAY_MS)?;
        if next_offset != offset || self.single_offset(start + 3 * DAY_MS)? != offset {
            return None;
        }
        let next_monday = monday.checked_add_days(Days::new(7))?;
        let closed: i64 = self
            .holidays
            .range(monday..next_monday)
            .map(|h| self.day_ms[h.weekday().num_days_from_monday() as usize])
            .sum();
        Some(SteadyWeek {
            start: start - offset,
            end: start + 7 * DAY_MS - offset,
            business_ms: self.week_ms - closed,
            next_offset,
        })
    }

    /// The offset at a local date-time the clock shows exactly once.
    fn single_offset(&self, local: i64) -> Option<i64> {
        match self.time_zone.offset_from_local_datetime(&naive(local)) {
            LocalResult::Single(offset) => Some(i64::from(offset.fix().local_minus_utc()) * 1000),
            _ => None,
        }
    }
}

/// When `duration_ms` of business time, counted from `start`, has passed: the instant a target
/// falls due. A zero or negative duration is due at `start`. A positive duration falls due inside
/// a window or exactly at its end, never at the next opening: 8 hours from Monday 09:00 in a
/// 09:00–17:00 calendar is Monday 17:00.
pub fn add_business_time(cal: &BusinessCalendar, start: Millis, duration_ms: i64) -> Millis {
    let start = start.clamp(MIN_MS, MAX_MS);
    if duration_ms <= 0 {
        return start;
    }
    let mut remaining = duration_ms;
    // Business time before `floor` is already counted (or lies before `start`).
    let mut floor = start;
    let mut date = previous_day(cal.local_date(start));
    loop {
        if date.year() > 9999 {
            return MAX_MS;
        }
        if date.weekday() == Weekday::Mon && remaining > cal.week_ms {
            let mut offset = None;
            while let Some(week) = cal.steady_week(date, offset) {
                // Stop before the week in which the duration runs out, and walk that one.
                if week.start < floor || remaining <= week.business_ms {
                    break;
                }
                remaining -= week.business_ms;
                date = date + Days::new(7);
                offset = Some(week.next_offset);
            }
        }
        for (open, close) in cal.day_intervals(date) {
            let open = open.max(floor);
            if close <= open {
                continue;
            }
            if remaining <= close - open {
                return open + remaining;
            }
            remaining -= close - open;
            floor = close;
        }
        date = date.succ_opt().expect("years up to 9999 only");
    }
}

/// Business time in `[from, to)`; zero when `to` is not after `from`.
pub fn business_time_between(cal: &BusinessCalendar, from: Millis, to: Millis) -> i64 {
    let (from, to) = (from.clamp(MIN_MS, MAX_MS), to.clamp(MIN_MS, MAX_MS));
    if to <= from {
        return 0;
    }
    let mut total = 0;
    let mut floor = from;
    let mut date = previous_day(cal.local_date(from));
    let last = cal
        .local_date(to)
        .succ_opt()
        .expect("years up to 9999 only");
    while date <= last {
        if date.weekday() == Weekday::Mon && to - floor >= 7 * DAY_MS {
            let mut offset = None;
            while let Some(week) = cal.steady_week(date, offset) {
                if week.start < floor || week.end > to {
                    break;
                }
                total += week.business_ms;
                floor = week.end;
                date = date + Days::new(7);
                offset = Some(week.next_offset);
            }
        }
        for (open, close) in cal.day_intervals(date) {
            let (open, close) = (open.max(floor), close.min(to));
            if close > open {
                total += close - open;
                floor = close;
            }
        }
        date = date.succ_opt().expect("years up to 9999 only");
    }
    total
}

/// Whether `at` lies inside a working window (open at the opening instant, closed at closing).
pub fn is_open(cal: &BusinessCalendar, at: Millis) -> bool {
    let at = at.clamp(MIN_MS, MAX_MS);
    let date = cal.local_date(at);
    [previous_day(date), date, date.succ_opt().unwrap_or(date)]
        .into_iter()
        .any(|day| {
            cal.day_intervals(day)
                .any(|(open, close)| open <= at && at < close)
        })
}

fn naive(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms)
        .expect("instants are clamped to years 1-9999")
        .naive_utc()
}

fn local_midnight(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

fn previous_day(date: NaiveDate) -> NaiveDate {
    date.pred_opt().unwrap_or(date)
}

fn ms_of_day(t: NaiveTime) -> i64 {
    // A leap second (nanoseconds past 1e9) counts as the last moment of its second.
    i64::from(t.num_seconds_from_midnight()) * 1000
        + i64::from(t.nanosecond().min(999_999_999) / 1_000_000)
}

fn time_of_day(ms: i64) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(
        (ms / 1000) as u32,
        ((ms % 1000) * 1_000_000) as u32,
    )
    .expect("within a day")
}
