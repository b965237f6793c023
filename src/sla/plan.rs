//! A ticket's SLA clocks from its history: which clocks exist (first response, each next-response
//! cycle, resolution), when each started, was met, warns and falls due. Pure: the store feeds it
//! the ticket's facts and writes the result; the ticket page reads it live.

use super::calendar::BusinessCalendar;
use super::timer::{SlaClock, SlaReading, SlaState, StatusChange, Target};
use crate::domain::clock::Millis;
use crate::domain::{AuthorKind, Priority, Status};
use serde::{Deserialize, Serialize};

/// What an SLA clock measures.
#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Metric {
    pub const ALL: [Metric; 3] = [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::Resolution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::Resolution => "resolution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::FirstResponse => "First response",
            Metric::NextResponse => "Next response",
            Metric::Resolution => "Resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Business-time targets of one priority; `None` means no clock for that metric.
#[derive(utoipa::ToSchema, Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_response_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_ms: Option<i64>,
}

impl Targets {
    pub fn get(&self, metric: Metric) -> Option<i64> {
        match metric {
            Metric::FirstResponse => self.first_response_ms,
            Metric::NextResponse => self.next_response_ms,
            Metric::Resolution => self.resolution_ms,
        }
    }
}

/// What the clocks are read from.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub created_at: Millis,
    pub status: Status,
    pub priority: Priority,
    /// Status changes after creation (the ticket starts `new` at `created_at`).
    pub status_changes: Vec<StatusChange>,
    /// Public messages in order: who wrote and when.
    pub public_messages: Vec<(AuthorKind, Millis)>,
    pub first_response_at: Option<Millis>,
    pub solved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
}

/// One clock of a ticket and its reading at the planning instant.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedClock {
    pub metric: Metric,
    pub cycle: i64,
    pub started_at: Millis,
    pub target_ms: i64,
    pub met_at: Option<Millis>,
    pub reading: SlaReading,
}

impl PlannedClock {
    /// The instant the target was exceeded, once it has been (also when met late).
    pub fn breached_at(&self) -> Option<Millis> {
        (self.reading.state == SlaState::Breached)
            .then_some(self.reading.due_at)
            .flatten()
    }
}

/// The clocks of a ticket at `now` under `targets` (the targets of its priority) in `cal`.
pub fn plan(
    facts: &TicketFacts,
    targets: &Targets,
    warning_fraction: f64,
    cal: &BusinessCalendar,
    now: Millis,
) -> Vec<PlannedClock> {
    let mut history = vec![StatusChange {
        at: facts.created_at,
        status: Status::New,
    }];
    history.extend(facts.status_changes.iter().copied());
    let Some(clock) = SlaClock::from_history(&history) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |metric: Metric, cycle: i64, clock: &SlaClock, met_at: Option<Millis>| {
        let Some(target_ms) = targets.get(metric) else {
            return;
        };
        let Ok(target) = Target::new(target_ms, warning_fraction) else {
            return;
        };
        out.push(PlannedClock {
            metric,
            cycle,
            started_at: clock.started_at(),
            target_ms,
            met_at: met_at.filter(|m| *m <= now),
            reading: clock.reading(cal, &target, now, met_at),
        });
    };

    push(Metric::FirstResponse, 0, &clock, facts.first_response_at);

    // A next-response cycle opens at a customer message that follows an agent's public reply and
    // is met by the next public reply.
    let mut cycles: Vec<(Millis, Option<Millis>)> = Vec::new();
    let mut answered = false;
    for &(author, at) in &facts.public_messages {
        match author {
            AuthorKind::Agent => {
                if let Some(open) = cycles.last_mut().filter(|c| c.1.is_none()) {
                    open.1 = Some(at);
                }
                answered = true;
            }
            AuthorKind::Customer if answered && cycles.last().is_none_or(|c| c.1.is_some()) => {
                cycles.push((at, None));
            }
            _ => {}
        }
    }
    for (i, (start, met)) in cycles.iter().enumerate() {
        let cycle_clock = SlaClock::new(*start, clock.pauses().to_vec());
        push(Metric::NextResponse, i as i64 + 1, &cycle_clock, *met);
    }

    let resolved = matches!(facts.status, Status::Solved | Status::Closed)
        .then(|| facts.solved_at.or(facts.closed_at))
        .flatten();
    push(Metric::Resolution, 0, &clock, resolved);
    out
}

/// Priority one step up (urgent stays urgent).
pub fn raised(p: Priority) -> Priority {
    match p {
        Priority::Low => Priority::Normal,
        Priority::Normal => Priority::High,
        Priority::High | Priority::Urgent => Priority::Urgent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn facts() -> TicketFacts {
        TicketFacts {
            created_at: 0,
            status: Status::New,
            priority: Priority::Normal,
            status_changes: vec![],
            public_messages: vec![(AuthorKind::Customer, 0)],
            first_response_at: None,
            solved_at: None,
            closed_at: None,
        }
    }

    fn targets() -> Targets {
        Targets {
            first_response_ms: Some(60 * MIN),
            next_response_ms: Some(30 * MIN),
            resolution_ms: Some(240 * MIN),
        }
    }

    fn find(p: &[PlannedClock], m: Metric, cycle: i64) -> &PlannedClock {
        p.iter()
            .find(|c| c.metric == m && c.cycle == cycle)
            .unwrap_or_else(|| panic!("no {m:?} {cycle}"))
    }

    #[test]
    fn new_ticket_has_first_response_and_resolution() {
        let cal = BusinessCalendar::always();
        let p = plan(&facts(), &targets(), 0.75, &cal, 10 * MIN);
        assert_eq!(p.len(), 2);
        let fr = find(&p, Metric::FirstResponse, 0);
        assert_eq!(fr.reading.due_at, Some(60 * MIN));
        assert_eq!(fr.reading.warning_at, Some(45 * MIN));
        assert_eq!(fr.reading.state, SlaState::OnTrack);
        assert_eq!(
            find(&p, Metric::Resolution, 0).reading.due_at,
            Some(240 * MIN)
        );
    }

    #[test]
    fn replies_meet_and_customer_replies_open_cycles() {
        let cal = BusinessCalendar::always();
        let mut f = facts();
        f.first_response_at = Some(20 * MIN);
        f.public_messages = vec![
            (AuthorKind::Customer, 0),
            (AuthorKind::Agent, 20 * MIN),
            (AuthorKind::Customer, 50 * MIN),
            (AuthorKind::Customer, 55 * MIN),
            (AuthorKind::Agent, 70 * MIN),
            (AuthorKind::Customer, 100 * MIN),
        ];
        f.status_changes = vec![StatusChange {
            at: 20 * MIN,
            status: Status::Open,
        }];
        let p = plan(&f, &targets(), 0.5, &cal, 200 * MIN);
        let fr = find(&p, Metric::FirstResponse, 0);
        assert_eq!(
            (fr.met_at, fr.reading.state),
            (Some(20 * MIN), SlaState::Met)
        );
        let c1 = find(&p, Metric::NextResponse, 1);
        assert_eq!((c1.started_at, c1.met_at), (50 * MIN, Some(70 * MIN)));
        assert_eq!(c1.reading.state, SlaState::Met);
        let c2 = find(&p, Metric::NextResponse, 2);
        assert_eq!(c2.started_at, 100 * MIN);
        assert_eq!(c2.reading.due_at, Some(130 * MIN));
        assert_eq!(c2.reading.state, SlaState::Breached);
        assert_eq!(c2.breached_at(), Some(130 * MIN));
    }

    #[test]
    fn pending_pauses_and_customer_reply_resumes_next_response() {
        let cal = BusinessCalendar::always();
        let mut f = facts();
        f.status = Status::Open;
        f.first_response_at = Some(10 * MIN);
        f.public_messages = vec![
            (AuthorKind::Customer, 0),
            (AuthorKind::Agent, 10 * MIN),
            (AuthorKind::Customer, 20 * MIN),
        ];
        f.status_changes = vec![
            StatusChange {
                at: 10 * MIN,
                status: Status::Pending,
            },
            StatusChange {
                at: 20 * MIN,
                status: Status::Open,
            },
        ];
        let p = plan(&f, &targets(), 0.75, &cal, 30 * MIN);
        // Resolution ran 0-10 and 20-30: 20 minutes spent, due 240 - 20 = 220 minutes from now.
        let r = find(&p, Metric::Resolution, 0);
        assert_eq!(r.reading.elapsed_business_ms, 20 * MIN);
        assert_eq!(r.reading.due_at, Some(250 * MIN));
        assert_eq!(
            find(&p, Metric::NextResponse, 1).reading.due_at,
            Some(50 * MIN)
        );

        // While pending the resolution clock stands still: no due time.
        f.status = Status::Pending;
        f.status_changes.truncate(1);
        f.public_messages.truncate(2);
        let p = plan(&f, &targets(), 0.75, &cal, 30 * MIN);
        let r = find(&p, Metric::Resolution, 0);
        assert_eq!(
            (r.reading.state, r.reading.due_at),
            (SlaState::Paused, None)
        );
    }

    #[test]
    fn solve_meets_resolution_and_reopen_resumes_it() {
        let cal = BusinessCalendar::always();
        let mut f = facts();
        f.status = Status::Solved;
        f.solved_at = Some(100 * MIN);
        f.status_changes = vec![StatusChange {
            at: 100 * MIN,
            status: Status::Solved,
        }];
        let p = plan(&f, &targets(), 0.75, &cal, 120 * MIN);
        let r = find(&p, Metric::Resolution, 0);
        assert_eq!(
            (r.reading.state, r.met_at),
            (SlaState::Met, Some(100 * MIN))
        );

        f.status = Status::Open;
        f.solved_at = None;
        f.status_changes.push(StatusChange {
            at: 160 * MIN,
            status: Status::Open,
        });
        let p = plan(&f, &targets(), 0.75, &cal, 170 * MIN);
        let r = find(&p, Metric::Resolution, 0);
        // 100 minutes before the solve, 10 after the reopen; 130 left from 170.
        assert_eq!(r.reading.elapsed_business_ms, 110 * MIN);
        assert_eq!(r.reading.due_at, Some(300 * MIN));
        assert_eq!(r.met_at, None);
    }

    #[test]
    fn priority_change_reads_the_same_history_with_new_targets() {
        let cal = BusinessCalendar::always();
        let f = facts();
        let urgent = Targets {
            first_response_ms: Some(15 * MIN),
            ..Default::default()
        };
        let p = plan(&f, &urgent, 0.75, &cal, 20 * MIN);
        assert_eq!(p.len(), 1);
        let fr = &p[0];
        assert_eq!(fr.reading.state, SlaState::Breached);
        assert_eq!(fr.breached_at(), Some(15 * MIN));
    }

    /// A ticket created late on a Friday in Berlin, over the spring-forward weekend, and over
    /// Easter (Good Friday and Easter Monday closed).
    #[test]
    fn office_hours_across_dst_and_holidays() {
        use chrono::{DateTime, NaiveDate, NaiveTime};
        let ts = |s: &str| {
            DateTime::parse_from_str(s, "%Y-%m-%d %H:%M %:z")
                .unwrap()
                .timestamp_millis()
        };
        let nine_to_five = Some((
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        ));
        let cal = BusinessCalendar::new(
            "Europe/Berlin",
            [
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                None,
                None,
            ],
            ["2026-04-03", "2026-04-06"].map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        )
        .unwrap();
        let t = Targets {
            first_response_ms: Some(4 * 60 * MIN),
            ..Default::default()
        };
        for (created, due) in [
            // One hour on Friday (CET), three on Monday (CEST).
            ("2026-03-27 16:00 +01:00", "2026-03-30 12:00 +02:00"),
            // One hour on Thursday; Friday to Monday closed.
            ("2026-04-02 16:00 +02:00", "2026-04-07 12:00 +02:00"),
            // Created at night: the clock starts at opening time.
            ("2026-03-30 22:00 +02:00", "2026-03-31 13:00 +02:00"),
        ] {
            let mut f = facts();
            f.created_at = ts(created);
            f.public_messages = vec![(AuthorKind::Customer, f.created_at)];
            let p = plan(&f, &t, 0.5, &cal, f.created_at);
            assert_eq!(p[0].reading.due_at, Some(ts(due)), "created {created}");
        }
    }

    #[test]
    fn priority_raises_one_step() {
        assert_eq!(raised(Priority::Low), Priority::Normal);
        assert_eq!(raised(Priority::High), Priority::Urgent);
        assert_eq!(raised(Priority::Urgent), Priority::Urgent);
    }
}
