//! Email into the one intake path: keep the raw bytes, parse, classify (auto-reply, bounce),
//! apply the per-sender cap, then `intake::receive` — or quarantine with a reason. Never drops mail.

use super::{EmailMeta, IdempotencyKey, MailKind, NewAttachment, NewInbound};
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Channel, EmailAddress, single_line, without_nul};
use crate::email::{self, Limits, ParsedEmail};
use crate::error::AppError;
use crate::state::AppState;
use crate::tickets::{MAX_BODY_CHARS, MAX_SUBJECT_CHARS};
use anyhow::Result;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Where a raw message came from (for checkpoints and the admin's view).
#[derive(Debug, Clone)]
pub struct Source {
    pub mailbox: String,
    pub uidvalidity: Option<i64>,
    pub uid: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    Ticket {
        ticket_id: i64,
        message_id: i64,
        created: bool,
    },
    /// Seen before (same Message-ID from the same sender, or the same bytes).
    Duplicate,
    Quarantined {
        quarantine_id: i64,
        reason: &'static str,
    },
    /// A bounce matched to the mail it bounces; the outbound message is marked failed.
    Bounce { ticket_id: i64 },
}

/// How strictly to apply the automatic checks (admins can override them when releasing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Skip the sender cap and auto-reply rule: the admin decided this is a real message.
    Release,
}

/// Whatever a sender put in their mail, it can be stored on both databases and placed in headers
/// of our replies: no NUL anywhere, no line breaks in names and ids.
fn storable(mut p: ParsedEmail) -> ParsedEmail {
    p.text = without_nul(&p.text);
    p.visible_text = without_nul(&p.visible_text);
    p.html = p.html.as_deref().map(without_nul);
    p.subject = without_nul(&p.subject);
    p.from_name = p
        .from_name
        .as_deref()
        .map(single_line)
        .filter(|n| !n.is_empty());
    p.message_id = p
        .message_id
        .as_deref()
        .map(single_line)
        .filter(|m| !m.is_empty());
    p.in_reply_to = p.in_reply_to.iter().map(|m| single_line(m)).collect();
    p.references = p.references.iter().map(|m| single_line(m)).collect();
    for a in &mut p.attachments {
        a.filename = a.filename.as_deref().map(single_line);
        a.content_type = single_line(&a.content_type);
    }
    p
}

pub fn content_hash(raw: &[u8]) -> String {
    hex::encode(Sha256::digest(raw))
}

/// Stores the raw message unless the same bytes are already stored; returns its id and whether it
/// was already fully handled (became a message or a quarantine row).
async fn store_raw(
    db: &Db,
    src: &Source,
    raw: &[u8],
    hash: &str,
    now: Millis,
) -> Result<(i64, bool)> {
    let existing = sqlx::query(
        "SELECT r.raw_email_id,
            (SELECT COUNT(*) FROM message m WHERE m.raw_email_id = r.raw_email_id)
          + (SELECT COUNT(*) FROM quarantine q WHERE q.raw_email_id = r.raw_email_id) AS uses
         FROM raw_email r WHERE r.content_hash = $1 ORDER BY r.raw_email_id LIMIT 1",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?;
    if let Some(row) = existing {
        return Ok((
            row.try_get("raw_email_id")?,
            row.try_get::<i64, _>("uses")? > 0,
        ));
    }
    Ok((insert_raw(db, src, raw, hash, now).await?, false))
}

/// Keeps the bytes of a message exactly as received.
pub async fn insert_raw(db: &Db, src: &Source, raw: &[u8], hash: &str, now: Millis) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO raw_email (mailbox, uidvalidity, uid, content_hash, size_bytes, content, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING raw_email_id",
    )
    .bind(&src.mailbox)
    .bind(src.uidvalidity)
    .bind(src.uid)
    .bind(hash)
    .bind(raw.len() as i64)
    .bind(raw)
    .bind(now)
    .fetch_one(&db.pool)
    .await?)
}

pub struct QuarantineRecord<'a> {
    pub raw_email_id: i64,
    pub reason: &'static str,
    pub detail: &'a str,
    pub sender: Option<&'a str>,
    pub subject: Option<&'a str>,
}

pub async fn quarantine(db: &Db, q: QuarantineRecord<'_>, now: Millis) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO quarantine (raw_email_id, reason, detail, sender, subject, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'held', $6) RETURNING quarantine_id",
    )
    .bind(q.raw_email_id)
    .bind(q.reason)
    .bind(single_line(q.detail))
    .bind(q.sender.map(single_line))
    .bind(
        q.subject
            .map(|s| single_line(s).chars().take(300).collect::<String>()),
    )
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    tracing::warn!(
        quarantine_id = id,
        reason = q.reason,
        detail = q.detail,
        "email quarantined"
    );
    Ok(id)
}

fn clean_subject(subject: &str) -> String {
    let s: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s: String = s.chars().take(MAX_SUBJECT_CHARS).collect();
    if s.is_empty() {
        "(no subject)".into()
    } else {
        s
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 40).collect();
    s.push_str("\n\n[… shortened; the full message is kept]");
    s
}

/// Takes one raw message through the intake path. Errors are storage failures worth retrying;
/// everything about the message itself ends in a ticket, a duplicate, or a quarantine row.
pub async fn ingest(state: &AppState, src: &Source, raw: &[u8], mode: Mode) -> Result<Ingested> {
    let now = state.now();
    let hash = content_hash(raw);
    let (raw_id, handled) = store_raw(&state.db, src, raw, &hash, now).await?;
    if handled && mode == Mode::Normal {
        return Ok(Ingested::Duplicate);
    }
    ingest_stored(state, raw_id, raw, &hash, mode).await
}

/// Messages at least this large are parsed on the blocking pool.
const PARSE_OFF_THREAD_BYTES: usize = 256 * 1024;

/// The part of `ingest` after the raw bytes are safely stored (also used to retry quarantine).
pub async fn ingest_stored(
    state: &AppState,
    raw_id: i64,
    raw: &[u8],
    hash: &str,
    mode: Mode,
) -> Result<Ingested> {
    let now = state.now();
    let db = &state.db;
    let limits = Limits {
        max_message_bytes: state.config.max_email_bytes,
        max_attachment_bytes: state.config.max_attachment_bytes,
    };
    let held = |reason: &'static str,
                detail: String,
                sender: Option<String>,
                subject: Option<String>| async move {
        let id = quarantine(
            db,
            QuarantineRecord {
                raw_email_id: raw_id,
                reason,
                detail: &detail,
                sender: sender.as_deref(),
                subject: subject.as_deref(),
            },
            now,
        )
        .await?;
        Ok::<_, anyhow::Error>(Ingested::Quarantined {
            quarantine_id: id,
            reason,
        })
    };
    // Parsing a large message (attachments to decode, HTML to clean) takes a while: off the
    // async threads, so it never holds up requests.
    let parsed = if raw.len() >= PARSE_OFF_THREAD_BYTES {
        let bytes = raw.to_vec();
        match tokio::task::spawn_blocking(move || email::parse(&bytes, &limits)).await {
            Ok(parsed) => parsed,
            Err(e) => {
                let why = format!("the parser failed on this message: {e}");
                return held("parse_error", why, None, None).await;
            }
        }
    } else {
        email::parse(raw, &limits)
    };
    let parsed = match parsed {
        Ok(p) => storable(p),
        Err(e) => return held(e.code(), e.to_string(), None, None).await,
    };
    let sender = parsed.from_address.clone();
    let subject = Some(parsed.subject.clone());
    if let email::MailKind::Receipt {
        original_message_id,
        disposition,
    } = &parsed.kind
    {
        // A read receipt is never a customer message: held as `receipt`, naming the ticket of
        // the message that was read when it is ours.
        let ticket: Option<i64> = match original_message_id {
            Some(mid) => sqlx::query_scalar(
                "SELECT ticket_id FROM message WHERE email_message_id = $1 ORDER BY message_id LIMIT 1",
            )
            .bind(mid)
            .fetch_optional(&db.pool)
            .await?,
            None => None,
        };
        let what = disposition.as_deref().unwrap_or("read");
        let detail = match ticket {
            Some(t) => format!("read receipt ({what}) for our message on ticket #{t}"),
            None => format!("read receipt ({what}) for a message that is not ours"),
        };
        return held("receipt", detail, sender, subject).await;
    }
    if let email::MailKind::Bounce {
        original_message_id,
        recipient,
        status,
    } = &parsed.kind
    {
        return record_bounce(
            state,
            raw_id,
            &parsed,
            original_message_id.as_deref(),
            recipient.as_deref(),
            status.as_deref(),
        )
        .await;
    }
    // Machine reports (receipts, bounces) are recognised by their structure, with or without a
    // From header; everything else needs a sender.
    let Some(from) = parsed
        .from_address
        .as_deref()
        .and_then(|a| EmailAddress::parse(a).ok())
    else {
        return held(
            "no_sender",
            "no usable From address".into(),
            sender,
            subject,
        )
        .await;
    };
    if mode == Mode::Normal
        && state.config.spoof_check
        && let email::authres::SenderCheck::Fail(why) =
            email::authres::sender_check(&parsed.auth_results, state.config.authserv_id.as_deref())
    {
        return held(
            "spoofed",
            format!("the receiving mail server says the sender is forged: {why}"),
            sender,
            subject,
        )
        .await;
    }
    let auto_reply = parsed.kind.is_automated();
    let mut meta = EmailMeta {
        message_id: parsed.message_id.clone(),
        in_reply_to: parsed.in_reply_to.clone(),
        references: parsed.references.clone(),
        subject_token: email::ticket_token_from_subject(&parsed.subject),
        address_token: parsed
            .to
            .iter()
            .chain(parsed.cc.iter())
            .find_map(|a| email::ticket_token_from_address(a)),
        full_text: parsed.text.clone(),
        raw_email_id: raw_id,
        reuses_message_id_of: None,
        cc: copied(state, &parsed, from.as_str()),
        kind: match &parsed.kind {
            email::MailKind::Normal => MailKind::Normal,
            email::MailKind::ListMessage { .. } => MailKind::List,
            _ => MailKind::AutoReply,
        },
    };
    if mode == Mode::Normal {
        if auto_reply
            && !parsed.kind.is_from_a_person()
            && !refers_to_known_ticket(db, &meta).await?
        {
            let why = match &parsed.kind {
                email::MailKind::AutoReply { reason } => reason.clone(),
                email::MailKind::FeedbackReport { feedback_type, .. } => {
                    format!("feedback report {}", feedback_type.as_deref().unwrap_or(""))
                }
                _ => String::new(),
            };
            return held(
                "auto_reply",
                format!("automatic reply not answering any ticket ({why})"),
                sender,
                subject,
            )
            .await;
        }
        let sent_at = sender_clock(parsed.date_ms, now);
        sqlx::query("UPDATE raw_email SET sent_at = $1 WHERE raw_email_id = $2")
            .bind(sent_at)
            .bind(raw_id)
            .execute(&db.pool)
            .await?;
        let recent = sender_messages_in_hour_before(db, from.as_str(), sent_at).await?;
        if recent >= state.config.email_rate_per_hour {
            return held(
                "rate_limited",
                format!(
                    "{recent} messages from this sender within the hour before this one was sent"
                ),
                sender,
                subject,
            )
            .await;
        }
    }
    let body = if parsed.visible_text.trim().is_empty() {
        parsed.text.clone()
    } else {
        parsed.visible_text.clone()
    };
    let mut body = if body.trim().is_empty() {
        if parsed.attachments.is_empty() {
            "(no text)".to_string()
        } else {
            "(attachments only)".to_string()
        }
    } else {
        clip(&body, MAX_BODY_CHARS - 2_000)
    };
    for a in parsed.attachments.iter().filter(|a| a.content_omitted) {
        body.push_str(&format!(
            "\n[attachment {} ({} KB) was over the size limit and is kept only in the original message]",
            a.filename.as_deref().unwrap_or("without a name"),
            a.size / 1024
        ));
    }
    // A Message-ID is only trusted together with its sender (another sender reusing it is a new
    // message) and its content: the same sender sending different text under an old Message-ID
    // (a broken client, a template) is a new message too, keyed by its bytes, never silence.
    let mut key = match &parsed.message_id {
        Some(mid) => format!("mid:{mid}|{}", from.as_str()),
        None => format!("sha:{hash}"),
    };
    if parsed.message_id.is_some()
        && let Some((earlier, earlier_text)) = message_under_key(db, &key).await?
        && normalize_for_compare(&earlier_text) != normalize_for_compare(&parsed.text)
    {
        tracing::warn!(
            earlier,
            "a different message reuses an earlier Message-ID; taking it as a new message"
        );
        key = format!("{key}|sha:{hash}");
        meta.reuses_message_id_of = Some(earlier);
    }
    let idempotency = Some(IdempotencyKey {
        scope: "email".into(),
        key,
    });
    let inbound = NewInbound {
        channel: Channel::Email,
        from: super::Sender::Email(from),
        from_name: parsed
            .from_name
            .clone()
            .map(|n| n.chars().take(200).collect()),
        subject: clean_subject(&parsed.subject),
        body_text: body,
        body_html: parsed.html.clone(),
        attachments: parsed
            .attachments
            .iter()
            .filter(|a| !a.content_omitted)
            .take(super::MAX_ATTACHMENTS)
            .map(|a| NewAttachment {
                filename: a.filename.clone().unwrap_or_else(|| "attachment".into()),
                content_type: a.content_type.clone(),
                content: a.content.clone(),
            })
            .collect(),
        idempotency,
        ticket_id: None,
        priority: None,
        issue_link: false,
        language: Default::default(),
        email: Some(meta),
        gateway: None,
    };
    match super::receive(db, &inbound, now).await {
        Ok(out) if out.duplicate => {
            sqlx::query("UPDATE raw_email SET duplicate_of = $1 WHERE raw_email_id = $2")
                .bind(out.message_id)
                .bind(raw_id)
                .execute(&db.pool)
                .await?;
            Ok(Ingested::Duplicate)
        }
        Ok(out) => {
            if out.created_ticket {
                state.metrics.ticket_created(Channel::Email);
            }
            Ok(Ingested::Ticket {
                ticket_id: out.ticket_id,
                message_id: out.message_id,
                created: out.created_ticket,
            })
        }
        Err(AppError::Validation { field, message }) => {
            held("parse_error", format!("{field} {message}"), sender, subject).await
        }
        Err(AppError::Internal(e)) => Err(e),
        Err(other) => Err(anyhow::anyhow!("{other}")),
    }
}

fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(e) => e,
        other => anyhow::anyhow!("{other}"),
    }
}

/// How many of the newest 100,000 stored emails are neither a message, a duplicate of one, nor
/// held in quarantine (older than a minute: younger ones may still be on their way). Anything
/// but 0 means mail was absorbed without a trace.
pub async fn unaccounted(db: &Db, now: Millis) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM raw_email r
         WHERE r.raw_email_id > (SELECT COALESCE(MAX(raw_email_id), 0) - 100000 FROM raw_email)
           AND r.received_at < $1
           AND r.duplicate_of IS NULL
           AND NOT EXISTS (SELECT 1 FROM message m WHERE m.raw_email_id = r.raw_email_id)
           AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.raw_email_id = r.raw_email_id)",
    )
    .bind(now - 60_000)
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// The message an email idempotency key already stands for, with its full text as received
/// (None for a message stored without it: nothing to compare, so it stays a duplicate).
async fn message_under_key(db: &Db, key: &str) -> Result<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT m.message_id, m.full_text
         FROM inbound_key k JOIN message m ON m.message_id = k.message_id
         WHERE k.scope = 'email' AND k.idem_key = $1",
    )
    .bind(key)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let id: i64 = r.try_get("message_id")?;
    let text: Option<String> = r.try_get("full_text")?;
    Ok(text.map(|t| (id, t)))
}

/// Text compared for "the same message": whitespace runs and line endings do not count (a copy
/// that went through another server may be re-wrapped or re-encoded).
fn normalize_for_compare(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn refers_to_known_ticket(db: &Db, meta: &EmailMeta) -> Result<bool> {
    for id in meta
        .in_reply_to
        .iter()
        .chain(meta.references.iter())
        .take(50)
    {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message WHERE email_message_id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(meta.subject_token.is_some() || meta.address_token.is_some())
}

/// The people a customer's mail also went to, for the ticket's Cc: its To and Cc addresses
/// without the sender and without our own — the support address, the mailboxes we read, and
/// anything at the support address's domain (never copy ourselves). When neither the support
/// address nor a mailbox is configured, only Cc is used.
fn copied(state: &AppState, parsed: &ParsedEmail, sender: &str) -> Vec<String> {
    let support = state
        .config
        .support_address
        .as_deref()
        .and_then(|s| s.rsplit('<').next())
        .map(|s| s.trim_end_matches('>').trim().to_lowercase());
    let own_domain = support
        .as_deref()
        .and_then(|s| s.rsplit_once('@'))
        .map(|(_, d)| d.to_string());
    let mailboxes: Vec<String> = state
        .config
        .mailboxes
        .iter()
        .map(|m| m.user.to_lowercase())
        .collect();
    // Without a known address of ours, the To line cannot be told apart from us: only Cc counts.
    let to: &[String] = if support.is_some() || !mailboxes.is_empty() {
        &parsed.to
    } else {
        &[]
    };
    let mut out: Vec<String> = Vec::new();
    for raw in to.iter().chain(parsed.cc.iter()) {
        let Ok(addr) = EmailAddress::parse(raw) else {
            continue;
        };
        let a = addr.as_str().to_string();
        let domain = a.rsplit_once('@').map(|(_, d)| d);
        let ours = support.as_deref() == Some(a.as_str())
            || mailboxes.contains(&a)
            || (own_domain.is_some() && domain == own_domain.as_deref());
        if !ours && a != sender && !out.contains(&a) {
            out.push(a);
        }
    }
    out.truncate(crate::tickets::MAX_CC);
    out
}

/// How far back a message's own Date is believed: older dates count as this old.
const SENDER_CLOCK_MAX_AGE_MS: i64 = 30 * 24 * 3_600_000;

/// When the sender sent the message, by its Date header, bounded by its arrival: never later
/// than now, at most 30 days earlier; arrival time when it has no usable Date.
fn sender_clock(date_ms: Option<i64>, now: Millis) -> Millis {
    date_ms.map_or(now, |d| d.clamp(now - SENDER_CLOCK_MAX_AGE_MS, now))
}

/// The per-sender cap counts by the sender's own clock: how many of this sender's stored
/// messages were sent in the hour up to `sent_at`. A loop (an auto-responder answering every
/// acknowledgement) sends in real time and trips it; a backlog read after downtime carries the
/// dates it was written on and spreads over the hours it was written in. Only messages that
/// arrived in the hour before `sent_at` or later can qualify (a message's clock is never later
/// than its arrival), which keeps the count on the (customer, created_at) index.
async fn sender_messages_in_hour_before(db: &Db, sender: &str, sent_at: Millis) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM message m
         JOIN customer_identity ci ON ci.customer_id = m.customer_id
         JOIN raw_email r ON r.raw_email_id = m.raw_email_id
         WHERE ci.kind = 'email' AND ci.value = $1 AND m.created_at > $2
           AND COALESCE(r.sent_at, r.received_at) > $2 AND COALESCE(r.sent_at, r.received_at) <= $3",
    )
    .bind(sender)
    .bind(sent_at - 3_600_000)
    .bind(sent_at)
    .fetch_one(&db.pool)
    .await?)
}

/// Marks the outbound message a bounce refers to as failed and shows it on the ticket.
async fn record_bounce(
    state: &AppState,
    raw_id: i64,
    parsed: &ParsedEmail,
    original: Option<&str>,
    recipient: Option<&str>,
    status: Option<&str>,
) -> Result<Ingested> {
    let now = state.now();
    let db = &state.db;
    let mut candidates: Vec<&str> = original.into_iter().collect();
    candidates.extend(parsed.in_reply_to.iter().map(String::as_str));
    candidates.extend(parsed.references.iter().map(String::as_str));
    for mid in candidates {
        let row = sqlx::query("SELECT message_id, ticket_id FROM message WHERE email_message_id = $1 AND author_kind IN ('agent', 'system') LIMIT 1")
            .bind(mid)
            .fetch_optional(&db.pool)
            .await?;
        let Some(row) = row else { continue };
        let message_id: i64 = row.try_get("message_id")?;
        let ticket_id: i64 = row.try_get("ticket_id")?;
        let detail = format!(
            "delivery to {} failed{}",
            recipient.unwrap_or("the customer"),
            status.map(|s| format!(" (status {s})")).unwrap_or_default()
        );
        let mut tx = db.begin().await?;
        crate::notify::record_failure(&mut tx, ticket_id, message_id, &detail, now).await?;
        // The bounce itself is kept as an internal note, so nothing received is invisible.
        let note = format!("Bounce: {detail}");
        let reason = note!("thread-bounce", id = mid);
        let mut edit = crate::tickets::commands::open(
            &mut tx,
            ticket_id,
            crate::tickets::Actor::System,
            crate::tickets::Expect::Any,
            now,
        )
        .await
        .map_err(app_err)?;
        edit.add_message(
            &mut tx,
            &crate::tickets::NewMessage {
                author_kind: "system",
                visibility: Some(crate::domain::Visibility::Internal),
                body_text: &note,
                full_text: Some(&parsed.text),
                mail_kind: Some("bounce"),
                raw_email_id: Some(raw_id),
                thread_reason_note: Some(&reason),
                ..Default::default()
            },
        )
        .await
        .map_err(app_err)?;
        edit.save(&mut tx).await.map_err(app_err)?;
        tx.commit().await?;
        return Ok(Ingested::Bounce { ticket_id });
    }
    let id = quarantine(
        db,
        QuarantineRecord {
            raw_email_id: raw_id,
            reason: "bounce",
            detail: "bounce that matches no message Casebook sent",
            sender: parsed.from_address.as_deref(),
            subject: Some(&parsed.subject),
        },
        now,
    )
    .await?;
    Ok(Ingested::Quarantined {
        quarantine_id: id,
        reason: "bounce",
    })
}
