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
            t!("reports-error-too-long", max = MAX_COMMENT_CHARS),
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
        return Err(AppError::Conflict(t!("reports-rate-error-not-solved")));
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
    let csat = crate::webhooks::CsatData {
        rating: rating.as_str(),
        comment: comment.as_deref(),
    };
    crate::webhooks::on_csat(&mut tx, ticket_id, csat, now).await?;
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

/// The `ticket.solved` job: asks the customer for a rating when mail is configured.
pub async fn on_solved(
    state: &crate::state::AppState,
    job_id: i64,
    worker: &str,
    ticket_id: i64,
) -> anyhow::Result<()> {
    let now = state.clock.now_ms();
    if let Some(mailer) = &state.mailer
        && crate::outbox::renew_lease(&state.db, job_id, worker, now, state.config.outbox_lease_ms)
            .await?
    {
        request_rating(state, mailer, ticket_id, now).await?;
    }
    crate::outbox::finish(state.db.begin().await?, job_id, now).await
}

/// Mails the customer of a just-solved ticket a rating request (two links through a new
/// private link), at most once per ticket. Nothing is sent when the ticket was reopened meanwhile
/// or the customer has no email address. A temporary SMTP failure is retried by the outbox job.
pub async fn request_rating(
    state: &crate::state::AppState,
    mailer: &crate::notify::Mailer,
    ticket_id: i64,
    now: Millis,
) -> anyhow::Result<()> {
    use crate::notify::SendError;
    let db = &state.db;
    let Some(target) = crate::notify::notice_target(db, ticket_id)
        .await?
        .filter(|t| t.status == "solved")
    else {
        return Ok(());
    };
    let subject = &target.subject;
    let mut tx = db.begin().await?;
    let claimed = sqlx::query(
        "INSERT INTO csat_request (ticket_id, sent_at) VALUES ($1, $2) ON CONFLICT (ticket_id) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(());
    }
    let token = crate::tickets::links::issue(&mut tx, ticket_id, now).await?;
    tx.commit().await?;
    let base = format!("{}/t/{token}/rate", state.config.base_url);
    let (good, bad) = (format!("{base}?r=good"), format!("{base}?r=bad"));
    let locale = target.locale;
    let (ask, good_label, bad_label, hint) = crate::i18n::with(locale, || {
        (
            t!(
                "mail-csat-ask",
                ticket = ticket_id,
                subject = subject.as_str()
            ),
            t!("mail-csat-good"),
            t!("mail-csat-bad"),
            t!("mail-csat-hint"),
        )
    });
    let text = format!("{ask}\n\n{good_label}: {good}\n{bad_label}: {bad}\n\n{hint}");
    let html = maud::html! {
        div dir=(locale.dir()) lang=(locale.tag()) {
            p { (ask) }
            p { a href=(good) { "👍 " (good_label) } " · " a href=(bad) { "👎 " (bad_label) } }
            p style="color:#687085;font-size:13px" { (hint) }
        }
    }
    .into_string();
    match mailer
        .send_notice(&target.notice(ticket_id, &text, &html))
        .await
    {
        Ok(()) => Ok(()),
        Err(SendError::Permanent(e)) => {
            tracing::warn!(ticket_id, error = %e, "rating request could not be delivered");
            Ok(())
        }
        Err(SendError::Transient(e)) => {
            // Let the retry send it.
            sqlx::query("DELETE FROM csat_request WHERE ticket_id = $1")
                .bind(ticket_id)
                .execute(&db.pool)
                .await?;
            anyhow::bail!("SMTP temporarily failed: {e}")
        }
    }
}
