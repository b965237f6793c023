//! The SLA sweeper: finds clocks whose warning or breach is due and fires each escalation step
//! exactly once.
//!
//! A step fires by inserting its `sla_escalation` row (unique per ticket, metric, cycle and stage;
//! a conflict inserts nothing) in the same transaction as its effects, so a step whose row exists
//! has taken effect and no step takes effect twice — across restarts and with several nodes on
//! one PostgreSQL database. Tickets are locked before anything else (as every ticket change does)
//! with `SKIP LOCKED`, so nodes share the work instead of waiting on each other.

use super::plan::{Metric, raised};
use super::store;
use crate::db::{Backend, Sql};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use crate::notify::inbox::notify;
use crate::state::AppState;
use crate::tickets::{Actor, EventRecord, record_event};
use sqlx::Row;
use std::time::Duration;

/// Tickets handled per transaction.
const BATCH: usize = 25;
/// Transactions one node runs at once on PostgreSQL (SQLite has a single writer).
const PG_PARALLEL: usize = 8;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub warnings: u64,
    pub breaches: u64,
}

/// Fires every step due at the clock's current time and returns. Tests call this after moving
/// the clock; the background loop calls it periodically.
pub async fn sweep_once(state: &AppState) -> AppResult<SweepReport> {
    let mut report = SweepReport::default();
    let mut idle_rounds = 0;
    loop {
        let now = state.clock.now_ms();
        let candidates: Vec<i64> = sqlx::query_scalar(
            "SELECT ticket_id FROM ticket_sla WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1
             ORDER BY next_fire_at LIMIT $2",
        )
        .bind(now)
        .bind((BATCH * PG_PARALLEL * 4) as i64)
        .fetch_all(&state.db.pool)
        .await?;
        let mut ids: Vec<i64> = Vec::with_capacity(candidates.len());
        for id in candidates {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            return Ok(report);
        }
        if state.db.backend == Backend::Postgres {
            // Other nodes see the same candidates; starting at different ones spreads the work.
            use rand::seq::SliceRandom;
            ids.shuffle(&mut rand::thread_rng());
        }
        let parallel = match state.db.backend {
            Backend::Postgres => PG_PARALLEL,
            Backend::Sqlite => 1,
        };
        ids.truncate(BATCH * parallel);
        let results = futures_util::future::join_all(
            ids.chunks(BATCH).map(|chunk| fire_batch(state, chunk, now)),
        )
        .await;
        let mut done = 0;
        for r in results {
            let (n, r) = r?;
            done += n;
            report.warnings += r.warnings;
            report.breaches += r.breaches;
        }
        if done == 0 {
            // Everything due is in another node's hands right now.
            idle_rounds += 1;
            if idle_rounds > 50 {
                return Ok(report);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        } else {
            idle_rounds = 0;
        }
    }
}

/// Locks what it can of `ids` and fires their due steps in one transaction; returns how many
/// tickets it handled and what fired.
async fn fire_batch(state: &AppState, ids: &[i64], now: Millis) -> AppResult<(usize, SweepReport)> {
    let mut report = SweepReport::default();
    let report = &mut report;
    let mut tx = state.db.begin().await?;
    let mut sql = Sql::new("SELECT ticket_id FROM ticket WHERE ticket_id IN (");
    sql.push_params(ids.iter().copied()).push(&format!(
        ") ORDER BY ticket_id {}",
        state.db.backend.for_update_skip_locked()
    ));
    let locked: Vec<i64> = sql.query_scalar().fetch_all(&mut *tx).await?;
    let settings = store::Settings::load(&mut tx).await?;
    for ticket_id in &locked {
        fire_ticket(&mut tx, &settings, *ticket_id, now, report).await?;
    }
    tx.commit().await?;
    Ok((locked.len(), *report))
}

/// Fires the due steps of one (locked) ticket.
async fn fire_ticket(
    tx: &mut crate::db::Tx,
    settings: &store::Settings,
    ticket_id: i64,
    now: Millis,
    report: &mut SweepReport,
) -> AppResult<()> {
    let rows = sqlx::query(
        "SELECT metric, cycle, warn_at, due_at, sla_policy_id FROM ticket_sla
         WHERE ticket_id = $1 AND next_fire_at IS NOT NULL AND next_fire_at <= $2 AND met_at IS NULL
         ORDER BY next_fire_at",
    )
    .bind(ticket_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut ticket: Option<store::TicketRow> = None;
    for r in &rows {
        let metric: String = r.try_get("metric")?;
        let cycle: i64 = r.try_get("cycle")?;
        let policy_id: Option<i64> = r.try_get("sla_policy_id")?;
        let stages = [
            ("warning", r.try_get::<Option<i64>, _>("warn_at")?),
            ("breach", r.try_get::<Option<i64>, _>("due_at")?),
        ];
        for (stage, at) in stages {
            let Some(at) = at.filter(|a| *a <= now) else {
                continue;
            };
            let inserted = sqlx::query(
                "INSERT INTO sla_escalation (ticket_id, metric, cycle, stage, scheduled_at, fired_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id, metric, cycle, stage) DO NOTHING",
            )
            .bind(ticket_id)
            .bind(&metric)
            .bind(cycle)
            .bind(stage)
            .bind(at)
            .bind(now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            let policy = policy_id.and_then(|id| settings.policy(id));
            let label = Metric::parse(&metric).map_or("SLA", |m| m.label());
            let t = match &mut ticket {
                Some(t) => t,
                None => ticket.insert(store::ticket_row(tx, ticket_id).await?),
            };
            let step = Step {
                label,
                metric: &metric,
                at,
                policy,
                now,
            };
            if stage == "warning" {
                report.warnings += 1;
                warn(tx, settings, t, &step).await?;
            } else {
                report.breaches += 1;
                breach(tx, settings, t, &step).await?;
            }
        }
    }
    // Escalations may have changed the priority or team: recompute, which also moves
    // `next_fire_at` past the steps that fired.
    store::refresh_with(tx, settings, ticket_id, now).await?;
    Ok(())
}

/// One escalation step about to take effect.
struct Step<'a> {
    label: &'a str,
    metric: &'a str,
    /// When it was due.
    at: Millis,
    policy: Option<&'a store::Policy>,
    now: Millis,
}

async fn warn(
    tx: &mut crate::db::Tx,
    settings: &store::Settings,
    t: &store::TicketRow,
    step: &Step<'_>,
) -> AppResult<()> {
    let Step {
        label,
        metric,
        at,
        policy,
        now,
    } = *step;
    let ticket_id = t.id;
    let detail = format!(
        "{label} is at its warning threshold (since {})",
        fmt_time(at)
    );
    record_event(
        tx,
        Actor::System,
        EventRecord {
            ticket_id,
            kind: "sla_warning",
            old: None,
            new: Some(metric),
            detail: Some(&detail),
            note: None,
        },
        now,
    )
    .await?;
    crate::webhooks::on_sla_step(tx, ticket_id, false, metric, at, now).await?;
    if policy.is_none_or(|p| p.notify_assignee_on_warning) {
        let who = match t.assignee_id {
            Some(a) => Some(a),
            None => settings.lead(t.team_id),
        };
        if let Some(agent) = who {
            let body = notice_text(false, ticket_id, metric);
            notify(tx, agent, ticket_id, "sla_warning", &body, now).await?;
        }
    }
    Ok(())
}

/// An SLA notice, read in its recipient's language.
fn notice_text(breached: bool, ticket_id: i64, metric: &str) -> crate::i18n::Note {
    let clock: crate::i18n::Part = match Metric::parse(metric) {
        Some(Metric::FirstResponse) => note!("sla-metric-first-response").into(),
        Some(Metric::NextResponse) => note!("sla-metric-next-response").into(),
        Some(Metric::Resolution) => note!("sla-metric-resolution").into(),
        None => "SLA".into(),
    };
    if breached {
        note!("sla-notify-breached", ticket = ticket_id, clock = clock)
    } else {
        note!("sla-notify-warning", ticket = ticket_id, clock = clock)
    }
}

async fn breach(
    tx: &mut crate::db::Tx,
    settings: &store::Settings,
    t: &mut store::TicketRow,
    step: &Step<'_>,
) -> AppResult<()> {
    let mut edit = crate::tickets::commands::open(
        tx,
        t.id,
        Actor::System,
        crate::tickets::Expect::Any,
        step.now,
    )
    .await?;
    let Step {
        label,
        metric,
        at,
        policy,
        now,
    } = *step;
    let ticket_id = t.id;
    // Before the breach's own changes (priority, team) are saved, which send `ticket.updated`.
    crate::webhooks::on_sla_step(tx, ticket_id, true, metric, at, now).await?;
    let mut steps: Vec<String> = Vec::new();
    if policy.is_none_or(|p| p.raise_priority_on_breach) && raised(t.priority) != t.priority {
        let to = raised(t.priority);
        edit.set_priority(tx, to, Some("raised at SLA breach"))
            .await?;
        t.priority = to;
        steps.push(format!("priority raised to {to}"));
    }
    let mut team_id = t.team_id;
    if let Some(esc) = policy
        .and_then(|p| p.escalation_team_id)
        .filter(|e| Some(*e) != t.team_id)
    {
        edit.set_team(tx, esc, true, Some("escalation team at SLA breach"))
            .await?;
        let job = crate::outbox::Job::Assign {
            ticket_id,
            reason: format!("SLA breach: {label}"),
            exclude_agent_id: None,
        };
        crate::outbox::enqueue(tx, &job, now).await?;
        team_id = Some(esc);
        t.team_id = team_id;
        t.assignee_id = None;
        steps.push(format!("moved to escalation team {esc}"));
    }
    if policy.is_none_or(|p| p.notify_lead_on_breach) {
        match settings.lead(team_id) {
            Some(lead) => {
                let body = notice_text(true, ticket_id, metric);
                notify(tx, lead, ticket_id, "sla_breach", &body, now).await?;
                steps.push(format!("lead agent {lead} notified"));
            }
            None => steps.push("no team lead to notify".into()),
        }
    }
    let detail = format!(
        "{label} breached at {}{}{}",
        fmt_time(at),
        if steps.is_empty() { "" } else { ": " },
        steps.join("; ")
    );
    edit.audit(tx, "sla_breach", None, Some(metric), Some(&detail))
        .await?;
    // The clocks are recomputed by the sweep once all of the ticket's steps have fired.
    edit.save_in_sweep(tx).await?;
    Ok(())
}

fn fmt_time(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// The background loop: a sweep every `sla_sweep_ms`, with the injected clock.
pub async fn run(state: AppState) {
    let every = Duration::from_millis(state.config.sla_sweep_ms.max(10));
    loop {
        match sweep_once(&state).await {
            Ok(r) if r != SweepReport::default() => {
                tracing::info!(
                    warnings = r.warnings,
                    breaches = r.breaches,
                    "SLA escalations fired"
                )
            }
            Ok(_) => {}
            Err(AppError::Internal(err)) => tracing::warn!(error = %err, "SLA sweep failed"),
            Err(err) => tracing::warn!(error = %err, "SLA sweep failed"),
        }
        tokio::time::sleep(every).await;
    }
}
