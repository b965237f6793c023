//! Outbound webhooks: subscriptions to event kinds with a target URL and a secret; events recorded
//! in the transaction of the change that causes them, with one delivery per subscription queued
//! in the outbox (so none is lost); signed deliveries retried with backoff, in order per ticket
//! and subscription; a log of every attempt; manual redelivery; and automatic disabling of a
//! subscription whose receiver keeps failing, with a notice to admins.

pub mod send;

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use crate::outbox::{self, Job, MAX_ATTEMPTS};
use crate::state::AppState;
use crate::tickets::commands::FieldChange;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeSet;

/// Every event kind a subscription can ask for.
pub const EVENT_KINDS: &[&str] = &[
    "ticket.created",
    "ticket.updated",
    "ticket.solved",
    "ticket.reopened",
    "message.added",
    "sla.warning",
    "sla.breach",
    "csat.received",
    "customer.merged",
];

pub const MIN_SECRET_CHARS: usize = 16;
pub const MAX_SECRET_CHARS: usize = 200;
pub const MAX_NAME_CHARS: usize = 100;
/// Longest message text a `message.added` event carries.
const MAX_EVENT_BODY_CHARS: usize = 100_000;

// ---------------------------------------------------------------------------------------------
// Subscriptions

/// A subscription as admins and the API see it (the secret only as its last characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookSubscription)]
pub struct Subscription {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub allow_private: bool,
    /// Failed attempts in a row (0 after any success).
    pub consecutive_failures: i64,
    pub first_failure_at: Option<Millis>,
    pub disabled_at: Option<Millis>,
    /// `failing` (disabled automatically) or `admin` (by a person); none while active.
    pub disabled_reason: Option<String>,
    /// The secret's last four characters.
    pub secret_hint: String,
    /// Deliveries kept while the subscription was disabled; sent when it is enabled again.
    pub paused_deliveries: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What creating or changing a subscription gives; absent fields keep their value (on create:
/// `name` defaults to the URL's host, `secret` to a new random one, `active` to true).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WebhookInput)]
pub struct SubscriptionInput {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub allow_private: Option<bool>,
    pub active: Option<bool>,
}

const SUBSCRIPTION_COLUMNS: &str = "s.webhook_subscription_id, s.name, s.url, s.secret, s.events, s.active, s.allow_private,
    s.consecutive_failures, s.first_failure_at, s.disabled_at, s.disabled_reason, s.created_at, s.updated_at,
    (SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook_subscription_id = s.webhook_subscription_id
       AND d.status = 'paused') AS paused";

fn subscription_row(r: &sqlx::any::AnyRow) -> AppResult<Subscription> {
    let secret: String = r.try_get("secret")?;
    let events: String = r.try_get("events")?;
    let hint: String = {
        let chars: Vec<char> = secret.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    Ok(Subscription {
        id: r.try_get("webhook_subscription_id")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        events: split_events(&events),
        active: r.try_get::<i64, _>("active")? == 1,
        allow_private: r.try_get::<i64, _>("allow_private")? == 1,
        consecutive_failures: r.try_get("consecutive_failures")?,
        first_failure_at: r.try_get("first_failure_at")?,
        disabled_at: r.try_get("disabled_at")?,
        disabled_reason: r.try_get("disabled_reason")?,
        secret_hint: format!("…{hint}"),
        paused_deliveries: r.try_get("paused")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn split_events(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every subscription, oldest first.
pub async fn list(db: &Db) -> AppResult<Vec<Subscription>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscription s ORDER BY s.webhook_subscription_id"
    )))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(subscription_row).collect()
}

pub async fn get(db: &Db, id: i64) -> AppResult<Subscription> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscription s WHERE s.webhook_subscription_id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("webhook"))?;
    subscription_row(&row)
}

/// A checked URL (form and target) for a subscription.
async fn checked_url(raw: Option<&str>, allow_private: bool) -> AppResult<String> {
    checked_target_url("url", raw, allow_private).await
}

/// A checked URL (form and target) that Casebook will send to; errors name `field`.
pub(crate) async fn checked_target_url(
    field: &str,
    raw: Option<&str>,
    allow_private: bool,
) -> AppResult<String> {
    use send::TargetError;
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::field(field, t!("webhooks-error-url-missing")))?;
    let url = send::parse_url(raw).map_err(|e| {
        let message = match e {
            TargetError::Scheme => t!("webhooks-error-url-scheme"),
            TargetError::Credentials => t!("webhooks-error-url-credentials"),
            TargetError::TooLong => t!("webhooks-error-url-long", max = send::MAX_URL_CHARS),
            _ => t!("webhooks-error-url-invalid"),
        };
        AppError::field(field, message)
    })?;
    send::check_target(&url, allow_private)
        .await
        .map_err(|e| match e {
            TargetError::Internal { host, ip, kind } => AppError::field(
                "url",
                t!(
                    "webhooks-error-url-internal",
                    host = host,
                    address = ip.to_string(),
                    kind = kind
                ),
            ),
            TargetError::Unresolvable { host } => {
                AppError::field(field, t!("webhooks-error-url-unresolvable", host = host))
            }
            _ => AppError::field(field, t!("webhooks-error-url-invalid")),
        })?;
    Ok(url.to_string())
}

/// Known, distinct event kinds in the order of [`EVENT_KINDS`]; an unknown one is an error
/// naming `events[i]`.
fn checked_events(events: Option<&[String]>) -> AppResult<String> {
    let events = events.unwrap_or_default();
    let mut chosen = BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        let e = e.trim();
        if !EVENT_KINDS.contains(&e) {
            return Err(AppError::field(
                format!("events[{i}]"),
                t!(
                    "webhooks-error-event-unknown",
                    kind = e,
                    known = EVENT_KINDS.join(", ")
                ),
            ));
        }
        chosen.insert(e);
    }
    if chosen.is_empty() {
        return Err(AppError::field(
            "events",
            t!("webhooks-error-events-missing"),
        ));
    }
    Ok(EVENT_KINDS
        .iter()
        .filter(|k| chosen.contains(*k))
        .copied()
        .collect::<Vec<_>>()
        .join(","))
}

fn checked_secret(secret: &str) -> AppResult<String> {
    let n = secret.chars().count();
    if n < MIN_SECRET_CHARS {
        return Err(AppError::field(
            "secret",
            t!("webhooks-error-secret-short", min = MIN_SECRET_CHARS),
        ));
    }
    if n > MAX_SECRET_CHARS || secret.chars().any(char::is_control) {
        return Err(AppError::field(
            "secret",
            t!("webhooks-error-secret-long", max = MAX_SECRET_CHARS),
        ));
    }
    Ok(secret.to_string())
}

fn checked_name(name: Option<&str>, url: &str) -> AppResult<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let name = match name {
        Some(n) => n.to_string(),
        None => url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| url.to_string()),
    };
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::field(
            "name",
            t!("webhooks-error-name-long", max = MAX_NAME_CHARS),
        ));
    }
    Ok(name)
}

/// A new random secret (`whsec_` and 32 random bytes).
pub fn new_secret() -> String {
    format!("whsec_{}", crate::auth::random_token(32))
}

/// Creates a subscription; returns it with its secret (shown once).
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    input: &SubscriptionInput,
    agent_id: Option<i64>,
    now: Millis,
) -> AppResult<(Subscription, String)> {
    let allow_private = input.allow_private.unwrap_or(false);
    let url = checked_url(input.url.as_deref(), allow_private).await?;
    let events = checked_events(input.events.as_deref())?;
    let secret = match input.secret.as_deref().map(str::trim) {
        None | Some("") => new_secret(),
        Some(s) => checked_secret(s)?,
    };
    let name = checked_name(input.name.as_deref(), &url)?;
    let active = input.active.unwrap_or(true);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_subscription (name, url, secret, events, active, allow_private,
            disabled_at, disabled_reason, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING webhook_subscription_id",
    )
    .bind(&name)
    .bind(&url)
    .bind(&secret)
    .bind(&events)
    .bind(i64::from(active))
    .bind(i64::from(allow_private))
    .bind((!active).then_some(now))
    .bind((!active).then_some("admin"))
    .bind(agent_id)
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    tracing::info!(subscription_id = id, "webhook subscription created");
    Ok((get(db, id).await?, secret))
}

/// Changes a subscription. Enabling a disabled one resets its failure count and sends the
/// deliveries it kept meanwhile, oldest first; disabling keeps new deliveries for later.
#[tracing::instrument(skip_all, fields(subscription_id = id))]
pub async fn update(
    db: &Db,
    id: i64,
    input: &SubscriptionInput,
    now: Millis,
) -> AppResult<Subscription> {
    let current = get(db, id).await?;
    let allow_private = input.allow_private.unwrap_or(current.allow_private);
    let url = if input.url.is_some() || allow_private != current.allow_private {
        checked_url(
            Some(input.url.as_deref().unwrap_or(&current.url)),
            allow_private,
        )
        .await?
    } else {
        current.url.clone()
    };
    let events = match &input.events {
        Some(e) => checked_events(Some(e))?,
        None => current.events.join(","),
    };
    let secret = match input.secret.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(checked_secret(s)?),
    };
    let name = match &input.name {
        Some(n) => checked_name(Some(n), &url)?,
        None => current.name.clone(),
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE webhook_subscription SET name = $1, url = $2, events = $3, allow_private = $4,
            secret = COALESCE($5, secret), updated_at = $6 WHERE webhook_subscription_id = $7",
    )
    .bind(&name)
    .bind(&url)
    .bind(&events)
    .bind(i64::from(allow_private))
    .bind(secret)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    match input.active {
        Some(true) if !current.active => enable(&mut tx, id, now).await?,
        Some(false) if current.active => {
            sqlx::query(
                "UPDATE webhook_subscription SET active = 0, disabled_at = $1, disabled_reason = 'admin'
                 WHERE webhook_subscription_id = $2",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        _ => {}
    }
    tx.commit().await?;
    get(db, id).await
}

/// Enables subscription `id` again: a fresh failure count, and its kept deliveries queued.
async fn enable(tx: &mut Tx, id: i64, now: Millis) -> AppResult<()> {
    sqlx::query(
        "UPDATE webhook_subscription SET active = 1, consecutive_failures = 0, first_failure_at = NULL,
            disabled_at = NULL, disabled_reason = NULL WHERE webhook_subscription_id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let paused: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT webhook_delivery_id, ticket_id FROM webhook_delivery
         WHERE webhook_subscription_id = $1 AND status = 'paused' ORDER BY webhook_delivery_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for (delivery_id, ticket_id) in paused {
        queue(tx, id, delivery_id, ticket_id, false, now).await?;
    }
    Ok(())
}

/// Deletes a subscription with its deliveries and their log.
pub async fn delete(db: &Db, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let gone = sqlx::query("DELETE FROM webhook_subscription WHERE webhook_subscription_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound("webhook"));
    }
    // Events no delivery refers to any more.
    sqlx::query(
        "DELETE FROM webhook_event WHERE NOT EXISTS
           (SELECT 1 FROM webhook_delivery d WHERE d.webhook_event_id = webhook_event.webhook_event_id)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Events (written in the transaction of the change that causes them)

/// A subscription as the event writer needs it.
struct Subscriber {
    id: i64,
    events: Vec<String>,
    active: bool,
}

async fn subscribers(tx: &mut Tx) -> AppResult<Vec<Subscriber>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT webhook_subscription_id, events, active FROM webhook_subscription ORDER BY webhook_subscription_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, events, active)| Subscriber {
            id,
            events: split_events(&events),
            active: active == 1,
        })
        .collect())
}

fn wanted(subs: &[Subscriber], kind: &str) -> bool {
    subs.iter().any(|s| s.events.iter().any(|e| e == kind))
}

/// Records event `kind` with its `data` (JSON) and a delivery for each subscription that asked
/// for it: queued when the subscription is active, kept as `paused` when it is not.
async fn emit(
    tx: &mut Tx,
    subs: &[Subscriber],
    kind: &str,
    ticket_id: Option<i64>,
    data: &str,
    now: Millis,
) -> AppResult<()> {
    let targets: Vec<&Subscriber> = subs
        .iter()
        .filter(|s| s.events.iter().any(|e| e == kind))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_event (kind, ticket_id, data, occurred_at) VALUES ($1, $2, $3, $4)
         RETURNING webhook_event_id",
    )
    .bind(kind)
    .bind(ticket_id)
    .bind(data)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for s in targets {
        let delivery_id: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_delivery (delivery_uid, webhook_subscription_id, webhook_event_id, ticket_id,
                status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING webhook_delivery_id",
        )
        .bind(new_delivery_uid())
        .bind(s.id)
        .bind(event_id)
        .bind(ticket_id)
        .bind(if s.active { "pending" } else { "paused" })
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        if s.active {
            let job = Job::WebhookDeliver {
                delivery_id,
                subscription_id: s.id,
                ticket_id,
                manual: false,
            };
            outbox::enqueue(tx, &job, now).await?;
        }
    }
    Ok(())
}

/// Queues delivery `delivery_id` (again).
async fn queue(
    tx: &mut Tx,
    subscription_id: i64,
    delivery_id: i64,
    ticket_id: Option<i64>,
    manual: bool,
    now: Millis,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE webhook_delivery SET status = 'pending', next_attempt_at = NULL, updated_at = $1
         WHERE webhook_delivery_id = $2",
    )
    .bind(now)
    .bind(delivery_id)
    .execute(&mut **tx)
    .await?;
    let job = Job::WebhookDeliver {
        delivery_id,
        subscription_id,
        ticket_id,
        manual,
    };
    outbox::enqueue(tx, &job, now).await
}

/// A delivery's id as receivers see it: 128 random bits, hex.
fn new_delivery_uid() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// An instant as RFC 3339 UTC with milliseconds.
pub fn rfc3339(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The ticket in an event, as it was then.
#[derive(Debug, Clone, Serialize)]
pub struct TicketData {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub channel: String,
    pub customer_id: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub version: i64,
    pub merged_into_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub solved_at: Option<String>,
}

async fn ticket_data(tx: &mut Tx, ticket_id: i64) -> AppResult<TicketData> {
    let r = sqlx::query(
        "SELECT ticket_id, subject, status, priority, channel, customer_id, assignee_id, team_id, version,
            merged_into_id, created_at, updated_at, solved_at FROM ticket WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(TicketData {
        id: r.try_get("ticket_id")?,
        subject: r.try_get("subject")?,
        status: r.try_get("status")?,
        priority: r.try_get("priority")?,
        channel: r.try_get("channel")?,
        customer_id: r.try_get("customer_id")?,
        assignee_id: r.try_get("assignee_id")?,
        team_id: r.try_get("team_id")?,
        version: r.try_get("version")?,
        merged_into_id: r.try_get("merged_into_id")?,
        created_at: rfc3339(r.try_get("created_at")?),
        updated_at: rfc3339(r.try_get("updated_at")?),
        solved_at: r.try_get::<Option<i64>, _>("solved_at")?.map(rfc3339),
    })
}

/// A message in an event.
#[derive(Debug, Clone, Serialize)]
pub struct MessageData {
    pub id: i64,
    /// `customer`, `agent` or `system`.
    pub author_kind: String,
    pub agent_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// `public` or `internal`.
    pub visibility: String,
    pub body_text: String,
    pub created_at: String,
}

async fn message_data(tx: &mut Tx, message_id: i64) -> AppResult<Option<MessageData>> {
    let r = sqlx::query(
        "SELECT message_id, author_kind, agent_id, customer_id, visibility, body_text, created_at
         FROM message WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let body: String = r.try_get("body_text")?;
    Ok(Some(MessageData {
        id: r.try_get("message_id")?,
        author_kind: r.try_get("author_kind")?,
        agent_id: r.try_get("agent_id")?,
        customer_id: r.try_get("customer_id")?,
        visibility: r.try_get("visibility")?,
        body_text: body.chars().take(MAX_EVENT_BODY_CHARS).collect(),
        created_at: rfc3339(r.try_get("created_at")?),
    }))
}

/// Who made a change.
#[derive(Debug, Clone, Serialize)]
pub struct ActorData {
    /// `agent`, `customer` or `system`.
    pub kind: String,
    pub agent_id: Option<i64>,
}

/// The `data` of the ticket and message events.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeData<'a> {
    pub ticket: &'a TicketData,
    pub actor: &'a ActorData,
    pub changes: &'a [FieldChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a MessageData>,
}

/// A saved ticket change, for [`on_ticket_change`].
#[derive(Debug, Clone, Copy)]
pub struct TicketChange<'a> {
    pub ticket_id: i64,
    /// The change created the ticket.
    pub created: bool,
    pub actor_kind: &'a str,
    pub agent_id: Option<i64>,
    pub fields: &'a [FieldChange],
    pub now: Millis,
}

/// The events one ticket change raises, in the order they are sent: `ticket.created` for a new
/// ticket; else `message.added` for each message, `ticket.updated` when any other field changed,
/// then `ticket.solved` or `ticket.reopened` when the status moved so.
pub fn change_events(created: bool, fields: &[FieldChange]) -> Vec<(&'static str, Option<i64>)> {
    if created {
        return vec![("ticket.created", None)];
    }
    let mut out = Vec::new();
    for f in fields {
        if (f.field == "message" || f.field == "note")
            && let Some(id) = f.new.as_deref().and_then(|m| m.parse().ok())
        {
            out.push(("message.added", Some(id)));
        }
    }
    if fields
        .iter()
        .any(|f| f.field != "message" && f.field != "note")
    {
        out.push(("ticket.updated", None));
    }
    for f in fields.iter().filter(|f| f.field == "status") {
        let (old, new) = (f.old.as_deref(), f.new.as_deref());
        if new == Some("solved") {
            out.push(("ticket.solved", None));
        } else if matches!(old, Some("solved" | "closed"))
            && matches!(new, Some("new" | "open" | "pending"))
        {
            out.push(("ticket.reopened", None));
        }
    }
    out
}

/// Records the webhook events of a saved ticket change (from `Edit::save`, in its transaction).
pub async fn on_ticket_change(tx: &mut Tx, c: &TicketChange<'_>) -> AppResult<()> {
    let events = change_events(c.created, c.fields);
    if events.is_empty() {
        return Ok(());
    }
    let subs = subscribers(tx).await?;
    if !events.iter().any(|(kind, _)| wanted(&subs, kind)) {
        return Ok(());
    }
    let ticket = ticket_data(tx, c.ticket_id).await?;
    let actor = ActorData {
        kind: c.actor_kind.to_string(),
        agent_id: c.agent_id,
    };
    // A new ticket's event carries its first message.
    let first_message = match c.created {
        true => match c
            .fields
            .iter()
            .find(|f| f.field == "message" || f.field == "note")
            .and_then(|f| f.new.as_deref()?.parse::<i64>().ok())
        {
            Some(id) => message_data(tx, id).await?,
            None => None,
        },
        false => None,
    };
    for (kind, message_id) in events {
        if !wanted(&subs, kind) {
            continue;
        }
        let message = match message_id {
            Some(id) => message_data(tx, id).await?,
            None => first_message.clone(),
        };
        let data = ChangeData {
            ticket: &ticket,
            actor: &actor,
            changes: c.fields,
            message: message.as_ref(),
        };
        let data = serde_json::to_string(&data).map_err(anyhow::Error::from)?;
        emit(tx, &subs, kind, Some(c.ticket_id), &data, c.now).await?;
    }
    Ok(())
}

/// An SLA step in an event.
#[derive(Debug, Clone, Serialize)]
pub struct SlaData<'a> {
    /// `first_response`, `next_response` or `resolution`.
    pub metric: &'a str,
    /// When the warning or the breach was due.
    pub due_at: String,
}

#[derive(Debug, Clone, Serialize)]
struct SlaEvent<'a> {
    ticket: &'a TicketData,
    sla: SlaData<'a>,
}

/// Records `sla.warning` (`breached` false) or `sla.breach` for ticket `ticket_id`'s `metric`
/// (from the SLA sweep, in its transaction, before the breach's own changes are saved).
pub async fn on_sla_step(
    tx: &mut Tx,
    ticket_id: i64,
    breached: bool,
    metric: &str,
    due_at: Millis,
    now: Millis,
) -> AppResult<()> {
    let kind = if breached {
        "sla.breach"
    } else {
        "sla.warning"
    };
    let subs = subscribers(tx).await?;
    if !wanted(&subs, kind) {
        return Ok(());
    }
    let ticket = ticket_data(tx, ticket_id).await?;
    let data = SlaEvent {
        ticket: &ticket,
        sla: SlaData {
            metric,
            due_at: rfc3339(due_at),
        },
    };
    let data = serde_json::to_string(&data).map_err(anyhow::Error::from)?;
    emit(tx, &subs, kind, Some(ticket_id), &data, now).await
}

/// A rating in a `csat.received` event.
#[derive(Debug, Clone, Serialize)]
pub struct CsatData<'a> {
    /// `good` or `bad`.
    pub rating: &'a str,
    pub comment: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
struct CsatEvent<'a> {
    ticket: &'a TicketData,
    csat: CsatData<'a>,
}

/// Records `csat.received` (a rating given or changed; in the rating's transaction).
pub async fn on_csat(
    tx: &mut Tx,
    ticket_id: i64,
    csat: CsatData<'_>,
    now: Millis,
) -> AppResult<()> {
    let subs = subscribers(tx).await?;
    if !wanted(&subs, "csat.received") {
        return Ok(());
    }
    let ticket = ticket_data(tx, ticket_id).await?;
    let data = serde_json::to_string(&CsatEvent {
        ticket: &ticket,
        csat,
    })
    .map_err(anyhow::Error::from)?;
    emit(tx, &subs, "csat.received", Some(ticket_id), &data, now).await
}

/// A customer merge in a `customer.merged` event.
#[derive(Debug, Clone, Serialize)]
pub struct MergeData<'a> {
    pub merge_id: i64,
    pub into_customer_id: i64,
    pub from_customer_id: i64,
    pub agent_id: Option<i64>,
    pub moved: &'a crate::customers::merge::Moved,
}

#[derive(Debug, Clone, Serialize)]
struct MergeEvent<'a> {
    merge: MergeData<'a>,
}

/// Records `customer.merged` (in the merge's transaction).
pub async fn on_customer_merged(tx: &mut Tx, merge: MergeData<'_>, now: Millis) -> AppResult<()> {
    let subs = subscribers(tx).await?;
    if !wanted(&subs, "customer.merged") {
        return Ok(());
    }
    let data = serde_json::to_string(&MergeEvent { merge }).map_err(anyhow::Error::from)?;
    emit(tx, &subs, "customer.merged", None, &data, now).await
}

/// The body a delivery sends (the same on every attempt): the envelope around the event's data.
pub fn body(uid: &str, kind: &str, occurred_at: Millis, data: &str) -> String {
    let s = |v: &str| serde_json::Value::String(v.to_string()).to_string();
    format!(
        "{{\"id\":{},\"event\":{},\"occurred_at\":{},\"data\":{data}}}",
        s(uid),
        s(kind),
        s(&rfc3339(occurred_at))
    )
}

// ---------------------------------------------------------------------------------------------
// Deliveries: the log, redelivery

/// One delivery (an event to a subscription) in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookDelivery)]
pub struct Delivery {
    pub id: i64,
    /// Sent as `Casebook-Delivery` and as the body's `id`; the same on every attempt.
    pub uid: String,
    pub subscription_id: i64,
    pub event: String,
    pub ticket_id: Option<i64>,
    /// `pending`, `retrying`, `delivered`, `failed` (gave up) or `paused` (the subscription is
    /// disabled; sent when it is enabled again).
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub response_snippet: Option<String>,
    pub next_attempt_at: Option<Millis>,
    pub occurred_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub delivered_at: Option<Millis>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookAttempt)]
pub struct Attempt {
    pub id: i64,
    pub attempted_at: Millis,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub ok: bool,
    pub error: Option<String>,
    pub response_snippet: Option<String>,
    /// Started by a person's redelivery.
    pub manual: bool,
}

const DELIVERY_COLUMNS: &str =
    "d.webhook_delivery_id, d.delivery_uid, d.webhook_subscription_id, e.kind, d.ticket_id,
    d.status, d.attempts, d.last_status_code, d.last_latency_ms, d.last_error, d.response_snippet,
    d.next_attempt_at, e.occurred_at, d.created_at, d.updated_at, d.delivered_at";

fn delivery_row(r: &sqlx::any::AnyRow) -> AppResult<Delivery> {
    Ok(Delivery {
        id: r.try_get("webhook_delivery_id")?,
        uid: r.try_get("delivery_uid")?,
        subscription_id: r.try_get("webhook_subscription_id")?,
        event: r.try_get("kind")?,
        ticket_id: r.try_get("ticket_id")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_status_code: r.try_get("last_status_code")?,
        last_latency_ms: r.try_get("last_latency_ms")?,
        last_error: r.try_get("last_error")?,
        response_snippet: r.try_get("response_snippet")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        occurred_at: r.try_get("occurred_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

/// The delivery statuses a listing can be filtered by.
pub const DELIVERY_STATUSES: &[&str] = &["pending", "retrying", "delivered", "failed", "paused"];

/// A page of a subscription's deliveries, newest first: those before delivery `before` (the
/// previous page's last), of `status` when given.
pub async fn deliveries(
    db: &Db,
    subscription_id: i64,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    if let Some(s) = status
        && !DELIVERY_STATUSES.contains(&s)
    {
        return Err(AppError::field(
            "status",
            t!(
                "webhooks-error-status-unknown",
                known = DELIVERY_STATUSES.join(", ")
            ),
        ));
    }
    get(db, subscription_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_delivery d
         JOIN webhook_event e ON e.webhook_event_id = d.webhook_event_id
         WHERE d.webhook_subscription_id = $1 AND ($2 IS NULL OR d.status = $2)
           AND ($3 IS NULL OR d.webhook_delivery_id < $3)
         ORDER BY d.webhook_delivery_id DESC LIMIT $4"
    )))
    .bind(subscription_id)
    .bind(status)
    .bind(before)
    .bind(limit.clamp(1, 500))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(delivery_row).collect()
}

/// One delivery of subscription `subscription_id` with every attempt (oldest first) and the body
/// it sends.
pub async fn delivery(
    db: &Db,
    subscription_id: i64,
    delivery_id: i64,
) -> AppResult<(Delivery, Vec<Attempt>, String)> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS}, e.data FROM webhook_delivery d
         JOIN webhook_event e ON e.webhook_event_id = d.webhook_event_id
         WHERE d.webhook_delivery_id = $1 AND d.webhook_subscription_id = $2"
    )))
    .bind(delivery_id)
    .bind(subscription_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("delivery"))?;
    let d = delivery_row(&row)?;
    let data: String = row.try_get("data")?;
    let body = body(&d.uid, &d.event, d.occurred_at, &data);
    let rows = sqlx::query(
        "SELECT webhook_attempt_id, attempted_at, status_code, latency_ms, ok, error, response_snippet, manual
         FROM webhook_attempt WHERE webhook_delivery_id = $1 ORDER BY webhook_attempt_id",
    )
    .bind(delivery_id)
    .fetch_all(&db.pool)
    .await?;
    let attempts = rows
        .iter()
        .map(|r| {
            Ok(Attempt {
                id: r.try_get("webhook_attempt_id")?,
                attempted_at: r.try_get("attempted_at")?,
                status_code: r.try_get("status_code")?,
                latency_ms: r.try_get("latency_ms")?,
                ok: r.try_get::<i64, _>("ok")? == 1,
                error: r.try_get("error")?,
                response_snippet: r.try_get("response_snippet")?,
                manual: r.try_get::<i64, _>("manual")? == 1,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((d, attempts, body))
}

/// Sends a delivery again (same id, same body), through the outbox with the usual retries. A
/// delivery already waiting to be sent is a conflict. While the subscription is disabled the
/// redelivery gets one attempt and is kept as `paused` if it fails.
#[tracing::instrument(skip_all, fields(subscription_id, delivery_id))]
pub async fn redeliver(
    db: &Db,
    subscription_id: i64,
    delivery_id: i64,
    now: Millis,
) -> AppResult<Delivery> {
    let mut tx = db.begin().await?;
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT status, ticket_id FROM webhook_delivery
         WHERE webhook_delivery_id = $1 AND webhook_subscription_id = $2",
    )
    .bind(delivery_id)
    .bind(subscription_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (status, ticket_id) = row.ok_or(AppError::NotFound("delivery"))?;
    if matches!(status.as_str(), "pending" | "retrying") {
        return Err(AppError::Conflict(t!("webhooks-error-already-queued")));
    }
    queue(&mut tx, subscription_id, delivery_id, ticket_id, true, now).await?;
    tx.commit().await?;
    let (d, _, _) = delivery(db, subscription_id, delivery_id).await?;
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Sending (the webhook lane's job)

/// A claimed `webhook.deliver` job.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryJob<'a> {
    pub job_id: i64,
    /// This claim's attempt number (1 the first time).
    pub attempts: i64,
    pub worker: &'a str,
    pub delivery_id: i64,
    /// A person asked for this delivery again.
    pub manual: bool,
    /// When the lease of a job claimed just before runs out (none: unknown).
    pub leased_until: Option<Millis>,
}

/// What sending a delivery needs.
struct ToSend {
    uid: String,
    status: String,
    subscription_id: i64,
    name: String,
    url: String,
    secret: String,
    active: bool,
    allow_private: bool,
    kind: String,
    body: String,
}

async fn to_send(db: &Db, delivery_id: i64) -> anyhow::Result<Option<ToSend>> {
    let row = sqlx::query(
        "SELECT d.delivery_uid, d.status, s.webhook_subscription_id, s.name, s.url, s.secret, s.active,
            s.allow_private, e.kind, e.data, e.occurred_at
         FROM webhook_delivery d
         JOIN webhook_subscription s ON s.webhook_subscription_id = d.webhook_subscription_id
         JOIN webhook_event e ON e.webhook_event_id = d.webhook_event_id
         WHERE d.webhook_delivery_id = $1",
    )
    .bind(delivery_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let uid: String = r.try_get("delivery_uid")?;
    let kind: String = r.try_get("kind")?;
    let data: String = r.try_get("data")?;
    let body = body(&uid, &kind, r.try_get("occurred_at")?, &data);
    Ok(Some(ToSend {
        uid,
        status: r.try_get("status")?,
        subscription_id: r.try_get("webhook_subscription_id")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        active: r.try_get::<i64, _>("active")? == 1,
        allow_private: r.try_get::<i64, _>("allow_private")? == 1,
        kind,
        body,
    }))
}

/// Sends one delivery and records the attempt with the job's outcome in one transaction: done
/// when delivered, given up, or kept because the subscription is (or just got) disabled; else
/// an error, which the outbox retries after its backoff. Receivers may see a delivery twice
/// (a crash after sending and before recording) and dedupe by its id.
#[tracing::instrument(skip_all, fields(delivery_id = job.delivery_id, attempt = job.attempts))]
pub async fn run_delivery_job(state: &AppState, job: &DeliveryJob<'_>) -> anyhow::Result<()> {
    let db = &state.db;
    let now = state.now();
    let Some(d) = to_send(db, job.delivery_id).await? else {
        // Deleted with its subscription.
        return outbox::finish(db.begin().await?, job.job_id, now).await;
    };
    if !matches!(d.status.as_str(), "pending" | "retrying") {
        return outbox::finish(db.begin().await?, job.job_id, now).await;
    }
    if !d.active && !job.manual {
        let mut tx = db.begin().await?;
        set_status(&mut tx, job.delivery_id, "paused", now).await?;
        return outbox::finish(tx, job.job_id, now).await;
    }
    // The lease must outlast the request, so no other worker sends it meanwhile; a fresh
    // claim's usually does (saving a write per delivery).
    let needed = state.config.webhook_timeout_ms as i64 + 2_000;
    let covered = job.leased_until.is_some_and(|until| until - now >= needed);
    if !covered {
        let lease = state.config.outbox_lease_ms.max(needed);
        if !outbox::renew_lease(db, job.job_id, job.worker, now, lease).await? {
            return Ok(());
        }
    }
    let outgoing = send::Outgoing {
        url: &d.url,
        allow_private: d.allow_private,
        secret: &d.secret,
        uid: &d.uid,
        event: &d.kind,
        body: &d.body,
    };
    let outcome = state.webhooks.send(&outgoing, now.div_euclid(1000)).await;
    record(state, job, &d, &outcome).await
}

async fn set_status(tx: &mut Tx, delivery_id: i64, status: &str, now: Millis) -> AppResult<()> {
    sqlx::query(
        "UPDATE webhook_delivery SET status = $1, next_attempt_at = NULL, updated_at = $2
         WHERE webhook_delivery_id = $3",
    )
    .bind(status)
    .bind(now)
    .bind(delivery_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn record(
    state: &AppState,
    job: &DeliveryJob<'_>,
    d: &ToSend,
    outcome: &send::Outcome,
) -> anyhow::Result<()> {
    let db = &state.db;
    let now = state.now();
    let error = outcome.error.as_deref().map(|e| send::clean(e, 2000));
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_attempt (webhook_delivery_id, attempted_at, status_code, latency_ms, ok, error,
            response_snippet, manual)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(job.delivery_id)
    .bind(now)
    .bind(outcome.status_code)
    .bind(outcome.latency_ms)
    .bind(i64::from(outcome.ok))
    .bind(&error)
    .bind(&outcome.snippet)
    .bind(i64::from(job.manual))
    .execute(&mut *tx)
    .await?;
    if outcome.ok {
        sqlx::query(
            "UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, last_status_code = $1,
                last_latency_ms = $2, last_error = NULL, response_snippet = $3, next_attempt_at = NULL,
                delivered_at = $4, updated_at = $4 WHERE webhook_delivery_id = $5",
        )
        .bind(outcome.status_code)
        .bind(outcome.latency_ms)
        .bind(&outcome.snippet)
        .bind(now)
        .bind(job.delivery_id)
        .execute(&mut *tx)
        .await?;
        // Written only when there is something to reset: deliveries in a row touch the
        // subscription's row only after a failure.
        sqlx::query(
            "UPDATE webhook_subscription SET consecutive_failures = 0, first_failure_at = NULL
             WHERE webhook_subscription_id = $1 AND consecutive_failures <> 0",
        )
        .bind(d.subscription_id)
        .execute(&mut *tx)
        .await?;
        return outbox::finish(tx, job.job_id, now).await;
    }
    let counted: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
        "UPDATE webhook_subscription SET consecutive_failures = consecutive_failures + 1,
            first_failure_at = COALESCE(first_failure_at, $1)
         WHERE webhook_subscription_id = $2
         RETURNING consecutive_failures, first_failure_at, active",
    )
    .bind(now)
    .bind(d.subscription_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((failures, first_failure_at, active)) = counted else {
        return outbox::finish(tx, job.job_id, now).await;
    };
    let active = active == 1;
    let config = &state.config;
    let disable = active
        && failures >= config.webhook_disable_after_failures
        && now - first_failure_at.unwrap_or(now) >= config.webhook_disable_after_ms;
    let (status, done) = if disable {
        disable_failing(&mut tx, d, failures, now).await?;
        ("paused", true)
    } else if !active {
        ("paused", true)
    } else if job.attempts >= MAX_ATTEMPTS {
        ("failed", true)
    } else {
        ("retrying", false)
    };
    let next_attempt_at = (!done).then(|| now + outbox::backoff_ms(job.attempts));
    sqlx::query(
        "UPDATE webhook_delivery SET status = $1, attempts = attempts + 1, last_status_code = $2,
            last_latency_ms = $3, last_error = $4, response_snippet = $5, next_attempt_at = $6, updated_at = $7
         WHERE webhook_delivery_id = $8",
    )
    .bind(status)
    .bind(outcome.status_code)
    .bind(outcome.latency_ms)
    .bind(&error)
    .bind(&outcome.snippet)
    .bind(next_attempt_at)
    .bind(now)
    .bind(job.delivery_id)
    .execute(&mut *tx)
    .await?;
    if done {
        return outbox::finish(tx, job.job_id, now).await;
    }
    tx.commit().await?;
    anyhow::bail!(
        "webhook delivery to {} failed: {}",
        d.name,
        error.unwrap_or_default()
    )
}

/// Disables a subscription whose receiver keeps failing and tells every admin, each in their
/// language.
async fn disable_failing(tx: &mut Tx, d: &ToSend, failures: i64, now: Millis) -> AppResult<()> {
    let changed = sqlx::query(
        "UPDATE webhook_subscription SET active = 0, disabled_at = $1, disabled_reason = 'failing'
         WHERE webhook_subscription_id = $2 AND active = 1",
    )
    .bind(now)
    .bind(d.subscription_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(());
    }
    tracing::warn!(
        subscription_id = d.subscription_id,
        failures,
        "webhook subscription disabled after repeated failures"
    );
    let admins: Vec<i64> = sqlx::query_scalar(
        "SELECT agent_id FROM agent WHERE role = 'admin' AND active = 1 ORDER BY agent_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    // Read in each admin's language.
    let body = note!(
        "webhooks-notice-disabled",
        name = d.name.as_str(),
        url = d.url.as_str(),
        failures = failures
    );
    for admin in admins {
        crate::notify::inbox::notify_account(tx, admin, "webhook_disabled", &body, now).await?;
    }
    Ok(())
}

/// A delivery whose job was parked after too many attempts (the worker kept dying on it) is
/// shown as failed, so an admin can send it again.
pub async fn give_up(db: &Db, delivery_id: i64, error: &str, now: Millis) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL, updated_at = $1,
            last_error = COALESCE(last_error, $2)
         WHERE webhook_delivery_id = $3 AND status IN ('pending', 'retrying')",
    )
    .bind(now)
    .bind(send::clean(error, 2000))
    .bind(delivery_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(field: &str, old: Option<&str>, new: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            old: old.map(Into::into),
            new: new.map(Into::into),
        }
    }

    #[test]
    fn a_change_raises_the_events_it_should() {
        let created = [
            f("ticket", None, Some("7")),
            f("message", Some("customer"), Some("9")),
        ];
        assert_eq!(change_events(true, &created), [("ticket.created", None)]);
        let reply_and_solve = [
            f("message", Some("agent"), Some("12")),
            f("status", Some("open"), Some("solved")),
        ];
        assert_eq!(
            change_events(false, &reply_and_solve),
            [
                ("message.added", Some(12)),
                ("ticket.updated", None),
                ("ticket.solved", None)
            ]
        );
        let customer_writes_again = [
            f("message", Some("customer"), Some("13")),
            f("status", Some("solved"), Some("open")),
        ];
        assert_eq!(
            change_events(false, &customer_writes_again),
            [
                ("message.added", Some(13)),
                ("ticket.updated", None),
                ("ticket.reopened", None)
            ]
        );
        assert_eq!(
            change_events(false, &[f("note", Some("agent"), Some("14"))]),
            [("message.added", Some(14))]
        );
        assert_eq!(
            change_events(false, &[f("priority", Some("normal"), Some("high"))]),
            [("ticket.updated", None)]
        );
    }

    #[test]
    fn the_body_is_the_envelope_around_the_data() {
        let b = body("abc", "ticket.created", 0, r#"{"ticket":{"id":1}}"#);
        assert_eq!(
            b,
            r#"{"id":"abc","event":"ticket.created","occurred_at":"1970-01-01T00:00:00.000Z","data":{"ticket":{"id":1}}}"#
        );
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["data"]["ticket"]["id"], 1);
    }

    #[test]
    fn event_lists_are_checked_and_named_by_index() {
        let ok = checked_events(Some(&["message.added".into(), "ticket.created".into()]));
        assert_eq!(ok.unwrap(), "ticket.created,message.added");
        match checked_events(Some(&["ticket.created".into(), "ticket.exploded".into()])) {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "events[1]"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            checked_events(Some(&[])),
            Err(AppError::Validation { field, .. }) if field == "events"
        ));
    }
}
