//! Installation-wide settings an admin changes while Casebook runs. They live in the database
//! (`setting`), so every node follows a change; each node keeps what it read for a few seconds.
//!
//! `default_locale`: the language of people who chose none and whose browser asks for none
//! Casebook speaks — visitors of the public pages, agents, and the mail to customers and agents
//! whose language is not known (queries reading a person's language fall back to it with
//! `COALESCE(locale, (SELECT value FROM setting WHERE name = 'default_locale'))`). Without an
//! admin's choice, the configuration's `default_locale`.

use crate::db::Db;
use crate::domain::clock::Millis;
use crate::error::AppResult;
use crate::i18n::Locale;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use std::time::Duration;

/// How long a node trusts what it read of the default language.
const REFRESH_MS: Millis = 5_000;
/// A read of the setting that takes longer leaves the last value in place.
const READ_TIMEOUT: Duration = Duration::from_secs(1);

const UNSET: u8 = u8::MAX;

/// A node's view of the installation's default language.
pub struct DefaultLocale {
    configured: Locale,
    chosen: AtomicU8,
    read_at: AtomicI64,
}

impl DefaultLocale {
    pub fn new(configured: Locale) -> DefaultLocale {
        DefaultLocale {
            configured,
            chosen: AtomicU8::new(UNSET),
            read_at: AtomicI64::new(Millis::MIN),
        }
    }

    /// The configuration's default (what applies while no admin chose one).
    pub fn configured(&self) -> Locale {
        self.configured
    }

    /// The default language now: the admin's choice, else the configuration's. Every few
    /// seconds a request starts a fresh read in the background (a slow or failing database
    /// leaves the last value in place; no request waits for it).
    pub fn get(self: &Arc<Self>, db: &Db, now: Millis) -> Locale {
        let last = self.read_at.load(Ordering::Relaxed);
        // One request per node starts the read; the others use what was read before.
        if now.saturating_sub(last) >= REFRESH_MS
            && self
                .read_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let me = Arc::clone(self);
            let db = db.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(READ_TIMEOUT, chosen(&db)).await {
                    Ok(Ok(locale)) => me.remember(locale),
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "reading the default language failed")
                    }
                    Err(_) => tracing::warn!("reading the default language timed out"),
                }
            });
        }
        self.current()
    }

    fn current(&self) -> Locale {
        match self.chosen.load(Ordering::Relaxed) {
            UNSET => self.configured,
            i => Locale::ALL
                .get(i as usize)
                .copied()
                .unwrap_or(self.configured),
        }
    }

    fn remember(&self, locale: Option<Locale>) {
        let value = locale.map_or(UNSET, |l| {
            Locale::ALL.iter().position(|x| *x == l).unwrap_or(0) as u8
        });
        self.chosen.store(value, Ordering::Relaxed);
    }

    /// Reads the admin's choice now (at start, before the first request).
    pub async fn load(&self, db: &Db, now: Millis) -> AppResult<()> {
        self.remember(chosen(db).await?);
        self.read_at.store(now, Ordering::Relaxed);
        Ok(())
    }

    /// The admin's choice (`None`: back to the configuration's), saved for every node and
    /// applied on this one at once.
    pub async fn set(&self, db: &Db, locale: Option<Locale>, now: Millis) -> AppResult<()> {
        match locale {
            Some(l) => {
                sqlx::query(
                    "INSERT INTO setting (name, value, updated_at) VALUES ('default_locale', $1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(l.tag())
                .bind(now)
                .execute(&db.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM setting WHERE name = 'default_locale'")
                    .execute(&db.pool)
                    .await?;
            }
        }
        self.remember(locale);
        self.read_at.store(now, Ordering::Relaxed);
        Ok(())
    }

    /// The admin's choice as stored (`None`: none).
    pub async fn chosen(&self, db: &Db) -> AppResult<Option<Locale>> {
        chosen(db).await
    }
}

async fn chosen(db: &Db) -> AppResult<Option<Locale>> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM setting WHERE name = 'default_locale'")
            .fetch_optional(&db.pool)
            .await?;
    Ok(value.as_deref().and_then(Locale::parse))
}
