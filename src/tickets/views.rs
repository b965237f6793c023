//! Saved views: named ticket lists ("urgent billing tickets waiting more than 4 hours"), an
//! agent's own or shared with everyone by a lead or admin. A view is a set of filters over the
//! same list query the queues use, so it pages, updates live and takes bulk changes like them.

use super::{ListFilter, Queue, clean_tags, list_tickets};
use crate::auth::AgentRef;
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Role, Status};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// A view's filters, as stored and as the API takes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewFilters {
    /// mine, unassigned, open, pending, solved or all (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// `me` (whoever looks at the view) or an agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Only tickets nobody changed for this many hours ("waiting on us since").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_hours: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub shared: bool,
    pub filters: ViewFilters,
}

/// How many tickets a view's count counts before it says "N+".
pub const COUNT_CAP: i64 = 200;

impl ViewFilters {
    /// Checks and cleans the filters; a bad one is a 422 naming `filters.<field>`.
    pub async fn clean(mut self, db: &Db) -> AppResult<ViewFilters> {
        let blank =
            |v: Option<String>| v.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        self.queue = blank(self.queue);
        self.status = blank(self.status);
        self.priority = blank(self.priority);
        self.assignee = blank(self.assignee);
        self.channel = blank(self.channel);
        if let Some(q) = &self.queue
            && Queue::parse(q).is_none()
        {
            return Err(AppError::field("filters.queue", "is not a known queue"));
        }
        if let Some(s) = &self.status {
            s.parse::<Status>()
                .map_err(|e| AppError::field("filters.status", e))?;
        }
        if let Some(p) = &self.priority {
            p.parse::<Priority>()
                .map_err(|e| AppError::field("filters.priority", e))?;
        }
        match self.assignee.as_deref() {
            None | Some("me") => {}
            Some(a) => {
                let id = a.parse::<i64>().map_err(|_| {
                    AppError::field("filters.assignee", "must be me or an agent id")
                })?;
                if !crate::auth::agent_exists(db, id).await? {
                    return Err(AppError::field(
                        "filters.assignee",
                        "is not an active agent",
                    ));
                }
            }
        }
        if let Some(t) = self.team_id
            && crate::assign::admin::team_name_by_id(db, t)
                .await?
                .is_none()
        {
            return Err(AppError::field("filters.team_id", "is not a team"));
        }
        self.tag = clean_tags("filters.tag", &self.tag.into_iter().collect::<Vec<_>>())?
            .into_iter()
            .next();
        if let Some(h) = self.idle_hours
            && !(1..=24 * 365).contains(&h)
        {
            return Err(AppError::field(
                "filters.idle_hours",
                "must be between 1 and 8760",
            ));
        }
        Ok(self)
    }

    /// The list query of this view for `viewer` at `now`.
    pub fn list_filter(&self, viewer: &AgentRef, now: Millis) -> ListFilter {
        ListFilter {
            queue: Some(
                self.queue
                    .as_deref()
                    .and_then(Queue::parse)
                    .unwrap_or(Queue::All),
            ),
            status: self.status.as_deref().and_then(|s| s.parse().ok()),
            priority: self.priority.as_deref().and_then(|p| p.parse().ok()),
            assignee_id: match self.assignee.as_deref() {
                Some("me") => Some(viewer.id),
                Some(a) => a.parse().ok(),
                None => None,
            },
            team_id: self.team_id,
            tag: self.tag.clone(),
            channel: self.channel.clone(),
            updated_before: self.idle_hours.map(|h| now - h * 3_600_000),
            limit: 50,
            ..Default::default()
        }
    }
}

fn row_view(r: &sqlx::any::AnyRow) -> AppResult<SavedView> {
    let filters: String = r.try_get("filters")?;
    Ok(SavedView {
        id: r.try_get("saved_view_id")?,
        name: r.try_get("name")?,
        shared: r.try_get::<Option<i64>, _>("owner_id")?.is_none(),
        filters: serde_json::from_str(&filters).unwrap_or_default(),
    })
}

/// The views an agent sees: the shared ones, then their own, by name.
pub async fn list_for(db: &Db, agent: &AgentRef) -> AppResult<Vec<SavedView>> {
    let rows = sqlx::query(
        "SELECT saved_view_id, name, owner_id, filters FROM saved_view
         WHERE owner_id IS NULL OR owner_id = $1
         ORDER BY (CASE WHEN owner_id IS NULL THEN 0 ELSE 1 END), name, saved_view_id",
    )
    .bind(agent.id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(row_view).collect()
}

/// One view the agent may see; 404 otherwise.
pub async fn get(db: &Db, agent: &AgentRef, id: i64) -> AppResult<SavedView> {
    let row = sqlx::query(
        "SELECT saved_view_id, name, owner_id, filters FROM saved_view
         WHERE saved_view_id = $1 AND (owner_id IS NULL OR owner_id = $2)",
    )
    .bind(id)
    .bind(agent.id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("view"))?;
    row_view(&row)
}

/// Saves a view: the agent's own, or shared (leads and admins only).
pub async fn create(
    db: &Db,
    agent: &AgentRef,
    name: &str,
    filters: ViewFilters,
    shared: bool,
    now: Millis,
) -> AppResult<SavedView> {
    let name = crate::domain::single_line(name);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field(
            "name",
            "is required (80 characters at most)",
        ));
    }
    if shared && !matches!(agent.role, Role::Lead | Role::Admin) {
        return Err(AppError::Forbidden(
            "only leads and admins share views".into(),
        ));
    }
    let filters = filters.clean(db).await?;
    let json = serde_json::to_string(&filters).unwrap_or_else(|_| "{}".into());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_view (name, owner_id, filters, created_at) VALUES ($1, $2, $3, $4)
         RETURNING saved_view_id",
    )
    .bind(&name)
    .bind((!shared).then_some(agent.id))
    .bind(&json)
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    Ok(SavedView {
        id,
        name,
        shared,
        filters,
    })
}

/// Deletes a view: one's own, or a shared one (leads and admins).
pub async fn delete(db: &Db, agent: &AgentRef, id: i64) -> AppResult<()> {
    let view = get(db, agent, id).await?;
    if view.shared && !matches!(agent.role, Role::Lead | Role::Admin) {
        return Err(AppError::Forbidden(
            "only leads and admins delete shared views".into(),
        ));
    }
    sqlx::query("DELETE FROM saved_view WHERE saved_view_id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// How many tickets a view lists, up to [`COUNT_CAP`]; `true` when there are more. One page of
/// the list query: as cheap as showing the view.
pub async fn count(
    db: &Db,
    agent: &AgentRef,
    view: &SavedView,
    now: Millis,
) -> AppResult<(i64, bool)> {
    let mut f = view.filters.list_filter(agent, now);
    f.limit = COUNT_CAP;
    let (page, next) = list_tickets(db, agent.id, &f).await?;
    Ok((page.len() as i64, next.is_some()))
}
