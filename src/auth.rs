//! Passwords (argon2id), session ids, API tokens and customer links: random values stored as SHA-256 digests.

use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{EmailAddress, Role};
use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// `bytes` random bytes from the OS, URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A 256-bit secret for sessions, API tokens and customer links.
pub fn new_secret() -> String {
    random_token(32)
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Argon2 runs on the blocking pool, at most one check per core but one at a time (at least
/// one): a flood of logins queues here, while requests that hash nothing keep a core and the
/// async worker threads.
fn hashing_turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// Runs `work` (hashing) on the blocking pool when a hashing turn is free.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _turn = hashing_turns()
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("hashing turns closed: {e}"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| anyhow::anyhow!("hashing task failed: {e}"))
}

/// [`verify_password`] off the async threads, taking a hashing turn.
pub async fn verify_password_off_thread(password: &str, hash: &str) -> anyhow::Result<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    off_thread(move || verify_password(&password, &hash)).await
}

/// [`hash_password`] off the async threads, taking a hashing turn.
pub async fn hash_password_off_thread(password: &str) -> anyhow::Result<String> {
    let password = password.to_string();
    off_thread(move || hash_password(&password)).await?
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Checked when a password is set: at least [`MIN_PASSWORD_CHARS`], not only spaces, and not
/// easy to guess — no common password, keyboard pattern or dictionary phrase, nor built from the
/// agent's own name or address (`personal`), as judged by zxcvbn (score 3 of 4 or better).
pub fn validate_password(field: &str, password: &str, personal: &[&str]) -> AppResult<()> {
    if password.trim().is_empty() {
        return Err(AppError::field(field, t!("error-password-spaces")));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::field(
            field,
            t!("error-password-short", min = MIN_PASSWORD_CHARS),
        ));
    }
    if password.len() > 1024 {
        return Err(AppError::field(field, t!("error-too-long")));
    }
    let mut inputs: Vec<&str> = Vec::new();
    for p in personal {
        inputs.push(p);
        inputs.extend(
            p.split(['@', '.', ' ', '-', '_', '+'])
                .filter(|w| w.len() > 2),
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() < zxcvbn::Score::Three {
        // zxcvbn's warning is English: it is said in English pages only.
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .filter(|_| crate::i18n::current() == crate::i18n::Locale::En);
        return Err(AppError::field(
            field,
            match why {
                Some(w) => t!("error-password-weak-why", why = w.to_string()),
                None => t!("error-password-weak"),
            },
        ));
    }
    Ok(())
}

/// The agent behind a session or token.
#[derive(Debug, Clone)]
pub struct AgentRef {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Unread notifications, for the menu of the pages a session asks for (0 elsewhere).
    pub unread_notifications: i64,
    /// The language the agent chose; `None` follows their browser.
    pub locale: Option<crate::i18n::Locale>,
}

impl AgentRef {
    /// 403 unless this agent is an admin.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role != Role::Admin {
            return Err(AppError::Forbidden(t!("error-needs-admin")));
        }
        Ok(())
    }

    /// 403 unless this agent is a lead or an admin.
    pub fn require_lead(&self) -> AppResult<()> {
        if !self.role.is_lead_or_admin() {
            return Err(AppError::Forbidden(t!("error-needs-lead")));
        }
        Ok(())
    }
}

fn agent_from_row(row: &sqlx::any::AnyRow) -> AppResult<AgentRef> {
    let role: String = row.try_get("role")?;
    Ok(AgentRef {
        id: row.try_get("agent_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: role
            .parse()
            .map_err(|e: String| anyhow::anyhow!("bad role in db: {e}"))?,
        unread_notifications: 0,
        locale: row
            .try_get::<Option<String>, _>("locale")?
            .as_deref()
            .and_then(crate::i18n::Locale::parse),
    })
}

pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

pub async fn create_agent(db: &Db, new: NewAgent<'_>, now: Millis) -> AppResult<AgentRef> {
    let email = EmailAddress::parse(new.email).map_err(|m| AppError::field("email", m))?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", t!("error-required")));
    }
    validate_password("password", new.password, &[new.email, name])?;
    let hash = hash_password_off_thread(new.password).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agent (email, name, role, password_hash, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING agent_id",
    )
    .bind(email.as_str())
    .bind(name)
    .bind(new.role.as_str())
    .bind(hash)
    .bind(now)
    .fetch_one(&db.pool)
    .await
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("email", t!("error-email-taken"))
        } else {
            e.into()
        }
    })?;
    Ok(AgentRef {
        id,
        email: email.as_str().into(),
        name: name.into(),
        role: new.role,
        unread_notifications: 0,
        locale: None,
    })
}

pub async fn find_agent_by_email(db: &Db, email: &str) -> AppResult<Option<(AgentRef, String)>> {
    let row = sqlx::query(
        "SELECT agent_id, email, name, role, locale, password_hash FROM agent WHERE email = $1 AND active = 1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(r) => Ok(Some((agent_from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn list_agents(db: &Db) -> AppResult<Vec<AgentRef>> {
    let rows = sqlx::query(
        "SELECT agent_id, email, name, role, locale FROM agent WHERE active = 1 ORDER BY name",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(agent_from_row).collect()
}

/// The active agent `agent_id`, if there is one.
pub async fn agent_ref(db: &Db, agent_id: i64) -> AppResult<Option<AgentRef>> {
    let row = sqlx::query(
        "SELECT agent_id, email, name, role, locale FROM agent WHERE agent_id = $1 AND active = 1",
    )
    .bind(agent_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(agent_from_row).transpose()
}

pub async fn agent_exists(db: &Db, agent_id: i64) -> AppResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM agent WHERE agent_id = $1 AND active = 1")
            .bind(agent_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(n > 0)
}

/// Checks email and password. A wrong password and an unknown address look the same to the caller.
pub async fn check_login(db: &Db, email: &str, password: &str) -> AppResult<Option<AgentRef>> {
    match find_agent_by_email(db, email).await? {
        Some((agent, hash)) => Ok(verify_password_off_thread(password, &hash)
            .await?
            .then_some(agent)),
        None => {
            // Spend the same time as a real check so addresses cannot be probed by timing.
            let _ = verify_password_off_thread(password, dummy_hash()).await?;
            Ok(None)
        }
    }
}

/// A real hash of nothing in particular, computed once, to verify against for unknown addresses.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("casebook-timing-equaliser").unwrap_or_default())
}

/// Creates a session and returns its secret id (for the cookie).
pub async fn create_session(
    db: &Db,
    agent_id: i64,
    now: Millis,
    ttl_hours: i64,
) -> AppResult<String> {
    let secret = new_secret();
    sqlx::query("INSERT INTO session (session_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(digest(&secret))
        .bind(agent_id)
        .bind(now)
        .bind(now + ttl_hours * 3_600_000)
        .execute(&db.pool)
        .await?;
    Ok(secret)
}

pub async fn session_agent(db: &Db, secret: &str, now: Millis) -> AppResult<Option<AgentRef>> {
    let row = sqlx::query(
        "SELECT a.agent_id, a.email, a.name, a.role, a.locale FROM session s JOIN agent a ON a.agent_id = s.agent_id
         WHERE s.session_hash = $1 AND s.expires_at > $2 AND a.active = 1",
    )
    .bind(digest(secret))
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(agent_from_row).transpose()
}

pub async fn delete_session(db: &Db, secret: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM session WHERE session_hash = $1")
        .bind(digest(secret))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Sets a new password and ends every session of the agent; the caller starts a fresh one.
pub async fn change_password(
    db: &Db,
    agent_id: i64,
    current: &str,
    new: &str,
    now: Millis,
) -> AppResult<()> {
    let row = sqlx::query("SELECT password_hash, email, name FROM agent WHERE agent_id = $1")
        .bind(agent_id)
        .fetch_one(&db.pool)
        .await?;
    let (hash, email, name): (String, String, String) = (
        row.try_get("password_hash")?,
        row.try_get("email")?,
        row.try_get("name")?,
    );
    if !verify_password_off_thread(current, &hash).await? {
        return Err(AppError::field(
            "current_password",
            t!("error-password-wrong"),
        ));
    }
    validate_password("new_password", new, &[&email, &name])?;
    let new_hash = hash_password_off_thread(new).await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE agent SET password_hash = $1, updated_at = $2 WHERE agent_id = $3")
        .bind(new_hash)
        .bind(now)
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM session WHERE agent_id = $1")
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an API token for an agent and returns it; only its digest is stored.
pub async fn create_api_token(
    db: &Db,
    agent_email: &str,
    label: &str,
    expires_at: Option<Millis>,
    now: Millis,
) -> AppResult<String> {
    let (agent, _) = find_agent_by_email(db, agent_email)
        .await?
        .ok_or(AppError::NotFound("agent"))?;
    let token = format!("cbk_{}", new_secret());
    sqlx::query("INSERT INTO api_token (agent_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(agent.id)
        .bind(digest(&token))
        .bind(label)
        .bind(now)
        .bind(expires_at)
        .execute(&db.pool)
        .await?;
    Ok(token)
}

pub async fn token_agent(db: &Db, token: &str, now: Millis) -> AppResult<Option<AgentRef>> {
    let row = sqlx::query(
        "SELECT a.agent_id, a.email, a.name, a.role, a.locale, t.api_token_id, t.last_used_at FROM api_token t
         JOIN agent a ON a.agent_id = t.agent_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND a.active = 1",
    )
    .bind(digest(token))
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    // Record use at most once a minute, so reads do not turn into writes.
    if last_used.is_none_or(|t| now - t > 60_000) {
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE api_token_id = $2")
            .bind(now)
            .bind(row.try_get::<i64, _>("api_token_id")?)
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(agent_from_row(&row)?))
}

pub async fn revoke_api_token(db: &Db, token: &str, now: Millis) -> AppResult<bool> {
    let res = sqlx::query(
        "UPDATE api_token SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(digest(token))
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() > 0)
}

/// Sets the language an agent sees Casebook in; `None` follows their browser.
pub async fn set_locale(
    db: &Db,
    agent_id: i64,
    locale: Option<crate::i18n::Locale>,
    now: Millis,
) -> AppResult<()> {
    sqlx::query("UPDATE agent SET locale = $1, updated_at = $2 WHERE agent_id = $3")
        .bind(locale.map(|l| l.tag()))
        .bind(now)
        .bind(agent_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        let me = ["ada@acme.example", "Ada Lovelace"];
        for weak in [
            "short one",
            "            ",
            "password1234",
            "qwertyuiopas",
            "aaaaaaaaaaaa",
            "ada@acme.example",
            "lovelace2024!",
        ] {
            let err = validate_password("password", weak, &me).unwrap_err();
            assert!(
                matches!(&err, AppError::Validation { field, .. } if field == "password"),
                "{weak:?}: {err:?}"
            );
        }
        for strong in [
            "correct horse battery",
            "casebook demo desk",
            "비밀번호는 고양이와 자전거",
        ] {
            validate_password("password", strong, &me).unwrap();
        }
    }

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_256_bit_and_digests_hide_them() {
        let s = new_secret();
        assert_eq!(s.len(), 43);
        assert_ne!(s, new_secret());
        assert_eq!(digest(&s).len(), 64);
        assert!(!digest(&s).contains(&s));
    }
}
