//! CRM events (the customer's sales and marketing history): parsing and validating input,
//! idempotent upsert on `(source, external_id)`, listing, and the derived customer profile.

use crate::db::{Db, Sql, Tx};
use crate::domain::EmailAddress;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;
use std::collections::BTreeMap;

/// Most events a batch may carry; a batch is stored all-or-nothing.
pub const MAX_BATCH: usize = 1000;
/// The largest body of an event post (up to [`MAX_BATCH`] events of a few KiB each): a JSON tree
/// takes many times its text in memory, so these bodies get a smaller limit than file uploads.
pub const MAX_BATCH_BODY_BYTES: usize = 4 * 1024 * 1024;
const MAX_TEXT: usize = 200;
const MAX_ATTRIBUTES_BYTES: usize = 16 * 1024;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Signup,
    Deal,
    Order,
    Purchase,
    Subscription,
    CampaignTouch,
    EmailEngagement,
    Meeting,
    Call,
    Nps,
    Csat,
    Note,
}

const KINDS: &[(EventKind, &str)] = &[
    (EventKind::Signup, "signup"),
    (EventKind::Deal, "deal"),
    (EventKind::Order, "order"),
    (EventKind::Purchase, "purchase"),
    (EventKind::Subscription, "subscription"),
    (EventKind::CampaignTouch, "campaign_touch"),
    (EventKind::EmailEngagement, "email_engagement"),
    (EventKind::Meeting, "meeting"),
    (EventKind::Call, "call"),
    (EventKind::Nps, "nps"),
    (EventKind::Csat, "csat"),
    (EventKind::Note, "note"),
];

impl EventKind {
    pub fn parse(s: &str) -> Option<EventKind> {
        KINDS.iter().find(|(_, n)| *n == s).map(|(k, _)| *k)
    }

    pub fn as_str(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("note")
    }

    /// Kinds that show the customer is still engaged with us.
    fn is_engagement(self) -> bool {
        matches!(
            self,
            EventKind::EmailEngagement | EventKind::Meeting | EventKind::Call
        )
    }

    /// Kinds where we were in touch with the customer.
    fn is_contact(self) -> bool {
        matches!(
            self,
            EventKind::EmailEngagement
                | EventKind::Meeting
                | EventKind::Call
                | EventKind::Nps
                | EventKind::Csat
        )
    }
}

/// An ISO 4217 code: three ASCII capital letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Option<Currency> {
        let s = raw.trim().to_ascii_uppercase();
        (s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())).then_some(Currency(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits after the decimal point in the currency's minor unit (ISO 4217).
    pub fn exponent(&self) -> u32 {
        match self.0.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

/// Parses a decimal amount ("12.50", "-3", "1000") into minor units of a currency with
/// `exponent` decimals, exactly (no floating point).
pub fn parse_amount(raw: &str, exponent: u32) -> Result<i64, &'static str> {
    let s = raw.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a decimal number such as 12.50");
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (digits.contains('.') && frac.is_empty()) {
        return Err("must be a decimal number such as 12.50");
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > exponent as usize {
        return Err("has more decimals than the currency allows");
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = whole.parse().map_err(|_| "is too large")?;
    let frac_minor: i64 = if frac.is_empty() {
        0
    } else {
        let f: i64 = frac.parse().map_err(|_| "is too large")?;
        f * 10i64.pow(exponent - frac.len() as u32)
    };
    let minor = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac_minor))
        .ok_or("is too large")?;
    Ok(if neg { -minor } else { minor })
}

/// Renders minor units as a decimal string ("1250" with exponent 2 → "12.50").
pub fn format_amount(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent);
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exponent as usize
    )
}

/// Who an event belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerRef {
    Id(i64),
    Email {
        email: EmailAddress,
        name: Option<String>,
    },
    /// An id from a CRM, shop or billing system (an `external` identity).
    External {
        value: String,
        name: Option<String>,
    },
}

/// A validated event, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub customer: Option<CustomerRef>,
    pub kind: EventKind,
    pub occurred_at: Millis,
    pub source: String,
    pub external_id: String,
    pub amount: Option<(i64, Currency)>,
    pub currency: Option<Currency>,
    pub attributes: Map<String, Value>,
}

const FIELDS: &[&str] = &[
    "customer_id",
    "customer_email",
    "customer_external_id",
    "customer_name",
    "kind",
    "occurred_at",
    "source",
    "external_id",
    "amount",
    "currency",
    "attributes",
];

fn text_field(
    obj: &Map<String, Value>,
    name: &str,
    f: &dyn Fn(&str) -> String,
) -> AppResult<String> {
    let v = obj
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::field(f(name), "is required (a non-empty string)"))?;
    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        return Err(AppError::field(
            f(name),
            format!("must be a single line of {MAX_TEXT} characters at most"),
        ));
    }
    Ok(v.to_string())
}

/// Subscription statuses the profile understands.
const SUBSCRIPTION_STATUSES: &[&str] = &["active", "cancelled", "downgraded"];

/// The few attributes the derived profile reads are checked, so a typo is a 422 rather than a
/// silently wrong profile; everything else in `attributes` is free-form.
fn check_attributes(
    kind: EventKind,
    attributes: &Map<String, Value>,
    f: &dyn Fn(&str) -> String,
) -> AppResult<()> {
    let numeric = |v: &Value| match v {
        Value::Number(_) => true,
        Value::String(s) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        _ => false,
    };
    match kind {
        EventKind::Subscription => {
            if let Some(status) = attributes.get("status").filter(|v| !v.is_null())
                && !status
                    .as_str()
                    .is_some_and(|s| SUBSCRIPTION_STATUSES.contains(&s))
            {
                return Err(AppError::field(
                    f("status"),
                    format!("must be one of: {}", SUBSCRIPTION_STATUSES.join(", ")),
                ));
            }
            if let Some(mrr) = attributes.get("mrr").filter(|v| !v.is_null())
                && !numeric(mrr)
            {
                return Err(AppError::field(f("mrr"), "must be a number"));
            }
        }
        EventKind::Csat | EventKind::Nps => {
            if let Some(score) = attributes.get("score").filter(|v| !v.is_null())
                && !numeric(score)
            {
                return Err(AppError::field(f("score"), "must be a number"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parses one event object. `prefix` is put before field names in errors (`events[3].`).
pub fn parse_event(v: &Value, prefix: &str) -> AppResult<NewEvent> {
    let f = |name: &str| format!("{prefix}{name}");
    let obj = v.as_object().ok_or_else(|| {
        AppError::field(
            if prefix.is_empty() {
                "body".to_string()
            } else {
                prefix.trim_end_matches('.').to_string()
            },
            "must be a JSON object",
        )
    })?;
    if let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(AppError::field(f(unknown), "is not a known field"));
    }
    let kind_raw = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::field(f("kind"), "is required"))?;
    let kind = EventKind::parse(kind_raw).ok_or_else(|| {
        AppError::field(
            f("kind"),
            format!(
                "must be one of: {}",
                KINDS.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let occurred_at = obj
        .get("occurred_at")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::field(f("occurred_at"), "is required (RFC 3339)"))
        .and_then(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|d| d.timestamp_millis())
                .map_err(|_| {
                    AppError::field(
                        f("occurred_at"),
                        "must be an RFC 3339 time such as 2024-05-01T12:00:00Z",
                    )
                })
        })?;
    let source = text_field(obj, "source", &f)?;
    let external_id = text_field(obj, "external_id", &f)?;
    let currency = match obj.get("currency") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Currency::parse(s).ok_or_else(|| {
            AppError::field(f("currency"), "must be an ISO 4217 code of 3 letters")
        })?),
        Some(_) => {
            return Err(AppError::field(
                f("currency"),
                "must be an ISO 4217 code of 3 letters",
            ));
        }
    };
    let amount_raw = match obj.get("amount") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(AppError::field(
                f("amount"),
                "must be a decimal number or string",
            ));
        }
    };
    let amount = match amount_raw {
        None => None,
        Some(raw) => {
            let cur = currency
                .clone()
                .ok_or_else(|| AppError::field(f("currency"), "is required with an amount"))?;
            let minor =
                parse_amount(&raw, cur.exponent()).map_err(|m| AppError::field(f("amount"), m))?;
            Some((minor, cur))
        }
    };
    let attributes = match obj.get("attributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(AppError::field(f("attributes"), "must be a JSON object")),
    };
    check_attributes(kind, &attributes, &|name| f(&format!("attributes.{name}")))?;
    if Value::Object(attributes.clone()).to_string().len() > MAX_ATTRIBUTES_BYTES {
        return Err(AppError::field(
            f("attributes"),
            format!("is too large ({} KB at most)", MAX_ATTRIBUTES_BYTES / 1024),
        ));
    }
    let given = |k: &str| obj.get(k).is_some_and(|v| !v.is_null());
    let named: Vec<&str> = ["customer_id", "customer_email", "customer_external_id"]
        .into_iter()
        .filter(|k| given(k))
        .collect();
    if named.len() > 1 {
        return Err(AppError::field(
            f(named[1]),
            format!("give only one of {}", named.join(", ")),
        ));
    }
    let name = obj
        .get("customer_name")
        .and_then(Value::as_str)
        .map(crate::domain::single_line)
        .filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > MAX_TEXT) {
        return Err(AppError::field(
            f("customer_name"),
            format!("is too long ({MAX_TEXT} characters at most)"),
        ));
    }
    let customer = match named.first().copied() {
        None => None,
        Some("customer_id") => Some(CustomerRef::Id(
            obj["customer_id"]
                .as_i64()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::field(f("customer_id"), "must be a positive integer"))?,
        )),
        Some("customer_email") => {
            let email = obj["customer_email"]
                .as_str()
                .ok_or_else(|| AppError::field(f("customer_email"), "must be a string"))
                .and_then(|s| {
                    EmailAddress::parse(s).map_err(|m| AppError::field(f("customer_email"), m))
                })?;
            Some(CustomerRef::Email { email, name })
        }
        Some(_) => {
            let raw = obj["customer_external_id"]
                .as_str()
                .ok_or_else(|| AppError::field(f("customer_external_id"), "must be a string"))?;
            let value = super::identity::normalize(
                super::identity::IdentityKind::External,
                raw,
                &f("customer_external_id"),
            )?;
            Some(CustomerRef::External { value, name })
        }
    };
    Ok(NewEvent {
        customer,
        kind,
        occurred_at,
        source,
        external_id,
        currency: amount.as_ref().map(|(_, c)| c.clone()).or(currency),
        amount,
        attributes,
    })
}

/// The body of `POST /crm/events` (and the signed webhook) as the API documents it: one event, or
/// a batch. The handlers parse it field by field (`parse_body`), naming the field at fault.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum EventsIn {
    One(Box<EventIn>),
    Batch(EventBatchIn),
}

/// Up to 1000 events (and 4 MiB), stored all or nothing; a 422 names `events[i].field`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EventBatchIn {
    pub events: Vec<EventIn>,
}

/// One CRM event; upserted on (`source`, `external_id`).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EventIn {
    /// The customer (or `customer_email`); not given on `/customers/{id}/events`.
    #[schema(required = false)]
    pub customer_id: Option<i64>,
    /// Finds or creates the customer by address.
    #[schema(required = false)]
    pub customer_email: Option<String>,
    /// Finds the customer by the CRM's own id.
    #[schema(required = false)]
    pub customer_external_id: Option<String>,
    /// The name of a customer created by this event.
    #[schema(required = false)]
    pub customer_name: Option<String>,
    #[schema(value_type = EventKind)]
    pub kind: String,
    /// RFC 3339.
    #[schema(example = "2024-05-01T12:00:00Z")]
    pub occurred_at: String,
    pub source: String,
    pub external_id: String,
    /// A decimal amount such as `"49.90"` (or a number).
    #[schema(required = false)]
    pub amount: Option<String>,
    /// ISO 4217, with `amount`.
    #[schema(required = false)]
    pub currency: Option<String>,
    /// Anything else the CRM knows (plan, segment, campaign, score …).
    #[schema(required = false)]
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
}

/// Parses a request body: one event object, or `{"events": [..]}` (1 to `MAX_BATCH` events).
/// Errors in a batch name the item: `events[3].occurred_at`.
pub fn parse_body(body: &Value) -> AppResult<Vec<NewEvent>> {
    match body.get("events") {
        Some(Value::Array(items)) => {
            if items.is_empty() || items.len() > MAX_BATCH {
                return Err(AppError::field(
                    "events",
                    format!("must hold 1 to {MAX_BATCH} events"),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| parse_event(v, &format!("events[{i}].")))
                .collect()
        }
        Some(_) => Err(AppError::field("events", "must be an array of events")),
        None => Ok(vec![parse_event(body, "")?]),
    }
}

#[derive(utoipa::ToSchema, Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UpsertOutcome {
    pub created: u64,
    pub updated: u64,
}

/// Stores events in one transaction: all or nothing. Each event is inserted, or updates the
/// event with the same `(source, external_id)`. `default_customer` is used for events that do
/// not name a customer; `prefix_batch` says whether errors name `events[i].`.
#[tracing::instrument(skip_all, fields(events = events.len()))]
pub async fn upsert_events(
    db: &Db,
    events: &[NewEvent],
    default_customer: Option<i64>,
    batch: bool,
    now: Millis,
) -> AppResult<UpsertOutcome> {
    let mut tx = db.begin().await?;
    let out = upsert_events_in(&mut tx, events, default_customer, batch, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`upsert_events`] inside the caller's transaction.
pub async fn upsert_events_in(
    tx: &mut Tx,
    events: &[NewEvent],
    default_customer: Option<i64>,
    batch: bool,
    now: Millis,
) -> AppResult<UpsertOutcome> {
    let mut out = UpsertOutcome::default();
    for (i, ev) in events.iter().enumerate() {
        let f = |name: &str| {
            if batch {
                format!("events[{i}].{name}")
            } else {
                name.to_string()
            }
        };
        let customer_id = resolve_customer(tx, ev, default_customer, now, &f).await?;
        if upsert_one(tx, customer_id, ev, now).await? {
            out.created += 1;
        } else {
            out.updated += 1;
        }
    }
    Ok(out)
}

/// The customer an event belongs to: the one it names (found or created by identity), or
/// `default_customer`. Errors name the field through `f`.
pub(crate) async fn resolve_customer(
    tx: &mut Tx,
    ev: &NewEvent,
    default_customer: Option<i64>,
    now: Millis,
    f: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<i64> {
    Ok(match (&ev.customer, default_customer) {
        // Events for a merged-away customer land on the customer it was merged into.
        (Some(CustomerRef::Id(id)), _) => super::identity::surviving(tx, *id)
            .await?
            .ok_or_else(|| AppError::field(f("customer_id"), "no such customer"))?,
        (Some(CustomerRef::Email { email, name }), _) => {
            super::match_or_create(tx, email, name.as_deref(), now).await?
        }
        (Some(CustomerRef::External { value, name }), _) => {
            super::identity::match_or_create_external(tx, value, name.as_deref(), now).await?
        }
        (None, Some(id)) => id,
        (None, None) => {
            return Err(AppError::field(
                f("customer_id"),
                "is required (or customer_email)",
            ));
        }
    })
}

/// Inserts the event, or updates the one with the same `(source, external_id)`. True when created.
pub(crate) async fn upsert_one(
    tx: &mut Tx,
    customer_id: i64,
    ev: &NewEvent,
    now: Millis,
) -> AppResult<bool> {
    let attributes = Value::Object(ev.attributes.clone()).to_string();
    // The plan, segment and VIP lists filter by may change, for this customer and for the one
    // the event belonged to until now.
    super::attrs::mark_dirty(tx, customer_id).await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM crm_event WHERE source = $1 AND external_id = $2",
    )
    .bind(&ev.source)
    .bind(&ev.external_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(b) = before.filter(|b| *b != customer_id) {
        super::attrs::mark_dirty(tx, b).await?;
    }
    let amount = ev.amount.as_ref().map(|(m, _)| *m);
    let currency = ev.currency.as_ref().map(|c| c.as_str().to_string());
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, amount_minor,
            currency, attributes, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (source, external_id) DO NOTHING
         RETURNING crm_event_id",
    )
    .bind(customer_id)
    .bind(ev.kind.as_str())
    .bind(ev.occurred_at)
    .bind(&ev.source)
    .bind(&ev.external_id)
    .bind(amount)
    .bind(currency.clone())
    .bind(&attributes)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if inserted.is_some() {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE crm_event SET customer_id = $1, kind = $2, occurred_at = $3, amount_minor = $4,
            currency = $5, attributes = $6, updated_at = $7
         WHERE source = $8 AND external_id = $9",
    )
    .bind(customer_id)
    .bind(ev.kind.as_str())
    .bind(ev.occurred_at)
    .bind(amount)
    .bind(currency)
    .bind(&attributes)
    .bind(now)
    .bind(&ev.source)
    .bind(&ev.external_id)
    .execute(&mut **tx)
    .await?;
    Ok(false)
}

/// A stored event, as the API shows it.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Serialize)]
pub struct CrmEvent {
    pub id: i64,
    pub customer_id: i64,
    pub kind: EventKind,
    pub occurred_at: Millis,
    pub source: String,
    pub external_id: String,
    /// Decimal string in the currency's units ("12.50").
    pub amount: Option<String>,
    #[serde(skip)]
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub attributes: Value,
    pub created_at: Millis,
    pub updated_at: Millis,
}

const EVENT_COLUMNS: &str = "crm_event_id, customer_id, kind, occurred_at, source, external_id, \
    amount_minor, currency, attributes, created_at, updated_at";

fn event_from_row(row: &sqlx::any::AnyRow) -> AppResult<CrmEvent> {
    let kind: String = row.try_get("kind")?;
    let amount_minor: Option<i64> = row.try_get("amount_minor")?;
    let currency: Option<String> = row.try_get("currency")?;
    let attributes: String = row.try_get("attributes")?;
    let amount = match (amount_minor, currency.as_deref().and_then(Currency::parse)) {
        (Some(m), Some(c)) => Some(format_amount(m, c.exponent())),
        (Some(m), None) => Some(m.to_string()),
        _ => None,
    };
    Ok(CrmEvent {
        id: row.try_get("crm_event_id")?,
        customer_id: row.try_get("customer_id")?,
        kind: EventKind::parse(&kind).unwrap_or(EventKind::Note),
        occurred_at: row.try_get("occurred_at")?,
        source: row.try_get("source")?,
        external_id: row.try_get("external_id")?,
        amount,
        amount_minor,
        currency,
        attributes: serde_json::from_str(&attributes).unwrap_or(Value::Object(Map::new())),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// A position in a customer's events, newest first: `(occurred_at, crm_event_id)` of the last
/// item shown. Rendered as `"<occurred_at>_<id>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCursor {
    pub occurred_at: Millis,
    pub id: i64,
}

impl EventCursor {
    pub fn parse(s: &str) -> Option<EventCursor> {
        let (a, b) = s.split_once('_')?;
        Some(EventCursor {
            occurred_at: a.parse().ok()?,
            id: b.parse().ok()?,
        })
    }

    pub fn render(&self) -> String {
        format!("{}_{}", self.occurred_at, self.id)
    }
}

pub struct EventFilter {
    pub kind: Option<EventKind>,
    pub after: Option<EventCursor>,
    pub limit: i64,
}

/// A page of a customer's events, newest first, and the cursor of the next page.
pub async fn list_events(
    db: &Db,
    customer_id: i64,
    filter: &EventFilter,
) -> AppResult<(Vec<CrmEvent>, Option<EventCursor>)> {
    let limit = filter.limit.clamp(1, 200);
    let mut sql = Sql::new(format!(
        "SELECT {EVENT_COLUMNS} FROM crm_event WHERE customer_id = "
    ));
    sql.push_param(customer_id);
    if let Some(k) = filter.kind {
        sql.push(" AND kind = ").push_param(k.as_str());
    }
    if let Some(c) = filter.after {
        let at = sql.param(c.occurred_at);
        let id = sql.param(c.id);
        sql.push(&format!(
            " AND (occurred_at < {at} OR (occurred_at = {at} AND crm_event_id < {id}))"
        ));
    }
    sql.push(" ORDER BY occurred_at DESC, crm_event_id DESC LIMIT ")
        .push_param(limit + 1);
    let rows = sql.query().fetch_all(&db.pool).await?;
    let mut items = rows
        .iter()
        .map(event_from_row)
        .collect::<AppResult<Vec<_>>>()?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|e| EventCursor {
            occurred_at: e.occurred_at,
            id: e.id,
        })
    } else {
        None
    };
    Ok((items, next))
}

/// What the profile needs to know of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFact {
    pub created_at: Millis,
    pub open: bool,
}

#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Serialize)]
pub struct RiskReason {
    pub code: &'static str,
    pub text: String,
}

#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Serialize)]
pub struct Acquisition {
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub occurred_at: Millis,
}

/// Derived facts about a customer, computed from their events and tickets.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub customer_since: Option<Millis>,
    /// Currency → total of orders and purchases, as a decimal string. Currencies are never summed
    /// together.
    pub lifetime_value: BTreeMap<String, String>,
    pub plan: Option<String>,
    pub mrr: Option<Value>,
    pub mrr_currency: Option<String>,
    pub subscription_status: Option<String>,
    pub acquisition: Option<Acquisition>,
    pub last_contact_at: Option<Millis>,
    pub open_tickets: i64,
    pub total_tickets: i64,
    pub last_csat: Option<Value>,
    pub churn_risk: Vec<RiskReason>,
}

fn attr_str(e: &CrmEvent, name: &str) -> Option<String> {
    match e.attributes.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn attr_f64(e: &CrmEvent, name: &str) -> Option<f64> {
    match e.attributes.get(name)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A CSAT score at or below this (on a 1–5 scale) is a bad rating.
const BAD_CSAT: f64 = 2.0;

/// What the profile needs of a customer's events: a few firsts, lasts and sums. The database
/// computes these with its indexes ([`facts_of`]), so a customer with thousands of events costs
/// a few small queries; [`facts_from_events`] computes the same from a list of events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFacts {
    pub first_signup: Option<Millis>,
    pub first_order: Option<Millis>,
    /// Currency → total in minor units of orders and purchases.
    pub ltv: BTreeMap<Currency, i64>,
    pub latest_subscription: Option<CrmEvent>,
    /// A subscription event with status "downgraded" in the last 90 days.
    pub downgraded_recently: bool,
    pub first_campaign_touch: Option<CrmEvent>,
    pub last_contact: Option<Millis>,
    pub last_engagement: Option<Millis>,
    pub last_csat: Option<CrmEvent>,
}

const RECENT_DOWNGRADE_MS: i64 = 90 * DAY_MS;

/// [`EventFacts`] of a list of events. Pure.
pub fn facts_from_events(events: &[CrmEvent], now: Millis) -> EventFacts {
    let mut sorted: Vec<&CrmEvent> = events.iter().collect();
    sorted.sort_by_key(|e| (e.occurred_at, e.id));
    let of_kind = |k: EventKind| sorted.iter().copied().filter(move |e| e.kind == k);
    let mut ltv: BTreeMap<Currency, i64> = BTreeMap::new();
    for e in sorted
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Order | EventKind::Purchase))
    {
        if let (Some(m), Some(c)) = (
            e.amount_minor,
            e.currency.as_deref().and_then(Currency::parse),
        ) {
            let total = ltv.entry(c).or_insert(0);
            *total = total.saturating_add(m);
        }
    }
    EventFacts {
        first_signup: of_kind(EventKind::Signup).next().map(|e| e.occurred_at),
        first_order: sorted
            .iter()
            .find(|e| matches!(e.kind, EventKind::Order | EventKind::Purchase))
            .map(|e| e.occurred_at),
        ltv,
        latest_subscription: of_kind(EventKind::Subscription).next_back().cloned(),
        downgraded_recently: of_kind(EventKind::Subscription).any(|e| {
            attr_str(e, "status").as_deref() == Some("downgraded")
                && e.occurred_at >= now - RECENT_DOWNGRADE_MS
        }),
        first_campaign_touch: of_kind(EventKind::CampaignTouch).next().cloned(),
        last_contact: sorted
            .iter()
            .filter(|e| e.kind.is_contact())
            .map(|e| e.occurred_at)
            .max(),
        last_engagement: sorted
            .iter()
            .filter(|e| e.kind.is_engagement())
            .map(|e| e.occurred_at)
            .max(),
        last_csat: of_kind(EventKind::Csat).next_back().cloned(),
    }
}

/// Computes the profile. Pure: `now` decides what "recent" means.
pub fn derive_profile(events: &[CrmEvent], tickets: &[TicketFact], now: Millis) -> Profile {
    profile_from_facts(&facts_from_events(events, now), tickets, now)
}

/// Computes the profile from event facts and tickets. Pure.
pub fn profile_from_facts(facts: &EventFacts, tickets: &[TicketFact], now: Millis) -> Profile {
    let first_ticket = tickets.iter().map(|t| t.created_at).min();
    let customer_since = [facts.first_signup, facts.first_order, first_ticket]
        .into_iter()
        .flatten()
        .min();
    let lifetime_value = facts
        .ltv
        .iter()
        .map(|(c, m)| (c.as_str().to_string(), format_amount(*m, c.exponent())))
        .collect();
    let latest_sub = facts.latest_subscription.as_ref();
    let status = latest_sub.and_then(|e| attr_str(e, "status"));
    let acquisition = facts.first_campaign_touch.as_ref().map(|e| Acquisition {
        source: attr_str(e, "utm_source"),
        campaign: attr_str(e, "campaign"),
        occurred_at: e.occurred_at,
    });
    let last_contact_at = facts
        .last_contact
        .into_iter()
        .chain(tickets.iter().map(|t| t.created_at))
        .max();
    let last_csat_event = facts.last_csat.as_ref();
    let last_csat = last_csat_event.and_then(|e| e.attributes.get("score").cloned());

    let mut churn_risk = Vec::new();
    if status.as_deref() == Some("cancelled") {
        churn_risk.push(RiskReason {
            code: "subscription_cancelled",
            text: "Their subscription is cancelled.".into(),
        });
    }
    if facts.downgraded_recently {
        churn_risk.push(RiskReason {
            code: "downgraded_recently",
            text: "They downgraded their subscription in the last 90 days.".into(),
        });
    }
    let recent_tickets = tickets
        .iter()
        .filter(|t| t.created_at >= now - 30 * DAY_MS)
        .count();
    if recent_tickets >= 3 {
        churn_risk.push(RiskReason {
            code: "many_recent_tickets",
            text: format!("They opened {recent_tickets} tickets in the last 30 days."),
        });
    }
    if let Some(last) = facts.last_engagement
        && last < now - 60 * DAY_MS
    {
        churn_risk.push(RiskReason {
            code: "engagement_stopped",
            text: "No email, meeting or call engagement in the last 60 days.".into(),
        });
    }
    if let Some(score) = last_csat_event.and_then(|e| attr_f64(e, "score"))
        && score <= BAD_CSAT
    {
        churn_risk.push(RiskReason {
            code: "bad_csat",
            text: format!("Their last CSAT rating was {score}."),
        });
    }

    Profile {
        customer_since,
        lifetime_value,
        plan: latest_sub.and_then(|e| attr_str(e, "plan")),
        mrr: latest_sub.and_then(|e| e.attributes.get("mrr").cloned()),
        mrr_currency: latest_sub.and_then(|e| e.currency.clone()),
        subscription_status: status,
        acquisition,
        last_contact_at,
        open_tickets: tickets.iter().filter(|t| t.open).count() as i64,
        total_tickets: tickets.len() as i64,
        last_csat,
        churn_risk,
    }
}

/// SQL list of the kinds `pred` holds for, e.g. `'call', 'meeting'`.
fn kinds_sql(pred: fn(EventKind) -> bool) -> String {
    KINDS
        .iter()
        .filter(|(k, _)| pred(*k))
        .map(|(_, n)| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`EventFacts`] of a customer, computed by the database.
pub async fn facts_of(
    conn: &mut sqlx::AnyConnection,
    customer_id: i64,
    now: Millis,
) -> AppResult<EventFacts> {
    let contact = kinds_sql(EventKind::is_contact);
    let engagement = kinds_sql(EventKind::is_engagement);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT MIN(CASE WHEN kind = 'signup' THEN occurred_at END) AS first_signup,
                MIN(CASE WHEN kind IN ('order', 'purchase') THEN occurred_at END) AS first_order,
                MAX(CASE WHEN kind IN ({contact}) THEN occurred_at END) AS last_contact,
                MAX(CASE WHEN kind IN ({engagement}) THEN occurred_at END) AS last_engagement
         FROM crm_event WHERE customer_id = $1"
    )))
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut facts = EventFacts {
        first_signup: row.try_get("first_signup")?,
        first_order: row.try_get("first_order")?,
        last_contact: row.try_get("last_contact")?,
        last_engagement: row.try_get("last_engagement")?,
        ..EventFacts::default()
    };
    let totals = sqlx::query(
        "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) AS total FROM crm_event
         WHERE customer_id = $1 AND kind IN ('order', 'purchase')
           AND amount_minor IS NOT NULL AND currency IS NOT NULL
         GROUP BY currency",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &totals {
        let currency: String = r.try_get("currency")?;
        if let Some(c) = Currency::parse(&currency) {
            let total = facts.ltv.entry(c).or_insert(0);
            *total = total.saturating_add(r.try_get::<i64, _>("total")?);
        }
    }
    let one = |kind: &str, newest: bool| {
        format!(
            "SELECT {EVENT_COLUMNS} FROM crm_event WHERE customer_id = $1 AND kind = '{kind}'
             ORDER BY occurred_at {dir}, crm_event_id {dir} LIMIT 1",
            dir = if newest { "DESC" } else { "ASC" }
        )
    };
    for (kind, newest) in [
        ("subscription", true),
        ("campaign_touch", false),
        ("csat", true),
    ] {
        let found = sqlx::query(sqlx::AssertSqlSafe(one(kind, newest)))
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| event_from_row(&r))
            .transpose()?;
        match kind {
            "subscription" => facts.latest_subscription = found,
            "campaign_touch" => facts.first_campaign_touch = found,
            _ => facts.last_csat = found,
        }
    }
    let recent = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM crm_event
         WHERE customer_id = $1 AND kind = 'subscription' AND occurred_at >= $2"
    )))
    .bind(customer_id)
    .bind(now - RECENT_DOWNGRADE_MS)
    .fetch_all(&mut *conn)
    .await?;
    for r in &recent {
        let e = event_from_row(r)?;
        if attr_str(&e, "status").as_deref() == Some("downgraded") {
            facts.downgraded_recently = true;
        }
    }
    Ok(facts)
}

/// Loads a customer's events and tickets and derives their profile.
pub async fn profile(db: &Db, customer_id: i64, now: Millis) -> AppResult<Profile> {
    let mut conn = db.pool.acquire().await?;
    profile_on(&mut conn, customer_id, now).await
}

/// [`profile`] on a given connection (inside a transaction, for instance).
pub async fn profile_on(
    conn: &mut sqlx::AnyConnection,
    customer_id: i64,
    now: Millis,
) -> AppResult<Profile> {
    let facts = facts_of(conn, customer_id, now).await?;
    let rows = sqlx::query("SELECT created_at, status FROM ticket WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    let tickets = rows
        .iter()
        .map(|r| -> AppResult<TicketFact> {
            let status: String = r.try_get("status")?;
            Ok(TicketFact {
                created_at: r.try_get("created_at")?,
                open: matches!(status.as_str(), "new" | "open" | "pending"),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(profile_from_facts(&facts, &tickets, now))
}

/// The customer's events that carry a `segment` or `vip` attribute: the only ones
/// [`derive_attributes`] reads (attributes are stored as JSON text, keys in quotes).
async fn attribute_events_of(
    conn: &mut sqlx::AnyConnection,
    customer_id: i64,
) -> AppResult<Vec<CrmEvent>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM crm_event WHERE customer_id = $1
           AND (attributes LIKE '%\"segment\"%' OR attributes LIKE '%\"vip\"%')"
    )))
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// What routing rules and SLA policy selection may know of a customer: a small, stable view of
/// the CRM history, so those features never read CRM tables themselves.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerAttributes {
    /// Current subscription plan (latest `subscription` event), lower-cased.
    pub plan: Option<String>,
    /// Latest `segment` attribute on any event (e.g. "enterprise", "smb"), lower-cased.
    pub segment: Option<String>,
    /// The latest `vip` attribute is true, or the segment is "vip".
    pub vip: bool,
    /// At least one churn-risk reason applies.
    pub at_risk: bool,
    /// The churn-risk reason codes (see [`derive_profile`]).
    pub risk_codes: Vec<&'static str>,
}

/// Derives [`CustomerAttributes`] from events and the profile. Pure.
pub fn derive_attributes(events: &[CrmEvent], profile: &Profile) -> CustomerAttributes {
    let mut sorted: Vec<&CrmEvent> = events.iter().collect();
    sorted.sort_by_key(|e| (e.occurred_at, e.id));
    let latest = |name: &str| {
        sorted
            .iter()
            .rev()
            .find_map(|e| e.attributes.get(name).filter(|v| !v.is_null()).cloned())
    };
    let segment = latest("segment").map(|v| match v {
        Value::String(s) => s.trim().to_lowercase(),
        other => other.to_string(),
    });
    let vip = match latest("vip") {
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) => matches!(s.trim().to_lowercase().as_str(), "true" | "yes" | "1"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    } || segment.as_deref() == Some("vip");
    CustomerAttributes {
        plan: profile.plan.as_ref().map(|p| p.trim().to_lowercase()),
        segment,
        vip,
        at_risk: !profile.churn_risk.is_empty(),
        risk_codes: profile.churn_risk.iter().map(|r| r.code).collect(),
    }
}

/// The customer's [`CustomerAttributes`], read on `conn`.
pub async fn attributes(
    conn: &mut sqlx::AnyConnection,
    customer_id: i64,
    now: Millis,
) -> AppResult<CustomerAttributes> {
    let events = attribute_events_of(conn, customer_id).await?;
    let profile = profile_on(conn, customer_id, now).await?;
    Ok(derive_attributes(&events, &profile))
}

#[cfg(test)]
mod tests;
