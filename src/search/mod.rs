//! Search over tickets and their resolutions. One document per ticket is kept in a `SearchIndex`:
//! the database's own full-text search by default (`db_fts`), or Meilisearch when configured
//! (`meili`). Documents are (re)built from the database by `search.index` outbox jobs written
//! with each change, and a reconcile pass repairs whatever an outage left behind.

pub mod db_fts;
pub mod meili;
pub mod replies;
pub mod text;

use crate::config::Config;
use crate::db::{Db, Sql, Tx};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use crate::outbox;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::sync::Arc;
use text::Highlight;

pub use text::Term;

/// The outbox job kind that (re)indexes one ticket: payload `{"ticket_id": N}`.
pub const INDEX_JOB: &str = "search.index";

/// What the index holds for one ticket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TicketDoc {
    pub ticket_id: i64,
    pub subject: String,
    /// Public messages (customer and agent), oldest first.
    pub body: String,
    /// Internal notes: searchable by agents only, never shown to anyone else.
    pub internal: String,
    /// The text of the message that solved the ticket ("" while unsolved).
    pub resolution: String,
    pub resolution_message_id: Option<i64>,
    pub tags: Vec<String>,
    pub customer_id: i64,
    /// Customer name and organisation (their email domain).
    pub customer: String,
    pub status: String,
    pub priority: String,
    pub team_id: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub solved_at: Option<Millis>,
    /// The ticket's last change this document reflects; the reconcile pass compares it.
    pub version: Millis,
}

impl TicketDoc {
    pub fn solved(&self) -> bool {
        self.status == "solved" || self.status == "closed"
    }
}

#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    Relevance,
    Date,
}

/// Whether every term must match (a search box) or any (similar tickets, ranked by how many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    All,
    Any,
}

/// Which text a query looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fields {
    /// Subject, messages, resolution, tags, customer (and internal notes for agents).
    Everything,
    /// Subject and resolution: what "similar solved tickets" compares.
    SubjectAndResolution,
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    pub terms: Vec<Term>,
    pub status: Option<String>,
    pub customer_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Only tickets with this tag.
    pub tag: Option<String>,
    /// Created at or after / before (ms).
    pub from: Option<Millis>,
    pub to: Option<Millis>,
    pub solved_only: bool,
    pub sort: Sort,
    /// Agents see matches in internal notes; nobody else does.
    pub include_internal: bool,
    pub matching: Matching,
    pub fields: Fields,
    pub exclude_ticket: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

impl SearchQuery {
    pub fn new(text: &str) -> Self {
        SearchQuery {
            text: text.trim().to_string(),
            terms: text::terms(text),
            status: None,
            customer_id: None,
            team_id: None,
            tag: None,
            from: None,
            to: None,
            solved_only: false,
            sort: Sort::Relevance,
            include_internal: false,
            matching: Matching::All,
            fields: Fields::Everything,
            exclude_ticket: None,
            limit: 20,
            offset: 0,
        }
    }
}

/// One matching ticket with the text snippets are cut from.
#[derive(Debug, Clone)]
pub struct Hit {
    pub ticket_id: i64,
    pub subject: String,
    pub status: String,
    pub customer: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub body: String,
    /// Empty unless the query included internal notes.
    pub internal: String,
    pub resolution: String,
    pub score: f64,
    /// Words the index matched in this ticket as they are spelt there, when it says (Meilisearch
    /// marks typo corrections and prefixes): highlighted along with the query's own terms.
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HitPage {
    pub hits: Vec<Hit>,
    pub total: i64,
}

/// An index of ticket documents.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    /// `embedded-sqlite`, `embedded-postgres` or `meilisearch`.
    fn kind(&self) -> &'static str;
    /// Whether a misspelt word still finds its tickets.
    fn typo_tolerant(&self) -> bool;
    /// Creates the index and applies its settings; waits until they are in effect.
    async fn prepare(&self) -> anyhow::Result<()>;
    /// Adds or replaces documents.
    async fn put(&self, docs: &[TicketDoc]) -> anyhow::Result<()>;
    /// Removes documents by ticket id (missing ones are fine).
    async fn remove(&self, ticket_ids: &[i64]) -> anyhow::Result<()>;
    async fn search(&self, q: &SearchQuery) -> anyhow::Result<HitPage>;
    /// How many documents the index holds.
    async fn count(&self) -> anyhow::Result<i64>;
    /// Tidies the index after many documents were replaced (a reindex): nothing by default.
    async fn compact(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The index the configuration asks for: Meilisearch when `CASEBOOK_MEILI_URL` is set, otherwise
/// the database's own full-text search.
pub fn from_config(config: &Config, db: &Db) -> anyhow::Result<Arc<dyn SearchIndex>> {
    match &config.meili_url {
        Some(url) => Ok(Arc::new(meili::MeiliIndex::new(
            url,
            config.meili_key.as_ref().map(|k| k.expose()),
        )?)),
        None => Ok(Arc::new(db_fts::DbIndex::new(db.clone()))),
    }
}

/// Queues (re)indexing of a ticket in the transaction that changed it.
pub async fn enqueue_index(tx: &mut Tx, ticket_id: i64, now: Millis) -> AppResult<()> {
    outbox::enqueue(tx, &outbox::Job::SearchIndex { ticket_id }, now).await
}

// ---------------------------------------------------------------------------------------------
// Building documents from the database

const DOC_TICKETS: &str = "SELECT t.ticket_id, t.subject, t.status, t.priority, t.customer_id, t.team_id,
    t.created_at, t.updated_at, t.solved_at, t.resolution_message_id, c.name AS customer_name,
    (SELECT ci.value FROM customer_identity ci WHERE ci.customer_id = t.customer_id AND ci.kind = 'email'
       ORDER BY ci.customer_identity_id LIMIT 1) AS customer_email
    FROM ticket t JOIN customer c ON c.customer_id = t.customer_id";

/// Documents for tickets with ids in `first..=last`, at most `limit` of them, in id order.
pub async fn load_docs(
    db: &Db,
    first: i64,
    last: i64,
    limit: i64,
) -> anyhow::Result<Vec<TicketDoc>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{DOC_TICKETS} WHERE t.ticket_id >= $1 AND t.ticket_id <= $2 ORDER BY t.ticket_id LIMIT $3"
    )))
    .bind(first)
    .bind(last)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut docs = Vec::with_capacity(rows.len());
    let mut resolution_ids = Vec::with_capacity(rows.len());
    for r in &rows {
        let name: String = r.try_get("customer_name")?;
        let email: Option<String> = r.try_get("customer_email")?;
        let org = email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        let customer = [name.as_str(), email.as_deref().unwrap_or(""), org.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let updated_at: i64 = r.try_get("updated_at")?;
        resolution_ids.push(r.try_get::<Option<i64>, _>("resolution_message_id")?);
        docs.push(TicketDoc {
            ticket_id: r.try_get("ticket_id")?,
            subject: r.try_get("subject")?,
            body: String::new(),
            internal: String::new(),
            resolution: String::new(),
            resolution_message_id: None,
            tags: Vec::new(),
            customer_id: r.try_get("customer_id")?,
            customer,
            status: r.try_get("status")?,
            priority: r.try_get("priority")?,
            team_id: r.try_get("team_id")?,
            created_at: r.try_get("created_at")?,
            updated_at,
            solved_at: r.try_get("solved_at")?,
            version: updated_at,
        });
    }
    let lo = docs.first().map(|d| d.ticket_id).unwrap_or(first);
    let hi = docs.last().map(|d| d.ticket_id).unwrap_or(last);
    let messages = sqlx::query(
        "SELECT message_id, ticket_id, author_kind, visibility, body_text, created_at FROM message
         WHERE ticket_id >= $1 AND ticket_id <= $2 ORDER BY ticket_id, message_id",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&db.pool)
    .await?;
    let tags = sqlx::query(
        "SELECT ticket_id, tag, created_at FROM ticket_tag WHERE ticket_id >= $1 AND ticket_id <= $2 ORDER BY ticket_id, tag",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&db.pool)
    .await?;
    let ids: Vec<i64> = docs.iter().map(|d| d.ticket_id).collect();
    let index_of = |id: i64| ids.binary_search(&id).ok();
    // (ticket index) -> last public agent reply before solve
    let mut last_reply: Vec<Option<(i64, String)>> = vec![None; docs.len()];
    let mut marked: Vec<Option<String>> = vec![None; docs.len()];
    let mut bodies: Vec<Vec<String>> = vec![Vec::new(); docs.len()];
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); docs.len()];
    for m in &messages {
        let tid: i64 = m.try_get("ticket_id")?;
        let Some(i) = index_of(tid) else { continue };
        let mid: i64 = m.try_get("message_id")?;
        let body: String = m.try_get("body_text")?;
        let visibility: String = m.try_get("visibility")?;
        let author: String = m.try_get("author_kind")?;
        let created: i64 = m.try_get("created_at")?;
        if resolution_ids[i] == Some(mid) {
            marked[i] = Some(body.clone());
        }
        if visibility == "public" {
            if author == "agent" && docs[i].solved_at.is_none_or(|s| created <= s) {
                last_reply[i] = Some((mid, body.clone()));
            }
            bodies[i].push(body);
        } else {
            notes[i].push(body);
        }
    }
    for t in &tags {
        let tid: i64 = t.try_get("ticket_id")?;
        let Some(i) = index_of(tid) else { continue };
        docs[i].tags.push(t.try_get("tag")?);
        let at: i64 = t.try_get("created_at")?;
        docs[i].version = docs[i].version.max(at);
    }
    for (i, doc) in docs.iter_mut().enumerate() {
        doc.body = bodies[i].join("\n\n");
        doc.internal = notes[i].join("\n\n");
        match (&marked[i], resolution_ids[i]) {
            (Some(text), Some(id)) => {
                doc.resolution = text.clone();
                doc.resolution_message_id = Some(id);
            }
            _ if doc.solved() => {
                if let Some((id, text)) = last_reply[i].take() {
                    doc.resolution = text;
                    doc.resolution_message_id = Some(id);
                }
            }
            _ => {}
        }
    }
    Ok(docs)
}

pub async fn load_doc(db: &Db, ticket_id: i64) -> anyhow::Result<Option<TicketDoc>> {
    Ok(load_docs(db, ticket_id, ticket_id, 1).await?.pop())
}

/// Records which version of each ticket the index now holds, many tickets per statement.
async fn record_indexed(tx: &mut Tx, docs: &[TicketDoc], now: Millis) -> anyhow::Result<()> {
    const PER_STATEMENT: usize = 200;
    for chunk in docs.chunks(PER_STATEMENT) {
        let mut sql = Sql::default();
        let rows = sql.tuples(chunk.iter().map(|d| [d.ticket_id, d.version, now]));
        sql.push(&format!(
            "INSERT INTO search_state (ticket_id, version, indexed_at) VALUES {rows}
             ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version, indexed_at = excluded.indexed_at"
        ));
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn forget_indexed(tx: &mut Tx, ids: &[i64]) -> anyhow::Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM search_state WHERE ticket_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The `search.index` job: rebuilds one ticket's document and puts it in the index. An index
/// that is down makes the job fail and retry later; the ticket operation that queued it is done.
pub async fn run_index_job(state: &AppState, job_id: i64, ticket_id: i64) -> anyhow::Result<()> {
    let doc = load_doc(&state.db, ticket_id).await?;
    match &doc {
        Some(d) => state.search.put(std::slice::from_ref(d)).await?,
        None => state.search.remove(&[ticket_id]).await?,
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    match &doc {
        Some(d) => record_indexed(&mut tx, std::slice::from_ref(d), now).await?,
        None => forget_indexed(&mut tx, &[ticket_id]).await?,
    }
    if outbox::mark_done(&mut tx, job_id, now).await? {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}

/// Runs many `search.index` jobs (job id, ticket id) as one: the tickets' documents written to
/// the index together, then their versions recorded and every job marked done in one
/// transaction. Indexing is idempotent, so a job another worker finished meanwhile is harmless.
pub async fn run_index_batch(state: &AppState, jobs: &[(i64, i64)]) -> anyhow::Result<()> {
    let mut ids: Vec<i64> = jobs.iter().map(|(_, t)| *t).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut docs = Vec::with_capacity(ids.len());
    let mut gone = Vec::new();
    for id in &ids {
        match load_doc(&state.db, *id).await? {
            Some(d) => docs.push(d),
            None => gone.push(*id),
        }
    }
    if !docs.is_empty() {
        state.search.put(&docs).await?;
    }
    if !gone.is_empty() {
        state.search.remove(&gone).await?;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    record_indexed(&mut tx, &docs, now).await?;
    forget_indexed(&mut tx, &gone).await?;
    for (job_id, _) in jobs {
        outbox::mark_done(&mut tx, *job_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reindex and reconcile

#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    pub indexed: i64,
    pub removed: i64,
    pub total_tickets: i64,
    pub index_count: i64,
}

/// Tickets loaded and indexed together by `casebook reindex`.
const BATCH: i64 = 2000;

/// Tickets indexed together by the reconcile pass, which runs beside live work: on SQLite a
/// batch holds the one writer turn, so it is kept to a fraction of a second.
const LIVE_BATCH: i64 = 250;

/// Tickets indexed together by the reconcile pass on Meilisearch: one task each (tasks run one
/// after another and cost about the same whatever their size).
const MEILI_BATCH: i64 = 2000;

/// Puts `docs` in the index and records their versions.
async fn put_batch(
    db: &Db,
    index: &dyn SearchIndex,
    docs: &[TicketDoc],
    now: Millis,
) -> anyhow::Result<()> {
    index.put(docs).await?;
    let mut tx = db.begin().await?;
    record_indexed(&mut tx, docs, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes documents of tickets that no longer exist.
async fn remove_orphans(db: &Db, index: &dyn SearchIndex) -> anyhow::Result<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT s.ticket_id FROM search_state s WHERE NOT EXISTS (SELECT 1 FROM ticket t WHERE t.ticket_id = s.ticket_id)",
    )
    .fetch_all(&db.pool)
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    index.remove(&ids).await?;
    let mut tx = db.begin().await?;
    forget_indexed(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(ids.len() as i64)
}

/// Rebuilds every ticket's document. Safe to run again: documents are replaced, not added.
/// `progress(done, total)` is called after each batch.
pub async fn reindex(
    db: &Db,
    index: &dyn SearchIndex,
    now: Millis,
    progress: impl FnMut(i64, i64),
) -> anyhow::Result<IndexReport> {
    reindex_in_batches(db, index, now, BATCH, progress).await
}

async fn reindex_in_batches(
    db: &Db,
    index: &dyn SearchIndex,
    now: Millis,
    batch: i64,
    mut progress: impl FnMut(i64, i64),
) -> anyhow::Result<IndexReport> {
    index.prepare().await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&db.pool)
        .await?;
    let mut done = 0;
    let mut after = 0i64;
    progress(0, total);
    loop {
        let docs = load_docs(db, after + 1, i64::MAX, batch).await?;
        let Some(last) = docs.last() else { break };
        after = last.ticket_id;
        put_batch(db, index, &docs, now).await?;
        done += docs.len() as i64;
        progress(done, total);
    }
    let removed = remove_orphans(db, index).await?;
    index.compact().await?;
    Ok(IndexReport {
        indexed: done,
        removed,
        total_tickets: total,
        index_count: index.count().await?,
    })
}

/// Brings the index in line with the database: tickets changed since their document was built
/// (or never recorded as indexed, such as a document put just before a crash) are indexed again,
/// documents of deleted tickets removed. When the index's document count still disagrees with
/// what Casebook recorded, the index itself lost or gained documents (it was wiped or restored),
/// and every ticket is indexed again.
pub async fn reconcile(
    db: &Db,
    index: &dyn SearchIndex,
    now: Millis,
) -> anyhow::Result<IndexReport> {
    reconcile_with(db, index, now, &std::sync::atomic::AtomicI64::new(0)).await
}

/// [`reconcile`], keeping in `left` how many tickets a large catch-up still has to index (0 when
/// none), so searches can say that their results may be incomplete. It walks the tickets once,
/// in id order (each batch starts after the last one), in batches of [`LIVE_BATCH`] on the
/// database's own index (a batch holds SQLite's writer turn) and of [`MEILI_BATCH`] on
/// Meilisearch (one task per batch).
pub async fn reconcile_with(
    db: &Db,
    index: &dyn SearchIndex,
    now: Millis,
    left: &std::sync::atomic::AtomicI64,
) -> anyhow::Result<IndexReport> {
    use std::sync::atomic::Ordering;
    let batch = if index.kind() == "meilisearch" {
        MEILI_BATCH
    } else {
        LIVE_BATCH
    };
    let mut indexed = 0;
    let mut after = 0i64;
    loop {
        let stale: Vec<i64> = sqlx::query_scalar(
            "SELECT t.ticket_id FROM ticket t LEFT JOIN search_state s ON s.ticket_id = t.ticket_id
             WHERE t.ticket_id > $2 AND (s.ticket_id IS NULL OR s.version < t.updated_at)
             ORDER BY t.ticket_id LIMIT $1",
        )
        .bind(batch)
        .bind(after)
        .fetch_all(&db.pool)
        .await?;
        let Some(&last) = stale.last() else { break };
        if after == 0 && stale.len() as i64 == batch {
            // A large catch-up (a new or restored index): count it once, for the searches.
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM ticket t LEFT JOIN search_state s ON s.ticket_id = t.ticket_id
                 WHERE s.ticket_id IS NULL OR s.version < t.updated_at",
            )
            .fetch_one(&db.pool)
            .await?;
            left.store(n, Ordering::Relaxed);
        }
        after = last;
        let mut docs = Vec::with_capacity(stale.len());
        for id in &stale {
            if let Some(d) = load_doc(db, *id).await? {
                docs.push(d);
            }
        }
        put_batch(db, index, &docs, now).await?;
        indexed += docs.len() as i64;
        let _ = left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            Some((n - stale.len() as i64).max(0))
        });
        if (stale.len() as i64) < batch {
            break;
        }
    }
    left.store(0, Ordering::Relaxed);
    let removed = remove_orphans(db, index).await?;
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_state")
        .fetch_one(&db.pool)
        .await?;
    let in_index = index.count().await?;
    if in_index != recorded {
        tracing::warn!(in_index, recorded, "search index count differs; rebuilding");
        let mut report = reindex_in_batches(db, index, now, batch, |done, total| {
            left.store((total - done).max(0), Ordering::Relaxed)
        })
        .await?;
        left.store(0, Ordering::Relaxed);
        report.indexed += indexed;
        report.removed += removed;
        return Ok(report);
    }
    let total_tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&db.pool)
        .await?;
    Ok(IndexReport {
        indexed,
        removed,
        total_tickets,
        index_count: index.count().await?,
    })
}

/// Applies the index settings at start (retrying while the index is unreachable), then runs the
/// reconcile pass every `interval`.
pub async fn run_reconciler(state: AppState, interval: std::time::Duration) {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match state.search.prepare().await {
            Ok(()) => break,
            Err(err) => {
                tracing::warn!(index = state.search.kind(), error = %err, "search index not ready; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(60));
            }
        }
    }
    loop {
        let now = state.clock.now_ms();
        match reconcile_with(&state.db, state.search.as_ref(), now, &state.search_rebuild).await {
            Ok(r) if r.indexed > 0 || r.removed > 0 => {
                tracing::info!(
                    indexed = r.indexed,
                    removed = r.removed,
                    "search index reconciled"
                )
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "search reconcile failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Queries for the UI and the API

/// A search result as the UI and API show it. The subject, snippet and resolution come as runs
/// of text with the matches marked (the UI escapes and marks them); the API also gives each as
/// HTML, escaped then marked.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct ResultItem {
    pub ticket_id: i64,
    pub subject: String,
    pub subject_marked: Highlight,
    pub subject_html: String,
    pub status: String,
    pub customer: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub snippet: Highlight,
    pub snippet_html: String,
    /// Where the snippet comes from: `message`, `internal`, `resolution` or `subject`.
    pub snippet_from: &'static str,
    pub resolution: Option<Highlight>,
    pub resolution_html: Option<String>,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: i64,
    pub items: Vec<ResultItem>,
}

fn present(h: &Hit, terms: &[Term], include_internal: bool) -> ResultItem {
    let with_matched: Vec<Term>;
    let terms = if h.matched.is_empty() {
        terms
    } else {
        with_matched = terms
            .iter()
            .cloned()
            .chain(h.matched.iter().map(|w| Term {
                text: w.clone(),
                phrase: true,
            }))
            .collect();
        &with_matched
    };
    let (from, source) = if text::mentions(&h.resolution, terms) {
        ("resolution", h.resolution.as_str())
    } else if text::mentions(&h.body, terms) {
        ("message", h.body.as_str())
    } else if include_internal && text::mentions(&h.internal, terms) {
        ("internal", h.internal.as_str())
    } else if !h.resolution.is_empty() {
        ("resolution", h.resolution.as_str())
    } else {
        ("message", h.body.as_str())
    };
    let subject = text::snippet(&h.subject, terms, 300);
    let snippet = text::snippet(source, terms, 180);
    let resolution = (!h.resolution.is_empty()).then(|| text::snippet(&h.resolution, terms, 240));
    ResultItem {
        ticket_id: h.ticket_id,
        subject: h.subject.clone(),
        subject_html: subject.to_html(),
        subject_marked: subject,
        status: h.status.clone(),
        customer: h.customer.clone(),
        created_at: h.created_at,
        updated_at: h.updated_at,
        snippet_html: snippet.to_html(),
        snippet,
        snippet_from: from,
        resolution_html: resolution.as_ref().map(Highlight::to_html),
        resolution,
        score: h.score,
    }
}

/// Runs a search for an agent.
pub async fn search(state: &AppState, q: &SearchQuery) -> AppResult<Results> {
    let page = state.search.search(q).await.map_err(|e| {
        tracing::warn!(index = state.search.kind(), error = %e, "search failed");
        AppError::SearchUnavailable {
            retry_after_secs: 5,
        }
    })?;
    Ok(Results {
        total: page.total,
        items: page
            .hits
            .iter()
            .map(|h| present(h, &q.terms, q.include_internal))
            .collect(),
    })
}

/// "Similar solved tickets": the subject and first message of `ticket_id` against solved tickets'
/// subjects and resolutions, best first. Empty when the index cannot answer (the ticket page
/// still works).
pub async fn similar_solved(state: &AppState, ticket_id: i64, limit: i64) -> Vec<ResultItem> {
    let source = sqlx::query(
        "SELECT t.subject, (SELECT m.body_text FROM message m WHERE m.ticket_id = t.ticket_id AND m.visibility = 'public'
            ORDER BY m.message_id LIMIT 1) AS first_body FROM ticket t WHERE t.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&state.db.pool)
    .await;
    let Ok(Some(row)) = source else {
        return Vec::new();
    };
    let subject: String = row.try_get("subject").unwrap_or_default();
    let body: Option<String> = row.try_get("first_body").unwrap_or_default();
    let words = text::key_words(&format!("{subject} {}", body.unwrap_or_default()), 12);
    if words.is_empty() {
        return Vec::new();
    }
    let mut q = SearchQuery::new(&words.join(" "));
    q.matching = Matching::Any;
    q.fields = Fields::SubjectAndResolution;
    q.solved_only = true;
    q.exclude_ticket = Some(ticket_id);
    q.limit = limit;
    // A relevance floor that means the same on every index: a suggestion shares at least two
    // of the ticket's key words (one, when the ticket has fewer than four), so a single common
    // word does not fill the panel. Fewer than `limit` suggestions, or none, is fine.
    let floor = if words.len() >= 4 { 2 } else { 1 };
    match state.search.search(&q).await {
        Ok(page) => page
            .hits
            .iter()
            .filter(|h| !h.resolution.is_empty())
            .filter(|h| {
                let text = format!("{} {}", h.subject, h.resolution);
                text::shared_words(&words, &text) >= floor
            })
            .map(|h| present(h, &q.terms, false))
            .collect(),
        Err(err) => {
            tracing::warn!(error = %err, "similar tickets unavailable");
            Vec::new()
        }
    }
}

/// The resolution text of a solved ticket, for "insert this answer as a draft reply".
pub async fn resolution_text(db: &Db, ticket_id: i64) -> AppResult<Option<String>> {
    Ok(load_doc(db, ticket_id)
        .await?
        .map(|d| d.resolution)
        .filter(|r| !r.is_empty()))
}

/// An agent marks which message solved the ticket (or clears the mark with `None`).
pub async fn mark_resolution(
    db: &Db,
    agent: &crate::auth::AgentRef,
    ticket_id: i64,
    message_id: Option<i64>,
    now: Millis,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let mut edit = crate::tickets::commands::open(
        &mut tx,
        ticket_id,
        crate::tickets::Actor::Agent(agent),
        crate::tickets::Expect::Any,
        now,
    )
    .await?;
    edit.set_resolution(&mut tx, message_id).await?;
    edit.save(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The message marked as the solution of a ticket, if an agent marked one.
pub async fn marked_resolution(db: &Db, ticket_id: i64) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT resolution_message_id FROM ticket WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_optional(&db.pool)
            .await?
            .flatten(),
    )
}

/// `casebook reindex`: rebuilds the configured index with a progress bar on stderr.
pub async fn cli_reindex(db: &Db, config: &Config, now: Millis) -> anyhow::Result<IndexReport> {
    use std::io::Write;
    let index = from_config(config, db)?;
    let started = std::time::Instant::now();
    let mut last_draw = std::time::Instant::now() - std::time::Duration::from_secs(1);
    let report = reindex(db, index.as_ref(), now, |done, total| {
        if done < total && last_draw.elapsed() < std::time::Duration::from_millis(200) {
            return;
        }
        last_draw = std::time::Instant::now();
        let width = 30usize;
        let filled = if total == 0 {
            width
        } else {
            (done as usize * width) / total as usize
        };
        let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{total} tickets ({rate:.0}/s)",
            "#".repeat(filled),
            "-".repeat(width - filled)
        );
        let _ = err.flush();
    })
    .await?;
    eprintln!();
    eprintln!(
        "reindexed {} tickets into the {} index in {:.1} s ({} stale documents removed; the index holds {})",
        report.indexed,
        index.kind(),
        started.elapsed().as_secs_f64(),
        report.removed,
        report.index_count
    );
    Ok(report)
}
