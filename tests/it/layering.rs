//! The layering of the crate: HTTP sits on top. No feature module (tickets, sla, assign, error,
//! ...) refers to `web`; only `web` itself, `lib.rs`, `main.rs` and the binaries in `src/bin` may.
//! Handlers and views run no SQL: queries live in the feature modules.
//! The checks read the source tree, so a new offence fails here naming the file and line.

use std::path::{Path, PathBuf};

/// Files that may refer to `web`, relative to `src/`.
fn may_use_web(rel: &str) -> bool {
    rel == "lib.rs" || rel == "main.rs" || rel.starts_with("web/") || rel.starts_with("bin/")
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    PathSep,
    Punct(char),
}

/// Identifiers, `::` and single punctuation characters, each with its line number.
fn tokens(src: &str) -> Vec<(Tok<'_>, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if c.is_whitespace() {
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !(d.is_alphanumeric() || d == '_') {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push((Tok::Ident(&src[i..end]), line));
        } else if c == ':' && chars.peek().map(|&(_, d)| d) == Some(':') {
            chars.next();
            out.push((Tok::PathSep, line));
        } else {
            out.push((Tok::Punct(c), line));
        }
    }
    out
}

/// Whether the `{ ... }` group opening at `toks[open]` has `web` as one of its top-level items.
fn group_names_web(toks: &[(Tok<'_>, usize)], open: usize) -> bool {
    let mut depth = 0;
    let mut item_start = true;
    for (t, _) in &toks[open..] {
        match t {
            Tok::Punct('{') => {
                depth += 1;
                item_start = depth == 1;
                continue;
            }
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            Tok::Punct(',') if depth == 1 => {
                item_start = true;
                continue;
            }
            Tok::Ident("web") if depth == 1 && item_start => return true,
            _ => {}
        }
        item_start = false;
    }
    false
}

/// Lines of `src` that refer to the crate's `web` module, for a file whose module path is
/// `depth` segments deep (`error.rs` 1, `sla/store.rs` 2, `sla/mod.rs` 1): `crate::web`,
/// `casebook::web`, `crate::{.., web}`, and `super::` chains that climb to the crate root
/// (`super::super::web` from `sla/store.rs`; more `super`s may come from inline modules).
fn web_references(src: &str, depth: usize) -> Vec<usize> {
    let toks = tokens(src);
    let mut hits = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let after_sep = i > 0 && toks[i - 1].0 == Tok::PathSep;
        let (root, next) = match &toks[i].0 {
            Tok::Ident("crate" | "casebook") if !after_sep => (true, i + 1),
            Tok::Ident("super") if !after_sep => {
                let mut k = 0;
                let mut j = i;
                while toks.get(j).map(|t| &t.0) == Some(&Tok::Ident("super"))
                    && toks.get(j + 1).map(|t| &t.0) == Some(&Tok::PathSep)
                {
                    k += 1;
                    j += 2;
                }
                // `j` is past the last `super::`; step back so `next` points at the `::`.
                (k >= depth, j.saturating_sub(1).max(i + 1))
            }
            _ => {
                i += 1;
                continue;
            }
        };
        if root && toks.get(next).map(|t| &t.0) == Some(&Tok::PathSep) {
            match toks.get(next + 1).map(|t| &t.0) {
                Some(Tok::Ident("web")) => hits.push(toks[i].1),
                Some(Tok::Punct('{')) if group_names_web(&toks, next + 1) => hits.push(toks[i].1),
                _ => {}
            }
        }
        i += 1;
    }
    hits.dedup();
    hits
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {dir:?}: {e}")) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `sla/store.rs` → 2, `sla/mod.rs` → 1, `error.rs` → 1.
fn module_depth(rel: &str) -> usize {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts.last() == Some(&"mod.rs") {
        parts.len() - 1
    } else {
        parts.len()
    }
}

#[test]
fn only_web_refers_to_web() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("sla/store.rs")),
        "the source tree was not found at {src:?}"
    );
    let mut offenders = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if may_use_web(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for line in web_references(&text, module_depth(&rel)) {
            offenders.push(format!("src/{rel}:{line}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "only src/web, src/lib.rs, src/main.rs and src/bin may refer to the web module; \
         these refer to it: {}",
        offenders.join(", ")
    );
}

#[test]
fn the_check_sees_each_way_of_naming_web() {
    assert_eq!(web_references("use crate::web::PageResult;", 2), [1]);
    assert_eq!(
        web_references("x\ncrate :: web::views::layout::page()", 1),
        [2]
    );
    assert_eq!(
        web_references(
            "use crate::{\n    db::Db,\n    web::{extract, views},\n};",
            2
        ),
        [1]
    );
    assert_eq!(web_references("use casebook::web::extract;", 2), [1]);
    assert_eq!(web_references("use super::super::web::views;", 2), [1]);
    assert_eq!(web_references("use super::{web, db};", 1), [1]);
    // Inside an inline `mod tests` of `sla/store.rs`, three `super`s reach the crate root.
    assert_eq!(web_references("use super::super::super::web;", 2), [1]);
    assert_eq!(web_references("use $crate::web::extract;", 2), [1]);

    // Not the web module: a sibling named `web` one level down, or other names.
    assert!(web_references("use super::web::views;", 2).is_empty());
    assert!(web_references("use crate::webhook; use crate::customers::web;", 2).is_empty());
    assert!(web_references("use crate::{db::{web, x}, sla};", 1).is_empty());
    assert!(web_references("let web = 1; Channel::Web; \"web\"", 1).is_empty());
}

/// Lines of `src` that name one of sqlx's query functions: `sqlx::query`, `sqlx::query_as`,
/// `sqlx::query_scalar`, ... written out or imported (`use sqlx::{query, Row}`).
fn sqlx_query_lines(src: &str) -> Vec<usize> {
    let toks = tokens(src);
    let is_query = |t: Option<&(Tok<'_>, usize)>| matches!(t, Some((Tok::Ident(name), _)) if name.starts_with("query"));
    let mut hits = Vec::new();
    for i in 0..toks.len() {
        if toks[i].0 != Tok::Ident("sqlx") || toks.get(i + 1).map(|t| &t.0) != Some(&Tok::PathSep) {
            continue;
        }
        if is_query(toks.get(i + 2)) {
            hits.push(toks[i].1);
        } else if toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Punct('{')) {
            let mut depth = 0;
            for j in i + 2..toks.len() {
                match toks[j].0 {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Ident(name) if name.starts_with("query") => {
                        hits.push(toks[i].1);
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    hits.dedup();
    hits
}

#[test]
fn handlers_and_views_run_no_sql() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["web/routes", "web/views"] {
        rust_files(&src.join(dir), &mut files);
    }
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("web/routes/search.rs")),
        "the handlers were not found under {src:?}"
    );
    let mut offenders = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        for line in sqlx_query_lines(&text) {
            offenders.push(format!("src/{rel}:{line}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "handlers and views call a service or repo function instead of running SQL; \
         these run queries: {}",
        offenders.join(", ")
    );
}

#[test]
fn the_sql_check_sees_each_way_of_calling_sqlx() {
    assert_eq!(sqlx_query_lines("let x = sqlx::query(\"SELECT 1\")"), [1]);
    assert_eq!(
        sqlx_query_lines("a\nsqlx::query_scalar::<_, i64>(\"SELECT 1\")"),
        [2]
    );
    assert_eq!(sqlx_query_lines("sqlx :: query_as(\"\")"), [1]);
    assert_eq!(sqlx_query_lines("use sqlx::{Row, query};"), [1]);
    assert!(sqlx_query_lines("use sqlx::Row; fn query() {} db::query(x)").is_empty());
}
