//! SLA in the database: business calendars and policies (validated on the way in), which policy
//! applies to a ticket, and `refresh`, which rewrites a ticket's `ticket_sla` rows from its
//! history in the transaction of every change to the ticket; a ticket's clocks as the API and the
//! pages show them.

use super::plan::{self, PlannedClock, Targets, TicketFacts};
use super::{BusinessCalendar, SlaError, StatusChange, Target};
use crate::customers::crm;
use crate::db::Sql;
use crate::domain::clock::Millis;
use crate::domain::{AuthorKind, Priority, Status};
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn sla_err(e: SlaError) -> AppError {
    AppError::field(e.field(), e.message())
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("sla data in db: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Calendars

/// A business calendar as stored and as the API shows it.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Calendar {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    /// Day name → windows `["09:00", "17:00"]`.
    pub hours: BTreeMap<String, Vec<[String; 2]>>,
    pub holidays: Vec<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Calendar {
    pub fn business(&self) -> AppResult<BusinessCalendar> {
        build_calendar(&self.time_zone, &self.hours, &self.holidays)
    }
}

/// Input for a calendar (API and admin form).
#[derive(utoipa::ToSchema, Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    /// Day name → windows, each `["09:00", "17:00"]` or `"09:00-17:00"`.
    pub hours: Option<BTreeMap<String, Vec<Value>>>,
    pub holidays: Option<Vec<String>>,
}

fn parse_time(field: &str, s: &str) -> AppResult<NaiveTime> {
    let s = s.trim();
    if s == "24:00" {
        return Ok(NaiveTime::MIN);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| AppError::field(field, t!("sla-error-time", value = format!("{s:?}"))))
}

fn build_calendar(
    time_zone: &str,
    hours: &BTreeMap<String, Vec<[String; 2]>>,
    holidays: &[String],
) -> AppResult<BusinessCalendar> {
    let mut windows: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    for (day, list) in hours {
        let index = DAYS
            .iter()
            .position(|d| d == day)
            .ok_or_else(|| AppError::field(format!("hours.{day}"), t!("sla-error-day")))?;
        let field = format!("hours.{day}");
        for [start, end] in list {
            windows[index].push((parse_time(&field, start)?, parse_time(&field, end)?));
        }
    }
    let mut dates = Vec::with_capacity(holidays.len());
    for h in holidays {
        dates.push(
            NaiveDate::parse_from_str(h.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::field("holidays", t!("sla-error-date", value = format!("{h:?}")))
            })?,
        );
    }
    BusinessCalendar::with_windows(time_zone, windows, dates).map_err(sla_err)
}

/// A calendar's working windows as stored: day name → `["09:00", "17:00"]` pairs.
pub type StoredHours = BTreeMap<String, Vec<[String; 2]>>;

/// Checks a calendar input and returns it in stored form: name, time zone, hours, holidays.
pub fn validate_calendar(
    input: &CalendarInput,
) -> AppResult<(String, String, StoredHours, Vec<String>)> {
    let name = input.name.as_deref().unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(AppError::field("name", t!("sla-error-required")));
    }
    if name.chars().count() > 100 {
        return Err(AppError::field("name", t!("sla-error-too-long", max = 100)));
    }
    let time_zone = input
        .time_zone
        .as_deref()
        .ok_or_else(|| AppError::field("time_zone", t!("sla-error-required")))?
        .trim()
        .to_string();
    let raw = input
        .hours
        .as_ref()
        .ok_or_else(|| AppError::field("hours", t!("sla-error-required")))?;
    let mut hours = BTreeMap::new();
    for (day, list) in raw {
        let day = day.trim().to_lowercase();
        let field = format!("hours.{day}");
        let mut windows = Vec::new();
        for w in list {
            let pair = match w {
                Value::String(s) => s
                    .split_once('-')
                    .map(|(a, b)| [a.trim().to_string(), b.trim().to_string()]),
                Value::Array(a) if a.len() == 2 => match (a[0].as_str(), a[1].as_str()) {
                    (Some(x), Some(y)) => Some([x.to_string(), y.to_string()]),
                    _ => None,
                },
                _ => None,
            }
            .ok_or_else(|| AppError::field(&field, t!("sla-error-window")))?;
            windows.push(pair);
        }
        hours.insert(day, windows);
    }
    let holidays: Vec<String> = input
        .holidays
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    build_calendar(&time_zone, &hours, &holidays)?;
    Ok((name, time_zone, hours, holidays))
}

fn calendar_from_row(row: &AnyRow) -> AppResult<Calendar> {
    let hours: String = row.try_get("hours")?;
    let holidays: String = row.try_get("holidays")?;
    Ok(Calendar {
        id: row.try_get("sla_calendar_id")?,
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
        hours: serde_json::from_str(&hours).map_err(internal)?,
        holidays: serde_json::from_str(&holidays).map_err(internal)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const CALENDAR_COLUMNS: &str = "SELECT sla_calendar_id, name, time_zone, hours, holidays, created_at, updated_at FROM sla_calendar";

pub async fn list_calendars(conn: &mut AnyConnection) -> AppResult<Vec<Calendar>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CALENDAR_COLUMNS} ORDER BY sla_calendar_id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(calendar_from_row).collect()
}

pub async fn get_calendar(conn: &mut AnyConnection, id: i64) -> AppResult<Calendar> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CALENDAR_COLUMNS} WHERE sla_calendar_id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound("calendar"))?;
    calendar_from_row(&row)
}

/// Creates (`id` None) or replaces a calendar; returns its id.
pub async fn save_calendar(
    conn: &mut AnyConnection,
    id: Option<i64>,
    input: &CalendarInput,
    now: Millis,
) -> AppResult<i64> {
    let (name, tz, hours, holidays) = validate_calendar(input)?;
    let hours = serde_json::to_string(&hours).map_err(internal)?;
    let holidays = serde_json::to_string(&holidays).map_err(internal)?;
    let result = match id {
        None => sqlx::query_scalar(
            "INSERT INTO sla_calendar (name, time_zone, hours, holidays, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING sla_calendar_id",
        )
        .bind(&name)
        .bind(&tz)
        .bind(&hours)
        .bind(&holidays)
        .bind(now)
        .fetch_one(&mut *conn)
        .await,
        Some(id) => sqlx::query_scalar(
            "UPDATE sla_calendar SET name = $1, time_zone = $2, hours = $3, holidays = $4, updated_at = $5
             WHERE sla_calendar_id = $6 RETURNING sla_calendar_id",
        )
        .bind(&name)
        .bind(&tz)
        .bind(&hours)
        .bind(&holidays)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .and_then(|r| r.ok_or(sqlx::Error::RowNotFound)),
    };
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::RowNotFound) => Err(AppError::NotFound("calendar")),
        Err(e) if crate::db::is_unique_violation(&e) => {
            Err(AppError::field("name", t!("sla-error-name-taken")))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Policies

/// Targets of one priority in whole minutes, as the API and the admin form take them.
#[derive(utoipa::ToSchema, Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetMinutes {
    pub first_response_minutes: Option<i64>,
    pub next_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Policy {
    pub id: i64,
    pub name: String,
    pub calendar_id: i64,
    pub position: i64,
    pub match_priority: Option<Priority>,
    pub match_segment: Option<String>,
    pub match_plan: Option<String>,
    pub match_team_id: Option<i64>,
    /// Priority → targets in business milliseconds.
    pub targets: BTreeMap<String, Targets>,
    pub warning_percent: i64,
    pub notify_assignee_on_warning: bool,
    pub raise_priority_on_breach: bool,
    pub notify_lead_on_breach: bool,
    pub escalation_team_id: Option<i64>,
    pub active: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Policy {
    pub fn targets_for(&self, p: Priority) -> Targets {
        self.targets.get(p.as_str()).copied().unwrap_or_default()
    }

    pub fn warning_fraction(&self) -> f64 {
        self.warning_percent as f64 / 100.0
    }

    fn matches(
        &self,
        priority: Priority,
        team_id: Option<i64>,
        attrs: Option<&crm::CustomerAttributes>,
    ) -> bool {
        let lower = |s: &Option<String>| s.as_ref().map(|v| v.to_lowercase());
        self.match_priority.is_none_or(|p| p == priority)
            && self.match_team_id.is_none_or(|t| Some(t) == team_id)
            && self.match_segment.as_ref().is_none_or(|s| {
                attrs.is_some_and(|a| lower(&a.segment).as_deref() == Some(&s.to_lowercase()))
            })
            && self.match_plan.as_ref().is_none_or(|s| {
                attrs.is_some_and(|a| lower(&a.plan).as_deref() == Some(&s.to_lowercase()))
            })
    }
}

#[derive(utoipa::ToSchema, Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub name: Option<String>,
    pub calendar_id: Option<i64>,
    pub position: Option<i64>,
    pub match_priority: Option<String>,
    pub match_segment: Option<String>,
    pub match_plan: Option<String>,
    pub match_team_id: Option<i64>,
    /// Priority → targets in minutes.
    pub targets: Option<BTreeMap<String, TargetMinutes>>,
    pub warning_percent: Option<i64>,
    pub notify_assignee_on_warning: Option<bool>,
    pub raise_priority_on_breach: Option<bool>,
    pub notify_lead_on_breach: Option<bool>,
    pub escalation_team_id: Option<i64>,
    pub active: Option<bool>,
}

struct ValidPolicy {
    name: String,
    calendar_id: i64,
    position: i64,
    match_priority: Option<Priority>,
    match_segment: Option<String>,
    match_plan: Option<String>,
    match_team_id: Option<i64>,
    targets: BTreeMap<String, Targets>,
    warning_percent: i64,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn validate_policy(input: &PolicyInput) -> AppResult<ValidPolicy> {
    let name =
        non_empty(&input.name).ok_or_else(|| AppError::field("name", t!("sla-error-required")))?;
    if name.chars().count() > 100 {
        return Err(AppError::field("name", t!("sla-error-too-long", max = 100)));
    }
    let calendar_id = input
        .calendar_id
        .ok_or_else(|| AppError::field("calendar_id", t!("sla-error-required")))?;
    let warning_percent = input.warning_percent.unwrap_or(75);
    if !(1..=100).contains(&warning_percent) {
        return Err(AppError::field("warning_percent", t!("sla-error-percent")));
    }
    let match_priority = match non_empty(&input.match_priority) {
        None => None,
        Some(p) => Some(
            p.parse::<Priority>()
                .map_err(|e| AppError::field("match_priority", e))?,
        ),
    };
    let raw = input
        .targets
        .as_ref()
        .ok_or_else(|| AppError::field("targets", t!("sla-error-required")))?;
    let mut targets = BTreeMap::new();
    for (priority, t) in raw {
        let p = priority
            .parse::<Priority>()
            .map_err(|e| AppError::field(format!("targets.{priority}"), e))?;
        let mut out = Targets::default();
        for (name, minutes, slot) in [
            (
                "first_response_minutes",
                t.first_response_minutes,
                &mut out.first_response_ms,
            ),
            (
                "next_response_minutes",
                t.next_response_minutes,
                &mut out.next_response_ms,
            ),
            (
                "resolution_minutes",
                t.resolution_minutes,
                &mut out.resolution_ms,
            ),
        ] {
            if let Some(m) = minutes {
                let ms = m.saturating_mul(60_000);
                Target::new(ms, warning_percent as f64 / 100.0)
                    .map_err(|e| AppError::field(format!("targets.{p}.{name}"), e.message()))?;
                *slot = Some(ms);
            }
        }
        if out != Targets::default() {
            targets.insert(p.as_str().to_string(), out);
        }
    }
    if targets.is_empty() {
        return Err(AppError::field("targets", t!("sla-error-no-target")));
    }
    Ok(ValidPolicy {
        name,
        calendar_id,
        position: input.position.unwrap_or(100),
        match_priority,
        match_segment: non_empty(&input.match_segment).map(|s| s.to_lowercase()),
        match_plan: non_empty(&input.match_plan).map(|s| s.to_lowercase()),
        match_team_id: input.match_team_id,
        targets,
        warning_percent,
    })
}

async fn team_exists(conn: &mut AnyConnection, id: i64) -> AppResult<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT team_id FROM team WHERE team_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
    )
}

/// Creates (`id` None) or replaces a policy; returns its id.
pub async fn save_policy(
    conn: &mut AnyConnection,
    id: Option<i64>,
    input: &PolicyInput,
    now: Millis,
) -> AppResult<i64> {
    let v = validate_policy(input)?;
    get_calendar(conn, v.calendar_id)
        .await
        .map_err(|_| AppError::field("calendar_id", t!("sla-error-not-calendar")))?;
    for (field, team) in [
        ("match_team_id", v.match_team_id),
        ("escalation_team_id", input.escalation_team_id),
    ] {
        if let Some(t) = team
            && !team_exists(conn, t).await?
        {
            return Err(AppError::field(field, t!("sla-error-not-team")));
        }
    }
    let targets = serde_json::to_string(&v.targets).map_err(internal)?;
    let flag = |b: Option<bool>| i64::from(b.unwrap_or(true));
    let sql = match id {
        None => {
            "INSERT INTO sla_policy (name, sla_calendar_id, position, match_priority, match_segment, match_plan,
                match_team_id, targets, warning_percent, notify_assignee_on_warning, raise_priority_on_breach,
                notify_lead_on_breach, escalation_team_id, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
             RETURNING sla_policy_id"
        }
        Some(_) => {
            "UPDATE sla_policy SET name = $1, sla_calendar_id = $2, position = $3, match_priority = $4,
                match_segment = $5, match_plan = $6, match_team_id = $7, targets = $8, warning_percent = $9,
                notify_assignee_on_warning = $10, raise_priority_on_breach = $11, notify_lead_on_breach = $12,
                escalation_team_id = $13, active = $14, updated_at = $15
             WHERE sla_policy_id = $16 RETURNING sla_policy_id"
        }
    };
    let result: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(sql)
        .bind(&v.name)
        .bind(v.calendar_id)
        .bind(v.position)
        .bind(v.match_priority.map(|p| p.as_str()))
        .bind(v.match_segment)
        .bind(v.match_plan)
        .bind(v.match_team_id)
        .bind(targets)
        .bind(v.warning_percent)
        .bind(flag(input.notify_assignee_on_warning))
        .bind(flag(input.raise_priority_on_breach))
        .bind(flag(input.notify_lead_on_breach))
        .bind(input.escalation_team_id)
        .bind(flag(input.active))
        .bind(now)
        .bind(id.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await;
    match result {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(AppError::NotFound("policy")),
        Err(e) if crate::db::is_unique_violation(&e) => {
            Err(AppError::field("name", t!("sla-error-name-taken")))
        }
        Err(e) => Err(e.into()),
    }
}

const POLICY_COLUMNS: &str = "SELECT sla_policy_id, name, sla_calendar_id, position, match_priority, match_segment,
    match_plan, match_team_id, targets, warning_percent, notify_assignee_on_warning, raise_priority_on_breach,
    notify_lead_on_breach, escalation_team_id, active, created_at, updated_at FROM sla_policy";

fn policy_from_row(row: &AnyRow) -> AppResult<Policy> {
    let targets: String = row.try_get("targets")?;
    let priority: Option<String> = row.try_get("match_priority")?;
    Ok(Policy {
        id: row.try_get("sla_policy_id")?,
        name: row.try_get("name")?,
        calendar_id: row.try_get("sla_calendar_id")?,
        position: row.try_get("position")?,
        match_priority: priority.map(|p| p.parse()).transpose().map_err(internal)?,
        match_segment: row.try_get("match_segment")?,
        match_plan: row.try_get("match_plan")?,
        match_team_id: row.try_get("match_team_id")?,
        targets: serde_json::from_str(&targets).map_err(internal)?,
        warning_percent: row.try_get("warning_percent")?,
        notify_assignee_on_warning: row.try_get::<i64, _>("notify_assignee_on_warning")? == 1,
        raise_priority_on_breach: row.try_get::<i64, _>("raise_priority_on_breach")? == 1,
        notify_lead_on_breach: row.try_get::<i64, _>("notify_lead_on_breach")? == 1,
        escalation_team_id: row.try_get("escalation_team_id")?,
        active: row.try_get::<i64, _>("active")? == 1,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// All policies in the order they are tried.
pub async fn list_policies(conn: &mut AnyConnection) -> AppResult<Vec<Policy>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{POLICY_COLUMNS} ORDER BY position, sla_policy_id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(policy_from_row).collect()
}

pub async fn get_policy(conn: &mut AnyConnection, id: i64) -> AppResult<Policy> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{POLICY_COLUMNS} WHERE sla_policy_id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound("policy"))?;
    policy_from_row(&row)
}

// ---------------------------------------------------------------------------------------------
// Tickets

/// The facts of a ticket SLA needs, besides its history.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub status: Status,
    pub priority: Priority,
    pub team_id: Option<i64>,
    pub customer_id: i64,
    pub assignee_id: Option<i64>,
    pub created_at: Millis,
    pub first_response_at: Option<Millis>,
    pub solved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
}

pub async fn ticket_row(conn: &mut AnyConnection, id: i64) -> AppResult<TicketRow> {
    let r = sqlx::query(
        "SELECT ticket_id, status, priority, team_id, customer_id, assignee_id, created_at,
            first_response_at, solved_at, closed_at FROM ticket WHERE ticket_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound("ticket"))?;
    let status: String = r.try_get("status")?;
    let priority: String = r.try_get("priority")?;
    Ok(TicketRow {
        id,
        status: status.parse().map_err(internal)?,
        priority: priority.parse().map_err(internal)?,
        team_id: r.try_get("team_id")?,
        customer_id: r.try_get("customer_id")?,
        assignee_id: r.try_get("assignee_id")?,
        created_at: r.try_get("created_at")?,
        first_response_at: r.try_get("first_response_at")?,
        solved_at: r.try_get("solved_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

/// The SLA settings (every policy in order, and the calendars), read once for many tickets.
pub struct Settings {
    pub policies: Vec<Policy>,
    calendars: HashMap<i64, (Calendar, BusinessCalendar)>,
    /// Team → its lead.
    leads: HashMap<i64, Option<i64>>,
}

impl Settings {
    pub async fn load(conn: &mut AnyConnection) -> AppResult<Settings> {
        let policies = list_policies(conn).await?;
        let mut calendars = HashMap::new();
        for c in list_calendars(conn).await? {
            let business = c.business()?;
            calendars.insert(c.id, (c, business));
        }
        let leads =
            sqlx::query_as::<_, (i64, Option<i64>)>("SELECT team_id, lead_agent_id FROM team")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        Ok(Settings {
            policies,
            calendars,
            leads,
        })
    }

    /// The lead of a team, if it has one.
    pub fn lead(&self, team_id: Option<i64>) -> Option<i64> {
        team_id.and_then(|t| self.leads.get(&t).copied().flatten())
    }

    pub fn policy(&self, id: i64) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The policy that applies to a ticket: the first active one whose conditions hold.
    pub async fn select(
        &self,
        conn: &mut AnyConnection,
        t: &TicketRow,
        now: Millis,
    ) -> AppResult<Option<&Policy>> {
        let mut any_active = false;
        let mut needs_crm = false;
        for p in &self.policies {
            any_active |= p.active;
            needs_crm |= p.active && (p.match_segment.is_some() || p.match_plan.is_some());
        }
        if !any_active {
            return Ok(None);
        }
        let attrs = if needs_crm {
            Some(crm::attributes(conn, t.customer_id, now).await?)
        } else {
            None
        };
        Ok(self
            .policies
            .iter()
            .find(|p| p.active && p.matches(t.priority, t.team_id, attrs.as_ref())))
    }
}

async fn facts(conn: &mut AnyConnection, t: &TicketRow) -> AppResult<TicketFacts> {
    let changes = sqlx::query(
        "SELECT new_value, created_at FROM ticket_event WHERE ticket_id = $1 AND kind = 'status'
         ORDER BY ticket_event_id",
    )
    .bind(t.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut status_changes = Vec::with_capacity(changes.len());
    for r in &changes {
        let s: Option<String> = r.try_get("new_value")?;
        if let Some(Ok(status)) = s.map(|s| s.parse::<Status>()) {
            status_changes.push(StatusChange {
                at: r.try_get("created_at")?,
                status,
            });
        }
    }
    let messages = sqlx::query(
        "SELECT author_kind, created_at FROM message WHERE ticket_id = $1 AND visibility = 'public'
         ORDER BY created_at, message_id",
    )
    .bind(t.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut public_messages = Vec::with_capacity(messages.len());
    for r in &messages {
        let kind: String = r.try_get("author_kind")?;
        public_messages.push((
            kind.parse::<AuthorKind>().map_err(internal)?,
            r.try_get("created_at")?,
        ));
    }
    Ok(TicketFacts {
        created_at: t.created_at,
        status: t.status,
        priority: t.priority,
        status_changes,
        public_messages,
        first_response_at: t.first_response_at,
        solved_at: t.solved_at,
        closed_at: t.closed_at,
    })
}

/// A ticket's SLA as read at an instant: its policy, calendar and clocks.
pub struct Evaluation {
    pub ticket: TicketRow,
    pub policy: Policy,
    pub calendar: Calendar,
    pub business: BusinessCalendar,
    pub clocks: Vec<PlannedClock>,
}

/// Reads a ticket's clocks at `now` from its history under the policy that applies now.
pub async fn evaluate(
    conn: &mut AnyConnection,
    ticket_id: i64,
    now: Millis,
) -> AppResult<Option<Evaluation>> {
    let settings = Settings::load(conn).await?;
    evaluate_with(conn, &settings, ticket_id, now).await
}

/// `evaluate` with settings already read.
pub async fn evaluate_with(
    conn: &mut AnyConnection,
    settings: &Settings,
    ticket_id: i64,
    now: Millis,
) -> AppResult<Option<Evaluation>> {
    let ticket = ticket_row(conn, ticket_id).await?;
    let Some(policy) = settings.select(conn, &ticket, now).await?.cloned() else {
        return Ok(None);
    };
    let (calendar, business) = settings
        .calendars
        .get(&policy.calendar_id)
        .cloned()
        .ok_or_else(|| internal("policy without its calendar"))?;
    let facts = facts(conn, &ticket).await?;
    let clocks = plan::plan(
        &facts,
        &policy.targets_for(ticket.priority),
        policy.warning_fraction(),
        &business,
        now,
    );
    Ok(Some(Evaluation {
        ticket,
        policy,
        calendar,
        business,
        clocks,
    }))
}

/// Rewrites a ticket's `ticket_sla` rows from its history. Call it in the transaction of every
/// change to the ticket (created, replied, status, priority, team) and after escalations. Clocks
/// already met stay when a policy no longer applies; unmet ones go.
pub async fn refresh(conn: &mut AnyConnection, ticket_id: i64, now: Millis) -> AppResult<()> {
    let settings = Settings::load(conn).await?;
    refresh_with(conn, &settings, ticket_id, now).await
}

/// `refresh` with settings already read (the sweeper reads them once per batch).
pub async fn refresh_with(
    conn: &mut AnyConnection,
    settings: &Settings,
    ticket_id: i64,
    now: Millis,
) -> AppResult<()> {
    let Some(eval) = evaluate_with(conn, settings, ticket_id, now).await? else {
        sqlx::query("DELETE FROM ticket_sla WHERE ticket_id = $1 AND met_at IS NULL")
            .bind(ticket_id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    let fired_rows =
        sqlx::query("SELECT metric, cycle, stage FROM sla_escalation WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut fired: HashSet<(String, i64, String)> = HashSet::new();
    for r in &fired_rows {
        fired.insert((
            r.try_get("metric")?,
            r.try_get("cycle")?,
            r.try_get("stage")?,
        ));
    }
    let is_fired = |c: &PlannedClock, stage: &str| {
        fired.contains(&(c.metric.as_str().to_string(), c.cycle, stage.to_string()))
    };
    for c in &eval.clocks {
        let next_fire_at = if c.met_at.is_some() {
            None
        } else if !is_fired(c, "warning") && c.reading.warning_at.is_some() {
            c.reading.warning_at
        } else if !is_fired(c, "breach") {
            c.reading.due_at
        } else {
            None
        };
        sqlx::query(
            "INSERT INTO ticket_sla (ticket_id, metric, cycle, sla_policy_id, target_ms, started_at, due_at,
                warn_at, met_at, breached_at, paused, state, next_fire_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (ticket_id, metric, cycle) DO UPDATE SET sla_policy_id = excluded.sla_policy_id,
                target_ms = excluded.target_ms, started_at = excluded.started_at, due_at = excluded.due_at,
                warn_at = excluded.warn_at, met_at = excluded.met_at, breached_at = excluded.breached_at,
                paused = excluded.paused, state = excluded.state, next_fire_at = excluded.next_fire_at,
                updated_at = excluded.updated_at",
        )
        .bind(ticket_id)
        .bind(c.metric.as_str())
        .bind(c.cycle)
        .bind(eval.policy.id)
        .bind(c.target_ms)
        .bind(c.started_at)
        .bind(c.reading.due_at)
        .bind(c.reading.warning_at)
        .bind(c.met_at)
        .bind(c.breached_at())
        .bind(i64::from(c.reading.state == super::SlaState::Paused))
        .bind(c.reading.state.as_str())
        .bind(next_fire_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    // Unmet clocks the plan no longer has (a policy or target went away) were not rewritten
    // just now.
    sqlx::query(
        "DELETE FROM ticket_sla WHERE ticket_id = $1 AND met_at IS NULL AND updated_at <> $2",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Refreshes every active ticket (after a policy or calendar changed), in small transactions.
pub async fn refresh_active(db: &crate::db::Db, now: Millis) -> AppResult<usize> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT ticket_id FROM ticket WHERE status IN ('new','open','pending') ORDER BY ticket_id",
    )
    .fetch_all(&db.pool)
    .await?;
    for chunk in ids.chunks(100) {
        let mut tx = db.begin().await?;
        let settings = Settings::load(&mut tx).await?;
        for id in chunk {
            crate::tickets::repo::lock_ticket(&mut tx, *id).await?;
            refresh_with(&mut tx, &settings, *id, now).await?;
        }
        tx.commit().await?;
    }
    Ok(ids.len())
}

// ---------------------------------------------------------------------------------------------
// A ticket's clocks as people see them

/// One clock as the API and the ticket page show it.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct ClockView {
    pub metric: plan::Metric,
    pub cycle: i64,
    pub state: super::SlaState,
    pub started_at: i64,
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    pub met_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub remaining_business_ms: i64,
    pub elapsed_business_ms: i64,
}

/// An escalation stage that fired for a ticket.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Escalated {
    pub metric: String,
    pub cycle: i64,
    pub stage: String,
    pub scheduled_at: i64,
    pub fired_at: i64,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct TicketSla {
    pub policy: Option<Value>,
    pub clocks: Vec<ClockView>,
    pub escalations: Vec<Escalated>,
}

/// A ticket's clocks read live at `now` (only the latest next-response cycle and unmet or
/// recent clocks are interesting to people; all are returned).
pub async fn ticket_sla(db: &crate::db::Db, ticket_id: i64, now: Millis) -> AppResult<TicketSla> {
    let mut conn = db.pool.acquire().await?;
    let eval = evaluate(&mut conn, ticket_id, now).await?;
    let rows = sqlx::query(
        "SELECT metric, cycle, stage, scheduled_at, fired_at FROM sla_escalation WHERE ticket_id = $1
         ORDER BY sla_escalation_id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut escalations = Vec::with_capacity(rows.len());
    for r in &rows {
        escalations.push(Escalated {
            metric: r.try_get("metric")?,
            cycle: r.try_get("cycle")?,
            stage: r.try_get("stage")?,
            scheduled_at: r.try_get("scheduled_at")?,
            fired_at: r.try_get("fired_at")?,
        });
    }
    let Some(eval) = eval else {
        return Ok(TicketSla {
            policy: None,
            clocks: Vec::new(),
            escalations,
        });
    };
    let clocks = eval
        .clocks
        .iter()
        .map(|c| ClockView {
            metric: c.metric,
            cycle: c.cycle,
            state: c.reading.state,
            started_at: c.started_at,
            due_at: c.reading.due_at,
            warn_at: c.reading.warning_at,
            met_at: c.met_at,
            breached_at: c.breached_at(),
            remaining_business_ms: c.reading.remaining_business_ms,
            elapsed_business_ms: c.reading.elapsed_business_ms,
        })
        .collect();
    Ok(TicketSla {
        policy: Some(
            serde_json::json!({"id": eval.policy.id, "name": eval.policy.name, "calendar": eval.calendar.name}),
        ),
        clocks,
        escalations,
    })
}

/// The earliest unmet SLA due time of each of `ids` (for queue pages).
pub async fn due_times(db: &crate::db::Db, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::default();
    let list = sql.params(ids.iter().copied());
    sql.push(&format!(
        "SELECT ticket_id, MIN(due_at) AS due_at FROM ticket_sla
         WHERE met_at IS NULL AND due_at IS NOT NULL AND ticket_id IN ({list}) GROUP BY ticket_id"
    ));
    Ok(sql
        .query_as::<(i64, i64)>()
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .collect())
}

/// The lead of a team, if it has one.
pub async fn team_lead(conn: &mut AnyConnection, team_id: Option<i64>) -> AppResult<Option<i64>> {
    let Some(team_id) = team_id else {
        return Ok(None);
    };
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT lead_agent_id FROM team WHERE team_id = $1")
            .bind(team_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
    )
}

/// Whether a weekday name is known (for forms).
pub fn weekday_of(name: &str) -> Option<Weekday> {
    DAYS.iter()
        .position(|d| *d == name)
        .and_then(|i| Weekday::try_from(i as u8).ok())
}

/// Demo data: office hours and around-the-clock calendars and two policies, so `serve --demo`
/// shows clocks. Does nothing when a calendar exists.
pub async fn load_demo(db: &crate::db::Db, now: Millis) -> AppResult<()> {
    let mut conn = db.pool.acquire().await?;
    if !list_calendars(&mut conn).await?.is_empty() {
        return Ok(());
    }
    drop(conn);
    let week = |w: &str, days: &[&str]| -> BTreeMap<String, Vec<Value>> {
        days.iter()
            .map(|d| (d.to_string(), vec![Value::String(w.into())]))
            .collect()
    };
    let mut tx = db.begin().await?;
    let office = save_calendar(
        &mut tx,
        None,
        &CalendarInput {
            name: Some("Office hours".into()),
            time_zone: Some("Europe/Berlin".into()),
            hours: Some(week("09:00-17:00", &DAYS[..5])),
            holidays: Some(vec![
                "2026-12-24".into(),
                "2026-12-25".into(),
                "2026-12-26".into(),
            ]),
        },
        now,
    )
    .await?;
    let always = save_calendar(
        &mut tx,
        None,
        &CalendarInput {
            name: Some("Around the clock".into()),
            time_zone: Some("UTC".into()),
            hours: Some(week("00:00-24:00", &DAYS)),
            holidays: None,
        },
        now,
    )
    .await?;
    let t = |f: i64, n: i64, r: i64| TargetMinutes {
        first_response_minutes: Some(f),
        next_response_minutes: Some(n),
        resolution_minutes: Some(r),
    };
    let urgent = PolicyInput {
        name: Some("Urgent, around the clock".into()),
        calendar_id: Some(always),
        position: Some(10),
        match_priority: Some("urgent".into()),
        targets: Some([("urgent".to_string(), t(30, 60, 8 * 60))].into()),
        ..Default::default()
    };
    save_policy(&mut tx, None, &urgent, now).await?;
    let standard = PolicyInput {
        name: Some("Standard".into()),
        calendar_id: Some(office),
        position: Some(100),
        targets: Some(
            [
                ("low".to_string(), t(8 * 60, 8 * 60, 5 * 8 * 60)),
                ("normal".to_string(), t(4 * 60, 4 * 60, 3 * 8 * 60)),
                ("high".to_string(), t(60, 2 * 60, 8 * 60)),
                ("urgent".to_string(), t(30, 60, 4 * 60)),
            ]
            .into(),
        ),
        ..Default::default()
    };
    save_policy(&mut tx, None, &standard, now).await?;
    tx.commit().await?;
    Ok(())
}
