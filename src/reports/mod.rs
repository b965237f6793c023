//! Leadership reports: response and resolution times, backlog, top issues, CSAT, churn and
//! retention, agent performance and SLA compliance over a period. Each report is a [`Table`]
//! that the dashboard draws, the API returns as JSON and every page offers as CSV. Definitions
//! are in `docs/reports.md`.

pub mod business;
pub mod csat;
pub mod facts;
pub mod metrics;
pub mod stats;
pub mod svg;

use crate::auth::AgentRef;
use crate::domain::Role;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use crate::sla::BusinessCalendar;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
pub use stats::Interval;

/// The reports the API and the CSV links know, with a title each.
pub const REPORTS: &[(&str, &str)] = &[
    ("summary", "Headline numbers"),
    ("response-times", "First response and resolution times"),
    ("volume", "Created vs solved, and open backlog"),
    ("backlog-age", "Open tickets by age now"),
    ("resolution-distribution", "Resolution time distribution"),
    ("top-tags", "Top tags"),
    ("top-terms", "Top subject terms"),
    ("csat", "Customer satisfaction"),
    ("agents", "Agent performance"),
    ("churn", "Churn and retention by support experience"),
    (
        "churn-ltv",
        "Lifetime value of churned vs retained customers",
    ),
    ("churn-customers", "Customers behind the churn numbers"),
    ("sla", "SLA compliance"),
    ("sla-trend", "SLA compliance over time"),
    ("sla-breaches", "SLA breaches"),
    ("tickets", "Tickets behind a tag or term"),
];

pub fn title(name: &str) -> Option<&'static str> {
    REPORTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A column's heading for people (pages and CSV downloads), in the current language; the
/// English heading is the column's name, which the API's JSON keys also use.
pub fn column_label(column: &str) -> String {
    match column {
        "metric" => t!("reports-col-metric"),
        "value" => t!("reports-col-value"),
        "previous" => t!("reports-col-previous"),
        "change_pct" => t!("reports-col-change-pct"),
        "bucket" => t!("reports-col-bucket"),
        "created" => t!("reports-col-created"),
        "solved" => t!("reports-col-solved"),
        "open_at_end" => t!("reports-col-open-at-end"),
        "status" => t!("reports-col-status"),
        "age" => t!("reports-col-age"),
        "tickets" => t!("reports-col-tickets"),
        "tag" => t!("reports-col-tag"),
        "term" => t!("reports-col-term"),
        "ticket_id" => t!("reports-col-ticket-id"),
        "subject" => t!("reports-col-subject"),
        "created_at" => t!("reports-col-created-at"),
        "link" => t!("reports-col-link"),
        "by" => t!("reports-col-by"),
        "group" => t!("reports-col-group"),
        "ratings" => t!("reports-col-ratings"),
        "good" => t!("reports-col-good"),
        "bad" => t!("reports-col-bad"),
        "csat_pct" => t!("reports-col-csat-pct"),
        "median_h" => t!("reports-col-median-h"),
        "p90_h" => t!("reports-col-p90-h"),
        "mean_h" => t!("reports-col-mean-h"),
        "business_median_h" => t!("reports-col-business-median-h"),
        "business_p90_h" => t!("reports-col-business-p90-h"),
        "business_mean_h" => t!("reports-col-business-mean-h"),
        "agent_id" => t!("reports-col-agent-id"),
        "agent" => t!("reports-col-agent"),
        "median_resolution_h" => t!("reports-col-median-resolution-h"),
        "csat_ratings" => t!("reports-col-csat-ratings"),
        "open_load" => t!("reports-col-open-load"),
        "customers" => t!("reports-col-customers"),
        "churned" => t!("reports-col-churned"),
        "retained" => t!("reports-col-retained"),
        "churn_rate_pct" => t!("reports-col-churn-rate-pct"),
        "retention_rate_pct" => t!("reports-col-retention-rate-pct"),
        "outcome" => t!("reports-col-outcome"),
        "currency" => t!("reports-col-currency"),
        "total_ltv" => t!("reports-col-total-ltv"),
        "average_ltv" => t!("reports-col-average-ltv"),
        "customer_id" => t!("reports-col-customer-id"),
        "customer" => t!("reports-col-customer"),
        "breached_ticket" => t!("reports-col-breached-ticket"),
        "slow_resolution" => t!("reports-col-slow-resolution"),
        "bad_csat" => t!("reports-col-bad-csat"),
        "due" => t!("reports-col-due"),
        "met" => t!("reports-col-met"),
        "breached" => t!("reports-col-breached"),
        "pending" => t!("reports-col-pending"),
        "compliance_pct" => t!("reports-col-compliance-pct"),
        "due_at" => t!("reports-col-due-at"),
        "breached_at" => t!("reports-col-breached-at"),
        "team" => t!("reports-col-team"),
        "assignee" => t!("reports-col-assignee"),
        other => other.to_string(),
    }
}

/// A report's title in the current language.
pub fn title_text(name: &str) -> String {
    match name {
        "summary" => t!("reports-name-summary"),
        "response-times" => t!("reports-name-response-times"),
        "volume" => t!("reports-name-volume"),
        "backlog-age" => t!("reports-name-backlog-age"),
        "resolution-distribution" => t!("reports-name-resolution-distribution"),
        "top-tags" => t!("reports-name-top-tags"),
        "top-terms" => t!("reports-name-top-terms"),
        "csat" => t!("reports-name-csat"),
        "agents" => t!("reports-name-agents"),
        "churn" => t!("reports-name-churn"),
        "churn-ltv" => t!("reports-name-churn-ltv"),
        "churn-customers" => t!("reports-name-churn-customers"),
        "sla" => t!("reports-name-sla"),
        "sla-trend" => t!("reports-name-sla-trend"),
        "sla-breaches" => t!("reports-name-sla-breaches"),
        "tickets" => t!("reports-name-tickets"),
        other => title(other).unwrap_or(other).to_string(),
    }
}

/// The business calendar reports count business hours in: Monday to Friday, 09:00–17:00, in the
/// configured report time zone (`CASEBOOK_REPORT_TIME_ZONE`).
pub fn calendar(state: &AppState) -> BusinessCalendar {
    calendar_in(&state.config.report_time_zone)
}

pub fn calendar_in(time_zone: &str) -> BusinessCalendar {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("valid time");
    let five = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
    let day = Some((nine, five));
    let hours = [day, day, day, day, day, None, None];
    BusinessCalendar::new(time_zone, hours, [])
        .or_else(|_| BusinessCalendar::new("UTC", hours, []))
        .expect("the default calendar is valid")
}

/// How duration reports are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    All,
    Team,
    Agent,
    Channel,
    Priority,
    Segment,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::All,
        Dimension::Team,
        Dimension::Agent,
        Dimension::Channel,
        Dimension::Priority,
        Dimension::Segment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::All => "all",
            Dimension::Team => "team",
            Dimension::Agent => "agent",
            Dimension::Channel => "channel",
            Dimension::Priority => "priority",
            Dimension::Segment => "segment",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// Query parameters as they arrive (`?from=&to=&team=&by=&interval=&tag=&term=`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawParams {
    /// Start of the period: `YYYY-MM-DD` or RFC 3339 (default: 30 days ago).
    pub from: Option<String>,
    /// End of the period (default: now).
    pub to: Option<String>,
    /// A team id.
    #[param(value_type = Option<i64>)]
    pub team: Option<String>,
    /// Break down by `all`, `team`, `agent`, `channel`, `priority` or `segment`.
    #[param(value_type = Option<Dimension>)]
    pub by: Option<String>,
    /// `day`, `week` or `month`.
    #[param(pattern = "^(day|week|month)$")]
    pub interval: Option<String>,
    /// The tag (`tickets` report).
    pub tag: Option<String>,
    /// The subject term (`tickets` report).
    pub term: Option<String>,
}

/// A validated report request: the period `[from, to)` and filters.
#[derive(Debug, Clone)]
pub struct Params {
    pub from: Millis,
    pub to: Millis,
    pub team: Option<i64>,
    pub by: Dimension,
    pub interval: Interval,
    pub tag: Option<String>,
    pub term: Option<String>,
    pub tz: Tz,
    pub calendar: BusinessCalendar,
    /// Resolution slower than this counts as "slow" in the churn split.
    pub slow_hours: i64,
    /// The moment the report is made (for "open now" and "overdue").
    pub now: Millis,
}

pub const DEFAULT_DAYS: u64 = 30;
const MAX_DAYS: i64 = 1100;
const DAY_MS: i64 = 86_400_000;

impl Params {
    /// The period of the same length just before this one.
    pub fn previous(&self) -> Params {
        let len = self.to - self.from;
        Params {
            from: self.from - len,
            to: self.from,
            ..self.clone()
        }
    }
}

/// `YYYY-MM-DD` is a local date in the report zone (`to` includes its whole day); anything else
/// must be an RFC 3339 instant.
fn parse_instant(field: &str, raw: &str, tz: Tz, end: bool) -> AppResult<Millis> {
    let raw = raw.trim();
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let date = if end {
            date.succ_opt()
                .ok_or_else(|| AppError::field(field, t!("reports-error-out-of-range")))?
        } else {
            date
        };
        return Ok(stats::local_start(tz, date));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.timestamp_millis())
        .map_err(|_| AppError::field(field, t!("reports-error-date")))
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn parse_params(raw: &RawParams, time_zone: &str, now: Millis) -> AppResult<Params> {
    let calendar = calendar_in(time_zone);
    let tz = calendar.time_zone();
    let to = match present(&raw.to) {
        Some(s) => parse_instant("to", s, tz, true)?,
        None => stats::local_start(
            tz,
            stats::local_date(tz, now).succ_opt().unwrap_or_default(),
        ),
    };
    let from = match present(&raw.from) {
        Some(s) => parse_instant("from", s, tz, false)?,
        None => stats::local_start(
            tz,
            stats::local_date(tz, to - 1) - chrono::Days::new(DEFAULT_DAYS - 1),
        ),
    };
    if to <= from {
        return Err(AppError::field("to", t!("reports-error-to-after-from")));
    }
    if to - from > MAX_DAYS * DAY_MS {
        return Err(AppError::field(
            "to",
            t!("reports-error-period-too-long", days = MAX_DAYS),
        ));
    }
    let team = match present(&raw.team) {
        None | Some("all") => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::field("team", t!("reports-error-team")))?,
        ),
    };
    let by = match present(&raw.by) {
        None => Dimension::All,
        Some(s) => Dimension::parse(s).ok_or_else(|| {
            AppError::field(
                "by",
                t!(
                    "reports-error-by",
                    choices = "all, team, agent, channel, priority, segment"
                ),
            )
        })?,
    };
    let interval = match present(&raw.interval) {
        None if to - from > 62 * DAY_MS => Interval::Week,
        None => Interval::Day,
        Some("day") => Interval::Day,
        Some("week") => Interval::Week,
        Some(_) => return Err(AppError::field("interval", t!("reports-error-interval"))),
    };
    let text = |field: &str, v: &Option<String>| -> AppResult<Option<String>> {
        match present(v) {
            Some(s) if s.chars().count() > 100 => Err(AppError::field(
                field,
                t!("reports-error-too-long", max = 100),
            )),
            other => Ok(other.map(str::to_lowercase)),
        }
    };
    Ok(Params {
        from,
        to,
        team,
        by,
        interval,
        tag: text("tag", &raw.tag)?,
        term: text("term", &raw.term)?,
        tz,
        calendar,
        slow_hours: 72,
        now,
    })
}

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Int(i64),
    Num(f64),
    Text(String),
    Null,
}

impl Cell {
    pub fn num(v: Option<f64>) -> Cell {
        match v {
            Some(v) if v.is_finite() => Cell::Num(v),
            _ => Cell::Null,
        }
    }

    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// How the cell reads on a page and in CSV; empty for no value.
    pub fn display(&self) -> String {
        match self {
            Cell::Int(i) => i.to_string(),
            Cell::Num(n) => n.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Null => String::new(),
        }
    }
}

/// A report's result: named columns and rows; `note` explains missing data (e.g. no SLA data).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub note: Option<String>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            ..Table::default()
        }
    }

    /// The cell in `column` of `row`.
    pub fn get(&self, row: usize, column: &str) -> Option<&Cell> {
        let i = self.columns.iter().position(|c| *c == column)?;
        self.rows.get(row)?.get(i)
    }

    /// RFC 4180 CSV with a header row. Text that a spreadsheet would run as a formula is
    /// prefixed with `'`.
    pub fn to_csv(&self) -> String {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = out.write_record(self.columns.iter().map(|c| column_label(c)));
        for row in &self.rows {
            let _ = out.write_record(row.iter().map(|c| match c {
                Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
                    format!("'{s}")
                }
                other => other.display(),
            }));
        }
        let bytes = out.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// `{"report", "title", "from", "to", "team", "columns", "rows": [{column: value}], "note"}`.
    pub fn to_json(&self, name: &str, params: &Params) -> ReportJson {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                Value::Object(
                    self.columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| (c.to_string(), json!(v)))
                        .collect(),
                )
            })
            .collect();
        let iso = |ms: Millis| {
            DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339()
        };
        ReportJson {
            report: name.to_string(),
            title: title(name),
            from: iso(params.from),
            to: iso(params.to),
            team: params.team,
            columns: self.columns.clone(),
            rows,
            note: self.note.clone(),
        }
    }
}

/// A report as the API answers it in JSON: each row an object keyed by the column names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportJson {
    pub report: String,
    pub title: Option<&'static str>,
    /// RFC 3339.
    pub from: String,
    /// RFC 3339.
    pub to: String,
    pub team: Option<i64>,
    pub columns: Vec<&'static str>,
    /// One object per row: column name → number, text or `null`.
    pub rows: Vec<Value>,
    pub note: Option<String>,
}

/// Whether `viewer` may see every agent's numbers (leads and admins) or only their own.
pub fn sees_all_agents(viewer: &AgentRef) -> bool {
    matches!(viewer.role, Role::Lead | Role::Admin)
}

/// Runs report `name` for `viewer`. Agents see the team-wide reports but only their own row of
/// agent performance; an unknown name is a 404.
pub async fn run(
    state: &AppState,
    name: &str,
    params: &Params,
    viewer: &AgentRef,
) -> AppResult<Table> {
    let db = &state.db;
    match name {
        "summary" => metrics::summary(db, params).await,
        "response-times" => metrics::response_times(db, params).await,
        "volume" => metrics::volume(db, params).await,
        "backlog-age" => metrics::backlog_age(db, params).await,
        "resolution-distribution" => metrics::resolution_distribution(db, params).await,
        "top-tags" => metrics::top_tags(db, params).await,
        "top-terms" => metrics::top_terms(db, params).await,
        "csat" => metrics::csat(db, params).await,
        "agents" => {
            let only = (!sees_all_agents(viewer)).then_some(viewer.id);
            metrics::agents(db, params, only).await
        }
        "churn" => metrics::churn(db, params).await,
        "churn-ltv" => metrics::churn_ltv(db, params).await,
        "churn-customers" => metrics::churn_customers(db, params).await,
        "sla" => metrics::sla(db, params).await,
        "sla-trend" => metrics::sla_trend(db, params).await,
        "sla-breaches" => metrics::sla_breaches(db, params).await,
        "tickets" => metrics::tickets(db, params).await,
        _ => Err(AppError::NotFound("report")),
    }
}

/// Teams for the team filter: (id, name), by name.
pub async fn teams(db: &crate::db::Db) -> AppResult<Vec<(i64, String)>> {
    use sqlx::Row;
    sqlx::query("SELECT team_id, name FROM team ORDER BY name")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("name")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str) -> RawParams {
        RawParams {
            from: Some(from.into()),
            to: Some(to.into()),
            ..RawParams::default()
        }
    }

    #[test]
    fn periods_are_local_dates_with_to_included() {
        let p = parse_params(&raw("2024-05-01", "2024-05-31"), "Europe/Berlin", 0).unwrap();
        assert_eq!(
            p.from,
            DateTime::parse_from_rfc3339("2024-04-30T22:00:00Z")
                .unwrap()
                .timestamp_millis()
        );
        assert_eq!(p.to - p.from, 31 * DAY_MS);
        assert_eq!(p.previous().to, p.from);
        assert_eq!(p.interval, Interval::Day);
        let p = parse_params(&raw("2024-01-01T00:00:00Z", "2024-12-31"), "UTC", 0).unwrap();
        assert_eq!(p.interval, Interval::Week);
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let field = |r: RawParams| match parse_params(&r, "UTC", 0) {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(field(raw("yesterday", "2024-01-01")), "from");
        assert_eq!(field(raw("2024-02-01", "2024-01-01")), "to");
        assert_eq!(field(raw("2020-01-01", "2024-01-01")), "to");
        let mut r = raw("2024-01-01", "2024-01-31");
        r.team = Some("x".into());
        assert_eq!(field(r.clone()), "team");
        r.team = None;
        r.by = Some("colour".into());
        assert_eq!(field(r.clone()), "by");
        r.by = None;
        r.interval = Some("hour".into());
        assert_eq!(field(r), "interval");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut t = Table::new(&["name", "n", "rate"]);
        t.rows
            .push(vec![Cell::text("a, \"b\""), Cell::Int(3), Cell::Null]);
        t.rows.push(vec![
            Cell::text("=HYPERLINK(1)"),
            Cell::Int(-1),
            Cell::Num(2.5),
        ]);
        assert_eq!(
            t.to_csv(),
            "name,n,rate\r\n\"a, \"\"b\"\"\",3,\r\n'=HYPERLINK(1),-1,2.5\r\n"
        );
    }
}
