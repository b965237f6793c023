//! SQL for reading tickets, their conversation and their audit log.

use super::{Attachment, Event, Message, Ticket};
use crate::db::{Backend, Db, Sql, Tx};
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status};
use crate::error::{AppError, AppResult};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

const TICKET_COLUMNS: &str = "SELECT t.ticket_id, t.subject, t.status, t.priority, t.channel, t.customer_id,
    c.name AS customer_name,
    (SELECT ci.value FROM customer_identity ci WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
       ORDER BY (CASE WHEN ci.retired_at IS NULL THEN 0 ELSE 1 END), ci.customer_identity_id LIMIT 1) AS customer_email,
    t.assignee_id, a.name AS assignee_name, t.follow_up_of_id, t.created_at, t.updated_at,
    t.first_response_at, t.solved_at, t.closed_at, t.version, t.merged_into_id, t.team_id";
const TICKET_JOINS: &str = "JOIN customer c ON c.customer_id = t.customer_id LEFT JOIN agent a ON a.agent_id = t.assignee_id";

/// The ticket select; `hint` names an SQLite index to walk (see `list_tickets`).
fn ticket_select(hint: &str) -> String {
    format!("{TICKET_COLUMNS} FROM ticket t {hint} {TICKET_JOINS}")
}

fn parse<T: std::str::FromStr<Err = String>>(row: &AnyRow, col: &str) -> AppResult<T> {
    let s: String = row.try_get(col)?;
    s.parse()
        .map_err(|e: String| AppError::Internal(anyhow::anyhow!("{col} in db: {e}")))
}

pub async fn get_ticket(db: &Db, id: i64) -> AppResult<Ticket> {
    sqlx::query_as(AssertSqlSafe(format!(
        "{} WHERE t.ticket_id = $1",
        ticket_select("")
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("ticket"))
}

/// A ticket's tags, in alphabetical order.
pub async fn tags(db: &Db, ticket_id: i64) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT tag FROM ticket_tag WHERE ticket_id = $1 ORDER BY tag")
            .bind(ticket_id)
            .fetch_all(&db.pool)
            .await?,
    )
}

/// The first `limit` tags in use, alphabetically (suggestions while typing one; the tag index
/// serves it without counting).
pub async fn known_tags(db: &Db, limit: i64) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT tag FROM ticket_tag ORDER BY tag LIMIT $1")
            .bind(limit)
            .fetch_all(&db.pool)
            .await?,
    )
}

/// Reads a ticket inside a write transaction, with its row locked (PostgreSQL), so concurrent
/// changes to the same ticket apply one after the other.
pub async fn get_ticket_tx(tx: &mut Tx, id: i64) -> AppResult<Ticket> {
    lock_ticket(tx, id).await?;
    sqlx::query_as(AssertSqlSafe(format!(
        "{} WHERE t.ticket_id = $1",
        ticket_select("")
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound("ticket"))
}

/// Reads a ticket's status inside a write transaction, locking its row on PostgreSQL. The lock is
/// `FOR NO KEY UPDATE`: rows that reference the ticket (messages, events) need only a key-share
/// lock on it, so writing them elsewhere never waits for this transaction.
pub async fn lock_ticket(tx: &mut Tx, id: i64) -> AppResult<(Status, Option<i64>)> {
    let sql = format!(
        "SELECT status, first_response_at FROM ticket WHERE ticket_id = $1 {}",
        tx.backend().for_no_key_update()
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    Ok((parse(&row, "status")?, row.try_get("first_response_at")?))
}

/// The agent's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Unassigned,
    Open,
    Pending,
    Solved,
    All,
}

impl Queue {
    pub const ALL: [(Queue, &'static str, &'static str); 6] = [
        (Queue::Mine, "mine", "Mine"),
        (Queue::Unassigned, "unassigned", "Unassigned"),
        (Queue::Open, "open", "All open"),
        (Queue::Pending, "pending", "Pending"),
        (Queue::Solved, "solved", "Solved"),
        (Queue::All, "all", "All"),
    ];

    pub fn parse(s: &str) -> Option<Queue> {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == s)
            .map(|(q, _, _)| *q)
    }

    pub fn key(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(q, _, _)| *q == self)
            .map(|(_, k, _)| *k)
            .unwrap_or("all")
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub queue: Option<Queue>,
    pub status: Option<Status>,
    pub assignee_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// The cursor of keyset pagination: only tickets past this id in the list's order (a smaller
    /// id newest first, a larger one oldest first).
    pub before_id: Option<i64>,
    pub limit: i64,
    /// Most urgent SLA first (earliest unmet due time; tickets without one last) instead of
    /// newest first. One page only: no cursor is returned.
    pub sla_urgency: bool,
    /// Only tickets of this team (e.g. a team's unassigned queue).
    pub team_id: Option<i64>,
    /// Only tickets with this tag.
    pub tag: Option<String>,
    pub priority: Option<Priority>,
    pub channel: Option<String>,
    /// Only tickets nobody changed since this instant (waiting that long).
    pub updated_before: Option<Millis>,
    /// Only tickets whose customer has this plan / segment (lower case) or is (not) a VIP, as the
    /// customer's CRM history says.
    pub plan: Option<String>,
    pub segment: Option<String>,
    pub vip: Option<bool>,
    /// Only tickets with an SLA clock in this state now.
    pub sla: Option<SlaFilter>,
    /// Only tickets waiting on us since before this instant: a customer's public message is
    /// unanswered since then.
    pub customer_waiting_since: Option<Millis>,
    /// The instant `sla` is judged at.
    pub now: Millis,
    pub sort: Sort,
}

/// SLA states a list can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// A running clock is past its target.
    Breached,
    /// A running clock is past its warning time but not yet its target.
    AtRisk,
    /// Either of the two.
    NeedsAttention,
}

impl SlaFilter {
    pub const ALL: [(SlaFilter, &'static str, &'static str); 3] = [
        (SlaFilter::Breached, "breached", "breached"),
        (
            SlaFilter::AtRisk,
            "at_risk",
            "at risk (warned, not yet breached)",
        ),
        (
            SlaFilter::NeedsAttention,
            "attention",
            "breached or at risk",
        ),
    ];

    pub fn parse(s: &str) -> Option<SlaFilter> {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == s)
            .map(|(f, _, _)| *f)
    }
}

/// The order of a list. Newest and oldest first page through keysets; the others show one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// Most recently changed first.
    Updated,
    /// Urgent first, then newest.
    Priority,
    /// Earliest unmet SLA due time first.
    SlaDue,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 5] = [
        (Sort::Newest, "newest", "newest first"),
        (Sort::Oldest, "oldest", "oldest first"),
        (Sort::Updated, "updated", "recently changed first"),
        (Sort::Priority, "priority", "most urgent priority first"),
        (Sort::SlaDue, "sla", "SLA due soonest first"),
    ];

    pub fn parse(s: &str) -> Option<Sort> {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == s)
            .map(|(v, _, _)| *v)
    }

    /// Whether a list in this order pages with a cursor.
    pub fn pages(self) -> bool {
        matches!(self, Sort::Newest | Sort::Oldest)
    }
}

/// The WHERE clauses of a list (joined with AND), their parameters pushed onto `sql`.
fn list_clauses(sql: &mut Sql, viewer_id: i64, f: &ListFilter) -> Vec<String> {
    // Only fixed fragments are spliced into the SQL; every value is a bound parameter.
    let mut clauses: Vec<String> = Vec::new();
    match f.queue {
        Some(Queue::Mine) => {
            let viewer = sql.param(viewer_id);
            clauses.push(format!(
                "t.assignee_id = {viewer} AND t.status IN ('new','open','pending')"
            ))
        }
        Some(Queue::Unassigned) => {
            clauses.push("t.assignee_id IS NULL AND t.status IN ('new','open','pending')".into())
        }
        Some(Queue::Open) => clauses.push("t.status IN ('new','open')".into()),
        Some(Queue::Pending) => clauses.push("t.status = 'pending'".into()),
        Some(Queue::Solved) => clauses.push("t.status IN ('solved','closed')".into()),
        Some(Queue::All) | None => {}
    }
    if let Some(s) = f.status {
        clauses.push(format!("t.status = {}", sql.param(s.as_str().to_string())));
    }
    if let Some(a) = f.assignee_id {
        clauses.push(format!("t.assignee_id = {}", sql.param(a)));
    }
    if let Some(c) = f.customer_id {
        clauses.push(format!("t.customer_id = {}", sql.param(c)));
    }
    if let Some(b) = f.before_id {
        let op = if f.sort == Sort::Oldest { ">" } else { "<" };
        clauses.push(format!("t.ticket_id {op} {}", sql.param(b)));
    }
    if let Some(team) = f.team_id {
        clauses.push(format!("t.team_id = {}", sql.param(team)));
    }
    if let Some(tag) = &f.tag {
        // The tag index lists a tag's tickets in id order, so a page reads only its own rows.
        clauses.push(format!(
            "t.ticket_id IN (SELECT g.ticket_id FROM ticket_tag g WHERE g.tag = {})",
            sql.param(tag.clone())
        ));
    }
    if let Some(p) = f.priority {
        clauses.push(format!(
            "t.priority = {}",
            sql.param(p.as_str().to_string())
        ));
    }
    if let Some(c) = &f.channel {
        clauses.push(format!("t.channel = {}", sql.param(c.clone())));
    }
    if let Some(u) = f.updated_before {
        clauses.push(format!("t.updated_at < {}", sql.param(u)));
    }
    if let Some(plan) = &f.plan {
        clauses.push(format!(
            "t.customer_id IN (SELECT ca.customer_id FROM customer_attr ca WHERE ca.plan = {})",
            sql.param(plan.clone())
        ));
    }
    if let Some(segment) = &f.segment {
        clauses.push(format!(
            "t.customer_id IN (SELECT ca.customer_id FROM customer_attr ca WHERE ca.segment = {})",
            sql.param(segment.clone())
        ));
    }
    match f.vip {
        Some(true) => clauses.push(
            "t.customer_id IN (SELECT ca.customer_id FROM customer_attr ca WHERE ca.vip = 1)"
                .into(),
        ),
        Some(false) => clauses.push(
            "t.customer_id NOT IN (SELECT ca.customer_id FROM customer_attr ca WHERE ca.vip = 1)"
                .into(),
        ),
        None => {}
    }
    if let Some(state) = f.sla {
        let now = sql.param(f.now);
        let when = match state {
            SlaFilter::Breached => format!("s.due_at <= {now}"),
            SlaFilter::AtRisk => format!("s.warn_at <= {now} AND s.due_at > {now}"),
            SlaFilter::NeedsAttention => format!("(s.due_at <= {now} OR s.warn_at <= {now})"),
        };
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.ticket_id AND s.met_at IS NULL AND s.paused = 0 AND {when})"
        ));
    }
    if let Some(since) = f.customer_waiting_since {
        clauses.push(format!(
            "t.status IN ('new','open') AND t.waiting_since < {}",
            sql.param(since)
        ));
    }
    if clauses.is_empty() {
        clauses.push("1 = 1".into());
    }
    clauses
}

/// Whether only the queue narrows the list (no other filter).
fn plain_queue(f: &ListFilter) -> bool {
    f.customer_id.is_none()
        && f.assignee_id.is_none()
        && f.status.is_none()
        && f.team_id.is_none()
        && f.tag.is_none()
        && f.priority.is_none()
        && f.channel.is_none()
        && f.updated_before.is_none()
        && f.plan.is_none()
        && f.segment.is_none()
        && f.vip.is_none()
        && f.sla.is_none()
        && f.customer_waiting_since.is_none()
}

/// The query of one page of [`list_tickets`]: `limit + 1` rows, so a next page shows.
fn list_query(backend: Backend, viewer_id: i64, f: &ListFilter, limit: i64) -> Sql {
    let mut sql = Sql::default();
    let clauses = list_clauses(&mut sql, viewer_id, f);
    let limit = sql.param(limit + 1);
    // SQLite's planner, depending on its statistics, may read a whole queue through the status
    // index and sort it; the partial index of the queue reads a page in id order. Only plain queue
    // pages newest first get the hint: with a customer or assignee filter their own index is
    // better.
    let hint = match (
        backend,
        f.queue,
        plain_queue(f) && f.sort == Sort::Newest && !f.sla_urgency,
    ) {
        (Backend::Sqlite, Some(Queue::Open), true) => "INDEXED BY ticket_queue_open_idx",
        (Backend::Sqlite, Some(Queue::Unassigned), true) => {
            "INDEXED BY ticket_queue_unassigned_idx"
        }
        (Backend::Sqlite, Some(Queue::Solved), true) => "INDEXED BY ticket_queue_solved_idx",
        (Backend::Sqlite, Some(Queue::Mine), true) => "INDEXED BY ticket_queue_active_idx",
        _ => "",
    };
    let sort = if f.sla_urgency { Sort::SlaDue } else { f.sort };
    let order = match sort {
        Sort::SlaDue => {
            "(SELECT MIN(s.due_at) FROM ticket_sla s WHERE s.ticket_id = t.ticket_id AND s.met_at IS NULL) IS NULL,
         (SELECT MIN(s.due_at) FROM ticket_sla s WHERE s.ticket_id = t.ticket_id AND s.met_at IS NULL), t.ticket_id DESC"
        }
        Sort::Newest => "t.ticket_id DESC",
        Sort::Oldest => "t.ticket_id ASC",
        Sort::Updated => "t.updated_at DESC, t.ticket_id DESC",
        Sort::Priority => {
            "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, t.ticket_id DESC"
        }
    };
    sql.push(&format!(
        "{} WHERE {} ORDER BY {order} LIMIT {limit}",
        ticket_select(hint),
        clauses.join(" AND ")
    ));
    sql
}

/// How many tickets a list holds, counting at most `cap` (`(cap, true)` when there are more).
/// Reads ids only, through the same filters as the list.
pub async fn count_capped(
    db: &Db,
    viewer_id: i64,
    f: &ListFilter,
    cap: i64,
) -> AppResult<(i64, bool)> {
    let mut sql = Sql::default();
    let clauses = list_clauses(
        &mut sql,
        viewer_id,
        &ListFilter {
            before_id: None,
            ..f.clone()
        },
    );
    let limit = sql.param(cap + 1);
    sql.push(&format!(
        "SELECT COUNT(*) FROM (SELECT t.ticket_id FROM ticket t WHERE {} LIMIT {limit}) x",
        clauses.join(" AND ")
    ));
    let n: i64 = sql.query_scalar().fetch_one(&db.pool).await?;
    Ok((n.min(cap), n > cap))
}

/// The plan of each of `customer_ids` that has one (for a list's plan column).
pub async fn plans_of(
    db: &Db,
    customer_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    if customer_ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT customer_id, plan FROM customer_attr WHERE plan IS NOT NULL AND customer_id IN (",
    );
    sql.push_params(customer_ids.iter().copied());
    sql.push(")");
    for r in sql.query().fetch_all(&db.pool).await? {
        out.insert(r.try_get("customer_id")?, r.try_get("plan")?);
    }
    Ok(out)
}

/// Tags of each of `ids`, each list in alphabetical order (for the tag chips of a list).
pub async fn tags_of(
    db: &Db,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new("SELECT ticket_id, tag FROM ticket_tag WHERE ticket_id IN (");
    sql.push_params(ids.iter().copied());
    sql.push(") ORDER BY ticket_id, tag");
    for r in sql.query().fetch_all(&db.pool).await? {
        out.entry(r.try_get("ticket_id")?)
            .or_default()
            .push(r.try_get("tag")?);
    }
    Ok(out)
}

/// Lists tickets newest first; returns one page and the cursor for the next one.
pub async fn list_tickets(
    db: &Db,
    viewer_id: i64,
    f: &ListFilter,
) -> AppResult<(Vec<Ticket>, Option<i64>)> {
    let limit = f.limit.clamp(1, 200);
    let mut tickets: Vec<Ticket> = list_query(db.backend, viewer_id, f, limit)
        .query_as()
        .fetch_all(&db.pool)
        .await?;
    let next = if tickets.len() as i64 > limit {
        tickets.truncate(limit as usize);
        tickets
            .last()
            .filter(|_| !f.sla_urgency && f.sort.pages())
            .map(|t| t.id)
    } else {
        None
    };
    Ok((tickets, next))
}

/// Counts per queue for the sidebar.
pub async fn queue_counts(db: &Db, viewer_id: i64) -> AppResult<Vec<(Queue, i64)>> {
    // Four counts, each answered from an index alone (assignee and status; status) instead of
    // one pass over every active ticket's row: ~1 ms instead of ~60 ms with 50,000 open tickets.
    let row = sqlx::query(
        "SELECT
            (SELECT COUNT(*) FROM ticket WHERE assignee_id = $1 AND status IN ('new','open','pending')) AS mine,
            (SELECT COUNT(*) FROM ticket WHERE assignee_id IS NULL AND status IN ('new','open','pending')) AS unassigned,
            (SELECT COUNT(*) FROM ticket WHERE status IN ('new','open')) AS open,
            (SELECT COUNT(*) FROM ticket WHERE status = 'pending') AS pending",
    )
    .bind(viewer_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(vec![
        (Queue::Mine, row.try_get("mine")?),
        (Queue::Unassigned, row.try_get("unassigned")?),
        (Queue::Open, row.try_get("open")?),
        (Queue::Pending, row.try_get("pending")?),
    ])
}

/// The conversation, oldest first. `public_only` hides internal notes (the customer's view).
pub async fn messages(db: &Db, ticket_id: i64, public_only: bool) -> AppResult<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT m.message_id, m.ticket_id, m.author_kind, m.visibility, m.body_text, m.created_at,
            m.full_text, m.thread_reason, m.thread_reason_note, m.mail_kind, m.delivery_status, m.delivery_error, m.email_message_id,
            COALESCE(m.channel, CASE WHEN m.raw_email_id IS NOT NULL OR m.delivery_status IS NOT NULL THEN 'email'
              WHEN m.author_kind = 'customer' THEN t.channel END) AS channel,
            g.name AS gateway_name, m.external_id,
            COALESCE(a.name, c.name, 'Casebook') AS author_name
         FROM message m JOIN ticket t ON t.ticket_id = m.ticket_id
           LEFT JOIN agent a ON a.agent_id = m.agent_id LEFT JOIN customer c ON c.customer_id = m.customer_id
           LEFT JOIN channel_gateway g ON g.channel_gateway_id = m.channel_gateway_id
         WHERE m.ticket_id = $1 AND ($2 = 0 OR m.visibility = 'public')
         ORDER BY m.message_id",
    )
    .bind(ticket_id)
    .bind(i64::from(public_only))
    .fetch_all(&db.pool)
    .await?;
    let atts = sqlx::query(
        "SELECT x.attachment_id, x.message_id, x.filename, x.content_type, x.size_bytes
         FROM attachment x JOIN message m ON m.message_id = x.message_id WHERE m.ticket_id = $1 ORDER BY x.attachment_id",
    )
    .bind(ticket_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("message_id")?;
        let mut attachments = Vec::new();
        for a in atts.iter() {
            if a.try_get::<i64, _>("message_id")? == id {
                attachments.push(Attachment {
                    id: a.try_get("attachment_id")?,
                    filename: a.try_get("filename")?,
                    content_type: a.try_get("content_type")?,
                    size_bytes: a.try_get("size_bytes")?,
                });
            }
        }
        out.push(Message {
            id,
            ticket_id,
            author_kind: parse(r, "author_kind")?,
            author_name: r.try_get("author_name")?,
            visibility: parse(r, "visibility")?,
            body_text: r.try_get("body_text")?,
            full_text: r.try_get("full_text")?,
            thread_reason: r.try_get("thread_reason")?,
            thread_reason_note: crate::i18n::Note::from_json(
                r.try_get::<Option<String>, _>("thread_reason_note")?
                    .as_deref(),
            ),
            mail_kind: r.try_get("mail_kind")?,
            delivery_status: r.try_get("delivery_status")?,
            delivery_error: r.try_get("delivery_error")?,
            email_message_id: r.try_get("email_message_id")?,
            channel: r.try_get("channel")?,
            gateway_name: r.try_get("gateway_name")?,
            external_id: r.try_get("external_id")?,
            created_at: r.try_get("created_at")?,
            attachments,
        });
    }
    Ok(out)
}

pub struct AttachmentContent {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
    pub ticket_id: i64,
    pub public: bool,
}

pub async fn attachment(db: &Db, id: i64) -> AppResult<AttachmentContent> {
    let r = sqlx::query(
        "SELECT x.filename, x.content_type, x.content, m.ticket_id, m.visibility FROM attachment x
         JOIN message m ON m.message_id = x.message_id WHERE x.attachment_id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("attachment"))?;
    Ok(AttachmentContent {
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        content: r.try_get("content")?,
        ticket_id: r.try_get("ticket_id")?,
        public: r.try_get::<String, _>("visibility")? == "public",
    })
}

pub async fn events(db: &Db, ticket_id: i64) -> AppResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT e.ticket_event_id, e.actor_kind, a.name AS agent_name, e.kind, e.old_value, e.new_value, e.detail, e.detail_note, e.created_at
         FROM ticket_event e LEFT JOIN agent a ON a.agent_id = e.agent_id WHERE e.ticket_id = $1 ORDER BY e.ticket_event_id",
    )
    .bind(ticket_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let agent: Option<String> = r.try_get("agent_name")?;
            let actor_kind: String = r.try_get("actor_kind")?;
            Ok(Event {
                id: r.try_get("ticket_event_id")?,
                actor: agent.unwrap_or(actor_kind),
                kind: r.try_get("kind")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                detail: r.try_get("detail")?,
                detail_note: crate::i18n::Note::from_json(
                    r.try_get::<Option<String>, _>("detail_note")?.as_deref(),
                ),
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The ticket a customer's private link points to, if the link is valid now.
pub async fn ticket_for_link(db: &Db, token: &str, now: i64) -> AppResult<i64> {
    match super::links::state(db, token, now).await? {
        super::links::LinkState::Valid(ticket_id) => Ok(ticket_id),
        _ => Err(AppError::NotFound("ticket")),
    }
}

#[cfg(test)]
mod list_query_tests {
    use super::*;

    #[test]
    fn numbers_only_the_parameters_of_the_filters_set() {
        let f = ListFilter {
            queue: Some(Queue::Open),
            limit: 50,
            ..Default::default()
        };
        let sql = list_query(Backend::Sqlite, 9, &f, 50);
        assert_eq!(
            sql.text(),
            format!(
                "{} WHERE t.status IN ('new','open') ORDER BY t.ticket_id DESC LIMIT $1",
                ticket_select("INDEXED BY ticket_queue_open_idx")
            )
        );
        assert_eq!(sql.len(), 1);

        let f = ListFilter {
            queue: Some(Queue::Mine),
            status: Some(Status::Open),
            assignee_id: Some(3),
            customer_id: Some(4),
            before_id: Some(5),
            team_id: Some(7),
            tag: Some("vip".into()),
            vip: Some(true),
            sla: Some(SlaFilter::Breached),
            now: 1_000,
            sort: Sort::Oldest,
            limit: 50,
            ..Default::default()
        };
        let sql = list_query(Backend::Postgres, 9, &f, 50);
        assert_eq!(
            sql.text(),
            format!(
                "{} WHERE t.assignee_id = $1 AND t.status IN ('new','open','pending') AND t.status = $2 \
                 AND t.assignee_id = $3 AND t.customer_id = $4 AND t.ticket_id > $5 AND t.team_id = $6 \
                 AND t.ticket_id IN (SELECT g.ticket_id FROM ticket_tag g WHERE g.tag = $7) \
                 AND t.customer_id IN (SELECT ca.customer_id FROM customer_attr ca WHERE ca.vip = 1) \
                 AND EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.ticket_id AND s.met_at IS NULL AND s.paused = 0 AND s.due_at <= $8) \
                 ORDER BY t.ticket_id ASC LIMIT $9",
                ticket_select("")
            )
        );
        assert_eq!(sql.len(), 9);
    }
}
