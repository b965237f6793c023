//! bench-events: measures the live event stream (`GET /api/v1/events`) over real HTTP against
//! `casebook serve` processes spawned from the binary built next to this one.
//!
//! Phases, per backend (a fresh SQLite file or a fresh PostgreSQL database):
//! 1. `latency`: `--clients` streams open, then `--changes` priority changes
//!    (`PATCH /api/v1/tickets/{id}`, paced at `--rate`/s); for every (client, change) pair, the
//!    time from the PATCH's response to the change's event arriving, matched by ticket id and
//!    version. With `--nodes 2` (PostgreSQL) the streams are on node 2 and the changes on node 1.
//! 2. `memory`: the server's RSS with no stream, then with `--idle` streams open.
//! 3. `throughput`: `POST /api/v1/tickets` from `--writers` clients for `--secs` seconds with no
//!    stream open, then with the `--idle` streams still open (and reading what they are sent).
//!
//! It prints figures and the targets beside them; it never asserts a speed.

use anyhow::{Context, Result, bail};
use casebook::auth::{self, NewAgent};
use casebook::db::Db;
use casebook::domain::Role;
use clap::{Parser, ValueEnum};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-events",
    about = "Measures live event delivery latency, memory per idle stream and create throughput with idle streams, against spawned `casebook serve` processes"
)]
struct Args {
    /// Which database backend(s) to measure.
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// App processes: 2 puts the latency streams on a second node (PostgreSQL only; the memory
    /// and throughput phases then do not run).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    nodes: u8,
    /// Streams connected during the latency phase.
    #[arg(long, default_value_t = 500)]
    clients: usize,
    /// Ticket changes made during the latency phase.
    #[arg(long, default_value_t = 200)]
    changes: usize,
    /// Changes per second during the latency phase.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Idle streams for the memory and throughput phases.
    #[arg(long, default_value_t = 5_000)]
    idle: usize,
    /// Concurrent creating clients in the throughput phase.
    #[arg(long, default_value_t = 16)]
    writers: usize,
    /// Seconds each throughput measurement lasts.
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// What the idle streams listen to: `ticket` (an open ticket page: one ticket nobody
    /// changes), `queue` (an open queue: a notice per 100 ms window naming changed tickets) or
    /// `all` (every event, as an API client).
    #[arg(long, default_value = "ticket")]
    idle_scope: String,
    /// Small numbers for a smoke run (20 clients, 20 changes, 200 idle streams, 3 s).
    #[arg(long)]
    quick: bool,
}

const LATENCY_TARGET_NOTE: &str = "missed must be 0";
const MEMORY_TARGET_BYTES: f64 = 50.0 * 1024.0;
const THROUGHPUT_TARGET_DROP: f64 = 10.0;
/// Streams being opened at once.
const CONNECT_CONCURRENCY: usize = 64;
/// Tickets the latency phase's changes rotate over.
const CHANGE_TICKETS: usize = 10;

fn main() -> Result<()> {
    let mut args = Args::parse();
    if args.quick {
        args.clients = args.clients.min(20);
        args.changes = args.changes.min(20);
        args.idle = args.idle.min(200);
        args.secs = args.secs.min(3);
    }
    if args.clients == 0 || args.changes == 0 || args.writers == 0 || args.secs == 0 {
        bail!("--clients, --changes, --writers and --secs must be above zero");
    }
    if !(args.rate > 0.0 && args.rate <= 1_000.0) {
        bail!("--rate must be above 0 and at most 1000 changes/s");
    }
    if args.nodes == 2 && args.backend != BackendChoice::Postgres {
        bail!("--nodes 2 needs --backend postgres (two nodes share one PostgreSQL database)");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

/// One line of the summary tables.
enum Figure {
    Latency {
        scenario: String,
        pairs: usize,
        stats: Option<Percentiles>,
        from_sent: Option<Percentiles>,
        missed: usize,
        early: usize,
        errors: u64,
        load: String,
    },
    Memory {
        scenario: String,
        idle: usize,
        rss0_kib: u64,
        rssk_kib: u64,
        load: String,
    },
    Throughput {
        scenario: String,
        idle: usize,
        base: Rate,
        with_idle: Rate,
        /// No stream again, after the idle streams closed: the database has grown meanwhile, so
        /// the drop is taken against the mean of the runs before and after.
        base_after: Rate,
        streams_left: i64,
        dropped: i64,
        deliveries: u64,
        delivery_us: Option<f64>,
        load: String,
    },
}

async fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let profile = if cfg!(debug_assertions) {
        "debug (figures are not representative; use --release)"
    } else {
        "release"
    };
    let server_exe = server_exe()?;
    println!("bench-events {}", env!("CARGO_PKG_VERSION"));
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    );
    println!("build:   {profile}; server {}", server_exe.display());
    println!(
        "plan:    latency {} streams x {} changes at {}/s on {} node(s); memory and throughput with {} idle streams, {} writers for {} s",
        args.clients, args.changes, args.rate, args.nodes, args.idle, args.writers, args.secs
    );
    let need_fds = (args.idle.max(args.clients) + args.writers + 256) as u64;
    match open_files_limit("self") {
        Some(limit) if limit < need_fds => bail!(
            "open files limit {limit} is below the {need_fds} this run needs; raise it (ulimit -n) or lower --idle"
        ),
        Some(limit) => println!("fds:     open files limit {limit} (the servers inherit it)"),
        None => println!("fds:     open files limit unknown"),
    }
    println!("note:    client and servers share this machine's cores");

    let backends = match args.backend {
        BackendChoice::Sqlite => vec![Backend::Sqlite],
        BackendChoice::Postgres => vec![Backend::Postgres],
        BackendChoice::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let mut figures = Vec::new();
    let mut notes = Vec::new();
    for backend in backends {
        println!();
        println!("== {} ==", backend.name());
        let Some((url, fresh)) = fresh_database(backend).await? else {
            notes.push(format!(
                "{}: SKIPPED (database not reachable)",
                backend.name()
            ));
            continue;
        };
        let result = bench_backend(backend, &server_exe, &url, &args, &mut figures).await;
        fresh.cleanup().await;
        if let Err(err) = result {
            let line = format!("{}: FAILED: {err:#}", backend.name());
            println!("{line}");
            notes.push(line);
        }
    }

    println!();
    println!("== summary ==");
    print_summary(&figures, &args);
    if !notes.is_empty() {
        println!();
        for n in &notes {
            println!("- {n}");
        }
    }
    println!();
    println!(
        "total run time: {:.1} s; load average now {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(())
}

async fn bench_backend(
    backend: Backend,
    exe: &std::path::Path,
    url: &str,
    args: &Args,
    figures: &mut Vec<Figure>,
) -> Result<()> {
    let token = seed(url).await?;
    let scenario = format!(
        "{}, {}",
        backend.name(),
        if args.nodes == 2 { "2 nodes" } else { "1 node" }
    );

    // ---- latency ----
    {
        let node1 = Server::start(exe, url).await?;
        let node2 = if args.nodes == 2 {
            Some(Server::start(exe, url).await?)
        } else {
            None
        };
        if node2.is_some() {
            wait_listeners(url, 2).await;
        }
        let streams_on = node2.as_ref().unwrap_or(&node1);
        println!();
        println!(
            "-- latency: {} streams on {}, {} changes on {} at {}/s --",
            args.clients, streams_on.base, args.changes, node1.base, args.rate
        );
        let load = load_average();
        let out = latency(url, &node1, streams_on, &token, args).await?;
        let stats = percentiles(&out.latencies_us);
        let from_sent = percentiles(&out.from_sent_us);
        if let Some(s) = &from_sent {
            println!(
                "   from the PATCH being sent: p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
                s.p50, s.p95, s.p99, s.max
            );
        }
        match &stats {
            Some(s) => println!(
                "   {} pairs: p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms; missed {}; event before the PATCH response {}; errors {}",
                out.pairs, s.p50, s.p95, s.p99, s.max, out.missed, out.early, out.errors
            ),
            None => println!("   no event arrived; missed {}", out.missed),
        }
        figures.push(Figure::Latency {
            scenario: scenario.clone(),
            pairs: out.pairs,
            stats,
            from_sent,
            missed: out.missed,
            early: out.early,
            errors: out.errors,
            load,
        });
    }
    if args.nodes == 2 {
        println!("   (memory and throughput are measured with --nodes 1)");
        return Ok(());
    }

    // ---- memory and throughput, on a fresh process ----
    let server = Server::start(exe, url).await?;
    println!();
    println!(
        "-- throughput: POST /api/v1/tickets, {} writers, {} s, no stream open --",
        args.writers, args.secs
    );
    let client = http_client()?;
    let creates_for = |secs: u64| {
        drive_creates(
            &client,
            server.pid,
            &server.base,
            &token,
            args.writers,
            Duration::from_secs(secs),
        )
    };
    // Each measurement starts with no job waiting, so none inherits another's backlog.
    let measure = || async {
        wait_outbox(url, Duration::from_secs(180)).await;
        creates_for(args.secs).await
    };
    // Warm-up (connections, statements, caches), not counted.
    creates_for(1).await;
    let load_base = load_average();
    let base = measure().await;
    println!("   {}", base.line());

    println!();
    println!(
        "-- memory: server RSS with 0, then {} idle streams --",
        args.idle
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss0 = rss_kib(server.pid).context("reading the server's RSS")?;
    if let Some(limit) = open_files_limit(&server.pid.to_string()) {
        println!("   server open files limit {limit}");
    }
    let load_mem = load_average();
    let idle_query = match args.idle_scope.as_str() {
        "ticket" => {
            let client = reqwest::Client::new();
            let id = create_ticket(&client, &server.base, &token, 7).await?;
            format!("?ticket={id}")
        }
        "queue" => "?view=queue".to_string(),
        "all" => String::new(),
        other => bail!("--idle-scope must be ticket, queue or all, not {other:?}"),
    };
    println!("   idle streams listen to: {}", args.idle_scope);
    let idle = IdleStreams::open(server.addr, &token, args.idle, &idle_query).await;
    println!(
        "   {} streams open ({} failed) in {:.1} s",
        idle.ready(),
        idle.failed(),
        idle.opened_in.as_secs_f64()
    );
    let open_now = wait_metric(
        &client,
        &server.base,
        "casebook_live_streams",
        idle.ready() as i64,
    )
    .await;
    // Let the allocator settle after the burst of connects.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rssk = rss_kib(server.pid).context("reading the server's RSS")?;
    let per = if idle.ready() > 0 {
        (rssk.saturating_sub(rss0) * 1024) as f64 / idle.ready() as f64
    } else {
        0.0
    };
    println!(
        "   RSS {:.1} MiB -> {:.1} MiB with {} streams (server counts {open_now}): {:.1} KB per stream [target <= {:.0} KB]",
        rss0 as f64 / 1024.0,
        rssk as f64 / 1024.0,
        idle.ready(),
        per / 1024.0,
        MEMORY_TARGET_BYTES / 1024.0
    );
    figures.push(Figure::Memory {
        scenario: scenario.clone(),
        idle: idle.ready(),
        rss0_kib: rss0,
        rssk_kib: rssk,
        load: load_mem,
    });

    println!();
    println!(
        "-- throughput: POST /api/v1/tickets, {} writers, {} s, {} idle streams open --",
        args.writers,
        args.secs,
        idle.ready()
    );
    wait_outbox(url, Duration::from_secs(180)).await;
    let bytes_before = idle.bytes.load(Ordering::Relaxed);
    let events_before = idle.events.load(Ordering::Relaxed);
    let with_idle = creates_for(args.secs).await;
    let bytes = idle.bytes.load(Ordering::Relaxed) - bytes_before;
    let deliveries = idle.events.load(Ordering::Relaxed) - events_before;
    println!("   {}", with_idle.line());
    let metrics = metrics(&client, &server.base).await.unwrap_or_default();
    let streams_left = metric(&metrics, "casebook_live_streams").unwrap_or(-1);
    let dropped = metric(&metrics, "casebook_live_streams_dropped_total").unwrap_or(-1);
    println!(
        "   idle streams read {deliveries} events ({:.1} MiB) meanwhile; open at the end {streams_left}, dropped by the server {dropped}, ended {}",
        bytes as f64 / (1024.0 * 1024.0),
        idle.ended.load(Ordering::Relaxed)
    );
    let delivery_us = delivery_cost_us(&base, &with_idle, deliveries);
    if let Some(us) = delivery_us {
        println!(
            "   server CPU per event delivered to a stream: {us:.1} us (the CPU beyond what the creates took without streams)"
        );
    }
    let load_with = load_average();
    let idle_ready = idle.ready();
    idle.close().await;
    wait_metric(&client, &server.base, "casebook_live_streams", 0).await;
    println!();
    println!(
        "-- throughput: POST /api/v1/tickets, {} writers, {} s, no stream open again --",
        args.writers, args.secs
    );
    let base_after = measure().await;
    println!("   {}", base_after.line());
    let mean_base = (base.per_sec() + base_after.per_sec()) / 2.0;
    let drop_pct = drop_percent(mean_base, with_idle.per_sec());
    println!(
        "   drop {drop_pct:.1}% against the mean of the runs without streams [target <= {THROUGHPUT_TARGET_DROP:.0}%]"
    );
    figures.push(Figure::Throughput {
        scenario,
        idle: idle_ready,
        base,
        with_idle,
        streams_left,
        dropped,
        deliveries,
        delivery_us,
        load: format!("{load_base} / {load_with}"),
        base_after,
    });
    drop(server);
    Ok(())
}

// ---------------------------------------------------------------- setup

fn server_exe() -> Result<PathBuf> {
    let me = std::env::current_exe().context("locating this binary")?;
    let exe = me
        .parent()
        .map(|d| d.join("casebook"))
        .context("locating the casebook binary")?;
    if !exe.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release --bin casebook)",
            exe.display()
        );
    }
    Ok(exe)
}

fn pg_admin_url() -> String {
    std::env::var("CASEBOOK_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn random_name(prefix: &str) -> String {
    let mut rng = StdRng::from_entropy();
    let suffix: String = (0..10)
        .map(|_| (b'a' + rng.gen_range(0..26u8)) as char)
        .collect();
    format!("{prefix}{suffix}")
}

/// Where the database lives, and how to throw it away afterwards.
enum Fresh {
    Sqlite { dir: PathBuf },
    Postgres { admin: String, name: String },
}

impl Fresh {
    async fn cleanup(&self) {
        match self {
            Fresh::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Fresh::Postgres { admin, name } => match Db::connect(admin).await {
                Ok(db) => {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&db.pool)
                        .await
                    {
                        println!("warning: could not drop database {name}: {err}");
                    }
                    db.pool.close().await;
                }
                Err(err) => println!("warning: could not drop database {name}: {err:#}"),
            },
        }
    }
}

/// A fresh database URL, or None (with a SKIP line) when PostgreSQL is unreachable.
async fn fresh_database(backend: Backend) -> Result<Option<(String, Fresh)>> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(random_name("casebook-bench-events-"));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let url = format!("sqlite://{}/bench.db", dir.display());
            Ok(Some((url, Fresh::Sqlite { dir })))
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let db = match tokio::time::timeout(Duration::from_secs(10), Db::connect(&admin)).await
            {
                Ok(Ok(db)) => db,
                Ok(Err(err)) => {
                    println!(
                        "SKIP postgres: not reachable through CASEBOOK_BENCH_PG_URL ({err:#})"
                    );
                    return Ok(None);
                }
                Err(_) => {
                    println!("SKIP postgres: connecting timed out (CASEBOOK_BENCH_PG_URL)");
                    return Ok(None);
                }
            };
            let name = random_name("cbevents_");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&db.pool)
                .await
                .context("creating the benchmark database")?;
            db.pool.close().await;
            let (base, tail) = admin.rsplit_once('/').unwrap_or((admin.as_str(), ""));
            // Keep any query string (e.g. sslmode) of the admin URL.
            let query = tail
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            let url = format!("{base}/{name}{query}");
            Ok(Some((url, Fresh::Postgres { admin, name })))
        }
    }
}

/// Migrates the fresh database and makes the bench agent; returns its API token.
async fn seed(url: &str) -> Result<String> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let now = chrono::Utc::now().timestamp_millis();
    let email = "bench-events@casebook.test";
    auth::create_agent(
        &db,
        NewAgent {
            email,
            name: "Bench Events",
            role: Role::Admin,
            password: "bench password 123",
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the bench agent: {e}"))?;
    let token = auth::create_api_token(&db, email, "bench-events", None, now)
        .await
        .map_err(|e| anyhow::anyhow!("creating the API token: {e}"))?;
    db.pool.close().await;
    Ok(token)
}

/// A `casebook serve` process; killed when dropped.
struct Server {
    child: Child,
    pid: u32,
    addr: SocketAddr,
    base: String,
}

impl Server {
    async fn start(exe: &std::path::Path, url: &str) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let child = Command::new(exe)
            .arg("serve")
            .env("CASEBOOK_DATABASE_URL", url)
            .env("CASEBOOK_BIND", addr.to_string())
            .env("CASEBOOK_WORKERS", "on")
            .env("CASEBOOK_LOG", "warn")
            .env_remove("CASEBOOK_CONFIG")
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("spawning {}", exe.display()))?;
        let server = Server {
            pid: child.id(),
            child,
            addr,
            base: format!("http://{addr}"),
        };
        let client = http_client()?;
        for _ in 0..300 {
            let up = client
                .get(format!("{}/healthz", server.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if up {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("casebook serve did not answer /healthz within 30 s")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until `n` connections of the database listen for live events.
async fn wait_listeners(url: &str, n: i64) {
    let Ok(db) = Db::connect(url).await else {
        return;
    };
    for _ in 0..100 {
        let listening: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%casebook_live%'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap_or(0);
        if listening >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    db.pool.close().await;
}

fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()?)
}

// ---------------------------------------------------------------- the stream client

/// The body of a raw HTTP/1.1 response, de-chunked when it is chunked.
struct Body {
    chunked: bool,
    raw: Vec<u8>,
    /// Data bytes left in the current chunk.
    left: usize,
    /// The CRLF after a chunk's data is still to skip.
    crlf: bool,
    ended: bool,
}

impl Body {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if !self.chunked {
            out.extend_from_slice(bytes);
            return Ok(());
        }
        self.raw.extend_from_slice(bytes);
        let mut pos = 0;
        while !self.ended {
            let rest = &self.raw[pos..];
            if self.left > 0 {
                let take = self.left.min(rest.len());
                if take == 0 {
                    break;
                }
                out.extend_from_slice(&rest[..take]);
                pos += take;
                self.left -= take;
                self.crlf = self.left == 0;
            } else if self.crlf {
                if rest.len() < 2 {
                    break;
                }
                pos += 2;
                self.crlf = false;
            } else {
                let Some(end) = find(rest, b"\r\n") else {
                    break;
                };
                let line = std::str::from_utf8(&rest[..end]).context("chunk size")?;
                let hex = line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(hex, 16)
                    .with_context(|| format!("bad chunk size {hex:?}"))?;
                pos += end + 2;
                if size == 0 {
                    self.ended = true;
                } else {
                    self.left = size;
                }
            }
        }
        self.raw.drain(..pos);
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One server-sent event: its name and data.
struct SseEvent {
    name: String,
    data: String,
}

/// Takes the complete events out of `buf`.
fn take_events(buf: &mut Vec<u8>, out: &mut Vec<SseEvent>) {
    let mut start = 0;
    while let Some(end) = find(&buf[start..], b"\n\n") {
        let block = String::from_utf8_lossy(&buf[start..start + end]);
        let mut ev = SseEvent {
            name: "message".into(),
            data: String::new(),
        };
        let mut any = false;
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                ev.name = v.trim().to_string();
                any = true;
            } else if let Some(v) = line.strip_prefix("data:") {
                if !ev.data.is_empty() {
                    ev.data.push('\n');
                }
                ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                any = true;
            }
        }
        if any {
            out.push(ev);
        }
        start += end + 2;
    }
    buf.drain(..start);
}

/// An open stream, past the response head.
struct SseConn {
    sock: TcpStream,
    body: Body,
    /// De-chunked bytes not yet split into events.
    pending: Vec<u8>,
}

impl SseConn {
    /// Opens `GET /api/v1/events`; fails unless the answer is 200 within 30 s.
    async fn open(addr: SocketAddr, token: &str) -> Result<SseConn> {
        Self::open_path(addr, token, "").await
    }

    /// Opens `GET /api/v1/events{query}`.
    async fn open_path(addr: SocketAddr, token: &str, query: &str) -> Result<SseConn> {
        tokio::time::timeout(
            Duration::from_secs(30),
            Self::open_inner(addr, token, query),
        )
        .await
        .context("opening the stream timed out")?
    }

    async fn open_inner(addr: SocketAddr, token: &str, query: &str) -> Result<SseConn> {
        let mut sock = TcpStream::connect(addr).await?;
        sock.set_nodelay(true)?;
        sock.write_all(
            format!(
                "GET /api/v1/events{query} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
        let mut head = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        let end = loop {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                bail!("the server closed the connection before answering");
            }
            head.extend_from_slice(&chunk[..n]);
            if let Some(end) = find(&head, b"\r\n\r\n") {
                break end;
            }
            if head.len() > 16 * 1024 {
                bail!("response head too long");
            }
        };
        let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
        let status = text.lines().next().unwrap_or("");
        if !status.starts_with("http/1.1 200") {
            bail!("stream answered {status:?}");
        }
        let chunked = text
            .lines()
            .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
        let mut conn = SseConn {
            sock,
            body: Body {
                chunked,
                raw: Vec::new(),
                left: 0,
                crlf: false,
                ended: false,
            },
            pending: Vec::new(),
        };
        let rest = head[end + 4..].to_vec();
        conn.body.feed(&rest, &mut conn.pending)?;
        Ok(conn)
    }

    /// Reads once and returns the events completed by what arrived; Ok(false) at the end.
    async fn read_events(&mut self, buf: &mut [u8], out: &mut Vec<SseEvent>) -> Result<bool> {
        take_events(&mut self.pending, out);
        if !out.is_empty() {
            return Ok(true);
        }
        let n = self.sock.read(buf).await?;
        if n == 0 || self.body.ended {
            return Ok(false);
        }
        self.body.feed(&buf[..n], &mut self.pending)?;
        take_events(&mut self.pending, out);
        Ok(!self.body.ended)
    }

    /// Reads until the `ready` event, within `secs`.
    async fn wait_ready(&mut self, secs: u64) -> Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut buf = vec![0u8; 4096];
        let mut events = Vec::new();
        loop {
            events.clear();
            match tokio::time::timeout_at(deadline, self.read_events(&mut buf, &mut events)).await {
                Err(_) => bail!("no ready event within {secs} s"),
                Ok(Err(e)) => return Err(e),
                Ok(Ok(false)) => bail!("the stream ended before its ready event"),
                Ok(Ok(true)) => {
                    if events.iter().any(|e| e.name == "ready") {
                        return Ok(());
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- latency

/// The fields of a ticket event the latency phase matches on.
#[derive(Deserialize)]
struct TicketEventKey {
    ticket_id: i64,
    version: i64,
    kind: String,
}

struct LatencyOut {
    pairs: usize,
    /// From the PATCH's response (0 when the event came first).
    latencies_us: Vec<u64>,
    /// From the moment the PATCH was sent: an upper bound that includes the request itself.
    from_sent_us: Vec<u64>,
    missed: usize,
    early: usize,
    errors: u64,
}

/// A latency client's arrivals: (ticket id, version) -> when it arrived.
type Arrivals = HashMap<(i64, i64), Instant>;

async fn latency(
    url: &str,
    writes_on: &Server,
    streams_on: &Server,
    token: &str,
    args: &Args,
) -> Result<LatencyOut> {
    let client = http_client()?;
    let mut errors = 0u64;
    // The tickets the changes rotate over, settled (their creation jobs done) before streams open.
    let mut tickets = Vec::new();
    for i in 0..CHANGE_TICKETS {
        match create_ticket(&client, &writes_on.base, token, i).await {
            Ok(id) => tickets.push(id),
            Err(err) => bail!("creating the tickets to change: {err:#}"),
        }
    }
    wait_outbox(url, Duration::from_secs(30)).await;

    let ready = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    // Every client gives up at this point at the latest.
    let budget =
        Duration::from_secs(120) + Duration::from_secs_f64(args.changes as f64 / args.rate);
    let hard_deadline = tokio::time::Instant::now() + budget;
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let (ready, failed, received, gate) = (
            ready.clone(),
            failed.clone(),
            received.clone(),
            gate.clone(),
        );
        let mut stop = stop_rx.clone();
        let token = token.to_string();
        let addr = streams_on.addr;
        tasks.push(tokio::spawn(async move {
            let mut arrivals = Arrivals::new();
            let conn = {
                let Ok(_permit) = gate.acquire().await else {
                    return (arrivals, true);
                };
                match SseConn::open(addr, &token).await {
                    Ok(mut c) => match c.wait_ready(30).await {
                        Ok(()) => Some(c),
                        Err(_) => None,
                    },
                    Err(_) => None,
                }
            };
            let Some(mut conn) = conn else {
                failed.fetch_add(1, Ordering::Relaxed);
                return (arrivals, true);
            };
            ready.fetch_add(1, Ordering::Relaxed);
            let mut buf = vec![0u8; 16 * 1024];
            let mut events = Vec::new();
            loop {
                events.clear();
                let more = tokio::select! {
                    r = conn.read_events(&mut buf, &mut events) => r,
                    _ = stop.changed() => return (arrivals, false),
                    _ = tokio::time::sleep_until(hard_deadline) => return (arrivals, true),
                };
                let at = Instant::now();
                for ev in &events {
                    if ev.name != "ticket" {
                        continue;
                    }
                    if let Ok(k) = serde_json::from_str::<TicketEventKey>(&ev.data)
                        && k.kind == "priority"
                    {
                        arrivals.entry((k.ticket_id, k.version)).or_insert(at);
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
                match more {
                    Ok(true) => {}
                    Ok(false) | Err(_) => return (arrivals, true),
                }
            }
        }));
    }
    let t_connect = Instant::now();
    let connect_deadline = Instant::now() + Duration::from_secs(120);
    while ready.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < args.clients
        && Instant::now() < connect_deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connected = ready.load(Ordering::Relaxed);
    println!(
        "   {connected} streams ready ({} failed) in {:.1} s",
        failed.load(Ordering::Relaxed),
        t_connect.elapsed().as_secs_f64()
    );

    // One change not counted, to see every stream deliver before measuring.
    let mut priority: Vec<bool> = vec![false; tickets.len()];
    let mut next_change = |i: usize| {
        let t = i % tickets.len();
        priority[t] = !priority[t];
        (tickets[t], if priority[t] { "high" } else { "low" })
    };
    let (id, p) = next_change(0);
    if let Err(err) = patch_priority(&client, &writes_on.base, token, id, p).await {
        println!("   warm-up change failed: {err:#}");
        errors += 1;
    }
    wait_count(&received, connected as u64, Duration::from_secs(15)).await;
    let base_received = received.load(Ordering::Relaxed);

    // The measured changes, paced.
    // (ticket id, version) -> (PATCH sent, PATCH answered).
    let mut sent: HashMap<(i64, i64), (Instant, Instant)> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for i in 1..=args.changes {
        tick.tick().await;
        let (id, p) = next_change(i);
        let at_send = Instant::now();
        match patch_priority(&client, &writes_on.base, token, id, p).await {
            Ok(version) => {
                sent.insert((id, version), (at_send, Instant::now()));
            }
            Err(err) => {
                if errors < 3 {
                    println!("   change failed: {err:#}");
                }
                errors += 1;
            }
        }
    }
    let want = base_received + (sent.len() * connected) as u64;
    let waited = wait_count(&received, want, Duration::from_secs(15)).await;
    if !waited {
        println!(
            "   gave up waiting after 15 s: {} of {} events arrived",
            received.load(Ordering::Relaxed) - base_received,
            want - base_received
        );
    }
    let _ = stop_tx.send(true);

    let mut latencies_us = Vec::with_capacity(sent.len() * connected);
    let mut from_sent_us = Vec::with_capacity(sent.len() * connected);
    let mut early = 0usize;
    let mut ended_early = 0usize;
    for task in tasks {
        let Ok(Ok((arrivals, ended))) = tokio::time::timeout(Duration::from_secs(10), task).await
        else {
            errors += 1;
            continue;
        };
        ended_early += usize::from(ended && !arrivals.is_empty());
        for (key, (at_send, at_patch)) in &sent {
            if let Some(at_event) = arrivals.get(key) {
                from_sent_us.push(at_event.saturating_duration_since(*at_send).as_micros() as u64);
                match at_event.checked_duration_since(*at_patch) {
                    Some(d) => latencies_us.push(d.as_micros() as u64),
                    None => {
                        early += 1;
                        latencies_us.push(0);
                    }
                }
            }
        }
    }
    if ended_early > 0 {
        println!("   {ended_early} streams ended before the run did");
    }
    let pairs = sent.len() * args.clients;
    Ok(LatencyOut {
        pairs,
        missed: pairs - latencies_us.len(),
        latencies_us,
        from_sent_us,
        early,
        errors: errors + failed.load(Ordering::Relaxed) as u64,
    })
}

/// Waits until `counter` reaches `want`, at most `limit`; true when it did.
async fn wait_count(counter: &AtomicU64, want: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while counter.load(Ordering::Relaxed) < want {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

/// Waits (bounded) until the outbox has no job left to run.
async fn wait_outbox(url: &str, limit: Duration) {
    let Ok(db) = Db::connect(url).await else {
        return;
    };
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if casebook::outbox::depth(&db).await.is_ok_and(|d| d == 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.pool.close().await;
}

async fn create_ticket(client: &reqwest::Client, base: &str, token: &str, i: usize) -> Result<i64> {
    let r = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .json(&json!({
            "customer": {"email": format!("events-{}@example.com", i % 200), "name": "Events Bench"},
            "subject": format!("Live stream benchmark {i}"),
            "body": "The dashboard does not refresh by itself; please have a look.",
        }))
        .send()
        .await?;
    let status = r.status();
    if status != 201 && status != 200 {
        bail!("create answered {status}");
    }
    let v: Value = r.json().await?;
    v["ticket"]["id"]
        .as_i64()
        .context("create answer has no ticket id")
}

/// Sets a ticket's priority; returns the ticket's new version.
async fn patch_priority(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    priority: &str,
) -> Result<i64> {
    let r = client
        .patch(format!("{base}/api/v1/tickets/{id}"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(10))
        .json(&json!({ "priority": priority }))
        .send()
        .await?;
    let status = r.status();
    if status != 200 {
        bail!("PATCH answered {status}");
    }
    let v: Value = r.json().await?;
    v["ticket"]["version"]
        .as_i64()
        .context("PATCH answer has no version")
}

// ---------------------------------------------------------------- idle streams

/// Streams that only read (and throw away) what they are sent.
struct IdleStreams {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    ready: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
    ended: Arc<AtomicUsize>,
    bytes: Arc<AtomicU64>,
    /// Events received (each ends with a blank line).
    events: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
    opened_in: Duration,
}

impl IdleStreams {
    async fn open(addr: SocketAddr, token: &str, n: usize, query: &str) -> IdleStreams {
        let t0 = Instant::now();
        let ready = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(AtomicUsize::new(0));
        let ended = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let events = Arc::new(AtomicU64::new(0));
        let (stop, stop_rx) = watch::channel(false);
        let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
        // Nothing outlives the run by more than this.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3_600);
        let mut tasks = Vec::with_capacity(n);
        for _ in 0..n {
            let (ready, failed, ended, bytes, events, gate) = (
                ready.clone(),
                failed.clone(),
                ended.clone(),
                bytes.clone(),
                events.clone(),
                gate.clone(),
            );
            let mut stop_rx = stop_rx.clone();
            let token = token.to_string();
            let query = query.to_string();
            tasks.push(tokio::spawn(async move {
                let conn = {
                    let Ok(_permit) = gate.acquire().await else {
                        return;
                    };
                    match SseConn::open_path(addr, &token, &query).await {
                        Ok(mut c) => c.wait_ready(30).await.map(|()| c).ok(),
                        Err(_) => None,
                    }
                };
                let Some(mut conn) = conn else {
                    failed.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                ready.fetch_add(1, Ordering::Relaxed);
                let mut buf = vec![0u8; 4096];
                let mut prev = 0u8;
                loop {
                    tokio::select! {
                        r = conn.sock.read(&mut buf) => match r {
                            Ok(0) | Err(_) => {
                                ended.fetch_add(1, Ordering::Relaxed);
                                return;
                            }
                            Ok(k) => {
                                bytes.fetch_add(k as u64, Ordering::Relaxed);
                                // An event ends with "\n\n"; the chunk framing never makes one.
                                let mut n = 0;
                                for &b in &buf[..k] {
                                    n += u64::from(b == b'\n' && prev == b'\n');
                                    prev = b;
                                }
                                events.fetch_add(n, Ordering::Relaxed);
                            }
                        },
                        _ = stop_rx.changed() => return,
                        _ = tokio::time::sleep_until(deadline) => return,
                    }
                }
            }));
        }
        let limit = Instant::now() + Duration::from_secs(300);
        while ready.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < n
            && Instant::now() < limit
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        IdleStreams {
            tasks,
            ready,
            failed,
            ended,
            bytes,
            events,
            stop,
            opened_in: t0.elapsed(),
        }
    }

    fn ready(&self) -> usize {
        self.ready.load(Ordering::Relaxed)
    }

    fn failed(&self) -> usize {
        self.failed.load(Ordering::Relaxed)
    }

    async fn close(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            if tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .is_err()
            {
                break;
            }
        }
    }
}

// ---------------------------------------------------------------- throughput

/// Creates counted over one measurement, with the CPU time each process used meanwhile.
struct Rate {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    p99_ms: f64,
    server_cpu_s: f64,
    bench_cpu_s: f64,
}

impl Rate {
    fn per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn line(&self) -> String {
        format!(
            "{} creates in {:.2} s = {:.1}/s, p99 {:.1} ms, errors {}; CPU: server {:.0}%, bench {:.0}% of one core",
            self.ok,
            self.elapsed.as_secs_f64(),
            self.per_sec(),
            self.p99_ms,
            self.errors,
            100.0 * self.server_cpu_s / self.elapsed.as_secs_f64().max(1e-9),
            100.0 * self.bench_cpu_s / self.elapsed.as_secs_f64().max(1e-9),
        )
    }
}

/// `writers` clients create tickets back to back for `dur` (requests under way then finish);
/// the CPU time of `server_pid` and of this process is taken meanwhile.
async fn drive_creates(
    client: &reqwest::Client,
    server_pid: u32,
    base: &str,
    token: &str,
    writers: usize,
    dur: Duration,
) -> Rate {
    let server_pid = server_pid.to_string();
    let cpu0 = (cpu_secs(&server_pid), cpu_secs("self"));
    let t0 = Instant::now();
    let deadline = t0 + dur;
    let counter = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(writers);
    for _ in 0..writers {
        let (client, base, token, counter) = (
            client.clone(),
            base.to_string(),
            token.to_string(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u64;
            let mut errors = 0u64;
            let mut times_us = Vec::new();
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match create_ticket(&client, &base, &token, i).await {
                    Ok(_) => {
                        ok += 1;
                        times_us.push(t.elapsed().as_micros() as u64);
                    }
                    Err(_) => {
                        errors += 1;
                        // A failing server is not hammered.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            (ok, errors, times_us)
        }));
    }
    let mut rate = Rate {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        p99_ms: 0.0,
        server_cpu_s: 0.0,
        bench_cpu_s: 0.0,
    };
    let mut all = Vec::new();
    for t in tasks {
        match tokio::time::timeout(dur + Duration::from_secs(60), t).await {
            Ok(Ok((ok, errors, times))) => {
                rate.ok += ok;
                rate.errors += errors;
                all.extend(times);
            }
            _ => rate.errors += 1,
        }
    }
    rate.elapsed = t0.elapsed();
    let cpu1 = (cpu_secs(&server_pid), cpu_secs("self"));
    rate.server_cpu_s = cpu1.0 - cpu0.0;
    rate.bench_cpu_s = cpu1.1 - cpu0.1;
    rate.p99_ms = percentiles(&all).map_or(0.0, |p| p.p99);
    rate
}

/// Server CPU per delivered event: what the run with streams used beyond its creates' share at
/// the CPU per create measured without streams.
fn delivery_cost_us(base: &Rate, with: &Rate, deliveries: u64) -> Option<f64> {
    if base.ok == 0 || deliveries == 0 {
        return None;
    }
    let per_create = base.server_cpu_s / base.ok as f64;
    let extra = (with.server_cpu_s - per_create * with.ok as f64).max(0.0);
    Some(extra * 1e6 / deliveries as f64)
}

fn drop_percent(base: f64, with: f64) -> f64 {
    if base <= 0.0 {
        0.0
    } else {
        100.0 * (base - with) / base
    }
}

// ---------------------------------------------------------------- /proc and /metrics

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// User + system CPU seconds of a process (`self` or a pid).
fn cpu_secs(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at state (field 3).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state.
    (ticks(11) + ticks(12)) / 100.0
}

fn open_files_limit(pid: &str) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

async fn metrics(client: &reqwest::Client, base: &str) -> Result<String> {
    Ok(client
        .get(format!("{base}/metrics"))
        .timeout(Duration::from_secs(10))
        .send()
        .await?
        .text()
        .await?)
}

fn metric(text: &str, name: &str) -> Option<i64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Waits (bounded) until the server's gauge `name` reads `want`; returns the last reading.
async fn wait_metric(client: &reqwest::Client, base: &str, name: &str, want: i64) -> i64 {
    let mut last = -1;
    for _ in 0..100 {
        if let Ok(text) = metrics(client, base).await {
            last = metric(&text, name).unwrap_or(-1);
            if last == want {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

// ---------------------------------------------------------------- figures

struct Percentiles {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

/// Nearest-rank percentiles of microsecond values, in milliseconds.
fn percentiles(values_us: &[u64]) -> Option<Percentiles> {
    if values_us.is_empty() {
        return None;
    }
    let mut v = values_us.to_vec();
    v.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1] as f64 / 1000.0
    };
    Some(Percentiles {
        p50: at(50.0),
        p95: at(95.0),
        p99: at(99.0),
        max: v[v.len() - 1] as f64 / 1000.0,
    })
}

fn print_summary(figures: &[Figure], args: &Args) {
    println!();
    println!(
        "delivery latency, PATCH response -> event on every stream ({} streams x {} changes at {}/s; {LATENCY_TARGET_NOTE}):",
        args.clients, args.changes, args.rate
    );
    println!();
    println!(
        "| scenario | pairs | p50 | p95 | p99 | max | from PATCH sent: p50 / p99 / max | missed | errors | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for f in figures {
        if let Figure::Latency {
            scenario,
            pairs,
            stats,
            from_sent,
            missed,
            early,
            errors,
            load,
        } = f
        {
            let s = stats.as_ref().map_or_else(
                || "– | – | – | –".to_string(),
                |s| {
                    format!(
                        "{:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms",
                        s.p50, s.p95, s.p99, s.max
                    )
                },
            );
            let sent = from_sent.as_ref().map_or_else(
                || "–".to_string(),
                |s| format!("{:.1} / {:.1} / {:.1} ms", s.p50, s.p99, s.max),
            );
            let early = if *early > 0 {
                format!(" ({early} before the PATCH response)")
            } else {
                String::new()
            };
            println!(
                "| {scenario} | {pairs} | {s} | {sent} | {missed}{early} | {errors} | {load} |"
            );
        }
    }
    let mem: Vec<&Figure> = figures
        .iter()
        .filter(|f| matches!(f, Figure::Memory { .. }))
        .collect();
    if !mem.is_empty() {
        println!();
        println!(
            "memory per idle stream (server VmRSS; target <= {:.0} KB):",
            MEMORY_TARGET_BYTES / 1024.0
        );
        println!();
        println!("| scenario | streams | RSS, none | RSS, open | per stream | load avg |");
        println!("|---|---|---|---|---|---|");
        for f in mem {
            if let Figure::Memory {
                scenario,
                idle,
                rss0_kib,
                rssk_kib,
                load,
            } = f
            {
                let per = if *idle > 0 {
                    rssk_kib.saturating_sub(*rss0_kib) as f64 / *idle as f64
                } else {
                    0.0
                };
                println!(
                    "| {scenario} | {idle} | {:.1} MiB | {:.1} MiB | {per:.1} KB | {load} |",
                    *rss0_kib as f64 / 1024.0,
                    *rssk_kib as f64 / 1024.0
                );
            }
        }
    }
    let tput: Vec<&Figure> = figures
        .iter()
        .filter(|f| matches!(f, Figure::Throughput { .. }))
        .collect();
    if !tput.is_empty() {
        println!();
        println!(
            "create throughput, {} writers x {} s (target: drop <= {THROUGHPUT_TARGET_DROP:.0}%):",
            args.writers, args.secs
        );
        println!();
        println!(
            "| scenario | no stream, before / after | idle streams open | drop (vs mean) | p99 without / with | server CPU without / with | events to streams | CPU per event | streams left / dropped | load avg |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for f in tput {
            if let Figure::Throughput {
                scenario,
                idle,
                base,
                with_idle,
                streams_left,
                dropped,
                deliveries,
                delivery_us,
                load,
                base_after,
            } = f
            {
                let cpu = |r: &Rate| 100.0 * r.server_cpu_s / r.elapsed.as_secs_f64().max(1e-9);
                let mean_base = (base.per_sec() + base_after.per_sec()) / 2.0;
                println!(
                    "| {scenario} | {:.0}/s / {:.0}/s | {:.0}/s ({idle}) | {:.1}% | {:.1} / {:.1} ms | {:.0}% / {:.0}% | {deliveries} | {} | {streams_left} / {dropped} | {load} |",
                    base.per_sec(),
                    base_after.per_sec(),
                    with_idle.per_sec(),
                    drop_percent(mean_base, with_idle.per_sec()),
                    base.p99_ms,
                    with_idle.p99_ms,
                    cpu(base),
                    cpu(with_idle),
                    delivery_us.map_or_else(|| "–".to_string(), |us| format!("{us:.1} µs")),
                );
            }
        }
    }
}
