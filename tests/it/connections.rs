//! Slow and silent clients: connections that send nothing, headers that trickle in, bodies that
//! stall, more connections than the cap, and large posts beyond the upload budget. Each costs a
//! bounded number of sockets for a bounded time, and everyone else is served meanwhile.

use crate::harness::{Backend, fresh_database};
use casebook::config::{Config, Secret};
use casebook::domain::clock::OffsetClock;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(tweak: impl FnOnce(&mut Config)) -> casebook::Running {
    let database_url = fresh_database(Backend::Sqlite).await.unwrap();
    let mut config = Config {
        database_url: Secret::new(database_url),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        workers: false,
        ..Config::default()
    };
    tweak(&mut config);
    casebook::start(config, OffsetClock::new()).await.unwrap()
}

/// Waits until the server closes `conn` (reads whatever it sends first); returns how long it took.
async fn closed_within(conn: &mut TcpStream, bound: Duration) -> Duration {
    let t = Instant::now();
    let mut buf = vec![0u8; 4096];
    loop {
        match tokio::time::timeout_at((t + bound).into(), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return t.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the connection was still open after {bound:?}"),
        }
    }
}

async fn healthz_took(addr: std::net::SocketAddr) -> Duration {
    let t = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("healthz answers while slow clients hold connections");
    assert_eq!(r.status(), 200);
    t.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_connections_are_closed_and_others_are_served() {
    let node = start(|c| {
        c.header_timeout_secs = 1;
        c.body_timeout_secs = 2;
    })
    .await;
    let addr = node.addr;

    // 200 connections that never say a word, and 20 whose headers trickle in.
    let mut silent = Vec::new();
    for _ in 0..200 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut trickling = Vec::new();
    for _ in 0..20 {
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        trickling.push(tokio::spawn(async move {
            let t = Instant::now();
            // One header byte every 200 ms: never a whole request.
            while c.write_all(b"X").await.is_ok() && t.elapsed() < Duration::from_secs(20) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            t.elapsed()
        }));
    }
    // A body that stops half-way.
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 1000\r\n\r\nemail=a",
        )
        .await
        .unwrap();

    // Everyone else is served meanwhile.
    assert!(healthz_took(addr).await < Duration::from_secs(2));

    for c in &mut silent {
        closed_within(c, Duration::from_secs(10)).await;
    }
    for t in trickling {
        let took = t.await.unwrap();
        assert!(
            took < Duration::from_secs(10),
            "a trickling client was served {took:?}"
        );
    }
    closed_within(&mut stalled, Duration::from_secs(10)).await;
    assert!(healthz_took(addr).await < Duration::from_secs(2));
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let node = start(|c| {
        c.header_timeout_secs = 4;
        c.max_connections = 20;
    })
    .await;
    let addr = node.addr;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Accepted in order: the 21st finds every slot taken.
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let took = closed_within(&mut extra, Duration::from_secs(3)).await;
    assert!(
        took < Duration::from_secs(3),
        "over the cap: closed after {took:?}"
    );
    // When the held ones time out, the server serves again.
    for c in &mut held {
        closed_within(c, Duration::from_secs(10)).await;
    }
    assert!(healthz_took(addr).await < Duration::from_secs(2));
    // The open-file limit was raised as far as allowed.
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    assert_eq!(lim.rlim_cur, lim.rlim_max.min(1 << 20));
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_posts_beyond_the_upload_budget_wait_their_turn() {
    // Budget: 2 MiB of large bodies at once.
    let node = start(|c| {
        c.max_body_bytes = 2 * 1024 * 1024;
        c.max_upload_bytes_in_flight = 2 * 1024 * 1024;
    })
    .await;
    let addr = node.addr;
    let budget = node.state.upload_budget.clone();
    let full = budget.available_kib();
    let size = 1536 * 1024;
    let head = |n: usize| {
        format!(
            "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {n}\r\nConnection: close\r\n\r\n"
        )
    };
    // The first large post has its room and sends half its body.
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(head(size).as_bytes()).await.unwrap();
    first.write_all(&vec![b'a'; size / 2]).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while budget.available_kib() == full {
        assert!(
            Instant::now() < deadline,
            "the first post never took its room"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The second cannot fit beside it: it waits, its body unread.
    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(head(size).as_bytes()).await.unwrap();
    let mut buf = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), second.read(&mut buf))
            .await
            .is_err(),
        "the second post was answered while the first held the budget"
    );
    assert!(budget.available_kib() < full - 1024);
    // The first finishes; then the second goes through.
    first.write_all(&vec![b'a'; size - size / 2]).await.unwrap();
    let n = first.read(&mut buf).await.unwrap();
    assert!(n > 0);
    second.write_all(&vec![b'a'; size]).await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(10), second.read(&mut buf))
        .await
        .expect("the second post is answered once the first is done")
        .unwrap();
    assert!(
        std::str::from_utf8(&buf[..n])
            .unwrap()
            .starts_with("HTTP/1.1")
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while budget.available_kib() != full {
        assert!(Instant::now() < deadline, "the budget was not given back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.stop();
}
