//! `/api/docs`: the API reference as one server-rendered page, made from the OpenAPI document
//! (no script, no CDN; it works under the site's strict Content-Security-Policy).

use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// The reference page for `doc` (the document as JSON).
pub fn reference(doc: &Value) -> Markup {
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let mut tags: Vec<String> = Vec::new();
    let mut ops: Vec<(String, &str, &str, &Value)> = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for m in METHODS {
                if let Some(op) = item.get(*m) {
                    let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
                    if !tags.contains(&tag) {
                        tags.push(tag.clone());
                    }
                    ops.push((tag, m, path, op));
                }
            }
        }
    }
    tags.sort();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " reference" }
                link rel="stylesheet" href="/static/casebook.css";
            }
            body.api-docs {
                main {
                    h1 { (title) " reference" }
                    @if let Some(d) = doc["info"]["description"].as_str() { p { (d) } }
                    p {
                        "Base URL: " code { "/api/v1" } ". The machine-readable document: "
                        a href="/api/v1/openapi.json" { "/api/v1/openapi.json" }
                        " (OpenAPI " (doc["openapi"].as_str().unwrap_or("")) ")."
                    }
                    nav aria-label="Sections" {
                        ul {
                            li { a href="#auth" { "Authentication" } }
                            li { a href="#errors" { "Errors" } }
                            @for tag in &tags { li { a href={ "#tag-" (slug(tag)) } { (tag) } } }
                            li { a href="#schemas" { "Schemas" } }
                        }
                    }
                    section #auth {
                        h2 { "Authentication" }
                        @if let Some(schemes) = doc["components"]["securitySchemes"].as_object() {
                            dl {
                                @for (name, s) in schemes {
                                    dt { code { (name) } " — " (s["type"].as_str().unwrap_or(""))
                                        @if let Some(n) = s["name"].as_str() { " header " code { (n) } }
                                        @if let Some(n) = s["scheme"].as_str() { " " (n) } }
                                    dd { (s["description"].as_str().unwrap_or("")) }
                                }
                            }
                        }
                    }
                    section #errors {
                        h2 { "Errors" }
                        p { "Every error is JSON in one shape, " a href="#schema-ErrorBody" { "ErrorBody" } ":" }
                        pre { code { "{\"error\": {\"code\": \"validation_failed\", \"message\": \"…\", \"field\": \"customer.email\"}}" } }
                        @if let Some(responses) = doc["components"]["responses"].as_object() {
                            dl {
                                @for (name, r) in responses {
                                    dt { code { (name) } }
                                    dd { (r["description"].as_str().unwrap_or("")) }
                                }
                            }
                        }
                    }
                    @for tag in &tags {
                        section id={ "tag-" (slug(tag)) } {
                            h2 { (tag) }
                            @for (_, method, path, op) in ops.iter().filter(|(t, ..)| t == tag) {
                                (operation(method, path, op))
                            }
                        }
                    }
                    section #schemas {
                        h2 { "Schemas" }
                        @if let Some(schemas) = doc["components"]["schemas"].as_object() {
                            @for (name, s) in schemas { (schema(name, s)) }
                        }
                    }
                }
            }
        }
    }
}

fn operation(method: &str, path: &str, op: &Value) -> Markup {
    let id = format!("op-{}", slug(&format!("{method}{path}")));
    html! {
        article.api-op id=(id) {
            h3 { code { (method.to_uppercase()) " " (path) } }
            @if let Some(s) = op["summary"].as_str() { p { (s) } }
            @if let Some(d) = op["description"].as_str() { @if Some(d) != op["summary"].as_str() { p { (d) } } }
            @let security = security_text(op);
            p { "Authentication: " (security) }
            @if let Some(params) = op["parameters"].as_array() {
                @if !params.is_empty() {
                    table {
                        caption { "Parameters" }
                        thead { tr { th { "name" } th { "in" } th { "type" } th { "description" } } }
                        tbody {
                            @for p in params {
                                tr {
                                    td { code { (p["name"].as_str().unwrap_or("")) }
                                        @if p["required"].as_bool() == Some(true) { " (required)" } }
                                    td { (p["in"].as_str().unwrap_or("")) }
                                    td { (type_of(&p["schema"])) }
                                    td { (p["description"].as_str().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(content) = op["requestBody"]["content"].as_object() {
                p { "Request body: "
                    @for (mime, c) in content { code { (mime) } " " (type_of(&c["schema"])) } }
            }
            @if let Some(responses) = op["responses"].as_object() {
                table {
                    caption { "Responses" }
                    thead { tr { th { "status" } th { "body" } th { "description" } } }
                    tbody {
                        @for (status, r) in responses {
                            tr {
                                td { (status) }
                                td {
                                    @if let Some(name) = r["$ref"].as_str().and_then(|s| s.rsplit('/').next()) {
                                        a href="#errors" { "ErrorBody" } " (" (name) ")"
                                    }
                                    @if let Some(content) = r["content"].as_object() {
                                        @for (mime, c) in content { code { (mime) } " " (type_of(&c["schema"])) " " }
                                    }
                                }
                                td { (r["description"].as_str().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn security_text(op: &Value) -> String {
    match op["security"].as_array() {
        Some(list)
            if list
                .iter()
                .all(|s| s.as_object().is_some_and(|o| o.is_empty())) =>
        {
            "none".into()
        }
        Some(list) => list
            .iter()
            .filter_map(|s| s.as_object())
            .flat_map(|o| o.keys().cloned())
            .collect::<Vec<_>>()
            .join(" or "),
        None => "bearer".into(),
    }
}

fn schema(name: &str, s: &Value) -> Markup {
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        article.api-schema id={ "schema-" (name) } {
            h3 { code { (name) } }
            @if let Some(d) = s["description"].as_str() { p { (d) } }
            @if let Some(props) = s["properties"].as_object() {
                table {
                    thead { tr { th { "field" } th { "type" } th { "description" } } }
                    tbody {
                        @for (field, p) in props {
                            tr {
                                td { code { (field) } @if required.contains(&field.as_str()) { " (required)" } }
                                td { (type_of(p)) }
                                td { (p["description"].as_str().unwrap_or("")) }
                            }
                        }
                    }
                }
            } @else {
                p { (type_of(s)) }
            }
        }
    }
}

/// A schema in a few words, with links to named schemas.
fn type_of(s: &Value) -> Markup {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return html! { a href={ "#schema-" (name) } { (name) } };
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = s[key].as_array() {
            let sep = if key == "allOf" { " and " } else { " or " };
            return html! {
                @for (i, item) in list.iter().enumerate() {
                    @if i > 0 { (sep) }
                    (type_of(item))
                }
            };
        }
    }
    let kind = match &s["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    };
    html! {
        @if kind.starts_with("array") {
            "array of " (type_of(&s["items"]))
            @if kind.contains("null") { " or null" }
        } @else if let Some(values) = s["enum"].as_array() {
            "one of: "
            @for (i, v) in values.iter().enumerate() {
                @if i > 0 { ", " }
                code { (v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())) }
            }
        } @else {
            (kind)
            @if let Some(f) = s["format"].as_str() { " (" (f) ")" }
            @if let Some(p) = s["pattern"].as_str() { " matching " code { (p) } }
            @if s["additionalProperties"].is_object() { " of " (type_of(&s["additionalProperties"])) }
        }
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
