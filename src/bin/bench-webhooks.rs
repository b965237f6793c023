//! bench-webhooks: webhook fan-out. An app in this process (a fresh SQLite file or PostgreSQL
//! database), `--subscriptions` subscriptions to `ticket.updated`, each with its own healthy
//! receiver on 127.0.0.1, then `--changes` priority changes (`PATCH /api/v1/tickets/{id}`) from
//! `--writers` clients over `--tickets` tickets, while another client creates tickets at
//! `--create-rate` per second.
//!
//! Prints deliveries per second, the time from each change's response to its delivery at each
//! receiver (p50/p95/p99; target p95 <= 1 s), and create-ticket latency while it runs (p50/p99;
//! the API target is p99 <= 50 ms). Receivers, clients and app share this process and its cores.
//! It never asserts a speed.

use anyhow::{Context, Result, bail};
use casebook::auth::{self, NewAgent};
use casebook::config::{Config, Secret};
use casebook::domain::Role;
use casebook::domain::clock::{Clock, SystemClock};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-webhooks",
    about = "Measures webhook fan-out: deliveries per second, change-to-delivery latency, and ticket creation latency meanwhile"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// Ticket changes to make.
    #[arg(long, default_value_t = 10_000)]
    changes: usize,
    /// Subscriptions (each with its own receiver).
    #[arg(long, default_value_t = 3)]
    subscriptions: usize,
    /// Tickets the changes are spread over.
    #[arg(long, default_value_t = 500)]
    tickets: usize,
    /// Clients making changes at once.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// Tickets created per second while the changes run.
    #[arg(long, default_value_t = 20.0)]
    create_rate: f64,
    /// Webhook workers of the app.
    #[arg(long, default_value_t = 4)]
    webhook_workers: usize,
    /// Keep the scratch database.
    #[arg(long)]
    keep: bool,
}

/// Per (ticket id, version): which receiver got it when.
type Arrivals = HashMap<(i64, i64), Vec<(usize, Instant)>>;

/// What the receivers saw.
#[derive(Default)]
struct Seen {
    at: Mutex<Arrivals>,
    ids: Mutex<HashSet<String>>,
    requests: AtomicUsize,
    duplicates: AtomicUsize,
}

async fn receiver(seen: Arc<Seen>, index: usize) -> Result<String> {
    let app = axum::Router::new().fallback(
        move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let now = Instant::now();
                seen.requests.fetch_add(1, Ordering::Relaxed);
                let id = headers
                    .get("casebook-delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                if !seen.ids.lock().unwrap().insert(id) {
                    seen.duplicates.fetch_add(1, Ordering::Relaxed);
                    return "dup";
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    let t = &v["data"]["ticket"];
                    if let (Some(id), Some(version)) = (t["id"].as_i64(), t["version"].as_i64()) {
                        seen.at
                            .lock()
                            .unwrap()
                            .entry((id, version))
                            .or_default()
                            .push((index, now));
                    }
                }
                "ok"
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn create_ticket(client: &reqwest::Client, base: &str, token: &str, i: usize) -> Result<i64> {
    let r = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .json(&json!({"customer": {"email": format!("bench{}@example.com", i % 300)}, "subject": format!("Bench {i}"), "body": "x"}))
        .send()
        .await?;
    if r.status() != 201 {
        bail!("create answered {}", r.status());
    }
    let v: Value = r.json().await?;
    v["ticket"]["id"].as_i64().context("ticket id")
}

async fn run(args: &Args, postgres: bool) -> Result<()> {
    let name = if postgres { "postgres" } else { "sqlite" };
    let Some(scratch) = casebook::bench_support::create(postgres, "benchwh").await? else {
        return Ok(());
    };
    let config = Config {
        database_url: Secret::new(scratch.url.clone()),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        webhook_workers: args.webhook_workers,
        ..Config::default()
    };
    let running = casebook::start(config, Arc::new(SystemClock)).await?;
    let base = format!("http://{}", running.addr);
    let db = running.state.db.clone();
    let now = SystemClock.now_ms();
    auth::create_agent(
        &db,
        NewAgent {
            email: "admin@bench.test",
            name: "Bench Admin",
            role: Role::Admin,
            password: "a long bench password",
        },
        now,
    )
    .await?;
    let token = auth::create_api_token(&db, "admin@bench.test", "bench", None, now).await?;
    let client = reqwest::Client::new();

    // The tickets, routed before anyone subscribes.
    let mut tickets = Vec::with_capacity(args.tickets);
    for i in 0..args.tickets {
        tickets.push(create_ticket(&client, &base, &token, i).await?);
    }
    while casebook::outbox::depth(&db).await? > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = Arc::new(Seen::default());
    for i in 0..args.subscriptions {
        let url = receiver(seen.clone(), i).await?;
        let r = client
            .post(format!("{base}/api/v1/webhooks"))
            .bearer_auth(&token)
            .json(&json!({"url": url, "events": ["ticket.updated"], "allow_private": true}))
            .send()
            .await?;
        if r.status() != 201 {
            bail!("subscribing answered {}: {}", r.status(), r.text().await?);
        }
    }

    // Ticket creation meanwhile, at a steady rate.
    let stop = Arc::new(AtomicBool::new(false));
    let creates = {
        let (client, base, token, stop) =
            (client.clone(), base.clone(), token.clone(), stop.clone());
        let every = Duration::from_secs_f64(1.0 / args.create_rate.max(0.1));
        tokio::spawn(async move {
            let mut took = Vec::new();
            let mut tick = tokio::time::interval(every);
            let mut i = 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let t0 = Instant::now();
                if create_ticket(&client, &base, &token, i).await.is_ok() {
                    took.push(t0.elapsed());
                }
                i += 1;
            }
            took
        })
    };

    // The changes: each writer owns some tickets, so one ticket's changes come one at a time.
    let started = Instant::now();
    let sent: Arc<Mutex<HashMap<(i64, i64), Instant>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..args.writers {
        let mine: Vec<i64> = tickets
            .iter()
            .enumerate()
            .filter(|(i, _)| i % args.writers == w)
            .map(|(_, t)| *t)
            .collect();
        let count = args.changes / args.writers + usize::from(w < args.changes % args.writers);
        let (client, base, token, sent) =
            (client.clone(), base.clone(), token.clone(), sent.clone());
        writers.push(tokio::spawn(async move {
            for k in 0..count {
                let ticket = mine[k % mine.len()];
                // Every pass over the writer's tickets flips their priority.
                let priority = if (k / mine.len()).is_multiple_of(2) {
                    "high"
                } else {
                    "normal"
                };
                let r = client
                    .patch(format!("{base}/api/v1/tickets/{ticket}"))
                    .bearer_auth(&token)
                    .json(&json!({"priority": priority}))
                    .send()
                    .await?;
                if r.status() != 200 {
                    bail!("change answered {}", r.status());
                }
                let at = Instant::now();
                let v: Value = r.json().await?;
                let version = v["ticket"]["version"].as_i64().context("version")?;
                sent.lock().unwrap().insert((ticket, version), at);
            }
            anyhow::Ok(())
        }));
    }
    for w in writers {
        w.await??;
    }
    let changed_in = started.elapsed();
    let expected = sent.lock().unwrap().len() * args.subscriptions;
    let tracked = || {
        let sent = sent.lock().unwrap();
        let at = seen.at.lock().unwrap();
        sent.keys()
            .map(|k| at.get(k).map_or(0, Vec::len))
            .sum::<usize>()
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    while tracked() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let create_times = creates.await?;

    let sent = sent.lock().unwrap().clone();
    let at = seen.at.lock().unwrap().clone();
    let mut latencies = Vec::new();
    let mut last = started;
    for (key, when) in &sent {
        for (_, got) in at.get(key).into_iter().flatten() {
            latencies.push(got.saturating_duration_since(*when));
            last = last.max(*got);
        }
    }
    latencies.sort();
    let mut create_times = create_times;
    create_times.sort();
    let delivered = latencies.len();
    let span = last.duration_since(started);
    println!(
        "[{name}] {} changes x {} subscriptions in {:.1} s of changes",
        sent.len(),
        args.subscriptions,
        changed_in.as_secs_f64()
    );
    println!(
        "[{name}] delivered {delivered}/{expected} change deliveries in {:.1} s: {:.0} deliveries/s ({} requests in all, {} repeated ids)",
        span.as_secs_f64(),
        delivered as f64 / span.as_secs_f64().max(0.001),
        seen.requests.load(Ordering::Relaxed),
        seen.duplicates.load(Ordering::Relaxed),
    );
    println!(
        "[{name}] change -> delivery: p50 {}  p95 {}  p99 {}  max {}   (target p95 <= 1000 ms)",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.95)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    println!(
        "[{name}] create ticket meanwhile ({} at {}/s): p50 {}  p99 {}   (target p99 <= 50 ms)",
        create_times.len(),
        args.create_rate,
        ms(percentile(&create_times, 0.50)),
        ms(percentile(&create_times, 0.99)),
    );
    running.stop();
    db.pool.close().await;
    scratch.finish(args.keep).await;
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        if matches!(args.backend, BackendChoice::Sqlite | BackendChoice::Both) {
            run(&args, false).await?;
        }
        if matches!(args.backend, BackendChoice::Postgres | BackendChoice::Both) {
            run(&args, true).await?;
        }
        anyhow::Ok(())
    })
}
