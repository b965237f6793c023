//! Inbound email, as plain data: MIME parsing, HTML sanitizing, reply trimming, bounce and
//! auto-reply detection, and ticket tokens. Pure functions (no database, no network) that the
//! IMAP intake calls before it builds a `NewInbound`.

pub mod authres;
mod classify;
mod html;
mod parse;
mod reply;
mod tokens;

pub use classify::{MailFacts, classify};
pub use html::{html_to_text, sanitize_html};
pub use parse::parse;
pub use reply::{forwarded_part, visible_reply};
pub use tokens::{
    TicketRef, new_reply_secret, ticket_tag, ticket_token_from_address, ticket_token_from_subject,
};

/// One inbound message, decoded. Built by [`parse`]; every field has a usable value even when
/// the message was malformed (missing headers become `None` or empty, never an error).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEmail {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// Lower-cased address of the first From mailbox.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// Lower-cased address of the first Reply-To mailbox.
    pub reply_to: Option<String>,
    /// Lower-cased To addresses (groups flattened, duplicates removed).
    pub to: Vec<String>,
    /// Lower-cased Cc addresses (groups flattened, duplicates removed).
    pub cc: Vec<String>,
    /// Decoded subject (encoded words and raw legacy-charset bytes); empty when absent.
    pub subject: String,
    /// Date header as Unix milliseconds, when it parses to a plausible date.
    pub date_ms: Option<i64>,
    /// The whole plain-text body: the text/plain parts, or the HTML turned into text when the
    /// message has no (non-blank) text part.
    pub text: String,
    /// The HTML body sanitized for display (see [`sanitize_html`]); `None` without an HTML part.
    pub html: Option<String>,
    /// What the sender newly wrote: `text` with quoted history and signatures removed. Can be
    /// empty (a reply that only quotes); callers should then show `text`.
    pub visible_text: String,
    pub attachments: Vec<ParsedAttachment>,
    pub kind: MailKind,
    /// SHA-256 of the raw bytes, lower-case hex: dedupes mail without a Message-ID or with a
    /// reused one.
    pub content_hash: String,
    pub raw_size: usize,
    /// Every `Authentication-Results` header, topmost (added last) first.
    pub auth_results: Vec<String>,
    /// Things that were repaired or left out while parsing (an attachment over the size limit,
    /// a body without headers), in plain words for an admin.
    pub warnings: Vec<String>,
}

/// A MIME part that is not the message body: a file, an inline image, a forwarded message, the
/// machine-readable part of a bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    /// File name with any directory part and control characters removed.
    pub filename: Option<String>,
    /// Lower-case `type/subtype`.
    pub content_type: String,
    /// Decoded bytes; empty when `content_omitted` is set.
    pub content: Vec<u8>,
    /// Decoded size in bytes, also when the content was left out.
    pub size: usize,
    /// The content was larger than [`Limits::max_attachment_bytes`] and was not kept; the raw
    /// message still has it.
    pub content_omitted: bool,
    /// Shown inline (Content-Disposition inline, or an image inside multipart/related).
    pub inline: bool,
    /// Content-ID without angle brackets, for `cid:` references from the HTML.
    pub content_id: Option<String>,
}

/// What kind of mail this is, for loop prevention: only `Normal` mail gets an automatic
/// acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// Written by a person (as far as headers and subject tell).
    Normal,
    /// Machine-sent on someone's behalf: vacation notices, RFC 3834 `Auto-Submitted`, bulk
    /// senders (`Precedence: bulk` without a list one can post to), delivery-delay warnings.
    AutoReply { reason: String },
    /// A person writing through a mailing list or group (`List-Id`, `Precedence: list`): a
    /// customer message, but never acknowledged (the list would get the acknowledgement).
    ListMessage { list_id: Option<String> },
    /// A read receipt (RFC 8098 message disposition notification) for a message we sent.
    Receipt {
        /// Message-ID (without brackets) of the message that was read, when it is named.
        original_message_id: Option<String>,
        /// `displayed`, `deleted`, … as the receipt says.
        disposition: Option<String>,
    },
    /// A delivery failure report about a message we sent.
    Bounce {
        /// Message-ID (without brackets) of the message that failed, when the report names it.
        original_message_id: Option<String>,
        /// Lower-cased address that could not be reached.
        recipient: Option<String>,
        /// Enhanced status code such as `5.1.1`, when given.
        status: Option<String>,
    },
    /// An abuse/spam complaint in the Abuse Reporting Format (RFC 5965): a recipient marked our
    /// mail as spam. Not a bounce and not an auto-reply, but never acknowledged either.
    FeedbackReport {
        feedback_type: Option<String>,
        original_message_id: Option<String>,
    },
}

impl MailKind {
    /// True for everything that must not get an automatic answer.
    pub fn is_automated(&self) -> bool {
        !matches!(self, MailKind::Normal)
    }

    /// True for mail a person wrote (possibly through a list): it becomes a customer message.
    pub fn is_from_a_person(&self) -> bool {
        matches!(self, MailKind::Normal | MailKind::ListMessage { .. })
    }
}

/// Why a message could not be parsed at all. Everything else parses, with warnings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("not an email message: {0}")]
    NotAMessage(String),
    #[error("the message is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
}

impl ParseError {
    /// Stable reason code for the quarantine list and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty | ParseError::NotAMessage(_) => "parse_error",
            ParseError::TooLarge { .. } => "too_large",
        }
    }
}

/// Size limits applied by [`parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A raw message above this is refused with [`ParseError::TooLarge`].
    pub max_message_bytes: usize,
    /// An attachment above this keeps its metadata but not its content (see
    /// [`ParsedAttachment::content_omitted`]).
    pub max_attachment_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 50 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
        }
    }
}
