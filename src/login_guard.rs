//! Sign-in throttling, shared by every node through the database.
//!
//! Every attempt is counted *before* the password is checked (so guesses sent in parallel cannot
//! all be checked before the first failure counts), under three keys:
//!
//! - the pair (account, address): growing delays after a few failures, so one address guessing
//!   one account slows down quickly;
//! - the address: a cap on failures across all accounts (spraying many accounts);
//! - the account, for attempts from browsers and addresses the agent never signed in from:
//!   growing delays, so guesses from many addresses slow down too — while the agent's own known
//!   browser (a device cookie set at sign-in) or known address is not held back by them. When this
//!   key reaches the limit the agent is told (once per window) in their notifications.
//!
//! A right password gives back what its attempt counted.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use sqlx::Row;

/// The window in which failures add up (a key with no failure for this long starts over).
pub const WINDOW_MS: Millis = 15 * 60_000;
/// The longest delay growing delays reach.
const MAX_DELAY_MS: Millis = 15 * 60_000;
/// The first delay once a key is past its free attempts; each further failure doubles it.
const FIRST_DELAY_MS: Millis = 30_000;
/// How long a browser or address stays known after the agent's last sign-in from it.
pub const KNOWN_FOR_MS: Millis = 90 * 24 * 3_600_000;
/// The cookie naming a browser the agent signed in from.
pub const DEVICE_COOKIE: &str = "casebook_device";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pair,
    Address,
    Account,
}

/// The limits, from `login_attempts` (failures per account from strangers before delays start).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub attempts: u32,
}

impl Limits {
    /// How long a key of `kind` is held back after its `failures`-th counted failure.
    fn delay_after(&self, kind: Kind, failures: i64, first_at: Millis, now: Millis) -> Millis {
        let free = match kind {
            Kind::Pair => i64::from(self.attempts.div_ceil(2).max(1)),
            Kind::Account => i64::from(self.attempts.max(1)),
            Kind::Address => i64::from(self.attempts.max(1)) * 3,
        };
        if failures < free {
            return 0;
        }
        match kind {
            // An address over its cap waits for its window to end.
            Kind::Address => (first_at + WINDOW_MS - now).max(FIRST_DELAY_MS),
            _ => {
                let doublings = (failures - free).clamp(0, 16) as u32;
                (FIRST_DELAY_MS << doublings).min(MAX_DELAY_MS)
            }
        }
    }
}

/// An attempt that was counted and may now be checked.
pub struct Counted {
    keys: Vec<(Kind, String)>,
    /// The agent the address names, if there is one.
    pub agent_id: Option<i64>,
    /// Whether the browser or address is one the agent signed in from.
    pub known: bool,
}

/// What the guard says about an attempt.
pub enum Verdict {
    /// Check the password.
    Check(Counted),
    /// Refused without checking; try again after this many seconds.
    Wait(u64),
}

fn pair_key(email: &str, address: &str) -> String {
    format!("pair:{email}|{address}")
}

/// Counts a sign-in attempt for `email` from `address` (with the browser's device cookie, if
/// any), or refuses it while one of its keys is held back.
pub async fn before_check(
    db: &Db,
    limits: Limits,
    email: &str,
    address: &str,
    device: Option<&str>,
    now: Millis,
) -> AppResult<Verdict> {
    let agent_id: Option<i64> = sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_optional(&db.pool)
        .await?;
    let known = match agent_id {
        Some(id) => is_known(db, id, address, device, now).await?,
        None => false,
    };
    let mut keys = vec![
        (Kind::Pair, pair_key(email, address)),
        (Kind::Address, format!("address:{address}")),
    ];
    if !known {
        keys.push((Kind::Account, format!("account:{email}")));
    }
    let mut tx = db.begin().await?;
    let mut rows = Vec::with_capacity(keys.len());
    let mut wait_ms: Millis = 0;
    for (kind, key) in &keys {
        let row = lock_row(&mut tx, key, now).await?;
        if row.blocked_until > now {
            wait_ms = wait_ms.max(row.blocked_until - now);
        }
        rows.push((*kind, key, row));
    }
    if wait_ms > 0 {
        tx.rollback().await?;
        return Ok(Verdict::Wait((wait_ms.max(1000) / 1000) as u64));
    }
    let mut tell = None;
    for (kind, key, row) in rows {
        let (failures, first_at) = if now - row.first_at >= WINDOW_MS {
            (1, now)
        } else {
            (row.failures + 1, row.first_at)
        };
        let blocked_until = now + limits.delay_after(kind, failures, first_at, now);
        sqlx::query(
            "UPDATE login_throttle SET failures = $2, first_at = $3, last_at = $4, blocked_until = $5
             WHERE throttle_key = $1",
        )
        .bind(key)
        .bind(failures)
        .bind(first_at)
        .bind(now)
        .bind(blocked_until)
        .execute(&mut *tx)
        .await?;
        if kind == Kind::Account
            && failures >= i64::from(limits.attempts.max(1))
            && row.told_at.is_none_or(|t| now - t >= WINDOW_MS)
            && let Some(agent_id) = agent_id
        {
            tell = Some((agent_id, key.clone(), failures));
        }
    }
    if let Some((agent_id, key, failures)) = tell {
        sqlx::query("UPDATE login_throttle SET told_at = $2 WHERE throttle_key = $1")
            .bind(&key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // In the account owner's language, not the one of whoever is trying to sign in.
        let body = note!(
            "error-sign-in-alert",
            count = failures,
            address = address.to_string()
        );
        crate::notify::inbox::notify_account(&mut tx, agent_id, "sign_in", &body, now).await?;
    }
    tx.commit().await?;
    Ok(Verdict::Check(Counted {
        keys,
        agent_id,
        known,
    }))
}

struct Throttle {
    failures: i64,
    first_at: Millis,
    blocked_until: Millis,
    told_at: Option<Millis>,
}

/// The key's row, created if missing, locked for this transaction (SQLite's `BEGIN IMMEDIATE`
/// already serialises writers; PostgreSQL takes the row lock).
async fn lock_row(tx: &mut Tx, key: &str, now: Millis) -> AppResult<Throttle> {
    sqlx::query(
        "INSERT INTO login_throttle (throttle_key, failures, first_at, last_at, blocked_until)
         VALUES ($1, 0, $2, $2, 0) ON CONFLICT (throttle_key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let sql = format!(
        "SELECT failures, first_at, blocked_until, told_at FROM login_throttle
         WHERE throttle_key = $1 {}",
        tx.backend().for_no_key_update()
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Throttle {
        failures: row.try_get("failures")?,
        first_at: row.try_get("first_at")?,
        blocked_until: row.try_get("blocked_until")?,
        told_at: row.try_get("told_at")?,
    })
}

/// After a right password: the pair and account start over, the address gets its count back.
/// Returns the device cookie value to set (a fresh one unless the browser's is still valid).
pub async fn after_success(
    db: &Db,
    counted: &Counted,
    agent_id: i64,
    address: &str,
    device: Option<&str>,
    now: Millis,
) -> AppResult<String> {
    let mut tx = db.begin().await?;
    for (kind, key) in &counted.keys {
        match kind {
            Kind::Pair | Kind::Account => {
                sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            Kind::Address => {
                sqlx::query(
                    "UPDATE login_throttle SET failures = failures - 1, blocked_until = 0
                     WHERE throttle_key = $1 AND failures > 0",
                )
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    // A sign-in from a known browser was never counted against the account, and leaves the
    // strangers' count there standing.
    let existing = match device {
        Some(d) => sqlx::query_scalar::<_, String>(
            "SELECT device_hash FROM agent_device WHERE device_hash = $1 AND agent_id = $2",
        )
        .bind(crate::auth::digest(d))
        .bind(agent_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|_| d.to_string()),
        None => None,
    };
    let token = match existing {
        Some(token) => {
            sqlx::query(
                "UPDATE agent_device SET last_seen_at = $2, last_address = $3 WHERE device_hash = $1",
            )
            .bind(crate::auth::digest(&token))
            .bind(now)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            token
        }
        None => {
            let token = crate::auth::new_secret();
            sqlx::query(
                "INSERT INTO agent_device (device_hash, agent_id, created_at, last_seen_at, last_address)
                 VALUES ($1, $2, $3, $3, $4)",
            )
            .bind(crate::auth::digest(&token))
            .bind(agent_id)
            .bind(now)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            token
        }
    };
    tx.commit().await?;
    Ok(token)
}

/// Whether the agent signed in from this browser (device cookie) or this address recently.
async fn is_known(
    db: &Db,
    agent_id: i64,
    address: &str,
    device: Option<&str>,
    now: Millis,
) -> AppResult<bool> {
    let since = now - KNOWN_FOR_MS;
    let row = sqlx::query(
        "SELECT 1 AS known FROM agent_device
         WHERE agent_id = $1 AND last_seen_at >= $2 AND (device_hash = $3 OR last_address = $4)
         LIMIT 1",
    )
    .bind(agent_id)
    .bind(since)
    .bind(device.map(crate::auth::digest).unwrap_or_default())
    .bind(address)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let l = Limits { attempts: 10 };
        assert_eq!(l.delay_after(Kind::Pair, 4, 0, 0), 0);
        assert_eq!(l.delay_after(Kind::Pair, 5, 0, 0), 30_000);
        assert_eq!(l.delay_after(Kind::Pair, 6, 0, 0), 60_000);
        assert_eq!(l.delay_after(Kind::Pair, 40, 0, 0), MAX_DELAY_MS);
        assert_eq!(l.delay_after(Kind::Account, 9, 0, 0), 0);
        assert_eq!(l.delay_after(Kind::Account, 10, 0, 0), 30_000);
        assert_eq!(l.delay_after(Kind::Address, 29, 0, 0), 0);
        assert_eq!(
            l.delay_after(Kind::Address, 30, 0, 60_000),
            WINDOW_MS - 60_000
        );
    }
}
