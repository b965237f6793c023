//! Saved views: named ticket lists ("urgent billing tickets waiting more than 4 hours"), an
//! agent's own or shared by a lead or admin with everyone or with one team. A view is a set of filters over the
//! same list query the queues use, so it pages, updates live and takes bulk changes like them.

use super::repo::{SlaFilter, Sort, count_capped};
use super::{ListFilter, Queue, clean_tags};
use crate::auth::AgentRef;
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Role, Status};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// A view's filters, as stored and as the API takes them.
#[derive(utoipa::ToSchema, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Only tickets nobody changed for this many hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_hours: Option<i64>,
    /// Only tickets whose customer wrote last, at least this many hours ago ("waiting on us
    /// since").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_hours: Option<i64>,
    /// The customer's plan or segment (from their CRM history), or whether they are a VIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<bool>,
    /// breached, at_risk or attention (either).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<String>,
    /// newest (the default), oldest, updated, priority or sla.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// The columns shown, in order (see [`COLUMNS`]); empty: the queues' columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

/// The columns a view can show: key and heading.
pub const COLUMNS: [(&str, &str); 11] = [
    ("customer", "Customer"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("assignee", "Assignee"),
    ("team", "Team"),
    ("tags", "Tags"),
    ("channel", "Channel"),
    ("age", "Age"),
    ("updated", "Last change"),
    ("sla", "SLA due"),
    ("plan", "Plan"),
];

/// The columns of the queues (and of a view that names none).
pub const DEFAULT_COLUMNS: [&str; 7] = [
    "customer", "status", "priority", "assignee", "tags", "age", "sla",
];

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub shared: bool,
    /// The team a shared view is shared with (`None`: everyone).
    pub team_id: Option<i64>,
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
        self.plan = blank(self.plan);
        self.segment = blank(self.segment);
        self.sla = blank(self.sla);
        self.sort = blank(self.sort);
        if let Some(v) = &self.sla
            && SlaFilter::parse(v).is_none()
        {
            return Err(AppError::field("filters.sla", t!("views-error-sla")));
        }
        if let Some(v) = &self.sort
            && Sort::parse(v).is_none()
        {
            return Err(AppError::field("filters.sort", t!("views-error-sort")));
        }
        for (field, v) in [
            ("filters.plan", &self.plan),
            ("filters.segment", &self.segment),
        ] {
            if v.as_ref().is_some_and(|v| v.chars().count() > 100) {
                return Err(AppError::field(
                    field,
                    t!("views-error-too-long", max = 100),
                ));
            }
        }
        let mut columns: Vec<String> = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            let c = c.trim().to_lowercase();
            if c.is_empty() {
                continue;
            }
            if !COLUMNS.iter().any(|(k, _)| *k == c) {
                return Err(AppError::field(
                    format!("filters.columns[{i}]"),
                    t!(
                        "views-error-column",
                        columns = COLUMNS.map(|(k, _)| k).join(", ")
                    ),
                ));
            }
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
        self.columns = columns;
        if let Some(q) = &self.queue
            && Queue::parse(q).is_none()
        {
            return Err(AppError::field("filters.queue", t!("views-error-queue")));
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
                let id = a
                    .parse::<i64>()
                    .map_err(|_| AppError::field("filters.assignee", t!("views-error-assignee")))?;
                if !crate::auth::agent_exists(db, id).await? {
                    return Err(AppError::field(
                        "filters.assignee",
                        t!("views-error-not-active-agent"),
                    ));
                }
            }
        }
        if let Some(t) = self.team_id
            && crate::assign::admin::team_name_by_id(db, t)
                .await?
                .is_none()
        {
            return Err(AppError::field(
                "filters.team_id",
                t!("views-error-not-team"),
            ));
        }
        self.tag = clean_tags("filters.tag", &self.tag.into_iter().collect::<Vec<_>>())?
            .into_iter()
            .next();
        for (field, h) in [
            ("filters.idle_hours", self.idle_hours),
            ("filters.waiting_hours", self.waiting_hours),
        ] {
            if let Some(h) = h
                && !(1..=24 * 365).contains(&h)
            {
                return Err(AppError::field(
                    field,
                    t!("views-error-hours", min = 1, max = 8760),
                ));
            }
        }
        Ok(self)
    }

    /// "open · priority urgent · VIP customers · SLA breached · oldest first", for the view's page.
    pub fn describe(&self, agents: &[AgentRef], teams: &[(i64, String)]) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.push(format!("queue {}", self.queue.as_deref().unwrap_or("all")));
        if let Some(s) = &self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(p) = &self.priority {
            parts.push(format!("priority {p}"));
        }
        match self.assignee.as_deref() {
            Some("me") => parts.push("assigned to me".into()),
            Some(a) => {
                let name = agents
                    .iter()
                    .find(|x| Some(x.id) == a.parse().ok())
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| format!("agent {a}"));
                parts.push(format!("assigned to {name}"));
            }
            None => {}
        }
        if let Some(t) = self.team_id {
            let name = teams
                .iter()
                .find(|(id, _)| *id == t)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("team {t}"));
            parts.push(format!("team {name}"));
        }
        if let Some(t) = &self.tag {
            parts.push(format!("tagged {t}"));
        }
        if let Some(c) = &self.channel {
            parts.push(format!("via {c}"));
        }
        match self.vip {
            Some(true) => parts.push("VIP customers".into()),
            Some(false) => parts.push("customers who are not VIP".into()),
            None => {}
        }
        if let Some(p) = &self.plan {
            parts.push(format!("plan {p}"));
        }
        if let Some(s) = &self.segment {
            parts.push(format!("segment {s}"));
        }
        if let Some(s) = self.sla.as_deref().and_then(SlaFilter::parse) {
            let label = SlaFilter::ALL
                .iter()
                .find(|(f, _, _)| *f == s)
                .map(|(_, _, l)| *l)
                .unwrap_or("");
            parts.push(format!("SLA {label}"));
        }
        if let Some(h) = self.idle_hours {
            parts.push(format!("no change for {h} h"));
        }
        if let Some(h) = self.waiting_hours {
            parts.push(format!("customer waiting for {h} h"));
        }
        let sort = self
            .sort
            .as_deref()
            .and_then(Sort::parse)
            .unwrap_or_default();
        if let Some((_, _, label)) = Sort::ALL.iter().find(|(s, _, _)| *s == sort) {
            parts.push((*label).to_string());
        }
        parts.join(" · ")
    }

    /// The columns this view shows.
    pub fn shown_columns(&self) -> Vec<&str> {
        if self.columns.is_empty() {
            DEFAULT_COLUMNS.to_vec()
        } else {
            self.columns.iter().map(String::as_str).collect()
        }
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
            customer_waiting_since: self.waiting_hours.map(|h| now - h * 3_600_000),
            plan: self.plan.clone(),
            segment: self.segment.clone(),
            vip: self.vip,
            sla: self.sla.as_deref().and_then(SlaFilter::parse),
            sort: self
                .sort
                .as_deref()
                .and_then(Sort::parse)
                .unwrap_or_default(),
            now,
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
        team_id: r.try_get("team_id")?,
        filters: serde_json::from_str(&filters).unwrap_or_default(),
    })
}

/// Who sees a view: its owner; everyone for a view shared with everyone; a team's members (and
/// admins) for a view shared with that team.
const VISIBLE: &str = "(v.owner_id = $1 OR (v.owner_id IS NULL AND (v.team_id IS NULL
    OR v.team_id IN (SELECT m.team_id FROM team_member m WHERE m.agent_id = $1)
    OR EXISTS (SELECT 1 FROM agent a WHERE a.agent_id = $1 AND a.role = 'admin'))))";

/// The views an agent sees: the shared ones, then their own, by name.
pub async fn list_for(db: &Db, agent: &AgentRef) -> AppResult<Vec<SavedView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.saved_view_id, v.name, v.owner_id, v.team_id, v.filters FROM saved_view v
         WHERE {VISIBLE}
         ORDER BY (CASE WHEN v.owner_id IS NULL THEN 0 ELSE 1 END), v.name, v.saved_view_id"
    )))
    .bind(agent.id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(row_view).collect()
}

/// One view the agent may see; 404 otherwise.
pub async fn get(db: &Db, agent: &AgentRef, id: i64) -> AppResult<SavedView> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.saved_view_id, v.name, v.owner_id, v.team_id, v.filters FROM saved_view v
         WHERE {VISIBLE} AND v.saved_view_id = $2"
    )))
    .bind(agent.id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("view"))?;
    row_view(&row)
}

/// Saves a view: the agent's own, or shared (leads and admins only) with everyone or with
/// `team_id`'s members.
pub async fn create(
    db: &Db,
    agent: &AgentRef,
    name: &str,
    filters: ViewFilters,
    shared: bool,
    team_id: Option<i64>,
    now: Millis,
) -> AppResult<SavedView> {
    let name = crate::domain::single_line(name);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field("name", t!("views-error-name", max = 80)));
    }
    if shared && !matches!(agent.role, Role::Lead | Role::Admin) {
        return Err(AppError::Forbidden(t!("views-error-only-leads-share")));
    }
    if let Some(t) = team_id {
        if !shared {
            return Err(AppError::field("team_id", t!("views-error-team-own")));
        }
        if crate::assign::admin::team_name_by_id(db, t)
            .await?
            .is_none()
        {
            return Err(AppError::field("team_id", t!("views-error-not-team")));
        }
    }
    let filters = filters.clean(db).await?;
    let json = serde_json::to_string(&filters).unwrap_or_else(|_| "{}".into());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_view (name, owner_id, filters, created_at, team_id) VALUES ($1, $2, $3, $4, $5)
         RETURNING saved_view_id",
    )
    .bind(&name)
    .bind((!shared).then_some(agent.id))
    .bind(&json)
    .bind(now)
    .bind(team_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(SavedView {
        id,
        name,
        shared,
        team_id,
        filters,
    })
}

/// Deletes a view: one's own, or a shared one (leads and admins).
pub async fn delete(db: &Db, agent: &AgentRef, id: i64) -> AppResult<()> {
    let view = get(db, agent, id).await?;
    if view.shared && !matches!(agent.role, Role::Lead | Role::Admin) {
        return Err(AppError::Forbidden(t!("views-error-only-leads-delete")));
    }
    sqlx::query("DELETE FROM saved_view WHERE saved_view_id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// How many tickets a view lists, up to [`COUNT_CAP`]; `true` when there are more. Counts ids
/// through the list's filters, never more than the cap: as cheap as showing the view.
pub async fn count(
    db: &Db,
    agent: &AgentRef,
    view: &SavedView,
    now: Millis,
) -> AppResult<(i64, bool)> {
    let f = view.filters.list_filter(agent, now);
    count_capped(db, agent.id, &f, COUNT_CAP).await
}

/// How long a view's count is shown without counting again.
const COUNT_FRESH: std::time::Duration = std::time::Duration::from_secs(20);

/// View counts for the sidebar, kept per view and agent for [`COUNT_FRESH`]: a page never counts
/// a view again within that time, and never waits long for a count (a slow one is counted in the
/// background and shown from the next page on).
#[derive(Default)]
pub struct CountCache {
    entries: std::sync::Mutex<std::collections::HashMap<(i64, i64), CountEntry>>,
}

#[derive(Default)]
struct CountEntry {
    counted_at: Option<std::time::Instant>,
    count: Option<(i64, bool)>,
    running: bool,
}

impl CountCache {
    /// The counts of `views` for `agent`, in order: fresh ones at once; the others are counted
    /// in the background, waiting at most `wait` for them (`None`: not known yet).
    pub async fn counts(
        self: &std::sync::Arc<Self>,
        db: &Db,
        agent: &AgentRef,
        views: &[SavedView],
        now: Millis,
        wait: std::time::Duration,
    ) -> Vec<Option<(i64, bool)>> {
        let mut running = Vec::new();
        for v in views {
            let key = (v.id, agent.id);
            let start = {
                let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
                let e = map.entry(key).or_default();
                let stale = e.counted_at.is_none_or(|t| t.elapsed() > COUNT_FRESH);
                let start = stale && !e.running;
                if start {
                    e.running = true;
                }
                start
            };
            if start {
                let (cache, db, agent, view) = (self.clone(), db.clone(), agent.clone(), v.clone());
                running.push(tokio::spawn(async move {
                    let counted = count(&db, &agent, &view, now).await;
                    let mut map = cache.entries.lock().unwrap_or_else(|e| e.into_inner());
                    let e = map.entry(key).or_default();
                    e.running = false;
                    match counted {
                        Ok(c) => {
                            e.count = Some(c);
                            e.counted_at = Some(std::time::Instant::now());
                        }
                        Err(err) => {
                            tracing::warn!(view = view.id, error = %err, "view count failed")
                        }
                    }
                }));
            }
        }
        if !running.is_empty() {
            // Counting goes on after the wait; its result is kept for the next page.
            let _ = tokio::time::timeout(wait, futures_util::future::join_all(running)).await;
        }
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        views
            .iter()
            .map(|v| map.get(&(v.id, agent.id)).and_then(|e| e.count))
            .collect()
    }
}
