//! Customer satisfaction ratings: one good/bad rating (and an optional comment) per solved ticket,
//! given through the customer's private link. Rating again changes it. Each rating is also a
//! `csat` CRM event on the customer (source `casebook`, one external id per ticket), so the
//! customer profile and churn-risk reasons see it.

use crate::customers::crm::{self, CustomerRef, EventKind, NewEvent};
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde_json::{Map, Value, json};
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Good,
    Bad,
}

impl Rating {
    pub fn parse(s: &str) -> Option<Rating> {
        match s.trim() {
            "good" => Some(Rating::Good),
            "bad" => Some(Rating::Bad),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::Bad => "bad",
        }
    }

    /// The score on the CRM's 1–5 scale (a bad rating is a churn-risk reason there).
    fn score(self) -> i64 {
        match self {
            Rating::Good => 5,
            Rating::Bad => 1,
        }
    }
}

/// The rating a ticket has, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub rating: Rating,
    pub comment: Option<String>,
}

pub async fn current(db: &Db, ticket_id: i64) -> AppResult<Option<Given>> {
    let row = sqlx::query("SELECT rating, comment FROM csat_rating WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok(Given {
            rating: Rating::parse(&r.try_get::<String, _>("rating")?).unwrap_or(Rating::Bad),
            comment: r.try_get("comment")?,
        })
    })
    .transpose()
}

pub const MAX_COMMENT_CHARS: usize = 2000;

/// Records (or changes) the rating of a solved or closed ticket. `comment: None` keeps the
/// comment already given; `Some("")` removes it.
#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn rate(
    db: &Db,
    ticket_id: i64,
    rating: Rating,
    comment: Option<&str>,
    now: Millis,
) -> AppResult<()> {
    let comment = comment.map(str::trim);
    if let Some(c) = comment
        && c.chars().count() > MAX_COMMENT_CHARS
    {
        return Err(AppError::field(
            "comment",
            format!("is too long ({MAX_COMMENT_CHARS} characters at most)"),
        ));
    }
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT status, customer_id FROM ticket WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let status: String = row.try_get("status")?;
    let customer_id: i64 = row.try_get("customer_id")?;
    if !matches!(status.as_str(), "solved" | "closed") {
        return Err(AppError::Conflict(
            "this request is not solved yet; you can rate it once it is".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO csat_rating (ticket_id, customer_id, rating, comment, created_at, rated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (ticket_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at,
            comment = CASE WHEN $6 = 1 THEN excluded.comment ELSE csat_rating.comment END",
    )
    .bind(ticket_id)
    .bind(customer_id)
    .bind(rating.as_str())
    .bind(comment.filter(|c| !c.is_empty()))
    .bind(now)
    .bind(i64::from(comment.is_some()))
    .execute(&mut *tx)
    .await?;
    let comment: Option<String> =
        sqlx::query_scalar("SELECT comment FROM csat_rating WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let mut attributes = Map::new();
    attributes.insert("score".into(), json!(rating.score()));
    attributes.insert("rating".into(), json!(rating.as_str()));
    attributes.insert("ticket_id".into(), json!(ticket_id));
    if let Some(c) = comment {
        attributes.insert("comment".into(), Value::String(c));
    }
    let event = NewEvent {
        customer: Some(CustomerRef::Id(customer_id)),
        kind: EventKind::Csat,
        occurred_at: now,
        source: "casebook".into(),
        external_id: format!("csat-ticket-{ticket_id}"),
        amount: None,
        currency: None,
        attributes,
    };
    crm::upsert_events(db, &[event], None, false, now).await?;
    Ok(())
}
