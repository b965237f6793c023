//! bench-reports: times every leadership report over a one-year period on a large database.
//!
//! Per backend (SQLite file in a temp dir, fresh PostgreSQL database) it bulk-generates, in SQL,
//! `--tickets` tickets spread over two years (default 1,000,000) with `--messages-per-ticket`
//! messages each (default 5), tags, reopen events, CSAT ratings, CRM subscriptions and orders for
//! the customers, and SLA timer rows in the shape the SLA module defines; then it runs each report
//! `--runs` times for the last 365 days and prints p50 and p95 beside the 1 s target.
//!
//! It prints figures; it never asserts a speed.

use anyhow::{Context, Result};
use casebook::auth::AgentRef;
use casebook::bench_support;
use casebook::config::{Config, Secret};
use casebook::db::{Backend, Db};
use casebook::domain::Role;
use casebook::domain::clock::{Clock, SystemClock};
use casebook::reports::{self, RawParams};
use casebook::state::AppState;
use clap::{Parser, ValueEnum};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-reports",
    about = "Times each report for a one-year period on SQLite and PostgreSQL"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// Tickets to generate, spread evenly over the last two years.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: i64,
    #[arg(long, default_value_t = 5)]
    messages_per_ticket: i64,
    #[arg(long, default_value_t = 50_000)]
    customers: i64,
    /// Runs of each report (p95 is the nearest-rank 95th percentile of these).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Skip generating SLA timer rows (then the SLA reports answer "SLA data not available").
    #[arg(long)]
    no_sla: bool,
    /// Keep the generated databases and print their URLs.
    #[arg(long)]
    keep: bool,
    /// Measure a database kept by an earlier `--keep` run instead of generating one (its
    /// backend follows from the URL; `--backend` is ignored).
    #[arg(long)]
    reuse: Option<String>,
    /// A period of RFC 3339 instants (now − 365 days to now) instead of whole days, as an API
    /// client may send.
    #[arg(long)]
    instants: bool,
    /// Only the reports whose names contain this text.
    #[arg(long)]
    only: Option<String>,
}

const DAY_MS: i64 = 86_400_000;

/// A report's name with its p50 and p95.
type Figure = (String, Duration, Duration);

fn main() -> Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    println!(
        "bench-reports: {} tickets, {} messages, {} customers over two years; {} runs per report; period = {}",
        args.tickets,
        args.tickets * args.messages_per_ticket,
        args.customers,
        args.runs,
        if args.instants {
            "now - 365 days to now (RFC 3339 instants)"
        } else {
            "the last 365 whole days"
        }
    );
    let mut results: Vec<(&'static str, Vec<Figure>)> = Vec::new();
    if let Some(url) = &args.reuse {
        let name = if url.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        };
        results.push((name, bench_backend(&args, url, name).await?));
    }
    for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        let wanted = match args.backend {
            _ if args.reuse.is_some() => false,
            BackendChoice::Both => true,
            BackendChoice::Sqlite => backend == Backend::Sqlite,
            BackendChoice::Postgres => backend == Backend::Postgres,
        };
        if !wanted {
            continue;
        }
        let Some(scratch) =
            bench_support::create(backend == Backend::Postgres, "cbreports").await?
        else {
            continue;
        };
        let figures = bench_backend(&args, &scratch.url, name).await;
        scratch.finish(args.keep).await;
        results.push((name, figures?));
    }
    println!(
        "\n| report | {} |",
        results
            .iter()
            .map(|(n, _)| format!("{n} p50 | {n} p95"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|---|".repeat(results.len()));
    if let Some((_, first)) = results.first() {
        for (i, (report, _, _)) in first.iter().enumerate() {
            let cells: Vec<String> = results
                .iter()
                .map(|(_, f)| format!("{} | {}", ms(f[i].1), ms(f[i].2)))
                .collect();
            println!("| {report} | {} |", cells.join(" | "));
        }
    }
    println!("\ntarget: each report p95 <= 1000 ms for a one-year period");
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

async fn bench_backend(args: &Args, url: &str, name: &str) -> Result<Vec<Figure>> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let now = SystemClock.now_ms();
    if args.reuse.is_none() {
        let started = Instant::now();
        generate(&db, args, now).await?;
        println!(
            "[{name}] generated in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let config = Config {
        database_url: Secret::new(url.to_string()),
        ..Config::default()
    };
    let state = AppState::new(db, config, Arc::new(SystemClock), None)?;
    // The report facts of every generated ticket (what an upgraded installation measures once
    // in the background); afterwards each report only measures what changed.
    let started = Instant::now();
    let measured = reports::facts::refresh(&state.db, &reports::calendar(&state)).await?;
    if args.reuse.is_none() {
        // Every generated ticket was queued, so the refresh counted its SLA targets too.
        sqlx::query("UPDATE report_sla_backfill SET done = 1")
            .execute(&state.db.pool)
            .await?;
    }
    let counted = reports::facts::backfill_sla(&state.db, &reports::calendar(&state)).await?;
    println!(
        "[{name}] report facts: {measured} tickets measured, SLA targets of {counted} earlier tickets counted, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let viewer = AgentRef {
        id: 1,
        email: "lead@bench.test".into(),
        name: "Lead".into(),
        role: Role::Lead,
        unread_notifications: 0,
        locale: None,
    };
    if measured > 0 {
        // The facts were measured after the generated tables' statistics were taken.
        statistics(&state.db).await?;
    }
    // Whole days, as the dashboard's period picker sends them: the last 365 days up to today.
    let day = |at: i64| {
        chrono::DateTime::from_timestamp_millis(at)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string()
    };
    let (from, to) = if args.instants {
        let instant = |at: i64| {
            chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .to_rfc3339()
        };
        (instant(now - 365 * DAY_MS), instant(now))
    } else {
        (day(now - 364 * DAY_MS), day(now))
    };
    let mut figures = Vec::new();
    for (report, _) in reports::REPORTS {
        if args
            .only
            .as_ref()
            .is_some_and(|o| !report.contains(o.as_str()))
        {
            continue;
        }
        let raw = RawParams {
            from: Some(from.clone()),
            to: Some(to.clone()),
            by: (*report == "response-times" || *report == "csat").then(|| "team".to_string()),
            tag: (*report == "tickets").then(|| "billing".to_string()),
            ..RawParams::default()
        };
        let params = reports::parse_params(&raw, "UTC", now)?;
        let mut times = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for _ in 0..args.runs {
            let t = Instant::now();
            let table = reports::run(&state, report, &params, &viewer)
                .await
                .with_context(|| format!("report {report}"))?;
            times.push(t.elapsed());
            rows = table.rows.len();
        }
        times.sort();
        let p = |pct: usize| times[(pct * times.len()).div_ceil(100).clamp(1, times.len()) - 1];
        println!(
            "[{name}] {report:<24} rows {rows:>5}  p50 {:>8}  p95 {:>8}",
            ms(p(50)),
            ms(p(95))
        );
        figures.push((report.to_string(), p(50), p(95)));
    }
    state.db.pool.close().await;
    Ok(figures)
}

async fn exec(db: &Db, what: &str, sql: String) -> Result<()> {
    let t = Instant::now();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&db.pool)
        .await
        .with_context(|| format!("generating {what}"))?;
    println!("  {what}: {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// A row source of integers 1..=n in SQL.
fn series(backend: Backend, n: i64) -> String {
    match backend {
        Backend::Sqlite => format!(
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s)"
        ),
        Backend::Postgres => {
            format!("(SELECT i::bigint AS i FROM generate_series(1, {n}) AS g(i))")
        }
    }
}

async fn generate(db: &Db, args: &Args, now: i64) -> Result<()> {
    let b = db.backend;
    let n = args.tickets;
    let span = 730 * DAY_MS;
    let start = now - span;
    let customers = args.customers;
    exec(db, "agents", format!(
        "INSERT INTO agent (email, name, role, password_hash, created_at, updated_at)
         SELECT 'agent' || i || '@bench.test', 'Agent ' || i, CASE WHEN i = 1 THEN 'lead' ELSE 'agent' END, 'x', 0, 0 FROM {} s",
        series(b, 20)
    )).await?;
    exec(
        db,
        "teams",
        format!(
            "INSERT INTO team (name, created_at, updated_at) SELECT 'Team ' || i, 0, 0 FROM {} s",
            series(b, 4)
        ),
    )
    .await?;
    exec(db, "team members", "INSERT INTO team_member (team_id, agent_id, created_at) SELECT 1 + agent_id % 4, agent_id, 0 FROM agent".into()).await?;
    exec(db, "customers", format!(
        "INSERT INTO customer (name, created_at, updated_at) SELECT 'Customer ' || i, 0, 0 FROM {} s",
        series(b, customers)
    )).await?;
    exec(db, "subjects", "CREATE TABLE bench_subject (k BIGINT PRIMARY KEY, subject TEXT NOT NULL, tag TEXT NOT NULL)".into()).await?;
    let subjects = [
        ("Invoice missing for last month", "billing"),
        ("Cannot log in after password reset", "login"),
        ("Export to CSV fails", "export"),
        ("Refund request", "billing"),
        ("Two-factor code not arriving", "login"),
        ("API rate limit exceeded", "api"),
        ("How do I add a team member", "account"),
        ("Payment declined", "billing"),
        ("Sync with calendar broken", "integrations"),
        ("Slow dashboard loading", "performance"),
        ("Webhook deliveries failing", "api"),
        ("Change of billing address", "billing"),
    ];
    let values: Vec<String> = subjects
        .iter()
        .enumerate()
        .map(|(k, (s, t))| format!("({k}, '{s}', '{t}')"))
        .collect();
    exec(
        db,
        "subjects",
        format!(
            "INSERT INTO bench_subject (k, subject, tag) VALUES {}",
            values.join(", ")
        ),
    )
    .await?;
    let subjects_n = subjects.len();
    // Pseudo-random but reproducible per ticket: resolution 0–100 h, first reply 0–24 h; one in
    // twenty never solved; one in fifty never answered.
    exec(db, "tickets", format!(
        "INSERT INTO ticket (subject, status, priority, channel, customer_id, assignee_id, team_id, created_at, updated_at,
            first_response_at, solved_at, closed_at)
         SELECT bs.subject,
            CASE WHEN x.solved IS NULL THEN (CASE x.i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'open' ELSE 'pending' END)
                 WHEN x.i % 3 = 0 THEN 'solved' ELSE 'closed' END,
            CASE x.i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,
            CASE x.i % 3 WHEN 0 THEN 'web' WHEN 1 THEN 'email' ELSE 'api' END,
            1 + (x.i * 13) % {customers}, 1 + x.i % 20, 1 + x.i % 4, x.created, x.created,
            CASE WHEN x.i % 50 = 0 OR x.created + x.frt > {now} THEN NULL ELSE x.created + x.frt END,
            x.solved,
            CASE WHEN x.solved IS NOT NULL AND x.i % 3 <> 0 THEN x.solved + {DAY_MS} END
         FROM (SELECT i, created, frt,
                 CASE WHEN i % 20 = 0 OR created + res > {now} THEN NULL ELSE created + res END AS solved
               FROM (SELECT i, {start} + i * {span} / {n} AS created, ((i * 31) % 96) * 900000 AS frt,
                        ((i * 7919) % 200) * 1800000 AS res FROM {} s) y) x
         JOIN bench_subject bs ON bs.k = x.i % {subjects_n}",
        series(b, n)
    )).await?;
    let per = args.messages_per_ticket;
    exec(db, "messages", format!(
        "INSERT INTO message (ticket_id, author_kind, agent_id, customer_id, visibility, body_text, created_at)
         SELECT t.ticket_id, CASE WHEN k.i % 2 = 1 THEN 'customer' ELSE 'agent' END,
            CASE WHEN k.i % 2 = 0 THEN t.assignee_id END, CASE WHEN k.i % 2 = 1 THEN t.customer_id END,
            CASE WHEN k.i % 2 = 0 AND (k.i = 2 OR t.ticket_id % 3 = 0) THEN 'public' ELSE 'internal' END,
            'message text', t.created_at + k.i * 600000
         FROM ticket t CROSS JOIN {} k",
        series(b, per)
    )).await?;
    exec(db, "tags", 
        "INSERT INTO ticket_tag (ticket_id, tag, created_at)
         SELECT t.ticket_id, bs.tag, t.created_at FROM ticket t JOIN bench_subject bs ON bs.subject = t.subject
         WHERE t.ticket_id % 10 < 7".into()).await?;
    exec(
        db,
        "reopen events",
        "INSERT INTO ticket_event (ticket_id, actor_kind, kind, old_value, new_value, created_at)
         SELECT ticket_id, 'customer', 'status', 'solved', 'open', solved_at - 3600000 FROM ticket
         WHERE solved_at IS NOT NULL AND ticket_id % 33 = 0"
            .into(),
    )
    .await?;
    exec(db, "csat ratings", "INSERT INTO csat_rating (ticket_id, customer_id, rating, created_at, rated_at)
         SELECT ticket_id, customer_id, CASE WHEN ticket_id % 7 = 0 THEN 'bad' ELSE 'good' END, solved_at + 3600000, solved_at + 3600000
         FROM ticket WHERE solved_at IS NOT NULL AND ticket_id % 5 = 0".into()).await?;
    exec(db, "subscriptions", format!(
        "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, attributes, created_at, updated_at)
         SELECT customer_id, 'subscription', {start}, 'bench', 'sub-' || customer_id,
            CASE customer_id % 3 WHEN 0 THEN '{{\"status\":\"active\",\"plan\":\"pro\"}}' WHEN 1 THEN '{{\"status\":\"active\",\"plan\":\"team\"}}'
                 ELSE '{{\"status\":\"active\",\"plan\":\"starter\"}}' END, 0, 0 FROM customer"
    )).await?;
    exec(db, "cancellations", format!(
        "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, attributes, created_at, updated_at)
         SELECT customer_id, 'subscription', {} + (customer_id * 7919) % {}, 'bench', 'cancel-' || customer_id,
            '{{\"status\":\"cancelled\"}}', 0, 0 FROM customer WHERE customer_id % 8 = 0",
        now - 365 * DAY_MS,
        365 * DAY_MS
    )).await?;
    exec(db, "orders", format!(
        "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, amount_minor, currency, attributes, created_at, updated_at)
         SELECT c.customer_id, 'order', {start} + k.i * {DAY_MS} * 30, 'bench', 'order-' || c.customer_id || '-' || k.i,
            1000 + (c.customer_id * k.i) % 9000, 'EUR', '{{}}', 0, 0 FROM customer c CROSS JOIN {} k",
        series(b, 2)
    )).await?;
    exec(db, "segments", format!(
        "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, attributes, created_at, updated_at)
         SELECT customer_id, 'note', {start}, 'bench', 'segment-' || customer_id,
            CASE WHEN customer_id % 20 = 0 THEN '{{\"segment\":\"enterprise\",\"vip\":true}}'
                 ELSE '{{\"segment\":\"smb\"}}' END, 0, 0 FROM customer WHERE customer_id % 4 = 0"
    )).await?;
    // The list filters' view of every customer (plan, segment, VIP) is computed by the server's
    // refresher, as after an import.
    exec(
        db,
        "customer attributes to compute",
        "INSERT INTO customer_attr_dirty (customer_id) SELECT DISTINCT customer_id FROM crm_event
         WHERE customer_id IS NOT NULL ON CONFLICT (customer_id) DO NOTHING"
            .into(),
    )
    .await?;
    if !args.no_sla {
        // SLA timers as the SLA module keeps them: first response due in 8 h, resolution in 72 h.
        exec(db, "ticket_sla rows", "INSERT INTO ticket_sla (ticket_id, metric, due_at, met_at, breached_at,
                target_ms, started_at, state, updated_at)
            SELECT ticket_id, 'first_response', created_at + 8 * 3600000, first_response_at,
                CASE WHEN first_response_at IS NULL OR first_response_at > created_at + 8 * 3600000 THEN created_at + 8 * 3600000 END,
                8 * 3600000, created_at, 'met', created_at
            FROM ticket
            UNION ALL
            SELECT ticket_id, 'resolution', created_at + 72 * 3600000, solved_at,
                CASE WHEN solved_at IS NULL OR solved_at > created_at + 72 * 3600000 THEN created_at + 72 * 3600000 END,
                72 * 3600000, created_at, 'met', created_at
            FROM ticket".into()).await?;
    }
    statistics(db).await
}

/// Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them; on
/// PostgreSQL the visibility map too, so index-only scans stay so.
async fn statistics(db: &Db) -> Result<()> {
    let sql = match db.backend {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    };
    exec(db, "statistics", sql.into()).await
}
