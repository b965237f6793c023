//! Messaging gateways (SMS, chat, social) connected by webhooks: the configured channels, their
//! signed inbound webhook (Casebook's generic JSON, or Twilio's form posts in [`twilio`]) turned
//! into a `NewInbound` for the one intake path, and agents' replies on such tickets sent back
//! through the outbox — a signed POST to the channel's reply URL, or Twilio's Messages API —
//! retried with backoff, never by email.

pub mod twilio;

use crate::customers::{Contact, identity};
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Channel, EmailAddress, single_line};
use crate::error::{AppError, AppResult};
use crate::intake::{self, GatewayMeta, IntakeOutcome, NewInbound, Sender};
use crate::outbox::{self, Job};
use crate::state::AppState;
use crate::tickets::NewAttachment;
use crate::webhooks::send;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sqlx::Row;

pub const MAX_SLUG_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 100;
/// Longest id, handle or conversation id a gateway may send.
pub const MAX_ID_CHARS: usize = 200;
/// Longest subject made from a message's first words.
const SUBJECT_CHARS: usize = 60;
/// Where Twilio's API lives unless a channel names another base (a test double, a region).
pub const TWILIO_API_BASE: &str = "https://api.twilio.com";

/// A channel's adapter: how its gateway talks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Adapter {
    /// Casebook's own JSON format, signed like its webhooks (`docs/channels.md`).
    Generic,
    /// Twilio's form-encoded webhook and its Messages API.
    Twilio,
}

impl Adapter {
    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::Generic => "generic",
            Adapter::Twilio => "twilio",
        }
    }

    fn parse(s: &str) -> Option<Adapter> {
        match s.trim() {
            "generic" => Some(Adapter::Generic),
            "twilio" => Some(Adapter::Twilio),
            _ => None,
        }
    }

    /// The last segment of the inbound URL (`/api/v1/channels/{slug}/<this>`).
    pub fn inbound_segment(self) -> &'static str {
        match self {
            Adapter::Generic => "inbound",
            Adapter::Twilio => "twilio",
        }
    }
}

/// The kinds of channel a gateway can be.
pub const KINDS: [Channel; 3] = [Channel::Sms, Channel::Chat, Channel::Social];

/// A connected channel as admins and the API see it; secrets only as their last characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelGateway)]
pub struct Gateway {
    pub id: i64,
    /// The `{channel}` of its URLs: lower-case letters, digits and `-`.
    pub slug: String,
    pub name: String,
    /// `sms`, `chat` or `social` (tickets from it carry this channel).
    pub kind: String,
    pub adapter: Adapter,
    /// Where the gateway posts inbound messages (relative to Casebook's address).
    pub inbound_path: String,
    pub active: bool,
    /// Replies may go to loopback or private addresses (an admin's choice).
    pub allow_private: bool,
    /// Generic: the inbound secret's last four characters.
    pub inbound_secret_hint: Option<String>,
    /// Generic: where replies are POSTed.
    pub reply_url: Option<String>,
    pub reply_secret_hint: Option<String>,
    /// Twilio: the account SID, the number replies come from, the API base URL, and the auth
    /// token's last four characters.
    pub twilio_account_sid: Option<String>,
    pub twilio_from: Option<String>,
    pub twilio_api_base: Option<String>,
    pub twilio_auth_token_hint: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A channel with its secrets, for the code that verifies and sends.
#[derive(Debug, Clone)]
pub struct Stored {
    pub gateway: Gateway,
    pub kind: Channel,
    inbound_secret: Option<String>,
    reply_secret: Option<String>,
    twilio_auth_token: Option<String>,
}

/// What creating or changing a channel gives; absent fields keep their value. On create,
/// `adapter` defaults to `generic`, secrets to new random ones (answered once), `active` to true,
/// `twilio_api_base` to Twilio's.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChannelInput)]
pub struct GatewayInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    /// `sms`, `chat` or `social`.
    pub kind: Option<String>,
    /// `generic` or `twilio` (fixed once created).
    pub adapter: Option<String>,
    pub inbound_secret: Option<String>,
    pub reply_url: Option<String>,
    pub reply_secret: Option<String>,
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<String>,
    pub twilio_from: Option<String>,
    pub twilio_api_base: Option<String>,
    pub allow_private: Option<bool>,
    pub active: Option<bool>,
}

/// Secrets made or set by a create or change, shown this once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelSecrets)]
pub struct NewSecrets {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_secret: Option<String>,
}

const COLUMNS: &str = "channel_gateway_id, slug, name, kind, adapter, inbound_secret, reply_url, reply_secret,
    twilio_account_sid, twilio_auth_token, twilio_from, twilio_api_base, allow_private, active, created_at, updated_at";

fn hint(secret: &Option<String>) -> Option<String> {
    secret.as_ref().map(|s| {
        let chars: Vec<char> = s.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("…{tail}")
    })
}

fn stored_row(r: &sqlx::any::AnyRow) -> AppResult<Stored> {
    let kind: String = r.try_get("kind")?;
    let adapter: String = r.try_get("adapter")?;
    let adapter = Adapter::parse(&adapter).unwrap_or(Adapter::Generic);
    let slug: String = r.try_get("slug")?;
    let inbound_secret: Option<String> = r.try_get("inbound_secret")?;
    let reply_secret: Option<String> = r.try_get("reply_secret")?;
    let twilio_auth_token: Option<String> = r.try_get("twilio_auth_token")?;
    Ok(Stored {
        kind: kind.parse().unwrap_or(Channel::Sms),
        gateway: Gateway {
            id: r.try_get("channel_gateway_id")?,
            inbound_path: format!("/api/v1/channels/{slug}/{}", adapter.inbound_segment()),
            slug,
            name: r.try_get("name")?,
            kind,
            adapter,
            active: r.try_get::<i64, _>("active")? == 1,
            allow_private: r.try_get::<i64, _>("allow_private")? == 1,
            inbound_secret_hint: hint(&inbound_secret),
            reply_url: r.try_get("reply_url")?,
            reply_secret_hint: hint(&reply_secret),
            twilio_account_sid: r.try_get("twilio_account_sid")?,
            twilio_from: r.try_get("twilio_from")?,
            twilio_api_base: r.try_get("twilio_api_base")?,
            twilio_auth_token_hint: hint(&twilio_auth_token),
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        },
        inbound_secret,
        reply_secret,
        twilio_auth_token,
    })
}

/// Every channel, oldest first.
pub async fn list(db: &Db) -> AppResult<Vec<Gateway>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM channel_gateway ORDER BY channel_gateway_id"
    )))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| stored_row(r).map(|s| s.gateway))
        .collect()
}

/// The channel with this slug, secrets included.
pub async fn stored(db: &Db, slug: &str) -> AppResult<Stored> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM channel_gateway WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("channel"))?;
    stored_row(&row)
}

pub async fn get(db: &Db, slug: &str) -> AppResult<Gateway> {
    Ok(stored(db, slug).await?.gateway)
}

/// The active channel of `adapter` that takes inbound messages at `slug`; any other is a 404
/// (an unknown, inactive or other adapter's channel look the same from outside).
pub async fn inbound_channel(db: &Db, slug: &str, adapter: Adapter) -> AppResult<Stored> {
    match stored(db, slug).await {
        Ok(s) if s.gateway.active && s.gateway.adapter == adapter => Ok(s),
        Ok(_) | Err(AppError::NotFound(_)) => Err(AppError::NotFound("channel")),
        Err(e) => Err(e),
    }
}

fn checked_slug(raw: Option<&str>) -> AppResult<String> {
    let slug = raw.map(str::trim).unwrap_or_default();
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_CHARS
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if !ok {
        return Err(AppError::field(
            "slug",
            t!("channels-error-slug", max = MAX_SLUG_CHARS),
        ));
    }
    Ok(slug.to_string())
}

fn checked_line(field: &str, raw: &str, max: usize) -> AppResult<String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(AppError::field(field, t!("error-required")));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(AppError::field(field, t!("crm-err-single-line", max = max)));
    }
    Ok(v.to_string())
}

fn checked_kind(raw: Option<&str>) -> AppResult<Channel> {
    raw.and_then(|k| k.trim().parse::<Channel>().ok())
        .filter(|k| KINDS.contains(k))
        .ok_or_else(|| AppError::field("kind", t!("channels-error-kind")))
}

fn checked_secret(field: &str, secret: &str) -> AppResult<String> {
    let n = secret.chars().count();
    if n < crate::webhooks::MIN_SECRET_CHARS {
        return Err(AppError::field(
            field,
            t!(
                "webhooks-error-secret-short",
                min = crate::webhooks::MIN_SECRET_CHARS
            ),
        ));
    }
    if n > crate::webhooks::MAX_SECRET_CHARS || secret.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            t!(
                "webhooks-error-secret-long",
                max = crate::webhooks::MAX_SECRET_CHARS
            ),
        ));
    }
    Ok(secret.to_string())
}

/// A given secret checked, or none when the field is absent or empty.
fn given_secret(field: &str, raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => checked_secret(field, s).map(Some),
    }
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The settings a channel ends up with after `input` is applied to `current` (none on create).
struct Settings {
    slug: String,
    name: String,
    kind: Channel,
    adapter: Adapter,
    inbound_secret: Option<String>,
    reply_url: Option<String>,
    reply_secret: Option<String>,
    twilio_account_sid: Option<String>,
    twilio_auth_token: Option<String>,
    twilio_from: Option<String>,
    twilio_api_base: Option<String>,
    allow_private: bool,
    active: bool,
    new_secrets: NewSecrets,
}

async fn settings(input: &GatewayInput, current: Option<&Stored>) -> AppResult<Settings> {
    let slug = match (&input.slug, current) {
        (Some(s), _) => checked_slug(Some(s))?,
        (None, Some(c)) => c.gateway.slug.clone(),
        (None, None) => checked_slug(None)?,
    };
    let name = match (given(&input.name), current) {
        (Some(n), _) => checked_line("name", n, MAX_NAME_CHARS)?,
        (None, Some(c)) => c.gateway.name.clone(),
        (None, None) => slug.clone(),
    };
    let kind = match (&input.kind, current) {
        (Some(k), _) => checked_kind(Some(k))?,
        (None, Some(c)) => c.kind,
        (None, None) => checked_kind(None)?,
    };
    let adapter = match (&input.adapter, current) {
        (Some(a), None) => Adapter::parse(a)
            .ok_or_else(|| AppError::field("adapter", t!("channels-error-adapter")))?,
        (Some(a), Some(c)) => match Adapter::parse(a) {
            Some(a) if a == c.gateway.adapter => a,
            _ => {
                return Err(AppError::field(
                    "adapter",
                    t!("channels-error-adapter-fixed"),
                ));
            }
        },
        (None, Some(c)) => c.gateway.adapter,
        (None, None) => Adapter::Generic,
    };
    let allow_private = input
        .allow_private
        .or(current.map(|c| c.gateway.allow_private))
        .unwrap_or(false);
    let active = input
        .active
        .or(current.map(|c| c.gateway.active))
        .unwrap_or(true);
    let mut new_secrets = NewSecrets::default();
    let mut s = Settings {
        slug,
        name,
        kind,
        adapter,
        inbound_secret: None,
        reply_url: None,
        reply_secret: None,
        twilio_account_sid: None,
        twilio_auth_token: None,
        twilio_from: None,
        twilio_api_base: None,
        allow_private,
        active,
        new_secrets: NewSecrets::default(),
    };
    match adapter {
        Adapter::Generic => {
            s.inbound_secret =
                match given_secret("inbound_secret", input.inbound_secret.as_deref())? {
                    Some(secret) => Some(secret),
                    None => match current.and_then(|c| c.inbound_secret.clone()) {
                        Some(kept) => Some(kept),
                        None => {
                            let secret = new_secret();
                            new_secrets.inbound_secret = Some(secret.clone());
                            Some(secret)
                        }
                    },
                };
            s.reply_secret = match given_secret("reply_secret", input.reply_secret.as_deref())? {
                Some(secret) => Some(secret),
                None => match current.and_then(|c| c.reply_secret.clone()) {
                    Some(kept) => Some(kept),
                    None => {
                        let secret = new_secret();
                        new_secrets.reply_secret = Some(secret.clone());
                        Some(secret)
                    }
                },
            };
            let url = given(&input.reply_url)
                .map(str::to_string)
                .or_else(|| current.and_then(|c| c.gateway.reply_url.clone()));
            s.reply_url = Some(
                crate::webhooks::checked_target_url("reply_url", url.as_deref(), allow_private)
                    .await?,
            );
        }
        Adapter::Twilio => {
            let keep = |f: fn(&Gateway) -> Option<String>| current.and_then(|c| f(&c.gateway));
            let sid = given(&input.twilio_account_sid)
                .map(str::to_string)
                .or_else(|| keep(|g| g.twilio_account_sid.clone()))
                .unwrap_or_default();
            s.twilio_account_sid = Some(checked_line("twilio_account_sid", &sid, 64)?);
            let token = given(&input.twilio_auth_token)
                .map(str::to_string)
                .or_else(|| current.and_then(|c| c.twilio_auth_token.clone()))
                .unwrap_or_default();
            s.twilio_auth_token = Some(checked_line("twilio_auth_token", &token, 200)?);
            let from = given(&input.twilio_from)
                .map(str::to_string)
                .or_else(|| keep(|g| g.twilio_from.clone()))
                .unwrap_or_default();
            s.twilio_from = Some(checked_line("twilio_from", &from, 64)?);
            let base = given(&input.twilio_api_base)
                .map(str::to_string)
                .or_else(|| keep(|g| g.twilio_api_base.clone()))
                .unwrap_or_else(|| TWILIO_API_BASE.to_string());
            let base =
                crate::webhooks::checked_target_url("twilio_api_base", Some(&base), allow_private)
                    .await?;
            s.twilio_api_base = Some(base.trim_end_matches('/').to_string());
        }
    }
    s.new_secrets = new_secrets;
    Ok(s)
}

/// A new random secret (`chsec_` and 32 random bytes).
pub fn new_secret() -> String {
    format!("chsec_{}", crate::auth::random_token(32))
}

async fn slug_taken(db: &Db, slug: &str, except: Option<i64>) -> AppResult<bool> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT channel_gateway_id FROM channel_gateway WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&db.pool)
            .await?;
    Ok(id.is_some_and(|id| Some(id) != except))
}

/// Creates a channel; answers it with the secrets it made (shown once).
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    input: &GatewayInput,
    now: Millis,
) -> AppResult<(Gateway, NewSecrets)> {
    let s = settings(input, None).await?;
    if slug_taken(db, &s.slug, None).await? {
        return Err(AppError::Conflict(t!(
            "channels-error-slug-taken",
            slug = s.slug.as_str()
        )));
    }
    sqlx::query(
        "INSERT INTO channel_gateway (slug, name, kind, adapter, inbound_secret, reply_url, reply_secret,
            twilio_account_sid, twilio_auth_token, twilio_from, twilio_api_base, allow_private, active,
            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&s.slug)
    .bind(&s.name)
    .bind(s.kind.as_str())
    .bind(s.adapter.as_str())
    .bind(&s.inbound_secret)
    .bind(&s.reply_url)
    .bind(&s.reply_secret)
    .bind(&s.twilio_account_sid)
    .bind(&s.twilio_auth_token)
    .bind(&s.twilio_from)
    .bind(&s.twilio_api_base)
    .bind(i64::from(s.allow_private))
    .bind(i64::from(s.active))
    .bind(now)
    .execute(&db.pool)
    .await?;
    tracing::info!(slug = %s.slug, adapter = s.adapter.as_str(), "channel created");
    Ok((get(db, &s.slug).await?, s.new_secrets))
}

/// Changes a channel (found by its slug); answers it as it is now.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &Db,
    slug: &str,
    input: &GatewayInput,
    now: Millis,
) -> AppResult<(Gateway, NewSecrets)> {
    let current = stored(db, slug).await?;
    let s = settings(input, Some(&current)).await?;
    if slug_taken(db, &s.slug, Some(current.gateway.id)).await? {
        return Err(AppError::Conflict(t!(
            "channels-error-slug-taken",
            slug = s.slug.as_str()
        )));
    }
    sqlx::query(
        "UPDATE channel_gateway SET slug = $1, name = $2, kind = $3, inbound_secret = $4, reply_url = $5,
            reply_secret = $6, twilio_account_sid = $7, twilio_auth_token = $8, twilio_from = $9,
            twilio_api_base = $10, allow_private = $11, active = $12, updated_at = $13
         WHERE channel_gateway_id = $14",
    )
    .bind(&s.slug)
    .bind(&s.name)
    .bind(s.kind.as_str())
    .bind(&s.inbound_secret)
    .bind(&s.reply_url)
    .bind(&s.reply_secret)
    .bind(&s.twilio_account_sid)
    .bind(&s.twilio_auth_token)
    .bind(&s.twilio_from)
    .bind(&s.twilio_api_base)
    .bind(i64::from(s.allow_private))
    .bind(i64::from(s.active))
    .bind(now)
    .bind(current.gateway.id)
    .execute(&db.pool)
    .await?;
    Ok((get(db, &s.slug).await?, s.new_secrets))
}

/// Deletes a channel. Its tickets and messages stay (they keep their channel kind); replies on
/// its tickets can no longer be sent.
pub async fn delete(db: &Db, slug: &str) -> AppResult<()> {
    let gone = sqlx::query("DELETE FROM channel_gateway WHERE slug = $1")
        .bind(slug)
        .execute(&db.pool)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound("channel"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inbound

/// Who wrote, as the gateway knows them: at least one of `phone`, `handle` and `email`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelSender)]
pub struct InboundFrom {
    /// A phone number (`+49 30 1234-567` is kept as `+49301234567`).
    pub phone: Option<String>,
    /// The sender's handle or user id on the gateway (chat, social).
    pub handle: Option<String>,
    pub email: Option<String>,
    /// A display name for a new customer.
    pub name: Option<String>,
}

/// A file of an inbound message: its content (`data`, base64), or a link to it (`url`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelAttachment)]
pub struct InboundAttachment {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    /// The content, base64 (standard alphabet, padding optional).
    pub data: Option<String>,
    /// Where the gateway keeps it (kept as a link in the message's text).
    pub url: Option<String>,
}

/// One inbound message of a generic gateway. Fields Casebook does not know are ignored.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelInbound)]
pub struct InboundMessage {
    pub from: InboundFrom,
    /// The message's text (may be empty when it has attachments).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<InboundAttachment>,
    /// The gateway's id of the message: the same id again is answered with the message stored
    /// the first time (`duplicate: true`).
    pub external_id: Option<String>,
    /// The gateway's conversation id: the open ticket of that conversation continues.
    pub thread_id: Option<String>,
}

/// What became of an inbound message.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ChannelInboundOutcome)]
pub struct InboundOutcome {
    pub ticket_id: i64,
    pub message_id: i64,
    /// The message started a new ticket.
    pub created_ticket: bool,
    /// The message (its `external_id`) had been received before; nothing new was stored.
    pub duplicate: bool,
}

impl From<IntakeOutcome> for InboundOutcome {
    fn from(o: IntakeOutcome) -> Self {
        InboundOutcome {
            ticket_id: o.ticket_id,
            message_id: o.message_id,
            created_ticket: o.created_ticket,
            duplicate: o.duplicate,
        }
    }
}

/// An optional one-line value of at most [`MAX_ID_CHARS`]; errors name `field`.
fn optional_id(field: &str, raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => checked_line(field, v, MAX_ID_CHARS).map(Some),
    }
}

/// A subject from the first words of a message (or, without text, `fallback`).
pub fn subject_from(text: &str, fallback: &str) -> String {
    let line = single_line(text);
    if line.is_empty() {
        return fallback.to_string();
    }
    if line.chars().count() <= SUBJECT_CHARS {
        return line;
    }
    let mut out = String::new();
    for word in line.split(' ') {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if next.chars().count() > SUBJECT_CHARS {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        out = line.chars().take(SUBJECT_CHARS).collect();
    }
    format!("{out}…")
}

/// The checked parts of a gateway's message, ready for intake.
pub struct Parsed {
    pub contact: Contact,
    pub name: Option<String>,
    pub text: String,
    pub files: Vec<NewAttachment>,
    pub external_id: Option<String>,
    pub thread_id: Option<String>,
    pub reply_phone: Option<String>,
    pub reply_handle: Option<String>,
}

/// Checks a generic inbound message; errors name the field (`from.phone`, `attachments[1].data`);
/// a file over `max_file_bytes` is a 413.
pub fn parse_inbound(
    channel: &Stored,
    m: &InboundMessage,
    max_file_bytes: usize,
) -> AppResult<Parsed> {
    let f = &m.from;
    let phone = match f.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            Some(identity::normalize_phone(p).map_err(|e| AppError::field("from.phone", e))?)
        }
        None => None,
    };
    let handle = optional_id("from.handle", f.handle.as_deref())?;
    let email = match f.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(EmailAddress::parse(e).map_err(|e| AppError::field("from.email", e))?),
        None => None,
    };
    if phone.is_none() && handle.is_none() && email.is_none() {
        return Err(AppError::field("from", t!("channels-error-from")));
    }
    let name = f
        .name
        .as_deref()
        .map(single_line)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NAME_CHARS).collect());
    crate::tickets::check_file_count("attachments", m.attachments.len())?;
    let mut files = Vec::new();
    let mut links = Vec::new();
    for (i, a) in m.attachments.iter().enumerate() {
        let content_type = a
            .content_type
            .as_deref()
            .map(single_line)
            .filter(|c| !c.is_empty() && c.len() <= 200)
            .unwrap_or_else(|| "application/octet-stream".into());
        let filename = a
            .filename
            .as_deref()
            .map(single_line)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(200).collect::<String>());
        match (a.data.as_deref(), a.url.as_deref()) {
            (Some(data), _) => {
                // base64 is 4 characters for 3 bytes: a longer text cannot fit.
                if data.len() / 4 * 3 > max_file_bytes + 3 {
                    return Err(AppError::PayloadTooLarge);
                }
                let content = decode_base64(data).ok_or_else(|| {
                    AppError::field(
                        format!("attachments[{i}].data"),
                        t!("channels-error-base64"),
                    )
                })?;
                if content.len() > max_file_bytes {
                    return Err(AppError::PayloadTooLarge);
                }
                files.push(NewAttachment {
                    filename: filename.unwrap_or_else(|| format!("attachment-{}", i + 1)),
                    content_type,
                    content,
                });
            }
            (None, Some(url)) => {
                let url = send::parse_url(url).map_err(|_| {
                    AppError::field(
                        format!("attachments[{i}].url"),
                        t!("webhooks-error-url-invalid"),
                    )
                })?;
                links.push(match filename {
                    Some(n) => format!("{n} ({content_type}): {url}"),
                    None => format!("({content_type}) {url}"),
                });
            }
            (None, None) => {
                return Err(AppError::field(
                    format!("attachments[{i}]"),
                    t!("channels-error-attachment"),
                ));
            }
        }
    }
    let text = with_links(&m.text, &links);
    let text = text.trim().to_string();
    if text.contains('\0') {
        return Err(AppError::nul("text"));
    }
    if text.chars().count() > crate::tickets::MAX_BODY_CHARS {
        return Err(AppError::field(
            "text",
            t!("error-too-long-chars", max = crate::tickets::MAX_BODY_CHARS),
        ));
    }
    if text.is_empty() && files.is_empty() {
        return Err(AppError::field("text", t!("error-required")));
    }
    let handle_identity = handle
        .as_ref()
        .map(|h| format!("{}:{h}", channel.gateway.slug));
    Ok(Parsed {
        contact: Contact {
            email,
            phone: phone.clone(),
            handle: handle_identity,
        },
        name,
        text,
        files,
        external_id: optional_id("external_id", m.external_id.as_deref())?,
        thread_id: optional_id("thread_id", m.thread_id.as_deref())?,
        reply_phone: phone,
        reply_handle: handle,
    })
}

/// The text with links to files the gateway keeps, one a line.
pub fn with_links(text: &str, links: &[String]) -> String {
    if links.is_empty() {
        return text.to_string();
    }
    let mut out = text.trim_end().to_string();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&links.join("\n"));
    out
}

fn decode_base64(data: &str) -> Option<Vec<u8>> {
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('='))
        })
        .ok()
}

/// Receives a checked message of `channel` through the one intake path.
pub async fn receive(
    db: &Db,
    channel: &Stored,
    p: Parsed,
    now: Millis,
) -> AppResult<InboundOutcome> {
    let fallback = t!(
        "channels-subject-fallback",
        channel = channel.gateway.name.as_str()
    );
    let subject = subject_from(&p.text, &fallback);
    let body = if p.text.is_empty() {
        p.files
            .iter()
            .map(|f| f.filename.clone())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        p.text
    };
    let inbound = NewInbound {
        channel: channel.kind,
        from: Sender::Contact(p.contact),
        from_name: p.name,
        subject,
        body_text: body,
        body_html: None,
        attachments: p.files,
        idempotency: None,
        ticket_id: None,
        priority: None,
        issue_link: false,
        email: None,
        language: Default::default(),
        gateway: Some(GatewayMeta {
            gateway_id: channel.gateway.id,
            external_id: p.external_id,
            thread_id: p.thread_id,
            reply_phone: p.reply_phone,
            reply_handle: p.reply_handle,
        }),
    };
    Ok(intake::receive(db, &inbound, now).await?.into())
}

/// Checks a generic delivery's `Casebook-Signature` against the channel's inbound secret (the
/// CRM webhook's rules: HMAC-SHA256 over `"<t>." + body`, 5 minutes either side).
pub fn verify(
    channel: &Stored,
    header: Option<&str>,
    body: &[u8],
    now: Millis,
) -> Result<crate::customers::webhook::Verified, crate::customers::webhook::Rejection> {
    let secret = channel.inbound_secret.as_deref().unwrap_or_default();
    if secret.is_empty() {
        return Err(crate::customers::webhook::Rejection::BadSignature);
    }
    crate::customers::webhook::verify(secret, header, body, now)
}

/// Records an accepted signature: false when it was accepted before (a replay).
pub async fn accept_signature(
    db: &Db,
    channel: &Stored,
    v: &crate::customers::webhook::Verified,
    now: Millis,
) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let fresh = sqlx::query(
        "INSERT INTO channel_inbound_signature (digest, channel_gateway_id, signed_at, received_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING",
    )
    .bind(&v.digest)
    .bind(channel.gateway.id)
    .bind(v.signed_at)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    // Signatures older than the replay window can no longer verify.
    sqlx::query("DELETE FROM channel_inbound_signature WHERE signed_at < $1")
        .bind(now.div_euclid(1000) - 2 * crate::customers::webhook::REPLAY_WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(fresh)
}

/// Forgets an accepted signature whose delivery then failed, so the sender may retry it.
pub async fn release_signature(db: &Db, v: &crate::customers::webhook::Verified) {
    let done = sqlx::query("DELETE FROM channel_inbound_signature WHERE digest = $1")
        .bind(&v.digest)
        .execute(&db.pool)
        .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "could not forget a failed channel delivery's signature");
    }
}

/// A verified generic delivery: replay check, parse, intake. A replay is a 409; a delivery that
/// fails later (bad field, database down) may be sent again with the same signature.
pub async fn receive_generic(
    db: &Db,
    channel: &Stored,
    verified: &crate::customers::webhook::Verified,
    message: &InboundMessage,
    max_file_bytes: usize,
    now: Millis,
) -> AppResult<InboundOutcome> {
    if !accept_signature(db, channel, verified, now).await? {
        return Err(AppError::Conflict(t!("channels-error-replay")));
    }
    let result = match parse_inbound(channel, message, max_file_bytes) {
        Ok(p) => receive(db, channel, p, now).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        release_signature(db, verified).await;
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Replies

/// When `ticket_id` came through a gateway, queues the agent's public reply `message_id` to go
/// back through it (in the caller's transaction) and answers true; else false (send by email).
pub async fn queue_reply(
    tx: &mut Tx,
    ticket_id: i64,
    message_id: i64,
    now: Millis,
) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT ct.channel_gateway_id, t.channel FROM channel_thread ct JOIN ticket t ON t.ticket_id = ct.ticket_id
         WHERE ct.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(false) };
    let gateway_id: Option<i64> = row.try_get("channel_gateway_id")?;
    let channel: String = row.try_get("channel")?;
    sqlx::query(
        "UPDATE message SET channel = $1, channel_gateway_id = $2, delivery_status = 'queued' WHERE message_id = $3",
    )
    .bind(&channel)
    .bind(gateway_id)
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    outbox::enqueue(
        tx,
        &Job::ChannelReply {
            ticket_id,
            message_id,
        },
        now,
    )
    .await?;
    Ok(true)
}

/// The body of a generic channel's reply request.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyBody {
    /// The same on every attempt (also `Casebook-Delivery`).
    pub id: String,
    pub channel: String,
    pub ticket_id: i64,
    pub message_id: i64,
    pub thread_id: Option<String>,
    pub to: ReplyTo,
    pub text: String,
    pub attachments: Vec<ReplyAttachment>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyTo {
    pub phone: Option<String>,
    pub handle: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyAttachment {
    pub filename: String,
    pub content_type: String,
    /// base64.
    pub data: String,
}

/// What a reply job needs.
struct Reply {
    ticket_id: i64,
    status: Option<String>,
    body_text: String,
    created_at: Millis,
    slug: Option<String>,
    thread_id: Option<String>,
    to_phone: Option<String>,
    to_handle: Option<String>,
}

async fn load_reply(db: &Db, message_id: i64) -> anyhow::Result<Option<Reply>> {
    let row = sqlx::query(
        "SELECT m.ticket_id, m.delivery_status, m.body_text, m.created_at, g.slug, ct.thread_id, ct.to_phone, ct.to_handle
         FROM message m
         LEFT JOIN channel_thread ct ON ct.ticket_id = m.ticket_id
         LEFT JOIN channel_gateway g ON g.channel_gateway_id = ct.channel_gateway_id
         WHERE m.message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Reply {
        ticket_id: r.try_get("ticket_id")?,
        status: r.try_get("delivery_status")?,
        body_text: r.try_get("body_text")?,
        created_at: r.try_get("created_at")?,
        slug: r.try_get("slug")?,
        thread_id: r.try_get("thread_id")?,
        to_phone: r.try_get("to_phone")?,
        to_handle: r.try_get("to_handle")?,
    }))
}

async fn reply_attachments(db: &Db, message_id: i64) -> anyhow::Result<Vec<ReplyAttachment>> {
    let rows = sqlx::query(
        "SELECT filename, content_type, content FROM attachment WHERE message_id = $1 ORDER BY attachment_id",
    )
    .bind(message_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let content: Vec<u8> = r.try_get("content")?;
            Ok(ReplyAttachment {
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                data: base64::engine::general_purpose::STANDARD.encode(content),
            })
        })
        .collect()
}

/// Whether a failed attempt is worth repeating: no answer, a server error, a timeout or a
/// "slow down"; other 4xx answers mean the gateway refuses this reply.
fn transient(outcome: &send::Outcome) -> bool {
    match outcome.status_code {
        None => !outcome
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("refused")),
        Some(code) => code >= 500 || matches!(code, 408 | 425 | 429) || (300..400).contains(&code),
    }
}

/// The `channel.reply` job: sends an agent's reply to the ticket's gateway. Delivered: marked
/// `sent` (with the gateway's id for it, when it answers one). Refused for good (a 4xx, no
/// channel any more): marked `failed` on the message, as a failed email is. Otherwise the job
/// fails and the outbox retries it with backoff; after the last attempt it is marked failed.
#[tracing::instrument(skip_all, fields(message_id, attempt = attempts))]
pub async fn run_reply_job(
    state: &AppState,
    job_id: i64,
    worker: &str,
    attempts: i64,
    message_id: i64,
) -> anyhow::Result<()> {
    let db = &state.db;
    let now = state.now();
    let Some(reply) = load_reply(db, message_id).await? else {
        return outbox::finish(db.begin().await?, job_id, now).await;
    };
    if matches!(reply.status.as_deref(), Some("sent" | "failed")) {
        return outbox::finish(db.begin().await?, job_id, now).await;
    }
    let channel = match &reply.slug {
        Some(slug) => match stored(db, slug).await {
            Ok(c) => Some(c),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(anyhow::anyhow!("{e}")),
        },
        None => None,
    };
    let Some(channel) = channel.filter(|c| c.gateway.active) else {
        let mut tx = db.begin().await?;
        let why = "the ticket's channel was removed or is inactive; the reply was not sent";
        crate::notify::record_failure(&mut tx, reply.ticket_id, message_id, why, now).await?;
        return outbox::finish(tx, job_id, now).await;
    };
    let needed = state.config.webhook_timeout_ms as i64 + 2_000;
    let lease = state.config.outbox_lease_ms.max(needed);
    if !outbox::renew_lease(db, job_id, worker, now, lease).await? {
        return Ok(());
    }
    let (outcome, external_id) = match channel.gateway.adapter {
        Adapter::Generic => send_generic(state, &channel, &reply, message_id).await?,
        Adapter::Twilio => {
            twilio::send_reply(
                state,
                &channel,
                &reply_text(&reply),
                reply.to_phone.as_deref(),
            )
            .await
        }
    };
    let mut tx = db.begin().await?;
    if outcome.ok {
        sqlx::query(
            "UPDATE message SET delivery_status = 'sent', delivery_error = NULL,
                external_id = COALESCE(external_id, $1) WHERE message_id = $2",
        )
        .bind(external_id)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        return outbox::finish(tx, job_id, now).await;
    }
    let error = send::clean(outcome.error.as_deref().unwrap_or("failed"), 1000);
    if !transient(&outcome) || attempts >= outbox::MAX_ATTEMPTS {
        crate::notify::record_failure(&mut tx, reply.ticket_id, message_id, &error, now).await?;
        return outbox::finish(tx, job_id, now).await;
    }
    sqlx::query("UPDATE message SET delivery_error = $1 WHERE message_id = $2")
        .bind(&error)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    anyhow::bail!(
        "reply through channel {} failed: {error}",
        channel.gateway.slug
    )
}

fn reply_text(reply: &Reply) -> String {
    reply.body_text.clone()
}

/// The delivery id of a reply: the same on every attempt.
pub fn reply_delivery_id(message_id: i64) -> String {
    format!("reply-{message_id}")
}

async fn send_generic(
    state: &AppState,
    channel: &Stored,
    reply: &Reply,
    message_id: i64,
) -> anyhow::Result<(send::Outcome, Option<String>)> {
    let uid = reply_delivery_id(message_id);
    let body = ReplyBody {
        id: uid.clone(),
        channel: channel.gateway.slug.clone(),
        ticket_id: reply.ticket_id,
        message_id,
        thread_id: reply.thread_id.clone(),
        to: ReplyTo {
            phone: reply.to_phone.clone(),
            handle: reply.to_handle.clone(),
        },
        text: reply_text(reply),
        attachments: reply_attachments(&state.db, message_id).await?,
        created_at: crate::webhooks::rfc3339(reply.created_at),
    };
    let body = serde_json::to_string(&body)?;
    let outgoing = send::Outgoing {
        url: channel.gateway.reply_url.as_deref().unwrap_or_default(),
        allow_private: channel.gateway.allow_private,
        secret: channel.reply_secret.as_deref().unwrap_or_default(),
        uid: &uid,
        event: "channel.reply",
        body: &body,
    };
    let outcome = state
        .webhooks
        .send(&outgoing, state.now().div_euclid(1000))
        .await;
    // A gateway may answer `{"id": "..."}`: its id for the message, kept with it.
    let external_id = outcome
        .snippet
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .map(|id| id.chars().take(MAX_ID_CHARS).collect());
    Ok((outcome, external_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_the_first_words() {
        assert_eq!(
            subject_from("  My  parcel\nis late ", "x"),
            "My parcel is late"
        );
        assert_eq!(subject_from("", "SMS"), "SMS");
        let long = "word ".repeat(30);
        let s = subject_from(&long, "x");
        assert!(s.ends_with('…'));
        assert!(s.chars().count() <= SUBJECT_CHARS + 1);
        let one = "a".repeat(100);
        assert_eq!(subject_from(&one, "x").chars().count(), SUBJECT_CHARS + 1);
    }

    #[test]
    fn links_follow_the_text() {
        assert_eq!(with_links("hi", &[]), "hi");
        assert_eq!(with_links("hi ", &["a".into(), "b".into()]), "hi\n\na\nb");
        assert_eq!(with_links("", &["a".into()]), "a");
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("aGk").unwrap(), b"hi");
        assert_eq!(decode_base64("aG\nk=").unwrap(), b"hi");
        assert!(decode_base64("***").is_none());
    }

    #[test]
    fn only_passing_failures_are_retried() {
        let o = |code: Option<i64>, error: &str| send::Outcome {
            ok: false,
            status_code: code,
            latency_ms: 0,
            error: Some(error.into()),
            snippet: None,
        };
        assert!(transient(&o(Some(503), "HTTP 503")));
        assert!(transient(&o(Some(429), "HTTP 429")));
        assert!(transient(&o(None, "timed out after 10 ms")));
        assert!(!transient(&o(Some(400), "HTTP 400")));
        assert!(!transient(&o(
            None,
            "refused: 10.0.0.1 is a private address"
        )));
    }
}
