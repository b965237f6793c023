//! Attachment previews: images and PDFs (recognised by their bytes) are shown inline under a
//! strict policy; everything else — SVG, HTML, a file claiming to be an image — stays a download.

use crate::both_backends;
use crate::harness::{PASSWORD, login};
use base64::Engine;
use serde_json::{Value, json};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

both_backends!(
    images_and_pdfs_preview_everything_else_downloads,
    |app| async move {
        let id = app
            .create_ticket("p@example.com", "Screenshot", "See attached")
            .await["id"]
            .as_i64()
            .unwrap();
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let files = json!([
            {"filename": "screen.png", "content_type": "image/png", "content_base64": b64(PNG)},
            {"filename": "invoice.pdf", "content_type": "application/pdf", "content_base64": b64(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")},
            {"filename": "logo.svg", "content_type": "image/svg+xml", "content_base64": b64(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")},
            {"filename": "fake.png", "content_type": "image/png", "content_base64": b64(b"<html><script>alert(1)</script></html>")}
        ]);
        let r = app
            .api()
            .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"body": "files", "visibility": "internal", "attachments": files}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
        let mut ids = std::collections::HashMap::new();
        for m in t["messages"].as_array().unwrap() {
            for a in m["attachments"].as_array().unwrap() {
                ids.insert(
                    a["filename"].as_str().unwrap().to_string(),
                    a["id"].as_i64().unwrap(),
                );
            }
        }
        let browser = app.browser();
        assert!(
            login(&app, &browser, &app.agent_email, PASSWORD)
                .await
                .is_redirection()
        );
        let page = browser
            .get(app.at(&format!("/tickets/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let png = ids["screen.png"];
        assert!(
            page.contains(&format!("<img src=\"/attachments/{png}/preview\"")),
            "a thumbnail"
        );
        assert!(!page.contains(&format!(
            "<img src=\"/attachments/{}/preview\"",
            ids["logo.svg"]
        )));

        let get = |id: i64, preview: bool| {
            let browser = browser.clone();
            let url = app.at(&format!(
                "/attachments/{id}{}",
                if preview { "/preview" } else { "" }
            ));
            async move { browser.get(url).send().await.unwrap() }
        };
        let header = |r: &reqwest::Response, h: &str| {
            r.headers()
                .get(h)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let r = get(png, true).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-type"), "image/png");
        assert!(header(&r, "content-disposition").starts_with("inline;"));
        let csp = header(&r, "content-security-policy");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("sandbox"),
            "{csp}"
        );
        assert_eq!(header(&r, "x-content-type-options"), "nosniff");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

        let r = get(ids["invoice.pdf"], true).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-type"), "application/pdf");
        assert!(header(&r, "content-disposition").starts_with("inline;"));
        assert!(header(&r, "content-security-policy").contains("default-src 'none'"));

        for name in ["logo.svg", "fake.png"] {
            let r = get(ids[name], true).await;
            assert_eq!(r.status(), 415, "{name} is never shown inline");
            let r = get(ids[name], false).await;
            assert_eq!(r.status(), 200);
            assert_eq!(header(&r, "content-type"), "application/octet-stream");
            assert!(
                header(&r, "content-disposition").starts_with("attachment;"),
                "{name}"
            );
        }
        // Previews need a signed-in agent.
        let stranger = app.browser();
        let r = stranger
            .get(app.at(&format!("/attachments/{png}/preview")))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        assert!(header(&r, "location").starts_with("/login"));
    }
);
