//! The email channel against real servers: Postfix (SMTP) delivering into Dovecot (IMAP), both
//! started by `.ci/run` (`.ci/mail-servers.sh`). Each test uses its own fresh addresses.

use crate::harness::{Backend, Options, TestApp};
use casebook::config::{ImapTls, MailboxConfig, Secret};
use futures_util::TryStreamExt;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub struct MailEnv {
    pub imap_host: String,
    pub imap_port: u16,
    pub smtp_url: String,
    pub doveadm: String,
    pub password: String,
}

impl MailEnv {
    /// The servers from `.ci/mail-servers.sh`, or None (skip) outside CI when they are not set up.
    pub fn get() -> Option<MailEnv> {
        let var = |k: &str| std::env::var(k).ok();
        match (
            var("CASEBOOK_TEST_IMAP_HOST"),
            var("CASEBOOK_TEST_SMTP_URL"),
        ) {
            (Some(imap_host), Some(smtp_url)) => Some(MailEnv {
                imap_host,
                imap_port: var("CASEBOOK_TEST_IMAP_PORT")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1143),
                smtp_url,
                doveadm: var("CASEBOOK_TEST_DOVEADM").unwrap_or_else(|| "doveadm".into()),
                password: var("CASEBOOK_TEST_MAIL_SHARED_PASSWORD")
                    .unwrap_or_else(|| "test-pw".into()),
            }),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("CI needs the mail servers: run .ci/mail-servers.sh and source its env file")
            }
            _ => {
                eprintln!(
                    "SKIP: mail servers not configured (source /tmp/casebook-mail/env after .ci/mail-servers.sh)"
                );
                None
            }
        }
    }

    pub fn fresh_address(&self, domain: &str, prefix: &str) -> String {
        format!(
            "{prefix}{}@{domain}",
            casebook::auth::random_token(6)
                .to_lowercase()
                .replace(['-', '_'], "x")
        )
    }

    pub fn mailbox(&self, user: &str, poll_secs: u64) -> MailboxConfig {
        MailboxConfig {
            host: self.imap_host.clone(),
            port: self.imap_port,
            user: user.into(),
            password: Secret::new(self.password.clone()),
            tls: ImapTls::None,
            folder: "INBOX".into(),
            archive_folder: None,
            poll_secs,
            idle: true,
            idle_wait_secs: 25,
            command_timeout_secs: 60,
            before_idle: None,
        }
    }

    pub async fn send(&self, raw_from: &str, to: &str, raw: Vec<u8>) {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.smtp_url)
            .unwrap()
            .build();
        let envelope = lettre::address::Envelope::new(
            Some(raw_from.parse().unwrap()),
            vec![to.parse().unwrap()],
        )
        .unwrap();
        transport
            .send_raw(&envelope, &raw)
            .await
            .expect("SMTP accepted the message");
    }

    /// Puts a message straight into a mailbox (as local delivery would).
    pub fn inject(&self, user: &str, raw: &[u8]) {
        use std::io::Write;
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{} save -u {user}", self.doveadm))
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("doveadm");
        child.stdin.take().unwrap().write_all(raw).unwrap();
        assert!(child.wait().unwrap().success(), "doveadm save failed");
    }

    pub async fn session(&self, user: &str) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect((self.imap_host.as_str(), self.imap_port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        client
            .login(user, &self.password)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// Appends many messages to `user`'s INBOX over one IMAP connection (fast bulk loading).
    pub async fn append_many(&self, user: &str, messages: impl Iterator<Item = Vec<u8>>) {
        let mut session = self.session(user).await;
        for raw in messages {
            session
                .append("INBOX", None, None, &raw)
                .await
                .expect("IMAP APPEND");
        }
        let _ = session.logout().await;
    }

    /// Every message in `user`'s INBOX, oldest first.
    pub async fn read_all(&self, user: &str) -> Vec<Vec<u8>> {
        let mut session = self.session(user).await;
        session.select("INBOX").await.unwrap();
        let mut out = Vec::new();
        {
            let mut stream = session.fetch("1:*", "(UID BODY.PEEK[])").await.unwrap();
            while let Ok(Some(f)) = stream.try_next().await {
                if let Some(b) = f.body() {
                    out.push(b.to_vec());
                }
            }
        }
        let _ = session.logout().await;
        out
    }

    pub async fn wait_for_mail(&self, user: &str, count: usize) -> Vec<Vec<u8>> {
        let start = Instant::now();
        loop {
            let mails = self.read_all(user).await;
            if mails.len() >= count || start.elapsed() > Duration::from_secs(20) {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

pub fn plain_mail(
    from: &str,
    to: &str,
    subject: &str,
    message_id: &str,
    extra: &str,
    body: &str,
) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n{extra}Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

pub(crate) async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> Duration {
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

pub(crate) async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

pub(crate) async fn spawn_mail_app(
    backend: Backend,
    env: &MailEnv,
    support: &str,
    poll_secs: u64,
) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        Options {
            mailboxes: vec![env.mailbox(support, poll_secs)],
            smtp_url: Some(env.smtp_url.clone()),
            support_address: Some(format!("Casebook Support <{support}>")),
            ..Options::default()
        },
    )
    .await
}

/// An app (SQLite) that reads `mailbox` and sends no mail.
async fn spawn_reading(mailbox: MailboxConfig) -> Option<TestApp> {
    TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            mailboxes: vec![mailbox],
            ..Options::default()
        },
    )
    .await
}

pub(crate) fn parsed(raw: &[u8]) -> casebook::email::ParsedEmail {
    casebook::email::parse(raw, &casebook::email::Limits::default()).expect("our own mail parses")
}

async fn full_loop(backend: Backend) {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "sup");
    let customer = env.fresh_address("customer.test", "cus");
    let Some(app) = spawn_mail_app(backend, &env, &support, 300).await else {
        return;
    };

    env.send(
        &customer,
        &support,
        plain_mail(
            &format!("Rosa <{customer}>"),
            &support,
            "Printer on fire",
            "orig-1@customer.test",
            "",
            "It is smoking.",
        ),
    )
    .await;
    wait_until("the ticket", || async {
        count(&app, "SELECT COUNT(*) FROM ticket").await == 1
    })
    .await;
    let tickets: Value = app.get_json("/api/v1/tickets").await;
    let ticket = &tickets["items"][0];
    let id = ticket["id"].as_i64().unwrap();
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["customer_email"], customer.as_str());

    // The acknowledgement arrives, marked as automatic and threaded.
    let inbox = env.wait_for_mail(&customer, 1).await;
    assert_eq!(inbox.len(), 1, "one acknowledgement");
    let ack = parsed(&inbox[0]);
    assert!(ack.subject.contains(&format!("[#{id}-")), "{}", ack.subject);
    assert!(String::from_utf8_lossy(&inbox[0]).contains("Auto-Submitted: auto-replied"));
    assert_eq!(ack.in_reply_to, vec!["orig-1@customer.test".to_string()]);

    // The agent answers; the reply reaches the customer's mailbox, chained to the thread.
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Unplug it, please.", "status": "pending", "attachments": [
            {"filename": "steps.txt", "content_type": "text/plain", "content_base64": "MS4gVW5wbHVnCjIuIFdhaXQK"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let inbox = env.wait_for_mail(&customer, 2).await;
    assert_eq!(inbox.len(), 2);
    let reply = parsed(&inbox[1]);
    assert!(reply.text.contains("Unplug it, please."));
    let file = reply
        .attachments
        .iter()
        .find(|a| a.filename.as_deref() == Some("steps.txt"))
        .expect("the attachment travels with the reply");
    assert_eq!(file.content, b"1. Unplug\n2. Wait\n");
    assert!(
        reply.subject.contains(&format!("[#{id}-")),
        "{}",
        reply.subject
    );
    assert!(
        !String::from_utf8_lossy(&inbox[1]).contains("Auto-Submitted"),
        "a person's reply is not automatic"
    );
    assert!(
        reply
            .references
            .contains(&"orig-1@customer.test".to_string())
    );
    let reply_id = reply.message_id.clone().expect("our Message-ID");
    wait_until("delivery recorded", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM message WHERE delivery_status = 'sent'",
        )
        .await
            == 2
    })
    .await;

    // The customer answers that mail; it threads back onto the same ticket and reopens it.
    let answer = plain_mail(
        &customer,
        &support,
        &format!("Re: {}", reply.subject),
        "orig-2@customer.test",
        &format!(
            "In-Reply-To: <{reply_id}>\r\nReferences: <orig-1@customer.test> <{reply_id}>\r\n"
        ),
        "Done, thanks!\r\n\r\nOn Thu, 26 Nov 2026, Casebook Support wrote:\r\n> Unplug it, please.",
    );
    env.send(&customer, &support, answer).await;
    wait_until("the answer", || async {
        count(&app, "SELECT COUNT(*) FROM message").await == 4
    })
    .await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket").await,
        1,
        "no second ticket"
    );
    let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["ticket"]["status"], "open");
    let last = t["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body_text"].as_str().unwrap().trim(), "Done, thanks!");
    assert!(
        last["thread_reason"]
            .as_str()
            .unwrap()
            .contains("In-Reply-To")
    );
    // The customer got no second acknowledgement.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(env.read_all(&customer).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_loop_sqlite() {
    full_loop(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_loop_postgres() {
    full_loop(Backend::Postgres).await;
}

/// Mail is flagged \Seen only once its ticket exists, and moved to the archive folder if one is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processed_mail_is_flagged_and_archived() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "arc");
    let mut mailbox = env.mailbox(&support, 300);
    mailbox.archive_folder = Some("Casebook-Processed".into());
    let Some(app) = spawn_reading(mailbox).await else {
        return;
    };
    env.append_many(
        &support,
        (0..3).map(|i| {
            plain_mail(
                "arc@customer.test",
                &support,
                &format!("Archive {i}"),
                &format!("arc-{i}-{support}"),
                "",
                "body",
            )
        }),
    )
    .await;
    wait_until("three tickets", || async {
        count(&app, "SELECT COUNT(*) FROM ticket").await == 3
    })
    .await;
    let mut session = env.session(&support).await;
    let start = Instant::now();
    loop {
        let inbox = session.select("INBOX").await.unwrap();
        let archive = session.select("Casebook-Processed").await;
        if inbox.exists == 0 && archive.as_ref().is_ok_and(|a| a.exists == 3) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "INBOX {} / archive {:?}",
            inbox.exists,
            archive.map(|a| a.exists)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.select("Casebook-Processed").await.unwrap();
    let unseen = session.search("UNSEEN").await.unwrap();
    assert!(unseen.is_empty(), "archived mail is flagged \\Seen");
    let _ = session.logout().await;
}

/// With IDLE switched off the fetcher polls, and mail still arrives within the poll interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_works_without_idle() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "poll");
    let mut mailbox = env.mailbox(&support, 1);
    mailbox.idle = false;
    let Some(app) = spawn_reading(mailbox).await else {
        return;
    };
    wait_until("the mailbox lease", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM mailbox_state WHERE lease_owner IS NOT NULL",
        )
        .await
            == 1
    })
    .await;
    for i in 0..2 {
        env.inject(
            &support,
            &plain_mail(
                "poll@customer.test",
                &support,
                &format!("Poll {i}"),
                &format!("poll-{i}-{support}"),
                "",
                "ping",
            ),
        );
        let app = &app;
        let took = wait_until("the ticket", || async move {
            count(app, "SELECT COUNT(*) FROM ticket").await == i + 1
        })
        .await;
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}

/// Postfix refuses to relay to a domain it does not serve (554): a permanent failure, shown on
/// the ticket at once, without retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_recipient_is_a_permanent_failure() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "rej");
    let Some(app) = spawn_mail_app(Backend::Sqlite, &env, &support, 300).await else {
        return;
    };
    let id = app
        .create_ticket("someone@unrouted.example", "Hi", "Hello")
        .await["id"]
        .as_i64()
        .unwrap();
    app.api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Answer"}))
        .send()
        .await
        .unwrap();
    wait_until("the failure", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM message WHERE delivery_status = 'failed'",
        )
        .await
            == 1
    })
    .await;
    let attempts: i64 =
        sqlx::query_scalar("SELECT attempts FROM outbox WHERE kind = 'message.sent'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(attempts, 1, "permanent failures are not retried");
    let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    let failed = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["delivery_status"] == "failed")
        .unwrap()
        .clone();
    assert!(
        failed["delivery_error"].as_str().unwrap().contains("554")
            || failed["delivery_error"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("relay"),
        "{failed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_picks_up_mail_without_polling() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "idle");
    // Poll interval of five minutes: only IDLE can make this fast.
    let Some(app) = spawn_mail_app(Backend::Sqlite, &env, &support, 300).await else {
        return;
    };
    wait_until("the mailbox lease", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM mailbox_state WHERE lease_owner IS NOT NULL",
        )
        .await
            == 1
    })
    .await;
    // No pause before the first message: one that lands while the fetcher is still connecting or
    // fetching must be picked up as fast as one that lands during IDLE.
    let mut latencies = Vec::new();
    for i in 0..3 {
        env.inject(
            &support,
            &plain_mail(
                "idle@customer.test",
                &support,
                &format!("Idle {i}"),
                &format!("idle-{i}@customer.test"),
                "",
                "ping",
            ),
        );
        let app = &app;
        let took = wait_until("the ticket", || async move {
            count(app, "SELECT COUNT(*) FROM ticket").await == i + 1
        })
        .await;
        latencies.push(took);
    }
    eprintln!("IMAP IDLE → ticket latencies: {latencies:?}");
    assert!(
        latencies.iter().all(|l| *l < Duration::from_secs(20)),
        "{latencies:?}"
    );
}

/// Mail delivered in the moment between the end of a fetch and the start of IDLE is picked up
/// at once, not when the IDLE wait (here a minute) runs out — also from a server that never
/// announces it. Dovecot announces such mail when IDLE starts; many servers do not, so the test
/// talks to Dovecot through a proxy that removes every `EXISTS`/`RECENT` announcement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_between_fetch_and_idle_is_not_missed() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let Some(env) = MailEnv::get() else { return };
    let env = Arc::new(env);
    let support = env.fresh_address("helpdesk.test", "race");
    let proxy_port = silent_imap_proxy(&env.imap_host, env.imap_port).await;
    let armed = Arc::new(AtomicBool::new(true));
    let delivered = Arc::new(tokio::sync::Notify::new());
    let mut mailbox = env.mailbox(&support, 300);
    mailbox.port = proxy_port;
    mailbox.idle_wait_secs = 60;
    mailbox.before_idle = Some(casebook::config::IdleHook({
        let (env, armed, delivered, support) = (
            env.clone(),
            armed.clone(),
            delivered.clone(),
            support.clone(),
        );
        Arc::new(move || {
            let (env, armed, delivered, support) = (
                env.clone(),
                armed.clone(),
                delivered.clone(),
                support.clone(),
            );
            Box::pin(async move {
                if !armed.swap(false, Ordering::SeqCst) {
                    return;
                }
                let raw = plain_mail(
                    "race@customer.test",
                    &support,
                    "Between fetch and idle",
                    &format!("race-{support}"),
                    "",
                    "ping",
                );
                tokio::task::spawn_blocking(move || env.inject(&support, &raw))
                    .await
                    .unwrap();
                delivered.notify_one();
            })
        })
    }));
    let Some(app) = spawn_reading(mailbox).await else {
        return;
    };
    // The first fetch finds nothing; the hook delivers a message right after it.
    tokio::time::timeout(Duration::from_secs(30), delivered.notified())
        .await
        .expect("the fetcher fetched and reached IDLE");
    let delivered_at = Instant::now();
    let app = &app;
    wait_until("the ticket", || async move {
        count(app, "SELECT COUNT(*) FROM ticket").await == 1
    })
    .await;
    let took = delivered_at.elapsed();
    eprintln!("mail delivered between fetch and IDLE became a ticket after {took:?}");
    assert!(took < Duration::from_secs(3), "picked up after {took:?}");
}

/// An IMAP server that stops answering in the middle of a session (here: its first session, at
/// SELECT) is dropped after the mailbox's command timeout and the fetcher reconnects; the mail
/// waiting in the folder becomes a ticket. Without the timeout the fetcher would wait on the
/// silent connection for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_answering_is_dropped_and_reconnected() {
    use std::sync::atomic::Ordering;
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "hung");
    let raw = plain_mail(
        "waiting@customer.test",
        &support,
        "Waiting in the folder",
        &format!("hung-{support}"),
        "",
        "hello",
    );
    env.inject(&support, &raw);
    let (proxy_port, connections, froze) = freezing_imap_proxy(&env.imap_host, env.imap_port).await;
    let mut mailbox = env.mailbox(&support, 300);
    mailbox.port = proxy_port;
    mailbox.command_timeout_secs = 2;
    let Some(app) = spawn_reading(mailbox).await else {
        return;
    };
    let app = &app;
    let took = wait_until("the ticket after the reconnect", || async move {
        count(app, "SELECT COUNT(*) FROM ticket").await == 1
    })
    .await;
    eprintln!("ticket after a silent first session: {took:?}");
    assert!(
        froze.load(Ordering::SeqCst),
        "the first session never reached SELECT"
    );
    assert!(
        connections.load(Ordering::SeqCst) >= 2,
        "the ticket came without a second session"
    );
}

/// A TCP proxy to the IMAP server whose first connection goes silent once the client sends
/// SELECT (the server's answers are swallowed, the connection stays open); later connections
/// pass. Returns its port, the number of connections, and whether the first one went silent.
async fn freezing_imap_proxy(
    host: &str,
    port: u16,
) -> (
    u16,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    let upstream = format!("{host}:{port}");
    let connections = Arc::new(AtomicUsize::new(0));
    let froze = Arc::new(AtomicBool::new(false));
    let (count, frozen) = (connections.clone(), froze.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let first = count.fetch_add(1, Ordering::SeqCst) == 0;
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                continue;
            };
            let (client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            let silent = Arc::new(AtomicBool::new(false));
            let (silent_in, frozen) = (silent.clone(), frozen.clone());
            tokio::spawn(async move {
                let mut lines = BufReader::new(client_read);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    if first
                        && String::from_utf8_lossy(&line)
                            .to_uppercase()
                            .contains(" SELECT ")
                    {
                        silent_in.store(true, Ordering::SeqCst);
                        frozen.store(true, Ordering::SeqCst);
                    }
                    if server_write.write_all(&line).await.is_err() {
                        break;
                    }
                }
            });
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match tokio::io::AsyncReadExt::read(&mut server_read, &mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if silent.load(Ordering::SeqCst) {
                        continue;
                    }
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                // Keep the client's side open (a hung server does not hang up).
                std::future::pending::<()>().await;
            });
        }
    });
    (local, connections, froze)
}

/// A TCP proxy to the IMAP server that drops the server's `* n EXISTS` and `* n RECENT` lines:
/// a server that never announces new mail. Returns its port.
async fn silent_imap_proxy(host: &str, port: u16) -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    let upstream = format!("{host}:{port}");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                continue;
            };
            let (mut client_read, mut client_write) = client.into_split();
            let (server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            tokio::spawn(async move {
                let mut lines = BufReader::new(server_read);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let text = String::from_utf8_lossy(&line);
                    let words: Vec<&str> = text.split_whitespace().collect();
                    let announcement = words.len() == 3
                        && words[0] == "*"
                        && words[1].parse::<u32>().is_ok()
                        && matches!(words[2], "EXISTS" | "RECENT");
                    if !announcement && client_write.write_all(&line).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    local
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_responder_loop_is_stopped() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "loop");
    let bot = env.fresh_address("customer.test", "bot");
    let Some(app) = spawn_mail_app(Backend::Sqlite, &env, &support, 300).await else {
        return;
    };
    env.send(
        &bot,
        &support,
        plain_mail(
            &bot,
            &support,
            "Order question",
            "bot-start@customer.test",
            "",
            "Where is my order?",
        ),
    )
    .await;
    // The bot answers every mail it gets with an out-of-office, in the thread.
    let mut answered = 0;
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        let inbox = env.read_all(&bot).await;
        while answered < inbox.len() {
            let got = parsed(&inbox[answered]);
            let mid = got.message_id.clone().unwrap_or_default();
            let auto = plain_mail(
                &bot,
                &support,
                &format!("Out of office: {}", got.subject),
                &format!("bot-{answered}@customer.test"),
                &format!("Auto-Submitted: auto-replied\r\nIn-Reply-To: <{mid}>\r\n"),
                "I am on holiday.",
            );
            env.send(&bot, &support, auto).await;
            answered += 1;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        answered, 1,
        "Casebook sent one acknowledgement and never answered the auto-reply"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ticket").await, 1);
    wait_until("the auto-reply recorded", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM message WHERE mail_kind = 'auto_reply'",
        )
        .await
            == 1
    })
    .await;
}

/// SIGKILL Casebook several times while it works through 500 messages sitting in the mailbox:
/// afterwards exactly 500 tickets exist, none twice, none missing, and every customer got an
/// acknowledgement; one that was sent again after a kill is byte for byte the first.
async fn kill_during_mailbox_batch(backend: Backend) {
    use crate::crash::{Server, free_port, setup};
    let Some(env) = MailEnv::get() else { return };
    let Some((url, _token)) = setup(backend).await else {
        return;
    };
    let support = env.fresh_address("helpdesk.test", "bulk");
    let total = 500i64;
    // Two messages a customer, under the limit of acknowledgements per customer and hour.
    let customers: Vec<String> = (0..total / 2)
        .map(|i| env.fresh_address("customer.test", &format!("c{i}x")))
        .collect();
    let started = Instant::now();
    let mails = (0..total).map(|i| {
        plain_mail(
            &customers[(i / 2) as usize],
            &support,
            &format!("Bulk {i}"),
            &format!("bulk-{i}-{support}"),
            "",
            "message body",
        )
    });
    env.append_many(&support, mails).await;
    eprintln!(
        "loaded {total} messages into the mailbox in {:?}",
        started.elapsed()
    );
    let imap_env = [
        ("CASEBOOK_IMAP_HOST", env.imap_host.clone()),
        ("CASEBOOK_IMAP_PORT", env.imap_port.to_string()),
        ("CASEBOOK_IMAP_USER", support.clone()),
        ("CASEBOOK_IMAP_PASSWORD", env.password.clone()),
        ("CASEBOOK_IMAP_TLS", "none".to_string()),
        ("CASEBOOK_EMAIL_RATE_PER_HOUR", "100000".to_string()),
        ("CASEBOOK_SMTP_URL", env.smtp_url.clone()),
        ("CASEBOOK_SUPPORT_ADDRESS", format!("Support <{support}>")),
    ];
    let db = casebook::db::Db::connect(&url).await.unwrap();
    let tickets = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ticket")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };
    let port = free_port();
    for kill_at in [60, 200, 350] {
        let server = Server::start_with(&url, port, true, &imap_env).await;
        let start = Instant::now();
        while tickets().await < kill_at && start.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill9();
        eprintln!("killed at {} tickets", tickets().await);
    }
    let server = Server::start_with(&url, port, true, &imap_env).await;
    let start = Instant::now();
    while tickets().await < total && start.elapsed() < Duration::from_secs(180) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let acks_sent = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM message WHERE author_kind = 'system' AND delivery_status = 'sent'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap()
    };
    while acks_sent().await < total && start.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the fetcher finish its pass, then check nothing more appears.
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.kill9();
    assert_eq!(acks_sent().await, total, "every ticket was acknowledged");
    assert_eq!(
        tickets().await,
        total,
        "every message became exactly one ticket"
    );
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT subject) FROM ticket")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(distinct, total);
    let messages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM message WHERE author_kind = 'customer'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(messages, total);
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(held, 0);

    // What the customers received: one acknowledgement per ticket, by Message-ID; a repeat
    // (sent again after a kill) is the same bytes once the relay's trace headers are set aside.
    let mut by_id: std::collections::HashMap<String, Vec<Vec<u8>>> = Default::default();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        by_id.clear();
        for customer in &customers {
            for raw in env.read_all(customer).await {
                let id = parsed(&raw).message_id.unwrap_or_default();
                by_id
                    .entry(id)
                    .or_default()
                    .push(without_trace_headers(&raw));
            }
        }
        if by_id.len() as i64 >= total || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(by_id.len() as i64, total, "one acknowledgement per ticket");
    let mut repeated = 0;
    for (id, copies) in &by_id {
        repeated += copies.len() - 1;
        assert!(
            copies.iter().all(|c| c == &copies[0]),
            "acknowledgement {id} was sent again with different bytes"
        );
    }
    eprintln!("{repeated} acknowledgements were sent again after a kill, each byte-identical");
}

/// The message as Casebook rendered it: the headers the relay and the mailbox server put on
/// top (`Received`, `Return-Path`, `Delivered-To`, `X-Original-To`) removed.
fn without_trace_headers(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut kept = Vec::new();
    let mut skipping = false;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if !skipping {
                kept.push(line);
            }
            continue;
        }
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        skipping = matches!(
            name.as_str(),
            "received" | "return-path" | "delivered-to" | "x-original-to"
        );
        if !skipping {
            kept.push(line);
        }
    }
    format!("{}\n\n{body}", kept.join("\n")).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_mailbox_batch_sqlite() {
    kill_during_mailbox_batch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_mailbox_batch_postgres() {
    kill_during_mailbox_batch(Backend::Postgres).await;
}

/// The customer copies a colleague: the colleague is on the ticket's Cc, and the agent's reply
/// reaches them through Postfix and Dovecot (the acknowledgement does not; our own address is
/// never copied).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_colleague_gets_the_agents_reply() {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "ccsup");
    let customer = env.fresh_address("customer.test", "cccus");
    let colleague = env.fresh_address("customer.test", "ccmate");
    let Some(app) = spawn_mail_app(Backend::Sqlite, &env, &support, 300).await else {
        return;
    };
    env.send(
        &customer,
        &support,
        plain_mail(
            &format!("Rosa <{customer}>"),
            &support,
            "Invoice question",
            &format!("cc-orig-{customer}"),
            &format!("Cc: Max <{colleague}>, Support Desk <{support}>\r\n"),
            "Why two invoices?",
        ),
    )
    .await;
    wait_until("the ticket", || async {
        count(&app, "SELECT COUNT(*) FROM ticket").await == 1
    })
    .await;
    let id = app.get_json("/api/v1/tickets").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["cc"], json!([colleague.clone()]), "never our own address");
    // The acknowledgement goes to the customer only.
    assert_eq!(env.wait_for_mail(&customer, 1).await.len(), 1);
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "One was a duplicate; we cancelled it."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let got = env.wait_for_mail(&colleague, 1).await;
    assert_eq!(
        got.len(),
        1,
        "the colleague got the reply, and only the reply"
    );
    let reply = parsed(&got[0]);
    assert!(
        reply.subject.contains(&format!("[#{id}-")),
        "{}",
        reply.subject
    );
    assert!(reply.text.contains("One was a duplicate"));
    assert_eq!(reply.cc, vec![colleague.clone()]);
    let to_customer = env.wait_for_mail(&customer, 2).await;
    assert_eq!(to_customer.len(), 2, "acknowledgement and reply");
    assert_eq!(
        parsed(&to_customer[1]).message_id,
        reply.message_id,
        "one mail, two recipients"
    );
}
