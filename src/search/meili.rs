//! The Meilisearch index (`CASEBOOK_MEILI_URL`, `CASEBOOK_MEILI_KEY`). Settings are applied when
//! Casebook starts and again whenever the index is missing (Meilisearch lost its data: a write
//! would re-create it without them) or a search finds an attribute not filterable; every write
//! waits for its Meilisearch task and a failed task is an error, so the outbox job that caused it
//! retries. Ranking: an explicit sort (by date) comes first, then relevance, then the most
//! recently changed ticket (Meilisearch would otherwise put the oldest first among equals).

use super::{Fields, Hit, HitPage, Matching, SearchIndex, SearchQuery, Sort, TicketDoc};
use anyhow::{Context, anyhow};
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::MatchingStrategies;
use meilisearch_sdk::settings::{MinWordSizeForTypos, Settings, TypoToleranceSettings};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use std::time::Duration;

/// The index Casebook keeps its ticket documents in.
pub const INDEX_UID: &str = "casebook_tickets";

const SEARCHABLE: [&str; 6] = [
    "subject",
    "resolution",
    "tags",
    "customer",
    "body",
    "internal",
];
const FILTERABLE: [&str; 7] = [
    "status",
    "customer_id",
    "team_id",
    "tags",
    "created_at",
    "updated_at",
    "ticket_id",
];
const SORTABLE: [&str; 2] = ["updated_at", "created_at"];

/// Meilisearch's ranking rules with `sort` moved first (a date sort is a date order, not a
/// tie-break after relevance) and recency as the last tie-break.
const RANKING_RULES: [&str; 7] = [
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
    "updated_at:desc",
];

/// The most hits Meilisearch pages through (its `maxTotalHits` default): `total` never promises
/// more than can be reached.
pub const MAX_TOTAL_HITS: i64 = 1000;

/// The marks Meilisearch puts around what it matched (characters of Unicode's private use area,
/// which ticket text does not hold).
const MARK_START: &str = "\u{E000}";
const MARK_END: &str = "\u{E001}";
/// Words kept around the first match of a long field in `_formatted`.
const CROP_WORDS: usize = 40;

/// The words Meilisearch marked in a hit's `_formatted` fields, lowercased, each once: the
/// spelling the ticket actually has (a query's `refnud` finds and marks `refund`).
fn marked_words(formatted: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut add = |text: &str| {
        for part in text.split(MARK_START).skip(1) {
            if let Some((word, _)) = part.split_once(MARK_END) {
                let word = word.trim().to_lowercase();
                if !word.is_empty() && !words.contains(&word) {
                    words.push(word);
                }
            }
        }
    };
    for value in formatted.values() {
        match value {
            serde_json::Value::String(s) => add(s),
            serde_json::Value::Array(items) => {
                items.iter().filter_map(|v| v.as_str()).for_each(&mut add)
            }
            _ => {}
        }
    }
    words
}

/// Every call to Meilisearch has a deadline: a hung or overloaded server fails the call (the
/// job retries later, a search answers with an error, the similar-tickets panel stays empty)
/// instead of stalling the worker or the page.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
const PREPARE_TIMEOUT: Duration = Duration::from_secs(60);

async fn bounded<T>(
    limit: Duration,
    what: &str,
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::time::timeout(limit, work).await.map_err(|_| {
        anyhow!(
            "Meilisearch did not answer within {} s (trying to {what})",
            limit.as_secs()
        )
    })?
}

pub struct MeiliIndex {
    client: Client,
    /// How long to wait for a task before the write counts as failed.
    task_timeout: Duration,
}

impl MeiliIndex {
    pub fn new(url: &str, key: Option<&str>) -> anyhow::Result<Self> {
        let client = Client::new(url.trim_end_matches('/'), key)
            .map_err(|e| anyhow!("Meilisearch client: {e}"))?;
        Ok(MeiliIndex {
            client,
            task_timeout: Duration::from_secs(15),
        })
    }

    /// Waits for a task; a failed task is an error carrying Meilisearch's message and code.
    async fn wait(&self, info: TaskInfo, what: &str) -> anyhow::Result<()> {
        let task = info
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(self.task_timeout),
            )
            .await
            .with_context(|| format!("waiting for Meilisearch to {what}"))?;
        match task {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(anyhow!(
                "Meilisearch could not {what}: {} ({})",
                content.error.error_message,
                content.error.error_code
            )),
            other => Err(anyhow!("Meilisearch task to {what} ended as {other:?}")),
        }
    }

    fn settings() -> Settings {
        Settings::new()
            .with_searchable_attributes(SEARCHABLE)
            .with_filterable_attributes(FILTERABLE)
            .with_sortable_attributes(SORTABLE)
            .with_ranking_rules(RANKING_RULES)
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
                disable_on_numbers: Some(true),
            })
    }
}

/// Meilisearch's filter syntax for a query's filters (values are numbers or quoted strings).
pub fn filter_expression(q: &SearchQuery) -> String {
    let mut f = Vec::new();
    if let Some(s) = &q.status {
        f.push(format!("status = {}", quote(s)));
    }
    if q.solved_only {
        f.push("status IN [\"solved\", \"closed\"]".to_string());
    }
    if let Some(c) = q.customer_id {
        f.push(format!("customer_id = {c}"));
    }
    if let Some(t) = q.team_id {
        f.push(format!("team_id = {t}"));
    }
    if let Some(tag) = &q.tag {
        f.push(format!("tags = {}", quote(tag)));
    }
    if let Some(v) = q.from {
        f.push(format!("created_at >= {v}"));
    }
    if let Some(v) = q.to {
        f.push(format!("created_at < {v}"));
    }
    if let Some(x) = q.exclude_ticket {
        f.push(format!("ticket_id != {x}"));
    }
    f.join(" AND ")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[async_trait::async_trait]
impl SearchIndex for MeiliIndex {
    fn kind(&self) -> &'static str {
        "meilisearch"
    }

    fn typo_tolerant(&self) -> bool {
        true
    }

    async fn prepare(&self) -> anyhow::Result<()> {
        bounded(PREPARE_TIMEOUT, "set up the index", async {
            let created = self
                .client
                .create_index(INDEX_UID, Some("ticket_id"))
                .await
                .map_err(|e| anyhow!("Meilisearch: cannot create the index: {e}"))?;
            if let Err(err) = self.wait(created, "create the index").await {
                // An index that already exists is what we want.
                if !err.to_string().contains("index_already_exists") {
                    return Err(err);
                }
            }
            let index = self.client.index(INDEX_UID);
            let task = index
                .set_settings(&Self::settings())
                .await
                .map_err(|e| anyhow!("Meilisearch: cannot apply settings: {e}"))?;
            self.wait(task, "apply the index settings").await
        })
        .await
    }

    async fn put(&self, docs: &[TicketDoc]) -> anyhow::Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        // Adding documents to a missing index creates it without settings (filters would then
        // fail): create it with them first.
        if !self.index_exists().await? {
            tracing::warn!("Meilisearch index missing; creating it with its settings");
            self.prepare().await?;
        }
        bounded(WRITE_TIMEOUT, "index documents", async {
            let task = self
                .client
                .index(INDEX_UID)
                .add_or_replace(docs, Some("ticket_id"))
                .await
                .map_err(|e| anyhow!("Meilisearch: cannot send documents: {e}"))?;
            self.wait(task, "index documents").await
        })
        .await
    }

    async fn remove(&self, ticket_ids: &[i64]) -> anyhow::Result<()> {
        bounded(WRITE_TIMEOUT, "delete documents", async {
            if ticket_ids.is_empty() {
                return Ok(());
            }
            let task = self
                .client
                .index(INDEX_UID)
                .delete_documents(ticket_ids)
                .await
                .map_err(|e| anyhow!("Meilisearch: cannot delete documents: {e}"))?;
            self.wait(task, "delete documents").await
        })
        .await
    }

    async fn search(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        match self.search_once(q).await {
            Err(err) if err.to_string().contains("invalid_search_filter") => {
                // The index lost its settings (re-created by a write): apply them, try again.
                tracing::warn!(error = %err, "Meilisearch index without its settings; applying them");
                self.prepare().await?;
                self.search_once(q).await
            }
            other => other,
        }
    }

    async fn count(&self) -> anyhow::Result<i64> {
        self.count_documents().await
    }
}

impl MeiliIndex {
    /// Whether the index exists (a server that does not answer is an error).
    async fn index_exists(&self) -> anyhow::Result<bool> {
        bounded(READ_TIMEOUT, "look up the index", async {
            match self.client.get_index(INDEX_UID).await {
                Ok(_) => Ok(true),
                Err(MeiliError::Meilisearch(m)) if m.error_code == ErrorCode::IndexNotFound => {
                    Ok(false)
                }
                Err(e) => Err(anyhow!("Meilisearch: cannot look up the index: {e}")),
            }
        })
        .await
    }

    async fn search_once(&self, q: &SearchQuery) -> anyhow::Result<HitPage> {
        bounded(READ_TIMEOUT, "search", async {
            let index = self.client.index(INDEX_UID);
            let filter = filter_expression(q);
            let on: &[&str] = match (q.fields, q.include_internal) {
                (Fields::SubjectAndResolution, _) => &["subject", "resolution"],
                (Fields::Everything, false) => {
                    &["subject", "resolution", "tags", "customer", "body"]
                }
                (Fields::Everything, true) => &SEARCHABLE,
            };
            let retrieve: &[&str] = if q.include_internal {
                &[
                    "ticket_id",
                    "subject",
                    "status",
                    "customer",
                    "created_at",
                    "updated_at",
                    "body",
                    "internal",
                    "resolution",
                ]
            } else {
                &[
                    "ticket_id",
                    "subject",
                    "status",
                    "customer",
                    "created_at",
                    "updated_at",
                    "body",
                    "resolution",
                ]
            };
            let sort = ["updated_at:desc"];
            // Meilisearch marks what it matched, typo corrections included, in `_formatted`;
            // long fields are cropped around their first match to keep the answer small.
            let crop: Vec<(&str, Option<usize>)> = on
                .iter()
                .filter(|a| matches!(**a, "body" | "internal" | "resolution"))
                .map(|a| (*a, Some(CROP_WORDS)))
                .collect();
            let mut query = index.search();
            query
                .with_query(&q.text)
                .with_limit(q.limit.clamp(1, 100) as usize)
                .with_offset(q.offset.max(0) as usize)
                .with_attributes_to_search_on(on)
                .with_attributes_to_retrieve(meilisearch_sdk::search::Selectors::Some(retrieve))
                .with_show_ranking_score(true)
                .with_attributes_to_highlight(meilisearch_sdk::search::Selectors::Some(on))
                .with_attributes_to_crop(meilisearch_sdk::search::Selectors::Some(&crop))
                .with_highlight_pre_tag(MARK_START)
                .with_highlight_post_tag(MARK_END)
                .with_matching_strategy(match q.matching {
                    Matching::All => MatchingStrategies::ALL,
                    Matching::Any => MatchingStrategies::LAST,
                });
            if !filter.is_empty() {
                query.with_filter(&filter);
            }
            if q.sort == Sort::Date || q.text.is_empty() {
                query.with_sort(&sort);
            }
            let results = query
                .execute::<serde_json::Value>()
                .await
                .map_err(|e| match e {
                    MeiliError::Meilisearch(m) if m.error_code == ErrorCode::IndexNotFound => {
                        anyhow!("Meilisearch index {INDEX_UID} does not exist yet")
                    }
                    MeiliError::Meilisearch(m)
                        if m.error_code == ErrorCode::InvalidSearchFilter =>
                    {
                        anyhow!(
                            "Meilisearch search failed: {} (invalid_search_filter)",
                            m.error_message
                        )
                    }
                    other => anyhow!("Meilisearch search failed: {other}"),
                })?;
            let text =
                |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
            let hits = results
                .hits
                .iter()
                .map(|h| {
                    let d = &h.result;
                    Hit {
                        ticket_id: d["ticket_id"].as_i64().unwrap_or_default(),
                        subject: text(d, "subject"),
                        status: text(d, "status"),
                        customer: text(d, "customer"),
                        created_at: d["created_at"].as_i64().unwrap_or_default(),
                        updated_at: d["updated_at"].as_i64().unwrap_or_default(),
                        body: text(d, "body"),
                        internal: if q.include_internal {
                            text(d, "internal")
                        } else {
                            String::new()
                        },
                        resolution: text(d, "resolution"),
                        score: h.ranking_score.unwrap_or(0.0),
                        matched: h
                            .formatted_result
                            .as_ref()
                            .map_or_else(Vec::new, marked_words),
                    }
                })
                .collect();
            Ok(HitPage {
                hits,
                total: (results
                    .estimated_total_hits
                    .or(results.total_hits)
                    .unwrap_or(0) as i64)
                    .min(MAX_TOTAL_HITS),
            })
        })
        .await
    }

    async fn count_documents(&self) -> anyhow::Result<i64> {
        bounded(READ_TIMEOUT, "count documents", async {
            match self.client.index(INDEX_UID).get_stats().await {
                Ok(s) => Ok(s.number_of_documents as i64),
                Err(MeiliError::Meilisearch(m)) if m.error_code == ErrorCode::IndexNotFound => {
                    Ok(0)
                }
                Err(e) => Err(anyhow!("Meilisearch stats: {e}")),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_use_meilisearch_syntax() {
        let mut q = SearchQuery::new("x");
        assert_eq!(filter_expression(&q), "");
        q.status = Some("open".into());
        q.solved_only = true;
        q.customer_id = Some(7);
        q.team_id = Some(2);
        q.from = Some(10);
        q.to = Some(20);
        q.exclude_ticket = Some(5);
        assert_eq!(
            filter_expression(&q),
            "status = \"open\" AND status IN [\"solved\", \"closed\"] AND customer_id = 7 AND team_id = 2 \
             AND created_at >= 10 AND created_at < 20 AND ticket_id != 5"
        );
        assert_eq!(quote("a\"b\\"), "\"a\\\"b\\\\\"");
    }
}
