//! Pure domain types and rules: ticket states and transitions, priorities, channels, the clock.

pub mod clock;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a string-backed enum with `as_str`, `FromStr`, `Display`, serde and `ALL`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        /// For text columns read straight into the type (`#[sqlx(try_from = "String")]`).
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where a ticket stands. `new → open → pending → solved → closed`.
    Status { New => "new", Open => "open", Pending => "pending", Solved => "solved", Closed => "closed" }
);
string_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
string_enum!(
    /// Where a ticket came from: the web form, email, the API, or a connected gateway's SMS,
    /// chat or social messages.
    Channel { Web => "web", Email => "email", Api => "api", Sms => "sms", Chat => "chat", Social => "social" }
);
string_enum!(Role { Agent => "agent", Lead => "lead", Admin => "admin" });
string_enum!(Visibility { Public => "public", Internal => "internal" });
string_enum!(AuthorKind { Customer => "customer", Agent => "agent", System => "system" });

impl Status {
    /// Whether an agent (or the API) may move a ticket from `self` to `to`.
    /// Staying in the same status is always allowed and changes nothing.
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        self == to
            || matches!(
                (self, to),
                (New, Open | Pending | Solved)
                    | (Open, Pending | Solved)
                    | (Pending, Open | Solved)
                    | (Solved, Open | Closed)
            )
    }

    /// Open work: everything not yet solved or closed.
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending)
    }

    /// What a customer's new message does to a ticket in this status.
    pub fn on_customer_message(self) -> CustomerMessageEffect {
        match self {
            Status::New | Status::Open => CustomerMessageEffect::Stay,
            Status::Pending | Status::Solved => CustomerMessageEffect::MoveTo(Status::Open),
            Status::Closed => CustomerMessageEffect::FollowUp,
        }
    }
}

/// The effect of a customer writing in on an existing ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerMessageEffect {
    Stay,
    MoveTo(Status),
    /// Closed tickets are never reopened: the message starts a follow-up ticket.
    FollowUp,
}

/// Text from outside (email, forms) made safe to store and to put in mail headers: NUL, which
/// PostgreSQL cannot store, becomes U+FFFD.
pub fn without_nul(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s.to_string()
    }
}

/// A one-line value (a name, an id): control characters become spaces, runs of space collapse.
pub fn single_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Role {
    pub fn is_lead_or_admin(self) -> bool {
        matches!(self, Role::Lead | Role::Admin)
    }
}

/// A syntactically plausible, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The address, or why it is not one (in the current language).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(t!("error-email-required"));
        }
        if s.len() > 254 {
            return Err(t!("error-email-too-long", max = 254));
        }
        let (local, domain) = s
            .rsplit_once('@')
            .ok_or_else(|| t!("error-email-invalid"))?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
        if !ok {
            return Err(t!("error-email-invalid"));
        }
        Ok(EmailAddress(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_lifecycle() {
        use Status::*;
        assert!(New.can_move_to(Open));
        assert!(Open.can_move_to(Pending));
        assert!(Pending.can_move_to(Solved));
        assert!(Solved.can_move_to(Closed));
        assert!(Solved.can_move_to(Open));
        assert!(!New.can_move_to(Closed));
        assert!(!Open.can_move_to(New));
        assert!(!Closed.can_move_to(Open));
        assert!(!Pending.can_move_to(Closed));
        for s in Status::ALL {
            assert!(s.can_move_to(*s));
        }
    }

    #[test]
    fn customer_reply_reopens() {
        assert_eq!(
            Status::Solved.on_customer_message(),
            CustomerMessageEffect::MoveTo(Status::Open)
        );
        assert_eq!(
            Status::Pending.on_customer_message(),
            CustomerMessageEffect::MoveTo(Status::Open)
        );
        assert_eq!(
            Status::Closed.on_customer_message(),
            CustomerMessageEffect::FollowUp
        );
        assert_eq!(
            Status::New.on_customer_message(),
            CustomerMessageEffect::Stay
        );
    }

    #[test]
    fn email_parsing() {
        assert_eq!(
            EmailAddress::parse(" Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "ana@x",
            "a b@x.com",
            "a@x..com",
            "<a@x.com>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse("정민@예시.한국").is_ok());
    }

    #[test]
    fn enums_round_trip() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), *p);
        }
        assert!(
            "huge"
                .parse::<Priority>()
                .unwrap_err()
                .contains("low, normal, high, urgent")
        );
    }
}
