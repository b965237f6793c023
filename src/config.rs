//! Typed configuration: an optional `casebook.toml`, then `CASEBOOK_*` environment variables, which win.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A value that must never be printed (passwords, keys, URLs with credentials).
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path` or `postgres://...`. Secret because it may carry a password.
    pub database_url: Secret,
    pub bind: String,
    /// Public URL of this installation, used in links sent to customers.
    pub base_url: String,
    pub data_dir: PathBuf,
    pub meili_url: Option<String>,
    pub meili_key: Option<Secret>,
    pub smtp_url: Option<Secret>,
    pub support_address: Option<String>,
    /// IMAP mailboxes to fetch (`[[mailbox]]` tables in the file; `CASEBOOK_IMAP_*` adds one).
    #[serde(rename = "mailbox")]
    pub mailboxes: Vec<MailboxConfig>,
    /// Largest inbound email accepted, in bytes; bigger ones are quarantined as `too_large`.
    pub max_email_bytes: usize,
    /// Inbound emails one sender may turn into messages per hour; the rest are quarantined.
    pub email_rate_per_hour: i64,
    /// Run background workers (outbox) in this process.
    pub workers: bool,
    /// Workers of the main job lane (routing, assignment); 0 sizes it to the cores (at least 2).
    /// Mail, search indexing and bulk changes have lanes of their own.
    pub job_workers: usize,
    /// How often the outbox worker looks for due jobs, in milliseconds.
    pub outbox_poll_ms: u64,
    /// How long a claimed outbox job stays reserved for its worker, in milliseconds.
    pub outbox_lease_ms: i64,
    /// Bytes one live stream (`/events`) may have waiting to be sent; a client that falls this
    /// far behind is dropped (its browser reconnects and catches up).
    pub live_buffer_bytes: usize,
    /// How long a request waits for a database connection before it is answered 503 (the
    /// database is down or overloaded), in milliseconds.
    pub db_acquire_timeout_ms: u64,
    /// How long a logged-in session lasts without logging in again, in hours.
    pub session_hours: i64,
    /// Largest request body accepted, in bytes (attachments included).
    pub max_body_bytes: usize,
    /// Largest post of the public web form, in bytes (at most `max_body_bytes`).
    pub max_support_body_bytes: usize,
    /// Largest single attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// Bytes of large request bodies (64 KiB and up) in memory at once, across all requests;
    /// more wait their turn (at least `max_body_bytes` is always allowed).
    pub max_upload_bytes_in_flight: usize,
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open.
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a whole request body (one that stalls for 30 s is cut off
    /// sooner).
    pub body_timeout_secs: u64,
    /// Connections open at once; beyond it new connections are closed.
    pub max_connections: usize,
    /// Hold mail the receiving server found forged (DMARC fail, or SPF fail without DKIM) in
    /// quarantine as `spoofed` instead of writing it into a ticket.
    pub spoof_check: bool,
    /// The authserv-id of the mail server whose `Authentication-Results` count (default: the
    /// topmost header).
    pub authserv_id: Option<String>,
    /// Public form: submissions per IP address per hour.
    pub form_rate_per_hour: u32,
    /// Failed logins per address and IP before login is refused for a while.
    pub login_attempts: u32,
    /// How often the SLA sweeper looks for due warnings and breaches, in milliseconds.
    pub sla_sweep_ms: u64,
    /// Shifts this process's clock by this many milliseconds. A testing and operations knob
    /// (rehearsing what happens when SLA clocks fall due); leave it at 0 in production.
    pub clock_offset_ms: i64,
    /// Shared secret of the signed CRM webhook (`POST /api/v1/crm/webhook`); unset disables it.
    pub crm_webhook_secret: Option<Secret>,
    /// When set, `GET /metrics` answers only `Authorization: Bearer <this>`.
    pub metrics_token: Option<Secret>,
    /// Days during which a customer merge can be undone.
    pub merge_undo_days: i64,
    /// IANA time zone reports count days, weeks and business hours in.
    pub report_time_zone: String,
    /// The language (`en`, `ko` or `ar`) of pages and mail for people whose browser and
    /// history say nothing Casebook speaks.
    pub default_locale: String,
    /// Days a finished outbox job is kept before the janitor deletes it.
    pub outbox_retention_days: i64,
    /// Days an outbox job that gave up (shown to admins) is kept before the janitor deletes it.
    pub failed_job_retention_days: i64,
    /// Days the idempotency keys of the web form and the API are kept (email keys are kept).
    pub idempotency_retention_days: i64,
    /// Days a ticket's change events are kept.
    pub change_event_retention_days: i64,
    /// Seconds between two runs of the janitor, which deletes rows past their retention.
    pub janitor_interval_secs: i64,
    /// Minutes between two notification digests to one agent (and how long a notification stays
    /// unread before it is mailed).
    pub notification_digest_minutes: i64,
    /// How long one webhook delivery may take (connecting, sending, and reading the first KiB of
    /// the answer), in milliseconds; slower receivers count as failed and are retried.
    pub webhook_timeout_ms: u64,
    /// Workers of the webhook lane (deliveries to different tickets or subscriptions at once).
    pub webhook_workers: usize,
    /// A webhook subscription is disabled after this many failed attempts in a row …
    pub webhook_disable_after_failures: i64,
    /// … that have gone on for at least this long, in milliseconds.
    pub webhook_disable_after_ms: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: Secret::new("sqlite://./casebook-data/casebook.db"),
            bind: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./casebook-data"),
            meili_url: None,
            meili_key: None,
            smtp_url: None,
            support_address: None,
            default_locale: "en".into(),
            mailboxes: Vec::new(),
            max_email_bytes: 40 * 1024 * 1024,
            email_rate_per_hour: 20,
            workers: true,
            job_workers: 0,
            outbox_poll_ms: 250,
            outbox_lease_ms: 60_000,
            live_buffer_bytes: 1024 * 1024,
            db_acquire_timeout_ms: 3_000,
            session_hours: 24 * 7,
            max_body_bytes: 26 * 1024 * 1024,
            max_attachment_bytes: 20 * 1024 * 1024,
            max_support_body_bytes: 11 * 1024 * 1024,
            max_upload_bytes_in_flight: 64 * 1024 * 1024,
            header_timeout_secs: 15,
            body_timeout_secs: 300,
            max_connections: 10_000,
            spoof_check: true,
            authserv_id: None,
            form_rate_per_hour: 20,
            login_attempts: 10,
            sla_sweep_ms: 1000,
            clock_offset_ms: 0,
            crm_webhook_secret: None,
            metrics_token: None,
            merge_undo_days: 7,
            report_time_zone: "UTC".into(),
            outbox_retention_days: 7,
            failed_job_retention_days: 30,
            idempotency_retention_days: 7,
            change_event_retention_days: 30,
            janitor_interval_secs: 3600,
            notification_digest_minutes: 60,
            webhook_timeout_ms: 10_000,
            webhook_workers: 4,
            webhook_disable_after_failures: 20,
            webhook_disable_after_ms: 3_600_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapTls {
    None,
    Starttls,
    Tls,
}

/// One IMAP mailbox Casebook fetches from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    pub host: String,
    #[serde(default = "default_imap_port")]
    pub port: u16,
    pub user: String,
    pub password: Secret,
    #[serde(default = "default_imap_tls")]
    pub tls: ImapTls,
    /// The folder to read, `INBOX` by default.
    #[serde(default = "default_inbox")]
    pub folder: String,
    /// Move processed mail here (it is always flagged \Seen); leave it in place when unset.
    #[serde(default)]
    pub archive_folder: Option<String>,
    /// Seconds between polls when the server has no IDLE.
    #[serde(default = "default_poll_secs")]
    pub poll_secs: u64,
    /// Use IDLE when the server offers it (set false for servers whose IDLE misbehaves).
    #[serde(default = "default_true")]
    pub idle: bool,
    /// Seconds one IDLE waits before the mailbox is checked again anyway (1–60): the bound on
    /// how late mail can be when a server fails to announce it.
    #[serde(default = "default_idle_wait_secs")]
    pub idle_wait_secs: u64,
    /// Seconds any one IMAP command (the greeting, TLS, LOGIN, SELECT, SEARCH, STORE, …) may
    /// take before the session is dropped and reconnected (1–600); one fetched message may take
    /// three times as long.
    #[serde(default = "default_imap_command_timeout_secs")]
    pub command_timeout_secs: u64,
    /// Runs after each fetch, just before the fetcher waits for new mail (tests use it to
    /// deliver mail in exactly that moment).
    #[serde(skip)]
    pub before_idle: Option<IdleHook>,
}

/// A callback for [`MailboxConfig::before_idle`].
#[derive(Clone)]
pub struct IdleHook(
    pub Arc<dyn Fn() -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>,
);

impl std::fmt::Debug for IdleHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdleHook")
    }
}

fn default_idle_wait_secs() -> u64 {
    25
}

fn default_imap_command_timeout_secs() -> u64 {
    60
}

impl MailboxConfig {
    /// How long one IMAP command may take.
    pub fn command_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.command_timeout_secs.clamp(1, 600))
    }
}

fn default_imap_port() -> u16 {
    993
}
fn default_imap_tls() -> ImapTls {
    ImapTls::Tls
}
fn default_inbox() -> String {
    "INBOX".into()
}
fn default_true() -> bool {
    true
}
fn default_poll_secs() -> u64 {
    30
}

impl MailboxConfig {
    /// A stable name for checkpoints and leases: `user@host/folder`.
    pub fn key(&self) -> String {
        format!("{}@{}/{}", self.user, self.host, self.folder)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{var}: {message}")]
    Env { var: &'static str, message: String },
    /// A value read from the file or the environment is out of range.
    #[error("{key} ({var}) {message}")]
    Invalid {
        key: &'static str,
        var: String,
        message: String,
    },
}

impl Config {
    /// Reads `casebook.toml` (or the file named by `CASEBOOK_CONFIG`) when present, then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let explicit = std::env::var_os("CASEBOOK_CONFIG").map(PathBuf::from);
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("casebook.toml"));
        let mut cfg = if path.exists() || explicit.is_some() {
            Self::from_file(&path)?
        } else {
            Config::default()
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values that parse but make no sense (a retention of zero days, say).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if crate::i18n::Locale::parse(&self.default_locale).is_none() {
            return Err(ConfigError::Invalid {
                key: "default_locale",
                var: "CASEBOOK_DEFAULT_LOCALE".into(),
                message: format!("must be one of en, ko, ar, got {:?}", self.default_locale),
            });
        }
        let positive = [
            ("outbox_retention_days", self.outbox_retention_days),
            ("failed_job_retention_days", self.failed_job_retention_days),
            (
                "idempotency_retention_days",
                self.idempotency_retention_days,
            ),
            (
                "change_event_retention_days",
                self.change_event_retention_days,
            ),
            ("janitor_interval_secs", self.janitor_interval_secs),
            (
                "notification_digest_minutes",
                self.notification_digest_minutes,
            ),
        ];
        for mailbox in &self.mailboxes {
            // The lease (90 s) must outlive one wait.
            if !(1..=60).contains(&mailbox.idle_wait_secs) {
                return Err(ConfigError::Invalid {
                    key: "idle_wait_secs",
                    var: "CASEBOOK_IMAP_IDLE_WAIT_SECS".into(),
                    message: format!(
                        "must be between 1 and 60 seconds, got {} (mailbox {})",
                        mailbox.idle_wait_secs,
                        mailbox.key()
                    ),
                });
            }
            if !(1..=600).contains(&mailbox.command_timeout_secs) {
                return Err(ConfigError::Invalid {
                    key: "command_timeout_secs",
                    var: "CASEBOOK_IMAP_COMMAND_TIMEOUT_SECS".into(),
                    message: format!(
                        "must be between 1 and 600 seconds, got {} (mailbox {})",
                        mailbox.command_timeout_secs,
                        mailbox.key()
                    ),
                });
            }
        }
        if !(100..=120_000).contains(&self.webhook_timeout_ms) {
            return Err(ConfigError::Invalid {
                key: "webhook_timeout_ms",
                var: "CASEBOOK_WEBHOOK_TIMEOUT_MS".into(),
                message: format!(
                    "must be between 100 and 120000 milliseconds, got {}",
                    self.webhook_timeout_ms
                ),
            });
        }
        if !(1..=64).contains(&self.webhook_workers) {
            return Err(ConfigError::Invalid {
                key: "webhook_workers",
                var: "CASEBOOK_WEBHOOK_WORKERS".into(),
                message: format!("must be between 1 and 64, got {}", self.webhook_workers),
            });
        }
        if self.webhook_disable_after_failures < 1 || self.webhook_disable_after_ms < 0 {
            return Err(ConfigError::Invalid {
                key: "webhook_disable_after_failures",
                var: "CASEBOOK_WEBHOOK_DISABLE_AFTER_FAILURES".into(),
                message: format!(
                    "must be at least 1 (and webhook_disable_after_ms at least 0), got {} and {}",
                    self.webhook_disable_after_failures, self.webhook_disable_after_ms
                ),
            });
        }
        if self.job_workers > 64 {
            return Err(ConfigError::Invalid {
                key: "job_workers",
                var: "CASEBOOK_JOB_WORKERS".into(),
                message: format!(
                    "must be between 0 (as many as cores) and 64, got {}",
                    self.job_workers
                ),
            });
        }
        for (key, value) in positive {
            if value < 1 {
                return Err(ConfigError::Invalid {
                    key,
                    var: format!("CASEBOOK_{}", key.to_uppercase()),
                    message: format!("must be at least 1, got {value}"),
                });
            }
        }
        Ok(())
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.into(),
            source,
        })
    }

    /// Applies `CASEBOOK_*` variables read through `get` (the environment, or a map in tests).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(var: &'static str, v: String) -> Result<T, ConfigError> {
            v.trim().parse().map_err(|_| ConfigError::Env {
                var,
                message: format!("expected a number, got {v:?}"),
            })
        }
        if let Some(v) = get("CASEBOOK_DATABASE_URL") {
            self.database_url = Secret::new(v);
        }
        if let Some(v) = get("CASEBOOK_BIND") {
            self.bind = v;
        }
        if let Some(v) = get("CASEBOOK_BASE_URL") {
            self.base_url = v.trim_end_matches('/').to_string();
        }
        if let Some(v) = get("CASEBOOK_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("CASEBOOK_MEILI_URL") {
            self.meili_url = Some(v);
        }
        if let Some(v) = get("CASEBOOK_MEILI_KEY") {
            self.meili_key = Some(Secret::new(v));
        }
        if let Some(v) = get("CASEBOOK_SMTP_URL") {
            self.smtp_url = Some(Secret::new(v));
        }
        if let Some(v) = get("CASEBOOK_METRICS_TOKEN") {
            self.metrics_token = Some(Secret::new(v)).filter(|s| !s.expose().is_empty());
        }
        if let Some(v) = get("CASEBOOK_CRM_WEBHOOK_SECRET") {
            self.crm_webhook_secret = Some(Secret::new(v)).filter(|s| !s.expose().is_empty());
        }
        if let Some(v) = get("CASEBOOK_MERGE_UNDO_DAYS") {
            self.merge_undo_days = num("CASEBOOK_MERGE_UNDO_DAYS", v)?;
        }
        if let Some(v) = get("CASEBOOK_DEFAULT_LOCALE") {
            self.default_locale = v;
        }
        if let Some(v) = get("CASEBOOK_SUPPORT_ADDRESS") {
            self.support_address = Some(v);
        }
        if let Some(host) = get("CASEBOOK_IMAP_HOST") {
            let tls = match get("CASEBOOK_IMAP_TLS").as_deref().map(str::trim) {
                None | Some("tls") => ImapTls::Tls,
                Some("starttls") => ImapTls::Starttls,
                Some("none") => ImapTls::None,
                Some(other) => {
                    return Err(ConfigError::Env {
                        var: "CASEBOOK_IMAP_TLS",
                        message: format!("expected none, starttls or tls, got {other:?}"),
                    });
                }
            };
            let port = match get("CASEBOOK_IMAP_PORT") {
                Some(p) => num("CASEBOOK_IMAP_PORT", p)?,
                None if tls == ImapTls::Tls => 993,
                None => 143,
            };
            let user = get("CASEBOOK_IMAP_USER").ok_or(ConfigError::Env {
                var: "CASEBOOK_IMAP_USER",
                message: "is required when CASEBOOK_IMAP_HOST is set".into(),
            })?;
            self.mailboxes.push(MailboxConfig {
                host,
                port,
                user,
                password: Secret::new(get("CASEBOOK_IMAP_PASSWORD").unwrap_or_default()),
                tls,
                folder: get("CASEBOOK_IMAP_MAILBOX").unwrap_or_else(default_inbox),
                archive_folder: get("CASEBOOK_IMAP_ARCHIVE"),
                poll_secs: match get("CASEBOOK_IMAP_POLL_SECS") {
                    Some(v) => num("CASEBOOK_IMAP_POLL_SECS", v)?,
                    None => default_poll_secs(),
                },
                idle: !matches!(
                    get("CASEBOOK_IMAP_IDLE").as_deref().map(str::trim),
                    Some("off" | "false" | "0" | "no")
                ),
                idle_wait_secs: match get("CASEBOOK_IMAP_IDLE_WAIT_SECS") {
                    Some(v) => num("CASEBOOK_IMAP_IDLE_WAIT_SECS", v)?,
                    None => default_idle_wait_secs(),
                },
                command_timeout_secs: match get("CASEBOOK_IMAP_COMMAND_TIMEOUT_SECS") {
                    Some(v) => num("CASEBOOK_IMAP_COMMAND_TIMEOUT_SECS", v)?,
                    None => default_imap_command_timeout_secs(),
                },
                before_idle: None,
            });
        }
        if let Some(v) = get("CASEBOOK_EMAIL_RATE_PER_HOUR") {
            self.email_rate_per_hour = num("CASEBOOK_EMAIL_RATE_PER_HOUR", v)?;
        }
        if let Some(v) = get("CASEBOOK_MAX_EMAIL_BYTES") {
            self.max_email_bytes = num("CASEBOOK_MAX_EMAIL_BYTES", v)?;
        }
        if let Some(v) = get("CASEBOOK_WORKERS") {
            self.workers = match v.trim() {
                "1" | "true" | "on" | "yes" => true,
                "0" | "false" | "off" | "no" => false,
                other => {
                    return Err(ConfigError::Env {
                        var: "CASEBOOK_WORKERS",
                        message: format!("expected on or off, got {other:?}"),
                    });
                }
            };
        }
        if let Some(v) = get("CASEBOOK_JOB_WORKERS") {
            self.job_workers = num("CASEBOOK_JOB_WORKERS", v)?;
        }
        if let Some(v) = get("CASEBOOK_OUTBOX_POLL_MS") {
            self.outbox_poll_ms = num("CASEBOOK_OUTBOX_POLL_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_DB_ACQUIRE_TIMEOUT_MS") {
            self.db_acquire_timeout_ms = num("CASEBOOK_DB_ACQUIRE_TIMEOUT_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_LIVE_BUFFER_BYTES") {
            self.live_buffer_bytes = num("CASEBOOK_LIVE_BUFFER_BYTES", v)?;
        }
        if let Some(v) = get("CASEBOOK_OUTBOX_LEASE_MS") {
            self.outbox_lease_ms = num("CASEBOOK_OUTBOX_LEASE_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_SESSION_HOURS") {
            self.session_hours = num("CASEBOOK_SESSION_HOURS", v)?;
        }
        if let Some(v) = get("CASEBOOK_MAX_SUPPORT_BODY_BYTES") {
            self.max_support_body_bytes = num("CASEBOOK_MAX_SUPPORT_BODY_BYTES", v)?;
        }
        if let Some(v) = get("CASEBOOK_MAX_UPLOAD_BYTES_IN_FLIGHT") {
            self.max_upload_bytes_in_flight = num("CASEBOOK_MAX_UPLOAD_BYTES_IN_FLIGHT", v)?;
        }
        if let Some(v) = get("CASEBOOK_HEADER_TIMEOUT_SECS") {
            self.header_timeout_secs = num("CASEBOOK_HEADER_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = get("CASEBOOK_BODY_TIMEOUT_SECS") {
            self.body_timeout_secs = num("CASEBOOK_BODY_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = get("CASEBOOK_SPOOF_CHECK") {
            self.spoof_check = match v.trim() {
                "1" | "true" | "on" | "yes" => true,
                "0" | "false" | "off" | "no" => false,
                other => {
                    return Err(ConfigError::Env {
                        var: "CASEBOOK_SPOOF_CHECK",
                        message: format!("expected on or off, got {other:?}"),
                    });
                }
            };
        }
        if let Some(v) = get("CASEBOOK_AUTHSERV_ID") {
            self.authserv_id = Some(v.trim().to_string()).filter(|s| !s.is_empty());
        }
        if let Some(v) = get("CASEBOOK_MAX_CONNECTIONS") {
            self.max_connections = num("CASEBOOK_MAX_CONNECTIONS", v)?;
        }
        if let Some(v) = get("CASEBOOK_MAX_BODY_BYTES") {
            self.max_body_bytes = num("CASEBOOK_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = get("CASEBOOK_SLA_SWEEP_MS") {
            self.sla_sweep_ms = num("CASEBOOK_SLA_SWEEP_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_CLOCK_OFFSET_MS") {
            self.clock_offset_ms = num("CASEBOOK_CLOCK_OFFSET_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_FORM_RATE_PER_HOUR") {
            self.form_rate_per_hour = num("CASEBOOK_FORM_RATE_PER_HOUR", v)?;
        }
        if let Some(v) = get("CASEBOOK_REPORT_TIME_ZONE") {
            self.report_time_zone = v;
        }
        if let Some(v) = get("CASEBOOK_OUTBOX_RETENTION_DAYS") {
            self.outbox_retention_days = num("CASEBOOK_OUTBOX_RETENTION_DAYS", v)?;
        }
        if let Some(v) = get("CASEBOOK_FAILED_JOB_RETENTION_DAYS") {
            self.failed_job_retention_days = num("CASEBOOK_FAILED_JOB_RETENTION_DAYS", v)?;
        }
        if let Some(v) = get("CASEBOOK_IDEMPOTENCY_RETENTION_DAYS") {
            self.idempotency_retention_days = num("CASEBOOK_IDEMPOTENCY_RETENTION_DAYS", v)?;
        }
        if let Some(v) = get("CASEBOOK_CHANGE_EVENT_RETENTION_DAYS") {
            self.change_event_retention_days = num("CASEBOOK_CHANGE_EVENT_RETENTION_DAYS", v)?;
        }
        if let Some(v) = get("CASEBOOK_JANITOR_INTERVAL_SECS") {
            self.janitor_interval_secs = num("CASEBOOK_JANITOR_INTERVAL_SECS", v)?;
        }
        if let Some(v) = get("CASEBOOK_NOTIFICATION_DIGEST_MINUTES") {
            self.notification_digest_minutes = num("CASEBOOK_NOTIFICATION_DIGEST_MINUTES", v)?;
        }
        if let Some(v) = get("CASEBOOK_WEBHOOK_TIMEOUT_MS") {
            self.webhook_timeout_ms = num("CASEBOOK_WEBHOOK_TIMEOUT_MS", v)?;
        }
        if let Some(v) = get("CASEBOOK_WEBHOOK_WORKERS") {
            self.webhook_workers = num("CASEBOOK_WEBHOOK_WORKERS", v)?;
        }
        if let Some(v) = get("CASEBOOK_WEBHOOK_DISABLE_AFTER_FAILURES") {
            self.webhook_disable_after_failures =
                num("CASEBOOK_WEBHOOK_DISABLE_AFTER_FAILURES", v)?;
        }
        if let Some(v) = get("CASEBOOK_WEBHOOK_DISABLE_AFTER_MS") {
            self.webhook_disable_after_ms = num("CASEBOOK_WEBHOOK_DISABLE_AFTER_MS", v)?;
        }
        // The embedded database lives in the data folder unless a database URL is given.
        if get("CASEBOOK_DATABASE_URL").is_none()
            && get("CASEBOOK_DATA_DIR").is_some()
            && self.database_url == Config::default().database_url
        {
            self.database_url =
                Secret::new(format!("sqlite://{}/casebook.db", self.data_dir.display()));
        }
        // When only the bind address is given, links should still point at this server.
        if get("CASEBOOK_BASE_URL").is_none()
            && get("CASEBOOK_BIND").is_some()
            && self.base_url == Config::default().base_url
        {
            self.base_url = format!("http://{}", self.bind);
        }
        Ok(())
    }

    /// Session cookies get the `Secure` flag when the installation is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The limit of a public web form post: its own, never above the general one.
    pub fn support_body_bytes(&self) -> usize {
        self.max_support_body_bytes.min(self.max_body_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn env_wins_over_file_and_secrets_are_redacted() {
        let mut cfg: Config =
            toml::from_str("bind = '0.0.0.0:9000'\nsmtp_url = 'smtp://u:pw@host'").unwrap();
        let env: HashMap<&str, &str> = [
            ("CASEBOOK_BIND", "127.0.0.1:9999"),
            ("CASEBOOK_DATABASE_URL", "postgres://u:hunter2@db/x"),
        ]
        .into();
        cfg.apply_env(|k| env.get(k).map(|s| s.to_string()))
            .unwrap();
        assert_eq!(cfg.bind, "127.0.0.1:9999");
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains(":pw@"), "{dbg}");
    }

    #[test]
    fn bad_numbers_name_the_variable() {
        let mut cfg = Config::default();
        let err = cfg
            .apply_env(|k| (k == "CASEBOOK_OUTBOX_POLL_MS").then(|| "soon".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("CASEBOOK_OUTBOX_POLL_MS"));
    }

    #[test]
    fn crm_webhook_secret_and_merge_window() {
        let cfg = Config::default();
        assert_eq!(
            (cfg.crm_webhook_secret.is_none(), cfg.merge_undo_days),
            (true, 7)
        );
        let mut cfg = Config::default();
        let env: HashMap<&str, &str> = [
            ("CASEBOOK_CRM_WEBHOOK_SECRET", "whsec"),
            ("CASEBOOK_MERGE_UNDO_DAYS", "30"),
        ]
        .into();
        cfg.apply_env(|k| env.get(k).map(|s| s.to_string()))
            .unwrap();
        assert_eq!(
            cfg.crm_webhook_secret.as_ref().map(Secret::expose),
            Some("whsec")
        );
        assert_eq!(cfg.merge_undo_days, 30);
        assert!(!format!("{cfg:?}").contains("whsec"));
        // An empty secret leaves the webhook off.
        let mut cfg = Config::default();
        cfg.apply_env(|k| (k == "CASEBOOK_CRM_WEBHOOK_SECRET").then(String::new))
            .unwrap();
        assert!(cfg.crm_webhook_secret.is_none());
        let file: Config =
            toml::from_str("crm_webhook_secret = 'abc'\nmerge_undo_days = 2").unwrap();
        assert_eq!(file.merge_undo_days, 2);
    }

    #[test]
    fn retention_settings_from_env_and_file_must_be_positive() {
        let mut cfg = Config::default();
        cfg.validate().unwrap();
        let env: HashMap<&str, &str> = [
            ("CASEBOOK_OUTBOX_RETENTION_DAYS", "3"),
            ("CASEBOOK_FAILED_JOB_RETENTION_DAYS", "90"),
            ("CASEBOOK_IDEMPOTENCY_RETENTION_DAYS", "2"),
            ("CASEBOOK_CHANGE_EVENT_RETENTION_DAYS", "14"),
            ("CASEBOOK_JANITOR_INTERVAL_SECS", "600"),
        ]
        .into();
        cfg.apply_env(|k| env.get(k).map(|s| s.to_string()))
            .unwrap();
        cfg.validate().unwrap();
        assert_eq!(
            (
                cfg.outbox_retention_days,
                cfg.failed_job_retention_days,
                cfg.idempotency_retention_days,
                cfg.change_event_retention_days,
                cfg.janitor_interval_secs
            ),
            (3, 90, 2, 14, 600)
        );
        for (var, value) in [
            ("CASEBOOK_OUTBOX_RETENTION_DAYS", "0"),
            ("CASEBOOK_FAILED_JOB_RETENTION_DAYS", "-1"),
            ("CASEBOOK_IDEMPOTENCY_RETENTION_DAYS", "0"),
            ("CASEBOOK_CHANGE_EVENT_RETENTION_DAYS", "-30"),
            ("CASEBOOK_JANITOR_INTERVAL_SECS", "0"),
        ] {
            let mut cfg = Config::default();
            cfg.apply_env(|k| (k == var).then(|| value.to_string()))
                .unwrap();
            let err = cfg.validate().unwrap_err().to_string();
            assert!(err.contains(var) && err.contains(value), "{var}: {err}");
        }
        let file: Config = toml::from_str("change_event_retention_days = 0").unwrap();
        let err = file.validate().unwrap_err().to_string();
        assert!(err.contains("change_event_retention_days"), "{err}");
    }

    #[test]
    fn idle_wait_must_leave_the_lease_time() {
        let ok: Config = toml::from_str(
            "[[mailbox]]\nhost = \"imap.example\"\nuser = \"u\"\npassword = \"p\"\n",
        )
        .unwrap();
        ok.validate().unwrap();
        assert_eq!(ok.mailboxes[0].idle_wait_secs, 25);
        for bad in ["0", "61"] {
            let file: Config = toml::from_str(&format!(
                "[[mailbox]]\nhost = \"imap.example\"\nuser = \"u\"\npassword = \"p\"\nidle_wait_secs = {bad}\n"
            ))
            .unwrap();
            let err = file.validate().unwrap_err().to_string();
            assert!(err.contains("idle_wait_secs") && err.contains(bad), "{err}");
        }
    }

    #[test]
    fn unknown_keys_in_file_are_rejected() {
        assert!(toml::from_str::<Config>("bnid = 'x'").is_err());
    }
}
