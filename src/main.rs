//! The `casebook` command line: parses arguments and calls into the library.

use anyhow::{Context, Result};
use casebook::auth::{self, NewAgent};
use casebook::config::Config;
use casebook::domain::Role;
use casebook::domain::clock::{Clock, SystemClock};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "casebook",
    version,
    about = "Casebook — open-source support helpdesk"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI, API and background workers.
    Serve {
        /// Load sample data (agents, customers, tickets) into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage agents.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Rebuild the search index from the database (safe to run again; progress on stderr).
    Reindex,
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import CRM events from a CSV (with a header row) or JSONL file. Re-running a file updates
    /// the events it already stored; rejected rows go to a report file with the reason.
    Crm {
        /// The file: `.csv` or `.jsonl`.
        file: std::path::PathBuf,
        /// Where to write rejected rows (default: FILE.rejected.csv).
        #[arg(long)]
        rejected: Option<std::path::PathBuf>,
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// No progress line on standard error.
        #[arg(long)]
        quiet: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an agent. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["agent", "lead", "admin"])]
        role: String,
        /// Read the password from standard input (the default; kept for scripts that say so).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an agent and print it once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until the token expires, 1 to 36500 (never, if not given).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=36_500))]
        expires_days: Option<i64>,
    },
    /// Revoke an API token (read from standard input).
    Revoke,
}

fn read_stdin_line() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading standard input")?;
    Ok(s.lines().next().unwrap_or("").to_string())
}

fn main() -> Result<()> {
    casebook::release_large_allocations();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<()> {
    casebook::init_tracing();
    let cli = Cli::parse();
    let config = Config::load()?;
    let now = SystemClock.now_ms();
    match cli.command {
        Command::Serve { demo } => {
            let clock: casebook::domain::clock::SharedClock = if config.clock_offset_ms != 0 {
                let shifted = casebook::domain::clock::OffsetClock::new();
                shifted.advance_ms(config.clock_offset_ms);
                tracing::warn!(
                    offset_ms = config.clock_offset_ms,
                    "the clock is shifted (CASEBOOK_CLOCK_OFFSET_MS)"
                );
                shifted
            } else {
                Arc::new(SystemClock)
            };
            let running = casebook::start(config, clock).await?;
            if demo {
                casebook::demo::load_if_empty(&running.state.db, now).await?;
            }
            tracing::info!("Casebook is listening on http://{}", running.addr);
            tokio::select! {
                _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
                _ = running.server => {}
            }
        }
        Command::Reindex => {
            let db = casebook::open_db(&config).await?;
            casebook::search::cli_reindex(&db, &config, now).await?;
        }
        Command::Migrate => {
            casebook::open_db(&config).await?;
            println!("migrations applied");
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    password_stdin: _,
                },
        } => {
            let db = casebook::open_db(&config).await?;
            let password = read_stdin_line()?;
            let role: Role = role
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--role {e}"))?;
            let agent = auth::create_agent(
                &db,
                NewAgent {
                    email: &email,
                    name: &name,
                    role,
                    password: &password,
                },
                now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added {} <{}> as {}", agent.name, agent.email, agent.role);
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    label,
                    expires_days,
                },
        } => {
            let db = casebook::open_db(&config).await?;
            let expires = expires_days.map(|d| now + d * 86_400_000);
            let token = auth::create_api_token(&db, &user, &label, expires, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{token}");
        }
        Command::Import {
            command:
                ImportCommand::Crm {
                    file,
                    rejected,
                    batch,
                    quiet,
                },
        } => {
            let db = casebook::open_db(&config).await?;
            let opts = casebook::customers::import::ImportOptions {
                rejected_path: rejected,
                batch_rows: batch,
                progress: !quiet,
            };
            let s =
                casebook::customers::import::import_file(&db, &file, &opts, &SystemClock).await?;
            println!(
                "{} rows in {:.1} s ({:.0} rows/s): {} imported, {} updated, {} rejected",
                s.rows,
                s.elapsed.as_secs_f64(),
                s.rows_per_sec(),
                s.imported,
                s.updated,
                s.rejected
            );
            if s.rejected > 0 {
                println!("rejected rows: {}", s.rejected_path.display());
            }
        }
        Command::Token {
            command: TokenCommand::Revoke,
        } => {
            let db = casebook::open_db(&config).await?;
            let token = read_stdin_line()?;
            if auth::revoke_api_token(&db, token.trim(), now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!("revoked");
            } else {
                anyhow::bail!("no such active token");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::Parser;

    #[test]
    fn a_token_expires_in_a_positive_number_of_days() {
        let create = |days: &str| {
            Cli::try_parse_from([
                "casebook",
                "token",
                "create",
                "--user",
                "ada@example.com",
                &format!("--expires-days={days}"),
            ])
        };
        for bad in ["0", "-3", "36501", "soon"] {
            let err = create(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(err.to_string().contains("--expires-days"), "{err}");
        }
        assert!(create("30").is_ok());
    }
}
