//! Test harness: starts the real Casebook app in this process on an ephemeral port, against a
//! fresh SQLite file or a fresh PostgreSQL database.

use casebook::auth::{self, NewAgent};
use casebook::config::{Config, Secret};
use casebook::domain::Role;
use casebook::domain::clock::OffsetClock;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery";

pub fn pg_admin_url() -> String {
    std::env::var("CASEBOOK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A fresh, empty database URL for one test, or None (skip) when PostgreSQL is not reachable
/// outside CI. In CI a missing PostgreSQL fails the test.
pub async fn fresh_database(backend: Backend) -> Option<String> {
    let name = format!(
        "cbt_{}",
        casebook::auth::random_token(9)
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("casebook-tests");
            std::fs::create_dir_all(&dir).unwrap();
            Some(format!("sqlite://{}/{name}.db", dir.display()))
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let db = match casebook::db::Db::connect(&admin).await {
                Ok(db) => db,
                Err(err) if !in_ci() => {
                    eprintln!(
                        "SKIP: PostgreSQL not reachable at {admin} ({err:#}); run .ci/run or set CASEBOOK_TEST_PG_URL"
                    );
                    return None;
                }
                Err(err) => {
                    panic!("PostgreSQL is required in CI but not reachable at {admin}: {err:#}")
                }
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&db.pool)
                .await
                .expect("create test database");
            db.pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin);
            Some(format!("{base}/{name}"))
        }
    }
}

pub struct TestApp {
    pub url: String,
    pub running: casebook::Running,
    pub clock: Arc<OffsetClock>,
    pub database_url: String,
    pub admin_token: String,
    pub agent_token: String,
    pub agent_email: String,
    pub admin_email: String,
    /// How long [`TestApp::drain_outbox`] waits before it fails the test. Tests against a search
    /// server derive it from the server's task latency.
    pub drain_bound: std::time::Duration,
}

pub struct Options {
    pub workers: bool,
    pub form_rate_per_hour: u32,
    pub max_body_bytes: usize,
    pub mailboxes: Vec<casebook::config::MailboxConfig>,
    pub smtp_url: Option<String>,
    pub support_address: Option<String>,
    pub crm_webhook_secret: Option<String>,
    /// Search through this Meilisearch (or the in-process fake) instead of the database.
    pub meili_url: Option<String>,
    pub meili_key: Option<String>,
    /// Changes any other setting before the app starts.
    pub configure: Option<fn(&mut Config)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: true,
            form_rate_per_hour: 1000,
            max_body_bytes: 2 * 1024 * 1024,
            mailboxes: Vec::new(),
            smtp_url: None,
            support_address: None,
            crm_webhook_secret: None,
            meili_url: None,
            meili_key: None,
            configure: None,
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, opts: Options) -> Option<TestApp> {
        let database_url = fresh_database(backend).await?;
        Some(Self::spawn_on(database_url, opts).await)
    }

    /// An app on the database at `database_url` (created if it is a new SQLite file).
    pub async fn spawn_on(database_url: String, opts: Options) -> TestApp {
        let mut config = Config {
            database_url: Secret::new(database_url.clone()),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            workers: opts.workers,
            outbox_poll_ms: 50,
            form_rate_per_hour: opts.form_rate_per_hour,
            max_body_bytes: opts.max_body_bytes,
            max_attachment_bytes: opts.max_body_bytes / 2,
            mailboxes: opts.mailboxes,
            smtp_url: opts.smtp_url.map(Secret::new),
            support_address: opts.support_address,
            crm_webhook_secret: opts.crm_webhook_secret.map(Secret::new),
            meili_url: opts.meili_url,
            meili_key: opts.meili_key.map(Secret::new),
            ..Config::default()
        };
        if let Some(configure) = opts.configure {
            configure(&mut config);
        }
        let clock = OffsetClock::new();
        let running = casebook::start(config, clock.clone())
            .await
            .expect("start app");
        let db = &running.state.db;
        let now = running.state.now();
        let admin_email = "admin@casebook.test".to_string();
        let agent_email = "agent@casebook.test".to_string();
        auth::create_agent(
            db,
            NewAgent {
                email: &admin_email,
                name: "Ada Admin",
                role: Role::Admin,
                password: PASSWORD,
            },
            now,
        )
        .await
        .unwrap();
        auth::create_agent(
            db,
            NewAgent {
                email: &agent_email,
                name: "Gus Agent",
                role: Role::Agent,
                password: PASSWORD,
            },
            now,
        )
        .await
        .unwrap();
        let admin_token = auth::create_api_token(db, &admin_email, "test", None, now)
            .await
            .unwrap();
        let agent_token = auth::create_api_token(db, &agent_email, "test", None, now)
            .await
            .unwrap();
        TestApp {
            url: format!("http://{}", running.addr),
            running,
            clock,
            database_url,
            admin_token,
            agent_token,
            agent_email,
            admin_email,
            drain_bound: std::time::Duration::from_secs(5),
        }
    }

    pub fn db(&self) -> &casebook::db::Db {
        &self.running.state.db
    }

    /// A client that keeps cookies (a browser) and does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Creates a ticket through the API as the agent; returns its JSON.
    pub async fn create_ticket(&self, email: &str, subject: &str, body: &str) -> serde_json::Value {
        let resp = self
            .api()
            .post(self.at("/api/v1/tickets"))
            .bearer_auth(&self.agent_token)
            .json(&serde_json::json!({"customer": {"email": email, "name": "Test Customer"}, "subject": subject, "body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        resp.json::<serde_json::Value>().await.unwrap()["ticket"].clone()
    }

    /// `method path` with `token` and a JSON body; the status and the JSON answer (null when
    /// there is none).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: impl std::borrow::Borrow<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let r = self
            .api()
            .request(m, self.at(path))
            .bearer_auth(token)
            .json(body.borrow())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Creates a team through the API as the admin (`{"name", "is_default"?, "members"?}`); its id.
    pub async fn create_team(&self, team: serde_json::Value) -> i64 {
        let (s, t) = self
            .send("POST", "/api/v1/teams", &self.admin_token, team)
            .await;
        assert_eq!(s, 201, "{t}");
        t["team"]["id"].as_i64().unwrap()
    }

    /// `GET path` with the agent's token; the JSON body.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.api()
            .get(self.at(path))
            .bearer_auth(&self.agent_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (bounded) until every outbox job is done.
    pub async fn drain_outbox(&self) {
        let until = std::time::Instant::now() + self.drain_bound;
        while std::time::Instant::now() < until {
            if casebook::outbox::depth(self.db()).await.unwrap() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!(
            "outbox did not drain within {:.1} s",
            self.drain_bound.as_secs_f64()
        );
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.running.stop();
    }
}

/// Fetches a page and returns its CSRF token (from the hidden field).
pub async fn csrf_from(client: &reqwest::Client, url: &str) -> (String, String) {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    let token = extract_attr(&html, "name=\"csrf\" value=\"").expect("csrf field on page");
    (token, html)
}

pub fn extract_attr(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// Logs a browser client in as `email`.
pub async fn login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::StatusCode {
    let (csrf, _) = csrf_from(client, &app.at("/login")).await;
    client
        .post(app.at("/login"))
        .form(&[("email", email), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
        .status()
}

/// A test on both backends against an app whose job workers are off: the test plays the workers.
#[macro_export]
macro_rules! without_workers {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::harness::TestApp) {
                $body.await
            }
            async fn on(backend: $crate::harness::Backend) {
                let opts = $crate::harness::Options {
                    workers: false,
                    ..$crate::harness::Options::default()
                };
                if let Some(app) = $crate::harness::TestApp::spawn_with(backend, opts).await {
                    run(app).await
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                on($crate::harness::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                on($crate::harness::Backend::Postgres).await
            }
        }
    };
}

/// Runs a test body against both backends: `both_backends!(name, |app| async move { ... })`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::harness::TestApp) {
                $body.await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite).await
                {
                    run(app).await
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::harness::TestApp::spawn($crate::harness::Backend::Postgres).await
                {
                    run(app).await
                }
            }
        }
    };
}
