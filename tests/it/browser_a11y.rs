//! Every page of the agent, lead, admin and customer flows, in English, Korean and Arabic, on a
//! desktop and a phone: the page's language and direction, no horizontal overflow, and no
//! violations found by axe-core (the npm package, injected into each page by the test).

use crate::browser::{
    Chromedriver, browser_app, click, find, fit_viewport, goto, in_ci, log_in, overflow,
    screenshot, type_into,
};
use fantoccini::Client;

/// axe-core's browser build: `CASEBOOK_TEST_AXE`, as `.ci/run` installs it.
fn axe_source() -> Option<String> {
    let path = std::env::var("CASEBOOK_TEST_AXE")
        .unwrap_or_else(|_| "/tmp/casebook-axe/node_modules/axe-core/axe.min.js".into());
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) if in_ci() => panic!("axe-core must be installed in CI ({path}: {e})"),
        Err(e) => {
            eprintln!("SKIP: accessibility test: {path}: {e} (npm install axe-core)");
            None
        }
    }
}

/// The violations axe finds on the page, one line each (rule, impact, first elements).
async fn axe(c: &Client, source: &str) -> Vec<String> {
    c.execute(&format!("{source}\nreturn true;"), vec![])
        .await
        .expect("inject axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                  v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' +
                    (n.failureSummary || '').split('\\n').slice(0, 2).join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn number(c: &Client, script: &str) -> i64 {
    c.execute(script, vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap_or_default()
}

async fn text(c: &Client, script: &str) -> String {
    c.execute(script, vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_every_language_on_phone_and_desktop_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let Some(axe_js) = axe_source() else { return };
    casebook::demo::load_if_empty(app.db(), app.running.state.now())
        .await
        .expect("load demo data");
    let arabic = app
        .create_ticket(
            "noor@example.com",
            "فاتورة خاطئة — رقم الطلب 4471",
            "تم خصم المبلغ مرتين، أرجو التحقق من الفاتورة.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let customer_id: i64 =
        sqlx::query_scalar("SELECT customer_id FROM ticket WHERE ticket_id = $1")
            .bind(arabic)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();

    let driver = Chromedriver::start().await;

    // The customer's side: a request through the form, then its private link.
    let customer = driver.connect_with("customer").await;
    goto(&customer, &app.at("/support")).await;
    type_into(&customer, "#name", "김민지").await;
    type_into(&customer, "#email", "minji@example.com").await;
    type_into(&customer, "#subject", "노트북 배송 문의").await;
    type_into(
        &customer,
        "#message",
        "주문한 노트북이 아직 도착하지 않았습니다.",
    )
    .await;
    click(
        &customer,
        "form[action=\"/support\"] button[type=\"submit\"]",
    )
    .await;
    find(&customer, "code.link").await;
    let private = customer.current_url().await.unwrap().path().to_string();

    let c = driver.connect_with("staff").await;
    fit_viewport(&c).await;
    log_in(&c, &app, &app.admin_email).await;

    let staff_pages = [
        "/tickets".to_string(),
        "/tickets?queue=all".into(),
        "/tickets?view=stale".into(),
        format!("/tickets/{arabic}"),
        "/tickets/1".into(),
        "/customers".into(),
        format!("/customers/{customer_id}"),
        "/customers/duplicates".into(),
        "/search?q=printer".into(),
        "/notifications".into(),
        "/reports".into(),
        "/admin".into(),
        "/admin/agents".into(),
        "/admin/teams".into(),
        "/admin/rules".into(),
        "/admin/sla".into(),
        "/admin/tags".into(),
        "/admin/macros".into(),
        "/admin/quarantine".into(),
        "/admin/language".into(),
        "/admin/webhooks".into(),
        "/admin/channels".into(),
        "/account/password".into(),
        "/account/availability".into(),
        "/account/language".into(),
    ];
    let public_pages = ["/support".to_string(), private.clone()];

    let mut problems = Vec::new();
    for (lang, dir) in [("en", "ltr"), ("ko", "ltr"), ("ar", "rtl")] {
        // The language links set the language cookie for the staff browser too.
        for client in [&c, &customer] {
            goto(client, &app.at(&format!("/support?lang={lang}"))).await;
        }
        for (viewport, size) in [("desktop", None), ("phone", Some((390u32, 844u32)))] {
            match size {
                Some((w, h)) => {
                    c.set_window_size(w, h).await.unwrap();
                    customer.set_window_size(w, h).await.unwrap();
                }
                None => {
                    fit_viewport(&c).await;
                    fit_viewport(&customer).await;
                }
            }
            let pages = staff_pages
                .iter()
                .map(|p| (&c, p))
                .chain(public_pages.iter().map(|p| (&customer, p)));
            for (client, path) in pages {
                goto(client, &app.at(path)).await;
                let at = format!("{lang} {viewport} {path}");
                let (page_lang, page_dir) = (
                    text(client, "return document.documentElement.lang").await,
                    text(client, "return document.documentElement.dir").await,
                );
                if (page_lang.as_str(), page_dir.as_str()) != (lang, dir) {
                    problems.push(format!("{at}: lang={page_lang} dir={page_dir}"));
                }
                if let Some(wide_by) = overflow(client).await {
                    problems.push(format!("{at}: {wide_by}"));
                }
                // Free text follows the script typed into it.
                let fixed = text(
                    client,
                    "return [...document.querySelectorAll('textarea, input:not([type]), input[type=text], input[type=search]')]
                       .filter(e => e.type !== 'hidden' && e.getAttribute('dir') !== 'auto')
                       .map(e => e.outerHTML.slice(0, 100)).join(' | ')",
                )
                .await;
                if !fixed.is_empty() {
                    problems.push(format!("{at}: text fields without dir=auto: {fixed}"));
                }
                for v in axe(client, &axe_js).await {
                    problems.push(format!("{at}: {v}"));
                }
            }
        }
    }

    // Dark mode: the same pages pass the same checks on a dark ground.
    let dark = driver
        .connect_with_args(
            "dark",
            &[
                "--force-dark-mode",
                "--blink-settings=preferredColorScheme=0",
            ],
        )
        .await;
    fit_viewport(&dark).await;
    log_in(&dark, &app, &app.admin_email).await;
    goto(&dark, &app.at("/support?lang=en")).await;
    let is_dark = dark
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(is_dark, serde_json::json!(true), "Chromium in dark mode");
    for path in staff_pages.iter().chain(public_pages.iter()) {
        goto(&dark, &app.at(path)).await;
        for v in axe(&dark, &axe_js).await {
            problems.push(format!("dark {path}: {v}"));
        }
    }
    goto(&dark, &app.at(&format!("/tickets/{arabic}"))).await;
    screenshot(&dark, "ticket-dark.png").await;

    // Screenshots for the README: the Arabic ticket page and a phone queue.
    goto(&c, &app.at("/support?lang=ar")).await;
    fit_viewport(&c).await;
    goto(&c, &app.at(&format!("/tickets/{arabic}"))).await;
    screenshot(&c, "ticket-ar.png").await;
    goto(&c, &app.at("/support?lang=ko")).await;
    c.set_window_size(390, 844).await.unwrap();
    goto(&c, &app.at("/tickets")).await;
    screenshot(&c, "queue-phone-ko.png").await;
    // The phone menu opens and shows the links.
    click(&c, "button.menu-toggle").await;
    let shown = number(
        &c,
        "return document.querySelector('#main-nav').getBoundingClientRect().height",
    )
    .await;
    if shown == 0 {
        problems.push("phone: the menu button does not show the navigation".into());
    }

    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
