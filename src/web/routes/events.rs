//! The live desk's streams: `GET /events` (session) and `GET /api/v1/events` (bearer token) send
//! server-sent events — ticket changes, presence, the caller's notifications — resuming after
//! `Last-Event-ID`; and the presence signal of the ticket page (`POST /tickets/{id}/presence`).

use crate::auth::AgentRef;
use crate::error::{AppError, AppResult};
use crate::live::{LiveEvent, PRESENCE_TTL_MS, Presence};
use crate::state::AppState;
use crate::web::extract::{ApiAgent, CurrentAgent, verify_csrf};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
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

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/events", get(api_events))
}

async fn ui_events(
    State(state): State<AppState>,
    agent: Result<CurrentAgent, Response>,
    headers: HeaderMap,
) -> Response {
    match agent {
        // A stream is not a page: no redirect to the login page, just 401.
        Err(_) => AppError::Unauthorized.into_response(),
        Ok(CurrentAgent(agent)) => {
            let after = last_event_id(&headers);
            match after {
                Ok(after) => stream(state, agent, after).await.into_response(),
                Err(e) => e.into_response(),
            }
        }
    }
}

async fn api_events(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    headers: HeaderMap,
) -> AppResult<Response> {
    let after = last_event_id(&headers)?;
    Ok(stream(state, agent, after).await?.into_response())
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
            .map_err(|_| AppError::field("Last-Event-ID", "must be an event id")),
        Some(Err(_)) => Err(AppError::field("Last-Event-ID", "must be an event id")),
    }
}

/// Counts a stream as open for as long as it lives.
struct Open(Arc<crate::live::Live>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.connected.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn stream(
    state: AppState,
    agent: AgentRef,
    after: Option<i64>,
) -> AppResult<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>> {
    // Subscribe before reading the table, so nothing committed in between is missed.
    let mut sub = state.live.subscribe();
    let (start, backlog) = match after {
        Some(after) => {
            let events = crate::live::replay(&state.db, after, REPLAY_LIMIT).await?;
            (after, events)
        }
        None => (crate::live::latest_id(&state.db).await?, Vec::new()),
    };
    let buffer = state.config.live_buffer_events.max(8);
    let (tx, rx) = mpsc::channel::<Arc<LiveEvent>>(buffer);
    let live = state.live.clone();
    live.connected.fetch_add(1, Ordering::Relaxed);
    let open = Open(live.clone());
    // Where a fresh stream starts, so a reconnect before any event resumes without a gap.
    let ready = Arc::new(LiveEvent {
        id: Some(start),
        name: "ready",
        data: format!("{{\"agent_id\":{}}}", agent.id),
        for_agent: None,
    });
    let agent_id = agent.id;
    tokio::spawn(async move {
        let mut replayed = std::collections::HashSet::new();
        let first = std::iter::once(ready).chain(backlog.into_iter().map(|e| {
            if let Some(id) = e.id {
                replayed.insert(id);
            }
            Arc::new(e)
        }));
        for ev in first.collect::<Vec<_>>() {
            if tx.try_send(ev).is_err() {
                live.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::info!(agent_id, "live stream dropped: too far behind to replay");
                return;
            }
        }
        loop {
            let ev = tokio::select! {
                ev = sub.recv() => ev,
                _ = tx.closed() => return,
            };
            match ev {
                Ok(ev) => {
                    if ev.for_agent.is_some_and(|a| a != agent_id)
                        || ev.id.is_some_and(|id| replayed.remove(&id))
                    {
                        continue;
                    }
                    match tx.try_send(ev) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            live.dropped.fetch_add(1, Ordering::Relaxed);
                            tracing::info!(
                                agent_id,
                                "live stream dropped: the client is not reading"
                            );
                            return;
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => return,
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    live.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(agent_id, "live stream dropped: it fell behind");
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    let events = futures_util::stream::unfold((rx, open), |(mut rx, open)| async move {
        let ev = rx.recv().await?;
        let mut out = Event::default().event(ev.name).data(ev.data.as_str());
        if let Some(id) = ev.id {
            out = out.id(id.to_string());
        }
        Some((Ok(out), (rx, open)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
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
            return Err(AppError::field(
                "state",
                "must be viewing, replying or left",
            ));
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
