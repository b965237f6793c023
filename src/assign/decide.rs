//! The assignment choice as plain functions over plain data: routing rules in order pick a team
//! (and priority, tags, a required skill), then the skill match and the load-aware round-robin
//! pick an agent of that team — and every step is put into words for the audit log.

use crate::customers::crm::CustomerAttributes;
use crate::domain::Priority;
use crate::i18n::{Note, Part};
use serde::{Deserialize, Serialize};

/// What a routing rule asks of a ticket. Every condition given must hold; a list holds when any
/// of its values matches. An empty condition set matches every ticket.
#[derive(utoipa::ToSchema, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Conditions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channel: Vec<String>,
    /// The IMAP mailbox (or address) the email arrived in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mailbox: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segment: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vip: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<bool>,
    /// Words looked for (case-insensitively) in the subject and the first message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<String>,
}

impl Conditions {
    /// Whether any condition needs the customer's CRM attributes.
    pub fn uses_customer(&self) -> bool {
        !self.plan.is_empty()
            || !self.segment.is_empty()
            || self.vip.is_some()
            || self.at_risk.is_some()
    }

    /// Lower-cases and trims the values, drops empty ones, and checks the closed sets.
    /// The error names the field (`conditions.channel`, …).
    pub fn normalize(mut self) -> Result<Conditions, (String, String)> {
        fn clean(field: &str, v: Vec<String>) -> Result<Vec<String>, (String, String)> {
            let mut out: Vec<String> = Vec::new();
            for s in v {
                let s = s.trim().to_lowercase();
                if s.is_empty() {
                    continue;
                }
                if s.chars().count() > 200 || s.chars().any(char::is_control) {
                    return Err((
                        format!("conditions.{field}"),
                        "values must be single lines of 200 characters at most".into(),
                    ));
                }
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            if out.len() > 100 {
                return Err((format!("conditions.{field}"), "at most 100 values".into()));
            }
            Ok(out)
        }
        self.channel = clean("channel", self.channel)?;
        for c in &self.channel {
            c.parse::<crate::domain::Channel>()
                .map_err(|e| ("conditions.channel".to_string(), e))?;
        }
        self.mailbox = clean("mailbox", self.mailbox)?;
        self.plan = clean("plan", self.plan)?;
        self.segment = clean("segment", self.segment)?;
        self.keywords = clean("keywords", self.keywords)?;
        self.priority = clean("priority", self.priority)?;
        for p in &self.priority {
            p.parse::<Priority>()
                .map_err(|e| ("conditions.priority".to_string(), e))?;
        }
        Ok(self)
    }

    /// Whether a ticket meets every condition.
    pub fn matches(&self, t: &TicketFacts) -> bool {
        let any = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
        };
        let customer = t.customer.as_ref();
        if !any(&self.channel, Some(&t.channel))
            || !any(&self.mailbox, t.mailbox.as_deref())
            || !any(&self.priority, Some(t.priority.as_str()))
            || !any(&self.plan, customer.and_then(|c| c.plan.as_deref()))
            || !any(&self.segment, customer.and_then(|c| c.segment.as_deref()))
        {
            return false;
        }
        if let Some(vip) = self.vip
            && customer.map(|c| c.vip).unwrap_or(false) != vip
        {
            return false;
        }
        if let Some(at_risk) = self.at_risk
            && customer.map(|c| c.at_risk).unwrap_or(false) != at_risk
        {
            return false;
        }
        self.keywords.is_empty() || self.matched_keyword(t).is_some()
    }

    /// The first keyword found in the subject or the first message, as a word (see
    /// [`keyword_in`]).
    pub fn matched_keyword(&self, t: &TicketFacts) -> Option<&str> {
        let subject = t.subject.to_lowercase();
        let body = t.body.to_lowercase();
        self.keywords
            .iter()
            .find(|k| keyword_in(k, &subject) || keyword_in(k, &body))
            .map(String::as_str)
    }
}

/// Whether `keyword` (lower case) occurs in `text` (lower case) as a word, not inside another
/// one: "app" is not in "appears". Words may carry their grammar: English plural and tense
/// endings ("refunds", "refunded"), Korean particles after the word ("결제가", "결제를"), Arabic
/// prefixes and suffixes ("والفاتورة", "فاتورتي" for "فاتورة"). In Chinese and Japanese, which
/// do not separate words, any occurrence counts.
pub fn keyword_in(keyword: &str, text: &str) -> bool {
    let keyword = keyword.trim();
    let Some(first) = keyword.chars().next() else {
        return false;
    };
    let last = keyword.chars().last().unwrap_or(first);
    if is_unspaced(first) || is_unspaced(last) {
        return text.contains(keyword);
    }
    let mut from = 0;
    while let Some(pos) = text[from..].find(keyword) {
        let start = from + pos;
        let end = start + keyword.len();
        let before = &text[..start];
        let after = &text[end..];
        if word_starts(before, first) && word_ends(after, last) {
            return true;
        }
        from = start + first.len_utf8();
    }
    false
}

/// Han, kana: scripts written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The word before the keyword ends here, or only an Arabic prefix (و, ف, ب, ل, ك, ال and their
/// combinations) stands between.
fn word_starts(before: &str, first: char) -> bool {
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if word.is_empty() {
        return true;
    }
    const ARABIC_PREFIXES: [&str; 12] = [
        "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل",
    ];
    is_arabic(first) && ARABIC_PREFIXES.contains(&word.as_str())
}

/// The keyword's word ends here, or only an ending of its language follows.
fn word_ends(after: &str, last: char) -> bool {
    let rest: String = after.chars().take_while(|c| c.is_alphanumeric()).collect();
    if rest.is_empty() {
        return true;
    }
    if is_hangul(last) {
        // Korean particles and endings attach to the word: 결제가, 결제를, 결제는요.
        return rest.chars().all(is_hangul) && rest.chars().count() <= 4;
    }
    if is_arabic(last) {
        const ARABIC_SUFFIXES: [&str; 16] = [
            "ه", "ها", "هم", "هن", "هما", "ك", "كم", "ي", "نا", "ات", "ون", "ين", "ان", "ة", "تي",
            "تك",
        ];
        return ARABIC_SUFFIXES.contains(&rest.as_str());
    }
    const ENGLISH_ENDINGS: [&str; 6] = ["s", "es", "ed", "d", "ing", "ies"];
    ENGLISH_ENDINGS.contains(&rest.as_str())
}

/// The facts of a ticket that routing rules look at.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub channel: String,
    pub mailbox: Option<String>,
    pub subject: String,
    /// The first message.
    pub body: String,
    pub priority: Priority,
    /// CRM attributes, when some rule asks about the customer.
    pub customer: Option<CustomerAttributes>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub conditions: Conditions,
    pub team_id: Option<i64>,
    pub set_priority: Option<Priority>,
    pub tags: Vec<String>,
    pub required_skill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub is_default: bool,
}

/// Where routing sends a ticket and what else it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub rule: Option<(i64, String)>,
    pub team: Option<Team>,
    pub set_priority: Option<Priority>,
    pub tags: Vec<String>,
    pub required_skill: Option<String>,
    /// Why routing could not follow the rule (its team was deleted or deactivated).
    pub fallback: Option<Note>,
    /// The keyword that made the rule match, when it has keywords.
    pub keyword: Option<String>,
}

impl Routing {
    /// "rule 'Billing' → team Billing; priority high; tags billing", in English.
    pub fn describe(&self) -> String {
        self.note().english()
    }

    /// Where routing sent the ticket and why, rendered in each reader's language.
    pub fn note(&self) -> Note {
        let target = match &self.team {
            Some(t)
                if t.is_default && self.rule.as_ref().is_none_or(|_| self.fallback.is_some()) =>
            {
                note!("assign-target-default", team = &t.name)
            }
            Some(t) => note!("assign-target-team", team = &t.name),
            None => note!("assign-target-unassigned"),
        };
        let keyword = self
            .keyword
            .as_ref()
            .map(|k| note!("assign-route-keyword", keyword = k));
        let main = match (&self.rule, &self.fallback) {
            (Some((_, name)), Some(why)) => note!(
                "assign-route-rule-fallback",
                rule = name,
                keyword = keyword,
                why = why.clone(),
                target = target
            ),
            (Some((_, name)), None) => note!(
                "assign-route-rule",
                rule = name,
                keyword = keyword,
                target = target
            ),
            (None, _) => note!("assign-route-no-rule", target = target),
        };
        let mut details = Vec::new();
        if let Some(p) = self.set_priority {
            details.push(Part::from(note!(
                "assign-route-priority",
                priority = Note::new(&format!("priority-{p}"))
            )));
        }
        if !self.tags.is_empty() {
            let tags: Vec<Part> = self.tags.iter().map(Part::from).collect();
            details.push(note!("assign-route-tags", tags = tags).into());
        }
        if let Some(s) = &self.required_skill {
            details.push(note!("assign-route-skill", skill = s).into());
        }
        note!("assign-routing", route = main, details = Part::seq(details))
    }
}

/// Applies the first matching rule (rules come in order, active ones only). A rule whose team is
/// gone or inactive fails safe: the ticket goes to the default team, or stays unassigned.
pub fn route(t: &TicketFacts, rules: &[Rule], teams: &[Team]) -> Routing {
    let default_team = teams.iter().find(|t| t.is_default && t.active).cloned();
    let Some(rule) = rules.iter().find(|r| r.conditions.matches(t)) else {
        return Routing {
            rule: None,
            team: default_team,
            set_priority: None,
            tags: Vec::new(),
            required_skill: None,
            fallback: None,
            keyword: None,
        };
    };
    let (team, fallback) = match rule.team_id {
        None => (default_team, Some(note!("assign-fallback-no-team"))),
        Some(id) => match teams.iter().find(|x| x.id == id) {
            Some(x) if x.active => (Some(x.clone()), None),
            Some(x) => (
                default_team,
                Some(note!("assign-fallback-inactive", team = &x.name)),
            ),
            None => (
                default_team,
                Some(note!("assign-fallback-gone", id = id.to_string())),
            ),
        },
    };
    Routing {
        rule: Some((rule.id, rule.name.clone())),
        team,
        set_priority: rule.set_priority.filter(|p| *p != t.priority),
        tags: rule.tags.clone(),
        required_skill: rule.required_skill.clone(),
        fallback,
        keyword: rule.conditions.matched_keyword(t).map(str::to_string),
    }
}

/// A team member as the round-robin sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent_id: i64,
    pub name: String,
    /// `online`, `away` or `off`.
    pub availability: String,
    pub capacity: i64,
    /// Tickets assigned to them that are new, open or pending.
    pub open: i64,
    pub last_assigned_at: Option<i64>,
    pub skills: Vec<String>,
}

/// The outcome of the skill match and round-robin within one team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub chosen: Option<Candidate>,
    /// Eligible agents (online, under capacity, skilled where needed), best first.
    pub available: Vec<Candidate>,
    /// Members who were not eligible, with the reason ("away", "at capacity 5/5").
    pub unavailable: Vec<(String, Note)>,
    pub skill_note: Option<Note>,
    /// The chosen agent shared the lowest load with others and won on the longest wait.
    pub tie: bool,
}

/// Picks an agent among the active members of a team: those with the required skill (when any
/// member has it), online and under capacity; fewest open tickets first, ties broken by the
/// longest time since their last assignment (never assigned counts as longest), then by id.
pub fn choose(members: &[Candidate], skill: Option<&str>, exclude: Option<i64>) -> Choice {
    let mut pool: Vec<&Candidate> = members.iter().collect();
    let mut skill_note = None;
    if let Some(skill) = skill {
        let skilled: Vec<&Candidate> = pool
            .iter()
            .copied()
            .filter(|c| c.skills.iter().any(|s| s.eq_ignore_ascii_case(skill)))
            .collect();
        if skilled.is_empty() {
            skill_note = Some(note!("assign-skill-nobody", skill = skill));
        } else {
            skill_note = Some(note!(
                "assign-skill-some",
                count = skilled.len(),
                total = pool.len(),
                skill = skill
            ));
            pool = skilled;
        }
    }
    let mut available = Vec::new();
    let mut unavailable = Vec::new();
    for c in pool {
        let reason = if exclude == Some(c.agent_id) {
            Some(note!("assign-unavailable-unassigned"))
        } else if c.availability != "online" {
            Some(availability(&c.availability))
        } else if c.open > c.capacity {
            // Counted only up to one past the capacity.
            Some(note!("assign-unavailable-over", capacity = c.capacity))
        } else if c.open >= c.capacity {
            Some(note!(
                "assign-unavailable-full",
                open = c.open,
                capacity = c.capacity
            ))
        } else {
            None
        };
        match reason {
            Some(r) => unavailable.push((c.name.clone(), r)),
            None => available.push(c.clone()),
        }
    }
    available.sort_by_key(|c| (c.open, c.last_assigned_at.unwrap_or(i64::MIN), c.agent_id));
    let tie = available.len() > 1 && available[0].open == available[1].open;
    Choice {
        chosen: available.first().cloned(),
        available,
        unavailable,
        skill_note,
        tie,
    }
}

/// An agent's availability as a reason they were passed over ("away").
fn availability(state: &str) -> Note {
    match state {
        "away" | "off" | "online" => Note::new(&format!("assign-availability-{state}")),
        "off hours" => note!("assign-availability-off-hours"),
        other => note!("assign-availability-other", state = other),
    }
}

/// The sentence recorded in the audit log and shown beside the assignee, e.g.
/// "Assigned to Dana: rule 'Billing' → team Billing; 3 available; Dana had 2 open, fewest".
pub fn explain(routing: impl Into<Part>, team: Option<&str>, choice: Option<&Choice>) -> Note {
    let routing = routing.into();
    let Some(team) = team else {
        return note!("assign-why-waiting-unassigned", routing = routing);
    };
    let Some(choice) = choice else {
        return note!("assign-why-waiting-team", team = team, routing = routing);
    };
    let skill = choice
        .skill_note
        .clone()
        .map(|s| note!("assign-why-skill", skill = s));
    let unavailable = (!choice.unavailable.is_empty()).then(|| {
        let list: Vec<Part> = choice
            .unavailable
            .iter()
            .map(|(n, r)| note!("assign-unavailable-agent", name = n, reason = r.clone()).into())
            .collect();
        note!("assign-why-unavailable", list = list)
    });
    match &choice.chosen {
        None if choice.unavailable.is_empty() => note!(
            "assign-why-no-members",
            team = team,
            routing = routing,
            skill = skill
        ),
        None => note!(
            "assign-why-nobody",
            team = team,
            routing = routing,
            skill = skill,
            unavailable = unavailable
        ),
        Some(c) => {
            let load = if choice.available.len() == 1 {
                note!("assign-load-only", name = &c.name, open = c.open)
            } else if choice.tie {
                let others: Vec<Part> = choice
                    .available
                    .iter()
                    .skip(1)
                    .filter(|o| o.open == c.open)
                    .map(|o| Part::from(&o.name))
                    .collect();
                note!(
                    "assign-load-tie",
                    name = &c.name,
                    open = c.open,
                    others = others
                )
            } else {
                note!("assign-load-fewest", name = &c.name, open = c.open)
            };
            let loads: Vec<Part> = choice
                .available
                .iter()
                .map(|o| {
                    note!(
                        "assign-load-of",
                        name = &o.name,
                        open = o.open,
                        capacity = o.capacity
                    )
                    .into()
                })
                .collect();
            note!(
                "assign-why-assigned",
                name = &c.name,
                routing = routing,
                skill = skill,
                count = choice.available.len(),
                load = load,
                loads = loads,
                unavailable = unavailable
            )
        }
    }
}

#[cfg(test)]
mod tests;
