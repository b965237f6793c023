//! The agents' inbox: in-app notifications (`agent_notification`), who gets one for a ticket
//! change (assignee, customer replies, `@mentions` in notes, followers), per-kind preferences,
//! ticket followers, and the hourly email digest of what is still unread.
//!
//! Every notification is written by [`notify`], in the transaction of the change that causes it.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use crate::i18n::{Note, Part};
use crate::tickets::commands::FieldChange;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

/// Every kind of notification, with what it means to the agent (the preferences form's labels).
pub const KINDS: &[(&str, &str)] = &[
    ("assigned", "A ticket is assigned to me"),
    (
        "customer_reply",
        "The customer writes on a ticket assigned to me",
    ),
    ("mention", "Someone mentions me in an internal note"),
    ("following", "A ticket I follow changes"),
    ("sla_warning", "SLA warnings"),
    ("sla_breach", "SLA breaches (team leads)"),
    ("escalated", "Escalations"),
];

fn known_kind(kind: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == kind)
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub kind: String,
    /// The text in the recipient's language when it was written.
    pub body: String,
    /// The same, to render in the language the agent reads now.
    #[serde(skip)]
    pub body_note: Option<Note>,
    pub created_at: Millis,
    pub read_at: Option<Millis>,
}

impl Notification {
    /// What it says, in the current language.
    pub fn text(&self) -> String {
        Note::render_stored(self.body_note.as_ref(), Some(&self.body)).unwrap_or_default()
    }
}

/// Tells agent `agent_id` about ticket `ticket_id`, unless the agent turned in-app notifications
/// of this kind off. The one place a notification is written. Returns whether one was.
pub async fn notify(
    tx: &mut Tx,
    agent_id: i64,
    ticket_id: i64,
    kind: &str,
    body: &Note,
    now: Millis,
) -> AppResult<bool> {
    let text = body.render_in(agent_locale(tx, agent_id).await?);
    let written: Option<i64> = sqlx::query_scalar(
        "INSERT INTO agent_notification (agent_id, ticket_id, kind, body, body_note, created_at)
         SELECT $1, $2, $3, $4, $6, $5 WHERE NOT EXISTS
           (SELECT 1 FROM notification_pref WHERE agent_id = $1 AND kind = $3 AND in_app = 0)
         RETURNING agent_notification_id",
    )
    .bind(agent_id)
    .bind(ticket_id)
    .bind(kind)
    .bind(text)
    .bind(now)
    .bind(body.to_json())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = written {
        // The agent's open pages hear of it once the transaction commits, on any node.
        tx.notify_on_commit(crate::live::CHANNEL, format!("n{id}"));
        tx.note_notified(agent_id, ticket_id);
    }
    Ok(written.is_some())
}

/// Tells agent `agent_id` something about their account (failed sign-ins): not about a ticket,
/// and not something preferences turn off.
pub async fn notify_account(
    tx: &mut Tx,
    agent_id: i64,
    kind: &str,
    body: &Note,
    now: Millis,
) -> AppResult<()> {
    let text = body.render_in(agent_locale(tx, agent_id).await?);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agent_notification (agent_id, ticket_id, kind, body, body_note, created_at)
         VALUES ($1, NULL, $2, $3, $4, $5) RETURNING agent_notification_id",
    )
    .bind(agent_id)
    .bind(kind)
    .bind(text)
    .bind(body.to_json())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    tx.notify_on_commit(crate::live::CHANNEL, format!("n{id}"));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Who hears about a ticket change

/// Notifies the agents a saved ticket change concerns: the new assignee (`assigned`), the
/// assignee of a ticket the customer wrote on (`customer_reply`), agents `@mentioned` in a new
/// internal note (`mention`), and the ticket's followers (`following`). Never the agent who made
/// the change; at most one notification per agent and change, the most specific one (one the
/// change's own steps wrote already, such as an escalation's, counts).
#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn on_change(
    tx: &mut Tx,
    ticket_id: i64,
    actor_agent_id: Option<i64>,
    ticket: (&str, Option<i64>),
    fields: &[FieldChange],
    now: Millis,
) -> AppResult<()> {
    let followers: Vec<i64> = sqlx::query_scalar(
        "SELECT agent_id FROM ticket_follower WHERE ticket_id = $1 ORDER BY agent_id",
    )
    .bind(ticket_id)
    .fetch_all(&mut **tx)
    .await?;
    let customer_wrote = fields
        .iter()
        .any(|f| is_message(f) && f.old.as_deref() == Some("customer"));
    let assigned_to: Vec<i64> = fields
        .iter()
        .filter(|f| f.field == "assignee_id")
        .filter_map(|f| f.new.as_deref()?.parse().ok())
        .collect();
    let notes: Vec<i64> = fields
        .iter()
        .filter(|f| f.field == "note" && f.old.as_deref() == Some("agent"))
        .filter_map(|f| f.new.as_deref()?.parse().ok())
        .collect();
    if followers.is_empty() && !customer_wrote && assigned_to.is_empty() && notes.is_empty() {
        return Ok(());
    }
    let (subject, assignee) = ticket;
    let actor_name = match actor_agent_id {
        Some(a) => sqlx::query_scalar::<_, String>("SELECT name FROM agent WHERE agent_id = $1")
            .bind(a)
            .fetch_optional(&mut **tx)
            .await?
            .map(|n| crate::domain::single_line(&n)),
        None => None,
    };
    let subject = crate::domain::single_line(subject);
    let what = || {
        note!(
            "notify-ticket",
            id = ticket_id.to_string(),
            subject = &subject
        )
    };
    // Each text is kept as a message, read in its recipient's language.
    let by = actor_name.as_deref();
    // (agent, kind, body), most specific first; the first one per agent wins.
    let mut out: Vec<(i64, &str, Body)> = Vec::new();
    for a in &assigned_to {
        out.push((*a, "assigned", Body::Assigned));
    }
    for note in &notes {
        let row = sqlx::query_as::<_, (String, Option<i64>)>(
            "SELECT body_text, agent_id FROM message WHERE message_id = $1 AND ticket_id = $2",
        )
        .bind(note)
        .bind(ticket_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((body, author)) = row else { continue };
        let handles = mentions(&body);
        if handles.is_empty() {
            continue;
        }
        for agent in mentioned_agents(tx, &handles).await? {
            if Some(agent) == author {
                continue;
            }
            out.push((agent, "mention", Body::Mention));
        }
    }
    if customer_wrote && let Some(a) = assignee {
        out.push((a, "customer_reply", Body::CustomerReply));
    }
    if !followers.is_empty() && !summarize(fields).is_empty() {
        for f in &followers {
            out.push((*f, "following", Body::Following));
        }
    }
    if out.is_empty() {
        return Ok(());
    }
    // Agents the change's own steps already told (an escalation's assignee, a breach's lead).
    let mut told: HashSet<i64> = tx.notified_about(ticket_id).collect();
    for (agent, kind, body) in out {
        if Some(agent) == actor_agent_id || !told.insert(agent) {
            continue;
        }
        let text = match body {
            Body::Assigned => match (actor_agent_id, by) {
                (Some(_), Some(by)) => note!("notify-assigned-by", ticket = what(), agent = by),
                (Some(_), None) => note!("notify-assigned", ticket = what()),
                (None, _) => note!("notify-assigned-auto", ticket = what()),
            },
            Body::Mention => match by {
                Some(by) => note!("notify-mention-by", ticket = what(), agent = by),
                None => note!("notify-mention", ticket = what()),
            },
            Body::CustomerReply => note!("notify-customer-reply", ticket = what()),
            Body::Following => match by {
                Some(by) => note!(
                    "notify-following-by",
                    ticket = what(),
                    agent = by,
                    summary = summarize(fields)
                ),
                None => note!(
                    "notify-following-changed",
                    ticket = what(),
                    summary = summarize(fields)
                ),
            },
        };
        notify(tx, agent, ticket_id, kind, &text, now).await?;
    }
    Ok(())
}

/// What a notification about a ticket change says; its text is written in the recipient's
/// language when it is stored.
#[derive(Clone, Copy)]
enum Body {
    Assigned,
    Mention,
    CustomerReply,
    Following,
}

/// The language agent `agent_id` reads Casebook in: their own choice, else the installation's.
pub async fn agent_locale(tx: &mut Tx, agent_id: i64) -> AppResult<crate::i18n::Locale> {
    let chosen: Option<Option<String>> = sqlx::query_scalar(
        "SELECT COALESCE(locale, (SELECT value FROM setting WHERE name = 'default_locale'))
             FROM agent WHERE agent_id = $1",
    )
    .bind(agent_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(chosen
        .flatten()
        .as_deref()
        .and_then(crate::i18n::Locale::parse)
        .unwrap_or_else(crate::i18n::default_locale))
}

fn is_message(f: &FieldChange) -> bool {
    f.field == "message" || f.field == "note"
}

/// What a change did, for followers: "status open → pending, new customer message" (empty when
/// nothing worth telling changed).
fn summarize(fields: &[FieldChange]) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    // A status or priority by its name in the reader's language; other values as they are.
    let value = |v: Option<&str>| -> Part {
        match v {
            None => note!("none").into(),
            Some(v @ ("low" | "normal" | "high" | "urgent")) => {
                Note::new(&format!("priority-{v}")).into()
            }
            Some(v @ ("new" | "open" | "pending" | "solved" | "closed")) => {
                Note::new(&format!("status-{v}")).into()
            }
            Some(v) => Part::from(v),
        }
    };
    for f in fields {
        let new = f.new.as_deref().unwrap_or("none");
        let part: Part = match f.field.as_str() {
            "status" => note!(
                "notify-summary-status",
                old = value(f.old.as_deref()),
                new = value(f.new.as_deref())
            )
            .into(),
            "priority" => note!(
                "notify-summary-priority",
                old = value(f.old.as_deref()),
                new = value(f.new.as_deref())
            )
            .into(),
            "assignee_id" if f.new.is_none() => note!("notify-summary-unassigned").into(),
            "assignee_id" => note!("notify-summary-assignee").into(),
            "team_id" => note!("notify-summary-team").into(),
            "subject" => note!("notify-summary-subject").into(),
            "tags" => note!("notify-summary-tag", tag = new).into(),
            "message" if f.old.as_deref() == Some("customer") => {
                note!("notify-summary-customer-message").into()
            }
            "message" => note!("notify-summary-reply").into(),
            "note" => note!("notify-summary-note").into(),
            "customer_id" => note!("notify-summary-customer").into(),
            "resolution_message_id" => note!("notify-summary-solution").into(),
            "ticket" => continue,
            other => Part::from(other.replace('_', " ")),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts
}

/// The `@handles` in a note, lowercased: `@dana`, `@dana.white`, `@DanaWhite`. An `@` inside a
/// word (an email address) is not a mention; trailing punctuation is not part of the handle.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let handle_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' && (i == 0 || !handle_char(chars[i - 1])) {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && handle_char(chars[end]) {
                end += 1;
            }
            let handle: String = chars[start..end].iter().collect();
            let handle = handle.trim_end_matches(['.', '-', '_', '+']).to_lowercase();
            if !handle.is_empty() && !out.contains(&handle) {
                out.push(handle);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `handle` (lowercased) names the agent: the part of the email before `@`, or the
/// name without spaces, both compared without case.
pub fn handle_matches(handle: &str, email: &str, name: &str) -> bool {
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let squashed: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    handle == local || (!squashed.is_empty() && handle == squashed)
}

async fn mentioned_agents(tx: &mut Tx, handles: &[String]) -> AppResult<Vec<i64>> {
    let agents: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT agent_id, email, name FROM agent WHERE active = 1 ORDER BY agent_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(agents
        .into_iter()
        .filter(|(_, email, name)| handles.iter().any(|h| handle_matches(h, email, name)))
        .map(|(id, _, _)| id)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Reading and marking

pub async fn notifications(db: &Db, agent_id: i64, limit: i64) -> AppResult<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT agent_notification_id, ticket_id, kind, body, body_note, created_at, read_at FROM agent_notification
         WHERE agent_id = $1 ORDER BY agent_notification_id DESC LIMIT $2",
    )
    .bind(agent_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(notification_from_row).collect()
}

fn notification_from_row(r: &sqlx::any::AnyRow) -> AppResult<Notification> {
    Ok(Notification {
        id: r.try_get("agent_notification_id")?,
        ticket_id: r.try_get("ticket_id")?,
        kind: r.try_get("kind")?,
        body: r.try_get("body")?,
        body_note: Note::from_json(r.try_get::<Option<String>, _>("body_note")?.as_deref()),
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
    })
}

/// How many notifications the agent has not read (one indexed count; shown on every page).
pub async fn unread_count(db: &Db, agent_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM agent_notification WHERE agent_id = $1 AND read_at IS NULL",
    )
    .bind(agent_id)
    .fetch_one(&db.pool)
    .await?)
}

/// Marks every unread notification of the agent read.
pub async fn mark_all_read(db: &Db, agent_id: i64, now: Millis) -> AppResult<()> {
    sqlx::query(
        "UPDATE agent_notification SET read_at = $1 WHERE agent_id = $2 AND read_at IS NULL",
    )
    .bind(now)
    .bind(agent_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Marks one of the agent's notifications read; 404 when it is not the agent's.
pub async fn mark_read(db: &Db, agent_id: i64, notification_id: i64, now: Millis) -> AppResult<()> {
    let found = sqlx::query(
        "UPDATE agent_notification SET read_at = COALESCE(read_at, $1)
         WHERE agent_notification_id = $2 AND agent_id = $3",
    )
    .bind(now)
    .bind(notification_id)
    .bind(agent_id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if found == 0 {
        return Err(AppError::NotFound("notification"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Preferences

/// How an agent wants to hear about one kind of notification.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pref {
    pub kind: String,
    /// Shown on /notifications (and counted in the nav). Off: nothing is recorded.
    pub in_app: bool,
    /// Unread notifications of this kind go out in the email digest.
    pub email: bool,
}

/// The agent's preferences for every kind (in-app on, email off where the agent set nothing).
pub async fn prefs(db: &Db, agent_id: i64) -> AppResult<Vec<Pref>> {
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT kind, in_app, email FROM notification_pref WHERE agent_id = $1")
            .bind(agent_id)
            .fetch_all(&db.pool)
            .await?;
    let set: BTreeMap<String, (i64, i64)> = rows.into_iter().map(|(k, i, e)| (k, (i, e))).collect();
    Ok(KINDS
        .iter()
        .map(|(kind, _)| {
            let (in_app, email) = set.get(*kind).copied().unwrap_or((1, 0));
            Pref {
                kind: kind.to_string(),
                in_app: in_app == 1,
                email: email == 1,
            }
        })
        .collect())
}

/// Stores the given preferences (kinds not listed keep theirs); 422 for an unknown kind.
pub async fn set_prefs(db: &Db, agent_id: i64, prefs: &[Pref], now: Millis) -> AppResult<()> {
    if let Some(p) = prefs.iter().find(|p| !known_kind(&p.kind)) {
        return Err(AppError::field(
            "kind",
            format!("unknown notification kind {:?}", p.kind),
        ));
    }
    let mut tx = db.begin().await?;
    for p in prefs {
        sqlx::query(
            "INSERT INTO notification_pref (agent_id, kind, in_app, email, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (agent_id, kind) DO UPDATE SET in_app = $3, email = $4, updated_at = $5",
        )
        .bind(agent_id)
        .bind(&p.kind)
        .bind(i64::from(p.in_app))
        .bind(i64::from(p.email))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Followers

/// Agent `agent_id` follows ticket `ticket_id` (again: no change); 404 for no such ticket.
#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn follow(db: &Db, ticket_id: i64, agent_id: i64, now: Millis) -> AppResult<()> {
    let mut tx = db.begin().await?;
    follow_in(&mut tx, ticket_id, agent_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`follow`] inside a transaction the caller commits.
pub async fn follow_in(tx: &mut Tx, ticket_id: i64, agent_id: i64, now: Millis) -> AppResult<()> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT ticket_id FROM ticket WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_optional(&mut **tx)
            .await?;
    if exists.is_none() {
        return Err(AppError::NotFound("ticket"));
    }
    sqlx::query(
        "INSERT INTO ticket_follower (ticket_id, agent_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (ticket_id, agent_id) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(agent_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unfollow(db: &Db, ticket_id: i64, agent_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM ticket_follower WHERE ticket_id = $1 AND agent_id = $2")
        .bind(ticket_id)
        .bind(agent_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn is_following(db: &Db, ticket_id: i64, agent_id: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT agent_id FROM ticket_follower WHERE ticket_id = $1 AND agent_id = $2",
    )
    .bind(ticket_id)
    .bind(agent_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(found.is_some())
}

// ---------------------------------------------------------------------------------------------
// Email digest

/// One agent's next digest: unread notifications not mailed yet, of kinds the agent gets by email.
#[derive(Debug, Clone)]
pub struct Digest {
    pub agent_id: i64,
    pub email: String,
    pub name: String,
    /// The agent's own language (`agent.locale`), if they chose one.
    pub locale: Option<String>,
    pub items: Vec<Notification>,
}

/// Most notifications one digest lists; the rest wait for the next one.
const DIGEST_MAX_ITEMS: usize = 50;

/// The digests due at `now`. An agent's digest is due when the oldest notification in it has
/// been unread for `every_ms` (time to read it in Casebook first) and the agent's previous digest
/// went out at least `every_ms` ago, so an agent gets at most one digest per period.
pub async fn due_digests(db: &Db, now: Millis, every_ms: i64) -> AppResult<Vec<Digest>> {
    let since = now - every_ms;
    let rows = sqlx::query(
        "SELECT n.agent_notification_id, n.agent_id, n.ticket_id, n.kind, n.body, n.body_note, n.created_at, n.read_at,
                a.email, a.name,
                COALESCE(a.locale, (SELECT value FROM setting WHERE name = 'default_locale')) AS locale
         FROM agent_notification n
         JOIN notification_pref p ON p.agent_id = n.agent_id AND p.kind = n.kind AND p.email = 1
         JOIN agent a ON a.agent_id = n.agent_id AND a.active = 1
         WHERE n.read_at IS NULL AND n.emailed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM agent_notification m
                           WHERE m.agent_id = n.agent_id AND m.emailed_at > $1)
         ORDER BY n.agent_id, n.agent_notification_id
         LIMIT 10000",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    let mut out: Vec<Digest> = Vec::new();
    for r in &rows {
        let agent_id: i64 = r.try_get("agent_id")?;
        if out.last().is_none_or(|d| d.agent_id != agent_id) {
            out.push(Digest {
                agent_id,
                email: r.try_get("email")?,
                name: crate::domain::single_line(&r.try_get::<String, _>("name")?),
                locale: r.try_get("locale")?,
                items: Vec::new(),
            });
        }
        let d = out.last_mut().expect("pushed above");
        if d.items.len() < DIGEST_MAX_ITEMS {
            d.items.push(notification_from_row(r)?);
        }
    }
    out.retain(|d| d.items.first().is_some_and(|n| n.created_at <= since));
    Ok(out)
}

/// Records that the digest's notifications are being mailed (stamped `now`), so no other run
/// or node mails them too. False (and nothing recorded) when any of them was read or claimed
/// meanwhile; the next run picks up what is left.
pub async fn claim_digest(db: &Db, d: &Digest, now: Millis) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let mut claimed = 0;
    for n in &d.items {
        claimed += sqlx::query(
            "UPDATE agent_notification SET emailed_at = $1
             WHERE agent_notification_id = $2 AND agent_id = $3 AND emailed_at IS NULL AND read_at IS NULL",
        )
        .bind(now)
        .bind(n.id)
        .bind(d.agent_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    if claimed as usize != d.items.len() {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Forgets a claim whose mail could not be sent for now, so the next run tries again.
pub async fn release_digest(db: &Db, d: &Digest, stamp: Millis) -> AppResult<()> {
    let mut tx = db.begin().await?;
    for n in &d.items {
        sqlx::query(
            "UPDATE agent_notification SET emailed_at = NULL WHERE agent_notification_id = $1 AND emailed_at = $2",
        )
        .bind(n.id)
        .bind(stamp)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The language a digest is written in: the agent's own, else the installation's.
pub fn digest_locale(d: &Digest) -> crate::i18n::Locale {
    d.locale
        .as_deref()
        .and_then(crate::i18n::Locale::parse)
        .unwrap_or_else(crate::i18n::default_locale)
}

/// The digest mail: subject, plain text, HTML, in the current language (the worker renders it
/// in [`digest_locale`]).
pub fn digest_mail(d: &Digest, base_url: &str) -> (String, String, String) {
    let n = d.items.len();
    let subject = t!("notify-digest-subject", count = n);
    let link = |n: &Notification| match n.ticket_id {
        Some(t) => format!("{base_url}/tickets/{t}"),
        None => format!("{base_url}/notifications"),
    };
    let settings = format!("{base_url}/notifications");
    let mut text = format!("{}\n\n", t!("notify-digest-intro"));
    for item in &d.items {
        text.push_str(&format!("- {}\n  {}\n", item.text(), link(item)));
    }
    text.push_str(&format!(
        "\n{}\n",
        t!("notify-digest-settings", url = settings.as_str())
    ));
    let locale = crate::i18n::current();
    // The address is a link where the translation puts it.
    let footer = crate::i18n::markup(
        &t!("notify-digest-settings", url = crate::i18n::SLOT[0]),
        &[maud::html! { a href=(settings) { (settings) } }],
    );
    let html = maud::html! {
        div lang=(locale.tag()) dir=(locale.dir()) {
            p { (t!("notify-digest-intro")) }
            ul {
                @for item in &d.items {
                    li { a href=(link(item)) dir="auto" { (item.text()) } }
                }
            }
            p style="color:#687085;font-size:13px" { (footer) }
        }
    }
    .into_string();
    (subject, text, html)
}

/// Longest a digest mail may take to send before the run gives up on it (and retries later).
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// Mails every due digest; returns how many went out.
pub async fn send_digests(
    state: &crate::state::AppState,
    mailer: &super::Mailer,
    now: Millis,
) -> AppResult<usize> {
    let every_ms = state.config.notification_digest_minutes.max(1) * 60_000;
    let mut sent = 0;
    for d in due_digests(&state.db, now, every_ms).await? {
        if !claim_digest(&state.db, &d, now).await? {
            continue;
        }
        let (subject, text, html) = crate::i18n::with(digest_locale(&d), || {
            digest_mail(&d, &state.config.base_url)
        });
        let mail = super::AgentMail {
            to: &d.email,
            to_name: &d.name,
            subject: &subject,
            text: &text,
            html: &html,
        };
        let result = tokio::time::timeout(SEND_TIMEOUT, mailer.send_to_agent(&mail)).await;
        match result {
            Ok(Ok(())) => sent += 1,
            Ok(Err(super::SendError::Permanent(e))) => {
                // Kept as mailed: the same address would refuse it again.
                tracing::warn!(agent_id = d.agent_id, error = %e, "notification digest refused");
            }
            Ok(Err(super::SendError::Transient(e))) => {
                tracing::warn!(agent_id = d.agent_id, error = %e, "notification digest not sent; will retry");
                release_digest(&state.db, &d, now).await?;
            }
            Err(_) => {
                tracing::warn!(
                    agent_id = d.agent_id,
                    "notification digest timed out; will retry"
                );
                release_digest(&state.db, &d, now).await?;
            }
        }
    }
    Ok(sent)
}

/// Longest one digest run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// The digest loop (started with the workers when outbound mail is configured): looks for due
/// digests every minute, or more often when the period is shorter.
pub async fn run_digests(state: crate::state::AppState) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    let every_ms = state.config.notification_digest_minutes.max(1) * 60_000;
    let tick = Duration::from_millis(every_ms.min(60_000) as u64);
    loop {
        tokio::time::sleep(tick).await;
        match tokio::time::timeout(RUN_TIMEOUT, send_digests(&state, &mailer, state.now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(digests = n, "notification digests mailed"),
            Ok(Err(err)) => tracing::warn!(error = %err, "notification digests failed"),
            Err(_) => tracing::warn!("notification digest run took too long and was stopped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_handles_after_a_word_boundary() {
        assert_eq!(
            mentions("@dana please check, cc @Dana.White. Mail bob@example.com"),
            vec!["dana", "dana.white"]
        );
        assert_eq!(
            mentions("(@DanaWhite) and @ alone and @dana"),
            vec!["danawhite", "dana"]
        );
        assert!(mentions("no mentions here").is_empty());
    }

    #[test]
    fn handles_match_email_local_part_or_squashed_name() {
        assert!(handle_matches("dana", "dana@x.test", "Dana White"));
        assert!(handle_matches("danawhite", "d.w@x.test", "Dana White"));
        assert!(!handle_matches("dan", "dana@x.test", "Dana White"));
        assert!(!handle_matches("white", "dana@x.test", "Dana White"));
    }

    #[test]
    fn summaries_name_what_changed() {
        let f = |field: &str, old: Option<&str>, new: Option<&str>| FieldChange {
            field: field.into(),
            old: old.map(Into::into),
            new: new.map(Into::into),
        };
        let parts = summarize(&[
            f("status", Some("open"), Some("pending")),
            f("message", Some("customer"), Some("7")),
            f("status", Some("open"), Some("pending")),
        ]);
        let english: Vec<String> = parts
            .iter()
            .map(|p| match p {
                Part::Note(n) => n.english(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            english,
            ["status open → pending", "new customer message"],
            "each change once"
        );
    }
}
