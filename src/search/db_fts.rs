//! The embedded index: the database's own full-text search. SQLite: two FTS5 tables, one with
//! the trigram tokenizer (substrings in every script) and one with Porter stemming (English word
//! forms). PostgreSQL: `tsvector` columns ('english' stems and 'simple' keeps every language's
//! words) behind GIN indexes, `websearch_to_tsquery`, prefix matching for words with attached
//! particles, and `pg_trgm` similarity on subjects for typos where the extension is installed.

use super::{Fields, Hit, HitPage, Matching, SearchIndex, SearchQuery, Sort, Term, TicketDoc};
use crate::db::{Backend, Db};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};
use tokio::sync::OnceCell;

/// A query ranks at most this many matching tickets — the most recent ones — so a word that is
/// in every ticket costs no more than a rare one. Totals count up to this many.
pub const CANDIDATES: i64 = 1000;

/// PostgreSQL looks for the candidates among this many most recent tickets first.
const RECENT_WALK: i64 = 4000;

/// When fewer than one ticket in this many matched among those, PostgreSQL reads the matches
/// from the GIN indexes instead of walking on through the most recent tickets.
const WALK_ON_BELOW: i64 = 12;

pub struct DbIndex {
    db: Db,
    trigram_ext: OnceCell<bool>,
}

impl DbIndex {
    pub fn new(db: Db) -> Self {
        DbIndex {
            db,
            trigram_ext: OnceCell::new(),
        }
    }

    /// Whether PostgreSQL has `pg_trgm` (and so the subject similarity index).
    async fn has_pg_trgm(&self) -> bool {
        *self
            .trigram_ext
            .get_or_init(|| async {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'search_doc_subject_trgm_idx'",
                )
                .fetch_one(&self.db.pool)
                .await
                .map(|n| n > 0)
                .unwrap_or(false)
            })
            .await
    }
}

/// A bind value for SQL assembled at run time (fixed fragments only; values are parameters).
#[derive(Debug, Clone)]
enum Arg {
    Int(Option<i64>),
    Text(String),
}

#[derive(Default)]
struct Sql {
    args: Vec<Arg>,
}

impl Sql {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
    fn int(&mut self, v: i64) -> String {
        self.arg(Arg::Int(Some(v)))
    }
    fn text(&mut self, v: impl Into<String>) -> String {
        self.arg(Arg::Text(v.into()))
    }
    fn bind<'q>(&self, mut q: Query<'q, Any, AnyArguments>) -> Query<'q, Any, AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }
}

/// Filters shared by both backends, on `search_doc d`.
fn filters(q: &SearchQuery, sql: &mut Sql) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(s) = &q.status {
        w.push(format!("d.status = {}", sql.text(s.clone())));
    }
    if q.solved_only {
        w.push("d.status IN ('solved', 'closed')".to_string());
    }
    if let Some(c) = q.customer_id {
        w.push(format!("d.customer_id = {}", sql.int(c)));
    }
    if let Some(t) = q.team_id {
        w.push(format!("d.team_id = {}", sql.int(t)));
    }
    if let Some(f) = q.from {
        w.push(format!("d.created_at >= {}", sql.int(f)));
    }
    if let Some(t) = q.to {
        w.push(format!("d.created_at < {}", sql.int(t)));
    }
    if let Some(x) = q.exclude_ticket {
        w.push(format!("d.ticket_id <> {}", sql.int(x)));
    }
    w
}

fn where_clause(w: &[String]) -> String {
    if w.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", w.join(" AND "))
    }
}

/// An FTS5 string literal.
fn fts_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The FTS5 match expression for `terms`; `min_chars` drops terms the tokenizer cannot match
/// (the trigram tokenizer needs three characters).
fn fts_expr(q: &SearchQuery, terms: &[&Term]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let joined = terms
        .iter()
        .map(|t| fts_quote(&t.text))
        .collect::<Vec<_>>()
        .join(match q.matching {
            Matching::All => " AND ",
            Matching::Any => " OR ",
        });
    let columns = match (q.fields, q.include_internal) {
        (Fields::SubjectAndResolution, _) => Some("{subject resolution}"),
        (Fields::Everything, false) => Some("{subject body resolution tags customer}"),
        (Fields::Everything, true) => None,
    };
    Some(match columns {
        Some(c) => format!("{c} : ({joined})"),
        None => format!("({joined})"),
    })
}

fn hit_from(r: &sqlx::any::AnyRow, include_internal: bool) -> anyhow::Result<Hit> {
    Ok(Hit {
        ticket_id: r.try_get("ticket_id")?,
        subject: r.try_get("subject")?,
        status: r.try_get("status")?,
        customer: r.try_get("customer")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        body: r.try_get("body")?,
        internal: if include_internal {
            r.try_get("internal")?
        } else {
            String::new()
        },
        resolution: r.try_get("resolution")?,
        score: r.try_get::<f64, _>("score").unwrap_or(0.0),
    })
}

const PG_HIT_SELECT: &str =
    "SELECT ticket_id, status, created_at, updated_at, subject, body, internal,
    resolution, customer FROM search_doc WHERE ticket_id IN";

/// (id, score) in rank order, and the total from `COUNT(*) OVER ()`.
fn ranked_ids(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<(Vec<(i64, f64)>, i64)> {
    let total = rows
        .first()
        .map(|r| r.try_get::<i64, _>("total"))
        .transpose()?
        .unwrap_or(0);
    let ranked = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get::<f64, _>("score").unwrap_or(0.0),
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((ranked, total))
}

/// A tsquery lexeme: quoted, with quotes and backslashes removed.
fn ts_lexeme(s: &str) -> String {
    format!("'{}'", s.replace(['\'', '\\'], ""))
}

impl DbIndex {
    /// Latin-script words are matched whole (with stemming) by the Porter table; the trigram
    /// table is consulted for other scripts, and for Latin words only when nothing matched
    /// whole (a partial word such as "passw").
    async fn search_sqlite(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        let latin = q.terms.iter().all(|t| t.text.is_ascii());
        if latin && !q.terms.is_empty() {
            let page = self.search_sqlite_arms(q, false).await?;
            if !page.hits.is_empty() || q.offset > 0 {
                return Ok(page);
            }
        }
        self.search_sqlite_arms(q, true).await
    }

    async fn search_sqlite_arms(&self, q: &SearchQuery, trigram: bool) -> anyhow::Result<HitPage> {
        let mut sql = Sql::default();
        let include_internal = q.include_internal && q.fields == Fields::Everything;
        let order = match q.sort {
            Sort::Relevance => "h.score, d.updated_at DESC",
            Sort::Date => "d.updated_at DESC",
        };
        let words: Vec<&Term> = q.terms.iter().collect();
        let long: Vec<&Term> = q
            .terms
            .iter()
            .filter(|t| t.text.chars().count() >= 3)
            .collect();
        let short: Vec<&Term> = q
            .terms
            .iter()
            .filter(|t| t.text.chars().count() < 3)
            .collect();
        let mut arms = Vec::new();
        if let Some(e) = fts_expr(q, &words) {
            let m = sql.text(e);
            let f = filters(q, &mut sql);
            arms.push(format!(
                "SELECT search_fts_en.rowid AS id, bm25(search_fts_en, 10.0, 1.0, 1.5, 5.0, 3.0, 2.0) AS score
                 FROM search_fts_en JOIN search_doc d ON d.ticket_id = search_fts_en.rowid
                 WHERE search_fts_en MATCH {m} {} ORDER BY search_fts_en.rowid DESC LIMIT {CANDIDATES}",
                f.iter().map(|c| format!(" AND {c}")).collect::<String>()
            ));
        }
        // The trigram arm: every term must be at least three characters long to use the index;
        // shorter ones (two-syllable Korean words, say) are matched with LIKE on what it returns.
        let tri_terms = if trigram { long } else { Vec::new() };
        let columns: &[&str] = match (q.fields, include_internal) {
            (Fields::SubjectAndResolution, _) => &["subject", "resolution"],
            (Fields::Everything, false) => &["subject", "body", "resolution", "tags", "customer"],
            (Fields::Everything, true) => &[
                "subject",
                "body",
                "internal",
                "resolution",
                "tags",
                "customer",
            ],
        };
        let like_for = |t: &Term, sql: &mut Sql| -> String {
            let p = sql.text(format!(
                "%{}%",
                t.text
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ));
            format!(
                "({})",
                columns
                    .iter()
                    .map(|c| format!("search_fts.{c} LIKE {p} ESCAPE '\\'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            )
        };
        if trigram && (!tri_terms.is_empty() || (!short.is_empty() && q.matching == Matching::All))
        {
            let mut conds = Vec::new();
            if let Some(e) = fts_expr(q, &tri_terms) {
                conds.push(format!("search_fts MATCH {}", sql.text(e)));
            }
            if q.matching == Matching::All {
                for t in &short {
                    conds.push(like_for(t, &mut sql));
                }
            }
            // Not ranked by bm25: that first counts every ticket holding each term's trigrams
            // (tens of milliseconds per word in a large index), and trigrams shared by most
            // tickets score next to nothing anyway. Whole-word matches keep their score from
            // the Porter arm; tickets matched only inside a word follow them, newest first.
            let score = "0.0";
            conds.extend(filters(q, &mut sql));
            arms.push(format!(
                "SELECT search_fts.rowid AS id, {score} AS score
                 FROM search_fts JOIN search_doc d ON d.ticket_id = search_fts.rowid
                 WHERE {} ORDER BY search_fts.rowid DESC LIMIT {CANDIDATES}",
                conds.join(" AND ")
            ));
        }
        let mut w = filters(q, &mut sql);
        let hits = if arms.is_empty() {
            if !q.terms.is_empty() {
                return Ok(HitPage::default());
            }
            format!(
                "(SELECT d.ticket_id AS id, 0.0 AS score FROM search_doc d {} ORDER BY d.updated_at DESC LIMIT {CANDIDATES})",
                where_clause(&filters(q, &mut sql))
            )
        } else if arms.len() == 1 {
            // bm25() may not be used where SQLite would flatten it into an aggregate.
            format!("({})", arms[0])
        } else {
            format!(
                "(SELECT id, MIN(score) AS score FROM ({}) GROUP BY id)",
                arms.iter()
                    .map(|a| format!("SELECT * FROM ({a})"))
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ")
            )
        };
        w.push("1 = 1".into());
        let limit = sql.int(q.limit.clamp(1, 100));
        let offset = sql.int(q.offset.max(0));
        // Rank ids first; the text of only the page's tickets is read afterwards.
        let text = format!(
            "SELECT h.id, h.score AS score, COUNT(*) OVER () AS total
             FROM {hits} h JOIN search_doc d ON d.ticket_id = h.id
             {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            where_clause(&w)
        );
        let rows = sql
            .bind(sqlx::query(AssertSqlSafe(text)))
            .fetch_all(&self.db.pool)
            .await?;
        let (ranked, total) = ranked_ids(&rows)?;
        // bm25 is lower for better matches; scores are reported as "higher is better".
        let ranked: Vec<(i64, f64)> = ranked.into_iter().map(|(id, s)| (id, -s)).collect();
        let hits = self
            .fetch_hits(
                "SELECT d.ticket_id, d.status, d.created_at, d.updated_at, f.subject, f.body, f.internal,
                    f.resolution, f.customer FROM search_doc d JOIN search_fts f ON f.rowid = d.ticket_id
                 WHERE d.ticket_id IN",
                &ranked,
                include_internal,
            )
            .await?;
        Ok(HitPage { hits, total })
    }

    /// Reads the text of ranked tickets and returns them in rank order. The ids come from the
    /// database (integers), so they are spliced in.
    async fn fetch_hits(
        &self,
        select: &str,
        ranked: &[(i64, f64)],
        include_internal: bool,
    ) -> anyhow::Result<Vec<Hit>> {
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let ids = ranked
            .iter()
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(AssertSqlSafe(format!("{select} ({ids})")))
            .fetch_all(&self.db.pool)
            .await?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (id, score) in ranked {
            if let Some(r) = rows
                .iter()
                .find(|r| r.try_get::<i64, _>("ticket_id").ok() == Some(*id))
            {
                let mut h = hit_from(r, include_internal)?;
                h.score = *score;
                hits.push(h);
            }
        }
        Ok(hits)
    }

    async fn search_postgres(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        let mut sql = Sql::default();
        let include_internal = q.include_internal && q.fields == Fields::Everything;
        let mut w = filters(q, &mut sql);
        let op = match q.matching {
            Matching::All => " & ",
            Matching::Any => " | ",
        };
        // Subject (A) and resolution (B) only, for similar tickets.
        let weights = match q.fields {
            Fields::SubjectAndResolution => ":AB",
            Fields::Everything => "",
        };
        let lexemes = |suffix: &str| -> String {
            q.terms
                .iter()
                .map(|t| {
                    if t.phrase {
                        let words: Vec<String> = t
                            .text
                            .split_whitespace()
                            .map(|w| format!("{}{weights}", ts_lexeme(w)))
                            .collect();
                        format!("({})", words.join(" <-> "))
                    } else {
                        format!("{}{suffix}{weights}", ts_lexeme(&t.text))
                    }
                })
                .collect::<Vec<_>>()
                .join(op)
        };
        let tsq = if q.terms.is_empty() {
            None
        } else {
            let english = sql.text(lexemes(""));
            // Prefixes in 'simple': Korean words carry particles ("결제가"), so "결제" must match.
            let simple = sql.text(lexemes(":*").replace(":*:AB", ":*AB"));
            Some(match (q.matching, q.fields) {
                (Matching::All, Fields::Everything) => {
                    let raw = sql.text(q.text.clone());
                    format!(
                        "(websearch_to_tsquery('english', {raw}::text) || websearch_to_tsquery('simple', {raw}::text) || to_tsquery('english', {english}::text) || to_tsquery('simple', {simple}::text))"
                    )
                }
                _ => format!(
                    "(to_tsquery('english', {english}::text) || to_tsquery('simple', {simple}::text))"
                ),
            })
        };
        let (score, matched) = match &tsq {
            Some(t) if include_internal => (
                format!("(ts_rank(d.tsv, {t}) + 0.5 * ts_rank(d.tsv_internal, {t}))::float8"),
                format!("(d.tsv @@ {t} OR d.tsv_internal @@ {t})"),
            ),
            Some(t) => (
                format!("ts_rank(d.tsv, {t})::float8"),
                format!("d.tsv @@ {t}"),
            ),
            None => ("0.0::float8".to_string(), "TRUE".to_string()),
        };
        let order = match q.sort {
            Sort::Relevance => "score DESC, d.updated_at DESC",
            Sort::Date => "d.updated_at DESC",
        };
        let limit = q.limit.clamp(1, 100);
        let offset = q.offset.max(0);
        let base_filters = w.clone();
        w.push(matched);
        let limit_p = sql.int(limit);
        let offset_p = sql.int(offset);
        let columns = "d.ticket_id, d.updated_at, d.tsv, d.tsv_internal";
        let ranked_from = |candidates: &str| {
            format!(
                "SELECT d.ticket_id AS id, {score} AS score, COUNT(*) OVER () AS total
                 FROM ({candidates}) d
                 ORDER BY {order} LIMIT {limit_p} OFFSET {offset_p}"
            )
        };
        // A prepared statement may switch to a generic plan, which cannot know how common the
        // words are; plan every search for its own words. A sequential scan reads every
        // ticket's tsvector, which the planner underestimates; the indexes always do better.
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
            .execute(&mut *tx)
            .await?;
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await?;
        let mut rows = Vec::new();
        if tsq.is_some() {
            // Common words: the candidates (the most recent matches) are among the most recent
            // tickets, found by walking the updated_at index through a bounded number of them.
            let text = ranked_from(&format!(
                "SELECT {columns} FROM (SELECT d.ticket_id, d.status, d.customer_id, d.team_id,
                        d.created_at, d.updated_at, d.tsv, d.tsv_internal FROM search_doc d
                        ORDER BY d.updated_at DESC LIMIT {RECENT_WALK}) d
                 {} ORDER BY d.updated_at DESC LIMIT {CANDIDATES}",
                where_clause(&w)
            ));
            rows = sql
                .bind(sqlx::query(AssertSqlSafe(text)))
                .fetch_all(&mut *tx)
                .await?;
            let found = ranked_ids(&rows)?.1;
            if found < CANDIDATES {
                rows.clear();
                // Fewer matches than that among them. Walking on costs a row read per ticket
                // until enough match; the GIN indexes cost a row read per match. Which is
                // cheaper follows from how often the words matched so far, not from the
                // planner's guess (which for words its statistics do not list is far off).
                let setting = if found * WALK_ON_BELOW >= RECENT_WALK {
                    "SET LOCAL enable_bitmapscan = off"
                } else {
                    "SET LOCAL enable_indexscan = off"
                };
                sqlx::query(setting).execute(&mut *tx).await?;
            }
        }
        if rows.is_empty() {
            // The most recent matches are the candidates; only they are ranked.
            let text = ranked_from(&format!(
                "SELECT {columns} FROM search_doc d {}
                 ORDER BY d.updated_at DESC LIMIT {CANDIDATES}",
                where_clause(&w)
            ));
            rows = sql
                .bind(sqlx::query(AssertSqlSafe(text)))
                .fetch_all(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let (ranked, total) = ranked_ids(&rows)?;
        let mut page = HitPage {
            total,
            hits: self
                .fetch_hits(PG_HIT_SELECT, &ranked, include_internal)
                .await?,
        };
        // Nothing matched word for word: look for subjects that are spelt almost the same.
        if page.hits.is_empty()
            && !q.text.is_empty()
            && q.matching == Matching::All
            && q.offset == 0
            && self.has_pg_trgm().await
        {
            let mut sql2 = Sql::default();
            let mut w2 = filters(q, &mut sql2);
            debug_assert_eq!(w2.len(), base_filters.len());
            let needle = sql2.text(q.text.to_lowercase());
            w2.push(format!("{needle}::text <% d.subject"));
            let limit_p = sql2.int(limit);
            let text = format!(
                "SELECT d.ticket_id AS id, word_similarity({needle}::text, d.subject)::float8 AS score, COUNT(*) OVER () AS total
                 FROM search_doc d {} ORDER BY score DESC, d.updated_at DESC LIMIT {limit_p}",
                where_clause(&w2)
            );
            let rows = sql2
                .bind(sqlx::query(AssertSqlSafe(text)))
                .fetch_all(&self.db.pool)
                .await?;
            let (ranked, total) = ranked_ids(&rows)?;
            page.total = total;
            page.hits = self
                .fetch_hits(PG_HIT_SELECT, &ranked, include_internal)
                .await?;
        }
        Ok(page)
    }

    /// Replaces documents: old text is deleted only for tickets the index already holds (none on
    /// a fresh rebuild), and a whole batch goes in with one statement per table. FTS5 writes its
    /// pending terms out as a new segment at every statement inside a transaction, so a
    /// statement per ticket would leave thousands of tiny segments to merge.
    async fn put_sqlite(&self, docs: &[TicketDoc]) -> anyhow::Result<()> {
        // Eight bound values a row; SQLite allows 32,766 per statement.
        const PER_STATEMENT: usize = 4000;
        let mut tx = self.db.begin().await?;
        for chunk in docs.chunks(PER_STATEMENT) {
            // Ticket ids are integers, so they are spliced in.
            let ids = chunk
                .iter()
                .map(|d| d.ticket_id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let present: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT ticket_id FROM search_doc WHERE ticket_id IN ({ids})"
            )))
            .fetch_all(&mut *tx)
            .await?;
            if !present.is_empty() {
                let present = present
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                for table in ["search_fts", "search_fts_en"] {
                    sqlx::query(AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE rowid IN ({present})"
                    )))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let mut sql = Sql::default();
            let rows = chunk
                .iter()
                .map(|d| {
                    format!(
                        "({}, {}, {}, {}, {}, {}, {})",
                        sql.int(d.ticket_id),
                        sql.text(d.subject.clone()),
                        sql.text(d.body.clone()),
                        sql.text(d.internal.clone()),
                        sql.text(d.resolution.clone()),
                        sql.text(d.tags.join(" ")),
                        sql.text(d.customer.clone()),
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            for table in ["search_fts", "search_fts_en"] {
                sql.bind(sqlx::query(AssertSqlSafe(format!(
                    "INSERT INTO {table} (rowid, subject, body, internal, resolution, tags, customer)
                     VALUES {rows}"
                ))))
                .execute(&mut *tx)
                .await?;
            }
            let mut sql = Sql::default();
            let rows = chunk
                .iter()
                .map(|d| {
                    format!(
                        "({}, {}, {}, {}, {}, {}, {}, {})",
                        sql.int(d.ticket_id),
                        sql.text(d.status.clone()),
                        sql.text(d.priority.clone()),
                        sql.int(d.customer_id),
                        sql.arg(Arg::Int(d.team_id)),
                        sql.int(d.created_at),
                        sql.int(d.updated_at),
                        sql.arg(Arg::Int(d.solved_at)),
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            sql.bind(sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO search_doc (ticket_id, status, priority, customer_id, team_id, created_at, updated_at, solved_at)
                 VALUES {rows}
                 ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status, priority = excluded.priority,
                    customer_id = excluded.customer_id, team_id = excluded.team_id, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, solved_at = excluded.solved_at"
            ))))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Many documents per statement: the text-search work happens in PostgreSQL either way, but
    /// a reindex should not pay a round trip per ticket.
    async fn put_postgres(&self, docs: &[TicketDoc]) -> anyhow::Result<()> {
        const PER_STATEMENT: usize = 200;
        let mut tx = self.db.begin().await?;
        for chunk in docs.chunks(PER_STATEMENT) {
            let mut sql = Sql::default();
            let mut rows = Vec::with_capacity(chunk.len());
            for d in chunk {
                let id = sql.int(d.ticket_id);
                let status = sql.text(d.status.clone());
                let priority = sql.text(d.priority.clone());
                let customer_id = sql.int(d.customer_id);
                let team = sql.arg(Arg::Int(d.team_id));
                let created = sql.int(d.created_at);
                let updated = sql.int(d.updated_at);
                let solved = sql.arg(Arg::Int(d.solved_at));
                let subject = sql.text(d.subject.clone());
                let body = sql.text(d.body.clone());
                let internal = sql.text(d.internal.clone());
                let resolution = sql.text(d.resolution.clone());
                let tags = sql.text(d.tags.join(" "));
                let customer = sql.text(d.customer.clone());
                rows.push(format!(
                    "({id}::bigint, {status}::text, {priority}::text, {customer_id}::bigint, {team}::bigint, {created}::bigint,
                      {updated}::bigint, {solved}::bigint, {subject}::text, {body}::text, {internal}::text, {resolution}::text,
                      {tags}::text, {customer}::text,
                      setweight(to_tsvector('english', {subject}::text), 'A') || setweight(to_tsvector('simple', {subject}::text), 'A')
                      || setweight(to_tsvector('english', {resolution}::text), 'B') || setweight(to_tsvector('simple', {resolution}::text), 'B')
                      || setweight(to_tsvector('simple', concat_ws(' ', {tags}::text, {customer}::text)), 'C')
                      || setweight(to_tsvector('english', {body}::text), 'D') || setweight(to_tsvector('simple', {body}::text), 'D'),
                      to_tsvector('english', {internal}::text) || to_tsvector('simple', {internal}::text))"
                ));
            }
            let text = format!(
                "INSERT INTO search_doc (ticket_id, status, priority, customer_id, team_id, created_at, updated_at, solved_at,
                    subject, body, internal, resolution, tags, customer, tsv, tsv_internal)
                 VALUES {}
                 ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status, priority = excluded.priority,
                    customer_id = excluded.customer_id, team_id = excluded.team_id, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, solved_at = excluded.solved_at, subject = excluded.subject,
                    body = excluded.body, internal = excluded.internal, resolution = excluded.resolution,
                    tags = excluded.tags, customer = excluded.customer, tsv = excluded.tsv, tsv_internal = excluded.tsv_internal",
                rows.join(", ")
            );
            sql.bind(sqlx::query(AssertSqlSafe(text)))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl SearchIndex for DbIndex {
    fn kind(&self) -> &'static str {
        match self.db.backend {
            Backend::Sqlite => "embedded-sqlite",
            Backend::Postgres => "embedded-postgres",
        }
    }

    fn typo_tolerant(&self) -> bool {
        // Only PostgreSQL with pg_trgm; callers that need to know ask `prepare` first.
        self.db.backend == Backend::Postgres && self.trigram_ext.get().copied().unwrap_or(false)
    }

    async fn prepare(&self) -> anyhow::Result<()> {
        if self.db.backend == Backend::Postgres {
            self.has_pg_trgm().await;
        }
        Ok(())
    }

    async fn put(&self, docs: &[TicketDoc]) -> anyhow::Result<()> {
        match self.db.backend {
            Backend::Sqlite => self.put_sqlite(docs).await,
            Backend::Postgres => self.put_postgres(docs).await,
        }
    }

    async fn remove(&self, ticket_ids: &[i64]) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        let tables: &[&str] = match self.db.backend {
            Backend::Sqlite => &["search_fts", "search_fts_en", "search_doc"],
            Backend::Postgres => &["search_doc"],
        };
        for id in ticket_ids {
            for table in tables {
                let key = if table.starts_with("search_fts") {
                    "rowid"
                } else {
                    "ticket_id"
                };
                sqlx::query(AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE {key} = $1"
                )))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn search(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        match self.db.backend {
            Backend::Sqlite => self.search_sqlite(q).await,
            Backend::Postgres => self.search_postgres(q).await,
        }
    }

    async fn count(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM search_doc")
            .fetch_one(&self.db.pool)
            .await?)
    }
}
