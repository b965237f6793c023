//! SQLite on a disk that fills up: writes answer 503 (never a 500, never a wedged pool),
//! `/healthz` and `/readyz` say the database is unwritable, and within seconds of space returning
//! writes and the outbox go on by themselves with nothing acknowledged lost.
//!
//! The disk is a small tmpfs; where mounting is not allowed the test says so and skips.

use crate::harness::{Options, TestApp};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!(
            "casebook-disk-{}",
            casebook::auth::random_token(6).replace(['-', '_'], "x")
        ));
        std::fs::create_dir_all(&dir).ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir)),
            Ok(o) => {
                eprintln!(
                    "SKIP: cannot mount a tmpfs for the disk-full test: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(err) => {
                eprintln!("SKIP: cannot run mount for the disk-full test: {err}");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes `path` until the file system has no space left.
fn fill(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    for chunk in [1 << 20, 4096, 512] {
        let buf = vec![0x5a_u8; chunk];
        while f.write_all(&buf).is_ok() {}
    }
    let _ = f.sync_all();
}

async fn create(app: &TestApp, client: &reqwest::Client, n: usize) -> (u16, Value) {
    let r = client
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .json(&json!({
            "customer": {"email": format!("disk{n}@example.com")},
            "subject": format!("Disk full {n}"),
            "body": "x".repeat(2000),
        }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry = r.headers().contains_key("retry-after");
    let body: Value = r.json().await.unwrap_or(Value::Null);
    if status == 503 {
        assert!(retry, "a 503 says when to retry");
        assert_eq!(body["error"]["code"], json!("unavailable"), "{body}");
    }
    (status, body)
}

async fn status_of(client: &reqwest::Client, url: String) -> u16 {
    client.get(url).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_and_heals_when_space_returns() {
    let Some(disk) = Tmpfs::mount("16m") else {
        return;
    };
    let app = TestApp::spawn_on(
        format!("sqlite://{}/casebook.db", disk.0.display()),
        Options::default(),
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut acknowledged = Vec::new();
    let (status, body) = create(&app, &client, 0).await;
    assert_eq!(status, 201, "{body}");
    acknowledged.push(body["ticket"]["id"].as_i64().unwrap());
    app.drain_outbox().await;
    assert_eq!(status_of(&client, app.at("/readyz")).await, 200);

    let filler = disk.0.join("filler");
    fill(&filler);
    // The last free pages may still take a write or two; after that every write is a 503.
    let mut refused = 0;
    for n in 1..=30 {
        let (status, body) = create(&app, &client, n).await;
        match status {
            201 => acknowledged.push(body["ticket"]["id"].as_i64().unwrap()),
            503 => refused += 1,
            other => panic!("a write on a full disk answered {other}: {body}"),
        }
    }
    assert!(refused > 0, "no write was refused on a full disk");
    assert_eq!(status_of(&client, app.at("/healthz")).await, 503);
    assert_eq!(status_of(&client, app.at("/readyz")).await, 503);
    // Reads still work.
    let r = client
        .get(app.at(&format!("/api/v1/tickets/{}", acknowledged[0])))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    std::fs::remove_file(&filler).unwrap();
    let freed = Instant::now();
    let mut n = 100;
    loop {
        n += 1;
        let (status, body) = create(&app, &client, n).await;
        if status == 201 {
            acknowledged.push(body["ticket"]["id"].as_i64().unwrap());
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "writes did not come back within 10 s of space returning"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "first successful write {:?} after space returned",
        freed.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while status_of(&client, app.at("/healthz")).await != 200 {
        assert!(Instant::now() < deadline, "/healthz still unhealthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status_of(&client, app.at("/readyz")).await, 200);
    // The outbox goes on by itself, and every acknowledged ticket is there.
    let deadline = Instant::now() + Duration::from_secs(30);
    while casebook::outbox::depth(app.db()).await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "the outbox did not drain");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in &acknowledged {
        let r = client
            .get(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged ticket {id} is lost");
    }
    app.running.stop();
}
