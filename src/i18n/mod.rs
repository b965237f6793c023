//! The languages Casebook speaks: English, Korean and Arabic, through Fluent.
//!
//! Every text a person reads — pages, error pages, form errors, mail to customers and agents,
//! CSV headers — is a Fluent message in `locales/{en,ko,ar}/*.ftl`, looked up with [`t!`](crate::t).
//! Messages take named arguments (`t!("count-tickets", count = n)`) and choose their plural form
//! by the language's rules (Korean has one form, Arabic six).
//!
//! The language of a request is decided once, by the `locale` middleware (a `lang` query
//! parameter, then the `casebook_lang` cookie, then `Accept-Language`, then the installation's
//! default) and, for a logged-in agent, by their own choice; it is kept for the request in a
//! task-local, so views render in it without passing it around. Work outside a request (mail
//! from the outbox) renders in an explicit language with [`with`].

#[macro_use]
mod note;
pub use note::{Note, Part};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::cell::Cell;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language of Casebook's user interface and mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Ko,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ko, Locale::Ar];

    /// The BCP 47 tag (`<html lang>`, `Content-Language`, the stored value).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
            Locale::Ar => "ar",
        }
    }

    /// The direction the interface is laid out in (`<html dir>`).
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's name in itself, for language pickers.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ko => "한국어",
            Locale::Ar => "العربية",
        }
    }

    /// `ko`, `ko-KR`, `AR_eg`: the primary language subtag decides; `None` for a language
    /// Casebook does not speak.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "ko" => Some(Locale::Ko),
            "ar" => Some(Locale::Ar),
            _ => None,
        }
    }

    /// The best spoken language of an `Accept-Language` header (by quality, then order);
    /// `None` when it names none of them.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.split(',') {
            let mut fields = part.split(';');
            let Some(locale) = fields.next().and_then(Locale::parse) else {
                continue;
            };
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language a customer wrote `text` in, from its script: Hangul is Korean, Arabic
    /// script is Arabic, Latin letters alone are English. `None` when the text does not say
    /// (too short, numbers only, another script).
    pub fn detect(text: &str) -> Option<Locale> {
        let (mut hangul, mut arabic, mut latin, mut other) = (0usize, 0usize, 0usize, 0usize);
        for c in text.chars() {
            match c as u32 {
                0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F => hangul += 1,
                0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF
                    if c.is_alphabetic() =>
                {
                    arabic += 1
                }
                _ if c.is_ascii_alphabetic() => latin += 1,
                _ if c.is_alphabetic() && (c as u32) < 0x0250 => latin += 1,
                _ if c.is_alphabetic() => other += 1,
                _ => {}
            }
        }
        // A Hangul syllable or an Arabic letter carries about as much as three Latin letters:
        // a Korean message that names an English product is still Korean.
        let (ko, ar) = (hangul * 3, arabic * 2);
        if hangul >= 2 && ko >= latin && ko >= ar && hangul >= other {
            Some(Locale::Ko)
        } else if arabic >= 2 && ar >= latin && arabic >= other {
            Some(Locale::Ar)
        } else if latin >= 3 && hangul + arabic == 0 && latin >= other * 3 {
            Some(Locale::En)
        } else {
            None
        }
    }

    fn index(self) -> usize {
        match self {
            Locale::En => 0,
            Locale::Ko => 1,
            Locale::Ar => 2,
        }
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// The installation's default language (`default_locale` in the configuration).
static DEFAULT: AtomicU8 = AtomicU8::new(0);

pub fn set_default(locale: Locale) {
    DEFAULT.store(locale.index() as u8, Ordering::Relaxed);
}

pub fn default_locale() -> Locale {
    Locale::ALL[DEFAULT.load(Ordering::Relaxed) as usize % Locale::ALL.len()]
}

tokio::task_local! {
    static CURRENT: Cell<Locale>;
}

/// The language of the work being done: the request's, or the one [`with`] set; the
/// installation's default elsewhere.
pub fn current() -> Locale {
    CURRENT
        .try_with(|c| c.get())
        .unwrap_or_else(|_| default_locale())
}

/// Changes the language for the rest of the request (a logged-in agent's own choice). Does
/// nothing outside a request.
pub fn set_current(locale: Locale) {
    let _ = CURRENT.try_with(|c| c.set(locale));
}

/// Runs a request in `locale`.
pub async fn scope<F: std::future::Future>(locale: Locale, f: F) -> F::Output {
    CURRENT.scope(Cell::new(locale), f).await
}

/// Renders something (a mail to a customer) in `locale`.
pub fn with<R>(locale: Locale, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(Cell::new(locale), f)
}

/// The message files, per language; a new area of the product gets its own file.
macro_rules! resources {
    ($($file:literal),* $(,)?) => {
        [
            &[$(include_str!(concat!("../../locales/en/", $file, ".ftl"))),*],
            &[$(include_str!(concat!("../../locales/ko/", $file, ".ftl"))),*],
            &[$(include_str!(concat!("../../locales/ar/", $file, ".ftl"))),*],
        ]
    };
}

/// The message files' names (`locales/<tag>/<name>.ftl`).
pub const FILES: &[&str] = &[
    "common", "public", "mail", "agent", "admin", "reports", "search", "crm", "sla", "assign",
    "errors", "webhooks", "channels",
];

static SOURCES: [&[&str]; 3] = resources!(
    "common", "public", "mail", "agent", "admin", "reports", "search", "crm", "sla", "assign",
    "errors", "webhooks", "channels",
);

/// The sources of one language's messages, in [`FILES`] order.
pub fn sources(locale: Locale) -> &'static [&'static str] {
    SOURCES[locale.index()]
}

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<[Bundle; 3]> =
    LazyLock::new(|| Locale::ALL.map(|locale| bundle(locale).expect("the message files parse")));

/// One language's messages; an error names the file and what is wrong with it.
pub fn bundle(locale: Locale) -> Result<Bundle, String> {
    let id: unic_langid::LanguageIdentifier = locale
        .tag()
        .parse()
        .map_err(|e| format!("language tag {}: {e}", locale.tag()))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Marks around arguments keep a Latin name or a ticket number from reordering Arabic text;
    // in left-to-right languages they are only noise in mail.
    bundle.set_use_isolating(locale == Locale::Ar);
    for (file, source) in FILES.iter().zip(sources(locale)) {
        let resource = FluentResource::try_new(source.to_string())
            .map_err(|(_, errors)| format!("locales/{}/{file}.ftl: {errors:?}", locale.tag()))?;
        bundle.add_resource(resource).map_err(|errors| {
            format!(
                "locales/{}/{file}.ftl: {}",
                locale.tag(),
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
    }
    Ok(bundle)
}

/// A whole number for the reader, grouped by thousands. All three languages write the digits 0–9
/// (CLDR's default numbering system for `en`, `ko` and `ar` alike, and what the browser's `Intl`
/// formatting shows beside them on the same page).
pub fn number(n: i64) -> String {
    let plain = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(plain.len() + plain.len() / 3 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// A ticket status's name in the current language (`open` → "open", "처리 중", "مفتوحة").
pub fn status_name(status: &str) -> String {
    match status {
        "new" => crate::t!("status-new"),
        "open" => crate::t!("status-open"),
        "pending" => crate::t!("status-pending"),
        "solved" => crate::t!("status-solved"),
        "closed" => crate::t!("status-closed"),
        other => other.to_string(),
    }
}

/// A ticket priority's name in the current language.
pub fn priority_name(priority: &str) -> String {
    match priority {
        "low" => crate::t!("priority-low"),
        "normal" => crate::t!("priority-normal"),
        "high" => crate::t!("priority-high"),
        "urgent" => crate::t!("priority-urgent"),
        other => other.to_string(),
    }
}

/// A channel's name in the current language.
pub fn channel_name(channel: &str) -> String {
    match channel {
        "email" => crate::t!("channel-email"),
        "web" => crate::t!("channel-web"),
        "api" => crate::t!("channel-api"),
        "sms" => crate::t!("channel-sms"),
        "chat" => crate::t!("channel-chat"),
        "social" => crate::t!("channel-social"),
        other => other.to_string(),
    }
}

/// Stand-ins for markup in a message (private-use characters): the message is asked for with
/// `SLOT[i]` as an argument, and [`markup`] puts the `i`-th element (a link, a name in `bdi`, a
/// time) where the translation placed it, so each language keeps its own word order.
pub const SLOT: [&str; 4] = ["\u{E000}", "\u{E001}", "\u{E002}", "\u{E003}"];

/// `text` (a message rendered with [`SLOT`]s) with `parts[i]` in place of `SLOT[i]`; the rest is
/// escaped as usual.
pub fn markup(text: &str, parts: &[maud::Markup]) -> maud::Markup {
    let mut out = String::new();
    let mut plain = String::new();
    for c in text.chars() {
        let i = (c as u32).wrapping_sub(0xE000) as usize;
        if let Some(part) = parts.get(i) {
            out.push_str(&maud::html! { (plain) }.into_string());
            plain.clear();
            out.push_str(&part.0);
        } else {
            plain.push(c);
        }
    }
    out.push_str(&maud::html! { (plain) }.into_string());
    maud::PreEscaped(out)
}

/// A message argument.
pub struct Arg(FluentValue<'static>);

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg(FluentValue::from(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg(FluentValue::from(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg(FluentValue::from(v.clone()))
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => { $(impl From<$t> for Arg {
        fn from(v: $t) -> Self { Arg(FluentValue::from(v)) }
    })* };
}
number_arg!(i64, i32, u32, u64, usize, f64);
impl From<&i64> for Arg {
    fn from(v: &i64) -> Self {
        Arg(FluentValue::from(*v))
    }
}

/// Message `id` in the current language with `args`; a message missing in a language falls
/// back to English, and one missing everywhere shows its id (the tests keep both from happening).
pub fn text(id: &str, args: &[(&str, Arg)]) -> String {
    text_in(current(), id, args)
}

/// Message `id` in `locale`.
pub fn text_in(locale: Locale, id: &str, args: &[(&str, Arg)]) -> String {
    let fluent_args = (!args.is_empty()).then(|| {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.0.clone());
        }
        a
    });
    for l in [locale, Locale::En] {
        let bundle = &BUNDLES[l.index()];
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let out = bundle.format_pattern(pattern, fluent_args.as_ref(), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(
                    id,
                    locale = l.tag(),
                    ?errors,
                    "message formatted with errors"
                );
            }
            return out.into_owned();
        }
    }
    tracing::warn!(id, "no such message");
    id.to_string()
}

/// Whether `id` is a message in every language.
pub fn has(id: &str) -> bool {
    BUNDLES.iter().all(|b| b.has_message(id))
}

/// `t!("id")` or `t!("id", name = value, count = n)`: the message in the current language.
#[macro_export]
macro_rules! t {
    ($id:literal) => {
        $crate::i18n::text($id, &[])
    };
    ($id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::text($id, &[$((stringify!($k), $crate::i18n::Arg::from($v))),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_spoken_language() {
        assert_eq!(
            Locale::negotiate("ko-KR,ko;q=0.9,en;q=0.8"),
            Some(Locale::Ko)
        );
        assert_eq!(
            Locale::negotiate("fr-FR, ar;q=0.5, en;q=0.4"),
            Some(Locale::Ar)
        );
        assert_eq!(Locale::negotiate("en;q=0.2, ko;q=0.7"), Some(Locale::Ko));
        assert_eq!(Locale::negotiate("de, fr"), None);
        assert_eq!(Locale::negotiate("ar;q=0, en"), Some(Locale::En));
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn the_script_of_a_text_names_its_language() {
        assert_eq!(
            Locale::detect("주문한 노트북이 아직 도착하지 않았습니다"),
            Some(Locale::Ko)
        );
        assert_eq!(
            Locale::detect("MacBook Pro 배터리 교체 문의드립니다"),
            Some(Locale::Ko)
        );
        assert_eq!(
            Locale::detect("لم يصل طلبي بعد، رقم الطلب 1234"),
            Some(Locale::Ar)
        );
        assert_eq!(
            Locale::detect("My order has not arrived yet"),
            Some(Locale::En)
        );
        assert_eq!(Locale::detect("12345 !!"), None);
        assert_eq!(Locale::detect("注文がまだ届いていません"), None);
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(with(Locale::En, || number(1234567)), "1,234,567");
        assert_eq!(with(Locale::Ko, || number(-1234)), "-1,234");
        assert_eq!(with(Locale::Ar, || number(1234)), "1,234");
    }

    /// Message ids and the variables each one uses, per file, read straight from the sources.
    fn messages(source: &str) -> Vec<(String, std::collections::BTreeSet<String>)> {
        let var = regex::Regex::new(r"\$([a-zA-Z][a-zA-Z0-9_-]*)").unwrap();
        let id = regex::Regex::new(r"^([a-zA-Z][a-zA-Z0-9_-]*)\s*=").unwrap();
        let mut out: Vec<(String, std::collections::BTreeSet<String>)> = Vec::new();
        for line in source.lines() {
            if let Some(c) = id.captures(line) {
                out.push((c[1].to_string(), Default::default()));
            }
            if line.starts_with('#') {
                continue;
            }
            if let Some((_, vars)) = out.last_mut() {
                vars.extend(var.captures_iter(line).map(|c| c[1].to_string()));
            }
        }
        out
    }

    #[test]
    fn every_language_has_every_message_with_the_same_arguments() {
        let mut problems = Vec::new();
        for locale in Locale::ALL {
            if let Err(e) = bundle(locale) {
                problems.push(e);
            }
        }
        for (i, file) in FILES.iter().enumerate() {
            let english: std::collections::BTreeMap<_, _> =
                messages(sources(Locale::En)[i]).into_iter().collect();
            for locale in [Locale::Ko, Locale::Ar] {
                let other = messages(sources(locale)[i]);
                let mut seen = std::collections::BTreeSet::new();
                for (id, vars) in &other {
                    if !seen.insert(id.clone()) {
                        problems.push(format!("{locale}/{file}.ftl: {id} twice"));
                    }
                    match english.get(id) {
                        None => problems.push(format!("{locale}/{file}.ftl: {id} is not in en")),
                        Some(en_vars) if !vars.is_subset(en_vars) => problems.push(format!(
                            "{locale}/{file}.ftl: {id} uses {:?}, English gives {:?}",
                            vars.difference(en_vars).collect::<Vec<_>>(),
                            en_vars
                        )),
                        _ => {}
                    }
                }
                for id in english.keys() {
                    if !seen.contains(id) {
                        problems.push(format!("{locale}/{file}.ftl: {id} is missing"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Numbers in Arabic messages use the digits 0–9, as [`number`] and the browser's dates
    /// beside them do (CLDR's default for `ar`), never Arabic-Indic digits in one sentence and
    /// Western ones in the next.
    #[test]
    fn arabic_messages_write_the_digits_numbers_use() {
        for (file, source) in FILES.iter().zip(sources(Locale::Ar)) {
            for line in source.lines().filter(|l| !l.starts_with('#')) {
                assert!(
                    !line.chars().any(|c| ('\u{0660}'..='\u{0669}').contains(&c)),
                    "locales/ar/{file}.ftl: {line}"
                );
            }
        }
    }

    /// Every `t!("id")` in the code names a message (a typo would show the id to users).
    #[test]
    fn every_message_the_code_asks_for_exists() {
        let call = regex::Regex::new(r#"\b(?:t|note)!\(\s*"([^"]+)""#).unwrap();
        let lookup = regex::Regex::new(r#"\btext_in\([^,"]*,\s*"([^"]+)""#).unwrap();
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                // This module's own examples and macro are not lookups.
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("i18n/mod.rs") {
                    continue;
                }
                let code = std::fs::read_to_string(&path).unwrap();
                for c in call.captures_iter(&code).chain(lookup.captures_iter(&code)) {
                    if !has(&c[1]) {
                        missing.push(format!("{}: {}", path.display(), &c[1]));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no such message:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let forms = |locale| {
            [0, 1, 2, 3, 11, 100]
                .map(|n| text_in(locale, "count-tickets", &[("count", Arg::from(n))]))
        };
        assert_eq!(
            forms(Locale::En),
            [
                "0 tickets",
                "1 ticket",
                "2 tickets",
                "3 tickets",
                "11 tickets",
                "100 tickets"
            ]
        );
        // Korean has one form.
        assert_eq!(forms(Locale::Ko)[1], "티켓 1개");
        assert_eq!(forms(Locale::Ko)[3], "티켓 3개");
        // Arabic has six: zero, one, two, few (3–10), many (11–99), other (100…).
        let ar = forms(Locale::Ar);
        let distinct: std::collections::BTreeSet<_> = ar.iter().collect();
        assert_eq!(distinct.len(), 6, "{ar:?}");
        assert_eq!(ar[1], "تذكرة واحدة");
        assert!(ar[3].contains('3') && ar[3].contains("تذاكر"), "{}", ar[3]);
        assert!(ar[4].contains("11") && ar[4].contains("تذكرة"), "{}", ar[4]);
    }
}
