//! The API against its own document: Schemathesis (from PyPI, as `.ci/run` installs it into a
//! venv) checks that the served document is valid OpenAPI 3.1 and then sends generated requests
//! to every operation, on both backends: no server error, and every status, content type and
//! body as the document says.

use crate::harness::{Backend, Options, TestApp, in_ci};
use serde_json::json;

/// Schemathesis's `st`: `CASEBOOK_TEST_SCHEMATHESIS`, as `.ci/run` installs it.
fn schemathesis() -> Option<std::path::PathBuf> {
    let path = std::env::var("CASEBOOK_TEST_SCHEMATHESIS")
        .unwrap_or_else(|_| "/tmp/casebook-schemathesis/bin/st".into());
    let path = std::path::PathBuf::from(path);
    if path.is_file() {
        return Some(path);
    }
    if in_ci() {
        panic!(
            "Schemathesis must be installed in CI ({}; .ci/run installs it)",
            path.display()
        );
    }
    eprintln!(
        "SKIP: Schemathesis test: {} is missing (python3 -m venv /tmp/casebook-schemathesis && \
         /tmp/casebook-schemathesis/bin/pip install schemathesis openapi-spec-validator)",
        path.display()
    );
    None
}

/// Something in each table, so generated ids sometimes hit real objects.
async fn seed(app: &TestApp) {
    let api = app.api();
    for i in 1..=3 {
        let t = app
            .create_ticket(
                &format!("customer{i}@example.com"),
                &format!("Printer {i} on fire"),
                "It smokes.",
            )
            .await;
        let id = t["id"].as_i64().unwrap();
        let r = api
            .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&app.admin_token)
            .json(&json!({"body": "Unplug it.", "visibility": "public", "status": "pending"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    for (path, body) in [
        ("/api/v1/teams", json!({"name": "Billing"})),
        (
            "/api/v1/views",
            json!({"name": "Mine", "filters": {"queue": "mine"}}),
        ),
        (
            "/api/v1/saved-replies",
            json!({"title": "Thanks", "body": "Thank you!", "actions": {"status": "solved"}}),
        ),
        (
            "/api/v1/crm/events",
            json!({"customer_email": "customer1@example.com", "kind": "order",
                   "occurred_at": "2024-05-01T12:00:00Z", "source": "shop",
                   "external_id": "o-1", "amount": "49.90", "currency": "EUR"}),
        ),
    ] {
        let r = api
            .post(app.at(path))
            .bearer_auth(&app.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_to_its_document_sqlite() {
    keeps_to_its_document(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_to_its_document_postgres() {
    keeps_to_its_document(Backend::Postgres).await
}

/// One Schemathesis run at a time: each starts Python workers of its own, and the two cores are
/// better spent on one run than shared between two.
static ONE_RUN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn keeps_to_its_document(backend: Backend) {
    let Some(st) = schemathesis() else { return };
    let _turn = ONE_RUN.lock().await;
    // With a webhook secret, so the signed endpoint refuses bad signatures (401) instead of
    // saying it is off (503).
    let opts = Options {
        crm_webhook_secret: Some("schemathesis-secret".into()),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, opts).await else {
        return;
    };
    seed(&app).await;
    // Each run has its own directory: Schemathesis keeps its example database in the working
    // directory, and the run that finishes first removes its directory.
    let dir = std::env::temp_dir().join(format!("casebook-st-{}-{backend:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc_path = dir.join(format!(
        "openapi-{}.json",
        app.url.rsplit(':').next().unwrap()
    ));
    let doc = reqwest::get(app.at("/api/v1/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(&doc_path, &doc).unwrap();

    // The document against the OpenAPI 3.1 schema.
    let python = st.with_file_name("python");
    let out = tokio::process::Command::new(&python)
        .args(["-m", "openapi_spec_validator"])
        .arg(&doc_path)
        .output()
        .await
        .expect("run openapi-spec-validator");
    assert!(
        out.status.success(),
        "the document is not valid OpenAPI:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let examples = std::env::var("CASEBOOK_TEST_SCHEMATHESIS_EXAMPLES").unwrap_or("8".into());
    let out = tokio::process::Command::new(&st)
        .current_dir(&dir)
        .arg("run")
        .arg(&doc_path)
        .args(["--url", &app.at("/api/v1")])
        .args(["--header", &format!("Authorization: Bearer {}", app.admin_token)])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &examples])
        .args(["--seed", "21"])
        // One worker thread: Hypothesis parses sources with `ast` while it draws, and Python
        // 3.11's parser is not safe to run from two threads at once ("AST constructor recursion
        // depth mismatch").
        .args(["--workers", "1"])
        .args(["--request-timeout", "20"])
        .args(["--max-time", "150"])
        // An endless stream; its 200 is covered by the live tests.
        .args(["--exclude-path", "/events"])
        .args(["--no-color"])
        .kill_on_drop(true)
        .output()
        .await
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Schemathesis found problems:\n{text}");
    let tail: Vec<&str> = text.lines().rev().take(12).collect();
    eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
