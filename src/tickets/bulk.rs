//! Bulk changes: one change (status, priority, assignee, tags, a macro) applied to many tickets,
//! each through the ticket commands as one change of its own. Tickets are written in chunks, one
//! transaction per chunk with a savepoint per ticket, so the write lock is held briefly and one
//! ticket's refusal leaves the others alone. A ticket named with the version the agent saw is
//! changed only if nobody changed it since; otherwise it is reported as stale and left alone,
//! never overwritten.
//!
//! Up to [`INLINE_MAX`] tickets are changed within the request. Larger selections become a
//! [`bulk_run`](start): the job worker applies it chunk by chunk, each chunk committed together
//! with the progress it made and the job for the next chunk, so a crash neither loses nor
//! repeats a ticket, and the agent watches the progress.

use super::{Actor, Expect, ListFilter, TicketPatch, commands, list_tickets};
use crate::auth::AgentRef;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status};
use crate::error::{AppError, AppResult};
use crate::outbox;
use crate::search::replies;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The most tickets one bulk change touches.
pub const MAX_TICKETS: usize = 10_000;

/// Tickets written in one transaction.
pub const CHUNK: usize = 50;

/// The most tickets changed within the request; more run in the background with progress.
pub const INLINE_MAX: usize = 200;

/// What to change on every selected ticket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BulkChange {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<i64>>,
    /// Moves the tickets to this team (their assignees stay).
    #[serde(default)]
    pub team_id: Option<i64>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    /// A macro whose actions (not its reply text) are applied to each ticket, after the rest.
    pub macro_id: Option<i64>,
    /// The macro's title, for confirmations (filled by `validate`).
    pub macro_title: Option<String>,
}

impl BulkChange {
    pub fn is_empty(&self) -> bool {
        self.macro_id.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.assignee_id.is_none()
            && self.team_id.is_none()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
    }

    /// The field changes, without the team and the macro (`None` when there are none).
    fn patch(&self) -> Option<TicketPatch> {
        let fields = self.status.is_some()
            || self.priority.is_some()
            || self.assignee_id.is_some()
            || !self.add_tags.is_empty()
            || !self.remove_tags.is_empty();
        fields.then(|| TicketPatch {
            status: self.status,
            priority: self.priority,
            assignee_id: self.assignee_id,
            add_tags: self.add_tags.clone(),
            remove_tags: self.remove_tags.clone(),
            ..Default::default()
        })
    }

    /// Checks the change once, before any ticket is touched: an unknown agent, team or macro or
    /// a bad tag is a 422 naming the field, not a failure on every ticket. Cleans the tags and
    /// fills the macro's title (for confirmations); returns the change made ready to apply.
    pub async fn validate(&mut self, db: &Db, agent: &AgentRef) -> AppResult<Prepared> {
        if self.is_empty() {
            return Err(AppError::field("changes", t!("bulk-error-no-change")));
        }
        let p = prepare(db, agent, self).await?;
        if let Some(patch) = &p.patch {
            self.add_tags = patch.add_tags.clone();
            self.remove_tags = patch.remove_tags.clone();
        }
        self.macro_title = p.ready.as_ref().map(|r| r.reply.title.clone());
        Ok(p)
    }

    /// "status → solved, add tag vip" for confirmations.
    pub fn describe(
        &self,
        agent_name: impl Fn(i64) -> String,
        team_name: impl Fn(i64) -> String,
    ) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            let status = crate::i18n::status_name(s.as_str());
            parts.push(t!("bulk-describe-status", status = status));
        }
        if let Some(p) = self.priority {
            let priority = crate::i18n::priority_name(p.as_str());
            parts.push(t!("bulk-describe-priority", priority = priority));
        }
        match self.assignee_id {
            Some(Some(a)) => parts.push(t!("bulk-describe-assign", agent = agent_name(a))),
            Some(None) => parts.push(t!("bulk-describe-unassign")),
            None => {}
        }
        if let Some(t) = self.team_id {
            parts.push(t!("bulk-describe-team", team = team_name(t)));
        }
        if !self.add_tags.is_empty() {
            parts.push(t!(
                "bulk-describe-add-tags",
                tags = self.add_tags.join(", ")
            ));
        }
        if !self.remove_tags.is_empty() {
            parts.push(t!(
                "bulk-describe-remove-tags",
                tags = self.remove_tags.join(", ")
            ));
        }
        if let Some(t) = &self.macro_title {
            parts.push(t!("bulk-describe-macro", title = t));
        }
        parts.join(&t!("bulk-describe-separator"))
    }
}

/// A selected ticket, with the version the agent saw when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: i64,
    pub version: Option<i64>,
}

#[derive(utoipa::ToSchema, Debug, Default, Serialize, Deserialize)]
#[schema(as = BulkOutcome)]
pub struct Outcome {
    /// Tickets changed (a ticket that already had the values counts too).
    pub changed: Vec<i64>,
    /// Tickets someone else changed after the agent saw them: left alone.
    pub stale: Vec<Stale>,
    /// Tickets the change does not apply to (gone, or a status they cannot move to).
    pub failed: Vec<Failed>,
}

#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct Stale {
    pub id: i64,
    pub current_version: i64,
}

#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct Failed {
    pub id: i64,
    pub error: String,
}

/// A change made ready: the field patch checked, the team found and the macro read once.
pub struct Prepared {
    patch: Option<TicketPatch>,
    team_id: Option<i64>,
    ready: Option<replies::Ready>,
}

async fn prepare(db: &Db, agent: &AgentRef, change: &BulkChange) -> AppResult<Prepared> {
    if let Some(t) = change.team_id
        && crate::assign::admin::team_name_by_id(db, t)
            .await?
            .is_none()
    {
        return Err(AppError::field("team_id", t!("bulk-error-not-team")));
    }
    let patch = match change.patch() {
        Some(p) => Some(super::check_patch(db, p).await?),
        None => None,
    };
    let ready = match change.macro_id {
        Some(m) => Some(replies::prepare(db, agent, m).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::field("macro_id", t!("bulk-error-not-macro")),
            other => other,
        })?),
        None => None,
    };
    Ok(Prepared {
        patch,
        team_id: change.team_id,
        ready,
    })
}

/// Changes one ticket: the fields, then the macro, as one change.
async fn apply_one(
    tx: &mut Tx,
    agent: &AgentRef,
    t: &Target,
    p: &Prepared,
    now: Millis,
) -> AppResult<()> {
    let expect = t.version.map_or(Expect::Any, Expect::Version);
    let mut edit = commands::open(tx, t.id, Actor::Agent(agent), expect, now).await?;
    if let Some(patch) = &p.patch {
        super::apply_patch(tx, &mut edit, patch).await?;
    }
    if let Some(team) = p.team_id {
        edit.set_team(tx, team, false, Some("bulk change")).await?;
    }
    if let Some(ready) = &p.ready {
        replies::apply_to_edit(tx, &mut edit, agent, ready, now).await?;
    }
    edit.save(tx).await?;
    Ok(())
}

async fn savepoint(tx: &mut Tx, sql: &'static str) -> AppResult<()> {
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

/// Applies the change to one chunk of targets in `tx`, each under a savepoint: a ticket that is
/// stale or refuses the change is rolled back alone and reported in `out`.
async fn apply_chunk(
    tx: &mut Tx,
    agent: &AgentRef,
    targets: &[Target],
    p: &Prepared,
    out: &mut Outcome,
    now: Millis,
) -> AppResult<()> {
    let mut used = 0;
    for t in targets {
        savepoint(tx, "SAVEPOINT bulk_item").await?;
        let done = apply_one(tx, agent, t, p, now).await;
        if done.is_ok() {
            savepoint(tx, "RELEASE SAVEPOINT bulk_item").await?;
        } else {
            savepoint(tx, "ROLLBACK TO SAVEPOINT bulk_item").await?;
            savepoint(tx, "RELEASE SAVEPOINT bulk_item").await?;
        }
        match done {
            Ok(()) => {
                out.changed.push(t.id);
                used += 1;
            }
            Err(AppError::Stale { current_version }) => out.stale.push(Stale {
                id: t.id,
                current_version,
            }),
            Err(AppError::NotFound(_)) => out.failed.push(Failed {
                id: t.id,
                error: "no such ticket".into(),
            }),
            Err(AppError::Validation { field, message }) => out.failed.push(Failed {
                id: t.id,
                error: format!("{field} {message}"),
            }),
            Err(AppError::Conflict(message)) => out.failed.push(Failed {
                id: t.id,
                error: message,
            }),
            Err(other) => return Err(other),
        }
    }
    if let (Some(ready), true) = (&p.ready, used > 0) {
        replies::count_uses(tx, ready.reply.id, used).await?;
    }
    Ok(())
}

fn check_size(targets: &[Target]) -> AppResult<()> {
    if targets.len() > MAX_TICKETS {
        return Err(AppError::field(
            "tickets",
            t!("bulk-error-too-many", max = MAX_TICKETS),
        ));
    }
    Ok(())
}

/// Applies a change made ready by [`BulkChange::validate`] to every target now, chunk by chunk.
pub async fn apply(
    db: &Db,
    agent: &AgentRef,
    targets: &[Target],
    p: &Prepared,
    now: Millis,
) -> AppResult<Outcome> {
    check_size(targets)?;
    let mut out = Outcome::default();
    for chunk in targets.chunks(CHUNK) {
        let mut tx = db.begin().await?;
        apply_chunk(&mut tx, agent, chunk, p, &mut out, now).await?;
        tx.commit().await?;
    }
    Ok(out)
}

/// A bulk change applied in the background, and how far it got.
#[derive(utoipa::ToSchema, Debug, Serialize)]
pub struct Run {
    pub id: i64,
    pub agent_id: i64,
    pub summary: String,
    pub total: i64,
    pub done: i64,
    pub finished: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The list it was started from (for "back to the list").
    #[serde(skip)]
    pub back: String,
}

/// Starts a background bulk run of a change checked by [`BulkChange::validate`]; the job worker
/// applies it, making it ready again for each chunk (an agent, team or macro gone meanwhile
/// fails the rest of the run, stated).
pub async fn start(
    db: &Db,
    agent: &AgentRef,
    targets: &[Target],
    change: &BulkChange,
    summary: &str,
    back: &str,
    now: Millis,
) -> AppResult<i64> {
    check_size(targets)?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bulk_run (agent_id, change, summary, targets, total, outcome, back, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING bulk_run_id",
    )
    .bind(agent.id)
    .bind(json(change))
    .bind(summary)
    .bind(json(&targets))
    .bind(targets.len() as i64)
    .bind(json(&Outcome::default()))
    .bind(back)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    outbox::enqueue(&mut tx, &outbox::Job::BulkChunk { bulk_run_id: id }, now).await?;
    tx.commit().await?;
    Ok(id)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Bulk run `id` as `viewer` may see it: their own, or any for admins.
pub async fn run(db: &Db, viewer: &AgentRef, id: i64) -> AppResult<Run> {
    let r = sqlx::query(
        "SELECT bulk_run_id, agent_id, summary, total, done, outcome, back, finished_at
         FROM bulk_run WHERE bulk_run_id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("bulk change"))?;
    let agent_id: i64 = r.try_get("agent_id")?;
    if agent_id != viewer.id && viewer.role != crate::domain::Role::Admin {
        return Err(AppError::NotFound("bulk change"));
    }
    let outcome: String = r.try_get("outcome")?;
    Ok(Run {
        id,
        agent_id,
        summary: r.try_get("summary")?,
        total: r.try_get("total")?,
        done: r.try_get("done")?,
        finished: r.try_get::<Option<i64>, _>("finished_at")?.is_some(),
        outcome: serde_json::from_str(&outcome).unwrap_or_default(),
        back: r.try_get("back")?,
    })
}

/// The job: applies the next chunk of bulk run `run_id` and records the progress, the next
/// chunk's job and this job's completion in one transaction.
pub async fn run_chunk_job(db: &Db, job_id: i64, run_id: i64, now: Millis) -> anyhow::Result<()> {
    let row = sqlx::query(
        "SELECT agent_id, change, targets, done, outcome, finished_at FROM bulk_run
         WHERE bulk_run_id = $1",
    )
    .bind(run_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row.filter(|r| {
        r.try_get::<Option<i64>, _>("finished_at")
            .is_ok_and(|f| f.is_none())
    }) else {
        return outbox::finish(db.begin().await?, job_id, now).await;
    };
    let agent_id: i64 = row.try_get("agent_id")?;
    let change: BulkChange = serde_json::from_str(&row.try_get::<String, _>("change")?)?;
    let targets: Vec<Target> = serde_json::from_str(&row.try_get::<String, _>("targets")?)?;
    let mut out: Outcome = serde_json::from_str(&row.try_get::<String, _>("outcome")?)?;
    let done = (row.try_get::<i64, _>("done")?.max(0) as usize).min(targets.len());
    // The agent left, or the macro or an agent it names is gone: the rest fails, stated.
    let prepared = match crate::auth::agent_ref(db, agent_id).await? {
        Some(agent) => match prepare(db, &agent, &change).await {
            Ok(p) => Ok((agent, p)),
            Err(AppError::Validation { field, message }) => Err(format!("{field} {message}")),
            Err(other) => return Err(other.into()),
        },
        None => Err("the agent who started it is no longer active".to_string()),
    };
    let mut tx = db.begin().await?;
    let new_done = match &prepared {
        Ok((agent, p)) => {
            let chunk = &targets[done..(done + CHUNK).min(targets.len())];
            apply_chunk(&mut tx, agent, chunk, p, &mut out, now).await?;
            done + chunk.len()
        }
        Err(error) => {
            out.failed.extend(targets[done..].iter().map(|t| Failed {
                id: t.id,
                error: error.clone(),
            }));
            targets.len()
        }
    };
    let finished = new_done >= targets.len();
    // `done = $5`: a run whose chunk another worker already applied is left alone.
    let n = sqlx::query(
        "UPDATE bulk_run SET done = $1, outcome = $2, finished_at = $3
         WHERE bulk_run_id = $4 AND done = $5 AND finished_at IS NULL",
    )
    .bind(new_done as i64)
    .bind(json(&out))
    .bind(finished.then_some(now))
    .bind(run_id)
    .bind(done as i64)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        tx.rollback().await?;
        return outbox::finish(db.begin().await?, job_id, now).await;
    }
    if !finished {
        outbox::enqueue(
            &mut tx,
            &outbox::Job::BulkChunk {
                bulk_run_id: run_id,
            },
            now,
        )
        .await?;
    }
    outbox::finish(tx, job_id, now).await
}

/// Every ticket a list shows (all its pages), up to [`MAX_TICKETS`]: "all N matching".
pub async fn matching(db: &Db, viewer_id: i64, filter: &ListFilter) -> AppResult<Vec<Target>> {
    let mut f = filter.clone();
    f.limit = 200;
    f.sla_urgency = false;
    // Which tickets, not their order: the order that pages through all of them.
    f.sort = super::repo::Sort::Newest;
    f.before_id = None;
    let mut out = Vec::new();
    loop {
        let (page, next) = list_tickets(db, viewer_id, &f).await?;
        out.extend(page.iter().map(|t| Target {
            id: t.id,
            version: None,
        }));
        if out.len() > MAX_TICKETS {
            return Err(AppError::field(
                "scope",
                t!("bulk-error-list-too-long", max = MAX_TICKETS),
            ));
        }
        match next {
            Some(cursor) => f.before_id = Some(cursor),
            None => return Ok(out),
        }
    }
}
