//! SLA clocks: one target's business-time clock over a ticket's status history, and what it reads
//! at an instant (due time, elapsed and remaining business time, on track / warning / breached).
//!
//! A reading is a pure function of the history, the target, the calendar and the instant; nothing
//! is stored. A policy change mid-ticket is therefore a recomputation: read the same history with
//! the new target (and calendar) and every past running stretch counts under the new rules. If the
//! new target is shorter than the business time already spent, the ticket is breached at once and
//! `due_at` is the past instant at which the new target was reached.

use super::SlaError;
use super::calendar::{BusinessCalendar, add_business_time, business_time_between};
use crate::domain::Status;
use crate::domain::clock::Millis;
use serde::Serialize;

/// Longest accepted target: 1,000 days of business time.
pub const MAX_TARGET_MS: i64 = 1000 * 86_400_000;

/// One entry of a ticket's status history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub at: Millis,
    pub status: Status,
}

/// How long a target allows and when it warns. Valid by construction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    target_ms: i64,
    warning_fraction: f64,
}

impl Target {
    /// `target_ms` of business time; a warning once `warning_fraction` of it (0 < f <= 1, e.g.
    /// 0.75) is spent.
    pub fn new(target_ms: i64, warning_fraction: f64) -> Result<Self, SlaError> {
        if target_ms <= 0 {
            return Err(SlaError::TargetNotPositive);
        }
        if target_ms > MAX_TARGET_MS {
            return Err(SlaError::TargetTooLong);
        }
        if !(warning_fraction > 0.0 && warning_fraction <= 1.0) {
            return Err(SlaError::WarningFraction);
        }
        Ok(Target {
            target_ms,
            warning_fraction,
        })
    }

    pub fn target_ms(&self) -> i64 {
        self.target_ms
    }

    /// Business time after which the clock warns, rounded to the nearest millisecond.
    pub fn warning_ms(&self) -> i64 {
        ((self.target_ms as f64 * self.warning_fraction).round() as i64).clamp(1, self.target_ms)
    }
}

/// Where a clock stands. Precedence: a met clock is `Met` or (if late) `Breached`; otherwise
/// `Breached` once the target is spent, even while paused; then `Paused`; then `Warning`.
#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    OnTrack,
    Warning,
    Breached,
    Met,
    Paused,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on_track",
            SlaState::Warning => "warning",
            SlaState::Breached => "breached",
            SlaState::Met => "met",
            SlaState::Paused => "paused",
        }
    }
}

/// What a clock reads at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SlaReading {
    pub state: SlaState,
    /// The instant the target is (or was) spent: the first instant the clock reads `Breached`.
    /// `None` while the clock stands still (paused, stopped or met) short of its target.
    pub due_at: Option<Millis>,
    /// The instant the warning threshold is (or was) reached; `None` under the same rule.
    pub warning_at: Option<Millis>,
    /// Business time the clock has run up to the reading (or up to `met_at`).
    pub elapsed_business_ms: i64,
    /// Target minus elapsed: negative once breached, by how much business time it is late.
    pub remaining_business_ms: i64,
}

/// When one SLA clock runs: from `started_at`, except during pauses `[from, until)`, where an
/// open pause (`until == None`) is still going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    started_at: Millis,
    pauses: Vec<(Millis, Option<Millis>)>,
}

impl SlaClock {
    /// A clock from explicit pauses. Pauses are put in order; overlapping ones are joined and
    /// the parts before `started_at` or of no length are dropped.
    pub fn new(started_at: Millis, mut pauses: Vec<(Millis, Option<Millis>)>) -> Self {
        pauses.sort_by_key(|p| p.0);
        let mut joined: Vec<(Millis, Option<Millis>)> = Vec::with_capacity(pauses.len());
        for (from, until) in pauses {
            let from = from.max(started_at);
            if until.is_some_and(|u| u <= from) {
                continue;
            }
            match joined.last_mut() {
                Some((_, last_until)) if last_until.is_none_or(|u| u >= from) => {
                    *last_until = match (*last_until, until) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                _ => joined.push((from, until)),
            }
        }
        SlaClock {
            started_at,
            pauses: joined,
        }
    }

    /// The clock of a ticket's status history: it starts at the first change and runs while the
    /// ticket is new or open. Pending pauses it (waiting on the customer); solved and closed stop
    /// it, and a reopen resumes it. `None` for an empty history. Entries may come in any order;
    /// entries at the same instant keep their order, the last one winning.
    pub fn from_history(history: &[StatusChange]) -> Option<Self> {
        let mut history = history.to_vec();
        history.sort_by_key(|c| c.at);
        let started_at = history.first()?.at;
        let mut pauses = Vec::new();
        let mut paused_since: Option<Millis> = None;
        for change in &history {
            let runs = matches!(change.status, Status::New | Status::Open);
            match (runs, paused_since) {
                (false, None) => paused_since = Some(change.at),
                (true, Some(since)) => {
                    pauses.push((since, Some(change.at)));
                    paused_since = None;
                }
                _ => {}
            }
        }
        if let Some(since) = paused_since {
            pauses.push((since, None));
        }
        Some(SlaClock::new(started_at, pauses))
    }

    pub fn started_at(&self) -> Millis {
        self.started_at
    }

    pub fn pauses(&self) -> &[(Millis, Option<Millis>)] {
        &self.pauses
    }

    /// Whether the clock runs at `at`.
    pub fn is_running(&self, at: Millis) -> bool {
        at >= self.started_at
            && !self
                .pauses
                .iter()
                .any(|&(from, until)| from <= at && until.is_none_or(|u| at < u))
    }

    /// The stretches `[from, until)` in which the clock runs; the last one may be open.
    fn running(&self) -> impl Iterator<Item = (Millis, Option<Millis>)> + '_ {
        let starts = std::iter::once(self.started_at).chain(self.pauses.iter().filter_map(|p| p.1));
        let ends = self
            .pauses
            .iter()
            .map(|p| Some(p.0))
            .chain(std::iter::once(None));
        starts
            .zip(ends)
            .filter(|(from, until)| until.is_none_or(|u| u > *from))
    }

    /// The clock at `now` against `target` in `cal`. `met_at` (the first response, the
    /// resolution) stops the clock; a `met_at` after `now` is not yet known and is ignored.
    pub fn reading(
        &self,
        cal: &BusinessCalendar,
        target: &Target,
        now: Millis,
        met_at: Option<Millis>,
    ) -> SlaReading {
        let met_at = met_at.filter(|m| *m <= now);
        let until = met_at.unwrap_or(now);
        let goals = [target.warning_ms(), target.target_ms];
        let mut reached: [Option<Millis>; 2] = [None, None];
        let mut elapsed = 0i64;
        for (from, end) in self.running() {
            // A stretch starting at `until` still projects the due time when it runs on.
            if from > until {
                break;
            }
            let stopped = end.is_some_and(|e| e <= until) || met_at.is_some();
            let spent = business_time_between(cal, from, end.map_or(until, |e| e.min(until)));
            for (goal, slot) in goals.iter().zip(reached.iter_mut()) {
                let left = goal - elapsed;
                if slot.is_none() && left > 0 && (!stopped || spent >= left) {
                    *slot = Some(add_business_time(cal, from, left));
                }
            }
            elapsed += spent;
        }
        let breached = elapsed >= target.target_ms;
        let state = if met_at.is_some() {
            if breached {
                SlaState::Breached
            } else {
                SlaState::Met
            }
        } else if breached {
            SlaState::Breached
        } else if !self.is_running(now) {
            SlaState::Paused
        } else if elapsed >= goals[0] {
            SlaState::Warning
        } else {
            SlaState::OnTrack
        };
        SlaReading {
            state,
            due_at: reached[1],
            warning_at: reached[0],
            elapsed_business_ms: elapsed,
            remaining_business_ms: target.target_ms - elapsed,
        }
    }
}
