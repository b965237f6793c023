//! Logins, sessions, password changes, API tokens, roles and CSRF.

use crate::both_backends;
use crate::harness::{PASSWORD, csrf_from, login};

both_backends!(
    wrong_password_is_rejected_and_rate_limited,
    |app| async move {
        let c = app.browser();
        assert_eq!(
            login(&app, &c, &app.agent_email, "not the password").await,
            401
        );
        assert_eq!(login(&app, &c, "nobody@casebook.test", PASSWORD).await, 401);
        let r = c.get(app.at("/tickets")).send().await.unwrap();
        assert_eq!(r.status(), 303, "still anonymous");
        assert_eq!(r.headers()["location"], "/login");
        // After repeated failures the address is locked out for a while, even with the right password.
        for _ in 0..12 {
            login(&app, &c, &app.admin_email, "guess").await;
        }
        assert_eq!(login(&app, &c, &app.admin_email, PASSWORD).await, 429);
        app.clock.advance_ms(16 * 60_000);
        assert_eq!(login(&app, &c, &app.admin_email, PASSWORD).await, 303);
    }
);

/// A browser (keeping cookies, not following redirects) whose requests come from 127.0.0.`n`.
fn browser_at(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, n]))
        .build()
        .unwrap()
}

both_backends!(strangers_cannot_lock_an_agent_out, |app| async move {
    // The agent signed in from this browser before: it is known from now on.
    let mine = app.browser();
    assert_eq!(login(&app, &mine, &app.agent_email, PASSWORD).await, 303);
    let (csrf, _) = csrf_from(&mine, &app.at("/tickets")).await;
    let r = mine
        .post(app.at("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Strangers guess from five addresses, two guesses each: the account's limit.
    for n in 2..7 {
        let c = browser_at(n);
        for _ in 0..2 {
            assert_eq!(login(&app, &c, &app.agent_email, "not it").await, 401);
        }
    }
    // The account is held back for strangers now, even with the right password...
    let stranger = browser_at(20);
    assert_eq!(
        login(&app, &stranger, &app.agent_email, PASSWORD).await,
        429
    );
    // ...but not for the agent's own browser, nor from the address the agent used before.
    assert_eq!(login(&app, &mine, &app.agent_email, PASSWORD).await, 303);
    assert_eq!(
        login(&app, &app.browser(), &app.agent_email, PASSWORD).await,
        303
    );
    // The agent is told, once.
    let list = app.get_json("/api/v1/notifications").await;
    let told: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "sign_in")
        .collect();
    assert_eq!(told.len(), 1, "{list}");
    assert!(
        told[0]["body"].as_str().unwrap().contains("127.0.0."),
        "{list}"
    );
    // Another account is not affected by this one's guesses.
    assert_eq!(
        login(&app, &stranger, &app.admin_email, PASSWORD).await,
        303
    );
});

both_backends!(sign_in_limits_hold_across_nodes, |app| async move {
    // A second node on the same database.
    let other = casebook::start(
        casebook::config::Config {
            database_url: casebook::config::Secret::new(app.database_url.clone()),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            workers: false,
            ..casebook::config::Config::default()
        },
        app.clock.clone(),
    )
    .await
    .unwrap();
    let other_url = format!("http://{}", other.addr);
    let c = browser_at(30);
    let guess_at = |base: String| {
        let c = c.clone();
        let email = app.admin_email.clone();
        async move {
            let (csrf, _) = csrf_from(&c, &format!("{base}/login")).await;
            c.post(format!("{base}/login"))
                .form(&[
                    ("email", email.as_str()),
                    ("password", "wrong"),
                    ("csrf", &csrf),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Five guesses from one address to one account, spread over two nodes: the fifth starts
    // the delay, and the next guess is refused on either node.
    for base in [&app.url, &other_url, &app.url, &other_url, &app.url] {
        assert_eq!(guess_at(base.clone()).await, 401);
    }
    assert_eq!(guess_at(other_url.clone()).await, 429);
    assert_eq!(guess_at(app.url.clone()).await, 429);
    other.stop();
});

/// Passwords are at least 12 characters and not easy to guess, wherever they are set; the
/// error names the field and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_passwords_are_refused_everywhere() {
    let Some(app) = crate::harness::TestApp::spawn(crate::harness::Backend::Sqlite).await else {
        return;
    };
    for (password, why) in [
        ("hunter2", "at least 12"),
        ("              ", "only spaces"),
        ("password1234", "too easy to guess"),
        ("newagent2026!", "too easy to guess"),
    ] {
        let r = app
            .api()
            .post(app.at("/api/v1/agents"))
            .bearer_auth(&app.admin_token)
            .json(&serde_json::json!({"email": "newagent@casebook.test", "name": "New Agent", "role": "agent", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{password:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "password", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{password:?}: {body}"
        );
    }
    // The password change form says the same.
    let c = app.browser();
    assert_eq!(login(&app, &c, &app.agent_email, PASSWORD).await, 303);
    let (csrf, _) = csrf_from(&c, &app.at("/account/password")).await;
    let r = c
        .post(app.at("/account/password"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "qwertyuiopas"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("too easy to guess"));
    assert_eq!(
        login(&app, &app.browser(), &app.agent_email, PASSWORD).await,
        303
    );
}

both_backends!(sessions_expire, |app| async move {
    let c = app.browser();
    assert_eq!(login(&app, &c, &app.agent_email, PASSWORD).await, 303);
    assert_eq!(
        c.get(app.at("/tickets")).send().await.unwrap().status(),
        200
    );
    app.clock
        .advance_ms(app.running.state.config.session_hours * 3_600_000 + 1000);
    assert_eq!(
        c.get(app.at("/tickets")).send().await.unwrap().status(),
        303
    );
});

both_backends!(password_change_ends_other_sessions, |app| async move {
    let laptop = app.browser();
    let phone = app.browser();
    assert_eq!(login(&app, &laptop, &app.agent_email, PASSWORD).await, 303);
    assert_eq!(login(&app, &phone, &app.agent_email, PASSWORD).await, 303);
    let (csrf, _) = csrf_from(&laptop, &app.at("/account/password")).await;
    let r = laptop
        .post(app.at("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", "wrong"),
            ("new_password", "a brand new secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("current_password-error"));
    let r = laptop
        .post(app.at("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", PASSWORD),
            ("new_password", "a brand new secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        laptop
            .get(app.at("/tickets"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "this browser stays in"
    );
    assert_eq!(
        phone.get(app.at("/tickets")).send().await.unwrap().status(),
        303,
        "other sessions end"
    );
    let fresh = app.browser();
    assert_eq!(login(&app, &fresh, &app.agent_email, PASSWORD).await, 401);
    assert_eq!(
        login(&app, &fresh, &app.agent_email, "a brand new secret").await,
        303
    );
});

both_backends!(logout_ends_the_session, |app| async move {
    let c = app.browser();
    login(&app, &c, &app.agent_email, PASSWORD).await;
    let (csrf, _) = csrf_from(&c, &app.at("/tickets")).await;
    assert_eq!(
        c.post(app.at("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        c.get(app.at("/tickets")).send().await.unwrap().status(),
        303
    );
});

both_backends!(tokens_are_stored_hashed_and_revocable, |app| async move {
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_token")
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for h in &stored {
        assert_eq!(h.len(), 64);
        assert_ne!(h, &app.agent_token);
        assert!(!app.agent_token.contains(h.as_str()));
    }
    assert_eq!(
        stored
            .iter()
            .filter(|h| **h == casebook::auth::digest(&app.agent_token))
            .count(),
        1
    );
    let sessions_plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(sessions_plain, 0);
    let r = app
        .api()
        .get(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        casebook::auth::revoke_api_token(app.db(), &app.agent_token, app.running.state.now())
            .await
            .unwrap()
    );
    let r = app
        .api()
        .get(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Expired tokens stop working.
    let now = app.running.state.now();
    let t = casebook::auth::create_api_token(
        app.db(),
        &app.admin_email,
        "short",
        Some(now + 60_000),
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        app.api()
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.clock.advance_ms(120_000);
    assert_eq!(
        app.api()
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
});

both_backends!(roles_are_enforced, |app| async move {
    let api = app.api();
    let r = api
        .post(app.at("/api/v1/agents"))
        .bearer_auth(&app.agent_token)
        .json(&serde_json::json!({"email": "x@casebook.test", "name": "X", "role": "admin", "password": "long enough pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "forbidden");
    assert_eq!(
        api.get(app.at("/api/v1/agents"))
            .bearer_auth(&app.agent_token)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = api
        .post(app.at("/api/v1/agents"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"email": "x@casebook.test", "name": "X", "role": "lead", "password": "long enough pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let c = app.browser();
    login(&app, &c, &app.agent_email, PASSWORD).await;
    assert_eq!(
        c.get(app.at("/admin/agents"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let a = app.browser();
    login(&app, &a, &app.admin_email, PASSWORD).await;
    assert_eq!(
        a.get(app.at("/admin/agents"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
});

both_backends!(forms_without_csrf_are_refused, |app| async move {
    let c = app.browser();
    login(&app, &c, &app.agent_email, PASSWORD).await;
    let id = app.create_ticket("csrf@example.com", "CSRF", "body").await["id"]
        .as_i64()
        .unwrap();
    let r = c
        .post(app.at(&format!("/tickets/{id}/messages")))
        .form(&[("body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.at(&format!("/tickets/{id}/update")))
        .form(&[
            ("csrf", "forged-value-forged-value-forged-value"),
            ("status", "open"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let stranger = reqwest::Client::new();
    let r = stranger
        .post(app.at("/support"))
        .form(&[
            ("email", "a@example.com"),
            ("subject", "s"),
            ("message", "m"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = stranger
        .post(app.at("/login"))
        .form(&[("email", app.agent_email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let msgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(msgs, 1);
});

both_backends!(cookies_and_headers_are_strict, |app| async move {
    let c = app.browser();
    let r = c.get(app.at("/login")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (csrf, _) = csrf_from(&c, &app.at("/login")).await;
    let r = c
        .post(app.at("/login"))
        .form(&[
            ("email", app.agent_email.as_str()),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("cb_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(
        !session.contains("Secure"),
        "plain-http installs cannot use Secure cookies"
    );
});

both_backends!(deep_links_survive_login, |app| async move {
    let id = app
        .create_ticket("deep@example.com", "Deep link", "Open me after login")
        .await["id"]
        .as_i64()
        .unwrap();
    let c = app.browser();
    // A page asked for without a session: to the login page, remembering where to return.
    let r = c
        .get(app.at(&format!("/tickets/{id}?reply_q=refund")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        to,
        format!("/login?next=%2Ftickets%2F{id}%3Freply_q%3Drefund")
    );
    let (csrf, html) = csrf_from(&c, &app.at(&to)).await;
    let next = crate::harness::extract_attr(&html, "name=\"next\" value=\"")
        .expect("the login form carries next");
    assert_eq!(next, format!("/tickets/{id}?reply_q=refund"));
    let post = |next: String| {
        let c = c.clone();
        let csrf = csrf.clone();
        let url = app.at("/login");
        let email = app.agent_email.clone();
        async move {
            let r = c
                .post(url)
                .form(&[
                    ("email", email.as_str()),
                    ("password", PASSWORD),
                    ("csrf", csrf.as_str()),
                    ("next", next.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string()),
            )
        }
    };
    assert_eq!(post(next.clone()).await, (303, Some(next)));
    // Only paths on this site: anything else goes to the queue.
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "tickets",
        "",
    ] {
        assert_eq!(
            post(evil.to_string()).await,
            (303, Some("/tickets".to_string())),
            "{evil:?}"
        );
    }
    // Forms posted without a session are not resumed.
    let fresh = app.browser();
    let r = fresh
        .post(app.at(&format!("/tickets/{id}/update")))
        .form(&[("status", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
});

/// 200 wrong passwords at once: no more are checked than the limit allows (the rest are refused
/// before hashing), and the health check stays quick meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_checks_at_most_the_limit_and_health_stays_quick() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let Some(app) = crate::harness::TestApp::spawn(crate::harness::Backend::Sqlite).await else {
        return;
    };
    let c = app.browser();
    let (csrf, _) = csrf_from(&c, &app.at("/login")).await;
    let flooding = Arc::new(AtomicBool::new(true));
    let probe = {
        let (url, flooding) = (app.at("/healthz"), flooding.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut took = Vec::new();
            loop {
                let t = Instant::now();
                let r = client.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200);
                took.push(t.elapsed());
                if !flooding.load(Ordering::Relaxed) {
                    return took;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let mut flood = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (c, url, csrf, email) = (
            c.clone(),
            app.at("/login"),
            csrf.clone(),
            app.admin_email.clone(),
        );
        flood.spawn(async move {
            let password = format!("guess number {i}");
            c.post(url)
                .form(&[
                    ("email", email.as_str()),
                    ("password", &password),
                    ("csrf", &csrf),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let statuses = flood.join_all().await;
    flooding.store(false, Ordering::Relaxed);
    let mut took = probe.await.unwrap();
    let limit = app.running.state.config.login_attempts as usize;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= limit,
        "{checked} passwords checked, limit {limit}"
    );
    assert_eq!(
        checked + statuses.iter().filter(|s| **s == 429).count(),
        200,
        "{statuses:?}"
    );
    took.sort();
    let p95 = took[(took.len() * 95 / 100).min(took.len() - 1)];
    // A bound for a debug build sharing two cores with the rest of the suite: a health check
    // stuck behind password hashing took seconds (median 2.6 s before the fix). The real figure
    // is measured by scripts/bench-hardening.py in a release build.
    assert!(
        p95 < Duration::from_millis(500),
        "/healthz p95 {p95:?} during the flood ({} probes)",
        took.len()
    );
}

/// With a metrics token set, `/metrics` answers only that bearer token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_a_token() {
    let Some(app) = crate::harness::TestApp::spawn(crate::harness::Backend::Sqlite).await else {
        return;
    };
    // Open by default.
    let r = reqwest::get(app.at("/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    let node = casebook::start(
        casebook::config::Config {
            database_url: casebook::config::Secret::new(app.database_url.clone()),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            workers: false,
            metrics_token: Some(casebook::config::Secret::new("scrape-me-please")),
            ..casebook::config::Config::default()
        },
        casebook::domain::clock::OffsetClock::new(),
    )
    .await
    .expect("start a node with a metrics token");
    let url = format!("http://{}/metrics", node.addr);
    let client = reqwest::Client::new();
    for (token, status) in [
        (None, 401),
        (Some("wrong"), 401),
        (Some("scrape-me-please"), 200),
    ] {
        let mut req = client.get(&url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status, "{token:?}");
        if status == 200 {
            assert!(r.text().await.unwrap().contains("casebook_live_streams"));
        }
    }
    node.stop();
}
