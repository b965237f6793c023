//! The real-world email corpus (`shared/corpora/email`) through the email module: every message
//! parses without a panic; visible-reply text and bounce/auto-reply labels are compared with the
//! expectations the source projects' own tests state; and mutated corpus files and random bytes
//! (seeded, thousands of cases) never make `parse` or `visible_reply` panic.

use casebook::email::{
    Limits, MailKind, ParsedEmail, html_to_text, parse, sanitize_html, visible_reply,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Visible-reply bar over the `visible_reply` expectations; the rate reached is printed.
const MIN_VISIBLE_REPLY_RATE: f64 = 0.90;

struct Corpus {
    dir: PathBuf,
    entries: Vec<Entry>,
    expected: serde_json::Map<String, Value>,
}

struct Entry {
    path: String,
    category: String,
    body_only: bool,
}

impl Corpus {
    /// The corpus lives in `shared/` beside the repository. Without it the tests say so and
    /// pass, except in CI where a missing corpus is a failure.
    fn load() -> Option<Corpus> {
        let dir = std::env::var_os("CASEBOOK_EMAIL_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/email")
            });
        let manifest = match std::fs::read_to_string(dir.join("MANIFEST.tsv")) {
            Ok(m) => m,
            Err(err) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "email corpus missing at {}: {err}",
                    dir.display()
                );
                eprintln!("skipped: no email corpus at {} ({err})", dir.display());
                return None;
            }
        };
        let entries = manifest
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let cols: Vec<&str> = line.split('\t').collect();
                let notes = cols.get(5).copied().unwrap_or("");
                Entry {
                    path: cols[0].to_string(),
                    category: cols.get(4).copied().unwrap_or("").to_string(),
                    body_only: notes.contains("message body only"),
                }
            })
            .collect();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json readable"),
        )
        .expect("expected.json is JSON");
        Some(Corpus {
            dir,
            entries,
            expected: expected.as_object().cloned().unwrap_or_default(),
        })
    }

    fn bytes(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }
}

fn limits() -> Limits {
    Limits {
        max_message_bytes: 10 * 1024 * 1024,
        max_attachment_bytes: 1024 * 1024,
    }
}

/// What the comparisons look at: trimmed, trailing spaces removed, blank-line runs collapsed.
fn normalize(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    out.join("\n").trim().to_string()
}

/// The visible text of a corpus file: body-only files go straight to `visible_reply`.
fn visible_of(corpus: &Corpus, entry: &Entry) -> String {
    let bytes = corpus.bytes(&entry.path);
    if entry.body_only {
        visible_reply(&String::from_utf8_lossy(&bytes))
    } else {
        parse(&bytes, &limits())
            .map(|e| e.visible_text)
            .unwrap_or_default()
    }
}

#[test]
fn every_corpus_message_parses_without_panicking() {
    let Some(corpus) = Corpus::load() else { return };
    let mut panics = Vec::new();
    let mut errors = Vec::new();
    for entry in &corpus.entries {
        let bytes = corpus.bytes(&entry.path);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if entry.body_only {
                visible_reply(&String::from_utf8_lossy(&bytes));
                Ok(())
            } else {
                parse(&bytes, &limits()).map(|_| ())
            }
        }));
        match outcome {
            Err(_) => panics.push(entry.path.clone()),
            Ok(Err(err)) => errors.push(format!("{}: {err}", entry.path)),
            Ok(Ok(())) => {}
        }
    }
    println!(
        "email corpus: {} files, {} panics, {} refused",
        corpus.entries.len(),
        panics.len(),
        errors.len()
    );
    for e in &errors {
        println!("  refused: {e}");
    }
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    assert!(errors.is_empty(), "every corpus file is mail: {errors:?}");
}

#[test]
fn visible_reply_matches_the_source_projects_expectations() {
    let Some(corpus) = Corpus::load() else { return };
    let report = |key: &str| -> (usize, usize) {
        let mut total = 0;
        let mut misses = Vec::new();
        for (path, expectation) in &corpus.expected {
            let Some(want) = expectation.get(key).and_then(Value::as_str) else {
                continue;
            };
            let entry = corpus
                .entry(path)
                .expect("expected.json names manifest files");
            total += 1;
            let got = visible_of(&corpus, entry);
            if normalize(&got) != normalize(want) {
                misses.push((path.clone(), normalize(want), normalize(&got)));
            }
        }
        let hits = total - misses.len();
        println!(
            "{key}: {hits}/{total} match ({:.1}%)",
            100.0 * hits as f64 / total.max(1) as f64
        );
        // The fidelity report: how each miss differs, so a regression shows its kind.
        let extra = misses
            .iter()
            .filter(|(_, w, g)| g.contains(w.as_str()))
            .count();
        let too_much = misses
            .iter()
            .filter(|(_, w, g)| !g.contains(w.as_str()) && w.contains(g.as_str()))
            .count();
        println!(
            "{key} fidelity: exact {hits}, contains extra {extra}, trimmed too much {too_much}, wrong {}",
            misses.len() - extra - too_much
        );
        for (path, want, got) in &misses {
            println!("  MISS {path}\n    want: {want:?}\n    got:  {got:?}");
        }
        (hits, total)
    };
    let (hits, total) = report("visible_reply");
    // The willdurand fixtures assert the trimmed first fragment, which is the visible reply
    // in their model; reported beside the main rate.
    let (fragment_hits, fragment_total) = report("first_fragment_trimmed");

    let mut contains_misses = Vec::new();
    for (path, expectation) in &corpus.expected {
        let Some(entry) = corpus.entry(path) else {
            continue;
        };
        let got = visible_of(&corpus, entry);
        for (key, must) in [
            ("first_fragment_contains", true),
            ("first_fragment_not_contains", false),
        ] {
            for needle in expectation
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if got.contains(needle) != must {
                    contains_misses.push(format!("{path}: {key} {needle:?}"));
                }
            }
        }
    }
    println!("substring expectations missed: {contains_misses:?}");

    let rate = hits as f64 / total.max(1) as f64;
    assert!(
        rate >= MIN_VISIBLE_REPLY_RATE,
        "visible_reply match rate {:.1}% is under {:.0}%",
        rate * 100.0,
        MIN_VISIBLE_REPLY_RATE * 100.0
    );
    assert_eq!(
        fragment_hits, fragment_total,
        "first fragments are all plain 'text above the history' cases"
    );
    assert!(contains_misses.is_empty());
}

fn kind_name(kind: &MailKind) -> &'static str {
    match kind {
        MailKind::Normal => "normal",
        MailKind::AutoReply { .. } => "auto-reply",
        MailKind::Bounce { .. } => "bounce",
        MailKind::FeedbackReport { .. } => "feedback-report",
        MailKind::ListMessage { .. } => "list",
        MailKind::Receipt { .. } => "receipt",
    }
}

#[test]
fn bounce_and_auto_reply_labels_match() {
    let Some(corpus) = Corpus::load() else { return };
    let mut checked = 0;
    let mut misses = Vec::new();
    let mut detail_misses = Vec::new();
    for (path, expectation) in &corpus.expected {
        let labels = [
            ("is_bounce", "bounce"),
            ("is_autoreply", "auto-reply"),
            ("is_feedback_report", "feedback-report"),
        ];
        if !labels
            .iter()
            .any(|(key, _)| expectation.get(*key).is_some())
        {
            continue;
        }
        let email: ParsedEmail =
            parse(&corpus.bytes(path), &limits()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let got = kind_name(&email.kind);
        for (key, label) in labels {
            let Some(want) = expectation.get(key).and_then(Value::as_bool) else {
                continue;
            };
            checked += 1;
            if (got == label) != want {
                misses.push(format!("{path}: {key}={want}, got {:?}", email.kind));
            }
        }
        if let MailKind::Bounce {
            recipient, status, ..
        } = &email.kind
        {
            let want_recipient = expectation.get("bounced_recipient").and_then(Value::as_str);
            if want_recipient.is_some_and(|w| Some(w.to_lowercase()) != *recipient) {
                detail_misses.push(format!(
                    "{path}: recipient {recipient:?}, want {want_recipient:?}"
                ));
            }
            let want_status = expectation.get("dsn_status").and_then(Value::as_str);
            if want_status.is_some_and(|w| Some(w) != status.as_deref()) {
                detail_misses.push(format!("{path}: status {status:?}, want {want_status:?}"));
            }
        }
    }
    let hits = checked - misses.len();
    println!(
        "bounce/auto-reply labels: {hits}/{checked} match ({:.1}%)",
        100.0 * hits as f64 / checked.max(1) as f64
    );
    for m in &misses {
        println!("  MISS {m}");
    }
    println!("bounce details (recipient/status) missed: {detail_misses:?}");

    // Secondary: the manifest's primary category for files without a stated label.
    let mut category_misses = Vec::new();
    for entry in &corpus.entries {
        let wanted = match entry.category.as_str() {
            "bounce" => "bounce",
            "autoreply" => "auto-reply",
            _ => continue,
        };
        let Ok(email) = parse(&corpus.bytes(&entry.path), &limits()) else {
            continue;
        };
        if kind_name(&email.kind) != wanted {
            category_misses.push(format!("{} ({wanted}): {:?}", entry.path, email.kind));
        }
    }
    println!("manifest category disagreements (info): {category_misses:#?}");

    assert!(
        misses.len() <= KNOWN_LABEL_MISSES,
        "{} label misses (known: {KNOWN_LABEL_MISSES})",
        misses.len()
    );
    assert!(detail_misses.is_empty());
}

/// `sisimai/maildir/not/rb-issue-368-bug.eml` is labelled "not a bounce" by sisimai (it sits
/// in their not-a-bounce folder as a regression sample), but it is a postmaster's
/// "mailbox full, your message was rejected" notice with a null return path; we call it a
/// bounce and accept the disagreement rather than special-case it.
const KNOWN_LABEL_MISSES: usize = 1;

/// Mail-shaped fragments the random messages are built from.
const TOKENS: &[&str] = &[
    "From: a@example.com\r\n",
    "To: \"x\" <b@example.org>, c@\r\n",
    "Subject: =?utf-8?B?w6TDtsO8?= =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=\r\n",
    "Message-ID: <",
    "References: <a@b> <c@d\r\n",
    "Date: Mon, 32 Foo 99999 25:61:61 +9999\r\n",
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n",
    "Content-Type: message/delivery-status\r\n",
    "Content-Type: message/rfc822\r\n",
    "Content-Type: text/html; charset=x-unknown\r\n",
    "Content-Type: text/plain; charset=iso-2022-jp\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf\r\n",
    "\r\n",
    "\n",
    "--b\r\n",
    "--b--\r\n",
    "Final-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n",
    "<blockquote><div><p>",
    "</p></div></blockquote>",
    "<script>x</script>",
    "=?",
    "?=",
    "=C3=",
    "> quoted\n",
    "On Mon, 1 Jan 2024 at 10:00, A <a@x.org> wrote:\n",
    "-- \n",
    "Sent from my iPhone\n",
    "From: x\nSent: y\nTo: z\nSubject: w\n",
    "```\n",
    "\u{200b}\u{feff}",
    "\r",
    "\0",
];

#[test]
fn parse_and_visible_reply_survive_mutated_and_random_input() {
    let seed: u64 = std::env::var("CASEBOOK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xca5e_b00c);
    println!("fuzz seed {seed} (set CASEBOOK_FUZZ_SEED to replay another)");
    let mut rng = StdRng::seed_from_u64(seed);
    let corpus_files: Vec<Vec<u8>> = match Corpus::load() {
        Some(corpus) => corpus
            .entries
            .iter()
            .map(|e| corpus.bytes(&e.path))
            .filter(|b| b.len() <= 128 * 1024)
            .collect(),
        None => Vec::new(),
    };
    let small_limits = Limits {
        max_message_bytes: 1 << 20,
        max_attachment_bytes: 64,
    };

    let mut cases = 0;
    let mut run = |input: Vec<u8>, rng: &mut StdRng| {
        let limits = if rng.gen_bool(0.5) {
            small_limits
        } else {
            limits()
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = parse(&input, &limits);
            let text = String::from_utf8_lossy(&input);
            let _ = visible_reply(&text);
            let _ = casebook::email::ticket_token_from_subject(&text);
            let _ = casebook::email::ticket_token_from_address(&text);
            if input.len() < 8 * 1024 {
                let _ = html_to_text(&text);
                let _ = sanitize_html(&text);
            }
        }));
        if outcome.is_err() {
            let path = std::env::temp_dir().join(format!("casebook-fuzz-{seed}-{cases}.eml"));
            let _ = std::fs::write(&path, &input);
            panic!("case {cases} panicked; input saved to {}", path.display());
        }
        cases += 1;
    };

    for _ in 0..1000 {
        let len = rng.gen_range(0..2048);
        let bytes: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        run(bytes, &mut rng);
    }
    for _ in 0..1500 {
        let mut bytes = Vec::new();
        for _ in 0..rng.gen_range(1..60) {
            bytes.extend_from_slice(TOKENS[rng.gen_range(0..TOKENS.len())].as_bytes());
            if rng.gen_bool(0.3) {
                let junk: Vec<u8> = (0..rng.gen_range(0..20)).map(|_| rng.r#gen()).collect();
                bytes.extend_from_slice(&junk);
            }
        }
        run(bytes, &mut rng);
    }
    if !corpus_files.is_empty() {
        for _ in 0..2500 {
            let a = &corpus_files[rng.gen_range(0..corpus_files.len())];
            let b = &corpus_files[rng.gen_range(0..corpus_files.len())];
            let mutated = mutate(a, b, &mut rng);
            run(mutated, &mut rng);
        }
    }
    println!("fuzz: {cases} inputs, no panics");
    assert!(cases >= 2500);
}

/// One random edit of a corpus file: truncate, flip bytes, splice with another file, repeat or
/// delete a chunk, or drop in a MIME boundary line.
fn mutate(a: &[u8], b: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut out = a.to_vec();
    if out.is_empty() {
        return b.to_vec();
    }
    let at = rng.gen_range(0..out.len());
    match rng.gen_range(0..6) {
        0 => out.truncate(at),
        1 => {
            for _ in 0..rng.gen_range(1..24) {
                let i = rng.gen_range(0..out.len());
                out[i] ^= 1 << rng.gen_range(0..8);
            }
        }
        2 => {
            let from = if b.is_empty() {
                0
            } else {
                rng.gen_range(0..b.len())
            };
            out.truncate(at);
            out.extend_from_slice(&b[from..]);
        }
        3 => {
            let end = (at + rng.gen_range(1..512)).min(out.len());
            let chunk = out[at..end].to_vec();
            for _ in 0..rng.gen_range(1..8) {
                out.splice(at..at, chunk.iter().copied());
            }
        }
        4 => {
            let end = (at + rng.gen_range(1..2048)).min(out.len());
            out.drain(at..end);
        }
        _ => {
            let token = TOKENS[rng.gen_range(0..TOKENS.len())].as_bytes();
            out.splice(at..at, token.iter().copied());
        }
    }
    out
}
