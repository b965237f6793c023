//! Bulk changes: one change (status, priority, assignee, tags) applied to many tickets, each
//! through the ticket commands in its own short transaction. A ticket named with the version
//! the agent saw is changed only if nobody changed it since; otherwise it is reported as stale
//! and left alone, never overwritten.

use super::{Expect, ListFilter, TicketPatch, clean_tags, list_tickets, update_ticket};
use crate::auth::AgentRef;
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status};
use crate::error::{AppError, AppResult};
use serde::Serialize;

/// The most tickets one bulk change touches.
pub const MAX_TICKETS: usize = 10_000;

/// What to change on every selected ticket.
#[derive(Debug, Clone, Default)]
pub struct BulkChange {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<i64>>,
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
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
    }

    fn patch(&self) -> TicketPatch {
        TicketPatch {
            status: self.status,
            priority: self.priority,
            assignee_id: self.assignee_id,
            subject: None,
            add_tags: self.add_tags.clone(),
            remove_tags: self.remove_tags.clone(),
            ..Default::default()
        }
    }

    /// Checks the change once, before any ticket is touched: an unknown agent or a bad tag is
    /// a 422 naming the field, not a failure on every ticket.
    pub async fn validate(&mut self, db: &Db) -> AppResult<()> {
        if self.is_empty() {
            return Err(AppError::field(
                "changes",
                "choose at least one change (status, priority, assignee or tags)",
            ));
        }
        if let Some(Some(a)) = self.assignee_id
            && !crate::auth::agent_exists(db, a).await?
        {
            return Err(AppError::field("assignee_id", "is not an active agent"));
        }
        self.add_tags = clean_tags("add_tags", &self.add_tags)?;
        self.remove_tags = clean_tags("remove_tags", &self.remove_tags)?;
        if let Some(m) = self.macro_id {
            let found = crate::search::replies::get(db, m).await;
            if matches!(found, Err(AppError::NotFound(_))) {
                return Err(AppError::field("macro_id", "is not a macro"));
            }
            self.macro_title = Some(found?.title);
        }
        Ok(())
    }

    /// "status → solved, add tag vip" for confirmations.
    pub fn describe(&self, agent_name: impl Fn(i64) -> String) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status → {}", s.as_str()));
        }
        if let Some(p) = self.priority {
            parts.push(format!("priority → {}", p.as_str()));
        }
        match self.assignee_id {
            Some(Some(a)) => parts.push(format!("assign to {}", agent_name(a))),
            Some(None) => parts.push("unassign".into()),
            None => {}
        }
        if !self.add_tags.is_empty() {
            parts.push(format!("add tags {}", self.add_tags.join(", ")));
        }
        if !self.remove_tags.is_empty() {
            parts.push(format!("remove tags {}", self.remove_tags.join(", ")));
        }
        if let Some(t) = &self.macro_title {
            parts.push(format!("apply macro “{t}”"));
        }
        parts.join(", ")
    }
}

/// A selected ticket, with the version the agent saw when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub version: Option<i64>,
}

#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    /// Tickets changed (a ticket that already had the values counts too).
    pub changed: Vec<i64>,
    /// Tickets someone else changed after the agent saw them: left alone.
    pub stale: Vec<Stale>,
    /// Tickets the change does not apply to (gone, or a status they cannot move to).
    pub failed: Vec<Failed>,
}

#[derive(Debug, Serialize)]
pub struct Stale {
    pub id: i64,
    pub current_version: i64,
}

#[derive(Debug, Serialize)]
pub struct Failed {
    pub id: i64,
    pub error: String,
}

/// Applies a validated change to each target in turn.
pub async fn apply(
    db: &Db,
    agent: &AgentRef,
    targets: &[Target],
    change: &BulkChange,
    now: Millis,
) -> AppResult<Outcome> {
    if targets.len() > MAX_TICKETS {
        return Err(AppError::field(
            "tickets",
            format!("at most {MAX_TICKETS} tickets at once"),
        ));
    }
    let patch = change.patch();
    let fields = !BulkChange {
        macro_id: None,
        macro_title: None,
        ..change.clone()
    }
    .is_empty();
    let mut out = Outcome::default();
    for t in targets {
        let mut expect = t.version.map_or(Expect::Any, Expect::Version);
        let mut done = Ok(());
        if fields {
            done = update_ticket(db, agent, t.id, patch.clone(), expect, now)
                .await
                .map(|_| ());
            // The field changes made the version move; the macro applies to the result.
            expect = Expect::Any;
        }
        if let (Ok(()), Some(m)) = (&done, change.macro_id) {
            done = crate::search::replies::apply(db, agent, m, t.id, expect, now)
                .await
                .map(|_| ());
        }
        match done {
            Ok(_) => out.changed.push(t.id),
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
            Err(other) => return Err(other),
        }
    }
    Ok(out)
}

/// Every ticket a list shows (all its pages), up to [`MAX_TICKETS`]: "all N matching".
pub async fn matching(db: &Db, viewer_id: i64, filter: &ListFilter) -> AppResult<Vec<Target>> {
    let mut f = filter.clone();
    f.limit = 200;
    f.sla_urgency = false;
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
                format!("the list has more than {MAX_TICKETS} tickets; narrow it first"),
            ));
        }
        match next {
            Some(cursor) => f.before_id = Some(cursor),
            None => return Ok(out),
        }
    }
}
