//! SLA timing as pure functions: business calendars with business-time arithmetic, and SLA clocks
//! read from a ticket's status history. No database, no HTTP; policies and the sweeper build on it.
//!
//! Instants are [`Millis`](crate::domain::clock::Millis) (UTC milliseconds); durations are business
//! milliseconds, counted only inside a calendar's working windows.

pub mod admin;
pub mod calendar;
pub mod leads;
pub mod plan;
pub mod store;
pub mod sweep;
pub mod timer;

pub use calendar::{BusinessCalendar, Window, add_business_time, business_time_between, is_open};
pub use sweep::sweep_once;
pub use timer::{SlaClock, SlaReading, SlaState, StatusChange, Target};

use chrono::Weekday;

/// An SLA setting that cannot work. `field()` names the offending input so the API can answer 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    #[error("a working window on {} must end after it starts", weekday_name(.day))]
    EmptyWindow { day: Weekday },
    #[error("working windows on {} overlap", weekday_name(.day))]
    OverlappingWindows { day: Weekday },
    #[error("the calendar has no working time in the week")]
    NoWorkingTime,
    #[error("the target must be a positive duration")]
    TargetNotPositive,
    #[error("the target may be at most {} days", timer::MAX_TARGET_MS / 86_400_000)]
    TargetTooLong,
    #[error("the warning fraction must be above 0 and at most 1")]
    WarningFraction,
}

impl SlaError {
    /// The input field at fault, e.g. `time_zone`, `hours.monday`, `hours`, `target_ms`.
    pub fn field(&self) -> &'static str {
        match self {
            SlaError::UnknownTimeZone(_) => "time_zone",
            SlaError::EmptyWindow { day } | SlaError::OverlappingWindows { day } => match day {
                Weekday::Mon => "hours.monday",
                Weekday::Tue => "hours.tuesday",
                Weekday::Wed => "hours.wednesday",
                Weekday::Thu => "hours.thursday",
                Weekday::Fri => "hours.friday",
                Weekday::Sat => "hours.saturday",
                Weekday::Sun => "hours.sunday",
            },
            SlaError::NoWorkingTime => "hours",
            SlaError::TargetNotPositive | SlaError::TargetTooLong => "target_ms",
            SlaError::WarningFraction => "warning_fraction",
        }
    }

    /// A sentence for the person who entered the value.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

fn weekday_name(day: &Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests;
