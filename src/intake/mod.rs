//! The one intake path. Every channel (web form, API, email) turns its input into a `NewInbound`
//! and calls `receive`: dedupe by idempotency key, match or create the customer, create a ticket
//! or thread onto an existing one, store attachments, and write outbox jobs — in one transaction.

pub mod email;
pub mod imap;
pub mod quarantine;

use crate::customers;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Channel, CustomerMessageEffect, EmailAddress, Priority};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::i18n::Note;
use crate::outbox;
use crate::tickets::{self, Actor, Expect};
use sqlx::Row;

pub use crate::tickets::NewAttachment;

/// Identifies one submission so that a retry creates nothing new.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// Who issued the key: `web`, `api:<agent id>`, `email`, `quarantine`.
    pub scope: String,
    pub key: String,
}

/// Scope of the keys the public web form sends.
pub const WEB_SCOPE: &str = "web";

/// Scope of the `Idempotency-Key` headers one API client sends (keys are per agent).
pub fn api_scope(agent_id: i64) -> String {
    format!("api:{agent_id}")
}

/// Who wrote: an email address (mail, the web form, the API), or what a messaging gateway
/// knows (a phone number, a handle, perhaps an address).
#[derive(Debug, Clone)]
pub enum Sender {
    Email(EmailAddress),
    Contact(customers::Contact),
    /// A customer already known: one writing through their ticket's private link (who may have
    /// no email address, having written by SMS or chat).
    Customer(i64),
}

/// Facts only a messaging gateway (SMS, chat, social) has.
#[derive(Debug, Clone)]
pub struct GatewayMeta {
    pub gateway_id: i64,
    /// The gateway's id of the message: the same id twice is one message.
    pub external_id: Option<String>,
    /// The gateway's conversation id: an open ticket of that conversation continues.
    pub thread_id: Option<String>,
    /// Where replies go (normalized phone number, handle as the gateway knows it).
    pub reply_phone: Option<String>,
    pub reply_handle: Option<String>,
}

/// How long after its last change a customer's open ticket on a gateway still takes their next
/// message when the gateway names no conversation.
pub const GATEWAY_THREAD_WINDOW_MS: i64 = 7 * 24 * 3_600_000;

#[derive(Debug, Clone)]
pub struct NewInbound {
    pub channel: Channel,
    pub from: Sender,
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
    /// Facts only email has: ids for threading, the full text, the raw message.
    pub email: Option<EmailMeta>,
    /// What the channel says about the customer's language.
    pub language: LanguageHint,
    /// Facts only a messaging gateway has.
    pub gateway: Option<GatewayMeta>,
}

/// What a channel knows about the language a customer writes in. The customer's language (their
/// pages and mail follow it) is, in order: one they picked on our pages, the one the message is
/// written in, the one their browser or mail program named.
#[derive(Debug, Clone, Copy, Default)]
pub struct LanguageHint {
    /// Picked on the public pages (the language links; remembered in a cookie).
    pub chosen: Option<Locale>,
    /// The browser's `Accept-Language` or the mail's `Content-Language`.
    pub declared: Option<Locale>,
}

impl LanguageHint {
    /// The language a customer writing `text` speaks, if anything says.
    pub fn decide(&self, text: &str) -> Option<Locale> {
        self.chosen
            .or_else(|| Locale::detect(text))
            .or(self.declared)
    }
}

/// What kind of mail a message is; automatic mail never gets an automatic answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Normal,
    AutoReply,
    /// A person writing through a mailing list or group: a customer message (it reopens and
    /// threads like any other), but never acknowledged.
    List,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Normal => "normal",
            MailKind::AutoReply => "auto_reply",
            MailKind::List => "list",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EmailMeta {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// `[#1234-k7q2m9xd]` in the subject.
    pub subject_token: Option<crate::email::TicketRef>,
    /// `support+t1234-k7q2m9xd@…` in a recipient address.
    pub address_token: Option<crate::email::TicketRef>,
    /// The whole text as received, quoted history and signature included.
    pub full_text: String,
    pub raw_email_id: i64,
    pub kind: MailKind,
    /// An earlier message (its id) had this Message-ID and sender but different content.
    pub reuses_message_id_of: Option<i64>,
    /// The other people the mail went to (To and Cc, without our own addresses and the
    /// sender): copied on the ticket.
    pub cc: Vec<String>,
}

/// How an inbound message found its ticket (recorded on the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadReason {
    NewTicket,
    /// The customer wrote through their private link.
    PrivateLink,
    InReplyTo(String),
    References(String),
    SubjectToken(i64),
    AddressToken(i64),
    /// Looked like a reply to a ticket of another customer: a new ticket, never theirs.
    ForeignReference(i64),
    /// A reply to a closed ticket starts a follow-up.
    FollowUp(i64),
    /// A gateway's message of a conversation an open ticket already holds.
    GatewayThread(String),
    /// A gateway's message without a known conversation, onto the customer's open ticket of
    /// that gateway changed within [`GATEWAY_THREAD_WINDOW_MS`].
    GatewayRecent(i64),
}

impl ThreadReason {
    /// In English ("In-Reply-To matches message <…>").
    pub fn describe(&self) -> String {
        self.note().english()
    }

    /// In each reader's language.
    pub fn note(&self) -> Note {
        match self {
            ThreadReason::NewTicket => note!("thread-new-ticket"),
            ThreadReason::PrivateLink => note!("thread-private-link"),
            ThreadReason::InReplyTo(id) => note!("thread-in-reply-to", id = id),
            ThreadReason::References(id) => note!("thread-references", id = id),
            ThreadReason::SubjectToken(t) => note!("thread-subject", ticket = t.to_string()),
            ThreadReason::AddressToken(t) => note!("thread-address", ticket = t.to_string()),
            ThreadReason::ForeignReference(t) => {
                note!("thread-foreign", ticket = t.to_string())
            }
            ThreadReason::FollowUp(t) => note!("thread-follow-up", ticket = t.to_string()),
            ThreadReason::GatewayThread(id) => note!("thread-gateway-conversation", id = id),
            ThreadReason::GatewayRecent(t) => note!(
                "thread-gateway-recent",
                ticket = t.to_string(),
                days = (GATEWAY_THREAD_WINDOW_MS / 86_400_000).to_string()
            ),
        }
    }
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
    pub thread_reason: ThreadReason,
}

pub use crate::tickets::MAX_ATTACHMENTS;

/// Finds the ticket an email continues, in order: In-Reply-To, References, a ticket token in the
/// subject or the reply address. A match that belongs to another customer is never used.
async fn thread_email(
    tx: &mut Tx,
    meta: &EmailMeta,
    customer_id: i64,
) -> AppResult<(Option<i64>, ThreadReason)> {
    let mut foreign = None;
    let ids = meta
        .in_reply_to
        .iter()
        .map(|id| (id, true))
        .chain(meta.references.iter().rev().map(|id| (id, false)))
        .take(50);
    for (id, direct) in ids {
        let row = sqlx::query(
            "SELECT m.ticket_id, t.customer_id FROM message m JOIN ticket t ON t.ticket_id = m.ticket_id
             WHERE m.email_message_id = $1 ORDER BY m.message_id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            let ticket_id: i64 = row.try_get("ticket_id")?;
            if row.try_get::<i64, _>("customer_id")? == customer_id {
                let reason = if direct {
                    ThreadReason::InReplyTo(id.clone())
                } else {
                    ThreadReason::References(id.clone())
                };
                return Ok((Some(ticket_id), reason));
            }
            foreign.get_or_insert(ticket_id);
        }
    }
    for (token, by_address) in [(&meta.subject_token, false), (&meta.address_token, true)] {
        let Some(tag) = token else { continue };
        let mut ticket_id = tag.id;
        let row = sqlx::query(
            "SELECT customer_id, reply_token, merged_into_id FROM ticket WHERE ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_optional(&mut **tx)
        .await?;
        // A tag of a ticket merged into another names the ticket it was merged into.
        if let Some(r) = &row
            && let Some(into) = r.try_get::<Option<i64>, _>("merged_into_id")?
        {
            ticket_id = merged_target(tx, into).await?;
        }
        let owner = match row {
            Some(r) => {
                let secret: Option<String> = r.try_get("reply_token")?;
                // The number alone names only a ticket from before reply secrets; otherwise the
                // tag must carry the ticket's secret (it was in our mail), or it is ignored.
                let authentic = match (&tag.secret, &secret) {
                    (Some(given), Some(actual)) => {
                        subtle::ConstantTimeEq::ct_eq(given.as_bytes(), actual.as_bytes()).into()
                    }
                    (None, None) => true,
                    _ => false,
                };
                if !authentic {
                    continue;
                }
                Some(r.try_get::<i64, _>("customer_id")?)
            }
            None => None,
        };
        match owner {
            Some(c) if c == customer_id => {
                let reason = if by_address {
                    ThreadReason::AddressToken(ticket_id)
                } else {
                    ThreadReason::SubjectToken(ticket_id)
                };
                return Ok((Some(ticket_id), reason));
            }
            Some(_) => {
                foreign.get_or_insert(ticket_id);
            }
            None => {}
        }
    }
    match foreign {
        Some(t) => {
            tracing::warn!(
                ticket_id = t,
                "email refers to another customer's ticket; starting a new ticket"
            );
            Ok((None, ThreadReason::ForeignReference(t)))
        }
        None => Ok((None, ThreadReason::NewTicket)),
    }
}

/// Finds the ticket a gateway's message continues: the open (not closed, not merged) ticket of
/// the same conversation on the same gateway; else, without a conversation id, the customer's
/// open ticket on that gateway changed within [`GATEWAY_THREAD_WINDOW_MS`]; else none. A
/// conversation's ticket of another customer is never used.
async fn thread_gateway(
    tx: &mut Tx,
    meta: &GatewayMeta,
    customer_id: i64,
    now: Millis,
) -> AppResult<(Option<i64>, ThreadReason)> {
    if let Some(thread) = &meta.thread_id {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT t.ticket_id FROM channel_thread ct JOIN ticket t ON t.ticket_id = ct.ticket_id
             WHERE ct.channel_gateway_id = $1 AND ct.thread_id = $2 AND t.customer_id = $3
               AND t.status <> 'closed' AND t.merged_into_id IS NULL
             ORDER BY t.ticket_id DESC LIMIT 1",
        )
        .bind(meta.gateway_id)
        .bind(thread)
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
        return Ok(match found {
            Some(id) => (Some(id), ThreadReason::GatewayThread(thread.clone())),
            None => (None, ThreadReason::NewTicket),
        });
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT t.ticket_id FROM channel_thread ct JOIN ticket t ON t.ticket_id = ct.ticket_id
         WHERE ct.channel_gateway_id = $1 AND t.customer_id = $2
           AND t.status IN ('new', 'open', 'pending') AND t.merged_into_id IS NULL AND t.updated_at >= $3
         ORDER BY t.updated_at DESC, t.ticket_id DESC LIMIT 1",
    )
    .bind(meta.gateway_id)
    .bind(customer_id)
    .bind(now - GATEWAY_THREAD_WINDOW_MS)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match found {
        Some(id) => (Some(id), ThreadReason::GatewayRecent(id)),
        None => (None, ThreadReason::NewTicket),
    })
}

/// Records where a gateway ticket's replies go (the latest message's conversation and sender).
async fn remember_gateway_thread(
    tx: &mut Tx,
    ticket_id: i64,
    meta: &GatewayMeta,
    now: Millis,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO channel_thread (ticket_id, channel_gateway_id, thread_id, to_phone, to_handle, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (ticket_id) DO UPDATE SET channel_gateway_id = excluded.channel_gateway_id,
           thread_id = COALESCE(excluded.thread_id, channel_thread.thread_id),
           to_phone = COALESCE(excluded.to_phone, channel_thread.to_phone),
           to_handle = COALESCE(excluded.to_handle, channel_thread.to_handle),
           updated_at = excluded.updated_at",
    )
    .bind(ticket_id)
    .bind(meta.gateway_id)
    .bind(&meta.thread_id)
    .bind(&meta.reply_phone)
    .bind(&meta.reply_handle)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where a chain of merges ends (a ticket merged into one that was merged on, and so on).
async fn merged_target(tx: &mut Tx, mut ticket_id: i64) -> AppResult<i64> {
    for _ in 0..10 {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT merged_into_id FROM ticket WHERE ticket_id = $1")
                .bind(ticket_id)
                .fetch_optional(&mut **tx)
                .await?
                .flatten();
        match next {
            Some(n) => ticket_id = n,
            None => break,
        }
    }
    Ok(ticket_id)
}

/// Keeps the language a customer last wrote in (their mail and pages follow it).
async fn remember_locale(tx: &mut Tx, customer_id: i64, locale: Locale) -> AppResult<()> {
    sqlx::query(
        "UPDATE customer SET locale = $1 WHERE customer_id = $2 AND (locale IS NULL OR locale <> $1)",
    )
    .bind(locale.tag())
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The language the customer of a ticket reads: the one they last wrote in or picked.
pub async fn customer_locale(db: &Db, ticket_id: i64) -> AppResult<Option<Locale>> {
    let tag: Option<Option<String>> = sqlx::query_scalar(
        "SELECT c.locale FROM ticket t JOIN customer c ON c.customer_id = t.customer_id WHERE t.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(tag.flatten().as_deref().and_then(Locale::parse))
}

/// The customer of a ticket picked a language on their ticket's page: their mail follows it.
pub async fn customer_chose_locale(db: &Db, ticket_id: i64, locale: Locale) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let customer_id: Option<i64> =
        sqlx::query_scalar("SELECT customer_id FROM ticket WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(customer_id) = customer_id {
        remember_locale(&mut tx, customer_id, locale).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn auto_reply_mail(inbound: &NewInbound) -> bool {
    inbound
        .email
        .as_ref()
        .is_some_and(|m| m.kind == MailKind::AutoReply)
}

/// Receives one inbound message through the one path.
#[tracing::instrument(skip_all, fields(channel = %inbound.channel, ticket_id))]
pub async fn receive(db: &Db, inbound: &NewInbound, now: Millis) -> AppResult<IntakeOutcome> {
    let subject = tickets::validate_subject(&inbound.subject)?;
    let body = tickets::validate_body("message", &inbound.body_text)?;
    tickets::check_file_count("attachment", inbound.attachments.len())?;
    // On PostgreSQL two concurrent submissions can race on a unique key (the same idempotency
    // key, or a first-time customer's address); the loser's retry then finds the winner's row.
    for attempt in 0..3 {
        match receive_once(db, inbound, &subject, &body, now).await {
            Err(AppError::Conflict(_)) if attempt < 2 => continue,
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
                Some(tickets::links::issue(&mut tx, ticket_id, now).await?)
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
                thread_reason: ThreadReason::NewTicket,
            });
        }
    }

    // The same message of a gateway (its id) is one message, however often it is delivered.
    if let Some(g) = &inbound.gateway
        && let Some(external_id) = &g.external_id
    {
        let seen = sqlx::query(
            "SELECT ticket_id, message_id FROM message WHERE channel_gateway_id = $1 AND external_id = $2",
        )
        .bind(g.gateway_id)
        .bind(external_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = seen {
            tx.commit().await?;
            return Ok(IntakeOutcome {
                ticket_id: row.try_get("ticket_id")?,
                message_id: row.try_get("message_id")?,
                created_ticket: false,
                duplicate: true,
                link_token: None,
                thread_reason: ThreadReason::NewTicket,
            });
        }
    }

    let name = inbound.from_name.as_deref();
    let customer_id = match &inbound.from {
        Sender::Email(address) => customers::match_or_create(&mut tx, address, name, now).await?,
        Sender::Contact(contact) => {
            customers::match_or_create_contact(&mut tx, contact, name, now).await?
        }
        Sender::Customer(id) => *id,
    };

    if !auto_reply_mail(inbound)
        && let Some(locale) = inbound.language.decide(body)
    {
        remember_locale(&mut tx, customer_id, locale).await?;
    }

    let mut follow_up_of = None;
    let (target, mut thread_reason) = match (inbound.ticket_id, &inbound.email) {
        (Some(id), _) => (Some(id), ThreadReason::PrivateLink),
        (None, Some(meta)) => thread_email(&mut tx, meta, customer_id).await?,
        (None, None) => match &inbound.gateway {
            Some(g) => thread_gateway(&mut tx, g, customer_id, now).await?,
            None => (None, ThreadReason::NewTicket),
        },
    };
    let auto_reply = inbound
        .email
        .as_ref()
        .is_some_and(|m| m.kind == MailKind::AutoReply);
    let existing = match target {
        Some(id) => {
            let mut edit =
                tickets::commands::open(&mut tx, id, Actor::Customer, Expect::Any, now).await?;
            if edit.current.customer_id != customer_id {
                return Err(AppError::Forbidden(
                    "this ticket belongs to another customer".into(),
                ));
            }
            match edit.current.status.on_customer_message() {
                CustomerMessageEffect::Stay => Some(edit),
                // An out-of-office answer is recorded but does not reopen anything.
                CustomerMessageEffect::MoveTo(_) if auto_reply => Some(edit),
                CustomerMessageEffect::MoveTo(to) => {
                    edit.set_status(&mut tx, to, None).await?;
                    Some(edit)
                }
                CustomerMessageEffect::FollowUp => {
                    follow_up_of = Some(id);
                    thread_reason = ThreadReason::FollowUp(id);
                    None
                }
            }
        }
        None => None,
    };

    let (mut edit, created_ticket) = match existing {
        Some(edit) => (edit, false),
        None => {
            let edit = tickets::commands::create(
                &mut tx,
                &tickets::commands::NewTicket {
                    subject,
                    priority: inbound.priority.unwrap_or(Priority::Normal),
                    channel: inbound.channel.as_str(),
                    customer_id,
                    follow_up_of_id: follow_up_of,
                },
                now,
            )
            .await?;
            (edit, true)
        }
    };
    let ticket_id = edit.ticket_id;

    let email = inbound.email.as_ref();
    let mut reason = thread_reason.note();
    if let Some(earlier) = email.and_then(|e| e.reuses_message_id_of) {
        reason = note!(
            "thread-reused-id",
            reason = reason,
            message = earlier.to_string()
        );
    }
    let message_id = edit
        .add_message(
            &mut tx,
            &tickets::NewMessage {
                author_kind: "customer",
                customer_id: Some(customer_id),
                body_text: body,
                body_html: inbound.body_html.as_deref(),
                email_message_id: email.and_then(|e| e.message_id.as_deref()),
                full_text: email.map(|e| e.full_text.as_str()),
                thread_reason_note: Some(&reason),
                mail_kind: email.map(|e| e.kind.as_str()),
                raw_email_id: email.map(|e| e.raw_email_id),
                attachments: &inbound.attachments,
                channel: Some(inbound.channel.as_str()),
                channel_gateway_id: inbound.gateway.as_ref().map(|g| g.gateway_id),
                external_id: inbound
                    .gateway
                    .as_ref()
                    .and_then(|g| g.external_id.as_deref()),
                ..Default::default()
            },
        )
        .await?;
    if let Some(g) = &inbound.gateway {
        remember_gateway_thread(&mut tx, ticket_id, g, now).await?;
    }

    // The people the customer copied are copied on the ticket (not from list or automatic mail:
    // the list itself would be copied).
    if let Some(e) = email.filter(|e| e.kind == MailKind::Normal && !e.cc.is_empty()) {
        edit.add_cc(&mut tx, &e.cc, "mail").await?;
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

    // Automatic mail (auto-replies, reports) is recorded but never answered automatically, and
    // neither is list mail (the acknowledgement would go to the whole list).
    let no_answer = inbound
        .email
        .as_ref()
        .is_some_and(|m| m.kind != MailKind::Normal);
    let job = if created_ticket {
        outbox::Job::TicketCreated {
            ticket_id,
            message_id,
            auto_reply: no_answer,
        }
    } else {
        outbox::Job::MessageReceived {
            ticket_id,
            message_id,
            auto_reply,
        }
    };
    outbox::enqueue(&mut tx, &job, now).await?;
    if created_ticket {
        // The ticket.created job indexes the ticket once it is routed and assigned.
        edit.index_later();
    }
    edit.save(&mut tx).await?;

    let link_token = if inbound.issue_link {
        Some(tickets::links::issue(&mut tx, ticket_id, now).await?)
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
        thread_reason,
    })
}

/// The `ticket.created` job: route and assign the new ticket and acknowledge it to the customer
/// (unless it is automatic mail), as one change of the ticket committed with the job's "done".
pub async fn on_created(
    state: &crate::state::AppState,
    job_id: i64,
    ticket_id: i64,
    auto_reply: bool,
) -> anyhow::Result<()> {
    let internal = |e: AppError| anyhow::anyhow!("{e}");
    let (mut tx, now) = crate::assign::begin_for_ticket(state, ticket_id).await?;
    let mut edit = None;
    crate::assign::assign_within(
        &mut tx,
        &mut edit,
        ticket_id,
        &crate::assign::Trigger::Created,
        now,
    )
    .await
    .map_err(internal)?;
    if state.mailer.is_some() && !auto_reply {
        let mut ack = match edit.take() {
            Some(edit) => edit,
            None => tickets::commands::open(&mut tx, ticket_id, Actor::System, Expect::Any, now)
                .await
                .map_err(internal)?,
        };
        crate::notify::acknowledge(&mut tx, &mut ack, now).await?;
        edit = Some(ack);
    }
    let saved = match edit {
        Some(edit) => edit.save(&mut tx).await.map_err(internal)?.changed,
        None => false,
    };
    if !saved {
        // Intake left the new ticket's search document to this job (a saved edit queued it).
        outbox::enqueue(&mut tx, &outbox::Job::SearchIndex { ticket_id }, now)
            .await
            .map_err(internal)?;
    }
    outbox::finish(tx, job_id, now).await
}
