//! The live desk's streams: `GET /events` (session) and `GET /api/v1/events` (bearer token) send
//! server-sent events — ticket changes, presence, the caller's notifications — resuming after
//! `Last-Event-ID`; and the presence signal of the ticket page (`POST /tickets/{id}/presence`).

use crate::auth::AgentRef;
use crate::error::{AppError, AppResult};
use crate::live::{LiveEvent, PRESENCE_TTL_MS, Presence};
use crate::state::AppState;
use crate::web::extract::{ApiAgent, CurrentAgent, verify_csrf};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Events replayed to a reconnecting stream at most; a client further behind reloads its page.
const REPLAY_LIMIT: i64 = 2_000;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(ui_events))
        .route("/tickets/{id}/presence", post(presence))
}

pub fn api_routes() -> crate::web::openapi::ApiRouter {
    crate::web::openapi::ApiRouter::new().routes(utoipa_axum::routes!(api_events))
}

/// What a stream carries: everything (the API's default), one ticket's events (a ticket page),
/// or, for a queue page, one short `tickets` notice per window naming the tickets that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Ticket(i64),
    Queue,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ScopeQuery {
    /// Only this ticket's events.
    #[param(value_type = Option<i64>)]
    ticket: Option<String>,
    /// `all` (the default) or `queue` (one short `tickets` notice per window naming the tickets
    /// that changed).
    #[param(pattern = "^(all|queue)?$")]
    view: Option<String>,
}

fn scope(q: &ScopeQuery) -> AppResult<Scope> {
    match (q.ticket.as_deref(), q.view.as_deref()) {
        (Some(t), _) => t
            .trim()
            .parse::<i64>()
            .map(Scope::Ticket)
            .map_err(|_| AppError::field("ticket", t!("error-ticket-id"))),
        (None, Some("queue")) => Ok(Scope::Queue),
        (None, None | Some("") | Some("all")) => Ok(Scope::All),
        (None, Some(_)) => Err(AppError::field("view", t!("error-queue-or-all"))),
    }
}

async fn ui_events(
    State(state): State<AppState>,
    agent: Result<CurrentAgent, Response>,
    Query(q): Query<ScopeQuery>,
    headers: HeaderMap,
) -> Response {
    // A stream is not a page: no redirect to the login page, just 401.
    let Ok(CurrentAgent(agent)) = agent else {
        return AppError::Unauthorized.into_response();
    };
    match (last_event_id(&headers), scope(&q)) {
        (Ok(after), Ok(scope)) => match stream(state, agent, after, scope).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        (Err(e), _) | (_, Err(e)) => e.into_response(),
    }
}

#[utoipa::path(get, path = "/events", tag = "live",
    description = "Server-sent events: `ready` (with the resume `id`), `ticket` (every committed change, a `TicketEvent`), `presence` (a `Presence`) and the caller's notifications. Send `Last-Event-ID` to resume (missed events are replayed from the change table; on PostgreSQL the last few seconds may come again — skip versions you have). A client that stops reading is dropped and may reconnect.",
    params(ScopeQuery,
        ("Last-Event-ID" = Option<i64>, Header, description = "The `id` of the last event received")),
    responses((status = 200, description = "An endless stream of events", content_type = "text/event-stream", body = String),
        (status = 503, description = "Too many open streams, or the database did not answer")))]
async fn api_events(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Query(q): Query<ScopeQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let after = last_event_id(&headers)?;
    stream(state, agent, after, scope(&q)?).await
}

/// `Last-Event-ID`, as the browser sends it on reconnecting.
fn last_event_id(headers: &HeaderMap) -> AppResult<Option<i64>> {
    match headers.get("last-event-id").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(v)) if v.trim().is_empty() => Ok(None),
        Some(Ok(v)) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::field("Last-Event-ID", t!("error-event-id"))),
        Some(Err(_)) => Err(AppError::field("Last-Event-ID", t!("error-event-id"))),
    }
}

/// Counts a stream as open for as long as it lives.
struct Open(Arc<crate::live::Live>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.connected.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether `ev` goes to `agent_id`'s stream of `scope`.
fn wanted(ev: &LiveEvent, agent_id: i64, scope: Scope) -> bool {
    if ev.for_agent.is_some_and(|a| a != agent_id) {
        return false;
    }
    match scope {
        Scope::All => true,
        Scope::Ticket(t) => ev.ticket_id == Some(t) || ev.for_agent.is_some(),
        Scope::Queue => ev.name == "ticket" || ev.for_agent.is_some(),
    }
}

/// One window's events for one stream, as one write: the events themselves, or for a queue the
/// notice of which tickets changed (with the newest change's id to resume from).
fn chunk(events: &[(Arc<LiveEvent>, Bytes)], agent_id: i64, scope: Scope) -> Option<Bytes> {
    let mut out: Vec<u8> = Vec::new();
    let mut changed: Vec<i64> = Vec::new();
    let mut newest: Option<i64> = None;
    for (ev, frame) in events {
        if !wanted(ev, agent_id, scope) {
            continue;
        }
        if scope == Scope::Queue && ev.name == "ticket" {
            if let Some(t) = ev.ticket_id
                && !changed.contains(&t)
            {
                changed.push(t);
            }
            newest = newest.max(ev.id);
        } else {
            out.extend_from_slice(frame);
        }
    }
    if !changed.is_empty() {
        let id = newest.map(|i| format!("id: {i}\n")).unwrap_or_default();
        out.extend_from_slice(
            format!(
                "{id}event: tickets\ndata: {}\n\n",
                serde_json::json!({ "ids": changed })
            )
            .as_bytes(),
        );
    }
    (!out.is_empty()).then(|| Bytes::from(out))
}

async fn stream(
    state: AppState,
    agent: AgentRef,
    after: Option<i64>,
    scope: Scope,
) -> AppResult<Response> {
    if let Scope::Ticket(t) = scope {
        crate::tickets::get_ticket(&state.db, t).await?;
    }
    // Subscribe before reading the table, so nothing committed in between is missed.
    let mut sub = match scope {
        Scope::Ticket(t) => state.live.subscribe_ticket(t, agent.id),
        Scope::All | Scope::Queue => state.live.subscribe(),
    };
    let (start, backlog) = match after {
        Some(after) => {
            let events = crate::live::replay(&state.db, after, REPLAY_LIMIT).await?;
            (after, events)
        }
        None => (crate::live::latest_id(&state.db).await?, Vec::new()),
    };
    // Bounded twice: in bytes waiting to be written, and in chunks.
    let limit = state.config.live_buffer_bytes.max(64 * 1024);
    let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<Bytes>(1024);
    let live = state.live.clone();
    live.connected.fetch_add(1, Ordering::Relaxed);
    let open = Open(live.clone());
    let agent_id = agent.id;
    // Where a fresh stream starts, so a reconnect before any event resumes without a gap.
    let mut first = format!("id: {start}\nevent: ready\ndata: {{\"agent_id\":{agent_id}}}\n\n");
    let mut replayed = std::collections::HashSet::new();
    let backlog: Vec<(Arc<LiveEvent>, Bytes)> = backlog
        .into_iter()
        .map(|e| {
            if let Some(id) = e.id {
                replayed.insert(id);
            }
            let frame = Bytes::from(e.frame());
            (Arc::new(e), frame)
        })
        .collect();
    if let Some(c) = chunk(&backlog, agent_id, scope) {
        first.push_str(&String::from_utf8_lossy(&c));
    }
    // On SQLite change ids grow in commit order, so an id at or below the stream's start was
    // committed before it (and replayed if asked for). On PostgreSQL a smaller id may commit
    // later: nothing is skipped by id there.
    let seen_upto = match state.db.backend {
        crate::db::Backend::Sqlite => start,
        crate::db::Backend::Postgres => i64::MIN,
    };
    // Cannot fail: the channel is new and has room.
    queued.fetch_add(first.len(), Ordering::Relaxed);
    let _ = tx.try_send(Bytes::from(first));
    let waiting = queued.clone();
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(Duration::from_secs(15));
        beat.tick().await;
        loop {
            let batch = tokio::select! {
                b = sub.recv() => b,
                _ = beat.tick() => {
                    if tx.try_send(Bytes::from_static(b": ping\n\n")).is_err() && tx.is_closed() {
                        return;
                    }
                    continue;
                }
                _ = tx.closed() => return,
            };
            let batch = match batch {
                Ok(b) => b,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    live.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(agent_id, "live stream dropped: it fell behind");
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let fresh: Vec<(Arc<LiveEvent>, Bytes)> = batch
                .iter()
                .filter(|(e, _)| {
                    !e.id
                        .is_some_and(|id| id <= seen_upto || replayed.remove(&id))
                })
                .cloned()
                .collect();
            let Some(c) = chunk(&fresh, agent_id, scope) else {
                continue;
            };
            let len = c.len();
            if waiting.fetch_add(len, Ordering::Relaxed) + len > limit {
                live.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::info!(agent_id, "live stream dropped: the client is not reading");
                return;
            }
            match tx.try_send(c) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    live.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(agent_id, "live stream dropped: the client is not reading");
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
    });
    let body =
        futures_util::stream::unfold((rx, open, queued), |(mut rx, open, queued)| async move {
            let chunk = rx.recv().await?;
            queued.fetch_sub(chunk.len(), Ordering::Relaxed);
            Some((Ok::<_, Infallible>(chunk), (rx, open, queued)))
        });
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PresenceForm {
    csrf: Option<String>,
    /// `viewing`, `replying` or `left`.
    state: Option<String>,
}

/// The ticket page says every few seconds that its agent is on it (and whether they are typing a
/// reply), and `left` when the tab closes.
async fn presence(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<PresenceForm>,
) -> Result<StatusCode, AppError> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let what = match f.state.as_deref().map(str::trim) {
        Some(s @ ("viewing" | "replying" | "left")) => s.to_string(),
        _ => {
            return Err(AppError::field("state", t!("error-presence-state")));
        }
    };
    crate::tickets::get_ticket(&state.db, id).await?;
    let now = state.now();
    let p = Presence {
        ticket_id: id,
        agent_id: agent.id,
        agent_name: agent.name.clone(),
        state: what,
        until: now + PRESENCE_TTL_MS,
    };
    crate::live::announce_presence(&state.db, &state.live, p).await?;
    Ok(StatusCode::NO_CONTENT)
}
