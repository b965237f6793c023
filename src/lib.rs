//! Casebook: an open-source support helpdesk. This crate holds the whole application; `main.rs`
//! only parses the command line.

// First, so its `t!` macro is in scope in every module after it.
#[macro_use]
pub mod i18n;
pub mod assign;
pub mod auth;
#[doc(hidden)]
pub mod bench_support;
pub mod channels;
pub mod config;
pub mod customers;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod error;
pub mod intake;
pub mod janitor;
pub mod jobs;
pub mod live;
pub mod login_guard;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod ratelimit;
pub mod reports;
pub mod search;
pub mod settings;
pub mod sla;
pub mod state;
pub mod tickets;
pub mod web;
pub mod webhooks;

use anyhow::Context;
use config::Config;
use db::Db;
use domain::clock::SharedClock;
use state::AppState;
use std::net::SocketAddr;

/// A server started in this process: its address, its state, and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub server: tokio::task::JoinHandle<()>,
    pub workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops serving and the background workers (used by tests running many apps in one process).
    pub fn stop(&self) {
        self.server.abort();
        for w in &self.workers {
            w.abort();
        }
    }
}

/// Makes the allocator hand large blocks (uploads, attachments, big mail: 256 KiB and up) back
/// to the system as soon as they are freed, instead of keeping them for reuse: a burst of
/// uploads then costs memory only while it is being handled. (glibc's default threshold adapts
/// upwards after the first large free and then keeps such blocks.)
pub fn release_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; called before any thread
    // starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Connects to the database and applies migrations.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect_with(
        config.database_url.expose(),
        std::time::Duration::from_millis(config.db_acquire_timeout_ms.max(100)),
    )
    .await?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

/// Binds the configured address and serves the web UI, API and workers.
pub async fn start(config: Config, clock: SharedClock) -> anyhow::Result<Running> {
    let db = open_db(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let mut config = config;
    if config.base_url.ends_with(":0") {
        config.base_url = format!("http://{addr}");
    }
    let mailer = notify::Mailer::from_config(&config)?;
    let state = AppState::new(db, config, clock, mailer)?;
    state
        .default_locale
        .load(&state.db, state.now())
        .await
        .context("reading the default language")?;
    let mut workers = vec![
        tokio::spawn(live::run_pump(
            state.db.clone(),
            state.live.clone(),
            state.config.database_url.expose().to_string(),
        )),
        tokio::spawn(state.live.clone().run_flusher()),
        tokio::spawn(live::run_presence_expiry(
            state.live.clone(),
            state.clock.clone(),
        )),
    ];
    if state.config.workers {
        workers.push(tokio::spawn(maintenance(state.db.clone())));
        workers.push(tokio::spawn(jobs::run_worker(state.clone())));
        if state.db.backend == db::Backend::Postgres {
            workers.push(tokio::spawn(jobs::listen_for_jobs(state.clone())));
        }
        workers.push(tokio::spawn(sla::sweep::run(state.clone())));
        workers.push(tokio::spawn(assign::run_waker(state.clone())));
        workers.push(tokio::spawn(reports::facts::run(state.clone())));
        workers.push(tokio::spawn(janitor::run(state.clone())));
        workers.push(tokio::spawn(customers::attrs::run(state.clone())));
        if state.mailer.is_some() {
            workers.push(tokio::spawn(notify::inbox::run_digests(state.clone())));
        }
        workers.push(tokio::spawn(search::run_reconciler(
            state.clone(),
            std::time::Duration::from_secs(60),
        )));
        if !state.config.mailboxes.is_empty() {
            intake::imap::release_stale_leases(&state.db).await?;
        }
        for mailbox in state.config.mailboxes.clone() {
            workers.push(tokio::spawn(intake::imap::run_mailbox(
                state.clone(),
                mailbox,
            )));
        }
    }
    // The connection cap stays under the open-file limit, with room for the database,
    // mail and search connections.
    let max_connections = match web::server::raise_open_file_limit() {
        Some(files) => (state.config.max_connections as u64).min(files.saturating_sub(256).max(64)),
        None => state.config.max_connections as u64,
    } as usize;
    let limits = web::server::ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(state.config.header_timeout_secs.max(1)),
        max_connections,
    };
    let server = tokio::spawn(web::server::serve(
        listener,
        web::router(state.clone()),
        limits,
    ));
    Ok(Running {
        addr,
        state,
        server,
        workers,
    })
}

/// Periodic upkeep: planner statistics now and then every hour.
async fn maintenance(db: Db) {
    loop {
        if let Err(err) = db.optimize().await {
            tracing::warn!(error = %err, "database optimize failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASEBOOK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
