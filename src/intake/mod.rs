//! The one intake path. Every channel (web form, API, email) turns its input into a `NewInbound`
//! and calls `receive`: dedupe by idempotency key, match or create the customer, create a ticket
//! or thread onto an existing one, store attachments, and write outbox jobs — in one transaction.

use crate::auth::{digest, new_secret};
use crate::customers;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Channel, CustomerMessageEffect, EmailAddress, Priority, Status};
use crate::error::{AppError, AppResult};
use crate::outbox;
use crate::tickets::{self, Actor, EventRecord};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Identifies one submission so that a retry creates nothing new.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// Who issued the key: `web`, `api:<agent id>`, `email`.
    pub scope: String,
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct NewInbound {
    pub channel: Channel,
    pub from_email: EmailAddress,
    pub from_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub idempotency: Option<IdempotencyKey>,
    /// Thread onto this ticket (e.g. a customer writing through their private link).
    pub ticket_id: Option<i64>,
    pub priority: Option<Priority>,
    /// Issue a private status link for the customer and return it once.
    pub issue_link: bool,
}

#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub ticket_id: i64,
    pub message_id: i64,
    pub created_ticket: bool,
    /// The submission had been received before; nothing new was created.
    pub duplicate: bool,
    /// The customer's private link token, when one was issued (shown once).
    pub link_token: Option<String>,
}

pub const MAX_ATTACHMENTS: usize = 20;

/// Receives one inbound message through the one path.
#[tracing::instrument(skip_all, fields(channel = %inbound.channel, ticket_id))]
pub async fn receive(db: &Db, inbound: &NewInbound, now: Millis) -> AppResult<IntakeOutcome> {
    let subject = tickets::validate_subject(&inbound.subject)?;
    let body = tickets::validate_body("message", &inbound.body_text)?;
    if inbound.attachments.len() > MAX_ATTACHMENTS {
        return Err(AppError::field(
            "attachment",
            format!("at most {MAX_ATTACHMENTS} files"),
        ));
    }
    // A concurrent duplicate on PostgreSQL loses the race on the idempotency key's primary key;
    // the second attempt then finds the first one's ticket.
    for attempt in 0..2 {
        match receive_once(db, inbound, &subject, &body, now).await {
            Err(AppError::Conflict(_)) if attempt == 0 && inbound.idempotency.is_some() => continue,
            other => {
                if let Ok(o) = &other {
                    tracing::Span::current().record("ticket_id", o.ticket_id);
                }
                return other;
            }
        }
    }
    Err(AppError::Conflict(
        "the same submission is being processed".into(),
    ))
}

async fn receive_once(
    db: &Db,
    inbound: &NewInbound,
    subject: &str,
    body: &str,
    now: Millis,
) -> AppResult<IntakeOutcome> {
    let mut tx = db.begin().await?;
    if let Some(k) = &inbound.idempotency {
        let seen = sqlx::query(
            "SELECT ticket_id, message_id FROM inbound_key WHERE scope = $1 AND idem_key = $2",
        )
        .bind(&k.scope)
        .bind(&k.key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = seen {
            let ticket_id: i64 = row.try_get("ticket_id")?;
            let link_token = if inbound.issue_link {
                Some(issue_link(&mut tx, ticket_id, now).await?)
            } else {
                None
            };
            tx.commit().await?;
            return Ok(IntakeOutcome {
                ticket_id,
                message_id: row.try_get("message_id")?,
                created_ticket: false,
                duplicate: true,
                link_token,
            });
        }
    }

    let customer_id = customers::match_or_create(
        &mut tx,
        &inbound.from_email,
        inbound.from_name.as_deref(),
        now,
    )
    .await?;

    let mut follow_up_of = None;
    let existing = match inbound.ticket_id {
        Some(id) => {
            let t = tickets::repo::get_ticket_tx(&mut tx, id).await?;
            if t.customer_id != customer_id {
                return Err(AppError::Forbidden(
                    "this ticket belongs to another customer".into(),
                ));
            }
            match t.status.on_customer_message() {
                CustomerMessageEffect::Stay => Some(id),
                CustomerMessageEffect::MoveTo(to) => {
                    tickets::set_status(&mut tx, Actor::Customer, id, t.status, to, now).await?;
                    Some(id)
                }
                CustomerMessageEffect::FollowUp => {
                    follow_up_of = Some(id);
                    None
                }
            }
        }
        None => None,
    };

    let (ticket_id, created_ticket) = match existing {
        Some(id) => {
            sqlx::query("UPDATE ticket SET updated_at = $1 WHERE ticket_id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (id, false)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ticket (subject, status, priority, channel, customer_id, follow_up_of_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ticket_id",
            )
            .bind(subject)
            .bind(Status::New.as_str())
            .bind(inbound.priority.unwrap_or(Priority::Normal).as_str())
            .bind(inbound.channel.as_str())
            .bind(customer_id)
            .bind(follow_up_of)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let detail = follow_up_of.map(|f| format!("follow-up of #{f}"));
            tickets::record_event(
                &mut tx,
                Actor::Customer,
                EventRecord {
                    ticket_id: id,
                    kind: "created",
                    old: None,
                    new: Some(inbound.channel.as_str()),
                    detail: detail.as_deref(),
                },
                now,
            )
            .await?;
            (id, true)
        }
    };

    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO message (ticket_id, author_kind, customer_id, visibility, body_text, body_html, created_at)
         VALUES ($1, 'customer', $2, 'public', $3, $4, $5) RETURNING message_id",
    )
    .bind(ticket_id)
    .bind(customer_id)
    .bind(body)
    .bind(inbound.body_html.as_deref())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;

    for a in &inbound.attachments {
        sqlx::query(
            "INSERT INTO attachment (message_id, filename, content_type, size_bytes, sha256, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(message_id)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.content.len() as i64)
        .bind(hex::encode(Sha256::digest(&a.content)))
        .bind(&a.content)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }

    if let Some(k) = &inbound.idempotency {
        sqlx::query("INSERT INTO inbound_key (scope, idem_key, ticket_id, message_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&k.scope)
            .bind(&k.key)
            .bind(ticket_id)
            .bind(message_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }

    let (kind, payload) = if created_ticket {
        (
            "ticket.created",
            json!({"ticket_id": ticket_id, "message_id": message_id}),
        )
    } else {
        (
            "message.received",
            json!({"ticket_id": ticket_id, "message_id": message_id}),
        )
    };
    outbox::enqueue(&mut tx, kind, &payload, now).await?;

    let link_token = if inbound.issue_link {
        Some(issue_link(&mut tx, ticket_id, now).await?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(IntakeOutcome {
        ticket_id,
        message_id,
        created_ticket,
        duplicate: false,
        link_token,
    })
}

/// Creates a private customer link for a ticket; returns the token (only its digest is stored).
pub async fn issue_link(tx: &mut Tx, ticket_id: i64, now: Millis) -> AppResult<String> {
    let token = new_secret();
    sqlx::query("INSERT INTO ticket_link (ticket_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(ticket_id)
        .bind(digest(&token))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(token)
}
