//! The live desk's event stream: every committed ticket change (a `ticket_change` row) and every
//! presence signal is broadcast to the agents' open streams (`GET /events`). On SQLite a commit
//! wakes this process's pump; on PostgreSQL every change is announced with `NOTIFY` (the change
//! id), so every node streams every node's changes. A stream that falls behind is dropped; the
//! browser reconnects with `Last-Event-ID` and the missed events are replayed from the table.

use crate::db::{Backend, Db};
use crate::domain::clock::Millis;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL channel on which committed change ids are announced.
pub const CHANNEL: &str = "casebook_live";

/// The PostgreSQL channel on which presence signals travel between nodes.
pub const PRESENCE_CHANNEL: &str = "casebook_presence";

/// How long a presence signal lasts without being renewed.
pub const PRESENCE_TTL_MS: i64 = 15_000;

/// One event on the stream.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    /// The change id (the stream's `id:`), for events that can be replayed; presence has none.
    pub id: Option<i64>,
    /// `ticket`, `presence` or `notification`.
    pub name: &'static str,
    /// The JSON payload.
    pub data: String,
    /// Only this agent receives it (their notifications); `None`: every agent.
    pub for_agent: Option<i64>,
    /// The ticket it is about, if any (streams narrowed to one ticket keep only these).
    pub ticket_id: Option<i64>,
}

impl LiveEvent {
    /// The event as it goes on the wire (`id:`, `event:`, `data:` lines), written once for every
    /// stream that sends it.
    pub fn frame(&self) -> String {
        match self.id {
            Some(id) => format!("id: {id}\nevent: {}\ndata: {}\n\n", self.name, self.data),
            None => format!("event: {}\ndata: {}\n\n", self.name, self.data),
        }
    }
}

/// What the hub hands every stream at once: the events of one coalescing window, each with its
/// frame already written.
pub type Batch = Arc<Vec<(Arc<LiveEvent>, bytes::Bytes)>>;

/// Events are handed to the streams at most this often: under a burst of changes each stream
/// wakes and writes once per window instead of once per event.
pub const WINDOW: Duration = Duration::from_millis(100);

/// What a ticket change event carries on the stream.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct TicketEvent {
    pub id: i64,
    pub ticket_id: i64,
    pub version: i64,
    pub kind: String,
    pub actor_kind: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub fields: serde_json::Value,
    pub created_at: Millis,
}

/// Someone on a ticket page: viewing it, or writing a reply.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Presence {
    pub ticket_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    /// `viewing`, `replying`, or `left`.
    pub state: String,
    pub until: Millis,
}

/// A narrow part of the events: one ticket's, or one agent's own (their notifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Ticket(i64),
    Agent(i64),
}

impl Key {
    /// The narrow part an event belongs to: an agent's own events are theirs alone.
    fn of(ev: &LiveEvent) -> Option<Key> {
        match (ev.for_agent, ev.ticket_id) {
            (Some(agent), _) => Some(Key::Agent(agent)),
            (None, Some(ticket)) => Some(Key::Ticket(ticket)),
            (None, None) => None,
        }
    }
}

/// Batches a narrow part waits for: a handful, since one ticket changes rarely.
const KEYED_CAPACITY: usize = 64;

/// Where a stream's batches come from.
pub enum Feed {
    /// Every event; the stream keeps what it wants.
    All(broadcast::Receiver<Batch>),
    /// One ticket's events and the agent's own: a stream on a quiet ticket is never woken by
    /// the rest of the desk's work.
    Ticket {
        ticket: broadcast::Receiver<Batch>,
        agent: broadcast::Receiver<Batch>,
    },
}

impl Feed {
    /// The next batch (cancel-safe, like the receivers it reads).
    pub async fn recv(&mut self) -> Result<Batch, broadcast::error::RecvError> {
        match self {
            Feed::All(all) => all.recv().await,
            Feed::Ticket { ticket, agent } => tokio::select! {
                b = ticket.recv() => b,
                b = agent.recv() => b,
            },
        }
    }
}

/// The hub: the broadcast channels of one process (one for everything, one per narrow part
/// someone follows), the presence board, and counters for `/metrics`.
pub struct Live {
    sender: broadcast::Sender<Batch>,
    keyed: Mutex<HashMap<Key, broadcast::Sender<Batch>>>,
    pending: Mutex<Vec<(Arc<LiveEvent>, bytes::Bytes)>>,
    flush: tokio::sync::Notify,
    presence: Mutex<HashMap<(i64, i64), Presence>>,
    /// Streams open now.
    pub connected: AtomicI64,
    /// Streams dropped because the client did not keep up.
    pub dropped: AtomicU64,
    /// Events broadcast since start.
    pub broadcast: AtomicU64,
}

impl Live {
    pub fn new(capacity: usize) -> Live {
        let (sender, _) = broadcast::channel(capacity.max(16));
        Live {
            sender,
            keyed: Mutex::new(HashMap::new()),
            pending: Mutex::new(Vec::new()),
            flush: tokio::sync::Notify::new(),
            presence: Mutex::new(HashMap::new()),
            connected: AtomicI64::new(0),
            dropped: AtomicU64::new(0),
            broadcast: AtomicU64::new(0),
        }
    }

    /// Every event from now on.
    pub fn subscribe(&self) -> Feed {
        Feed::All(self.sender.subscribe())
    }

    /// From now on, `ticket_id`'s events and `agent_id`'s own.
    pub fn subscribe_ticket(&self, ticket_id: i64, agent_id: i64) -> Feed {
        let mut keyed = self.keyed.lock().unwrap_or_else(|e| e.into_inner());
        let mut feed = |key| {
            keyed
                .entry(key)
                .or_insert_with(|| broadcast::channel(KEYED_CAPACITY).0)
                .subscribe()
        };
        Feed::Ticket {
            ticket: feed(Key::Ticket(ticket_id)),
            agent: feed(Key::Agent(agent_id)),
        }
    }

    /// Whether any stream is open on this node (else the pumps need not read the events).
    pub fn listening(&self) -> bool {
        self.sender.receiver_count() > 0
            || !self
                .keyed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty()
    }

    /// Hands a window's events to the streams following everything, and to each followed
    /// ticket or agent its own share; forgets the parts nobody follows any more.
    fn hand_out(&self, batch: Vec<(Arc<LiveEvent>, bytes::Bytes)>) {
        {
            let mut keyed = self.keyed.lock().unwrap_or_else(|e| e.into_inner());
            keyed.retain(|_, s| s.receiver_count() > 0);
            if !keyed.is_empty() {
                let mut shares: HashMap<Key, Vec<(Arc<LiveEvent>, bytes::Bytes)>> = HashMap::new();
                for item in &batch {
                    if let Some(key) = Key::of(&item.0)
                        && keyed.contains_key(&key)
                    {
                        shares.entry(key).or_default().push(item.clone());
                    }
                }
                for (key, share) in shares {
                    if let Some(s) = keyed.get(&key) {
                        let _ = s.send(Arc::new(share));
                    }
                }
            }
        }
        if self.sender.receiver_count() > 0 {
            let _ = self.sender.send(Arc::new(batch));
        }
    }

    /// Queues an event for the next window.
    fn send(&self, ev: LiveEvent) {
        self.broadcast.fetch_add(1, Ordering::Relaxed);
        let frame = bytes::Bytes::from(ev.frame());
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((Arc::new(ev), frame));
        self.flush.notify_one();
    }

    /// Hands the queued events to the streams: at once when the stream has been quiet, then at
    /// most once per [`WINDOW`].
    pub async fn run_flusher(self: Arc<Self>) {
        loop {
            self.flush.notified().await;
            let batch =
                std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
            if !batch.is_empty() {
                self.hand_out(batch);
            }
            tokio::time::sleep(WINDOW).await;
        }
    }

    /// Records a presence signal and tells the other agents.
    pub fn set_presence(&self, p: Presence) {
        let changed = {
            let mut board = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let key = (p.ticket_id, p.agent_id);
            let before = board.get(&key).map(|b| b.state.clone());
            if p.state == "left" {
                board.remove(&key);
            } else {
                board.insert(key, p.clone());
            }
            before.as_deref() != Some(p.state.as_str())
        };
        // Renewals of the same state are not news; the board keeps the new expiry.
        if changed {
            self.send(LiveEvent {
                id: None,
                name: "presence",
                data: serde_json::to_string(&p).unwrap_or_default(),
                for_agent: None,
                ticket_id: Some(p.ticket_id),
            });
        }
    }

    /// Who is on `ticket_id` now (expired signals are dropped).
    pub fn present(&self, ticket_id: i64, now: Millis) -> Vec<Presence> {
        let mut board = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        board.retain(|_, p| p.until > now);
        let mut out: Vec<Presence> = board
            .values()
            .filter(|p| p.ticket_id == ticket_id)
            .cloned()
            .collect();
        out.sort_by_key(|p| p.agent_id);
        out
    }

    /// Ends presence signals that were not renewed, telling the other agents.
    pub fn expire_presence(&self, now: Millis) {
        let gone: Vec<Presence> = {
            let mut board = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            let gone = board
                .values()
                .filter(|p| p.until <= now)
                .cloned()
                .collect::<Vec<_>>();
            board.retain(|_, p| p.until > now);
            gone
        };
        for mut p in gone {
            p.state = "left".into();
            self.send(LiveEvent {
                id: None,
                name: "presence",
                data: serde_json::to_string(&p).unwrap_or_default(),
                for_agent: None,
                ticket_id: Some(p.ticket_id),
            });
        }
    }
}

impl Live {
    /// The stream counters, in Prometheus' text format.
    pub fn render_metrics(&self) -> String {
        format!(
            "# HELP casebook_live_streams Live event streams open now.\n\
             # TYPE casebook_live_streams gauge\n\
             casebook_live_streams {}\n\
             # HELP casebook_live_streams_dropped_total Live streams dropped because the client fell behind.\n\
             # TYPE casebook_live_streams_dropped_total counter\n\
             casebook_live_streams_dropped_total {}\n\
             # HELP casebook_live_events_total Live events broadcast since start.\n\
             # TYPE casebook_live_events_total counter\n\
             casebook_live_events_total {}\n",
            self.connected.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
            self.broadcast.load(Ordering::Relaxed),
        )
    }
}

/// Records a presence signal here and, on PostgreSQL, tells the other nodes.
pub async fn announce_presence(db: &Db, live: &Live, p: Presence) -> anyhow::Result<()> {
    live.set_presence(p.clone());
    if db.backend == Backend::Postgres {
        tokio::time::timeout(
            Duration::from_secs(5),
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(PRESENCE_CHANNEL)
                .bind(serde_json::to_string(&p)?)
                .execute(&db.pool),
        )
        .await??;
    }
    Ok(())
}

const NOTIFICATION_SELECT: &str = "SELECT n.agent_notification_id, n.agent_id, n.ticket_id, n.kind, n.body, n.created_at,
    (SELECT COUNT(*) FROM agent_notification u WHERE u.agent_id = n.agent_id AND u.read_at IS NULL) AS unread
    FROM agent_notification n";

/// A new notification, for its agent's open pages only (the unread count in the menu, and a
/// desktop notification where the agent allowed them).
fn notification_event(r: &sqlx::any::AnyRow) -> anyhow::Result<(i64, LiveEvent)> {
    let id: i64 = r.try_get("agent_notification_id")?;
    let agent_id: i64 = r.try_get("agent_id")?;
    let ticket_id: Option<i64> = r.try_get("ticket_id")?;
    let data = json!({
        "id": id,
        "ticket_id": ticket_id,
        "kind": r.try_get::<String, _>("kind")?,
        "body": r.try_get::<String, _>("body")?,
        "created_at": r.try_get::<i64, _>("created_at")?,
        "unread": r.try_get::<i64, _>("unread")?,
        "url": ticket_id.map(|t| format!("/tickets/{t}")).unwrap_or_else(|| "/notifications".into()),
    });
    Ok((
        id,
        LiveEvent {
            id: None,
            name: "notification",
            data: data.to_string(),
            for_agent: Some(agent_id),
            ticket_id,
        },
    ))
}

/// The newest notification id.
async fn latest_notification_id(db: &Db) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(agent_notification_id) FROM agent_notification",
    )
    .fetch_one(&db.pool)
    .await?
    .unwrap_or(0))
}

const CHANGE_SELECT: &str =
    "SELECT c.change_id, c.ticket_id, c.version, c.kind, c.actor_kind, c.agent_id,
    a.name AS agent_name, c.fields, c.created_at
    FROM ticket_change c LEFT JOIN agent a ON a.agent_id = c.agent_id";

fn ticket_event(r: &sqlx::any::AnyRow) -> anyhow::Result<TicketEvent> {
    let fields: String = r.try_get("fields")?;
    Ok(TicketEvent {
        id: r.try_get("change_id")?,
        ticket_id: r.try_get("ticket_id")?,
        version: r.try_get("version")?,
        kind: r.try_get("kind")?,
        actor_kind: r.try_get("actor_kind")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        fields: serde_json::from_str(&fields).unwrap_or(json!([])),
        created_at: r.try_get("created_at")?,
    })
}

fn to_live(e: &TicketEvent) -> LiveEvent {
    LiveEvent {
        id: Some(e.id),
        name: "ticket",
        data: serde_json::to_string(e).unwrap_or_default(),
        for_agent: None,
        ticket_id: Some(e.ticket_id),
    }
}

/// Change events after `after` (a stream's `Last-Event-ID`), oldest first, at most `limit`.
/// On PostgreSQL ids are taken before commit, so a change committed a moment after a later one
/// can carry a smaller id: events of the few seconds before `after` are sent again too (a
/// client skips versions it has).
pub async fn replay(db: &Db, after: i64, limit: i64) -> anyhow::Result<Vec<LiveEvent>> {
    let rows = match db.backend {
        Backend::Sqlite => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{CHANGE_SELECT} WHERE c.change_id > $1 ORDER BY c.change_id LIMIT $2"
            )))
            .bind(after)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
        Backend::Postgres => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{CHANGE_SELECT} WHERE c.change_id > $1
                   OR (c.change_id <= $1 AND c.created_at >= (SELECT created_at FROM ticket_change WHERE change_id = $1) - 5000)
                 ORDER BY c.change_id LIMIT $2"
            )))
            .bind(after)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| ticket_event(r).map(|e| to_live(&e)))
        .collect()
}

/// One read of the pump, bounded in time; a failure is logged and reads nothing (the next wake
/// reads again).
async fn read(
    db: &Db,
    q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
    what: &str,
) -> Option<Vec<sqlx::any::AnyRow>> {
    match tokio::time::timeout(Duration::from_secs(10), q.fetch_all(&db.pool)).await {
        Ok(Ok(rows)) => Some(rows),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "live events: reading {what} failed");
            None
        }
        Err(_) => {
            tracing::warn!("live events: reading {what} timed out");
            None
        }
    }
}

/// `select` narrowed to rows whose `column` is one of `ids`, as bound parameters.
fn with_ids(select: &str, column: &str, ids: &[i64]) -> crate::db::Sql {
    let mut sql = crate::db::Sql::new(format!("{select} WHERE {column} IN ("));
    sql.push_params(ids.iter().copied())
        .push(&format!(") ORDER BY {column}"));
    sql
}

/// The newest change id (where a fresh stream starts).
pub async fn latest_id(db: &Db) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(change_id) FROM ticket_change")
            .fetch_one(&db.pool)
            .await?
            .unwrap_or(0),
    )
}

/// Reads committed change events and broadcasts them, for as long as the process runs.
pub async fn run_pump(db: Db, live: Arc<Live>, database_url: String) {
    match db.backend {
        Backend::Sqlite => pump_sqlite(db, live).await,
        Backend::Postgres => pump_postgres(db, live, database_url).await,
    }
}

/// SQLite: one writer at a time, so change ids grow in commit order; a commit wakes the pump,
/// which reads everything after the last id it sent.
async fn pump_sqlite(db: Db, live: Arc<Live>) {
    let wake = db.live_wakeup();
    let mut last = loop {
        match latest_id(&db).await {
            Ok(id) => break id,
            Err(err) => {
                tracing::warn!(error = %err, "live events: cannot read the latest change");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let mut last_notification = latest_notification_id(&db).await.unwrap_or(0);
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        // Read at most twice per window: commits arriving meanwhile are read together.
        tokio::time::sleep(WINDOW / 2).await;
        if !live.listening() {
            // Nobody is listening: only keep up with where the tables end. A stream that opens
            // later starts from the newest change (or replays from its `Last-Event-ID`).
            last = latest_id(&db).await.unwrap_or(last);
            last_notification = latest_notification_id(&db)
                .await
                .unwrap_or(last_notification);
            continue;
        }
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{NOTIFICATION_SELECT} WHERE n.agent_notification_id > $1 ORDER BY n.agent_notification_id LIMIT 500"
        )))
        .bind(last_notification);
        for r in read(&db, q, "notifications").await.unwrap_or_default() {
            if let Ok((id, ev)) = notification_event(&r) {
                last_notification = last_notification.max(id);
                live.send(ev);
            }
        }
        loop {
            let q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{CHANGE_SELECT} WHERE c.change_id > $1 ORDER BY c.change_id LIMIT 500"
            )))
            .bind(last);
            let Some(rows) = read(&db, q, "changes").await else {
                break;
            };
            let n = rows.len();
            for r in &rows {
                match ticket_event(r) {
                    Ok(e) => {
                        last = last.max(e.id);
                        live.send(to_live(&e));
                    }
                    Err(err) => tracing::warn!(error = %err, "live events: bad change row"),
                }
            }
            if n < 500 {
                break;
            }
        }
    }
}

/// PostgreSQL: every node's commits are announced on [`CHANNEL`] with their change ids, in
/// commit order; the pump reads those rows and broadcasts them. After a lost connection it
/// catches up on what was committed meanwhile.
async fn pump_postgres(db: Db, live: Arc<Live>, url: String) {
    let mut seen = Seen::new(20_000);
    let mut backoff = Duration::from_millis(250);
    let mut last = latest_id(&db).await.unwrap_or(0);
    loop {
        let connected = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::postgres::PgListener::connect(&url),
        )
        .await;
        let mut listener = match connected {
            Ok(Ok(l)) => l,
            other => {
                if let Ok(Err(err)) = other {
                    tracing::warn!(error = %err, "live events: cannot listen; retrying");
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        if let Err(err) = listener.listen_all([CHANNEL, PRESENCE_CHANNEL]).await {
            tracing::warn!(error = %err, "live events: cannot listen; retrying");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = Duration::from_millis(250);
        // Whatever was committed while nobody listened.
        if let Ok(events) = replay(&db, last, 5_000).await {
            for e in events {
                if let Some(id) = e.id
                    && seen.insert(id)
                {
                    last = last.max(id);
                    live.send(e);
                }
            }
        }
        loop {
            let first = match listener.recv().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::warn!(error = %err, "live events: listening interrupted; reconnecting");
                    break;
                }
            };
            let mut ids: Vec<i64> = Vec::new();
            let mut notes: Vec<i64> = Vec::new();
            let take =
                |n: &sqlx::postgres::PgNotification, ids: &mut Vec<i64>, notes: &mut Vec<i64>| {
                    if n.channel() == PRESENCE_CHANNEL {
                        // Another node's agent (or ours, already on the board: no news then).
                        if let Ok(p) = serde_json::from_str::<Presence>(n.payload()) {
                            live.set_presence(p);
                        }
                    } else if let Some(n) = n.payload().strip_prefix('n') {
                        notes.extend(n.parse::<i64>().ok());
                    } else {
                        ids.extend(n.payload().parse::<i64>().ok());
                    }
                };
            take(&first, &mut ids, &mut notes);
            if !live.listening() {
                // Nobody is listening on this node: nothing to read.
                while listener.next_buffered().is_some() {}
                continue;
            }
            // Take whatever else has arrived, to read the rows in one query.
            while ids.len() < 500 {
                match listener.next_buffered() {
                    Some(n) => take(&n, &mut ids, &mut notes),
                    None => break,
                }
            }
            if !notes.is_empty() {
                send_notifications(&db, &live, &notes).await;
            }
            ids.retain(|id| !seen.contains(*id));
            if ids.is_empty() {
                continue;
            }
            let q = with_ids(CHANGE_SELECT, "c.change_id", &ids).query();
            let Some(rows) = read(&db, q, "announced changes").await else {
                continue;
            };
            let mut by_id: HashMap<i64, TicketEvent> = rows
                .iter()
                .filter_map(|r| ticket_event(r).ok())
                .map(|e| (e.id, e))
                .collect();
            for id in ids {
                if let Some(e) = by_id.remove(&id)
                    && seen.insert(id)
                {
                    last = last.max(id);
                    live.send(to_live(&e));
                }
            }
        }
    }
}

/// Reads the announced notifications and sends each to its agent's streams.
async fn send_notifications(db: &Db, live: &Live, ids: &[i64]) {
    let q = with_ids(NOTIFICATION_SELECT, "n.agent_notification_id", ids).query();
    for r in read(db, q, "announced notifications")
        .await
        .unwrap_or_default()
    {
        if let Ok((_, ev)) = notification_event(&r) {
            live.send(ev);
        }
    }
}

/// The ids broadcast lately, so an event announced twice (a catch-up after a reconnect) is sent
/// once.
struct Seen {
    set: HashSet<i64>,
    order: VecDeque<i64>,
    cap: usize,
}

impl Seen {
    fn new(cap: usize) -> Seen {
        Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }
    fn contains(&self, id: i64) -> bool {
        self.set.contains(&id)
    }
    fn insert(&mut self, id: i64) -> bool {
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.cap
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Ends presence that was not renewed, every few seconds.
pub async fn run_presence_expiry(live: Arc<Live>, clock: crate::domain::clock::SharedClock) {
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        live.expire_presence(clock.now_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ticket_id: Option<i64>, for_agent: Option<i64>) -> LiveEvent {
        LiveEvent {
            id: None,
            name: if for_agent.is_some() {
                "notification"
            } else {
                "ticket"
            },
            data: "{}".into(),
            for_agent,
            ticket_id,
        }
    }

    fn ids(batch: &Batch) -> Vec<(Option<i64>, Option<i64>)> {
        batch
            .iter()
            .map(|(e, _)| (e.ticket_id, e.for_agent))
            .collect()
    }

    #[tokio::test]
    async fn a_ticket_stream_gets_its_ticket_and_its_agent_only() {
        let live = Arc::new(Live::new(16));
        tokio::spawn(live.clone().run_flusher());
        let mut everything = live.subscribe();
        let mut on_7 = live.subscribe_ticket(7, 1);
        let mut on_8 = live.subscribe_ticket(8, 2);
        assert!(live.listening());
        live.send(event(Some(9), None));
        live.send(event(Some(7), None));
        live.send(event(Some(9), Some(1)));
        let mut all = 0;
        while all < 3 {
            all += everything.recv().await.unwrap().len();
        }
        let mut got = Vec::new();
        while got.len() < 2 {
            got.extend(ids(&on_7.recv().await.unwrap()));
        }
        got.sort();
        assert_eq!(got, vec![(Some(7), None), (Some(9), Some(1))]);
        // Ticket 8's stream (agent 2) was not woken by any of it.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), on_8.recv())
                .await
                .is_err()
        );
        // Parts nobody follows any more are forgotten at the next window.
        drop(on_7);
        drop(on_8);
        drop(everything);
        live.send(event(Some(7), None));
        tokio::time::timeout(Duration::from_secs(5), async {
            while live.listening() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the hub forgets closed streams");
    }
}
