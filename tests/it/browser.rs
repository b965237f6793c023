//! End to end in a real browser (headless Chromium through chromedriver): a customer writes in
//! through the support form with an attachment, an agent answers and adds an internal note, and
//! the customer's private link shows the answer but never the note. Also saves screenshots: in
//! `target/screenshots/`, or in `docs/screenshots/` (the README's) with
//! `CASEBOOK_UPDATE_SCREENSHOTS=1`.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Without them the test prints
//! `SKIP: ...` and passes, except in CI (`CI=true`), where it fails.

use crate::harness::{Backend, PASSWORD, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Longest wait for any one page or element.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

const SUBJECT: &str = "Label printer smokes after the firmware update";
const MESSAGE: &str = "Since this morning's firmware update our label printer starts smoking \
    after a few labels.\nI attached the error log it printed.";
const ATTACHMENT: &str = "printer-error-log.txt";
const REPLY: &str =
    "Please unplug the printer right away; a technician will bring a replacement tomorrow.";
/// The distinctive word of the internal note, which must never reach the customer.
const SECRET: &str = "Quokkaflux";

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Why the browser test cannot run here, if it cannot.
fn browser_missing() -> Option<String> {
    [CHROMEDRIVER, CHROMIUM]
        .into_iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| {
            format!("{p} not found (install the Debian packages chromium and chromium-driver)")
        })
}

/// The app for a browser test, or `None` (the test says SKIP and passes) where Chromium is
/// missing outside CI; in CI a missing browser fails the test.
pub(crate) async fn browser_app() -> Option<TestApp> {
    if let Some(why) = browser_missing() {
        if in_ci() {
            panic!("the browser test must run in CI, but {why}");
        }
        eprintln!("SKIP: browser test: {why}");
        return None;
    }
    Some(
        TestApp::spawn(Backend::Sqlite)
            .await
            .expect("SQLite test app"),
    )
}

/// A chromedriver we started, in its own process group, with a scratch directory for the browser
/// profile and the driver log. Dropping it (also while panicking) kills that process group:
/// chromedriver and the Chromium processes it launched (Chromium's crash handler, which detaches
/// itself, exits once the browser is gone).
pub(crate) struct Chromedriver {
    child: Child,
    url: String,
    pub(crate) dir: PathBuf,
}

impl Chromedriver {
    pub(crate) async fn start() -> Chromedriver {
        use std::os::unix::process::CommandExt;
        let dir = std::env::temp_dir().join(format!(
            "casebook-browser-{}-{}",
            std::process::id(),
            casebook::auth::random_token(6).replace(['-', '_'], "x")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let log = std::fs::File::create(dir.join("chromedriver.log")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let mut driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        driver.wait_until_ready().await;
        driver
    }

    /// Polls `/status` until chromedriver says it is ready (bounded).
    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("chromedriver exited early ({status}); log:\n{}", self.log());
            }
            if let Ok(resp) = http.get(format!("{}/status", self.url)).send().await
                && let Ok(body) = resp.json::<serde_json::Value>().await
                && body["value"]["ready"] == true
            {
                return;
            }
            if started.elapsed() > WAIT {
                panic!(
                    "chromedriver did not answer on {} within {WAIT:?}; log:\n{}",
                    self.url,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
    }

    /// A new headless Chromium session with a fresh profile.
    pub(crate) async fn connect(&self) -> Client {
        self.connect_with("profile").await
    }

    /// A further session with a profile of its own (a second agent at another desk).
    pub(crate) async fn connect_with(&self, profile: &str) -> Client {
        self.connect_with_args(profile, &[]).await
    }

    /// A session with a profile of its own and further Chromium switches.
    pub(crate) async fn connect_with_args(&self, profile: &str, extra: &[&str]) -> Client {
        let profile = self.dir.join(profile);
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(String::from)
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
            },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        install_rustls_provider();
        let builder = std::panic::catch_unwind(ClientBuilder::rustls).unwrap_or_else(|_| {
            panic!(
                "fantoccini's rustls connector found no rustls CryptoProvider: this crate builds \
                 rustls with both `ring` and `aws-lc-rs`, so one must be installed first. Add the \
                 dev-dependency `rustls = {{ version = \"0.23\", default-features = false, \
                 features = [\"ring\"] }}` and enable the line in install_rustls_provider()"
            )
        });
        builder
            .expect("rustls connector")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot open a Chromium session: {e}; chromedriver log:\n{}",
                    self.log()
                )
            })
    }
}

/// fantoccini's rustls connector asks rustls for the process-wide crypto provider. Feature
/// unification builds rustls here with both `ring` (reqwest) and `aws-lc-rs` (hyper-rustls via
/// fantoccini), so rustls cannot choose one by itself: install `ring` before connecting.
fn install_rustls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        if pid > 0 {
            // The group we created for chromedriver: chromedriver and the browser it launched.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "browser test failed; chromedriver log and profile kept in {}",
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `--window-size` sizes the whole window, toolbar included; grow it so that the page itself (what
/// the screenshots show) is 1280×900.
pub(crate) async fn fit_viewport(c: &Client) {
    let inner = c
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .expect("viewport size");
    let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
    if (w, h) != (1280, 900) {
        let (w, h) = ((2 * 1280 - w).max(1280), (2 * 900 - h).max(900));
        c.set_window_size(w as u32, h as u32)
            .await
            .expect("resize window");
    }
}

fn screenshot_dir() -> PathBuf {
    let into = if std::env::var("CASEBOOK_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        "docs/screenshots"
    } else {
        "target/screenshots"
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(into);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("saved {}", path.display());
}

pub(crate) async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
        Ok(el) => el,
        Err(e) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let page = c.source().await.unwrap_or_default();
            panic!("no {css:?} on {url} within {WAIT:?}: {e}\npage:\n{page}")
        }
    }
}

pub(crate) async fn find_xpath(c: &Client, xpath: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let page = c.source().await.unwrap_or_default();
            panic!("no {xpath:?} on {url} within {WAIT:?}: {e}\npage:\n{page}")
        }
    }
}

pub(crate) async fn type_into(c: &Client, css: &str, text: &str) {
    find(c, css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing into {css:?}: {e}"));
}

pub(crate) async fn click(c: &Client, css: &str) {
    find(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css:?}: {e}"));
}

pub(crate) async fn goto(c: &Client, url: &str) {
    c.goto(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
}

pub(crate) async fn source(c: &Client) -> String {
    c.source().await.expect("page source")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_form_reply_and_private_link_in_chromium() {
    let started = Instant::now();
    let Some(app) = browser_app().await else {
        return;
    };
    // Sample tickets, so the queue in the screenshot looks like a real helpdesk.
    casebook::demo::load_if_empty(app.db(), app.running.state.now())
        .await
        .expect("load demo data");
    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    fit_viewport(&c).await;

    // The customer writes in with an attachment.
    let attachment = driver.dir.join(ATTACHMENT);
    std::fs::write(
        &attachment,
        "E-17 thermal head over temperature\nE-17 thermal head over temperature\n",
    )
    .unwrap();
    goto(&c, &app.at("/support")).await;
    type_into(&c, "#name", "Rosa Díaz").await;
    type_into(&c, "#email", "rosa@example.com").await;
    type_into(&c, "#subject", SUBJECT).await;
    type_into(&c, "#message", MESSAGE).await;
    type_into(&c, "#attachment", attachment.to_str().unwrap()).await;
    screenshot(&c, "support-form.png").await;
    click(&c, r#"form[action="/support"] button[type="submit"]"#).await;

    let link = find(&c, "code.link").await.text().await.unwrap();
    let page = source(&c).await;
    assert!(page.contains("private link"), "confirmation page:\n{page}");
    assert!(
        page.contains(SUBJECT) && page.contains(ATTACHMENT),
        "{page}"
    );
    let path = &link[link
        .find("/t/")
        .unwrap_or_else(|| panic!("no /t/ URL in {link:?}"))..];
    assert!(path.len() > "/t/".len() + 10, "link has a token: {link}");
    assert_eq!(
        c.current_url().await.unwrap().path(),
        path,
        "the shown link is the page the customer is on"
    );
    let customer_url = app.at(path);

    // The agent, in a fresh session, finds the new ticket and answers.
    c.delete_all_cookies().await.unwrap();
    goto(&c, &app.at("/login")).await;
    type_into(&c, "#email", &app.agent_email).await;
    type_into(&c, "#password", PASSWORD).await;
    click(&c, r#"form[action="/login"] button[type="submit"]"#).await;
    find(&c, "nav.sidebar").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/tickets");

    goto(&c, &app.at("/tickets?queue=open")).await;
    find(&c, "table.tickets").await;
    assert!(source(&c).await.contains(SUBJECT));
    screenshot(&c, "queue.png").await;

    // A demo customer with sales history: the timeline and the profile beside it.
    let olivia: i64 = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE value = 'olivia@acme.example'",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    goto(&c, &app.at(&format!("/customers/{olivia}"))).await;
    find(&c, "ol.timeline").await;
    screenshot(&c, "customer.png").await;

    // Auto-assignment may already have given it to a demo agent: look in All open.
    goto(&c, &app.at("/tickets?queue=open")).await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::LinkText(SUBJECT))
        .await
        .expect("the new ticket is in All open")
        .click()
        .await
        .unwrap();
    find(&c, "form.reply").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/tickets/")
    );
    let page = source(&c).await;
    assert!(page.contains("firmware update") && page.contains(ATTACHMENT));

    type_into(&c, "#body", REPLY).await;
    click(&c, r#"input[name="visibility"][value="public"]"#).await;
    find(&c, "#reply-status")
        .await
        .select_by_value("pending")
        .await
        .unwrap();
    click(&c, r#"form.reply button[type="submit"]"#).await;
    find_xpath(
        &c,
        "//ol[contains(@class,'messages')]/li[contains(@class,'public')]\
         [contains(., 'a technician will bring a replacement')]",
    )
    .await;

    let note =
        format!("{SECRET}: same customer had an overheating printer in March; check the warranty.");
    type_into(&c, "#body", &note).await;
    click(&c, r#"input[name="visibility"][value="internal"]"#).await;
    click(&c, r#"form.reply button[type="submit"]"#).await;
    find_xpath(
        &c,
        &format!(
            "//ol[contains(@class,'messages')]/li[contains(@class,'internal')][contains(., '{SECRET}')]"
        ),
    )
    .await;
    screenshot(&c, "ticket.png").await;

    // The customer opens their link again: the reply is there, the note is not.
    c.delete_all_cookies().await.unwrap();
    goto(&c, &customer_url).await;
    find(&c, "ol.messages").await;
    let page = source(&c).await;
    assert!(
        page.contains(REPLY),
        "customer sees the public reply:\n{page}"
    );
    assert!(
        !page.contains(SECRET),
        "the internal note leaked to the customer:\n{page}"
    );
    assert!(page.contains("waiting for your reply"), "{page}");
    screenshot(&c, "customer-view.png").await;

    // A lead's views: search over past tickets, and the reports dashboard.
    goto(&c, &app.at("/login")).await;
    type_into(&c, "#email", &app.admin_email).await;
    type_into(&c, "#password", PASSWORD).await;
    click(&c, r#"form[action="/login"] button[type="submit"]"#).await;
    find(&c, "nav.sidebar").await;
    goto(&c, &app.at("/search?q=printer")).await;
    find(&c, "section.search").await;
    screenshot(&c, "search.png").await;
    goto(&c, &app.at("/reports")).await;
    find(&c, "svg").await;
    screenshot(&c, "reports.png").await;

    c.close().await.expect("close the browser session");
    drop(driver);
    eprintln!("browser test took {:.1?}", started.elapsed());
}

pub(crate) async fn log_in(c: &Client, app: &TestApp, email: &str) {
    goto(c, &app.at("/login")).await;
    type_into(c, "#email", email).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, r#"form[action="/login"] button[type="submit"]"#).await;
    find(c, "nav.sidebar").await;
}

pub(crate) async fn ticket_json(app: &TestApp, id: i64) -> serde_json::Value {
    app.get_json(&format!("/api/v1/tickets/{id}")).await["ticket"].clone()
}

/// Two agents on one ticket: the second agent's sidebar change from a page drawn before the
/// first agent's change is refused with what changed, the first agent's priority survives, and
/// the second agent's reply is kept and can be sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_never_overwrite_each_other_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let id = app
        .create_ticket(
            "mara@example.com",
            "Export to CSV times out",
            "The export never ends.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    let driver = Chromedriver::start().await;
    let gus = driver.connect_with("gus").await;
    let ada = driver.connect_with("ada").await;
    fit_viewport(&ada).await;
    log_in(&gus, &app, &app.agent_email).await;
    log_in(&ada, &app, &app.admin_email).await;
    let page = app.at(&format!("/tickets/{id}"));
    goto(&ada, &page).await;
    find(&ada, "#ticket-update").await;
    goto(&gus, &page).await;
    find(&gus, "#ticket-update").await;

    // Ada, on the page she opened before, starts setting the status only (a form she has
    // touched is never refreshed under her by the live desk).
    find(&ada, "#status")
        .await
        .select_by_value("pending")
        .await
        .unwrap();

    // Meanwhile Gus raises the priority.
    find(&gus, "#priority")
        .await
        .select_by_value("urgent")
        .await
        .unwrap();
    click(&gus, "#ticket-update button[type=\"submit\"]").await;
    find_xpath(
        &gus,
        "//select[@id='priority']/option[@value='urgent' and @selected]",
    )
    .await;

    // Ada sends her change.
    click(&ada, "#ticket-update button[type=\"submit\"]").await;
    let banner = find(&ada, "#conflict").await.text().await.unwrap();
    assert!(banner.contains("Gus Agent"), "who: {banner}");
    assert!(
        banner.contains("priority") && banner.contains("urgent"),
        "what: {banner}"
    );
    assert!(
        banner.contains("status"),
        "her own change is named: {banner}"
    );
    screenshot(&ada, "conflict.png").await;
    let t = ticket_json(&app, id).await;
    assert_eq!(t["priority"], "urgent", "Gus's change survives");
    assert_ne!(t["status"], "pending", "Ada's change waits for her");

    // She applies her change to the current ticket: status only.
    click(&ada, "#reapply").await;
    find_xpath(
        &ada,
        "//select[@id='status']/option[@value='pending' and @selected]",
    )
    .await;
    let t = ticket_json(&app, id).await;
    assert_eq!(t["status"], "pending");
    assert_eq!(t["priority"], "urgent");

    // Ada writes a reply while Gus adds a note: her reply is not lost.
    let reply = "The export is fixed in today's release; please try again.";
    type_into(&ada, "#body", reply).await;
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&serde_json::json!({"body": "Customer called about this too", "visibility": "internal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    click(&ada, "form.reply button[type=\"submit\"]").await;
    let banner = find(&ada, "#conflict").await.text().await.unwrap();
    assert!(banner.contains("not sent"), "{banner}");
    let kept = ada
        .execute("return document.getElementById('body').value", vec![])
        .await
        .unwrap();
    assert_eq!(kept.as_str(), Some(reply), "the reply is kept in the box");
    click(&ada, "form.reply button[type=\"submit\"]").await;
    find_xpath(
        &ada,
        "//ol[contains(@class,'messages')]/li[contains(@class,'public')][contains(., 'fixed in today')]",
    )
    .await;
    gus.close().await.expect("close Gus's session");
    ada.close().await.expect("close Ada's session");
    drop(driver);
}

/// The live desk in two browsers: a new ticket appears in an open queue, presence shows who else
/// is on a ticket (and ends when they leave), and another agent's reply appears on the open
/// ticket page — all without reloading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_updates_itself_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let driver = Chromedriver::start().await;
    let ada = driver.connect_with("ada").await;
    let gus = driver.connect_with("gus").await;
    fit_viewport(&ada).await;
    log_in(&ada, &app, &app.admin_email).await;
    // Gus follows a link to a ticket before logging in: after logging in he is on that ticket.
    let earlier = app
        .create_ticket("link@example.com", "Sent as a link", "Have a look")
        .await["id"]
        .as_i64()
        .unwrap();
    goto(&gus, &app.at(&format!("/tickets/{earlier}"))).await;
    type_into(&gus, "#email", &app.agent_email).await;
    type_into(&gus, "#password", PASSWORD).await;
    click(&gus, r#"form[action="/login"] button[type="submit"]"#).await;
    find(&gus, "form.reply").await;
    assert_eq!(
        gus.current_url().await.unwrap().path(),
        format!("/tickets/{earlier}"),
        "the deep link survived the login"
    );

    // Ada's queue is open; a customer writes in through the form.
    goto(&ada, &app.at("/tickets?queue=all")).await;
    find(&ada, "#queue-list").await;
    ada.execute("window.__noReload = true", vec![])
        .await
        .unwrap();
    let subject = "Our invoices show the wrong VAT rate";
    let id = app
        .create_ticket("vat@example.com", subject, "All invoices since May")
        .await["id"]
        .as_i64()
        .unwrap();
    find_xpath(
        &ada,
        &format!("//table[contains(@class,'tickets')]//tr[@id='ticket-{id}']"),
    )
    .await;
    let same_page = ada
        .execute("return window.__noReload === true", vec![])
        .await
        .unwrap();
    assert_eq!(
        same_page.as_bool(),
        Some(true),
        "the queue was not reloaded"
    );
    screenshot(&ada, "live-queue.png").await;

    // Both open the ticket: each sees the other.
    let page = app.at(&format!("/tickets/{id}"));
    goto(&ada, &page).await;
    find(&ada, "#presence").await;
    ada.execute("window.__noReload = true", vec![])
        .await
        .unwrap();
    goto(&gus, &page).await;
    find_xpath(
        &ada,
        "//p[@id='presence']/span[contains(., 'Gus Agent is viewing')]",
    )
    .await;
    type_into(&gus, "#body", "Checking the VAT settings").await;
    find_xpath(
        &ada,
        "//p[@id='presence']/span[contains(., 'Gus Agent is replying')]",
    )
    .await;

    // Gus sends; the reply appears on Ada's open page.
    click(&gus, "form.reply button[type=\"submit\"]").await;
    find_xpath(
        &ada,
        "//ol[@id='messages']/li[contains(., 'Checking the VAT settings')]",
    )
    .await;
    let same_page = ada
        .execute("return window.__noReload === true", vec![])
        .await
        .unwrap();
    assert_eq!(
        same_page.as_bool(),
        Some(true),
        "the ticket page was not reloaded"
    );
    screenshot(&ada, "live-ticket.png").await;

    // Gus leaves: his presence ends on Ada's page within seconds.
    goto(&gus, &app.at("/tickets")).await;
    let gone = Instant::now();
    loop {
        let text = find(&ada, "#presence").await.text().await.unwrap();
        if !text.contains("Gus Agent") {
            break;
        }
        assert!(
            gone.elapsed() < Duration::from_secs(25),
            "presence did not end: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    gus.close().await.expect("close Gus's session");
    ada.close().await.expect("close Ada's session");
    drop(driver);
}

/// Runs `script` (which returns a boolean) until it returns true, or fails after `WAIT`.
pub(crate) async fn until(c: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.expect(what);
        if v.as_bool() == Some(true) {
            return;
        }
        if started.elapsed() > WAIT {
            panic!(
                "{what}: not true within {WAIT:?}; page:\n{}",
                source(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn reply_text(c: &Client) -> String {
    c.execute("return document.getElementById('body').value", vec![])
        .await
        .expect("reply box")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The agent's stored draft on a ticket, polled until it is `expected` (bounded).
pub(crate) async fn until_stored(
    app: &TestApp,
    agent_id: i64,
    ticket_id: i64,
    expected: Option<&str>,
) {
    let started = Instant::now();
    loop {
        let draft = casebook::tickets::drafts::get(app.db(), agent_id, ticket_id)
            .await
            .unwrap();
        if draft.as_ref().map(|d| d.body.as_str()) == expected {
            return;
        }
        if started.elapsed() > WAIT {
            panic!("stored draft is {draft:?}, expected {expected:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A typed reply is never lost: not by the sidebar Update, nor by a saved-reply search, nor by
/// leaving for another page; inserting a saved reply adds it after what was typed; sending the
/// reply empties the box for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsent_reply_survives_leaving_the_page_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let id = app
        .create_ticket(
            "nora@example.com",
            "Invoice shows the wrong VAT",
            "The VAT on my invoice is wrong.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .api()
        .post(app.at("/api/v1/saved-replies"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"title": "VAT corrected", "body": "The VAT on ticket #{{ticket.number}} is corrected."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    app.drain_outbox().await;
    let gus_id: i64 = sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(&app.agent_email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    log_in(&c, &app, &app.agent_email).await;
    let page = app.at(&format!("/tickets/{id}"));
    goto(&c, &page).await;

    // Typed, not sent, and straight to the sidebar Update (no pause for the autosave).
    let typed = "Dear Nora, I checked your invoice.";
    type_into(&c, "#body", typed).await;
    find(&c, "#priority")
        .await
        .select_by_value("high")
        .await
        .unwrap();
    click(&c, "#ticket-update button[type=\"submit\"]").await;
    find_xpath(
        &c,
        "//select[@id='priority']/option[@value='high' and @selected]",
    )
    .await;
    assert_eq!(reply_text(&c).await, typed, "after the sidebar Update");

    // More typing, then a saved-reply search (a reload of the page).
    let more = format!("{typed}\nYou were charged 21% instead of 19%.");
    type_into(&c, "#body", "\nYou were charged 21% instead of 19%.").await;
    type_into(&c, "#reply_q", "VAT").await;
    click(&c, "#saved-replies button[type=\"submit\"]").await;
    find(&c, "ul.saved a").await;
    assert_eq!(reply_text(&c).await, more, "after the saved-reply search");

    // Inserting the saved reply adds it after the text, in place, and saves it.
    let url_before = c.current_url().await.unwrap();
    click(&c, "ul.saved a").await;
    let inserted = format!("{more}\n\nThe VAT on ticket #{id} is corrected.");
    until(
        &c,
        "the saved reply is inserted",
        &format!(
            "return document.getElementById('body').value === {}",
            serde_json::to_string(&inserted).unwrap()
        ),
    )
    .await;
    assert_eq!(c.current_url().await.unwrap(), url_before, "no reload");
    until(
        &c,
        "the status says the draft is saved",
        "return document.getElementById('draft-status').textContent === 'Draft saved'",
    )
    .await;
    until_stored(&app, gus_id, id, Some(&inserted)).await;

    // Typed and left for another page at once: saved on the way out.
    let last = format!("{inserted}\nBest, Gus");
    type_into(&c, "#body", "\nBest, Gus").await;
    goto(&c, &app.at("/tickets?queue=open")).await;
    find(&c, "nav.sidebar").await;
    until_stored(&app, gus_id, id, Some(&last)).await;
    goto(&c, &page).await;
    find(&c, "#body").await;
    assert_eq!(reply_text(&c).await, last, "back on the ticket");

    // Sent: the box is empty, also after a reload, and the draft is gone.
    click(&c, "form.reply button[type=\"submit\"]").await;
    find_xpath(
        &c,
        "//ol[contains(@class,'messages')]/li[contains(@class,'public')][contains(., 'Best, Gus')]",
    )
    .await;
    assert_eq!(reply_text(&c).await, "");
    goto(&c, &page).await;
    find(&c, "#body").await;
    assert_eq!(reply_text(&c).await, "", "after a reload");
    until_stored(&app, gus_id, id, None).await;

    c.close().await.expect("close the browser session");
    drop(driver);
}

/// How far the page sticks out past the window's right edge, naming the narrowest element that
/// does (what to fix); `None` when it fits.
pub(crate) async fn overflow(c: &Client) -> Option<String> {
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    if overflow <= 1 {
        return None;
    }
    let culprit = c
        .execute(
            "let w = window.innerWidth, best = null;
             for (const e of document.querySelectorAll('body *')) {
               const r = e.getBoundingClientRect();
               if (r.right > w + 1 && (!best || r.width < best.getBoundingClientRect().width)) best = e;
             }
             return best ? best.outerHTML.slice(0, 160) : '';",
            vec![],
        )
        .await
        .unwrap();
    Some(format!("{overflow} px too wide ({culprit})"))
}

/// On a phone (390 px wide) no page is wider than the screen: the top bar wraps, wide tables
/// scroll in their own box, the ticket page stacks its panels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_phone_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let ticket = app
        .create_ticket(
            "noor@example.com",
            "فاتورة خاطئة — the invoice total is wrong for order 4471 and I was charged twice",
            "Please check the invoice; the VAT line appears twice and the total is off by 19%.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    log_in(&c, &app, &app.admin_email).await;
    c.set_window_size(390, 844).await.expect("resize window");
    let width = c
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert!(
        width <= 420,
        "the window could not be made phone-sized ({width} px)"
    );
    let mut wide = Vec::new();
    for path in [
        "/tickets".to_string(),
        "/tickets?queue=all".into(),
        "/tickets?view=stale".into(),
        format!("/tickets/{ticket}"),
        "/notifications".into(),
        "/search?q=invoice".into(),
        "/reports".into(),
        "/admin".into(),
        "/admin/agents".into(),
        "/admin/teams".into(),
        "/admin/rules".into(),
        "/admin/sla".into(),
        "/admin/quarantine".into(),
        "/account/password".into(),
        "/support".into(),
    ] {
        goto(&c, &app.at(&path)).await;
        if let Some(wide_by) = overflow(&c).await {
            wide.push(format!("{path}: {wide_by}"));
        }
    }
    assert!(wide.is_empty(), "pages wider than a phone: {wide:#?}");
}

/// Keyboard shortcuts: walk a list and open a ticket, walk on from the ticket page, reply, note,
/// assign to me and solve — and keys typed into the reply box stay text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_the_queue_by_keyboard_in_chromium() {
    use fantoccini::key::Key;
    let Some(app) = browser_app().await else {
        return;
    };
    let older = app
        .create_ticket("kb1@example.com", "Keyboard one", "First")
        .await["id"]
        .as_i64()
        .unwrap();
    let newer = app
        .create_ticket("kb2@example.com", "Keyboard two", "Second")
        .await["id"]
        .as_i64()
        .unwrap();
    let me: i64 = sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(&app.agent_email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    log_in(&c, &app, &app.agent_email).await;
    goto(&c, &app.at("/tickets?queue=all")).await;
    let press = |keys: String| {
        let c = c.clone();
        async move {
            c.active_element()
                .await
                .expect("a focused element")
                .send_keys(&keys)
                .await
                .expect("keys sent");
        }
    };
    let selected = |id: i64| {
        format!("return (document.querySelector('tr.kb-selected') || {{}}).id === 'ticket-{id}'")
    };
    press("j".into()).await;
    until(&c, "j selects the first row", &selected(newer)).await;
    press("j".into()).await;
    until(&c, "j moves down", &selected(older)).await;
    press("k".into()).await;
    until(&c, "k moves up", &selected(newer)).await;
    press("o".into()).await;
    let at = |id: i64| format!("return location.pathname === '/tickets/{id}'");
    until(&c, "o opens the ticket", &at(newer)).await;
    // On the ticket page, j goes on to the next ticket of the list it came from.
    find(&c, "#body").await;
    press("j".into()).await;
    until(&c, "j opens the next ticket", &at(older)).await;
    find(&c, "#body").await;
    // r: the reply box, public; what is typed there is text, not shortcuts.
    press("r".into()).await;
    until(
        &c,
        "r focuses the reply",
        "return document.activeElement.id === 'body'",
    )
    .await;
    press("just j and k and s".into()).await;
    assert_eq!(reply_text(&c).await, "just j and k and s");
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&format!("/tickets/{older}"))
    );
    press(Key::Escape.to_string()).await;
    press("n".into()).await;
    until(
        &c,
        "n picks an internal note",
        "return document.querySelector('input[name=visibility][value=internal]').checked && document.activeElement.id === 'body'",
    )
    .await;
    press(Key::Escape.to_string()).await;
    press("?".into()).await;
    until(
        &c,
        "? shows the shortcuts",
        "return !!document.querySelector('.kb-help')",
    )
    .await;
    press(Key::Escape.to_string()).await;
    until(
        &c,
        "Escape closes them",
        "return !document.querySelector('.kb-help')",
    )
    .await;
    // a: assign to me; s: solve.
    press("a".into()).await;
    let started = Instant::now();
    while ticket_json(&app, older).await["assignee_id"] != me {
        assert!(started.elapsed() < WAIT, "a did not assign the ticket");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    find(&c, "#body").await;
    until(
        &c,
        "the page is back",
        "return document.readyState === 'complete'",
    )
    .await;
    press("s".into()).await;
    let started = Instant::now();
    while ticket_json(&app, older).await["status"] != "solved" {
        assert!(started.elapsed() < WAIT, "s did not solve the ticket");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // g then u: the Unassigned queue.
    find(&c, "#body").await;
    until(
        &c,
        "the page is back",
        "return document.readyState === 'complete'",
    )
    .await;
    press("g".into()).await;
    press("u".into()).await;
    until(
        &c,
        "g u opens Unassigned",
        "return location.search === '?queue=unassigned'",
    )
    .await;
}
