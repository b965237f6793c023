//! A small in-process stand-in for the part of Meilisearch's HTTP API Casebook calls: create an
//! index, update settings, add/replace and delete documents, index stats, search with filters and
//! sort, and tasks (succeeded or failed). Search is simple — words, prefixes, one or two typos by
//! word length as Meilisearch's defaults, substrings for non-Latin scripts — enough to exercise
//! Casebook's client, not to judge relevance. It can be switched off (503) or made to fail the
//! next document task, to test outages. Where Casebook depends on it, it behaves as a real
//! Meilisearch does: adding documents to a missing index creates it without settings; a filter
//! on an attribute that is not filterable is `invalid_search_filter`; ranking follows the index's
//! ranking rules (by default relevance, then a `sort` only among equals, then the order documents
//! were added, oldest first); pages stop at 1,000 hits while the estimated total counts them all.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Index {
    docs: BTreeMap<i64, Value>,
    settings: Value,
}

#[derive(Default)]
struct Inner {
    indexes: HashMap<String, Index>,
    tasks: Vec<Value>,
    queue: VecDeque<Pending>,
}

#[derive(Clone, Default)]
pub struct FakeMeili {
    inner: Arc<Mutex<Inner>>,
    down: Arc<AtomicBool>,
    fail_next_documents: Arc<AtomicBool>,
    task_latency_ms: Arc<AtomicU64>,
    key: Option<String>,
}

pub struct Running {
    pub url: String,
    pub fake: FakeMeili,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const TIME: &str = "2026-01-01T00:00:00Z";

/// How long each task takes: a real Meilisearch (1.x, default settings) took 0.5–0.7 s per
/// document task on the development machine; the fake uses a shorter but still noticeable time
/// so tests run quickly while the client still has to wait for its tasks.
pub const DEFAULT_TASK_LATENCY: Duration = Duration::from_millis(150);

impl FakeMeili {
    pub async fn start(key: Option<&str>) -> Running {
        let fake = FakeMeili {
            key: key.map(str::to_string),
            task_latency_ms: Arc::new(AtomicU64::new(DEFAULT_TASK_LATENCY.as_millis() as u64)),
            ..FakeMeili::default()
        };
        let app = Router::new()
            .route("/indexes", post(create_index))
            .route("/indexes/{uid}", get(get_index))
            .route("/indexes/{uid}/settings", patch(update_settings))
            .route("/indexes/{uid}/documents", post(add_documents))
            .route("/indexes/{uid}/documents/delete-batch", post(delete_batch))
            .route("/indexes/{uid}/stats", get(stats))
            .route("/indexes/{uid}/search", post(search))
            .route("/tasks/{uid}", get(task))
            .layer(middleware::from_fn_with_state(fake.clone(), gate))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Running { url, fake, task }
    }

    /// Sets how long each task takes from now on.
    pub fn set_task_latency(&self, latency: Duration) {
        self.task_latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// The task latency in effect.
    pub fn task_latency(&self) -> Duration {
        Duration::from_millis(self.task_latency_ms.load(Ordering::SeqCst))
    }

    /// While down, every request gets 503 (as when a proxy in front of Meilisearch has no backend).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// The next document addition is accepted but its task fails.
    pub fn fail_next_documents(&self) {
        self.fail_next_documents.store(true, Ordering::SeqCst);
    }

    pub fn doc_count(&self, uid: &str) -> usize {
        let mut inner = self.inner.lock().unwrap();
        settle(&mut inner);
        inner.indexes.get(uid).map(|i| i.docs.len()).unwrap_or(0)
    }

    pub fn settings(&self, uid: &str) -> Value {
        let mut inner = self.inner.lock().unwrap();
        settle(&mut inner);
        inner
            .indexes
            .get(uid)
            .map(|i| i.settings.clone())
            .unwrap_or(Value::Null)
    }

    pub fn wipe(&self, uid: &str) {
        let mut inner = self.inner.lock().unwrap();
        settle_until(&mut inner, Instant::now() + Duration::from_secs(3600));
        if let Some(i) = inner.indexes.get_mut(uid) {
            i.docs.clear();
        }
    }

    /// The server lost all its data: the index is gone, settings and all.
    pub fn lose_everything(&self) {
        let mut inner = self.inner.lock().unwrap();
        settle_until(&mut inner, Instant::now() + Duration::from_secs(3600));
        inner.indexes.clear();
    }

    /// Adds documents as they are (bypassing Casebook), e.g. to fill the index quickly.
    pub fn insert_docs(&self, uid: &str, docs: Vec<Value>) {
        let mut inner = self.inner.lock().unwrap();
        let index = inner.indexes.entry(uid.to_string()).or_default();
        for d in docs {
            if let Some(id) = d["ticket_id"].as_i64() {
                index.docs.insert(id, d);
            }
        }
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(
            json!({"message": message, "code": code, "type": "invalid_request",
            "link": format!("https://docs.meilisearch.com/errors#{code}")}),
        ),
    )
        .into_response()
}

async fn gate(State(f): State<FakeMeili>, req: Request, next: Next) -> Response {
    settle(&mut f.inner.lock().unwrap());
    if f.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "no backend").into_response();
    }
    if let Some(key) = &f.key {
        let ok = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {key}"));
        if !ok {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "The provided API key is invalid.",
            );
        }
    }
    next.run(req).await
}

/// What a task does when Meilisearch gets to it.
enum Op {
    CreateIndex,
    Settings(Value),
    Add { docs: Vec<Value>, fail: bool },
    Delete(Vec<Value>),
}

/// A task waiting its turn: tasks run one after another, each taking the fake's task latency.
struct Pending {
    task: usize,
    uid: String,
    ready: Instant,
    op: Op,
}

/// Runs every task whose turn has come, in order, and records how it ended.
fn settle(inner: &mut Inner) {
    settle_until(inner, Instant::now())
}

fn settle_until(inner: &mut Inner, now: Instant) {
    while inner.queue.front().is_some_and(|p| p.ready <= now) {
        let p = inner.queue.pop_front().unwrap();
        let mut details = inner.tasks[p.task]["details"].clone();
        let failure: Option<(String, String)> = match p.op {
            Op::CreateIndex => {
                if inner.indexes.contains_key(&p.uid) {
                    Some((
                        "index_already_exists".into(),
                        format!("Index `{}` already exists.", p.uid),
                    ))
                } else {
                    inner.indexes.insert(p.uid.clone(), Index::default());
                    None
                }
            }
            Op::Settings(settings) => {
                inner.indexes.entry(p.uid.clone()).or_default().settings = settings;
                None
            }
            Op::Add { docs, fail } => {
                if fail {
                    details["indexedDocuments"] = json!(0);
                    Some(("internal".into(), "simulated failure while indexing".into()))
                } else {
                    // A missing index is created, without settings, as Meilisearch does.
                    let index = inner.indexes.entry(p.uid.clone()).or_default();
                    for d in docs {
                        if let Some(id) = d["ticket_id"].as_i64() {
                            index.docs.insert(id, d);
                        }
                    }
                    None
                }
            }
            Op::Delete(ids) => {
                let mut deleted = 0;
                if let Some(index) = inner.indexes.get_mut(&p.uid) {
                    for id in &ids {
                        let id = id
                            .as_i64()
                            .or_else(|| id.as_str().and_then(|s| s.parse().ok()));
                        if let Some(id) = id
                            && index.docs.remove(&id).is_some()
                        {
                            deleted += 1;
                        }
                    }
                }
                details["deletedDocuments"] = json!(deleted);
                None
            }
        };
        let task = &mut inner.tasks[p.task];
        task["details"] = details;
        task["startedAt"] = json!(TIME);
        task["finishedAt"] = json!(TIME);
        task["duration"] = json!("PT0.001S");
        match failure {
            None => task["status"] = json!("succeeded"),
            Some((code, message)) => {
                task["status"] = json!("failed");
                task["error"] = json!({"message": message, "code": code, "type": "invalid_request",
                    "link": format!("https://docs.meilisearch.com/errors#{code}")});
            }
        }
    }
}

/// Queues a task behind the others and answers as Meilisearch does when it enqueues one.
fn enqueue(f: &FakeMeili, uid: &str, kind: &str, details: Value, op: Op) -> Response {
    let latency = Duration::from_millis(f.task_latency_ms.load(Ordering::SeqCst));
    let mut inner = f.inner.lock().unwrap();
    let task_uid = inner.tasks.len();
    let now = Instant::now();
    let start = inner.queue.back().map_or(now, |p| p.ready.max(now));
    let ready = start + latency;
    inner.tasks.push(json!({
        "uid": task_uid, "indexUid": uid, "status": "enqueued", "type": kind, "details": details,
        "enqueuedAt": TIME, "error": null, "canceledBy": null,
    }));
    inner.queue.push_back(Pending {
        task: task_uid,
        uid: uid.to_string(),
        ready,
        op,
    });
    settle(&mut inner);
    (
        StatusCode::ACCEPTED,
        axum::Json(
            json!({"taskUid": task_uid, "indexUid": uid, "status": "enqueued", "type": kind,
            "details": details, "enqueuedAt": TIME}),
        ),
    )
        .into_response()
}

async fn create_index(State(f): State<FakeMeili>, axum::Json(body): axum::Json<Value>) -> Response {
    let uid = body["uid"].as_str().unwrap_or_default().to_string();
    let details = json!({"primaryKey": body["primaryKey"]});
    enqueue(&f, &uid, "indexCreation", details, Op::CreateIndex)
}

async fn get_index(State(f): State<FakeMeili>, Path(uid): Path<String>) -> Response {
    if !f.inner.lock().unwrap().indexes.contains_key(&uid) {
        return error(
            StatusCode::NOT_FOUND,
            "index_not_found",
            &format!("Index `{uid}` not found."),
        );
    }
    axum::Json(json!({"uid": uid, "createdAt": TIME, "updatedAt": TIME, "primaryKey": "ticket_id"}))
        .into_response()
}

async fn update_settings(
    State(f): State<FakeMeili>,
    Path(uid): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    enqueue(&f, &uid, "settingsUpdate", json!({}), Op::Settings(body))
}

async fn add_documents(
    State(f): State<FakeMeili>,
    Path(uid): Path<String>,
    axum::Json(body): axum::Json<Vec<Value>>,
) -> Response {
    let n = body.len();
    let details = json!({"receivedDocuments": n, "indexedDocuments": n});
    let fail = f.fail_next_documents.swap(false, Ordering::SeqCst);
    enqueue(
        &f,
        &uid,
        "documentAdditionOrUpdate",
        details,
        Op::Add { docs: body, fail },
    )
}

async fn delete_batch(
    State(f): State<FakeMeili>,
    Path(uid): Path<String>,
    axum::Json(ids): axum::Json<Vec<Value>>,
) -> Response {
    let details = json!({"providedIds": ids.len(), "deletedDocuments": 0, "originalFilter": null});
    enqueue(&f, &uid, "documentDeletion", details, Op::Delete(ids))
}

async fn stats(State(f): State<FakeMeili>, Path(uid): Path<String>) -> Response {
    let inner = f.inner.lock().unwrap();
    match inner.indexes.get(&uid) {
        None => error(StatusCode::NOT_FOUND, "index_not_found", "Index not found."),
        Some(i) => axum::Json(json!({
            "numberOfDocuments": i.docs.len(), "numberOfEmbeddedDocuments": 0, "numberOfEmbeddings": 0,
            "rawDocumentDbSize": 0, "avgDocumentSize": 0, "isIndexing": false, "fieldDistribution": {},
        }))
        .into_response(),
    }
}

async fn task(State(f): State<FakeMeili>, Path(uid): Path<usize>) -> Response {
    match f.inner.lock().unwrap().tasks.get(uid) {
        Some(t) => axum::Json(t.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "task_not_found", "Task not found."),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Whether a query word matches a field, and how well (1.0 exact, less for prefix or typo).
fn term_score(term: &str, text: &str) -> f64 {
    if !term.is_ascii() {
        return if text.to_lowercase().contains(term) {
            1.0
        } else {
            0.0
        };
    }
    let typos = match term.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    let mut best: f64 = 0.0;
    for w in words(text) {
        if w == term {
            return 1.0;
        }
        if w.starts_with(term) {
            best = best.max(0.8);
        } else if typos > 0 && distance(&w, term) <= typos {
            best = best.max(0.6);
        }
    }
    best
}

/// Evaluates the filter syntax Casebook sends: clauses joined by AND of `f = v`, `f != v`,
/// `f >= n`, `f < n` and `f IN [v, …]`.
fn matches_filter(doc: &Value, filter: &str) -> bool {
    let value = |raw: &str| -> Value {
        let raw = raw.trim();
        if let Some(s) = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            json!(s.replace("\\\"", "\"").replace("\\\\", "\\"))
        } else {
            raw.parse::<i64>().map(|n| json!(n)).unwrap_or(json!(raw))
        }
    };
    filter.split(" AND ").all(|clause| {
        let clause = clause.trim();
        if let Some((f, list)) = clause.split_once(" IN ") {
            let list = list.trim().trim_start_matches('[').trim_end_matches(']');
            return list.split(',').any(|v| doc[f.trim()] == value(v));
        }
        for op in [">=", "!=", "<", "="] {
            if let Some((f, v)) = clause.split_once(&format!(" {op} ")) {
                let (d, v) = (&doc[f.trim()], value(v));
                return match op {
                    "=" => *d == v,
                    "!=" => *d != v,
                    ">=" => d.as_i64().zip(v.as_i64()).is_some_and(|(a, b)| a >= b),
                    _ => d.as_i64().zip(v.as_i64()).is_some_and(|(a, b)| a < b),
                };
            }
        }
        panic!("fake Meilisearch: unsupported filter clause {clause:?}");
    })
}

/// `text` with every match of `terms` between `pre` and `post`, as Meilisearch's `_formatted`:
/// a whole word for an exact or typo match, the matched start of a word for a prefix, the
/// substring for non-Latin scripts.
fn highlight(text: &str, terms: &[String], pre: &str, post: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let word_len = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(rest.len(), |(i, _)| i);
        if word_len == 0 {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..word_len];
        let lower = word.to_lowercase();
        let mut marked = None;
        for t in terms {
            if !t.is_ascii() {
                if let Some(i) = lower.find(t.as_str())
                    && lower.len() == word.len()
                {
                    marked = Some((i, i + t.len()));
                    break;
                }
                continue;
            }
            let typos = match t.chars().count() {
                0..=4 => 0,
                5..=8 => 1,
                _ => 2,
            };
            if lower == *t || (typos > 0 && distance(&lower, t) <= typos) {
                marked = Some((0, word.len()));
                break;
            }
            if lower.starts_with(t.as_str()) && lower.len() == word.len() {
                marked = Some((0, t.len()));
                break;
            }
        }
        match marked {
            Some((a, b)) => {
                out.push_str(&word[..a]);
                out.push_str(pre);
                out.push_str(&word[a..b]);
                out.push_str(post);
                out.push_str(&word[b..]);
            }
            None => out.push_str(word),
        }
        rest = &rest[word_len..];
    }
    out
}

async fn search(
    State(f): State<FakeMeili>,
    Path(uid): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let inner = f.inner.lock().unwrap();
    let Some(index) = inner.indexes.get(&uid) else {
        return error(StatusCode::NOT_FOUND, "index_not_found", "Index not found.");
    };
    let q = body["q"].as_str().unwrap_or_default();
    let terms = words(q);
    let on: Vec<String> = match body["attributesToSearchOn"].as_array() {
        Some(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        None => index.settings["searchableAttributes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let all = body["matchingStrategy"].as_str().unwrap_or("last") == "all";
    let filter = body["filter"].as_str().unwrap_or("");
    // Only filterable attributes may be filtered on.
    let filterable: Vec<&str> = index.settings["filterableAttributes"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    for part in filter.split(" AND ").filter(|p| !p.trim().is_empty()) {
        let attribute = part
            .trim()
            .split([' ', '=', '!', '<', '>'])
            .next()
            .unwrap_or("");
        if !filterable.contains(&attribute) {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_search_filter",
                &format!(
                    "Attribute `{attribute}` is not filterable. Available filterable attributes are: `{}`.",
                    filterable.join(", ")
                ),
            );
        }
    }
    let mut hits: Vec<(f64, &Value)> = Vec::new();
    for doc in index.docs.values() {
        if !filter.is_empty() && !matches_filter(doc, filter) {
            continue;
        }
        if terms.is_empty() {
            hits.push((1.0, doc));
            continue;
        }
        let mut matched = 0;
        let mut score = 0.0;
        for t in &terms {
            let mut best: f64 = 0.0;
            for (rank, field) in on.iter().enumerate() {
                let text = match &doc[field] {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                let s = term_score(t, &text);
                if s > 0.0 {
                    best = best.max(s * (1.0 - rank as f64 * 0.05));
                }
            }
            if best > 0.0 {
                matched += 1;
                score += best;
            }
        }
        if matched == 0 || (all && matched < terms.len()) {
            continue;
        }
        hits.push((score / terms.len() as f64, doc));
    }
    let sort = body["sort"]
        .as_array()
        .and_then(|s| s.first())
        .and_then(|s| s.as_str())
        .unwrap_or("");
    // The ranking rules: the index's, or Meilisearch's defaults (relevance first; `sort` only
    // orders equally relevant hits; then the order documents came in). A custom rule
    // (`field:desc`) orders what is still tied.
    let rules: Vec<String> = index.settings["rankingRules"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| {
            [
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
                "exactness",
            ]
            .map(str::to_string)
            .to_vec()
        });
    let sort_field = sort.strip_suffix(":desc");
    let by_field = |field: &str, a: &(f64, &Value), b: &(f64, &Value)| {
        b.1[field].as_i64().cmp(&a.1[field].as_i64())
    };
    hits.sort_by(|a, b| {
        let mut order = std::cmp::Ordering::Equal;
        let mut relevance_done = false;
        for rule in &rules {
            order = match rule.as_str() {
                "sort" => sort_field.map_or(std::cmp::Ordering::Equal, |f| by_field(f, a, b)),
                "words" | "typo" | "proximity" | "attribute" | "exactness" if !relevance_done => {
                    relevance_done = true;
                    b.0.total_cmp(&a.0)
                }
                custom => match custom.strip_suffix(":desc") {
                    Some(f) => by_field(f, a, b),
                    None => std::cmp::Ordering::Equal,
                },
            };
            if order != std::cmp::Ordering::Equal {
                break;
            }
        }
        order
    });
    // Meilisearch's maxTotalHits: nothing beyond the first 1,000 hits can be paged, while its
    // estimate still counts them all.
    let total = hits.len();
    hits.truncate(1000);
    let offset = body["offset"].as_u64().unwrap_or(0) as usize;
    let limit = body["limit"].as_u64().unwrap_or(20) as usize;
    let retrieve: Option<Vec<String>> = body["attributesToRetrieve"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let page: Vec<Value> = hits
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(score, doc)| {
            let mut out = Map::new();
            for (k, v) in doc.as_object().unwrap() {
                if retrieve
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|x| x == k || x == "*"))
                {
                    out.insert(k.clone(), v.clone());
                }
            }
            if body["showRankingScore"].as_bool() == Some(true) {
                out.insert("_rankingScore".into(), json!(score.min(1.0)));
            }
            if let Some(attrs) = body["attributesToHighlight"].as_array() {
                let pre = body["highlightPreTag"].as_str().unwrap_or("<em>");
                let post = body["highlightPostTag"].as_str().unwrap_or("</em>");
                let mut formatted = Map::new();
                for a in attrs.iter().filter_map(|a| a.as_str()) {
                    let value = match &doc[a] {
                        Value::String(t) => json!(highlight(t, &terms, pre, post)),
                        Value::Array(items) => Value::Array(
                            items
                                .iter()
                                .map(|v| match v.as_str() {
                                    Some(t) => json!(highlight(t, &terms, pre, post)),
                                    None => v.clone(),
                                })
                                .collect(),
                        ),
                        _ => continue,
                    };
                    formatted.insert(a.to_string(), value);
                }
                out.insert("_formatted".into(), Value::Object(formatted));
            }
            Value::Object(out)
        })
        .collect();
    axum::Json(
        json!({"hits": page, "query": q, "processingTimeMs": 0, "limit": limit,
        "offset": offset, "estimatedTotalHits": total}),
    )
    .into_response()
}
