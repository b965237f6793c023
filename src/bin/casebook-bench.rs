//! casebook-bench: starts the real Casebook app in this process and measures it over real HTTP.
//!
//! Phases, per backend (SQLite file in a temp dir, fresh PostgreSQL database):
//! 1. `create`: `POST /api/v1/tickets` at each concurrency level, ~200 distinct customers.
//! 2. `list`: the database is topped up to `--list-tickets` tickets by bulk SQL, then
//!    `GET /api/v1/tickets?limit=50` is measured for the first page, the unassigned / open
//!    queues, the pending status and deep pages via random cursors.
//!
//! 3. `email` (when the local mail servers are configured, or alone with `--mail`), against
//!    Dovecot over IMAP: the latency from an IMAP APPEND into the watched mailbox to the ticket
//!    (the app waits with IDLE), and a bulk import of `--mail-messages` messages loaded into a
//!    fresh mailbox before the app starts, checked for lost, doubled and quarantined mail.
//!
//! It prints figures and the targets beside them; it never asserts a speed.

use anyhow::{Context, Result, bail};
use casebook::auth::{self, NewAgent};
use casebook::config::{Config, ImapTls, MailboxConfig, Secret};
use casebook::db::Db;
use casebook::domain::Role;
use casebook::domain::clock::SystemClock;
use clap::{Parser, ValueEnum};
use futures_util::TryStreamExt;
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
    about = "Measures ticket creation and listing over real HTTP, and email intake over IMAP, against SQLite and PostgreSQL"
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
    /// Workers of the routing and assignment job lane (`job_workers`; 0: the default).
    #[arg(long, default_value_t = 0)]
    job_workers: usize,
    /// Keep the databases afterwards (prints where they are) instead of deleting them.
    #[arg(long)]
    keep: bool,
    /// Seed for the pseudo-random choices (emails, statuses, cursors).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Run only the email phase (IMAP IDLE latency and bulk import). Without it the email phase
    /// runs after the others when the mail servers are configured (CASEBOOK_TEST_IMAP_HOST and
    /// CASEBOOK_TEST_MAIL_SHARED_PASSWORD, from `source /tmp/casebook-mail/env`).
    #[arg(long)]
    mail: bool,
    /// Messages loaded into the mailbox for the bulk-import measurement.
    #[arg(long, default_value_t = 10_000)]
    mail_messages: usize,
    /// Messages injected one at a time for the IDLE-latency measurement.
    #[arg(long, default_value_t = 200)]
    mail_idle_messages: usize,
    /// Distinct sender addresses the bulk-loaded messages come from.
    #[arg(long, default_value_t = 300)]
    mail_senders: usize,
}

const CREATE_TARGET_RPS: f64 = 300.0;
const CREATE_TARGET_P99_MS: f64 = 50.0;
const LIST_TARGET_P95_MS: f64 = 100.0;
const MAIL_IDLE_TARGET_P95_MS: f64 = 3_000.0;
const MAIL_BULK_TARGET_RATE: f64 = 100.0;

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
    if args.list_concurrency == 0 || args.customers == 0 || args.mail_senders == 0 {
        bail!("--list-concurrency, --customers and --mail-senders must be above zero");
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
    let mail_env = MailEnv::from_env();
    if !args.mail {
        println!(
            "plan:    create {} tickets at concurrency {:?} over {} customers; list with {} tickets, {} requests at concurrency {}",
            args.tickets,
            args.concurrency,
            args.customers,
            args.list_tickets,
            args.list_requests,
            args.list_concurrency
        );
    }
    let mut notes = Notes { lines: Vec::new() };
    match &mail_env {
        Some(env) => println!(
            "plan:    email via IMAP {}:{}: {} messages one by one for IDLE latency; bulk import of {} messages from {} senders",
            env.host, env.port, args.mail_idle_messages, args.mail_messages, args.mail_senders
        ),
        None => {
            let line = "SKIP email phase: mail servers not configured (run .ci/mail-servers.sh, then `source /tmp/casebook-mail/env`)".to_string();
            println!("{line}");
            notes.lines.push(line);
        }
    }
    println!("note:    client and server share this process and its cores");

    let backends: Vec<Backend> = match args.backend {
        BackendChoice::Sqlite => vec![Backend::Sqlite],
        BackendChoice::Postgres => vec![Backend::Postgres],
        BackendChoice::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let mut figures = Vec::new();
    for backend in backends {
        println!();
        println!("== {} ==", backend.name());
        if !args.mail {
            let t0 = Instant::now();
            let result = bench_backend(backend, &args, &mut figures, &mut notes).await;
            note_phase(&mut notes, backend, "create and list phases", t0, result);
        }
        if let Some(env) = &mail_env {
            let t0 = Instant::now();
            let result = bench_mail(backend, env, &args, &mut figures, &mut notes).await;
            note_phase(&mut notes, backend, "email phase", t0, result);
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
        job_workers: args.job_workers,
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
    if figures.iter().any(|f| f.phase == "email") {
        let _ = writeln!(
            out,
            "Email rows: `IDLE → ticket` is from sending an IMAP APPEND to the ticket row being visible (polled every 5 ms); `bulk import` counts messages/s from app start until every ticket exists, and its errors are lost + doubled + quarantined messages."
        );
    }
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

// ---- email ----

type ImapSession = async_imap::Session<tokio::net::TcpStream>;

const TICKET_COUNT: &str = "SELECT COUNT(*) FROM ticket";

/// The local mail servers, from the env file `.ci/mail-servers.sh` writes
/// (`source /tmp/casebook-mail/env`): any address in `helpdesk.test` is a mailbox with the
/// shared password, created on first login.
struct MailEnv {
    host: String,
    port: u16,
    password: String,
}

impl MailEnv {
    fn from_env() -> Option<MailEnv> {
        let host = std::env::var("CASEBOOK_TEST_IMAP_HOST").ok()?;
        let password = std::env::var("CASEBOOK_TEST_MAIL_SHARED_PASSWORD").ok()?;
        let port = std::env::var("CASEBOOK_TEST_IMAP_PORT")
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1143);
        Some(MailEnv {
            host,
            port,
            password,
        })
    }

    fn fresh_user(prefix: &str) -> String {
        format!("{}@helpdesk.test", random_name(prefix))
    }

    fn mailbox(&self, user: &str) -> MailboxConfig {
        MailboxConfig {
            host: self.host.clone(),
            port: self.port,
            user: user.to_string(),
            password: Secret::new(self.password.clone()),
            tls: ImapTls::None,
            folder: "INBOX".into(),
            archive_folder: None,
            // Five minutes: only IDLE makes new mail show up quickly.
            poll_secs: 300,
            idle: true,
            idle_wait_secs: 25,
            command_timeout_secs: 60,
            before_idle: None,
        }
    }

    /// The app's configuration for one mailbox. The per-sender cap is lifted so a bulk load
    /// from a few hundred senders is not quarantined as a flood.
    fn app_config(&self, url: &str, user: &str) -> Config {
        Config {
            database_url: Secret::new(url),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            mailboxes: vec![self.mailbox(user)],
            email_rate_per_hour: 1_000_000_000,
            ..Default::default()
        }
    }

    async fn session(&self, user: &str) -> Result<ImapSession> {
        let tcp = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .context("IMAP connect timed out")?
        .with_context(|| format!("connecting to IMAP {}:{}", self.host, self.port))?;
        // APPEND writes the literal and its closing CRLF separately: without this, Nagle's
        // algorithm can hold the last bytes back for a delayed ACK and add ~40 ms.
        tcp.set_nodelay(true)?;
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await?.context("no IMAP greeting")?;
        client
            .login(user, &self.password)
            .await
            .map_err(|(e, _)| anyhow::anyhow!("IMAP login as {user} failed: {e}"))
    }

    /// Deletes every message in a benchmark mailbox, so repeated runs do not fill the disk of a
    /// mail server others use too.
    async fn empty(&self, user: &str) -> Result<()> {
        let mut s = self.session(user).await?;
        let mailbox = s.select("INBOX").await?;
        if mailbox.exists > 0 {
            {
                let stream = s.store("1:*", "+FLAGS.SILENT (\\Deleted)").await?;
                let _: Vec<_> = stream.try_collect().await?;
            }
            {
                let stream = s.expunge().await?;
                let _: Vec<_> = stream.try_collect().await?;
            }
        }
        let _ = s.logout().await;
        Ok(())
    }

    async fn tidy(&self, user: &str, keep: bool) {
        if keep {
            println!("   kept mailbox: {user}");
        } else if let Err(err) = self.empty(user).await {
            println!("   warning: could not empty mailbox {user}: {err:#}");
        }
    }
}

/// What customers write about: a subject and the paragraph that explains it.
const MAIL_TOPICS: [(&str, &str); 8] = [
    (
        "Cannot log in after password reset",
        "I reset my password this morning as the email said, but the login page keeps telling me the password is wrong. I tried twice more with a new one and it is the same.",
    ),
    (
        "Invoice shows the wrong VAT number",
        "The invoice for last month has our old VAT number on it. Our finance team cannot book it like this. Could you send a corrected copy?",
    ),
    (
        "Export to CSV times out",
        "When I export the orders report to CSV the page spins for a minute and then shows a timeout. Smaller date ranges work, the full quarter does not.",
    ),
    (
        "Where is my order?",
        "I ordered two weeks ago and the tracking page still says the parcel is being prepared. Can you tell me when it will ship?",
    ),
    (
        "Feature request: dark mode",
        "Several of us work late and would love a dark theme for the dashboard. Is this on your roadmap?",
    ),
    (
        "Two-factor codes arrive late",
        "The text message with the login code often arrives after it has already expired, sometimes five minutes late. My colleague has the same problem.",
    ),
    (
        "Please cancel my subscription",
        "We are closing the shop at the end of the month. Please cancel the subscription and confirm that no further payments will be taken.",
    ),
    (
        "Wrong size delivered",
        "I ordered the jacket in M and received an L. The label on the box says M. How do I exchange it?",
    ),
];

const MAIL_DETAILS: [&str; 5] = [
    "I am on the Business plan and use the web app in Firefox on Windows.",
    "This happens on both my laptop and my phone.",
    "A screenshot would not show much, the page just stays blank.",
    "It worked fine until last week.",
    "Our account manager said to write to this address.",
];

const FIRST_NAMES: [&str; 12] = [
    "Rosa", "Jamal", "Ingrid", "Wei", "Fatima", "Lukas", "Amara", "Mateo", "Yuki", "Olga", "Priya",
    "Tomás",
];
const LAST_NAMES: [&str; 10] = [
    "Schmidt",
    "Okafor",
    "Lindqvist",
    "Chen",
    "Haddad",
    "Müller",
    "Nowak",
    "García",
    "Tanaka",
    "Ivanova",
];
const SENDER_DOMAINS: [&str; 4] = [
    "customer.test",
    "acme-shop.example",
    "mail.example",
    "northwind.example",
];

/// Sender `k`'s display name and address.
fn mail_sender(k: usize) -> (String, String) {
    let first = FIRST_NAMES[k % FIRST_NAMES.len()];
    let last = LAST_NAMES[(k / FIRST_NAMES.len()) % LAST_NAMES.len()];
    let ascii = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                'á' => Some('a'),
                'ü' => Some('u'),
                'í' => Some('i'),
                c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    let domain = SENDER_DOMAINS[k % SENDER_DOMAINS.len()];
    (
        format!("{first} {last}"),
        format!("{}.{}{k}@{domain}", ascii(first), ascii(last)),
    )
}

/// A From header value; non-ASCII display names as an RFC 2047 encoded word, as mail clients do.
fn from_header(name: &str, addr: &str) -> String {
    use base64::Engine as _;
    if name.is_ascii() {
        format!("\"{name}\" <{addr}>")
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(name.as_bytes());
        format!("=?utf-8?b?{b64}?= <{addr}>")
    }
}

/// Picks a sender with a skew: a few customers write often, most write now and then.
fn pick_sender(rng: &mut StdRng, senders: usize) -> usize {
    let x: f64 = rng.r#gen();
    ((x * x * senders as f64) as usize).min(senders - 1)
}

/// One small, realistic customer email; its index makes the subject and Message-ID unique.
/// Half are plain text, one in five answers an earlier (unknown) support mail with the quote
/// below, and the rest are multipart/alternative with an HTML part.
fn make_mail(run: &str, i: usize, sender: usize, to: &str) -> Vec<u8> {
    let (name, addr) = mail_sender(sender);
    let first = name.split(' ').next().unwrap_or_default();
    let (topic, para) = MAIL_TOPICS[(i * 7 + sender) % MAIL_TOPICS.len()];
    let detail = MAIL_DETAILS[(i / 3 + sender) % MAIL_DETAILS.len()];
    let domain = addr
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("mail.example");
    let subject = format!("{topic} (ref {run}-{i:05})");
    let mut out = format!(
        "From: {}\nTo: Support <{to}>\nDate: {}\nMessage-ID: <{run}.{i}.{sender}@{domain}>\nMIME-Version: 1.0\n",
        from_header(&name, &addr),
        chrono::Utc::now().to_rfc2822(),
    );
    match i % 10 {
        5 | 6 => {
            let _ = write!(
                out,
                "Subject: Re: {subject}\nIn-Reply-To: <agent.{run}.{i}@helpdesk.test>\nReferences: <{run}.{i}.0@{domain}> <agent.{run}.{i}@helpdesk.test>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
                 Hi,\n\nthanks for getting back to me. I tried what you suggested but it did not help. {detail}\n\nBest,\n{first}\n\n\
                 On Tue, 3 Nov 2026 at 09:14, Support <{to}> wrote:\n\
                 > Hello {first},\n>\n> thank you for your message. Could you try again in a private browser\n\
                 > window and tell us whether the problem remains?\n>\n> Kind regards,\n> Support\n>\n\
                 >> {para}\n"
            );
        }
        7..=9 => {
            let boundary = format!("=_alt_{run}_{i}");
            let _ = write!(
                out,
                "Subject: {subject}\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\n\n\
                 --{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
                 Hello,\n\n{para}\n\n{detail}\n\nKind regards,\n{name}\n\n\
                 --{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
                 <html><head><style>p {{ margin: 0 0 1em; }}</style></head><body>\
                 <div dir=\"ltr\"><p>Hello,</p><p>{para}</p><p><b>{detail}</b></p>\
                 <p>Kind regards,<br>{name}</p></div></body></html>\n\
                 --{boundary}--\n"
            );
        }
        _ => {
            let _ = write!(
                out,
                "Subject: {subject}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
                 Hello,\n\n{para}\n\n{detail}\n\nThanks,\n{name}\n"
            );
        }
    }
    out.replace('\n', "\r\n").into_bytes()
}

async fn count(db: &Db, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(&db.pool).await?)
}

/// Polls `sql` (a count) every `every` until it reaches `want`; false on timeout.
async fn wait_count(
    db: &Db,
    sql: &'static str,
    want: i64,
    limit: Duration,
    every: Duration,
) -> Result<bool> {
    let t0 = Instant::now();
    loop {
        if count(db, sql).await? >= want {
            return Ok(true);
        }
        if t0.elapsed() > limit {
            return Ok(false);
        }
        tokio::time::sleep(every).await;
    }
}

/// The email phase on one backend: IDLE latency, then bulk import, each with a fresh database
/// and a fresh mailbox. Ok(false) means skipped.
async fn bench_mail(
    backend: Backend,
    env: &MailEnv,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<bool> {
    println!();
    println!(
        "-- email: IMAP APPEND -> ticket with the fetcher in IDLE, {} messages one at a time --",
        args.mail_idle_messages
    );
    println!("   target: p95 <= {MAIL_IDLE_TARGET_P95_MS:.0} ms");
    let Some((url, fresh)) = fresh_database(backend).await? else {
        notes.lines.push(format!(
            "{}: email phase SKIPPED (database not reachable)",
            backend.name()
        ));
        return Ok(false);
    };
    let user = MailEnv::fresh_user("bench-idle-");
    let result = mail_idle(backend, env, &url, &user, args, figures, notes).await;
    fresh.cleanup(args.keep, &url).await;
    env.tidy(&user, args.keep).await;
    if let Err(err) = result {
        let line = format!("{} email IDLE latency: FAILED: {err:#}", backend.name());
        println!("   {line}");
        notes.lines.push(line);
    }

    println!();
    println!(
        "-- email: bulk import of {} messages waiting in the mailbox when the app starts --",
        args.mail_messages
    );
    println!(
        "   target: >= {MAIL_BULK_TARGET_RATE:.0} messages/s on SQLite; none lost, doubled or quarantined"
    );
    let Some((url, fresh)) = fresh_database(backend).await? else {
        return Ok(true);
    };
    let user = MailEnv::fresh_user("bench-bulk-");
    let result = mail_bulk(backend, env, &url, &user, args, figures, notes).await;
    fresh.cleanup(args.keep, &url).await;
    env.tidy(&user, args.keep).await;
    if let Err(err) = result {
        let line = format!("{} email bulk import: FAILED: {err:#}", backend.name());
        println!("   {line}");
        notes.lines.push(line);
    }
    Ok(true)
}

async fn mail_idle(
    backend: Backend,
    env: &MailEnv,
    url: &str,
    user: &str,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<()> {
    // The injecting connection logs in first, which also creates the mailbox.
    let mut inject = env.session(user).await?;
    let running = casebook::start(env.app_config(url, user), Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let result =
        mail_idle_running(backend, &running, &mut inject, user, args, figures, notes).await;
    running.stop();
    running.state.db.pool.close().await;
    let _ = inject.logout().await;
    result
}

async fn mail_idle_running(
    backend: Backend,
    running: &casebook::Running,
    inject: &mut ImapSession,
    user: &str,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<()> {
    let db = &running.state.db;
    let t = Instant::now();
    let leased = wait_count(
        db,
        "SELECT COUNT(*) FROM mailbox_state WHERE lease_owner IS NOT NULL",
        1,
        Duration::from_secs(30),
        Duration::from_millis(10),
    )
    .await?;
    if !leased {
        bail!("the fetcher did not take the mailbox within 30 s");
    }
    let run = random_name("i");
    let mut rng = StdRng::seed_from_u64(args.seed ^ 0x1d1e);
    inject
        .append("INBOX", None, None, make_mail(&run, 0, 0, user))
        .await
        .context("IMAP APPEND of the warm-up message")?;
    if !wait_count(
        db,
        TICKET_COUNT,
        1,
        Duration::from_secs(30),
        Duration::from_millis(5),
    )
    .await?
    {
        bail!("the warm-up message did not become a ticket within 30 s");
    }
    println!(
        "   fetcher connected; warm-up message became a ticket {:.2} s after start",
        t.elapsed().as_secs_f64()
    );
    // Let the fetcher settle into IDLE.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let n = args.mail_idle_messages;
    let mut latency = new_hist();
    let mut append_rtt = new_hist();
    let mut errors = 0u64;
    for i in 1..=n {
        let raw = make_mail(&run, i, pick_sender(&mut rng, args.mail_senders), user);
        // Arrivals a little apart, as real mail comes; not part of the measurement.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..100))).await;
        let t0 = Instant::now();
        inject
            .append("INBOX", None, None, &raw)
            .await
            .with_context(|| format!("IMAP APPEND of message {i}"))?;
        let appended = t0.elapsed();
        let arrived = wait_count(
            db,
            TICKET_COUNT,
            i as i64 + 1,
            Duration::from_secs(30),
            Duration::from_millis(5),
        )
        .await?;
        if !arrived {
            errors += 1;
            println!("   message {i} did not become a ticket within 30 s; stopping here");
            break;
        }
        let _ = latency.record(t0.elapsed().as_micros().max(1) as u64);
        let _ = append_rtt.record(appended.as_micros().max(1) as u64);
    }
    let p95 = ms(latency.value_at_quantile(0.95));
    let met = errors == 0 && !latency.is_empty() && p95 <= MAIL_IDLE_TARGET_P95_MS;
    println!(
        "   {:>5} messages   p50 {:>8.2}  p95 {:>8.2}  p99 {:>8.2}  max {:>8.2} ms   errors {errors}   [p95 <= {:.0} ms: {}]",
        latency.len(),
        ms(latency.value_at_quantile(0.50)),
        p95,
        ms(latency.value_at_quantile(0.99)),
        ms(latency.max()),
        MAIL_IDLE_TARGET_P95_MS,
        if met { "met" } else { "MISSED" }
    );
    let line = format!(
        "{} email IDLE: the APPEND itself (client to Dovecot and back) took p50 {:.2} ms, p99 {:.2} ms of that",
        backend.name(),
        ms(append_rtt.value_at_quantile(0.50)),
        ms(append_rtt.value_at_quantile(0.99)),
    );
    println!("   {line}");
    notes.lines.push(line);
    figures.push(Figure {
        backend: backend.name(),
        phase: "email",
        variant: "IDLE → ticket".into(),
        concurrency: 1,
        requests: latency.len(),
        errors,
        rps: f64::NAN,
        p50: ms(latency.value_at_quantile(0.50)),
        p95,
        p99: ms(latency.value_at_quantile(0.99)),
        max: ms(latency.max()),
        target: format!("p95 <= {MAIL_IDLE_TARGET_P95_MS:.0} ms"),
        met: Some(met),
    });
    Ok(())
}

async fn mail_bulk(
    backend: Backend,
    env: &MailEnv,
    url: &str,
    user: &str,
    args: &Args,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<()> {
    let n = args.mail_messages;
    if n == 0 {
        return Ok(());
    }
    let run = random_name("b");
    let mut rng = StdRng::seed_from_u64(args.seed ^ 0xb0b);
    let t_load = Instant::now();
    let mut session = env.session(user).await?;
    let mut bytes = 0usize;
    let mut senders = std::collections::HashSet::new();
    for i in 0..n {
        let sender = pick_sender(&mut rng, args.mail_senders);
        senders.insert(sender);
        let raw = make_mail(&run, i, sender, user);
        bytes += raw.len();
        session
            .append("INBOX", None, None, &raw)
            .await
            .with_context(|| format!("IMAP APPEND of message {i}"))?;
    }
    let _ = session.logout().await;
    let load_secs = t_load.elapsed().as_secs_f64();
    println!(
        "   loaded {n} messages ({:.1} KB average, {} senders; 50% plain, 20% quoted replies, 30% text+HTML) over one IMAP connection in {load_secs:.1} s ({:.0} APPENDs/s)",
        bytes as f64 / n as f64 / 1024.0,
        senders.len(),
        n as f64 / load_secs
    );

    let t0 = Instant::now();
    let running = casebook::start(env.app_config(url, user), Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let result = mail_bulk_running(backend, &running, t0, n, figures, notes).await;
    running.stop();
    running.state.db.pool.close().await;
    let total = result?;

    // Where the time goes: the same fetch and parse work alone, without the database.
    match fetch_parse_alone(env, user).await {
        Ok((fetched, fetch, parse)) if fetched > 0 => {
            let per = |d: Duration| d.as_secs_f64() * 1000.0 / fetched as f64;
            let all = total.as_secs_f64() * 1000.0 / n as f64;
            let line = format!(
                "{} email bulk: {all:.2} ms per message in all; alone, fetching it over IMAP (UID FETCH, 50 at a time) takes {:.2} ms and parsing it {:.2} ms, which leaves {:.2} ms for storing (raw copy, sender cap, ticket transaction, checkpoint), \\Seen flags and the outbox worker",
                backend.name(),
                per(fetch),
                per(parse),
                (all - per(fetch) - per(parse)).max(0.0)
            );
            println!("   {line}");
            notes.lines.push(line);
        }
        Ok(_) => {}
        Err(err) => println!("   warning: fetch/parse breakdown failed: {err:#}"),
    }
    Ok(())
}

/// Waits for every loaded message to become a ticket, checks none was lost, doubled or held,
/// and returns the time from app start until the last ticket existed.
async fn mail_bulk_running(
    backend: Backend,
    running: &casebook::Running,
    t0: Instant,
    n: usize,
    figures: &mut Vec<Figure>,
    notes: &mut Notes,
) -> Result<Duration> {
    let db = &running.state.db;
    let want = n as i64;
    let mut first: Option<Duration> = None;
    let mut progress = (0i64, Instant::now());
    let mut report_at = Duration::from_secs(10);
    let done = loop {
        let c = count(db, TICKET_COUNT).await?;
        let elapsed = t0.elapsed();
        if c > 0 && first.is_none() {
            first = Some(elapsed);
        }
        if c >= want {
            break Some(elapsed);
        }
        if c > progress.0 {
            progress = (c, Instant::now());
        } else if progress.1.elapsed() > Duration::from_secs(60) {
            break None;
        }
        if elapsed >= report_at {
            println!("   ... {c} tickets after {:.0} s", elapsed.as_secs_f64());
            report_at += Duration::from_secs(10);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Let the fetcher finish its pass (its checkpoint reaches the last UID), so anything it
    // would store twice is stored before counting.
    let checkpointed = wait_count(
        db,
        "SELECT COALESCE(MAX(last_uid), 0) FROM mailbox_state",
        want,
        Duration::from_secs(30),
        Duration::from_millis(20),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let tickets = count(db, TICKET_COUNT).await?;
    let messages = count(
        db,
        "SELECT COUNT(*) FROM message WHERE author_kind = 'customer'",
    )
    .await?;
    let distinct = count(db, "SELECT COUNT(DISTINCT subject) FROM ticket").await?;
    let held = count(db, "SELECT COUNT(*) FROM quarantine").await?;
    let raw = count(db, "SELECT COUNT(*) FROM raw_email").await?;
    let customers = count(db, "SELECT COUNT(*) FROM customer").await?;
    let backlog = casebook::outbox::depth(db).await.unwrap_or(-1);
    let lost = (want - distinct).max(0);
    let doubled = (tickets - distinct).max(0) + (messages - tickets).max(0);
    let verified = tickets == want && messages == want && distinct == want && held == 0;

    let Some(total) = done else {
        bail!(
            "stalled: {tickets} of {n} tickets, no progress for 60 s ({held} quarantined, {raw} raw emails stored)"
        );
    };
    let secs = total.as_secs_f64();
    let rate = want as f64 / secs;
    let first_secs = first.unwrap_or(total).as_secs_f64();
    let steady = if secs > first_secs {
        (want - 1) as f64 / (secs - first_secs)
    } else {
        f64::NAN
    };
    let rate_met = rate >= MAIL_BULK_TARGET_RATE;
    let met = verified
        && match backend {
            Backend::Sqlite => rate_met,
            Backend::Postgres => true,
        };
    println!(
        "   {n} messages in {secs:.1} s = {rate:.1} messages/s (first ticket after {first_secs:.2} s, then {steady:.1}/s)   [>= {MAIL_BULK_TARGET_RATE:.0}/s{}: {}]",
        if backend == Backend::Sqlite {
            ""
        } else {
            " is the SQLite target"
        },
        if rate_met { "met" } else { "MISSED" }
    );
    let check = format!(
        "tickets {tickets}, customer messages {messages}, distinct subjects {distinct}, quarantined {held}, raw emails {raw}, customers {customers}{}: {}",
        if checkpointed {
            ""
        } else {
            " (checkpoint did not reach the last UID)"
        },
        if verified {
            "none lost or doubled"
        } else {
            "MISMATCH"
        }
    );
    println!("   {check}");
    let line = format!(
        "{} email bulk: {n} messages in {secs:.1} s = {rate:.1}/s from app start (first ticket after {first_secs:.2} s, {steady:.1}/s after that); {check}; outbox backlog at the end {backlog} jobs",
        backend.name()
    );
    notes.lines.push(line);
    figures.push(Figure {
        backend: backend.name(),
        phase: "email",
        variant: format!("bulk import {n} msgs"),
        concurrency: 1,
        requests: tickets.max(0) as u64,
        errors: (lost + doubled + held) as u64,
        rps: rate,
        p50: f64::NAN,
        p95: f64::NAN,
        p99: f64::NAN,
        max: f64::NAN,
        target: match backend {
            Backend::Sqlite => format!(">= {MAIL_BULK_TARGET_RATE:.0} msg/s, none lost/doubled"),
            Backend::Postgres => "none lost/doubled (rate target is SQLite's)".into(),
        },
        met: Some(met),
    });
    Ok(total)
}

/// Fetches every message of the mailbox the way the app does (UID SEARCH, then UID FETCH of
/// BODY.PEEK[] 50 UIDs at a time) and parses each one: how long these take without storage.
async fn fetch_parse_alone(env: &MailEnv, user: &str) -> Result<(usize, Duration, Duration)> {
    let mut session = env.session(user).await?;
    let t = Instant::now();
    session.select("INBOX").await?;
    let mut uids: Vec<u32> = session.uid_search("UID 1:*").await?.into_iter().collect();
    uids.sort_unstable();
    let mut bodies = Vec::with_capacity(uids.len());
    for chunk in uids.chunks(50) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut stream = session.uid_fetch(&set, "(UID BODY.PEEK[])").await?;
        while let Some(f) = stream.try_next().await? {
            if let Some(body) = f.body() {
                bodies.push(body.to_vec());
            }
        }
    }
    let fetch = t.elapsed();
    let _ = session.logout().await;
    let limits = casebook::email::Limits::default();
    let t = Instant::now();
    let mut failed = 0usize;
    for raw in &bodies {
        if casebook::email::parse(raw, &limits).is_err() {
            failed += 1;
        }
    }
    let parse = t.elapsed();
    if failed > 0 {
        println!("   warning: {failed} of the bench messages did not parse");
    }
    Ok((bodies.len(), fetch, parse))
}

/// Prints and records how a phase went: its duration when it ran, its error when it failed
/// (a skipped phase has already said why).
fn note_phase(
    notes: &mut Notes,
    backend: Backend,
    phase: &str,
    started: Instant,
    result: Result<bool>,
) {
    let line = match result {
        Ok(true) => format!(
            "{}: {phase} took {:.1} s",
            backend.name(),
            started.elapsed().as_secs_f64()
        ),
        Ok(false) => return,
        Err(err) => format!("{}: {phase} FAILED: {err:#}", backend.name()),
    };
    println!("{line}");
    notes.lines.push(line);
}
