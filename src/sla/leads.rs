//! What leads act on: the stale-and-breaching queue (tickets by breach time, tickets without
//! agent activity for N business hours, unassigned tickets past a threshold) and the manual
//! escalation of a ticket with a reason.

use super::calendar::{BusinessCalendar, business_time_between};
use super::plan::raised;
use super::store::{self, team_lead};
use crate::auth::AgentRef;
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status};
use crate::error::{AppError, AppResult};
use crate::notify::inbox::notify;
use crate::tickets::Actor;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One ticket in the leads' view.
#[derive(Debug, Clone, Serialize)]
pub struct StaleTicket {
    pub id: i64,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub created_at: Millis,
    /// The earliest unmet SLA due time.
    pub due_at: Option<Millis>,
    /// The last public reply or note by an agent (the creation time when there is none).
    pub last_agent_at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaleView {
    /// Tickets with a running or breached SLA clock, soonest (most overdue) first.
    pub by_breach: Vec<StaleTicket>,
    /// Tickets (new or open) without agent activity for `idle_hours` business hours.
    pub idle: Vec<StaleTicket>,
    /// Unassigned tickets older than `unassigned_minutes` of business time.
    pub unassigned: Vec<StaleTicket>,
    pub idle_hours: i64,
    pub unassigned_minutes: i64,
}

const STALE_COLUMNS: &str = "SELECT t.ticket_id, t.subject, t.status, t.priority, t.assignee_id, a.name AS assignee_name, t.created_at,
    (SELECT MIN(s.due_at) FROM ticket_sla s WHERE s.ticket_id = t.ticket_id AND s.met_at IS NULL) AS due_at,
    COALESCE((SELECT MAX(m.created_at) FROM message m WHERE m.ticket_id = t.ticket_id AND m.author_kind = 'agent'), t.created_at) AS last_agent_at
    FROM ticket t LEFT JOIN agent a ON a.agent_id = t.assignee_id";

fn stale_from_row(r: &AnyRow) -> AppResult<StaleTicket> {
    let status: String = r.try_get("status")?;
    let priority: String = r.try_get("priority")?;
    let bad = |e: String| AppError::Internal(anyhow::anyhow!("ticket in db: {e}"));
    Ok(StaleTicket {
        id: r.try_get("ticket_id")?,
        subject: r.try_get("subject")?,
        status: status.parse().map_err(bad)?,
        priority: priority.parse().map_err(bad)?,
        assignee_id: r.try_get("assignee_id")?,
        assignee_name: r.try_get("assignee_name")?,
        created_at: r.try_get("created_at")?,
        due_at: r.try_get("due_at")?,
        last_agent_at: r.try_get("last_agent_at")?,
    })
}

/// The calendar business hours are counted in for the leads' view: the first calendar, or
/// around the clock when there is none.
async fn default_calendar(db: &Db) -> AppResult<BusinessCalendar> {
    let mut conn = db.pool.acquire().await?;
    match store::list_calendars(&mut conn).await?.first() {
        Some(c) => c.business(),
        None => Ok(BusinessCalendar::always()),
    }
}

pub async fn stale_view(
    db: &Db,
    now: Millis,
    idle_hours: i64,
    unassigned_minutes: i64,
) -> AppResult<StaleView> {
    let cal = default_calendar(db).await?;
    let by_breach = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{STALE_COLUMNS} WHERE t.status IN ('new','open','pending') AND t.ticket_id IN
           (SELECT s.ticket_id FROM ticket_sla s WHERE s.met_at IS NULL AND s.due_at IS NOT NULL)
         ORDER BY due_at, t.ticket_id LIMIT 100"
    )))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(stale_from_row)
    .collect::<AppResult<Vec<_>>>()?;
    // Business time never exceeds wall time, so the wall-clock bound only narrows the search.
    let idle_ms = idle_hours * 3_600_000;
    let idle = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({STALE_COLUMNS} WHERE t.status IN ('new','open')) x
         WHERE x.last_agent_at <= $1 ORDER BY x.last_agent_at, x.ticket_id LIMIT 500"
    )))
    .bind(now - idle_ms)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(stale_from_row)
    .collect::<AppResult<Vec<_>>>()?
    .into_iter()
    .filter(|t| business_time_between(&cal, t.last_agent_at, now) >= idle_ms)
    .take(100)
    .collect();
    let unassigned_ms = unassigned_minutes * 60_000;
    let unassigned = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{STALE_COLUMNS} WHERE t.assignee_id IS NULL AND t.status IN ('new','open','pending') AND t.created_at <= $1
         ORDER BY t.created_at, t.ticket_id LIMIT 500"
    )))
    .bind(now - unassigned_ms)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(stale_from_row)
    .collect::<AppResult<Vec<_>>>()?
    .into_iter()
    .filter(|t| business_time_between(&cal, t.created_at, now) >= unassigned_ms)
    .take(100)
    .collect();
    Ok(StaleView {
        by_breach,
        idle,
        unassigned,
        idle_hours,
        unassigned_minutes,
    })
}

/// A lead's manual escalation.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    pub reason: String,
    /// Hand the ticket to this agent.
    pub assignee_id: Option<i64>,
    /// Raise the priority one step.
    pub raise_priority: bool,
}

pub const MAX_REASON_CHARS: usize = 1000;

/// Escalates a ticket: records the reason in the audit log, optionally reassigns it and raises
/// its priority, and notifies the new assignee (or else the team lead).
pub async fn escalate(
    db: &Db,
    agent: &AgentRef,
    ticket_id: i64,
    e: &Escalation,
    now: Millis,
) -> AppResult<()> {
    let reason = e.reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", t!("sla-error-required")));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            "reason",
            t!("sla-error-too-long", max = MAX_REASON_CHARS),
        ));
    }
    if let Some(a) = e.assignee_id
        && !crate::auth::agent_exists(db, a).await?
    {
        return Err(AppError::field(
            "assignee_id",
            t!("sla-error-not-active-agent"),
        ));
    }
    let mut tx = db.begin().await?;
    let mut edit = crate::tickets::commands::open(
        &mut tx,
        ticket_id,
        Actor::Agent(agent),
        crate::tickets::Expect::Any,
        now,
    )
    .await?;
    let t = store::ticket_row(&mut tx, ticket_id).await?;
    if let Some(a) = e.assignee_id {
        edit.set_assignee(&mut tx, Some(a), "assignee", Some("escalation"))
            .await?;
    }
    if e.raise_priority {
        edit.set_priority(&mut tx, raised(t.priority), Some("escalation"))
            .await?;
    }
    edit.record(&mut tx, "escalated", reason).await?;
    let who = match e.assignee_id {
        Some(a) => Some(a),
        None => team_lead(&mut tx, t.team_id).await?,
    };
    if let Some(who) = who.filter(|w| *w != agent.id) {
        // Read in the language of the agent it goes to.
        let body = note!(
            "sla-escalated-notification",
            id = ticket_id.to_string(),
            agent = &agent.name,
            reason = reason
        );
        notify(&mut tx, who, ticket_id, "escalated", &body, now).await?;
    }
    edit.save(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
