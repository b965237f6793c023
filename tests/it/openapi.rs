//! The OpenAPI document: served without a token, an OpenAPI 3.1 document whose references all
//! resolve, listing every route of the API (and only those), with a readable reference page. (The
//! document is also checked against the OpenAPI 3.1 schema, and the API against the document,
//! in `schemathesis.rs`.)

use crate::both_backends;
use serde_json::Value;

/// Every `$ref` in `v`, with where it was found.
fn refs<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push((at.to_string(), r));
                    }
                } else {
                    refs(child, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A path of the document with its parameters filled in with values the route accepts.
fn concrete(path: &str) -> String {
    path.replace("{action}", "retry")
        .replace("{name}", "summary")
        .replace("{tag}", "vip")
        .split('/')
        .map(|seg| if seg.starts_with('{') { "1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
        .replace("/links/retry", "/links/revoke")
}

both_backends!(the_document_is_valid_openapi_3_1, |app| async move {
    let r = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    if let Ok(path) = std::env::var("CASEBOOK_TEST_DUMP_OPENAPI") {
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
    // Its parts read back as OpenAPI objects.
    for (path, item) in doc["paths"].as_object().unwrap() {
        serde_json::from_value::<utoipa::openapi::PathItem>(item.clone())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert!(doc["paths"].as_object().unwrap().len() > 50);
    let mut ids = std::collections::HashSet::new();

    // Every reference points at something that exists.
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(!found.is_empty());
    for (at, r) in found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{at}: {r}"));
        assert!(doc.pointer(pointer).is_some(), "{at}: dangling {r}");
    }

    // Every operation: a tag, security (bearer unless it says otherwise), success and error
    // responses, and each error in the one documented shape.
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no id"));
            assert!(ids.insert(id.to_string()), "{what}: operationId {id} twice");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{what}"
            );
            assert!(op["security"].is_array(), "{what}: no security");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{what}");
            for status in ["400", "422", "500", "503"] {
                assert!(responses.contains_key(status), "{what}: no {status}");
            }
            for (status, r) in responses {
                if status.starts_with(['4', '5']) {
                    let shape = r["$ref"].as_str().map(str::to_string).unwrap_or_else(|| {
                        r["content"]["application/json"]["schema"]["$ref"]
                            .as_str()
                            .unwrap_or("")
                            .to_string()
                    });
                    assert!(
                        shape.starts_with("#/components/responses/")
                            || shape == "#/components/schemas/ErrorBody"
                            || shape == "#/components/schemas/StaleBody",
                        "{what} {status}: {shape}"
                    );
                }
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["crm_signature"].is_object());
    let error = &doc["components"]["schemas"]["ErrorDetail"]["properties"];
    for field in ["code", "message", "field"] {
        assert!(error[field].is_object(), "ErrorDetail.{field}");
    }
    assert_eq!(
        paths["/events"]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["text/event-stream"]
    );
    assert_eq!(
        paths["/crm/webhook"]["post"]["security"],
        serde_json::json!([{"crm_signature": []}])
    );
});

both_backends!(every_documented_route_is_routed, |app| async move {
    let doc: Value = reqwest::get(app.at("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path == "/events" || path == "/openapi.json" {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let url = app.at(&format!("/api/v1{}", concrete(path)));
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Without credentials: a routed operation refuses the caller (401, or 503 for the
            // webhook without a secret); an unrouted one would be the fallback's 404 or a 405.
            let r = client.request(m, &url).send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            // A gateway's inbound webhook looks its channel up before it can check the
            // signature: an unknown channel is its own 404, not the fallback's.
            let unknown_channel = path.starts_with("/channels/{channel}/")
                && status == 404
                && body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("channel"));
            assert!(
                matches!(status, 401 | 503) || unknown_channel,
                "{method} {path} ({url}): {status} {body}"
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
    // And an unknown endpoint is the JSON 404.
    let r = client
        .get(app.at("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
});

/// The other direction: no API route is added past the document. The API router is an
/// `ApiRouter`, which only takes routes with their operation (`routes!`); nothing else may
/// route under `/api/v1`.
#[test]
fn no_route_bypasses_the_document() {
    let root = env!("CARGO_MANIFEST_DIR");
    let web = std::fs::read_to_string(format!("{root}/src/web/mod.rs")).unwrap();
    let web = web.split("#[cfg(test)]").next().unwrap_or("");
    for (i, line) in web.lines().enumerate() {
        if line.contains("\"/api/v1") {
            assert!(
                line.contains(".nest(\"/api/v1\", api)"),
                "src/web/mod.rs:{}: {line}",
                i + 1
            );
        }
    }
    let api = std::fs::read_to_string(format!("{root}/src/web/routes/api.rs")).unwrap();
    assert!(
        !api.contains(".route("),
        "src/web/routes/api.rs routes something with plain axum routing"
    );
    for entry in std::fs::read_dir(format!("{root}/src/web/routes")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // An API router function returns an ApiRouter, never an axum Router.
        for (i, line) in text.lines().enumerate() {
            if line.contains("fn api_routes(")
                || (line.contains("fn routes(")
                    && text.contains("ApiRouter::new()")
                    && line.contains("ApiRouter"))
            {
                assert!(
                    line.contains("ApiRouter"),
                    "{}:{}: {line}",
                    path.display(),
                    i + 1
                );
            }
        }
    }
}

both_backends!(
    the_reference_page_renders_without_scripts,
    |app| async move {
        let r = reqwest::get(app.at("/api/docs")).await.unwrap();
        assert_eq!(r.status(), 200);
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = r.text().await.unwrap();
        assert!(!html.contains("<script"), "the page needs no script");
        assert!(!html.contains("https://"), "nothing from another origin");
        for needle in [
            "GET /tickets/{id}",
            "POST /crm/webhook",
            "schema-ErrorBody",
            "crm_signature",
            "/api/v1/openapi.json",
        ] {
            assert!(html.contains(needle), "{needle}");
        }
    }
);
