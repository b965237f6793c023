//! The agent's own settings: the language Casebook speaks to them.

use super::layout::{Frame, page};
use crate::auth::AgentRef;
use crate::i18n::Locale;
use maud::{Markup, html};

/// `/account/language`: the agent's language, or their browser's (`browser`).
pub fn language(agent: &AgentRef, csrf: &str, browser: Locale, saved: bool) -> Markup {
    let title = t!("account-language-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                @if saved { p.flash role="status" { (t!("account-language-saved")) } }
                p { (t!("account-language-intro")) }
                form method="post" action="/account/language" {
                    input type="hidden" name="csrf" value=(csrf);
                    fieldset {
                        legend { (t!("account-language-label")) }
                        label.check {
                            input type="radio" name="locale" value="" checked[agent.locale.is_none()];
                            (t!("account-language-browser", language = browser.native_name()))
                        }
                        @for locale in Locale::ALL {
                            label.check lang=(locale.tag()) dir=(locale.dir()) {
                                input type="radio" name="locale" value=(locale.tag()) checked[agent.locale == Some(locale)];
                                (locale.native_name())
                            }
                        }
                    }
                    button type="submit" { (t!("button-save")) }
                }
            }
        },
    )
}
