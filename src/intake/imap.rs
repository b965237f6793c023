//! The IMAP fetcher: one loop per configured mailbox. It holds a lease so only one Casebook node
//! fetches a mailbox at a time, waits with IDLE (or polls), takes new messages in UID order
//! through `email::ingest`, and only after they are committed flags them \Seen (and moves them
//! to the archive folder). A crash anywhere re-fetches; intake dedupes.

use super::email::{Ingested, Mode, Source, ingest};
use crate::config::{ImapTls, MailboxConfig};
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::state::AppState;
use anyhow::{Context, Result};
use async_imap::types::UnsolicitedResponse;
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A plain or TLS connection, boxed so one session type serves both.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}
type Session = async_imap::Session<Box<dyn Stream>>;

/// How long a node keeps the mailbox without renewing; IDLE waits (at most 60 s) are shorter.
const LEASE_MS: i64 = 90_000;
const BATCH: usize = 50;

async fn tls_connect(host: &str, tcp: TcpStream) -> Result<Box<dyn Stream>> {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await?;
    Ok(Box::new(tls))
}

/// Any one IMAP command (or the greeting, TLS handshake, login) may take the mailbox's
/// `command_timeout` before the session is dropped and reconnected; the server may take three
/// times that to deliver the next message of a `UID FETCH` (large mail).
fn fetch_item_timeout(cfg: &MailboxConfig) -> Duration {
    cfg.command_timeout() * 3
}

/// `fut` (an IMAP exchange), bounded by `limit`; a server that stops answering is an error.
async fn within<T, E>(
    what: &str,
    limit: Duration,
    fut: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T>
where
    E: Into<anyhow::Error>,
{
    match tokio::time::timeout(limit, fut).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => anyhow::bail!(
            "the IMAP server did not answer {what} within {} s",
            limit.as_secs()
        ),
    }
}

async fn connect(cfg: &MailboxConfig) -> Result<Session> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(20),
        TcpStream::connect((cfg.host.as_str(), cfg.port)),
    )
    .await
    .context("IMAP connect timed out")??;
    let client = match cfg.tls {
        ImapTls::None => {
            let mut c = async_imap::Client::new(Box::new(tcp) as Box<dyn Stream>);
            within("the greeting", cfg.command_timeout(), c.read_response())
                .await?
                .context("no IMAP greeting")?;
            c
        }
        ImapTls::Tls => {
            let tls = within(
                "the TLS handshake",
                cfg.command_timeout(),
                tls_connect(&cfg.host, tcp),
            )
            .await?;
            let mut c = async_imap::Client::new(tls);
            within("the greeting", cfg.command_timeout(), c.read_response())
                .await?
                .context("no IMAP greeting")?;
            c
        }
        ImapTls::Starttls => {
            let mut plain = async_imap::Client::new(tcp);
            within("the greeting", cfg.command_timeout(), plain.read_response())
                .await?
                .context("no IMAP greeting")?;
            within(
                "STARTTLS",
                cfg.command_timeout(),
                plain.run_command_and_check_ok("STARTTLS", None),
            )
            .await?;
            // No greeting follows STARTTLS: the session continues over TLS.
            let tls = within(
                "the TLS handshake",
                cfg.command_timeout(),
                tls_connect(&cfg.host, plain.into_inner()),
            )
            .await?;
            async_imap::Client::new(tls)
        }
    };
    let login = async {
        client
            .login(&cfg.user, cfg.password.expose())
            .await
            .map_err(|(e, _)| anyhow::anyhow!("IMAP login failed: {e}"))
    };
    within("LOGIN", cfg.command_timeout(), login).await
}

/// Tries to take (or renew) the lease on a mailbox for this node.
pub async fn acquire_lease(db: &Db, mailbox: &str, owner: &str, now: Millis) -> Result<bool> {
    sqlx::query(
        "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, updated_at) VALUES ($1, 0, 0, $2)
         ON CONFLICT (mailbox) DO NOTHING",
    )
    .bind(mailbox)
    .bind(now)
    .execute(&db.pool)
    .await?;
    let res = sqlx::query(
        "UPDATE mailbox_state SET lease_owner = $1, lease_until = $2
         WHERE mailbox = $3 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $4)",
    )
    .bind(owner)
    .bind(now + LEASE_MS)
    .bind(mailbox)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

async fn checkpoint(db: &Db, mailbox: &str) -> Result<(i64, i64)> {
    let row = sqlx::query("SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = $1")
        .bind(mailbox)
        .fetch_one(&db.pool)
        .await?;
    Ok((row.try_get("uidvalidity")?, row.try_get("last_uid")?))
}

async fn save_checkpoint(
    db: &Db,
    mailbox: &str,
    uidvalidity: i64,
    last_uid: i64,
    now: Millis,
) -> Result<()> {
    sqlx::query("UPDATE mailbox_state SET uidvalidity = $1, last_uid = $2, updated_at = $3 WHERE mailbox = $4")
        .bind(uidvalidity)
        .bind(last_uid)
        .bind(now)
        .bind(mailbox)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Fetches and ingests everything newer than the checkpoint. Returns the checkpoint after it.
async fn fetch_new(
    state: &AppState,
    cfg: &MailboxConfig,
    session: &mut Session,
    failures: &mut HashMap<u32, u32>,
) -> Result<i64> {
    let key = cfg.key();
    let mailbox = within("SELECT", cfg.command_timeout(), session.select(&cfg.folder)).await?;
    let uidvalidity = i64::from(mailbox.uid_validity.unwrap_or(0));
    let (known_validity, mut last_uid) = checkpoint(&state.db, &key).await?;
    if known_validity != uidvalidity {
        // The server renumbered the folder: start over; content dedupe keeps this safe.
        if known_validity != 0 {
            tracing::warn!(mailbox = %key, "UIDVALIDITY changed; rescanning the folder");
        }
        last_uid = 0;
        save_checkpoint(&state.db, &key, uidvalidity, 0, state.now()).await?;
    }
    let search = session.uid_search(format!("UID {}:*", last_uid + 1));
    let mut uids: Vec<u32> = within("UID SEARCH", cfg.command_timeout(), search)
        .await?
        .into_iter()
        .filter(|u| i64::from(*u) > last_uid)
        .collect();
    uids.sort_unstable();
    for chunk in uids.chunks(BATCH) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut fetched: Vec<(u32, Vec<u8>)> = Vec::with_capacity(chunk.len());
        {
            let fetch = session.uid_fetch(&set, "(UID BODY.PEEK[])");
            let mut stream = within("UID FETCH", cfg.command_timeout(), fetch).await?;
            while let Some(f) =
                within("UID FETCH", fetch_item_timeout(cfg), stream.try_next()).await?
            {
                if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                    fetched.push((uid, body.to_vec()));
                }
            }
        }
        fetched.sort_by_key(|(uid, _)| *uid);
        let mut done: Vec<u32> = Vec::new();
        for (expected, (uid, raw)) in chunk.iter().zip(&fetched) {
            if expected != uid {
                // The server did not return this message (yet): never move the checkpoint past it.
                mark_processed(session, cfg, &done).await?;
                anyhow::bail!("UID {expected} was not returned by FETCH; retrying");
            }
            let src = Source {
                mailbox: key.clone(),
                uidvalidity: Some(uidvalidity),
                uid: Some(i64::from(*uid)),
            };
            match ingest(state, &src, raw, Mode::Normal).await {
                Ok(outcome) => {
                    if let Ingested::Quarantined { reason, .. } = &outcome {
                        tracing::info!(uid, reason, "message quarantined");
                    }
                    done.push(*uid);
                    last_uid = i64::from(*uid);
                    save_checkpoint(&state.db, &key, uidvalidity, last_uid, state.now()).await?;
                }
                Err(err) => {
                    // A storage failure: stop here and retry from this message on the next pass;
                    // one that keeps failing is quarantined so it cannot hold up the mailbox.
                    let tries = failures.entry(*uid).or_insert(0);
                    *tries += 1;
                    tracing::warn!(uid, tries = *tries, error = %err, "could not store message; will retry");
                    if *tries >= STORE_TRIES
                        && quarantine_unstorable(state, &src, raw, &err).await.is_ok()
                    {
                        failures.remove(uid);
                        done.push(*uid);
                        last_uid = i64::from(*uid);
                        save_checkpoint(&state.db, &key, uidvalidity, last_uid, state.now())
                            .await?;
                        continue;
                    }
                    mark_processed(session, cfg, &done).await?;
                    return Err(err);
                }
            }
        }
        mark_processed(session, cfg, &done).await?;
    }
    Ok(last_uid)
}

/// After this many failed attempts to store a message, it is quarantined as `storage_error`.
const STORE_TRIES: u32 = 3;

async fn quarantine_unstorable(
    state: &AppState,
    src: &Source,
    raw: &[u8],
    err: &anyhow::Error,
) -> Result<()> {
    let hash = super::email::content_hash(raw);
    let raw_id = super::email::insert_raw(&state.db, src, raw, &hash, state.now()).await?;
    let detail = format!("could not be stored after {STORE_TRIES} attempts: {err}");
    super::email::quarantine(
        &state.db,
        super::email::QuarantineRecord {
            raw_email_id: raw_id,
            reason: "storage_error",
            detail: &detail,
            sender: None,
            subject: None,
        },
        state.now(),
    )
    .await?;
    Ok(())
}

/// Flags committed messages \Seen and moves them to the archive folder when one is configured.
async fn mark_processed(session: &mut Session, cfg: &MailboxConfig, uids: &[u32]) -> Result<()> {
    if uids.is_empty() {
        return Ok(());
    }
    let set = uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let store = async {
        let stream = session.uid_store(&set, "+FLAGS.SILENT (\\Seen)").await?;
        let _: Vec<_> = stream.try_collect().await?;
        Ok::<_, anyhow::Error>(())
    };
    within("UID STORE", cfg.command_timeout(), store).await?;
    if let Some(archive) = &cfg.archive_folder {
        let _ = within("CREATE", cfg.command_timeout(), session.create(archive)).await;
        within(
            "UID MOVE",
            cfg.command_timeout(),
            session.uid_mv(&set, archive),
        )
        .await?;
    }
    Ok(())
}

/// The right to fetch a mailbox. On PostgreSQL it is a session advisory lock held on its own
/// connection, which the server drops the moment a crashed node's connection closes; on SQLite
/// (one process per database) it is the lease row in `mailbox_state`.
enum Lease {
    Postgres(sqlx::pool::PoolConnection<sqlx::Any>),
    Row,
}

fn lock_key(mailbox: &str) -> i64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(mailbox.as_bytes());
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

async fn take_lease(state: &AppState, mailbox: &str, owner: &str) -> Result<Option<Lease>> {
    match state.db.backend {
        crate::db::Backend::Postgres => {
            let mut conn = state.db.pool.acquire().await?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(lock_key(mailbox))
                .fetch_one(&mut *conn)
                .await?;
            // The row still records who fetches, for admins; the lock is what counts.
            acquire_lease(&state.db, mailbox, owner, state.now())
                .await
                .ok();
            Ok(got.then_some(Lease::Postgres(conn)))
        }
        crate::db::Backend::Sqlite => Ok(acquire_lease(&state.db, mailbox, owner, state.now())
            .await?
            .then_some(Lease::Row)),
    }
}

impl Lease {
    /// Whether this node still holds the mailbox (renewing the row lease on SQLite).
    async fn still_held(&mut self, state: &AppState, mailbox: &str, owner: &str) -> Result<bool> {
        match self {
            Lease::Postgres(conn) => Ok(sqlx::query("SELECT 1").execute(&mut **conn).await.is_ok()),
            Lease::Row => acquire_lease(&state.db, mailbox, owner, state.now()).await,
        }
    }

    async fn release(self, mailbox: &str) {
        if let Lease::Postgres(mut conn) = self {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(lock_key(mailbox))
                .execute(&mut *conn)
                .await;
        }
    }
}

/// Frees mailbox leases left by an earlier run. Only for SQLite, whose database one process owns.
pub async fn release_stale_leases(db: &Db) -> Result<()> {
    if db.backend == crate::db::Backend::Sqlite {
        sqlx::query("UPDATE mailbox_state SET lease_owner = NULL, lease_until = NULL")
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// Whether mail newer than `last_uid` (the checkpoint the fetch left) is in the folder now.
/// Some servers do not announce mail delivered between the last fetch and the start of IDLE
/// (they consider it reported, or notice it only at their next periodic check), so the fetcher
/// asks once more before it waits. A server that does not answer in time ends the session,
/// which reconnects.
async fn arrived_since(session: &mut Session, cfg: &MailboxConfig, last_uid: i64) -> Result<bool> {
    let ask = async {
        // A search sees the folder as of the session's last sync; NOOP syncs it first.
        session.noop().await?;
        let found = session
            .uid_search(format!("UID {}:*", last_uid + 1))
            .await?;
        // "n:*" always matches the newest message, even when its UID is below n.
        Ok::<_, anyhow::Error>(found.into_iter().any(|uid| i64::from(uid) > last_uid))
    };
    let limit = cfg.command_timeout().min(Duration::from_secs(30));
    within("the check for new mail", limit, ask).await
}

/// Empties the responses the server sent unasked (so the session's bounded channel never fills)
/// and tells whether one of them announced new mail.
fn new_mail_announced(announced: &async_channel::Receiver<UnsolicitedResponse>) -> bool {
    let mut new_mail = false;
    while let Ok(response) = announced.try_recv() {
        new_mail |= matches!(
            response,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
        );
    }
    new_mail
}

/// One connection's life: fetch, then IDLE (or sleep) until something arrives; repeat.
async fn session_loop(
    state: &AppState,
    cfg: &MailboxConfig,
    owner: &str,
    lease: &mut Lease,
    failures: &mut HashMap<u32, u32>,
) -> Result<()> {
    let mut session = connect(cfg).await?;
    let idle = cfg.idle
        && within("CAPABILITY", cfg.command_timeout(), session.capabilities())
            .await?
            .has_str("IDLE");
    tracing::info!(mailbox = %cfg.key(), idle, "connected to IMAP");
    loop {
        if !lease.still_held(state, &cfg.key(), owner).await? {
            let _ = within("LOGOUT", cfg.command_timeout(), session.logout()).await;
            return Ok(());
        }
        let last_uid = fetch_new(state, cfg, &mut session, failures).await?;
        if idle {
            if let Some(hook) = &cfg.before_idle {
                (hook.0)().await;
            }
            // Mail that arrived while we fetched is announced in the replies to our own commands
            // (or, on some servers, before IDLE is acknowledged), not again inside IDLE: look at
            // what the session set aside before waiting, and ask once more, or it would sit
            // until the wait ends.
            let announced = session.unsolicited_responses.clone();
            if new_mail_announced(&announced) || arrived_since(&mut session, cfg, last_uid).await? {
                continue;
            }
            let mut handle = session.idle();
            within("IDLE", cfg.command_timeout(), handle.init()).await?;
            if !new_mail_announced(&announced) {
                let wait_for = Duration::from_secs(cfg.idle_wait_secs.clamp(1, 60));
                let (wait, _stop) = handle.wait_with_timeout(wait_for);
                wait.await?;
            }
            // Whatever ended the wait (news, or its timeout), the next pass fetches afresh.
            session = within("DONE", cfg.command_timeout(), handle.done()).await?;
        } else {
            tokio::time::sleep(Duration::from_secs(cfg.poll_secs.max(1))).await;
        }
    }
}

/// Runs forever for one mailbox: reconnects with backoff on any error; waits while another node
/// holds the lease.
pub async fn run_mailbox(state: AppState, cfg: MailboxConfig) {
    let owner = format!("{}-{}", std::process::id(), crate::auth::random_token(6));
    let key = cfg.key();
    let mut backoff = Duration::from_secs(1);
    let mut failures: HashMap<u32, u32> = HashMap::new();
    loop {
        match take_lease(&state, &key, &owner).await {
            Ok(Some(mut lease)) => {
                let result = session_loop(&state, &cfg, &owner, &mut lease, &mut failures).await;
                lease.release(&key).await;
                match result {
                    Ok(()) => backoff = Duration::from_secs(1),
                    Err(err) => {
                        tracing::warn!(mailbox = %key, error = %err, retry_in = ?backoff, "IMAP session ended");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(300));
                        continue;
                    }
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "mailbox lease check failed"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
