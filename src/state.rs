//! Everything a handler or worker needs, passed explicitly (no globals): database, clock, config,
//! metrics, rate limiters, mail and search.

use crate::config::Config;
use crate::db::Db;
use crate::domain::clock::SharedClock;
use crate::metrics::Metrics;
use crate::notify::Mailer;
use crate::ratelimit::RateLimiter;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<Limits>,
    /// Outbound email, when SMTP and the support address are configured.
    pub mailer: Option<Mailer>,
    /// The search index: the database's own full-text search, or Meilisearch when configured.
    pub search: Arc<dyn crate::search::SearchIndex>,
    /// The live desk's event hub and presence board.
    pub live: Arc<crate::live::Live>,
    /// Bytes of large request bodies in memory at once.
    pub upload_budget: Arc<crate::ratelimit::ByteBudget>,
    /// Tickets a large catch-up of the search index still has to index (0: none), so searches
    /// can say their results may be incomplete.
    pub search_rebuild: Arc<std::sync::atomic::AtomicI64>,
    /// Saved views' counts for the sidebar, counted at most every few seconds.
    pub view_counts: Arc<crate::tickets::views::CountCache>,
    /// The installation's default language (an admin's choice, else the configuration's).
    pub default_locale: Arc<crate::settings::DefaultLocale>,
    /// The HTTP clients outbound webhooks are sent through.
    pub webhooks: Arc<crate::webhooks::send::Sender>,
}

/// In-process rate limiters (per node; a shared store is not needed for abuse control).
pub struct Limits {
    pub form_per_ip: RateLimiter,
    pub form_per_address: RateLimiter,
}

impl AppState {
    pub fn new(
        db: Db,
        config: Config,
        clock: SharedClock,
        mailer: Option<Mailer>,
    ) -> anyhow::Result<Self> {
        let configured =
            crate::i18n::Locale::parse(&config.default_locale).unwrap_or(crate::i18n::Locale::En);
        crate::i18n::set_default(configured);
        let hour = 3_600_000;
        let limits = Limits {
            form_per_ip: RateLimiter::new(config.form_rate_per_hour, hour),
            form_per_address: RateLimiter::new(config.form_rate_per_hour.div_ceil(2).max(1), hour),
        };
        let search = crate::search::from_config(&config, &db)?;
        let upload_budget = Arc::new(crate::ratelimit::ByteBudget::new(
            config.max_upload_bytes_in_flight.max(config.max_body_bytes),
        ));
        let webhooks = Arc::new(crate::webhooks::send::Sender::new(
            std::time::Duration::from_millis(config.webhook_timeout_ms),
        )?);
        Ok(AppState {
            webhooks,
            db,
            config: Arc::new(config),
            clock,
            metrics: Arc::new(Metrics::default()),
            limits: Arc::new(limits),
            mailer,
            search,
            live: Arc::new(crate::live::Live::new(4096)),
            upload_budget,
            view_counts: Arc::default(),
            search_rebuild: Arc::default(),
            default_locale: Arc::new(crate::settings::DefaultLocale::new(configured)),
        })
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The installation's default language now.
    pub fn default_locale(&self) -> crate::i18n::Locale {
        self.default_locale.get(&self.db, self.now())
    }
}
