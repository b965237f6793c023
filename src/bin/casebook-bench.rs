//! casebook-bench: starts the real Casebook app in this process and measures it over real HTTP.
//!
//! Phases, per backend (SQLite file in a temp dir, fresh PostgreSQL database):
//! 1. `create`: `POST /api/v1/tickets` at each concurrency level, ~200 distinct customers.
//! 2. `list`: the database is topped up to `--list-tickets` tickets by bulk SQL, then
//!    `GET /api/v1/tickets?limit=50` is measured for the first page, the unassigned / open
//!    queues, the pending status and deep pages via random cursors.
//!
//! It prints figures and the targets beside them; it never asserts a speed.

use anyhow::{Context, Result, bail};
use casebook::auth::{self, NewAgent};
use casebook::config::{Config, Secret};
use casebook::db::Db;
use casebook::domain::Role;
use casebook::domain::clock::SystemClock;
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    name = "casebook-bench",
    about = "Measures ticket creation and listing over real HTTP against SQLite and PostgreSQL"
)]
struct Args {
    /// Which database backend(s) to measure.
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// Tickets created over HTTP in the create phase, split evenly across the concurrency levels.
    #[arg(long, default_value_t = 10_000)]
    tickets: usize,
    /// Concurrency levels for the create phase (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "4,16")]
    concurrency: Vec<usize>,
    /// Distinct customer emails the created tickets are spread over.
    #[arg(long, default_value_t = 200)]
    customers: usize,
    /// Tickets in the database during the list phase (the difference is bulk-inserted by SQL).
    #[arg(long, default_value_t = 100_000)]
    list_tickets: usize,
    /// List requests in the list phase (spread evenly over the variants).
    #[arg(long, default_value_t = 2_000)]
    list_requests: usize,
    /// Concurrency of the list phase.
    #[arg(long, default_value_t = 4)]
    list_concurrency: usize,
    /// Keep the databases afterwards (prints where they are) instead of deleting them.
    #[arg(long)]
    keep: bool,
    /// Seed for the pseudo-random choices (emails, statuses, cursors).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

const CREATE_TARGET_RPS: f64 = 300.0;
const CREATE_TARGET_P99_MS: f64 = 50.0;
const LIST_TARGET_P95_MS: f64 = 100.0;

/// One figure line of the final summary.
struct Figure {
    backend: &'static str,
    phase: &'static str,
    variant: String,
    concurrency: usize,
    requests: u64,
    errors: u64,
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    target: String,
    met: Option<bool>,
}

/// A skipped backend, or a note to show under the table.
struct Notes {
    lines: Vec<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if std::env::var_os("CASEBOOK_LOG").is_some() {
        casebook::init_tracing();
    }
    if args.concurrency.is_empty() || args.concurrency.contains(&0) {
        bail!("--concurrency needs one or more levels above zero");
    }
    if args.list_concurrency == 0 || args.customers == 0 {
        bail!("--list-concurrency and --customers must be above zero");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let profile = if cfg!(debug_assertions) {
        "debug (figures are not representative; use --release)"
    } else {
        "release"
    };
    println!("casebook-bench {}", env!("CARGO_PKG_VERSION"));
    println!(
        "machine: {cores} cores ({} {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    println!("build:   {profile}");
    println!(
        "plan:    create {} tickets at concurrency {:?} over {} customers; list with {} tickets, {} requests at concurrency {}",
        args.tickets,
        args.concurrency,
        args.customers,
        args.list_tickets,
        args.list_requests,
        args.list_concurrency
    );
    println!("note:    client and server share this process and its cores");

    let backends: Vec<Backend> = match args.backend {
        BackendChoice::Sqlite => vec![Backend::Sqlite],
        BackendChoice::Postgres => vec![Backend::Postgres],
        BackendChoice::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let mut figures = Vec::new();
    let mut notes = Notes { lines: Vec::new() };
    for backend in backends {
        println!();
        println!("== {} ==", backend.name());
        let t0 = Instant::now();
        match bench_backend(backend, &args, &mut figures, &mut notes).await {
            Ok(true) => {
                let line = format!(
                    "{}: whole backend run took {:.1} s",
                    backend.name(),
                    t0.elapsed().as_secs_f64()
                );
                println!("{line}");
                notes.lines.push(line);
            }
            Ok(false) => {}
            Err(err) => {
                let line = format!("{}: FAILED: {err:#}", backend.name());
                println!("{line}");
                notes.lines.push(line);
            }
        }
    }

    println!();
    println!("== summary ==");
    println!();
    print!("{}", summary_table(cores, &figures));
    if !notes.lines.is_empty() {
        println!();
        for l in &notes.lines {
            println!("- {l}");
        }
    }
    println!();
    println!("total run time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
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
    Sqlite { dir: std::path::PathBuf },
    Postgres { admin: String, name: String },
}

impl Fresh {
    async fn cleanup(&self, keep: bool, url: &str) {
        if keep {
            println!("kept database: {url}");
            return;
        }
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
            let dir = std::env::temp_dir().join(random_name("casebook-bench-"));
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
            let name = random_name("cbbench_");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&db.pool)
                .await
                .context("creating the benchmark database")?;
            db.pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or_else(|| admin.clone());
            // Keep any query string (e.g. sslmode) of the admin URL.
            let query = admin
                .rsplit_once('/')
                .and_then(|(_, db)| db.split_once('?'))
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            let url = format!("{base}/{name}{query}");
            Ok(Some((url, Fresh::Postgres { admin, name })))
        }
    }
}

/// Runs both phases against one backend. Ok(false) means skipped.
async fn bench_backend(
    backend: Backend,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<bool> {
    let Some((url, fresh)) = fresh_database(backend).await? else {
        notes.lines.push(format!(
            "{}: SKIPPED (database not reachable)",
            backend.name()
        ));
        return Ok(false);
    };
    let result = bench_on(backend, &url, args, figures, notes).await;
    fresh.cleanup(args.keep, &url).await;
    result.map(|_| true)
}

async fn bench_on(
    backend: Backend,
    url: &str,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<()> {
    let config = Config {
        database_url: Secret::new(url),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        ..Default::default()
    };
    let outbox_poll_ms = config.outbox_poll_ms;
    let running = casebook::start(config, Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let result = bench_running(backend, &running, outbox_poll_ms, args, figures, notes).await;
    running.stop();
    running.state.db.pool.close().await;
    result
}

struct Session {
    base: String,
    token: String,
    client: reqwest::Client,
}

async fn bench_running(
    backend: Backend,
    running: &casebook::Running,
    outbox_poll_ms: u64,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<()> {
    let db = &running.state.db;
    let now = running.state.now();
    println!(
        "app listening on {} (outbox worker: {}, poll {} ms)",
        running.addr,
        if running.workers.is_empty() {
            "OFF"
        } else {
            "running"
        },
        outbox_poll_ms
    );
    let admin_email = "bench-admin@casebook.test";
    let admin = auth::create_agent(
        db,
        NewAgent {
            email: admin_email,
            name: "Bench Admin",
            role: Role::Admin,
            password: "bench password 123",
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the bench agent: {e}"))?;
    let other = auth::create_agent(
        db,
        NewAgent {
            email: "bench-agent@casebook.test",
            name: "Bench Agent",
            role: Role::Agent,
            password: "bench password 123",
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the second agent: {e}"))?;
    let token = auth::create_api_token(db, admin_email, "bench", None, now)
        .await
        .map_err(|e| anyhow::anyhow!("creating the API token: {e}"))?;
    let session = Session {
        base: format!("http://{}", running.addr),
        token,
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(60))
            .build()?,
    };

    // ---- create ----
    println!();
    println!(
        "-- create: POST /api/v1/tickets, {} tickets over {} customer emails --",
        args.tickets, args.customers
    );
    println!(
        "   target: >= {CREATE_TARGET_RPS:.0} creates/s and p99 <= {CREATE_TARGET_P99_MS:.0} ms"
    );
    let per_level = args.tickets.div_ceil(args.concurrency.len()).max(1);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut created_so_far = 0usize;
    for &conc in &args.concurrency {
        // A short warm-up (connections, prepared statements), not counted.
        let warm = make_create_items(&mut rng, &session, conc * 4, args.customers, created_so_far);
        created_so_far += warm.len();
        drive(&session, Arc::new(warm), conc, 1, 201).await;
        wait_outbox(db, Duration::from_secs(60)).await;

        let items = make_create_items(
            &mut rng,
            &session,
            per_level,
            args.customers,
            created_so_far,
        );
        created_so_far += items.len();
        let out = drive(&session, Arc::new(items), conc, 1, 201).await;
        let h = &out.overall;
        let rps = h.len() as f64 / out.elapsed.as_secs_f64();
        let p99 = ms(h.value_at_quantile(0.99));
        let met = rps >= CREATE_TARGET_RPS && p99 <= CREATE_TARGET_P99_MS;
        println!(
            "   concurrency {conc:>3}: {:>6} requests in {:>6.2} s = {:>7.1} creates/s   p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>8.2} ms   errors {}   [target >= {:.0}/s, p99 <= {:.0} ms: {}]",
            h.len(),
            out.elapsed.as_secs_f64(),
            rps,
            ms(h.value_at_quantile(0.50)),
            ms(h.value_at_quantile(0.95)),
            p99,
            ms(h.max()),
            out.errors,
            CREATE_TARGET_RPS,
            CREATE_TARGET_P99_MS,
            if met { "met" } else { "MISSED" }
        );
        print_errors(&out);
        // How far the outbox worker fell behind, and how long it took to catch up.
        let backlog = casebook::outbox::depth(db).await.unwrap_or(-1);
        let drain = wait_outbox(db, Duration::from_secs(120)).await;
        let line = format!(
            "{} create c={conc}: outbox backlog at end {backlog} jobs, drained in {}",
            backend.name(),
            match drain {
                Some(d) => format!("{:.2} s", d.as_secs_f64()),
                None => "more than 120 s (gave up waiting)".into(),
            }
        );
        println!("   {line}");
        notes.lines.push(line);
        figures.push(Figure {
            backend: backend.name(),
            phase: "create",
            variant: "POST /api/v1/tickets".into(),
            concurrency: conc,
            requests: h.len(),
            errors: out.errors,
            rps,
            p50: ms(h.value_at_quantile(0.50)),
            p95: ms(h.value_at_quantile(0.95)),
            p99,
            max: ms(h.max()),
            target: format!(">= {CREATE_TARGET_RPS:.0}/s, p99 <= {CREATE_TARGET_P99_MS:.0} ms"),
            met: Some(met),
        });
    }

    // ---- seed ----
    println!();
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&db.pool)
        .await?;
    let need = (args.list_tickets as i64 - existing).max(0) as usize;
    println!(
        "-- seed: {existing} tickets present, bulk-inserting {need} more by SQL (customer, customer_identity, ticket, message) --"
    );
    let t_seed = Instant::now();
    let seeded = seed(db, need, &[admin.id, other.id], &mut rng).await?;
    let seed_secs = t_seed.elapsed().as_secs_f64();
    let mut line = format!(
        "{} seed: {} customers + {} tickets + {} messages inserted in {:.1} s",
        backend.name(),
        seeded.customers,
        seeded.tickets,
        seeded.tickets,
        seed_secs
    );
    if backend == Backend::Postgres {
        // Autovacuum would analyze these tables soon after a load this size; do it now so the
        // planner sees the same statistics it would have in production.
        let t = Instant::now();
        for table in ["customer", "customer_identity", "ticket", "message"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                .execute(&db.pool)
                .await?;
        }
        let _ = write!(line, " (+ ANALYZE {:.1} s)", t.elapsed().as_secs_f64());
    } else {
        // Casebook's hourly upkeep refreshes SQLite's planner statistics (`PRAGMA optimize`);
        // run that pass now, as a server holding this much data would have.
        let t = Instant::now();
        db.optimize().await?;
        let _ = write!(
            line,
            " (+ PRAGMA optimize {:.1} s)",
            t.elapsed().as_secs_f64()
        );
    }
    println!("   {line}");
    notes.lines.push(line);
    let dist = status_distribution(db).await?;
    println!("   ticket mix: {dist}");
    notes
        .lines
        .push(format!("{} ticket mix for list: {dist}", backend.name()));

    // ---- list ----
    println!();
    println!(
        "-- list: GET /api/v1/tickets?limit=50, {} requests at concurrency {} --",
        args.list_requests, args.list_concurrency
    );
    println!("   target: p95 <= {LIST_TARGET_P95_MS:.0} ms");
    let (min_id, max_id): (i64, i64) = {
        let lo: i64 = sqlx::query_scalar("SELECT COALESCE(MIN(ticket_id), 0) FROM ticket")
            .fetch_one(&db.pool)
            .await?;
        let hi: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(ticket_id), 0) FROM ticket")
            .fetch_one(&db.pool)
            .await?;
        (lo, hi)
    };
    let variants: [(&str, &str); 5] = [
        ("first page", ""),
        ("queue=unassigned", "&queue=unassigned"),
        ("queue=open", "&queue=open"),
        ("status=pending", "&status=pending"),
        ("deep cursor", "&cursor="),
    ];
    let make_list = |rng: &mut StdRng, n: usize| -> Vec<Item> {
        (0..n)
            .map(|i| {
                let v = i % variants.len();
                let mut url = format!("{}/api/v1/tickets?limit=50{}", session.base, variants[v].1);
                if variants[v].1 == "&cursor=" {
                    let c = rng.gen_range(min_id.max(1)..=max_id.max(min_id.max(1)));
                    let _ = write!(url, "{c}");
                }
                Item {
                    variant: v,
                    url,
                    body: None,
                }
            })
            .collect()
    };
    let warm = make_list(&mut rng, variants.len() * 4);
    drive(
        &session,
        Arc::new(warm),
        args.list_concurrency,
        variants.len(),
        200,
    )
    .await;
    let items = make_list(&mut rng, args.list_requests);
    let out = drive(
        &session,
        Arc::new(items),
        args.list_concurrency,
        variants.len(),
        200,
    )
    .await;
    let total_rps = out.overall.len() as f64 / out.elapsed.as_secs_f64();
    for (v, (label, _)) in variants.iter().enumerate() {
        let h = &out.per_variant[v];
        push_list_figure(
            backend,
            label,
            args.list_concurrency,
            h,
            out.errors_per_variant[v],
            None,
            figures,
        );
    }
    push_list_figure(
        backend,
        "overall",
        args.list_concurrency,
        &out.overall,
        out.errors,
        Some(total_rps),
        figures,
    );
    for f in figures
        .iter()
        .filter(|f| f.backend == backend.name() && f.phase == "list")
    {
        println!(
            "   {:<17} {:>5} requests   p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>8.2} ms   errors {}   [p95 <= {:.0} ms: {}]",
            f.variant,
            f.requests,
            f.p50,
            f.p95,
            f.p99,
            f.max,
            f.errors,
            LIST_TARGET_P95_MS,
            if f.met == Some(true) { "met" } else { "MISSED" }
        );
    }
    println!(
        "   overall throughput: {total_rps:.1} requests/s over {:.2} s",
        out.elapsed.as_secs_f64()
    );
    print_errors(&out);
    Ok(())
}

fn push_list_figure(
    backend: Backend,
    label: &str,
    conc: usize,
    h: &Histogram<u64>,
    errors: u64,
    rps: Option<f64>,
    figures: &mut Vec<Figure>,
) {
    let p95 = ms(h.value_at_quantile(0.95));
    figures.push(Figure {
        backend: backend.name(),
        phase: "list",
        variant: label.to_string(),
        concurrency: conc,
        requests: h.len(),
        errors,
        rps: rps.unwrap_or(f64::NAN),
        p50: ms(h.value_at_quantile(0.50)),
        p95,
        p99: ms(h.value_at_quantile(0.99)),
        max: ms(h.max()),
        target: format!("p95 <= {LIST_TARGET_P95_MS:.0} ms"),
        met: (!h.is_empty()).then_some(p95 <= LIST_TARGET_P95_MS),
    });
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// One request to send: which variant it belongs to, where, and its JSON body (POST) if any.
struct Item {
    variant: usize,
    url: String,
    body: Option<String>,
}

struct Outcome {
    per_variant: Vec<Histogram<u64>>,
    errors_per_variant: Vec<u64>,
    overall: Histogram<u64>,
    errors: u64,
    error_samples: Vec<String>,
    elapsed: Duration,
}

fn new_hist() -> Histogram<u64> {
    // Microseconds, 1 µs .. 10 min, 3 significant figures.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds")
}

fn print_errors(out: &Outcome) {
    for e in &out.error_samples {
        println!("   error sample: {e}");
    }
}

const SUBJECTS: [&str; 6] = [
    "Cannot log in after password reset",
    "Invoice shows the wrong VAT number",
    "Export to CSV times out",
    "Where is my order?",
    "Feature request: dark mode",
    "Two-factor codes arrive late",
];

fn make_create_items(
    rng: &mut StdRng,
    session: &Session,
    n: usize,
    customers: usize,
    offset: usize,
) -> Vec<Item> {
    let url = format!("{}/api/v1/tickets", session.base);
    (0..n)
        .map(|i| {
            let c = rng.gen_range(0..customers);
            let subject = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
            let body = serde_json::json!({
                "customer": {"email": format!("customer{c}@bench.example"), "name": format!("Customer {c}")},
                "subject": format!("{subject} (#{})", offset + i + 1),
                "body": format!(
                    "Hello,\n\n{subject}. It started this morning and happens every time I try. \
                     I am on the Business plan, account {c}. Steps: open the app, sign in, go to \
                     settings, press save. Nothing happens and I see an error in the corner.\n\nThanks,\nCustomer {c}"
                ),
            });
            Item {
                variant: 0,
                url: url.clone(),
                body: Some(body.to_string()),
            }
        })
        .collect()
}

/// Sends every item with `concurrency` workers pulling from a shared counter; measures each
/// request from send to the last byte of the response body.
async fn drive(
    session: &Session,
    items: Arc<Vec<Item>>,
    concurrency: usize,
    variants: usize,
    expect: u16,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let items = items.clone();
        let next = next.clone();
        let client = session.client.clone();
        let token = session.token.clone();
        tasks.push(tokio::spawn(async move {
            let mut hists: Vec<Histogram<u64>> = (0..variants).map(|_| new_hist()).collect();
            let mut errors = vec![0u64; variants];
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let req = match &item.body {
                    Some(body) => client
                        .post(&item.url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone()),
                    None => client.get(&item.url),
                };
                let t0 = Instant::now();
                let res = async {
                    let resp = req.bearer_auth(&token).send().await?;
                    let status = resp.status();
                    let bytes = resp.bytes().await?;
                    Ok::<_, reqwest::Error>((status, bytes))
                }
                .await;
                let elapsed = t0.elapsed().as_micros().max(1) as u64;
                match res {
                    Ok((status, _)) if status.as_u16() == expect => {
                        let _ = hists[item.variant].record(elapsed);
                    }
                    Ok((status, bytes)) => {
                        errors[item.variant] += 1;
                        if samples.len() < 3 {
                            samples.push(format!(
                                "{} -> {status}: {}",
                                item.url,
                                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                            ));
                        }
                    }
                    Err(err) => {
                        errors[item.variant] += 1;
                        if samples.len() < 3 {
                            samples.push(format!("{} -> {err}", item.url));
                        }
                    }
                }
            }
            (hists, errors, samples)
        }));
    }
    let mut per_variant: Vec<Histogram<u64>> = (0..variants).map(|_| new_hist()).collect();
    let mut errors_per_variant = vec![0u64; variants];
    let mut error_samples = Vec::new();
    for t in tasks {
        let (hists, errors, samples) = t.await.expect("load task panicked");
        for (v, h) in hists.iter().enumerate() {
            per_variant[v].add(h).expect("same histogram bounds");
            errors_per_variant[v] += errors[v];
        }
        for s in samples {
            if error_samples.len() < 3 {
                error_samples.push(s);
            }
        }
    }
    let elapsed = start.elapsed();
    let mut overall = new_hist();
    for h in &per_variant {
        overall.add(h).expect("same histogram bounds");
    }
    Outcome {
        errors: errors_per_variant.iter().sum(),
        per_variant,
        errors_per_variant,
        overall,
        error_samples,
        elapsed,
    }
}

/// Waits until the outbox is empty; returns how long that took, or None on timeout.
async fn wait_outbox(db: &Db, limit: Duration) -> Option<Duration> {
    let t0 = Instant::now();
    loop {
        match casebook::outbox::depth(db).await {
            Ok(0) => return Some(t0.elapsed()),
            Ok(_) => {}
            Err(err) => {
                println!("   warning: reading outbox depth: {err:#}");
                return None;
            }
        }
        if t0.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Seeded {
    customers: usize,
    tickets: usize,
}

/// Rows per multi-row INSERT statement, and rows per transaction.
const ROWS_PER_STATEMENT: usize = 500;
const ROWS_PER_TX: usize = 25_000;

/// Runs multi-row INSERTs of the given value tuples, `ROWS_PER_TX` rows per transaction.
/// Every value is generated here (numbers and fixed words), never taken from input.
async fn bulk_insert(db: &Db, head: &str, rows: &[String]) -> Result<()> {
    for tx_rows in rows.chunks(ROWS_PER_TX) {
        let mut tx = db.begin().await?;
        for stmt_rows in tx_rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::with_capacity(head.len() + stmt_rows.len() * 200);
            sql.push_str(head);
            sql.push_str(" VALUES ");
            for (i, r) in stmt_rows.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(r);
            }
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("bulk insert: {head}"))?;
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn ids_above(db: &Db, table: &str, id_col: &str, above: i64) -> Result<Vec<i64>> {
    let sql = format!("SELECT {id_col} FROM {table} WHERE {id_col} > $1 ORDER BY {id_col}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(above)
        .fetch_all(&db.pool)
        .await?)
}

async fn max_id(db: &Db, table: &str, id_col: &str) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX({id_col}), 0) FROM {table}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&db.pool)
        .await?)
}

/// Bulk-inserts `n` tickets (one customer message each) over `n / 20` new customers, with an
/// age-dependent status mix: older tickets are mostly solved or closed, recent ones open.
async fn seed(db: &Db, n: usize, agents: &[i64], rng: &mut StdRng) -> Result<Seeded> {
    if n == 0 {
        return Ok(Seeded {
            customers: 0,
            tickets: 0,
        });
    }
    let now = chrono::Utc::now().timestamp_millis();
    let span_ms: i64 = 180 * 24 * 3_600_000;
    let n_customers = (n / 20).max(1);

    let cust_mark = max_id(db, "customer", "customer_id").await?;
    let rows: Vec<String> = (0..n_customers)
        .map(|i| {
            let t = now - span_ms - 86_400_000 + i as i64;
            format!("('Seed Customer {i}', {t}, {t})")
        })
        .collect();
    bulk_insert(
        db,
        "INSERT INTO customer (name, created_at, updated_at)",
        &rows,
    )
    .await?;
    let cust_ids = ids_above(db, "customer", "customer_id", cust_mark).await?;
    let rows: Vec<String> = cust_ids
        .iter()
        .map(|id| format!("({id}, 'email', 'seed{id}@bench.example', {now})"))
        .collect();
    bulk_insert(
        db,
        "INSERT INTO customer_identity (customer_id, kind, value, created_at)",
        &rows,
    )
    .await?;

    let ticket_mark = max_id(db, "ticket", "ticket_id").await?;
    let mut ticket_meta = Vec::with_capacity(n);
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let age_frac = i as f64 / n as f64; // 0 = oldest, 1 = newest
            let created = now - span_ms + (span_ms as f64 * age_frac) as i64;
            let roll: u32 = rng.gen_range(0..100);
            let status = if age_frac >= 0.8 {
                match roll {
                    0..25 => "new",
                    25..60 => "open",
                    60..75 => "pending",
                    _ => "solved",
                }
            } else {
                match roll {
                    0..5 => "pending",
                    5..35 => "solved",
                    _ => "closed",
                }
            };
            let assigned_pct = match status {
                "new" => 30,
                "open" | "pending" => 90,
                _ => 97,
            };
            let assignee = if rng.gen_range(0..100) < assigned_pct {
                agents[rng.gen_range(0..agents.len())].to_string()
            } else {
                "NULL".to_string()
            };
            let priority = ["low", "normal", "normal", "normal", "high", "urgent"]
                [rng.gen_range(0..6)];
            let customer = cust_ids[rng.gen_range(0..cust_ids.len())];
            let first_response = if status == "new" {
                "NULL".to_string()
            } else {
                (created + 3_600_000).to_string()
            };
            let solved = if matches!(status, "solved" | "closed") {
                (created + 86_400_000).to_string()
            } else {
                "NULL".to_string()
            };
            let closed = if status == "closed" {
                (created + 5 * 86_400_000).to_string()
            } else {
                "NULL".to_string()
            };
            let subject = SUBJECTS[i % SUBJECTS.len()];
            ticket_meta.push((customer, created));
            format!(
                "('{subject} (seed {i})', '{status}', '{priority}', 'email', {customer}, {assignee}, {created}, {created}, {first_response}, {solved}, {closed})"
            )
        })
        .collect();
    bulk_insert(
        db,
        "INSERT INTO ticket (subject, status, priority, channel, customer_id, assignee_id, created_at, updated_at, first_response_at, solved_at, closed_at)",
        &rows,
    )
    .await?;
    let ticket_ids = ids_above(db, "ticket", "ticket_id", ticket_mark).await?;
    if ticket_ids.len() != n {
        bail!("seed: expected {n} new tickets, found {}", ticket_ids.len());
    }
    let rows: Vec<String> = ticket_ids
        .iter()
        .zip(&ticket_meta)
        .map(|(id, (customer, created))| {
            format!(
                "({id}, 'customer', {customer}, 'public', 'Hello, this is seeded message {id}. Something does not work as expected; steps to reproduce follow. Open the app, sign in, press save, see the error.', {created})"
            )
        })
        .collect();
    bulk_insert(
        db,
        "INSERT INTO message (ticket_id, author_kind, customer_id, visibility, body_text, created_at)",
        &rows,
    )
    .await?;
    Ok(Seeded {
        customers: cust_ids.len(),
        tickets: n,
    })
}

async fn status_distribution(db: &Db) -> Result<String> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n, SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned
         FROM ticket GROUP BY status ORDER BY status",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut parts = Vec::new();
    let mut total = 0i64;
    for r in &rows {
        let status: String = r.try_get("status")?;
        let n: i64 = r.try_get("n")?;
        let un: i64 = r.try_get("unassigned")?;
        total += n;
        parts.push(format!("{status} {n} ({un} unassigned)"));
    }
    Ok(format!("{total} tickets: {}", parts.join(", ")))
}

fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{x:.decimals$}")
    }
}

fn summary_table(cores: usize, figures: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Casebook benchmark, {} build, {cores} cores; latencies in ms (client-measured, send to last byte).",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        }
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| backend | phase | variant | conc | requests | errors | req/s | p50 | p95 | p99 | max | target | met |"
    );
    let _ = writeln!(
        out,
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
    );
    for f in figures {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.backend,
            f.phase,
            f.variant,
            f.concurrency,
            f.requests,
            f.errors,
            fmt_num(f.rps, 1),
            fmt_num(f.p50, 2),
            fmt_num(f.p95, 2),
            fmt_num(f.p99, 2),
            fmt_num(f.max, 2),
            f.target,
            match f.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            }
        );
    }
    out
}
