//! The embedded index: the database's own full-text search. SQLite: two FTS5 tables, one with
//! the trigram tokenizer (substrings in every script) and one with Porter stemming (English word
//! forms). PostgreSQL: `tsvector` columns ('english' stems and 'simple' keeps every language's
//! words) behind GIN indexes, prefix matching for words with attached particles, search-box
//! syntax through `websearch_to_tsquery`, and misspelt words corrected from the index's word
//! list by `pg_trgm` similarity where the extension is installed.

use super::text;
use super::{Fields, Hit, HitPage, Matching, SearchIndex, SearchQuery, Sort, Term, TicketDoc};
use crate::db::{Backend, Db, Sql};
use sqlx::{AssertSqlSafe, Row};
use tokio::sync::OnceCell;

/// A query ranks at most this many matching tickets — the most recent ones — so a word that is
/// in every ticket costs no more than a rare one. Totals count up to this many.
pub const CANDIDATES: i64 = 1000;

/// PostgreSQL looks for the candidates among this many most recent tickets first.
const PROBE: i64 = 4000;

/// The most recent tickets PostgreSQL narrows the GIN indexes' matches to, at most.
const MAX_SPAN: i64 = 100_000;

/// When fewer than one ticket in this many matched among those, PostgreSQL reads the matches
/// from the GIN indexes instead of walking on through older tickets.
const WALK_ON_BELOW: i64 = 12;

pub struct DbIndex {
    db: Db,
    trigram_ext: OnceCell<bool>,
    /// PostgreSQL: tickets walked before choosing how to find the rest of the candidates.
    probe: i64,
    /// PostgreSQL: how many of the most recent matches are ranked.
    candidates: i64,
}

impl DbIndex {
    pub fn new(db: Db) -> Self {
        Self::with_limits(db, PROBE, CANDIDATES)
    }

    /// An index whose PostgreSQL search probes `probe` tickets and ranks `candidates` matches,
    /// so that every way of finding candidates can be exercised on a few thousand tickets.
    pub fn with_limits(db: Db, probe: i64, candidates: i64) -> Self {
        DbIndex {
            db,
            trigram_ext: OnceCell::new(),
            probe: probe.max(1),
            candidates: candidates.max(1),
        }
    }

    /// Whether PostgreSQL has `pg_trgm` (and so the word list's similarity index).
    async fn has_pg_trgm(&self) -> bool {
        *self
            .trigram_ext
            .get_or_init(|| async {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'search_word_trgm_idx'",
                )
                .fetch_one(&self.db.pool)
                .await
                .map(|n| n > 0)
                .unwrap_or(false)
            })
            .await
    }
}

/// `search_doc`'s filter columns, with their SQL types, in the order of [`filter_values`].
const FILTER_COLUMNS: [(&str, &str); 8] = [
    ("ticket_id", "bigint"),
    ("status", "text"),
    ("priority", "text"),
    ("customer_id", "bigint"),
    ("team_id", "bigint"),
    ("created_at", "bigint"),
    ("updated_at", "bigint"),
    ("solved_at", "bigint"),
];

/// The text columns of a document (FTS5's columns on SQLite, `search_doc`'s on PostgreSQL), in
/// the order of [`text_values`].
const TEXT_COLUMNS: [&str; 6] = [
    "subject",
    "body",
    "internal",
    "resolution",
    "tags",
    "customer",
];

/// SQLite's full-text tables, each keyed by ticket id: trigrams (holding the text), English
/// words, and character pairs of non-ASCII words.
const SQLITE_FTS_TABLES: [&str; 3] = ["search_fts", "search_fts_en", "search_fts_pairs"];

/// A document's text columns as character pairs (see [`text::pairs`]).
fn pair_values(d: &TicketDoc) -> [String; 6] {
    [
        text::pairs(&d.subject),
        text::pairs(&d.body),
        text::pairs(&d.internal),
        text::pairs(&d.resolution),
        text::pairs(&d.tags.join(" ")),
        text::pairs(&d.customer),
    ]
}

/// A document's filter columns as bound placeholders.
fn filter_values(sql: &mut Sql, d: &TicketDoc) -> [String; 8] {
    [
        sql.param(d.ticket_id),
        sql.param(d.status.clone()),
        sql.param(d.priority.clone()),
        sql.param(d.customer_id),
        sql.param(d.team_id),
        sql.param(d.created_at),
        sql.param(d.updated_at),
        sql.param(d.solved_at),
    ]
}

/// A document's text columns as bound placeholders.
fn text_values(sql: &mut Sql, d: &TicketDoc) -> [String; 6] {
    [
        sql.param(d.subject.clone()),
        sql.param(d.body.clone()),
        sql.param(d.internal.clone()),
        sql.param(d.resolution.clone()),
        sql.param(d.tags.join(" ")),
        sql.param(d.customer.clone()),
    ]
}

/// Whether the text `expr` is a word the word list `search_word` keeps: letters only, 3 to 40 of
/// them (migration 14 filled the list with the same rule).
fn listed_word(expr: &str) -> String {
    format!("length({expr}) BETWEEN 3 AND 40 AND {expr} ~ '^[[:alpha:]]+$'")
}

/// `column = excluded.column` for each column but the key: an upsert's update list.
fn set_from_excluded<'a>(columns: impl IntoIterator<Item = &'a str>) -> String {
    columns
        .into_iter()
        .filter(|c| *c != "ticket_id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Filters shared by both backends, on `search_doc d`.
fn filters(q: &SearchQuery, sql: &mut Sql) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(s) = &q.status {
        w.push(format!("d.status = {}", sql.param(s.clone())));
    }
    if q.solved_only {
        w.push("d.status IN ('solved', 'closed')".to_string());
    }
    if let Some(c) = q.customer_id {
        w.push(format!("d.customer_id = {}", sql.param(c)));
    }
    if let Some(t) = q.team_id {
        w.push(format!("d.team_id = {}", sql.param(t)));
    }
    if let Some(tag) = &q.tag {
        // The ticket's tags as they are now (the tag index serves it), not as last indexed.
        w.push(format!(
            "d.ticket_id IN (SELECT g.ticket_id FROM ticket_tag g WHERE g.tag = {})",
            sql.param(tag.clone())
        ));
    }
    if let Some(f) = q.from {
        w.push(format!("d.created_at >= {}", sql.param(f)));
    }
    if let Some(t) = q.to {
        w.push(format!("d.created_at < {}", sql.param(t)));
    }
    if let Some(x) = q.exclude_ticket {
        w.push(format!("d.ticket_id <> {}", sql.param(x)));
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
        matched: Vec::new(),
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

/// How a query word can match, from the index's word list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordForm {
    /// A word the index holds, or its stem: matched whole.
    Whole,
    /// The start of words the index holds, or a word the list cannot speak for.
    Prefix,
    /// Neither: no ticket holds it.
    Unknown,
}

/// Adds (id, updated_at, score) rows to `found`, skipping tickets already there.
fn candidates_into(
    rows: &[sqlx::any::AnyRow],
    found: &mut Vec<(i64, i64, f64)>,
) -> anyhow::Result<()> {
    let mut seen: std::collections::HashSet<i64> = found.iter().map(|c| c.0).collect();
    for r in rows {
        let id: i64 = r.try_get("ticket_id")?;
        if seen.insert(id) {
            found.push((id, r.try_get("updated_at")?, r.try_get::<f64, _>("score")?));
        }
    }
    Ok(())
}

/// Whether a query uses search-box syntax beyond words and quoted phrases: `or` between words,
/// or a word excluded with a leading `-`.
fn websearch_syntax(text: &str) -> bool {
    text.split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("or") || (w.len() > 1 && w.starts_with('-')))
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
            let m = sql.param(e);
            let f = filters(q, &mut sql);
            // bm25 reads each match's column sizes and phrase counts; sorted by date, no score
            // is needed.
            let score = match q.sort {
                Sort::Relevance => "bm25(search_fts_en, 10.0, 1.0, 1.5, 5.0, 3.0, 2.0)",
                Sort::Date => "0.0",
            };
            arms.push(format!(
                "SELECT search_fts_en.rowid AS id, {score} AS score
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
            let p = sql.param(format!(
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
        // Two-character non-ASCII words (Korean 결제) are looked up in the pair index; other
        // short terms are matched with LIKE.
        let (paired, short): (Vec<&Term>, Vec<&Term>) = if q.matching == Matching::All {
            short.into_iter().partition(|t| text::pairable(t))
        } else {
            (Vec::new(), short)
        };
        if trigram && tri_terms.is_empty() && !paired.is_empty() {
            // Only short terms: the pair index finds the candidates, newest first.
            let mut conds = vec![format!(
                "search_fts_pairs MATCH {}",
                sql.param(fts_expr(q, &paired).unwrap_or_default())
            )];
            let mut join = "";
            if !short.is_empty() {
                join = " JOIN search_fts ON search_fts.rowid = search_fts_pairs.rowid";
                for t in &short {
                    conds.push(like_for(t, &mut sql));
                }
            }
            conds.extend(filters(q, &mut sql));
            arms.push(format!(
                "SELECT search_fts_pairs.rowid AS id, 0.0 AS score
                 FROM search_fts_pairs JOIN search_doc d ON d.ticket_id = search_fts_pairs.rowid{join}
                 WHERE {} ORDER BY search_fts_pairs.rowid DESC LIMIT {CANDIDATES}",
                conds.join(" AND ")
            ));
        } else if trigram
            && (!tri_terms.is_empty() || (!short.is_empty() && q.matching == Matching::All))
        {
            let mut conds = Vec::new();
            if let Some(e) = fts_expr(q, &tri_terms) {
                conds.push(format!("search_fts MATCH {}", sql.param(e)));
            }
            if let Some(e) = fts_expr(q, &paired) {
                conds.push(format!(
                    "search_fts.rowid IN (SELECT rowid FROM search_fts_pairs WHERE search_fts_pairs MATCH {})",
                    sql.param(e)
                ));
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
        let limit = sql.param(q.limit.clamp(1, 100));
        let offset = sql.param(q.offset.max(0));
        // Rank ids first; the text of only the page's tickets is read afterwards.
        let text = format!(
            "SELECT h.id, h.score AS score, COUNT(*) OVER () AS total
             FROM {hits} h JOIN search_doc d ON d.ticket_id = h.id
             {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            where_clause(&w)
        );
        let rows = sql.query_text(text).fetch_all(&self.db.pool).await?;
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

    /// Each word of the query is looked up in the index's word list first. A word the list
    /// holds (or whose English stem it holds) is matched whole; the start of a word ("passw",
    /// or a Korean word without its particle) is matched as a prefix; a word neither is, is
    /// misspelt: it is replaced by the most similar listed word (`pg_trgm`), or, where nothing is
    /// similar, the search ends without matches ("any word" searches just drop it). Whole-word
    /// matching lets the GIN indexes skip through a rare word's entries instead of collecting
    /// every word that starts like a common one.
    async fn search_postgres(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        let mut q = q.clone();
        let mut forms = self.word_forms(&q.terms).await?;
        let mut corrected: Vec<String> = Vec::new();
        if forms.contains(&WordForm::Unknown) && !websearch_syntax(&q.text) {
            let typo_tolerant = self.has_pg_trgm().await;
            let mut kept = Vec::with_capacity(q.terms.len());
            for (term, form) in q.terms.iter_mut().zip(forms.iter_mut()) {
                if *form == WordForm::Unknown {
                    let similar = match (q.matching, typo_tolerant) {
                        (Matching::All, true) => self.most_similar_word(&term.text).await?,
                        _ => None,
                    };
                    match similar {
                        Some(word) => {
                            corrected.push(word.clone());
                            term.text = word;
                            *form = WordForm::Whole;
                        }
                        None if q.matching == Matching::All => return Ok(HitPage::default()),
                        None => {}
                    }
                }
                kept.push(*form != WordForm::Unknown);
            }
            let mut keep = kept.iter();
            q.terms.retain(|_| *keep.next().unwrap_or(&true));
            forms.retain(|f| *f != WordForm::Unknown);
            if q.terms.is_empty() {
                return Ok(HitPage::default());
            }
            q.text = q
                .terms
                .iter()
                .map(|t| {
                    if t.phrase {
                        format!("\"{}\"", t.text)
                    } else {
                        t.text.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
        let mut page = self.search_postgres_words(&q, &forms).await?;
        // The corrected words are what the tickets hold: highlight them.
        if !corrected.is_empty() {
            for hit in &mut page.hits {
                hit.matched.extend(corrected.iter().cloned());
            }
        }
        Ok(page)
    }

    /// How each term can match, from the word list. Phrases and words the list cannot speak for
    /// (shorter than three letters, or holding digits or signs) are matched as prefixes, as
    /// every word was before the list existed.
    async fn word_forms(&self, terms: &[Term]) -> anyhow::Result<Vec<WordForm>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        let values = terms
            .iter()
            .enumerate()
            .map(|(i, t)| format!("({i}, {})", sql.param(t.text.clone())))
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "SELECT n, CASE
                WHEN NOT ({}) THEN 'prefix'
                WHEN EXISTS (SELECT 1 FROM search_word WHERE word = t)
                  OR EXISTS (SELECT 1 FROM search_word w
                             JOIN unnest(tsvector_to_array(to_tsvector('english', t))) AS s ON w.word = s)
                  OR to_tsvector('english', t) = ''::tsvector THEN 'whole'
                WHEN EXISTS (SELECT 1 FROM search_word WHERE word > t AND word < t || chr(1114111)) THEN 'prefix'
                ELSE 'unknown' END AS form
             FROM (VALUES {values}) AS v (n, t) ORDER BY n",
            listed_word("t")
        );
        let rows = sql.query_text(text).fetch_all(&self.db.pool).await?;
        terms
            .iter()
            .zip(rows.iter())
            .map(|(t, r)| {
                let form: String = r.try_get("form")?;
                Ok(match form.as_str() {
                    _ if t.phrase => WordForm::Prefix,
                    "whole" => WordForm::Whole,
                    "unknown" => WordForm::Unknown,
                    _ => WordForm::Prefix,
                })
            })
            .collect()
    }

    /// The listed word most similar to a misspelt one (`pg_trgm`'s similarity threshold).
    async fn most_similar_word(&self, word: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT word FROM search_word WHERE word % $1 ORDER BY word <-> $1, word LIMIT 1",
        )
        .bind(word)
        .fetch_optional(&self.db.pool)
        .await?)
    }

    /// The candidates are the `CANDIDATES` most recent matching tickets; the page is cut from
    /// them ranked (or by date). Finding them costs either a row read per ticket walked newest
    /// first until enough matched, or a row read per match through the GIN indexes. The first
    /// `PROBE` tickets are always walked (common words end there); how often the words matched
    /// among them decides the rest, not the planner's guess (which for words its statistics do
    /// not list is far off).
    async fn search_postgres_words(
        &self,
        q: &SearchQuery,
        forms: &[WordForm],
    ) -> anyhow::Result<HitPage> {
        let (probe, candidates) = (self.probe, self.candidates);
        let mut sql = Sql::default();
        let include_internal = q.include_internal && q.fields == Fields::Everything;
        let w = filters(q, &mut sql);
        let op = match q.matching {
            Matching::All => " & ",
            Matching::Any => " | ",
        };
        let lexemes = q
            .terms
            .iter()
            .zip(forms)
            .map(|(t, form)| {
                if t.phrase {
                    let words: Vec<String> = t.text.split_whitespace().map(ts_lexeme).collect();
                    format!("({})", words.join(" <-> "))
                } else if *form == WordForm::Whole {
                    ts_lexeme(&t.text)
                } else {
                    format!("{}:*", ts_lexeme(&t.text))
                }
            })
            .collect::<Vec<_>>()
            .join(op);
        let tsq = (!q.terms.is_empty()).then(|| {
            let english = sql.param(lexemes.clone());
            let simple = sql.param(lexemes);
            let mut parts = vec![
                format!("to_tsquery('english', {english}::text)"),
                format!("to_tsquery('simple', {simple}::text)"),
            ];
            // Search-box syntax ("or", "-word") where the query uses it.
            if q.matching == Matching::All && websearch_syntax(&q.text) {
                let raw = sql.param(q.text.clone());
                parts.push(format!("websearch_to_tsquery('english', {raw}::text)"));
                parts.push(format!("websearch_to_tsquery('simple', {raw}::text)"));
            }
            format!("({})", parts.join(" || "))
        });
        let (score, matched) = match (&tsq, q.fields, include_internal) {
            (None, _, _) => ("0.0".to_string(), "TRUE".to_string()),
            (Some(t), Fields::SubjectAndResolution, _) => (
                format!("ts_rank(d.tsv_key, {t})"),
                format!("d.tsv_key @@ {t}"),
            ),
            (Some(t), Fields::Everything, true) => (
                format!("ts_rank(d.tsv, {t}) + 0.5 * ts_rank(d.tsv_internal, {t})"),
                format!("(d.tsv @@ {t} OR d.tsv_internal @@ {t})"),
            ),
            (Some(t), Fields::Everything, false) => {
                (format!("ts_rank(d.tsv, {t})"), format!("d.tsv @@ {t}"))
            }
        };
        let columns = "d.ticket_id, d.updated_at, d.tsv, d.tsv_internal, d.tsv_key";
        let newest = "ORDER BY d.updated_at DESC, d.ticket_id DESC";
        // Tickets in recency order, `window` of them (LIMIT / OFFSET), that match; the score is
        // computed for the ones returned only.
        let walk = |window: &str, need: i64| {
            format!(
                "SELECT d.ticket_id, d.updated_at, ({score})::float8 AS score
                 FROM (SELECT {columns} FROM search_doc d {} {newest} {window}) d
                 WHERE {matched} {newest} LIMIT {need}",
                where_clause(&w)
            )
        };
        // Matches read through the GIN indexes, among tickets changed at `since` or later when
        // given (the recency index narrows the bitmap, so older matches are never read).
        let through_indexes = |since: Option<i64>| {
            let mut all = w.clone();
            all.push(matched.clone());
            if let Some(t) = since {
                all.push(format!("d.updated_at >= {t}"));
            }
            format!(
                "SELECT d.ticket_id, d.updated_at, ({score})::float8 AS score
                 FROM (SELECT {columns} FROM search_doc d {} {newest} LIMIT {candidates}) d",
                where_clause(&all)
            )
        };

        // One snapshot for every step; plans made for these words (a generic plan cannot know
        // how common they are); no sequential scans (they read every ticket's vectors) and no
        // parallel workers (their start-up costs more than these queries).
        let mut tx = self.db.pool.begin().await?;
        for setting in [
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            "SET LOCAL plan_cache_mode = force_custom_plan",
            "SET LOCAL enable_seqscan = off",
            "SET LOCAL max_parallel_workers_per_gather = 0",
        ] {
            sqlx::query(setting).execute(&mut *tx).await?;
        }
        let mut found: Vec<(i64, i64, f64)> = Vec::new();
        let rows = sql
            .query_text(walk(&format!("LIMIT {probe}"), candidates))
            .fetch_all(&mut *tx)
            .await?;
        candidates_into(&rows, &mut found)?;
        let probed = found.len() as i64;
        if tsq.is_some() && probed < candidates {
            if probed * WALK_ON_BELOW >= probe {
                sqlx::query("SET LOCAL enable_bitmapscan = off")
                    .execute(&mut *tx)
                    .await?;
                let text = walk(&format!("OFFSET {probe}"), candidates - probed);
                let rows = sql.query_text(text).fetch_all(&mut *tx).await?;
                candidates_into(&rows, &mut found)?;
            } else {
                // At the rate the words matched among the probed tickets, the candidates lie
                // within the most recent `span` tickets, with half as many again to spare. Where
                // the filters are all in the recency indexes, finding where that span starts
                // reads the index alone.
                let span = probe * candidates * 3 / 2 / probed.max(1);
                let indexed_filters = q.status.is_none()
                    && q.team_id.is_none()
                    && q.from.is_none()
                    && q.to.is_none()
                    && q.tag.is_none();
                let since = if probed > 0 && span <= MAX_SPAN && indexed_filters {
                    let mut bound = Sql::default();
                    let text = format!(
                        "SELECT d.updated_at FROM search_doc d {} {newest} OFFSET {span} LIMIT 1",
                        where_clause(&filters(q, &mut bound))
                    );
                    bound
                        .query_text(text)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.try_get::<i64, _>("updated_at"))
                        .transpose()?
                } else {
                    None
                };
                sqlx::query("SET LOCAL enable_indexscan = off")
                    .execute(&mut *tx)
                    .await?;
                let rows = sql
                    .query_text(through_indexes(since))
                    .fetch_all(&mut *tx)
                    .await?;
                candidates_into(&rows, &mut found)?;
                if since.is_some() && (found.len() as i64) < candidates {
                    // Fewer than expected that recently: all of them.
                    let rows = sql
                        .query_text(through_indexes(None))
                        .fetch_all(&mut *tx)
                        .await?;
                    candidates_into(&rows, &mut found)?;
                }
            }
        }
        tx.commit().await?;
        let total = found.len() as i64;
        match q.sort {
            Sort::Relevance => {
                found.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.1.cmp(&a.1)).then(b.0.cmp(&a.0)))
            }
            Sort::Date => found.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0))),
        }
        let ranked: Vec<(i64, f64)> = found
            .iter()
            .skip(q.offset.max(0) as usize)
            .take(q.limit.clamp(1, 100) as usize)
            .map(|&(id, _, score)| (id, score))
            .collect();
        Ok(HitPage {
            total,
            hits: self
                .fetch_hits(PG_HIT_SELECT, &ranked, include_internal)
                .await?,
        })
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
                for table in SQLITE_FTS_TABLES {
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
                    let id = sql.param(d.ticket_id);
                    format!("({id}, {})", text_values(&mut sql, d).join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let text_columns = TEXT_COLUMNS.join(", ");
            for table in ["search_fts", "search_fts_en"] {
                sql.query_text(format!(
                    "INSERT INTO {table} (rowid, {text_columns}) VALUES {rows}"
                ))
                .execute(&mut *tx)
                .await?;
            }
            // The pairs of words with non-ASCII characters; documents with none get no row.
            let mut sql = Sql::default();
            let rows = chunk
                .iter()
                .filter_map(|d| {
                    let values = pair_values(d);
                    if values.iter().all(String::is_empty) {
                        return None;
                    }
                    let id = sql.param(d.ticket_id);
                    let values = values.map(|v| sql.param(v));
                    Some(format!("({id}, {})", values.join(", ")))
                })
                .collect::<Vec<_>>();
            if !rows.is_empty() {
                sql.query_text(format!(
                    "INSERT INTO search_fts_pairs (rowid, {text_columns}) VALUES {}",
                    rows.join(", ")
                ))
                .execute(&mut *tx)
                .await?;
            }
            let mut sql = Sql::default();
            let rows = chunk
                .iter()
                .map(|d| format!("({})", filter_values(&mut sql, d).join(", ")))
                .collect::<Vec<_>>()
                .join(", ");
            let columns = FILTER_COLUMNS.map(|(c, _)| c);
            sql.query_text(format!(
                "INSERT INTO search_doc ({}) VALUES {rows}
                 ON CONFLICT (ticket_id) DO UPDATE SET {}",
                columns.join(", "),
                set_from_excluded(columns)
            ))
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
        let columns: Vec<&str> = FILTER_COLUMNS
            .map(|(c, _)| c)
            .into_iter()
            .chain(TEXT_COLUMNS)
            .collect();
        let values = columns.join(", ");
        let vectors = ["tsv", "tsv_internal", "tsv_key"];
        let mut tx = self.db.begin().await?;
        for chunk in docs.chunks(PER_STATEMENT) {
            let mut sql = Sql::default();
            let mut rows = Vec::with_capacity(chunk.len());
            for d in chunk {
                // Typed, so the VALUES list has column types before PostgreSQL sees a row.
                let filters = filter_values(&mut sql, d)
                    .into_iter()
                    .zip(FILTER_COLUMNS)
                    .map(|(v, (_, ty))| format!("{v}::{ty}"));
                let texts = text_values(&mut sql, d).map(|v| format!("{v}::text"));
                rows.push(format!(
                    "({})",
                    filters.chain(texts).collect::<Vec<_>>().join(", ")
                ));
            }
            // Weights: subject A, resolution B, tags and customer C, messages D; 'english' stems
            // and 'simple' keeps every language's words as written.
            let text = format!(
                "INSERT INTO search_doc ({values}, {})
                 SELECT v.*,
                    k.tsv_key || setweight(to_tsvector('simple', concat_ws(' ', v.tags, v.customer)), 'C')
                      || setweight(to_tsvector('english', v.body), 'D') || setweight(to_tsvector('simple', v.body), 'D'),
                    to_tsvector('english', v.internal) || to_tsvector('simple', v.internal),
                    k.tsv_key
                 FROM (VALUES {}) AS v ({values})
                 CROSS JOIN LATERAL (SELECT
                    setweight(to_tsvector('english', v.subject), 'A') || setweight(to_tsvector('simple', v.subject), 'A')
                    || setweight(to_tsvector('english', v.resolution), 'B') || setweight(to_tsvector('simple', v.resolution), 'B')
                    AS tsv_key) AS k
                 ON CONFLICT (ticket_id) DO UPDATE SET {}",
                vectors.join(", "),
                rows.join(", "),
                set_from_excluded(columns.iter().copied().chain(vectors)),
            );
            sql.query_text(text).execute(&mut *tx).await?;
            // The word list typo correction draws on (see migration 14), in word order so two
            // transactions adding the same new words wait for each other instead of deadlocking.
            let ids = chunk
                .iter()
                .map(|d| d.ticket_id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO search_word (word)
                 SELECT DISTINCT w FROM search_doc d,
                    unnest(tsvector_to_array(d.tsv) || tsvector_to_array(d.tsv_internal)) AS w
                 WHERE d.ticket_id IN ({ids}) AND {}
                 ORDER BY w
                 ON CONFLICT (word) DO NOTHING",
                listed_word("w")
            )))
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
        let fts: &[&str] = match self.db.backend {
            Backend::Sqlite => &SQLITE_FTS_TABLES,
            Backend::Postgres => &[],
        };
        let tables: Vec<&str> = fts.iter().copied().chain(["search_doc"]).collect();
        for id in ticket_ids {
            for table in &tables {
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

    /// SQLite: replacing a document leaves the old one's entries behind, marked deleted, until
    /// FTS5 merges the segments holding them; after a reindex over a full index, every word's
    /// entries are read about twice over (searches measured 3–4 times slower). This merges every
    /// segment into one, as `optimize` would, but in steps of a few hundred pages, each its own
    /// short writer turn, so other writes go on meanwhile. PostgreSQL's GIN indexes need no such
    /// step (VACUUM tidies them).
    async fn compact(&self) -> anyhow::Result<()> {
        if self.db.backend != Backend::Sqlite {
            return Ok(());
        }
        for table in SQLITE_FTS_TABLES {
            // Bounded, though merging ends long before (a few hundred steps at 200,000 tickets).
            for _ in 0..100_000 {
                let mut tx = self.db.begin().await?;
                let before: i64 = sqlx::query_scalar("SELECT total_changes()")
                    .fetch_one(&mut *tx)
                    .await?;
                // A negative page count merges segments of every level (FTS5's 'merge').
                sqlx::query(AssertSqlSafe(format!(
                    "INSERT INTO {table} ({table}, rank) VALUES ('merge', -500)"
                )))
                .execute(&mut *tx)
                .await?;
                let after: i64 = sqlx::query_scalar("SELECT total_changes()")
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                // FTS5 counts fewer than two changes when there was nothing left to merge.
                if after - before < 2 {
                    break;
                }
            }
        }
        Ok(())
    }
}
