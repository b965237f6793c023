//! Managing what assignment works with: teams and their members, routing rules and their order,
//! and each agent's capacity, availability, skills — including deactivating an agent, whose open
//! tickets are assigned again by the same logic.

use super::decide::Conditions;
use super::{enqueue_assign, enqueue_waiting};
use crate::auth::AgentRef;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Priority, Role, single_line};
use crate::error::{AppError, AppResult};
use crate::tickets::{self, Actor};
use serde::Serialize;
use sqlx::Row;

const ACTIVE: &str = super::ACTIVE;

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub is_default: bool,
    pub lead_agent_id: Option<i64>,
    pub members: Vec<Member>,
    /// Open tickets of the team nobody is assigned to.
    pub waiting: i64,
}

/// The team called `name` (case-insensitively), if any.
pub async fn team_id_by_name(db: &Db, name: &str) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT team_id FROM team WHERE LOWER(name) = $1")
            .bind(name.to_lowercase())
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// Every team's id and name, by name (cheap: no counts).
pub async fn team_names(db: &Db) -> AppResult<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT team_id, name FROM team ORDER BY name, team_id")
            .fetch_all(&db.pool)
            .await?,
    )
}

/// The name of team `id`, if it exists.
pub async fn team_name_by_id(db: &Db, id: i64) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM team WHERE team_id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

pub async fn list_teams(db: &Db) -> AppResult<Vec<TeamView>> {
    let rows = sqlx::query(
        "SELECT tm.team_id, tm.name, tm.active, tm.is_default, tm.lead_agent_id,
            (SELECT COUNT(*) FROM ticket t WHERE t.team_id = tm.team_id AND t.assignee_id IS NULL
               AND t.status IN ('new','open','pending')) AS waiting
         FROM team tm ORDER BY tm.name",
    )
    .fetch_all(&db.pool)
    .await?;
    let members = sqlx::query(
        "SELECT m.team_id, a.agent_id, a.name FROM team_member m JOIN agent a ON a.agent_id = m.agent_id
         WHERE a.active = 1 ORDER BY a.name",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("team_id")?;
        let mut list = Vec::new();
        for m in &members {
            if m.try_get::<i64, _>("team_id")? == id {
                list.push(Member {
                    id: m.try_get("agent_id")?,
                    name: m.try_get("name")?,
                });
            }
        }
        out.push(TeamView {
            id,
            name: r.try_get("name")?,
            active: r.try_get::<i64, _>("active")? == 1,
            is_default: r.try_get::<i64, _>("is_default")? == 1,
            lead_agent_id: r.try_get("lead_agent_id")?,
            members: list,
            waiting: r.try_get("waiting")?,
        });
    }
    Ok(out)
}

pub async fn get_team(db: &Db, id: i64) -> AppResult<TeamView> {
    list_teams(db)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound("team"))
}

/// A change to a team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub is_default: Option<bool>,
    /// `Some(None)` removes the lead.
    pub lead_agent_id: Option<Option<i64>>,
    /// The whole member list.
    pub members: Option<Vec<i64>>,
}

fn team_name(raw: &str) -> AppResult<String> {
    let name = single_line(raw);
    if name.is_empty() {
        return Err(AppError::field("name", t!("assign-error-required")));
    }
    if name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            t!("assign-error-too-long", max = 100),
        ));
    }
    Ok(name)
}

async fn active_agent(tx: &mut Tx, id: i64) -> AppResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM agent WHERE agent_id = $1 AND active = 1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n == 1)
}

pub async fn create_team(db: &Db, patch: TeamPatch, now: Millis) -> AppResult<i64> {
    let name = team_name(patch.name.as_deref().unwrap_or(""))?;
    let mut tx = db.begin().await?;
    ensure_name_free(&mut tx, &name, None).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO team (name, is_default, active, created_at, updated_at) VALUES ($1, 0, 1, $2, $2) RETURNING team_id",
    )
    .bind(&name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    apply_team_patch(
        &mut tx,
        id,
        TeamPatch {
            name: None,
            ..patch
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_team(db: &Db, id: i64, patch: TeamPatch, now: Millis) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT team_id FROM team WHERE team_id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(AppError::NotFound("team"));
    }
    apply_team_patch(&mut tx, id, patch, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_name_free(tx: &mut Tx, name: &str, except: Option<i64>) -> AppResult<()> {
    let other: Option<i64> =
        sqlx::query_scalar("SELECT team_id FROM team WHERE LOWER(name) = LOWER($1)")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    if other.is_some_and(|o| Some(o) != except) {
        return Err(AppError::field("name", t!("assign-error-team-name-taken")));
    }
    Ok(())
}

async fn apply_team_patch(tx: &mut Tx, id: i64, patch: TeamPatch, now: Millis) -> AppResult<()> {
    if let Some(raw) = &patch.name {
        let name = team_name(raw)?;
        ensure_name_free(tx, &name, Some(id)).await?;
        sqlx::query("UPDATE team SET name = $1, updated_at = $2 WHERE team_id = $3")
            .bind(&name)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(lead) = patch.lead_agent_id {
        if let Some(l) = lead
            && !active_agent(tx, l).await?
        {
            return Err(AppError::field(
                "lead_agent_id",
                t!("assign-error-not-active-agent"),
            ));
        }
        sqlx::query("UPDATE team SET lead_agent_id = $1, updated_at = $2 WHERE team_id = $3")
            .bind(lead)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(members) = &patch.members {
        if members.len() > 1000 {
            return Err(AppError::field(
                "members",
                t!("assign-error-members-max", max = 1000),
            ));
        }
        for m in members {
            if !active_agent(tx, *m).await? {
                return Err(AppError::field(
                    "members",
                    t!("assign-error-member-not-active", id = m.to_string()),
                ));
            }
        }
        let before: Vec<i64> =
            sqlx::query_scalar("SELECT agent_id FROM team_member WHERE team_id = $1")
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
        sqlx::query("DELETE FROM team_member WHERE team_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let mut added = false;
        let mut seen = Vec::new();
        for m in members {
            if seen.contains(m) {
                continue;
            }
            seen.push(*m);
            added |= !before.contains(m);
            sqlx::query(
                "INSERT INTO team_member (team_id, agent_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(m)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        if added {
            enqueue_waiting(tx, id, "an agent joined the team", now).await?;
        }
    }
    if let Some(default) = patch.is_default {
        if default {
            sqlx::query("UPDATE team SET is_default = 0 WHERE is_default = 1 AND team_id <> $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("UPDATE team SET is_default = $1, updated_at = $2 WHERE team_id = $3")
            .bind(i64::from(default))
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(active) = patch.active {
        let was: i64 = sqlx::query_scalar("SELECT active FROM team WHERE team_id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query("UPDATE team SET active = $1, updated_at = $2 WHERE team_id = $3")
            .bind(i64::from(active))
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if was == 1 && !active {
            // Tickets waiting in a team that closes are routed again (to the default team).
            let waiting: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT ticket_id FROM ticket WHERE team_id = $1 AND assignee_id IS NULL AND status IN {ACTIVE}"
            )))
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
            for t in waiting {
                enqueue_assign(tx, t, "its team was deactivated", None, now).await?;
            }
        } else if was == 0 && active {
            enqueue_waiting(tx, id, "the team was activated", now).await?;
        }
    }
    Ok(())
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub active: bool,
    pub conditions: Conditions,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub set_priority: Option<String>,
    pub tags: Vec<String>,
    pub required_skill: Option<String>,
}

pub async fn list_rules(db: &Db) -> AppResult<Vec<RuleView>> {
    let rows = sqlx::query(
        "SELECT r.routing_rule_id, r.name, r.position, r.active, r.conditions, r.team_id, tm.name AS team_name,
            r.set_priority, r.tags, r.required_skill
         FROM routing_rule r LEFT JOIN team tm ON tm.team_id = r.team_id ORDER BY r.position, r.routing_rule_id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let conditions: String = r.try_get("conditions")?;
            let tags: String = r.try_get("tags")?;
            Ok(RuleView {
                id: r.try_get("routing_rule_id")?,
                name: r.try_get("name")?,
                position: r.try_get("position")?,
                active: r.try_get::<i64, _>("active")? == 1,
                conditions: serde_json::from_str(&conditions).unwrap_or_default(),
                team_id: r.try_get("team_id")?,
                team_name: r.try_get("team_name")?,
                set_priority: r.try_get("set_priority")?,
                tags: serde_json::from_str(&tags).unwrap_or_default(),
                required_skill: r.try_get("required_skill")?,
            })
        })
        .collect()
}

pub async fn get_rule(db: &Db, id: i64) -> AppResult<RuleView> {
    list_rules(db)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound("rule"))
}

/// A rule as written by the admin UI or the API; `None` leaves a field as it is (on create:
/// the default).
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub conditions: Option<Conditions>,
    pub team_id: Option<Option<i64>>,
    pub set_priority: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub required_skill: Option<Option<String>>,
    /// 1-based place in the order.
    pub position: Option<i64>,
}

fn label(field: &str, raw: &str, max: usize) -> AppResult<String> {
    let v = single_line(raw).to_lowercase();
    if v.chars().count() > max {
        return Err(AppError::field(
            field,
            t!("assign-error-too-long", max = max),
        ));
    }
    Ok(v)
}

pub fn clean_list(field: &str, raw: &[String], max_items: usize) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = label(field, t, 50)?;
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > max_items {
        return Err(AppError::field(
            field,
            t!("assign-error-at-most", max = max_items),
        ));
    }
    Ok(out)
}

async fn validate_rule(tx: &mut Tx, p: RulePatch) -> AppResult<RulePatch> {
    let mut p = p;
    if let Some(n) = &p.name {
        let n = single_line(n);
        if n.is_empty() {
            return Err(AppError::field("name", t!("assign-error-required")));
        }
        if n.chars().count() > 100 {
            return Err(AppError::field(
                "name",
                t!("assign-error-too-long", max = 100),
            ));
        }
        p.name = Some(n);
    }
    if let Some(c) = p.conditions.take() {
        p.conditions = Some(c.normalize().map_err(|(f, m)| AppError::field(f, m))?);
    }
    if let Some(Some(team)) = p.team_id {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team WHERE team_id = $1")
            .bind(team)
            .fetch_one(&mut **tx)
            .await?;
        if n == 0 {
            return Err(AppError::field("team_id", t!("assign-error-unknown-team")));
        }
    }
    if let Some(Some(pr)) = &p.set_priority {
        pr.parse::<Priority>()
            .map_err(|e| AppError::field("set_priority", e))?;
    }
    if let Some(tags) = &p.tags {
        p.tags = Some(clean_list("tags", tags, 20)?);
    }
    if let Some(Some(skill)) = &p.required_skill {
        let s = label("required_skill", skill, 50)?;
        p.required_skill = Some(Some(s).filter(|s| !s.is_empty()));
    }
    if p.position.is_some_and(|n| n < 1) {
        return Err(AppError::field("position", t!("assign-error-position")));
    }
    Ok(p)
}

pub async fn create_rule(db: &Db, patch: RulePatch, now: Millis) -> AppResult<i64> {
    if patch.name.is_none() {
        return Err(AppError::field("name", t!("assign-error-required")));
    }
    let mut tx = db.begin().await?;
    let p = validate_rule(&mut tx, patch).await?;
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM routing_rule")
        .fetch_one(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO routing_rule (name, position, active, conditions, team_id, set_priority, tags, required_skill, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING routing_rule_id",
    )
    .bind(p.name.as_deref().unwrap_or(""))
    .bind(last + 1)
    .bind(i64::from(p.active.unwrap_or(true)))
    .bind(to_json(&p.conditions.clone().unwrap_or_default()))
    .bind(p.team_id.flatten())
    .bind(p.set_priority.clone().flatten())
    .bind(to_json(&p.tags.clone().unwrap_or_default()))
    .bind(p.required_skill.clone().flatten())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(pos) = p.position {
        move_to(&mut tx, id, pos).await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn update_rule(db: &Db, id: i64, patch: RulePatch, now: Millis) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT routing_rule_id FROM routing_rule WHERE routing_rule_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Err(AppError::NotFound("rule"));
    }
    let p = validate_rule(&mut tx, patch).await?;
    sqlx::query(
        "UPDATE routing_rule SET
            name = COALESCE($1, name),
            active = COALESCE($2, active),
            conditions = COALESCE($3, conditions),
            team_id = CASE WHEN $4 = 1 THEN $5 ELSE team_id END,
            set_priority = CASE WHEN $6 = 1 THEN $7 ELSE set_priority END,
            tags = COALESCE($8, tags),
            required_skill = CASE WHEN $9 = 1 THEN $10 ELSE required_skill END,
            updated_at = $11
         WHERE routing_rule_id = $12",
    )
    .bind(p.name.as_deref())
    .bind(p.active.map(i64::from))
    .bind(p.conditions.as_ref().map(to_json))
    .bind(i64::from(p.team_id.is_some()))
    .bind(p.team_id.flatten())
    .bind(i64::from(p.set_priority.is_some()))
    .bind(p.set_priority.clone().flatten())
    .bind(p.tags.as_ref().map(to_json))
    .bind(i64::from(p.required_skill.is_some()))
    .bind(p.required_skill.clone().flatten())
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if let Some(pos) = p.position {
        move_to(&mut tx, id, pos).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Puts a rule at a 1-based place and renumbers the others.
async fn move_to(tx: &mut Tx, id: i64, position: i64) -> AppResult<()> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT routing_rule_id FROM routing_rule ORDER BY position, routing_rule_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    ids.retain(|x| *x != id);
    let at = ((position - 1).max(0) as usize).min(ids.len());
    ids.insert(at, id);
    for (i, rid) in ids.iter().enumerate() {
        sqlx::query("UPDATE routing_rule SET position = $1 WHERE routing_rule_id = $2")
            .bind(i as i64 + 1)
            .bind(rid)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Moves a rule one place up (`-1`) or down (`1`).
pub async fn nudge_rule(db: &Db, id: i64, delta: i64) -> AppResult<()> {
    let rules = list_rules(db).await?;
    let idx = rules
        .iter()
        .position(|r| r.id == id)
        .ok_or(AppError::NotFound("rule"))? as i64;
    let mut tx = db.begin().await?;
    move_to(&mut tx, id, idx + 1 + delta).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_rule(db: &Db, id: i64) -> AppResult<()> {
    let res = sqlx::query("DELETE FROM routing_rule WHERE routing_rule_id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    if res.rows_affected() == 0 {
        return Err(AppError::NotFound("rule"));
    }
    Ok(())
}

/// An agent as assignment sees them.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct AgentSettings {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
    pub capacity: i64,
    pub availability: String,
    pub skills: Vec<String>,
    pub open: i64,
    pub teams: Vec<String>,
    /// The SLA calendar that gives their working hours; `None` means always.
    pub working_calendar_id: Option<i64>,
}

pub async fn agent_settings(db: &Db) -> AppResult<Vec<AgentSettings>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT a.agent_id, a.name, a.email, a.role, a.active, a.capacity, a.availability, a.working_calendar_id,
            (SELECT COUNT(*) FROM ticket t WHERE t.assignee_id = a.agent_id AND t.status IN {ACTIVE}) AS open_count
         FROM agent a ORDER BY a.active DESC, a.name"
    )))
    .fetch_all(&db.pool)
    .await?;
    let skills = sqlx::query("SELECT agent_id, skill FROM agent_skill ORDER BY skill")
        .fetch_all(&db.pool)
        .await?;
    let teams = sqlx::query(
        "SELECT m.agent_id, tm.name FROM team_member m JOIN team tm ON tm.team_id = m.team_id ORDER BY tm.name",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("agent_id")?;
        let pick = |list: &[sqlx::any::AnyRow], col: &str| -> AppResult<Vec<String>> {
            let mut v = Vec::new();
            for x in list {
                if x.try_get::<i64, _>("agent_id")? == id {
                    v.push(x.try_get(col)?);
                }
            }
            Ok(v)
        };
        out.push(AgentSettings {
            id,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            role: r.try_get("role")?,
            active: r.try_get::<i64, _>("active")? == 1,
            capacity: r.try_get("capacity")?,
            availability: r.try_get("availability")?,
            skills: pick(&skills, "skill")?,
            open: r.try_get("open_count")?,
            teams: pick(&teams, "name")?,
            working_calendar_id: r.try_get("working_calendar_id")?,
        });
    }
    Ok(out)
}

pub async fn agent_setting(db: &Db, id: i64) -> AppResult<AgentSettings> {
    agent_settings(db)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound("agent"))
}

#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    pub capacity: Option<i64>,
    pub availability: Option<String>,
    pub skills: Option<Vec<String>>,
    pub active: Option<bool>,
    /// `Some(None)` clears the working hours; `Some(Some(id))` sets an SLA calendar.
    pub working_calendar_id: Option<Option<i64>>,
}

pub const MAX_CAPACITY: i64 = 10_000;

/// Changes an agent's routing settings. Admins may change anything; agents only their own
/// availability. Going online, more capacity or new skills let waiting tickets be assigned;
/// deactivating someone puts their open tickets through assignment again.
#[tracing::instrument(skip_all, fields(agent_id = id))]
pub async fn patch_agent(
    db: &Db,
    actor: &AgentRef,
    id: i64,
    p: AgentPatch,
    now: Millis,
) -> AppResult<()> {
    let own_availability_only = p.capacity.is_none()
        && p.skills.is_none()
        && p.active.is_none()
        && p.working_calendar_id.is_none()
        && actor.id == id;
    if actor.role != Role::Admin && !own_availability_only {
        return Err(AppError::Forbidden(t!("assign-error-only-admins")));
    }
    if let Some(c) = p.capacity
        && !(0..=MAX_CAPACITY).contains(&c)
    {
        return Err(AppError::field(
            "capacity",
            t!("assign-error-capacity", max = MAX_CAPACITY),
        ));
    }
    if let Some(a) = &p.availability
        && !matches!(a.as_str(), "online" | "away" | "off")
    {
        return Err(AppError::field(
            "availability",
            t!("assign-error-availability"),
        ));
    }
    let skills = p
        .skills
        .as_ref()
        .map(|s| clean_list("skills", s, 30))
        .transpose()?;
    if p.active == Some(false) && actor.id == id {
        return Err(AppError::field(
            "active",
            t!("assign-error-deactivate-self"),
        ));
    }
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT active, capacity, availability FROM agent WHERE agent_id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound("agent"))?;
    let was_active = row.try_get::<i64, _>("active")? == 1;
    let old_capacity: i64 = row.try_get("capacity")?;
    let old_availability: String = row.try_get("availability")?;
    let mut more_room = false;
    if p.active == Some(false) && was_active {
        deactivate(&mut tx, actor, id, now).await?;
    }
    sqlx::query(
        "UPDATE agent SET capacity = COALESCE($1, capacity), availability = COALESCE($2, availability),
            active = COALESCE($3, active), updated_at = $4 WHERE agent_id = $5",
    )
    .bind(p.capacity)
    .bind(p.availability.as_deref())
    .bind(p.active.map(i64::from))
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if let Some(calendar) = p.working_calendar_id {
        if let Some(cal) = calendar {
            let known: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sla_calendar WHERE sla_calendar_id = $1")
                    .bind(cal)
                    .fetch_one(&mut *tx)
                    .await?;
            if known == 0 {
                return Err(AppError::field(
                    "working_calendar_id",
                    t!("assign-error-no-calendar"),
                ));
            }
        }
        sqlx::query("UPDATE agent SET working_calendar_id = $1 WHERE agent_id = $2")
            .bind(calendar)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        more_room = true;
    }
    if let Some(skills) = &skills {
        sqlx::query("DELETE FROM agent_skill WHERE agent_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for s in skills {
            sqlx::query("INSERT INTO agent_skill (agent_id, skill) VALUES ($1, $2)")
                .bind(id)
                .bind(s)
                .execute(&mut *tx)
                .await?;
        }
        more_room = true;
    }
    more_room |= p.capacity.is_some_and(|c| c > old_capacity);
    more_room |= p.availability.as_deref() == Some("online") && old_availability != "online";
    more_room |= p.active == Some(true) && !was_active;
    if more_room {
        super::agent_may_take_more(&mut tx, id, "an agent became available", now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Someone leaves: their open tickets are unassigned (logged) and queued for assignment by the
/// same logic as new ones, in the same transaction as the deactivation.
async fn deactivate(tx: &mut Tx, actor: &AgentRef, id: i64, now: Millis) -> AppResult<()> {
    let open: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT ticket_id FROM ticket WHERE assignee_id = $1 AND status IN {ACTIVE} ORDER BY ticket_id"
    )))
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for t in open {
        let mut edit =
            tickets::commands::open(tx, t, Actor::Agent(actor), tickets::Expect::Any, now).await?;
        edit.set_assignee(tx, None, "assignee", Some("the assignee was deactivated"))
            .await?;
        edit.save(tx).await?;
        enqueue_assign(
            tx,
            t,
            "the previous assignee was deactivated",
            Some(id),
            now,
        )
        .await?;
    }
    sqlx::query("DELETE FROM session WHERE agent_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An agent's own availability (the small form in the navigation).
pub async fn availability(db: &Db, id: i64) -> AppResult<String> {
    sqlx::query_scalar("SELECT availability FROM agent WHERE agent_id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound("agent"))
}
