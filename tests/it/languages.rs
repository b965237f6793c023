//! Korean, Arabic and English: the language of pages and mail, direction per language (never
//! per content), the customer's remembered language, and file names in any script.

use crate::both_backends;
use crate::harness::{PASSWORD, csrf_from, extract_attr, login};
use crate::mail_e2e::{MailEnv, count, parsed, plain_mail, spawn_mail_app, wait_until};
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, SET_COOKIE};
use serde_json::{Value, json};

/// The `<html ...>` start tag of a page.
fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("an html element");
    let end = page[start..].find('>').unwrap() + start;
    &page[start..=end]
}

async fn page(client: &reqwest::Client, url: &str, accept: Option<&str>) -> (String, String) {
    let mut req = client.get(url);
    if let Some(a) = accept {
        req = req.header(ACCEPT_LANGUAGE, a);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    let lang = resp.headers()[CONTENT_LANGUAGE]
        .to_str()
        .unwrap()
        .to_string();
    (lang, resp.text().await.unwrap())
}

both_backends!(public_pages_speak_the_browsers_language, |app| async move {
    let customer = app.browser();
    let support = app.at("/support");

    let (lang, html) = page(&customer, &support, None).await;
    assert_eq!(lang, "en");
    assert_eq!(html_tag(&html), r#"<html lang="en" dir="ltr">"#);
    assert!(html.contains("Contact support"));

    let (lang, html) = page(&customer, &support, Some("ko-KR,ko;q=0.9,en;q=0.5")).await;
    assert_eq!(lang, "ko");
    assert_eq!(html_tag(&html), r#"<html lang="ko" dir="ltr">"#);
    assert!(html.contains("고객 지원 문의"), "Korean form");

    let (lang, html) = page(&customer, &support, Some("ar-EG,ar;q=0.9")).await;
    assert_eq!(lang, "ar");
    assert_eq!(html_tag(&html), r#"<html lang="ar" dir="rtl">"#);
    assert!(html.contains("تواصل مع الدعم"), "Arabic form");

    // A language nobody here speaks: the installation's default.
    let (lang, _) = page(&customer, &support, Some("fr-FR,de;q=0.8")).await;
    assert_eq!(lang, "en");

    // The language links: the pick wins over the browser and is remembered in a cookie.
    let resp = customer
        .get(app.at("/support?lang=ar"))
        .header(ACCEPT_LANGUAGE, "ko")
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("casebook_lang=ar;"), "{cookie}");
    assert!(resp.text().await.unwrap().contains(r#"dir="rtl""#));
    let (lang, _) = page(&customer, &support, Some("ko")).await;
    assert_eq!(lang, "ar", "the cookie outranks Accept-Language");

    // Every free-text field follows the script typed into it.
    let (_, html) = page(&app.browser(), &support, None).await;
    for field in ["name=\"name\"", "name=\"subject\"", "name=\"message\""] {
        let at = html.find(field).unwrap_or_else(|| panic!("{field}"));
        let tag_start = html[..at].rfind('<').unwrap();
        let tag_end = at + html[at..].find('>').unwrap();
        assert!(
            html[tag_start..tag_end].contains("dir=\"auto\""),
            "{field} has dir=auto: {}",
            &html[tag_start..tag_end]
        );
    }

    // A missing page in Korean.
    let resp = customer
        .get(app.at("/no-such-page"))
        .header(ACCEPT_LANGUAGE, "ko")
        .header("cookie", "casebook_lang=ko")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().contains("찾을 수 없습니다"));

    // The API answers in English whatever the browser says.
    let resp = app
        .api()
        .get(app.at("/api/v1/tickets/999999"))
        .bearer_auth(&app.agent_token)
        .header(ACCEPT_LANGUAGE, "ko")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()[CONTENT_LANGUAGE], "en");
});

both_backends!(
    arabic_content_never_mirrors_the_english_ui,
    |app| async move {
        let subject = "لم يصل طلبي بعد";
        let id = app
            .create_ticket(
                "layla@example.com",
                subject,
                "رقم الطلب 1234، أرجو المساعدة",
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let agent = app.browser();
        login(&app, &agent, &app.agent_email, PASSWORD).await;
        for path in [format!("/tickets/{id}"), "/tickets?queue=all".to_string()] {
            let (lang, html) = page(&agent, &app.at(&path), Some("en-US,en")).await;
            assert_eq!(lang, "en", "{path}");
            assert_eq!(html_tag(&html), r#"<html lang="en" dir="ltr">"#, "{path}");
            // The subject carries its own direction.
            let body = html.find("<body").unwrap();
            let at = body + html[body..].find(subject).expect("the subject is shown");
            // The elements opened since the last one closed enclose the subject: one of them
            // carries its direction.
            let open = html[..at].rfind("</").unwrap();
            let enclosing = &html[open..at];
            assert!(
                enclosing.contains("dir=\"auto\"") || enclosing.contains("<bdi"),
                "{path}: {enclosing}"
            );
        }
    }
);

both_backends!(an_agent_chooses_their_language, |app| async move {
    let agent = app.browser();
    login(&app, &agent, &app.agent_email, PASSWORD).await;
    let (lang, _) = page(&agent, &app.at("/tickets"), Some("en")).await;
    assert_eq!(lang, "en");

    let (csrf, html) = csrf_from(&agent, &app.at("/account/language")).await;
    assert!(html.contains("한국어") && html.contains("العربية"));
    let resp = agent
        .post(app.at("/account/language"))
        .form(&[("csrf", csrf.as_str()), ("locale", "ko")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("언어를 저장했습니다"));

    // Their choice outranks the browser's.
    let (lang, html) = page(&agent, &app.at("/tickets"), Some("en-US,en")).await;
    assert_eq!(lang, "ko");
    assert_eq!(html_tag(&html), r#"<html lang="ko" dir="ltr">"#);
    assert!(html.contains("로그아웃"), "the menu is in Korean");

    // A language Casebook does not speak is refused, naming the field.
    let (csrf, _) = csrf_from(&agent, &app.at("/account/language")).await;
    let resp = agent
        .post(app.at("/account/language"))
        .form(&[("csrf", csrf.as_str()), ("locale", "xx")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("locale"));

    // Back to the browser's language.
    let (csrf, _) = csrf_from(&agent, &app.at("/account/language")).await;
    agent
        .post(app.at("/account/language"))
        .form(&[("csrf", csrf.as_str()), ("locale", "")])
        .send()
        .await
        .unwrap();
    let (lang, _) = page(&agent, &app.at("/tickets"), Some("ar")).await;
    assert_eq!(lang, "ar");
});

// The form in Korean: the private link's page speaks Korean
// to a browser that says nothing; a pick on that page becomes the customer's language.
both_backends!(
    a_customer_is_answered_in_the_language_they_wrote,
    |app| async move {
        let customer = app.browser();
        let (csrf, html) = csrf_from(&customer, &app.at("/support")).await;
        let form_key = extract_attr(&html, "name=\"form_key\" value=\"").unwrap();
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("form_key", form_key)
            .text("name", "김민지")
            .text("email", "minji@example.com")
            .text("subject", "노트북 배송 문의")
            .text(
                "message",
                "지난주에 주문한 노트북이 아직 도착하지 않았습니다. 확인 부탁드립니다.",
            )
            .text("website", "")
            .part(
                "attachment",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 receipt".to_vec())
                    .file_name("영수증-12월.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let resp = customer
            .post(app.at("/support"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let link = resp.headers()["location"].to_str().unwrap().to_string();
        app.drain_outbox().await;

        let tickets = app.get_json("/api/v1/tickets").await;
        let id = tickets["items"][0]["id"].as_i64().unwrap();
        let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
        let messages = t["messages"].as_array().unwrap();
        // (Without mail set up there is no acknowledgement; `korean_mail` sees it arrive.)
        // The file keeps its name, in the API and on download.
        let file = &messages[0]["attachments"][0];
        assert_eq!(file["filename"], "영수증-12월.pdf");
        let fresh = app.browser();
        let (_, page_html) = page(&fresh, &app.at(&link), None).await;
        assert!(
            page_html.contains(r#"lang="ko""#),
            "the customer's language"
        );
        let href = extract_attr(&page_html, "href=\"/t/").unwrap();
        let resp = fresh
            .get(app.at(&format!("/t/{href}")))
            .send()
            .await
            .unwrap();
        let disposition = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.contains("filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D-12%EC%9B%94.pdf"),
            "{disposition}"
        );

        // Picking Arabic on the page makes Arabic the customer's language.
        let (_, html) = page(&fresh, &app.at(&format!("{}&lang=ar", link)), None).await;
        assert!(html.contains(r#"dir="rtl""#));
        let locale: Option<String> = sqlx::query_scalar(
        "SELECT c.locale FROM customer c JOIN ticket t ON t.customer_id = c.customer_id WHERE t.ticket_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
        assert_eq!(locale.as_deref(), Some("ar"));
    }
);

/// Mail in Korean through the real servers: the acknowledgement and the reply footer are
/// Korean, and `영수증-12월.pdf` keeps its name into Casebook and out again (RFC 2231).
async fn korean_mail(backend: crate::harness::Backend) {
    let Some(env) = MailEnv::get() else { return };
    let support = env.fresh_address("helpdesk.test", "sup");
    let customer = env.fresh_address("customer.test", "cus");
    let Some(app) = spawn_mail_app(backend, &env, &support, 300).await else {
        return;
    };
    let boundary = "b-7f3a";
    let body = format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         안녕하세요. 주문한 노트북이 아직 도착하지 않았습니다.\r\n\
         --{boundary}\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D-12%EC%9B%94.pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgcmVjZWlwdA==\r\n--{boundary}--"
    );
    let raw = plain_mail(
        &format!("=?UTF-8?B?6rmA66+87KeA?= <{customer}>"),
        &support,
        "=?UTF-8?B?64W47Yq467aBIOuwsOyGoSDrrLjsnZg=?=",
        "ko-1@customer.test",
        "",
        &body,
    );
    let raw = String::from_utf8(raw).unwrap().replace(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n--",
        &format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--"),
    );
    env.send(&customer, &support, raw.into_bytes()).await;
    wait_until("the ticket", || async {
        count(&app, "SELECT COUNT(*) FROM ticket").await == 1
    })
    .await;
    let tickets: Value = app.get_json("/api/v1/tickets").await;
    let id = tickets["items"][0]["id"].as_i64().unwrap();
    let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        t["messages"][0]["attachments"][0]["filename"],
        "영수증-12월.pdf"
    );

    let inbox = env.wait_for_mail(&customer, 1).await;
    let ack = parsed(&inbox[0]);
    assert!(
        ack.text.contains("문의해 주셔서 감사합니다"),
        "{}",
        ack.text
    );

    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "확인해 보니 내일 도착할 예정입니다.", "attachments": [
            {"filename": "영수증-12월.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQgcmVjZWlwdA=="}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let inbox = env.wait_for_mail(&customer, 2).await;
    let reply = parsed(&inbox[1]);
    assert!(
        reply.text.contains("회신하시면"),
        "Korean footer: {}",
        reply.text
    );
    let file = reply
        .attachments
        .iter()
        .find(|a| a.content == b"%PDF-1.4 receipt")
        .expect("the file travels with the reply");
    assert_eq!(file.filename.as_deref(), Some("영수증-12월.pdf"));
    let raw = String::from_utf8_lossy(&inbox[1]);
    assert!(
        raw.contains("filename*"),
        "the name is encoded for mail: {raw}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn korean_mail_sqlite() {
    korean_mail(crate::harness::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn korean_mail_postgres() {
    korean_mail(crate::harness::Backend::Postgres).await;
}

/// The agent's language for the ticket page; `""` goes back to the browser's.
async fn choose_language(app: &crate::harness::TestApp, agent: &reqwest::Client, locale: &str) {
    let (csrf, _) = csrf_from(agent, &app.at("/account/language")).await;
    let resp = agent
        .post(app.at("/account/language"))
        .form(&[("csrf", csrf.as_str()), ("locale", locale)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

// What Casebook recorded when it happened — why routing and assignment put a ticket where it is,
// how an email found its ticket — reads in the language of whoever looks at it later, while the
// API keeps the English it always gave.
both_backends!(
    recorded_explanations_read_in_each_agents_language,
    |app| async move {
        use casebook::intake::email::{Ingested, Mode, Source, ingest};
        let state = &app.running.state;
        let first = crate::email_intake::mail(
            "ana@example.com",
            "Broken login",
            Some("first@mail.example.com"),
            "",
            "I cannot log in.",
        );
        let source = |uid| Source {
            mailbox: "test@imap/INBOX".into(),
            uidvalidity: Some(1),
            uid: Some(uid),
        };
        let Ingested::Ticket { ticket_id, .. } = ingest(state, &source(1), &first, Mode::Normal)
            .await
            .unwrap()
        else {
            panic!("a ticket")
        };
        let reply = crate::email_intake::mail(
            "ana@example.com",
            "Re: Broken login",
            Some("second@mail.example.com"),
            "In-Reply-To: <first@mail.example.com>\r\n",
            "Still broken.",
        );
        ingest(state, &source(2), &reply, Mode::Normal)
            .await
            .unwrap();
        app.drain_outbox().await;

        // The API: English, as recorded.
        let t = app.get_json(&format!("/api/v1/tickets/{ticket_id}")).await;
        let events = t["events"].as_array().unwrap();
        let routed = events
            .iter()
            .find(|e| e["kind"] == "routed" || e["kind"] == "assigned")
            .expect("routing was recorded");
        assert!(
            routed["detail"]
                .as_str()
                .unwrap()
                .contains("no rule matched → Unassigned (no default team)"),
            "{routed}"
        );
        let reasons: Vec<&str> = t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["thread_reason"].as_str())
            .collect();
        assert!(
            reasons.contains(&"In-Reply-To matches message <first@mail.example.com>"),
            "{reasons:?}"
        );

        let agent = app.browser();
        login(&app, &agent, &app.agent_email, PASSWORD).await;
        let url = app.at(&format!("/tickets/{ticket_id}"));
        let (_, en) = page(&agent, &url, Some("en")).await;
        assert!(en.contains("no rule matched → Unassigned"), "English page");
        assert!(en.contains("In-Reply-To matches message"), "English page");

        choose_language(&app, &agent, "ko").await;
        let (_, ko) = page(&agent, &url, None).await;
        assert!(
            ko.contains("미배정 대기 중: 일치하는 규칙 없음 → 미배정 (기본 팀 없음)"),
            "Korean routing"
        );
        assert!(ko.contains("In-Reply-To가 메시지"), "Korean threading");
        assert!(
            ko.contains("새 티켓: 기존 티켓에 대한 참조 없음"),
            "Korean threading"
        );
        assert!(!ko.contains("no rule matched"), "no English left");

        // A notification written while the agent read English reads in Korean once they do.
        let me: i64 = sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
            .bind(&app.agent_email)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        choose_language(&app, &agent, "").await;
        let resp = app
            .api()
            .patch(app.at(&format!("/api/v1/tickets/{ticket_id}")))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "assignee_id": me }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let (_, en) = page(&agent, &app.at("/notifications"), Some("en")).await;
        assert!(
            en.contains("was assigned to you by"),
            "English notification"
        );
        choose_language(&app, &agent, "ko").await;
        let (_, ko) = page(&agent, &app.at("/notifications"), None).await;
        assert!(ko.contains("나에게 배정했습니다"), "Korean notification");
        assert!(!ko.contains("was assigned to you by"), "no English left");

        choose_language(&app, &agent, "ar").await;
        let (_, ar) = page(&agent, &url, None).await;
        assert!(ar.contains("لم تطابق أي قاعدة"), "Arabic routing");
        assert!(ar.contains("تطابق الرسالة"), "Arabic threading");
        assert!(!ar.contains("no rule matched"), "no English left");
        choose_language(&app, &agent, "").await;
    }
);

// An admin sets the installation's default language: it applies to everyone who chose none and
// whose browser asks for none Casebook speaks, and never outranks either.
both_backends!(an_admin_sets_the_default_language, |app| async move {
    let admin = app.browser();
    login(&app, &admin, &app.admin_email, PASSWORD).await;
    let (_, html) = page(&admin, &app.at("/admin"), Some("en")).await;
    assert!(
        html.contains("/admin/language"),
        "linked from the admin page"
    );
    let (csrf, _) = csrf_from(&admin, &app.at("/admin/language")).await;
    let save = |locale: &'static str, csrf: String| {
        let admin = admin.clone();
        let url = app.at("/admin/language");
        async move {
            admin
                .post(url)
                .header(ACCEPT_LANGUAGE, "en")
                .form(&[("csrf", csrf.as_str()), ("locale", locale)])
                .send()
                .await
                .unwrap()
        }
    };
    let resp = save("xx", csrf.clone()).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("locale"));
    assert_eq!(save("ko", csrf.clone()).await.status(), 200);

    // A visitor whose browser says nothing, or asks for a language Casebook does not speak.
    for accept in [None, Some("de-DE,de;q=0.9")] {
        let (lang, html) = page(&app.browser(), &app.at("/support"), accept).await;
        assert_eq!(lang, "ko", "{accept:?}");
        assert_eq!(html_tag(&html), r#"<html lang="ko" dir="ltr">"#);
    }
    // The browser's language and a person's own choice still come first.
    let (lang, _) = page(&app.browser(), &app.at("/support"), Some("ar")).await;
    assert_eq!(lang, "ar");
    let agent = app.browser();
    login(&app, &agent, &app.agent_email, PASSWORD).await;
    let (lang, _) = page(&agent, &app.at("/tickets"), None).await;
    assert_eq!(lang, "ko", "an agent without a choice");
    choose_language(&app, &agent, "en").await;
    let (lang, _) = page(&agent, &app.at("/tickets"), None).await;
    assert_eq!(lang, "en", "an agent's own choice");

    // Only admins.
    let resp = agent.get(app.at("/admin/language")).send().await.unwrap();
    assert_eq!(resp.status(), 403);

    // Back to the configuration's default.
    assert_eq!(save("", csrf).await.status(), 200);
    let (lang, _) = page(&app.browser(), &app.at("/support"), None).await;
    assert_eq!(lang, "en");
});
