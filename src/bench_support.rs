//! Scratch databases for the benchmark binaries (`src/bin/bench-*.rs`): every run gets a fresh
//! SQLite file in a new temporary folder, or a fresh PostgreSQL database on the server named by
//! `CASEBOOK_BENCH_PG_URL` (default: the local server), removed again afterwards. The server
//! itself never uses this module.

use crate::db::Db;
use anyhow::Context;
use std::path::PathBuf;
use std::time::Duration;

/// A database made for one benchmark run.
pub struct ScratchDb {
    /// Connection URL of the new database.
    pub url: String,
    place: Place,
}

enum Place {
    Sqlite(PathBuf),
    Postgres { admin: String, name: String },
}

/// `prefix` plus a random suffix that is safe in file and database names.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        crate::auth::random_token(6)
            .to_lowercase()
            .replace(['-', '_'], "x")
    )
}

/// The PostgreSQL server benchmarks create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("CASEBOOK_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates a scratch database. `None` (after printing `SKIP`) when PostgreSQL is wanted but not
/// reachable.
pub async fn create(postgres: bool, prefix: &str) -> anyhow::Result<Option<ScratchDb>> {
    if !postgres {
        let dir = std::env::temp_dir().join(unique_name(&format!("{prefix}-")));
        std::fs::create_dir_all(&dir)?;
        return Ok(Some(ScratchDb {
            url: format!("sqlite://{}/bench.db", dir.display()),
            place: Place::Sqlite(dir),
        }));
    }
    let admin = pg_admin_url();
    let db = match tokio::time::timeout(Duration::from_secs(10), Db::connect(&admin)).await {
        Ok(Ok(db)) => db,
        Ok(Err(err)) => {
            println!("SKIP postgres: not reachable through CASEBOOK_BENCH_PG_URL ({err:#})");
            return Ok(None);
        }
        Err(_) => {
            println!("SKIP postgres: connecting timed out");
            return Ok(None);
        }
    };
    let name = unique_name(&format!("{prefix}_"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&db.pool)
        .await
        .context("creating the benchmark database")?;
    db.pool.close().await;
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or_else(|| admin.clone());
    Ok(Some(ScratchDb {
        url: format!("{base}/{name}"),
        place: Place::Postgres { admin, name },
    }))
}

impl ScratchDb {
    /// Removes the database, or keeps it (printing its URL) when `keep` is set.
    pub async fn finish(self, keep: bool) {
        if keep {
            println!("kept database: {}", self.url);
            return;
        }
        match self.place {
            Place::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { admin, name } => {
                if let Ok(db) = Db::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&db.pool)
                        .await
                    {
                        println!("warning: could not drop database {name}: {err}");
                    }
                    db.pool.close().await;
                }
            }
        }
    }
}
