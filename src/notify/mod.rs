//! Telling people: outbound email (SMTP via lettre) — agent replies and new-ticket
//! acknowledgements, sent from outbox jobs — and, in [`inbox`], the agents' in-app notifications
//! and their email digest. Every customer mail carries our own stable Message-ID,
//! In-Reply-To/References chaining the thread and the ticket token in the subject, so the
//! customer's answer threads back.

pub mod inbox;

use crate::config::Config;
use crate::db::Db;
use crate::domain::clock::Millis;
use anyhow::{Context, Result};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::Row;

/// How many automatic acknowledgements one address may get per hour; more would feed a mail loop.
pub const ACK_LIMIT_PER_HOUR: i64 = 3;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Domain of the support address: used in our Message-IDs and the plus-addressed reply address.
    domain: String,
    local_part: String,
    base_url: String,
}

/// Whether a failed send is worth retrying.
#[derive(Debug)]
pub enum SendError {
    Permanent(String),
    Transient(String),
}

impl Mailer {
    /// Builds the mailer when both `CASEBOOK_SMTP_URL` and `CASEBOOK_SUPPORT_ADDRESS` are set.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>> {
        let (Some(url), Some(address)) = (&config.smtp_url, &config.support_address) else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .context("CASEBOOK_SMTP_URL is not a valid smtp:// or smtps:// URL")?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from: Mailbox = address
            .parse()
            .context("CASEBOOK_SUPPORT_ADDRESS is not an email address")?;
        let (local_part, domain) = from
            .email
            .to_string()
            .rsplit_once('@')
            .map(|(l, d)| (l.to_string(), d.to_string()))
            .context("support address")?;
        Ok(Some(Mailer {
            transport,
            from,
            domain,
            local_part,
            base_url: config.base_url.clone(),
        }))
    }

    /// A new Message-ID for a Casebook message. It is stored before the first send and reused by
    /// retries, so a resent mail is recognisably the same one; the random part keeps outsiders
    /// from guessing it (and forging bounces or replies that thread by it).
    pub fn new_message_id(&self, message_id: i64) -> String {
        format!(
            "casebook.m{message_id}.{}@{}",
            crate::auth::random_token(12),
            self.domain
        )
    }

    /// `support+t1234-k7q2m9xd@example.com`: replies to it thread onto ticket 1234 even without
    /// headers (the secret proves the sender saw our mail; older tickets have none).
    pub fn reply_address(&self, ticket_id: i64, secret: Option<&str>) -> String {
        let tag = crate::email::ticket_tag(ticket_id, secret);
        format!("{}+t{}@{}", self.local_part, &tag[1..], self.domain)
    }

    /// Sends a short automatic notice about a ticket (plain text and HTML, no thread history),
    /// e.g. the satisfaction-rating request after a solve.
    pub async fn send_notice(&self, notice: &Notice<'_>) -> Result<(), SendError> {
        let build = || -> Result<Message> {
            let to: Mailbox = if notice.to_name.is_empty() {
                notice.to.parse()?
            } else {
                Mailbox::new(Some(notice.to_name.to_string()), notice.to.parse()?)
            };
            let reply_to = Mailbox::new(
                self.from.name.clone(),
                self.reply_address(notice.ticket_id, notice.reply_token)
                    .parse()?,
            );
            let mut mail = Message::builder()
                .from(self.from.clone())
                .reply_to(reply_to)
                .to(to)
                .subject(subject_line(
                    notice.subject,
                    notice.ticket_id,
                    notice.reply_token,
                ))
                .message_id(Some(format!(
                    "<casebook.n{}.{}@{}>",
                    notice.ticket_id,
                    crate::auth::random_token(12),
                    self.domain
                )))
                .multipart(MultiPart::alternative_plain_html(
                    notice.text.to_string(),
                    notice.html.to_string(),
                ))?;
            for (name, value) in [
                ("Auto-Submitted", "auto-generated".to_string()),
                ("X-Auto-Response-Suppress", "All".to_string()),
                ("X-Casebook-Ticket", notice.ticket_id.to_string()),
            ] {
                mail.headers_mut().insert_raw(HeaderValue::new(
                    HeaderName::new_from_ascii(name.to_string())?,
                    value,
                ));
            }
            Ok(mail)
        };
        let mail = build().map_err(|e| SendError::Permanent(e.to_string()))?;
        self.send(mail).await
    }

    /// Sends an automatic mail to an agent (the notification digest): from the support address,
    /// about no one ticket, marked as auto-generated so it draws no auto-replies.
    pub async fn send_to_agent(&self, m: &AgentMail<'_>) -> Result<(), SendError> {
        let build = || -> Result<Message> {
            let to: Mailbox = if m.to_name.is_empty() {
                m.to.parse()?
            } else {
                Mailbox::new(Some(m.to_name.to_string()), m.to.parse()?)
            };
            let mut mail = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(m.subject)
                .message_id(Some(format!(
                    "<casebook.d.{}@{}>",
                    crate::auth::random_token(12),
                    self.domain
                )))
                .multipart(MultiPart::alternative_plain_html(
                    m.text.to_string(),
                    m.html.to_string(),
                ))?;
            for (name, value) in [
                ("Auto-Submitted", "auto-generated"),
                ("X-Auto-Response-Suppress", "All"),
            ] {
                mail.headers_mut().insert_raw(HeaderValue::new(
                    HeaderName::new_from_ascii(name.to_string())?,
                    value.to_string(),
                ));
            }
            Ok(mail)
        };
        let mail = build().map_err(|e| SendError::Permanent(e.to_string()))?;
        self.send(mail).await
    }

    async fn send(&self, mail: Message) -> Result<(), SendError> {
        classify(self.transport.send(mail).await)
    }

    /// Sends a mail already rendered (see [`deliver`]) to `to` (one address a line: the
    /// customer, then anyone copied), from the support address.
    async fn send_rendered(&self, to: &str, mime: &[u8]) -> Result<(), SendError> {
        let recipients = to
            .lines()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.parse()
                    .map_err(|e| SendError::Permanent(format!("recipient {r:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = lettre::address::Envelope::new(Some(self.from.email.clone()), recipients)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        classify(self.transport.send_raw(&envelope, mime).await)
    }
}

fn classify<T>(sent: Result<T, lettre::transport::smtp::Error>) -> Result<(), SendError> {
    match sent {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
        Err(e) => Err(SendError::Transient(e.to_string())),
    }
}

/// A short automatic mail about a ticket (see [`Mailer::send_notice`]).
pub struct Notice<'a> {
    pub ticket_id: i64,
    pub to: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// The ticket's reply secret, for the subject tag and reply address.
    pub reply_token: Option<&'a str>,
}

/// An automatic mail to an agent (see [`Mailer::send_to_agent`]).
pub struct AgentMail<'a> {
    pub to: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// The customer a notice about a ticket goes to, and what the ticket is about.
pub struct NoticeTarget {
    pub status: String,
    pub subject: String,
    pub reply_token: Option<String>,
    pub name: String,
    pub email: String,
    /// The language the customer reads (mail to them is written in it).
    pub locale: crate::i18n::Locale,
}

impl NoticeTarget {
    /// The notice with this text, to this customer, tagged for this ticket.
    pub fn notice<'a>(&'a self, ticket_id: i64, text: &'a str, html: &'a str) -> Notice<'a> {
        Notice {
            ticket_id,
            to: &self.email,
            to_name: &self.name,
            subject: &self.subject,
            text,
            html,
            reply_token: self.reply_token.as_deref(),
        }
    }
}

/// Who to write to about a ticket: its customer's first email address (None when there is no
/// such ticket or the customer has no address).
pub async fn notice_target(db: &Db, ticket_id: i64) -> Result<Option<NoticeTarget>> {
    let Some(row) = sqlx::query(
        "SELECT t.status, t.subject, t.reply_token, c.name, COALESCE(c.locale, (SELECT value FROM setting WHERE name = 'default_locale')) AS locale,
            (SELECT ci.value FROM customer_identity ci WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
               ORDER BY ci.customer_identity_id LIMIT 1) AS email
         FROM ticket t JOIN customer c ON c.customer_id = t.customer_id WHERE t.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(None);
    };
    let Some(email) = row.try_get::<Option<String>, _>("email")? else {
        return Ok(None);
    };
    Ok(Some(NoticeTarget {
        status: row.try_get("status")?,
        subject: row.try_get("subject")?,
        reply_token: row.try_get("reply_token")?,
        name: crate::domain::single_line(&row.try_get::<String, _>("name")?),
        email,
        locale: locale_of(&row)?,
    }))
}

/// The customer's language from a row with their `locale` (or the admin's default), else the
/// configuration's default.
fn locale_of(row: &sqlx::any::AnyRow) -> Result<crate::i18n::Locale> {
    Ok(row
        .try_get::<Option<String>, _>("locale")?
        .as_deref()
        .and_then(crate::i18n::Locale::parse)
        .unwrap_or_else(crate::i18n::default_locale))
}

/// Everything needed to write one outbound mail, read from the database.
struct Outgoing {
    ticket_id: i64,
    reply_token: Option<String>,
    subject: String,
    body: String,
    to: String,
    to_name: String,
    /// People copied on the ticket (public replies only; never automatic mail).
    cc: Vec<String>,
    email_message_id: String,
    references: Vec<String>,
    automatic: bool,
    /// (filename, content type, bytes) of the files sent with the message.
    files: Vec<(String, String, Vec<u8>)>,
    /// The customer's language (the footer is written in it).
    locale: crate::i18n::Locale,
}

/// The envelope recipients of an outgoing mail, one a line (stored with its rendering).
fn recipients(out: &Outgoing) -> String {
    std::iter::once(out.to.as_str())
        .chain(out.cc.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

fn subject_line(subject: &str, ticket_id: i64, secret: Option<&str>) -> String {
    let token = format!("[{}]", crate::email::ticket_tag(ticket_id, secret));
    let base = if subject.contains(&token) {
        subject.to_string()
    } else {
        format!("{subject} {token}")
    };
    if base.to_lowercase().starts_with("re:") {
        base
    } else {
        format!("Re: {base}")
    }
}

fn build(mailer: &Mailer, out: &Outgoing, link: &str) -> Result<Message> {
    let mid = &out.email_message_id;
    let to: Mailbox = if out.to_name.is_empty() {
        out.to.parse()?
    } else {
        Mailbox::new(Some(out.to_name.clone()), out.to.parse()?)
    };
    let reply_to: Mailbox = Mailbox::new(
        mailer.from.name.clone(),
        mailer
            .reply_address(out.ticket_id, out.reply_token.as_deref())
            .parse()?,
    );
    let (follow, reply_hint) = crate::i18n::with(out.locale, || {
        (
            t!("mail-footer-follow", ticket = out.ticket_id),
            t!("mail-footer-reply"),
        )
    });
    let footer = format!("\n\n--\n{follow} {link}\n{reply_hint}");
    let text = format!("{}{footer}", out.body);
    let html = maud::html! {
        div style="white-space: pre-wrap" dir="auto" { (out.body) }
        hr;
        p style="color:#687085;font-size:13px" dir=(out.locale.dir()) lang=(out.locale.tag()) {
            (follow) " " a href=(link) { (link) } br;
            (reply_hint)
        }
    };
    let mut builder = Message::builder()
        .from(mailer.from.clone())
        .reply_to(reply_to)
        .to(to);
    for cc in &out.cc {
        builder = builder.cc(cc.parse()?);
    }
    let mut builder = builder
        .subject(subject_line(
            &out.subject,
            out.ticket_id,
            out.reply_token.as_deref(),
        ))
        .message_id(Some(format!("<{mid}>")));
    if let Some(last) = out.references.last() {
        builder = builder.in_reply_to(format!("<{last}>"));
        let refs = out
            .references
            .iter()
            .map(|r| format!("<{r}>"))
            .collect::<Vec<_>>()
            .join(" ");
        builder = builder.references(refs);
    }
    let body = MultiPart::alternative_plain_html(text, html.into_string());
    let mut mail = if out.files.is_empty() {
        builder.multipart(body)?
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for (name, content_type, content) in &out.files {
            let ct = lettre::message::header::ContentType::parse(content_type).unwrap_or(
                lettre::message::header::ContentType::parse("application/octet-stream")?,
            );
            // Base64 keeps every byte as it was: text files are not re-wrapped or re-lined.
            let body = lettre::message::Body::new_with_encoding(
                content.clone(),
                lettre::message::header::ContentTransferEncoding::Base64,
            )
            .map_err(|_| anyhow::anyhow!("attachment {name} cannot be encoded"))?;
            mixed = mixed.singlepart(lettre::message::Attachment::new(name.clone()).body(body, ct));
        }
        builder.multipart(mixed)?
    };
    let mut add = |name: &str, value: &str| -> Result<()> {
        mail.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii(name.to_string())?,
            value.to_string(),
        ));
        Ok(())
    };
    if out.automatic {
        add("Auto-Submitted", "auto-replied")?;
        add("X-Auto-Response-Suppress", "All")?;
    }
    add("X-Casebook-Ticket", &out.ticket_id.to_string())?;
    Ok(mail)
}

async fn load_outgoing(db: &Db, message_id: i64, automatic: bool) -> Result<Option<Outgoing>> {
    let row = sqlx::query(
        "SELECT m.ticket_id, m.body_text, t.subject, t.reply_token, c.name, COALESCE(c.locale, (SELECT value FROM setting WHERE name = 'default_locale')) AS locale,
            (SELECT ci.value FROM customer_identity ci WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
               ORDER BY (CASE WHEN ci.retired_at IS NULL THEN 0 ELSE 1 END), ci.customer_identity_id LIMIT 1) AS email
         FROM message m JOIN ticket t ON t.ticket_id = m.ticket_id JOIN customer c ON c.customer_id = t.customer_id
         WHERE m.message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(to) = row.try_get::<Option<String>, _>("email")? else {
        return Ok(None);
    };
    let ticket_id: i64 = row.try_get("ticket_id")?;
    let references: Vec<String> = sqlx::query_scalar(
        "SELECT email_message_id FROM message WHERE ticket_id = $1 AND message_id < $2 AND email_message_id IS NOT NULL ORDER BY message_id",
    )
    .bind(ticket_id)
    .bind(message_id)
    .fetch_all(&db.pool)
    .await?;
    let files = sqlx::query("SELECT filename, content_type, content FROM attachment WHERE message_id = $1 ORDER BY attachment_id")
        .bind(message_id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("filename")?, r.try_get("content_type")?, r.try_get("content")?)))
        .collect::<Result<Vec<_>>>()?;
    let cc: Vec<String> = if automatic {
        Vec::new()
    } else {
        crate::tickets::cc(db, ticket_id)
            .await?
            .into_iter()
            .filter(|a| !a.eq_ignore_ascii_case(&to))
            .collect()
    };
    Ok(Some(Outgoing {
        locale: locale_of(&row)?,
        cc,
        files,
        ticket_id,
        reply_token: row.try_get("reply_token")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body_text")?,
        to,
        to_name: crate::domain::single_line(&row.try_get::<String, _>("name")?),
        email_message_id: String::new(),
        references: references
            .into_iter()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect(),
        automatic,
    }))
}

/// Sends message `message_id` to the ticket's customer, at most once in effect: the Message-ID is
/// recorded before sending, and "sent" is recorded with the job's completion.
pub async fn deliver(
    db: &Db,
    mailer: &Mailer,
    message_id: i64,
    automatic: bool,
    now: Millis,
) -> Result<Delivery> {
    let Some(stored) = sqlx::query(
        "SELECT ticket_id, delivery_status, outbound_mime, outbound_to FROM message WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(Delivery::NoRecipient);
    };
    let status: Option<String> = stored.try_get("delivery_status")?;
    if matches!(status.as_deref(), Some("sent") | Some("failed")) {
        return Ok(Delivery::AlreadyDone);
    }
    let ticket_id: i64 = stored.try_get("ticket_id")?;
    // The mail is rendered once — its Message-ID, private link and Date fixed — and stored
    // before the first attempt; every later attempt (after an SMTP error or a crash) sends the
    // stored bytes, so a repeat is the same mail, which clients show once.
    let rendered: Option<(Vec<u8>, String)> = match (
        stored.try_get::<Option<Vec<u8>>, _>("outbound_mime")?,
        stored.try_get::<Option<String>, _>("outbound_to")?,
    ) {
        (Some(mime), Some(to)) => Some((mime, to)),
        _ => None,
    };
    let (mime, to) = match rendered {
        Some(r) => r,
        None => {
            let Some(mut out) = load_outgoing(db, message_id, automatic).await? else {
                return Ok(Delivery::NoRecipient);
            };
            let mut tx = db.begin().await?;
            sqlx::query(
                "UPDATE message SET email_message_id = COALESCE(email_message_id, $1) WHERE message_id = $2",
            )
            .bind(mailer.new_message_id(message_id))
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
            out.email_message_id =
                sqlx::query_scalar("SELECT email_message_id FROM message WHERE message_id = $1")
                    .bind(message_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let token = crate::tickets::links::issue(&mut tx, out.ticket_id, now).await?;
            let link = format!("{}/t/{token}", mailer.base_url);
            let mime = build(mailer, &out, &link)?.formatted();
            sqlx::query(
                "UPDATE message SET outbound_mime = $1, outbound_to = $2, delivery_status = 'queued'
                 WHERE message_id = $3",
            )
            .bind(&mime)
            .bind(recipients(&out))
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            let to = recipients(&out);
            (mime, to)
        }
    };
    match mailer.send_rendered(&to, &mime).await {
        Ok(()) => Ok(Delivery::Sent { ticket_id }),
        Err(SendError::Permanent(e)) => Ok(Delivery::Failed {
            ticket_id,
            error: e,
        }),
        Err(SendError::Transient(e)) => anyhow::bail!("SMTP temporarily failed: {e}"),
    }
}

#[derive(Debug)]
pub enum Delivery {
    Sent { ticket_id: i64 },
    Failed { ticket_id: i64, error: String },
    AlreadyDone,
    NoRecipient,
}

/// Marks an outbound message as not delivered and says so in the ticket's history.
pub async fn record_failure(
    tx: &mut crate::db::Tx,
    ticket_id: i64,
    message_id: i64,
    detail: &str,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "UPDATE message SET delivery_status = 'failed', delivery_error = $1, outbound_mime = NULL WHERE message_id = $2",
    )
    .bind(detail)
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    let note = note!(
        "agent-delivery-failed-detail",
        message = message_id.to_string(),
        error = detail
    );
    crate::tickets::record_event(
        tx,
        crate::tickets::Actor::System,
        crate::tickets::EventRecord {
            ticket_id,
            kind: "delivery_failed",
            old: None,
            new: None,
            detail: Some(&note.english()),
            note: Some(&note),
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Whether `email` got fewer than `ACK_LIMIT_PER_HOUR` acknowledgements in the last hour.
pub async fn may_acknowledge(
    tx: &mut crate::db::Tx,
    customer_id: i64,
    now: Millis,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM message m JOIN ticket t ON t.ticket_id = m.ticket_id
         WHERE t.customer_id = $1 AND m.author_kind = 'system' AND m.visibility = 'public' AND m.created_at > $2",
    )
    .bind(customer_id)
    .bind(now - 3_600_000)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n < ACK_LIMIT_PER_HOUR)
}

/// The acknowledgement of a new request, in the current language.
pub fn acknowledgement_text(ticket_id: i64) -> String {
    format!(
        "{}\n{}",
        t!("mail-ack-received", ticket = ticket_id),
        t!("mail-ack-next")
    )
}

/// The `message.sent` job: emails a public message. The Message-ID is recorded before sending
/// and "sent" on its own right after, so a failure later in the job never sends twice.
pub async fn send_job(
    state: &crate::state::AppState,
    job_id: i64,
    worker: &str,
    message_id: i64,
    automatic: bool,
) -> Result<()> {
    let now = state.clock.now_ms();
    // Sending is an effect outside the database: make sure this worker still owns the job (its
    // lease may have run out while earlier jobs of the batch were sent).
    if !crate::outbox::renew_lease(&state.db, job_id, worker, now, state.config.outbox_lease_ms)
        .await?
    {
        return Ok(());
    }
    let delivery = match &state.mailer {
        Some(mailer) => Some(deliver(&state.db, mailer, message_id, automatic, now).await?),
        None => None,
    };
    if let Some(Delivery::Sent { .. }) = delivery {
        record_sent(&state.db, message_id).await?;
    }
    let mut tx = state.db.begin().await?;
    match delivery {
        Some(Delivery::Sent { .. }) => {
            sqlx::query("UPDATE message SET delivery_status = 'sent', delivery_error = NULL, outbound_mime = NULL WHERE message_id = $1")
                .bind(message_id)
                .execute(&mut *tx)
                .await?;
        }
        Some(Delivery::Failed { ticket_id, error }) => {
            record_failure(&mut tx, ticket_id, message_id, &error, now).await?;
        }
        _ => {}
    }
    crate::outbox::finish(tx, job_id, now).await
}

/// After the last retry, an email that could not be sent shows as failed on its ticket.
pub async fn give_up_delivery(
    state: &crate::state::AppState,
    ticket_id: i64,
    message_id: i64,
    detail: &str,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    record_failure(&mut tx, ticket_id, message_id, detail, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Records "sent" at once, on its own connection, retrying briefly.
async fn record_sent(db: &Db, message_id: i64) -> anyhow::Result<()> {
    let mut last = None;
    for _ in 0..5 {
        match sqlx::query("UPDATE message SET delivery_status = 'sent', delivery_error = NULL, outbound_mime = NULL WHERE message_id = $1")
            .bind(message_id)
            .execute(&db.pool)
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Err(last
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("could not record delivery")))
}

/// Writes the automatic "we received your request" message and queues its mail — unless the
/// customer already got several in the last hour (which is how mail loops start).
pub async fn acknowledge(
    tx: &mut crate::db::Tx,
    edit: &mut crate::tickets::commands::Edit,
    now: Millis,
) -> anyhow::Result<()> {
    let ticket_id = edit.ticket_id;
    let row = sqlx::query(
        "SELECT t.customer_id, t.channel, COALESCE(c.locale, (SELECT value FROM setting WHERE name = 'default_locale')) AS locale FROM ticket t
         JOIN customer c ON c.customer_id = t.customer_id WHERE t.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_one(&mut **tx)
    .await?;
    let locale = locale_of(&row)?;
    let customer_id: i64 = row.try_get("customer_id")?;
    let channel: String = row.try_get("channel")?;
    // API clients answer for themselves; a gateway's customer (SMS, chat) may have no address
    // and is answered by an agent on their channel.
    if !matches!(channel.as_str(), "web" | "email") {
        return Ok(());
    }
    if !may_acknowledge(tx, customer_id, now).await? {
        return edit
            .audit(
                tx,
                "ack_suppressed",
                None,
                None,
                Some("acknowledgement limit for this customer reached"),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"));
    }
    let body = crate::i18n::with(locale, || acknowledgement_text(ticket_id));
    let message_id = edit
        .add_message(
            tx,
            &crate::tickets::NewMessage {
                author_kind: "system",
                body_text: &body,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let job = crate::outbox::Job::MessageSent {
        ticket_id,
        message_id,
        automatic: true,
    };
    crate::outbox::enqueue(tx, &job, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The `link.sent` job: mails the ticket's customer a fresh private link (asked for from an
/// expired link, or re-issued by an agent after revoking the old ones). Without mail set up, or
/// a customer without an address, there is nothing to send.
pub async fn send_link_job(
    state: &crate::state::AppState,
    job_id: i64,
    worker: &str,
    ticket_id: i64,
) -> Result<()> {
    let now = state.clock.now_ms();
    if let Some(mailer) = &state.mailer
        && crate::outbox::renew_lease(&state.db, job_id, worker, now, state.config.outbox_lease_ms)
            .await?
    {
        send_fresh_link(state, mailer, ticket_id, now).await?;
    }
    crate::outbox::finish(state.db.begin().await?, job_id, now).await
}

async fn send_fresh_link(
    state: &crate::state::AppState,
    mailer: &Mailer,
    ticket_id: i64,
    now: Millis,
) -> Result<()> {
    let db = &state.db;
    let Some(target) = notice_target(db, ticket_id).await? else {
        return Ok(());
    };
    let subject = &target.subject;
    let mut tx = db.begin().await?;
    let token = crate::tickets::links::issue(&mut tx, ticket_id, now).await?;
    tx.commit().await?;
    let link = format!("{}/t/{token}", state.config.base_url);
    let days = crate::tickets::links::LINK_DAYS;
    let (intro, validity) = crate::i18n::with(target.locale, || {
        (
            t!(
                "mail-link-intro",
                ticket = ticket_id,
                subject = subject.as_str()
            ),
            t!("mail-link-validity", days = days),
        )
    });
    let text = format!("{intro}\n\n{link}\n\n{validity}");
    let html = maud::html! {
        div dir=(target.locale.dir()) lang=(target.locale.tag()) {
            p { (intro) }
            p { a href=(link) { (link) } }
            p style="color:#687085;font-size:13px" { (validity) }
        }
    }
    .into_string();
    match mailer
        .send_notice(&target.notice(ticket_id, &text, &html))
        .await
    {
        Ok(()) => Ok(()),
        Err(SendError::Permanent(e)) => {
            tracing::warn!(ticket_id, error = %e, "a fresh link could not be delivered");
            Ok(())
        }
        Err(SendError::Transient(e)) => anyhow::bail!("SMTP temporarily failed: {e}"),
    }
}
