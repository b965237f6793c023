//! Messages kept for later. A text recorded when something happens — why a ticket went to a
//! team and an agent, how an email found its ticket — is read long after, by people who each
//! read their own language. A [`Note`] stores the message's id and arguments (as JSON beside the
//! English text the API and the audit log keep), and is rendered in the reader's language.
//!
//! Arguments are names and numbers as recorded, other notes (a sentence built from parts), lists
//! (joined the reader's way) and sequences (parts written one after the other).

use super::{Arg, Locale};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message and its arguments, rendered when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Part>,
}

/// One argument of a [`Note`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Part {
    Number(i64),
    Text(String),
    Note(Box<Note>),
    /// Parts joined with the language's list separator ("a, b", "أ، ب").
    List(Vec<Part>),
    /// Parts written one after the other (optional clauses of a sentence).
    Seq {
        seq: Vec<Part>,
    },
}

impl Part {
    /// Nothing (an optional clause that does not apply).
    pub fn empty() -> Part {
        Part::Text(String::new())
    }

    /// Parts written one after the other.
    pub fn seq(parts: Vec<Part>) -> Part {
        Part::Seq { seq: parts }
    }

    fn render_in(&self, locale: Locale) -> Arg {
        match self {
            Part::Number(n) => Arg::from(*n),
            other => Arg::from(other.plain_in(locale)),
        }
    }

    fn plain_in(&self, locale: Locale) -> String {
        match self {
            Part::Number(n) => n.to_string(),
            Part::Text(s) => s.clone(),
            Part::Note(n) => n.render_in(locale),
            Part::List(items) => {
                let separator = super::text_in(locale, "list-separator", &[]);
                let items: Vec<String> = items.iter().map(|p| p.plain_in(locale)).collect();
                items.join(&separator)
            }
            Part::Seq { seq } => seq.iter().map(|p| p.plain_in(locale)).collect(),
        }
    }
}

impl From<Note> for Part {
    fn from(n: Note) -> Self {
        Part::Note(Box::new(n))
    }
}
impl From<&str> for Part {
    fn from(s: &str) -> Self {
        Part::Text(s.to_string())
    }
}
impl From<String> for Part {
    fn from(s: String) -> Self {
        Part::Text(s)
    }
}
impl From<&String> for Part {
    fn from(s: &String) -> Self {
        Part::Text(s.clone())
    }
}
impl From<i64> for Part {
    fn from(n: i64) -> Self {
        Part::Number(n)
    }
}
impl From<usize> for Part {
    fn from(n: usize) -> Self {
        Part::Number(n as i64)
    }
}
impl From<Vec<Part>> for Part {
    fn from(items: Vec<Part>) -> Self {
        Part::List(items)
    }
}
impl From<Option<Note>> for Part {
    fn from(n: Option<Note>) -> Self {
        n.map(Part::from).unwrap_or_else(Part::empty)
    }
}

impl Note {
    pub fn new(id: &str) -> Note {
        Note {
            id: id.to_string(),
            args: BTreeMap::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl Into<Part>) -> Note {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// The note in `locale`.
    pub fn render_in(&self, locale: Locale) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.render_in(locale)))
            .collect();
        super::text_in(locale, &self.id, &args)
    }

    /// The note in the current language.
    pub fn render(&self) -> String {
        self.render_in(super::current())
    }

    /// The note in English: the text kept beside it for the API and the audit log.
    pub fn english(&self) -> String {
        self.render_in(Locale::En)
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored note; `None` for nothing stored or a note this version cannot read (the English
    /// text stored beside it is shown instead).
    pub fn from_json(stored: Option<&str>) -> Option<Note> {
        serde_json::from_str(stored?).ok()
    }

    /// The stored note in the current language, or the stored English text without one.
    pub fn render_stored(note: Option<&Note>, english: Option<&str>) -> Option<String> {
        note.map(Note::render)
            .or_else(|| english.map(str::to_string))
    }
}

/// `note!(<message id>, name = value)`: a [`Note`] to store and render later (the ids are checked like
/// [`t!`](crate::t)'s).
#[macro_export]
macro_rules! note {
    ($id:literal) => {
        $crate::i18n::Note::new($id)
    };
    ($id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::Note::new($id)$(.arg(stringify!($k), $v))+
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_renders_in_each_language_and_survives_storage() {
        let n = crate::note!(
            "assign-why-waiting-unassigned",
            routing = crate::note!(
                "assign-route-no-rule",
                target = crate::note!("assign-target-unassigned")
            )
        );
        let stored = Note::from_json(Some(&n.to_json())).unwrap();
        assert_eq!(stored, n);
        assert_eq!(
            n.english(),
            "Waiting in Unassigned: no rule matched → Unassigned (no default team)"
        );
        let ko = n.render_in(Locale::Ko);
        assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{ko}");
        let ar = n.render_in(Locale::Ar);
        assert!(
            ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{ar}"
        );
        assert_eq!(Note::from_json(Some("not json")), None);
        assert_eq!(Note::from_json(None), None);
    }

    #[test]
    fn lists_use_the_languages_separator() {
        let n = crate::note!(
            "assign-route-tags",
            tags = vec![Part::from("a"), Part::from("b")]
        );
        assert_eq!(n.english(), "; tags a, b");
        assert!(
            n.render_in(Locale::Ar).contains("a، b"),
            "{}",
            n.render_in(Locale::Ar)
        );
    }
}
