//! bench-sla: how late SLA escalations fire when many clocks fall due at once.
//!
//! Per backend (SQLite file in a temp dir, fresh PostgreSQL database): starts the real app in
//! this process with a movable clock (and, with `--nodes 2`, a second app on the same PostgreSQL
//! database), creates `--tickets` open tickets through the intake path under a 24/7 policy whose
//! first-response target is one hour, their creation instants spread over `--window-secs`, then
//! moves the clock forward so that every first response falls due within that window, a few
//! seconds from now (once the creation jobs in the outbox are done, so the sweep runs in a steady
//! state). The background sweepers fire the warning and the breach of every ticket
//! (the policy warns at 100 %, so both are due at the same instant).
//!
//! It checks that every step fired exactly once and took effect exactly once (one audit entry
//! each, the priority raised one step, one lead notification per breach), and prints the
//! lateness (fired - due, on the app's clock) p50 / p99 / max. Target: p99 <= 5 s.

use anyhow::{Context, Result, bail, ensure};
use casebook::config::{Config, Secret};
use casebook::db::Db;
use casebook::domain::clock::{Clock, OffsetClock};
use casebook::domain::{Channel, EmailAddress, Priority};
use casebook::intake::NewInbound;
use casebook::sla::store::{CalendarInput, PolicyInput, TargetMinutes};
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use rand::Rng;
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-sla",
    about = "Fires the SLA escalations of many tickets falling due within a minute and measures how late they fire"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// Open tickets with live SLA clocks.
    #[arg(long, default_value_t = 10_000)]
    tickets: usize,
    /// All first responses fall due within this many seconds.
    #[arg(long, default_value_t = 60)]
    window_secs: i64,
    /// Seconds from the clock jump to the first due time.
    #[arg(long, default_value_t = 5)]
    lead_secs: i64,
    /// Sweeper period in milliseconds (the app's `sla_sweep_ms`).
    #[arg(long, default_value_t = 1000)]
    sweep_ms: u64,
    /// App instances sweeping the same database (PostgreSQL only; SQLite always uses one).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Concurrent ticket creators in the setup phase.
    #[arg(long, default_value_t = 8)]
    setup_concurrency: usize,
    /// Keep the databases afterwards.
    #[arg(long)]
    keep: bool,
}

const TARGET_P99_MS: f64 = 5_000.0;
const MIN: i64 = 60_000;

fn pg_admin_url() -> String {
    std::env::var("CASEBOOK_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn random_name(prefix: &str) -> String {
    let mut rng = rand::thread_rng();
    let suffix: String = (0..10)
        .map(|_| (b'a' + rng.gen_range(0..26u8)) as char)
        .collect();
    format!("{prefix}{suffix}")
}

/// A fresh database URL and how to drop it, or None when PostgreSQL is unreachable.
async fn fresh_database(postgres: bool) -> Result<Option<(String, Option<(String, String)>)>> {
    if !postgres {
        let dir = std::env::temp_dir().join(random_name("casebook-bench-sla-"));
        std::fs::create_dir_all(&dir)?;
        return Ok(Some((format!("sqlite://{}/bench.db", dir.display()), None)));
    }
    let admin = pg_admin_url();
    let db = match tokio::time::timeout(Duration::from_secs(10), Db::connect(&admin)).await {
        Ok(Ok(db)) => db,
        _ => {
            println!("SKIP postgres: not reachable through CASEBOOK_BENCH_PG_URL");
            return Ok(None);
        }
    };
    let name = random_name("cbsla_");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&db.pool)
        .await?;
    db.pool.close().await;
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or_else(|| admin.clone());
    Ok(Some((format!("{base}/{name}"), Some((admin, name)))))
}

async fn drop_database(admin: &str, name: &str) {
    if let Ok(db) = Db::connect(admin).await {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&db.pool)
            .await;
        db.pool.close().await;
    }
}

struct Outcome {
    backend: &'static str,
    nodes: usize,
    tickets: usize,
    setup_secs: f64,
    p50: f64,
    p99: f64,
    max: f64,
    span_secs: f64,
}

async fn setup_policy(db: &Db, now: i64) -> Result<()> {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lead = casebook::auth::create_agent(
        db,
        casebook::auth::NewAgent {
            email: "lead@bench.test",
            name: "Lead",
            role: casebook::domain::Role::Lead,
            password: "bench lead password",
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.begin().await?;
    let cal = casebook::sla::store::save_calendar(
        &mut tx,
        None,
        &CalendarInput {
            name: Some("Around the clock".into()),
            time_zone: Some("UTC".into()),
            hours: Some(
                days.iter()
                    .map(|d| (d.to_string(), vec![json!("00:00-24:00")]))
                    .collect(),
            ),
            holidays: None,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The same targets for every priority, so the raised priority keeps the clocks.
    let t = TargetMinutes {
        first_response_minutes: Some(60),
        next_response_minutes: None,
        resolution_minutes: Some(100 * 60),
    };
    let targets = Priority::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), t))
        .collect();
    casebook::sla::store::save_policy(
        &mut tx,
        None,
        &PolicyInput {
            name: Some("Bench".into()),
            calendar_id: Some(cal),
            warning_percent: Some(100),
            targets: Some(targets),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    sqlx::query(
        "INSERT INTO team (name, lead_agent_id, is_default, created_at, updated_at) VALUES ('Support', $1, 1, $2, $2)",
    )
    .bind(lead.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn run_backend(postgres: bool, args: &Args) -> Result<Option<Outcome>> {
    let backend = if postgres { "postgres" } else { "sqlite" };
    let Some((url, drop_info)) = fresh_database(postgres).await? else {
        return Ok(None);
    };
    let nodes = if postgres { args.nodes.max(1) } else { 1 };
    let clock = OffsetClock::new();
    let mut apps = Vec::new();
    for _ in 0..nodes {
        let config = Config {
            database_url: Secret::new(url.clone()),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            sla_sweep_ms: args.sweep_ms,
            ..Default::default()
        };
        apps.push(
            casebook::start(config, clock.clone())
                .await
                .context("starting the app")?,
        );
    }
    let db = apps[0].state.db.clone();
    let t0 = clock.now_ms();
    setup_policy(&db, t0).await?;

    // Tickets created at instants spread over the window: their first responses fall due an
    // hour later, spread the same way.
    let started = Instant::now();
    let n = args.tickets;
    let window_ms = args.window_secs * 1000;
    let mut handles = Vec::new();
    for w in 0..args.setup_concurrency.max(1) {
        let db = db.clone();
        let step = args.setup_concurrency.max(1);
        handles.push(tokio::spawn(async move {
            for i in (w..n).step_by(step) {
                let at = t0 + (i as i64 * window_ms) / n as i64;
                let inbound = NewInbound {
                    channel: Channel::Api,
                    from: casebook::intake::Sender::Email(
                        EmailAddress::parse(&format!("c{}@bench.test", i % 500))
                            .map_err(|e| anyhow::anyhow!(e))?,
                    ),
                    from_name: None,
                    subject: format!("Bench ticket {i}"),
                    body_text: "Waiting for an answer".into(),
                    body_html: None,
                    attachments: vec![],
                    idempotency: None,
                    ticket_id: None,
                    priority: Some(Priority::Normal),
                    issue_link: false,
                    language: Default::default(),
                    email: None,
                    gateway: None,
                };
                casebook::intake::receive(&db, &inbound, at)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            anyhow::Ok(())
        }));
    }
    for h in handles {
        h.await??;
    }
    sqlx::query("UPDATE ticket SET team_id = (SELECT team_id FROM team WHERE name = 'Support')")
        .execute(&db.pool)
        .await?;
    // Steady state before the jump: the creation jobs (acknowledgements, routing) are done.
    let drain_deadline = Instant::now() + Duration::from_secs(600);
    while casebook::outbox::depth(&db).await? > 0 {
        if Instant::now() > drain_deadline {
            bail!("{backend}: the outbox did not drain after creating the tickets");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let setup_secs = started.elapsed().as_secs_f64();
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_sla WHERE metric = 'first_response' AND next_fire_at IS NOT NULL",
    )
    .fetch_one(&db.pool)
    .await?;
    ensure!(
        live == n as i64,
        "{live} live first-response clocks, expected {n}"
    );
    println!(
        "{backend}: {n} tickets with live SLA clocks created in {setup_secs:.1} s; {} node(s), sweep every {} ms",
        nodes, args.sweep_ms
    );

    // The jump: the first due time is `lead_secs` from now, the last one a window later.
    let first_due = t0 + 60 * MIN;
    let target_now = first_due - args.lead_secs * 1000;
    clock.advance_ms(target_now - clock.now_ms());
    let expected = 2 * n as i64;
    let deadline =
        Instant::now() + Duration::from_secs((args.lead_secs + args.window_secs) as u64 + 300);
    loop {
        let fired: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_escalation")
            .fetch_one(&db.pool)
            .await?;
        if fired >= expected {
            break;
        }
        if Instant::now() > deadline {
            bail!("{backend}: only {fired} of {expected} escalations fired");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Let the sweepers run a little longer: nothing may fire twice.
    tokio::time::sleep(Duration::from_millis(3 * args.sweep_ms + 500)).await;
    for app in &apps {
        app.stop();
    }

    let count = |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.pool).await }
    };
    let n64 = n as i64;
    ensure!(count("SELECT COUNT(*) FROM sla_escalation").await? == expected);
    ensure!(count("SELECT COUNT(*) FROM ticket_event WHERE kind = 'sla_warning'").await? == n64);
    ensure!(count("SELECT COUNT(*) FROM ticket_event WHERE kind = 'sla_breach'").await? == n64);
    ensure!(
        count(
            "SELECT COUNT(*) FROM ticket_event WHERE kind = 'priority' AND actor_kind = 'system'"
        )
        .await?
            == n64
    );
    ensure!(count("SELECT COUNT(*) FROM ticket WHERE priority = 'high'").await? == n64);
    ensure!(
        count("SELECT COUNT(*) FROM agent_notification WHERE kind = 'sla_breach'").await? == n64
    );
    println!("{backend}: every warning and breach fired exactly once and took effect once");

    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT scheduled_at, fired_at FROM sla_escalation")
        .fetch_all(&db.pool)
        .await?;
    let mut hist = Histogram::<u64>::new_with_bounds(1, 3_600_000, 3)?;
    for (scheduled, fired) in &rows {
        hist.record((fired - scheduled).max(1) as u64)?;
    }
    let first = rows.iter().map(|r| r.1).min().unwrap_or(0);
    let last = rows.iter().map(|r| r.1).max().unwrap_or(0);
    db.pool.close().await;
    for app in &apps {
        app.state.db.pool.close().await;
    }
    match (&drop_info, args.keep) {
        (_, true) => println!("kept database: {url}"),
        (Some((admin, name)), false) => drop_database(admin, name).await,
        (None, false) => {
            if let Some(dir) = url
                .strip_prefix("sqlite://")
                .and_then(|p| std::path::Path::new(p).parent())
            {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
    Ok(Some(Outcome {
        backend,
        nodes,
        tickets: n,
        setup_secs,
        p50: hist.value_at_quantile(0.5) as f64,
        p99: hist.value_at_quantile(0.99) as f64,
        max: hist.max() as f64,
        span_secs: (last - first) as f64 / 1000.0,
    }))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut outcomes = Vec::new();
    if matches!(args.backend, BackendChoice::Sqlite | BackendChoice::Both)
        && let Some(o) = run_backend(false, &args).await?
    {
        outcomes.push(o);
    }
    if matches!(args.backend, BackendChoice::Postgres | BackendChoice::Both)
        && let Some(o) = run_backend(true, &args).await?
    {
        outcomes.push(o);
    }
    println!();
    println!(
        "SLA escalation lateness (fired - due; {} tickets, 2 steps each, due within {} s; target p99 <= {} ms)",
        args.tickets, args.window_secs, TARGET_P99_MS
    );
    println!(
        "{:<10} {:>5} {:>8} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "backend", "nodes", "tickets", "p50 ms", "p99 ms", "max ms", "fired over", "setup s"
    );
    for o in &outcomes {
        println!(
            "{:<10} {:>5} {:>8} {:>9.0} {:>9.0} {:>9.0} {:>9.1}s {:>9.1}  {}",
            o.backend,
            o.nodes,
            o.tickets,
            o.p50,
            o.p99,
            o.max,
            o.span_secs,
            o.setup_secs,
            if o.p99 <= TARGET_P99_MS {
                "ok"
            } else {
                "OVER TARGET"
            }
        );
    }
    Ok(())
}
