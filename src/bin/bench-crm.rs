//! bench-crm: measures Customer 360 at scale, per backend (SQLite file in a temp dir, fresh
//! PostgreSQL database):
//!
//! 1. `import`: generates a CSV of `--events` CRM events over `--customers` customers and runs
//!    `casebook import crm` on it in a child process (this binary, re-invoked), reporting
//!    events/s and the importer's peak RSS (VmHWM); then imports the same file again (all
//!    updates, no duplicates).
//! 2. `pages`: one customer gets `--heavy-events` events and a few tickets; the real app is
//!    started in this process and the customer page, the ticket page (customer card and compact
//!    timeline in the side panel) and `GET /api/v1/customers/{id}` are requested `--requests`
//!    times each; p50/p95/p99 against the 100 ms target.
//!
//! It prints figures and the targets beside them; it never asserts a speed.

use anyhow::{Context, Result, bail};
use casebook::auth::{self, NewAgent};
use casebook::bench_support;
use casebook::config::{Config, Secret};
use casebook::customers::import::{ImportOptions, import_file};
use casebook::db::Db;
use casebook::domain::Role;
use casebook::domain::clock::{Clock, SystemClock};
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use rand::Rng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-crm",
    about = "Measures CRM import (events/s, peak RSS) and customer page latency with many events, on SQLite and PostgreSQL"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// CRM events in the generated CSV.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Customers the events are spread over.
    #[arg(long, default_value_t = 100_000)]
    customers: u64,
    /// Events of the one customer whose pages are measured.
    #[arg(long, default_value_t = 5_000)]
    heavy_events: u64,
    /// Requests per page measured.
    #[arg(long, default_value_t = 200)]
    requests: u64,
    /// Rows per import transaction.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Skip the second (re-)import of the file.
    #[arg(long)]
    no_reimport: bool,
    /// Keep the databases and files afterwards.
    #[arg(long)]
    keep: bool,
    /// Internal: run one import and print its figures (used by the benchmark's child process).
    #[arg(long, hide = true)]
    child_import: Option<PathBuf>,
    #[arg(long, hide = true)]
    child_db: Option<String>,
}

const PAGE_TARGET_MS: f64 = 100.0;

fn main() -> Result<()> {
    let args = Args::parse();
    if std::env::var_os("CASEBOOK_LOG").is_some() {
        casebook::init_tracing();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let (Some(file), Some(db)) = (&args.child_import, &args.child_db) {
        return runtime.block_on(child_import(file, db, args.batch));
    }
    if args.customers == 0 || args.events < args.customers {
        bail!("--customers must be above zero and --events at least --customers");
    }
    runtime.block_on(run(args))
}

/// Peak resident set size of this process (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The child process: imports `file` into `db` and prints one machine-readable line.
async fn child_import(file: &Path, url: &str, batch: usize) -> Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let opts = ImportOptions {
        rejected_path: None,
        batch_rows: batch,
        progress: true,
    };
    let s = import_file(&db, file, &opts, &SystemClock).await?;
    println!(
        "RESULT rows={} imported={} updated={} rejected={} secs={:.3} peak_rss_mib={:.1}",
        s.rows,
        s.imported,
        s.updated,
        s.rejected,
        s.elapsed.as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}

async fn run(args: Args) -> Result<()> {
    let build = if cfg!(debug_assertions) {
        "debug (figures are not representative; use --release)"
    } else {
        "release"
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("bench-crm {}", env!("CARGO_PKG_VERSION"));
    println!("machine: {cores} cores; build: {build}");
    println!(
        "plan:    import {} events for {} customers from CSV (batches of {}); pages of a customer with {} events, {} requests each",
        args.events, args.customers, args.batch, args.heavy_events, args.requests
    );
    let dir = std::env::temp_dir().join(format!("bench-crm-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("events.csv");
    let t0 = Instant::now();
    let bytes = write_csv(&csv, args.events, args.customers)?;
    println!(
        "generated {} ({:.0} MiB) in {:.1} s",
        csv.display(),
        bytes as f64 / 1048576.0,
        t0.elapsed().as_secs_f64()
    );
    let backends = match args.backend {
        BackendChoice::Sqlite => vec!["sqlite"],
        BackendChoice::Postgres => vec!["postgres"],
        BackendChoice::Both => vec!["sqlite", "postgres"],
    };
    let mut summary = Vec::new();
    for backend in backends {
        println!();
        println!("== {backend} ==");
        let Some(scratch) = bench_support::create(backend == "postgres", "cbcrm").await? else {
            summary.push(format!("{backend}: SKIPPED (database not reachable)"));
            continue;
        };
        let result = bench_backend(backend, &scratch.url, &csv, &args, &mut summary).await;
        if let Err(err) = &result {
            println!("{backend}: FAILED: {err:#}");
            summary.push(format!("{backend}: FAILED: {err:#}"));
        }
        scratch.finish(args.keep).await;
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!();
    println!("== summary ==");
    for line in &summary {
        println!("{line}");
    }
    Ok(())
}

const KINDS: &[&str] = &[
    "order",
    "email_engagement",
    "campaign_touch",
    "subscription",
    "note",
    "call",
    "csat",
    "purchase",
];

/// Writes the CSV: customer `i % customers`, kinds in rotation, orders with amounts, JSON
/// attributes on some rows. Streams to disk.
fn write_csv(path: &Path, events: u64, customers: u64) -> Result<u64> {
    let f = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(
        w,
        "customer_email,customer_name,kind,occurred_at,source,external_id,amount,currency,campaign,attributes"
    )?;
    let base = chrono::DateTime::parse_from_rfc3339("2022-01-01T00:00:00Z")?.timestamp();
    let mut rng = rand::thread_rng();
    for i in 0..events {
        let c = i % customers;
        let kind = KINDS[(i / customers) as usize % KINDS.len()];
        let at = chrono::DateTime::from_timestamp(base + (i as i64) * 60, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (amount, currency) = match kind {
            "order" | "purchase" => (
                format!("{}.{:02}", rng.gen_range(1..500), rng.gen_range(0..100)),
                "EUR",
            ),
            _ => (String::new(), ""),
        };
        let campaign = if kind == "campaign_touch" {
            "spring-sale"
        } else {
            ""
        };
        let attributes = match kind {
            "subscription" => r#""{""plan"": ""pro"", ""status"": ""active"", ""mrr"": 49}""#,
            "csat" => r#""{""score"": 4}""#,
            "email_engagement" => r#""{""opened"": true}""#,
            _ => "",
        };
        writeln!(
            w,
            "c{c}@bench.test,Customer {c},{kind},{at},bench,e-{i},{amount},{currency},{campaign},{attributes}"
        )?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

struct ChildFigures {
    rows: u64,
    imported: u64,
    updated: u64,
    rejected: u64,
    secs: f64,
    peak_rss_mib: f64,
}

fn run_child_import(url: &str, csv: &Path, batch: usize) -> Result<ChildFigures> {
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .arg("--child-import")
        .arg(csv)
        .arg("--child-db")
        .arg(url)
        .arg("--batch")
        .arg(batch.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running the import child process")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("import child failed: {stdout}");
    }
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .context("no RESULT line from the import child")?;
    let get = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")).map(str::to_string))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    Ok(ChildFigures {
        rows: get("rows") as u64,
        imported: get("imported") as u64,
        updated: get("updated") as u64,
        rejected: get("rejected") as u64,
        secs: get("secs"),
        peak_rss_mib: get("peak_rss_mib"),
    })
}

async fn bench_backend(
    backend: &str,
    url: &str,
    csv: &Path,
    args: &Args,
    summary: &mut Vec<String>,
) -> Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    for (pass, label) in [(0, "import"), (1, "re-import")] {
        if pass == 1 && args.no_reimport {
            continue;
        }
        let f = run_child_import(url, csv, args.batch)?;
        let line = format!(
            "{backend} {label}: {} rows in {:.1} s = {:.0} events/s; {} imported, {} updated, {} rejected; importer peak RSS {:.0} MiB",
            f.rows,
            f.secs,
            f.rows as f64 / f.secs,
            f.imported,
            f.updated,
            f.rejected,
            f.peak_rss_mib
        );
        println!("{line}");
        summary.push(line);
    }
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crm_event")
        .fetch_one(&db.pool)
        .await?;
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer")
        .fetch_one(&db.pool)
        .await?;
    println!("stored: {events} events, {customers} customers");
    db.optimize().await?;
    db.pool.close().await;
    bench_pages(backend, url, args, summary).await
}

async fn bench_pages(
    backend: &str,
    url: &str,
    args: &Args,
    summary: &mut Vec<String>,
) -> Result<()> {
    let config = Config {
        database_url: Secret::new(url.to_string()),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        workers: false,
        ..Config::default()
    };
    let running = casebook::start(config, Arc::new(SystemClock)).await?;
    let db = running.state.db.clone();
    let now = SystemClock.now_ms();
    let agent = auth::create_agent(
        &db,
        NewAgent {
            email: "bench-agent@bench.test",
            name: "Bench Agent",
            role: Role::Admin,
            password: "correct horse battery",
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let session = auth::create_session(&db, agent.id, now, 24)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = auth::create_api_token(&db, &agent.email, "bench", None, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();

    // The heavy customer: a few tickets through the API, then its events in API-sized batches.
    let mut ticket_id = 0;
    for i in 0..10 {
        let r: serde_json::Value = client
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"customer": {"email": "heavy@bench.test", "name": "Heavy Customer"},
                "subject": format!("Question {i}"), "body": "Hello"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        ticket_id = r["ticket"]["id"].as_i64().context("ticket id")?;
    }
    let t0 = Instant::now();
    let mut sent = 0;
    while sent < args.heavy_events {
        let n = (args.heavy_events - sent).min(1000);
        let events: Vec<serde_json::Value> = (sent..sent + n)
            .map(|i| {
                let kind = KINDS[i as usize % KINDS.len()];
                let mut e = serde_json::json!({"customer_email": "heavy@bench.test", "kind": kind,
                    "occurred_at": chrono::DateTime::from_timestamp(1_650_000_000 + i as i64 * 3600, 0).unwrap_or_default().to_rfc3339(),
                    "source": "heavy", "external_id": format!("h-{i}"),
                    "attributes": {"campaign": "spring", "note": "a note of some length to look like real data"}});
                if kind == "order" || kind == "purchase" {
                    e["amount"] = "19.99".into();
                    e["currency"] = if i % 3 == 0 { "USD" } else { "EUR" }.into();
                }
                e
            })
            .collect();
        client
            .post(format!("{base}/api/v1/crm/events"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "events": events }))
            .send()
            .await?
            .error_for_status()?;
        sent += n;
    }
    let customer_id: i64 = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE kind = 'email' AND value = 'heavy@bench.test'",
    )
    .fetch_one(&db.pool)
    .await?;
    println!(
        "heavy customer #{customer_id}: {} events added through the API in {:.1} s",
        args.heavy_events,
        t0.elapsed().as_secs_f64()
    );
    db.optimize().await?;

    let cookie = format!("{}={session}", casebook::web::extract::SESSION_COOKIE);
    let pages = [
        ("customer page", format!("/customers/{customer_id}"), true),
        (
            "ticket page (side panel)",
            format!("/tickets/{ticket_id}"),
            true,
        ),
        (
            "GET /api/v1/customers/{id}",
            format!("/api/v1/customers/{customer_id}"),
            false,
        ),
    ];
    for (label, path, html) in pages {
        let mut h = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)?;
        for i in 0..args.requests + 5 {
            let req = client.get(format!("{base}{path}"));
            let req = if html {
                req.header("cookie", &cookie)
            } else {
                req.bearer_auth(&token)
            };
            let t = Instant::now();
            let resp = req.send().await?;
            let status = resp.status();
            let body = resp.bytes().await?;
            let micros = t.elapsed().as_micros() as u64;
            if !status.is_success() {
                bail!("{label}: {status}: {}", String::from_utf8_lossy(&body));
            }
            if i >= 5 {
                h.record(micros.max(1))?;
            }
        }
        let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        let line = format!(
            "{backend} {label}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} requests; target p95 <= {PAGE_TARGET_MS} ms: {})",
            ms(0.5),
            ms(0.95),
            ms(0.99),
            h.max() as f64 / 1000.0,
            h.len(),
            if ms(0.95) <= PAGE_TARGET_MS {
                "met"
            } else {
                "MISSED"
            }
        );
        println!("{line}");
        summary.push(line);
    }
    running.stop();
    db.pool.close().await;
    Ok(())
}
