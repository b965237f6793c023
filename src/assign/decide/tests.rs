use super::*;

fn facts(channel: &str, subject: &str, body: &str, priority: Priority) -> TicketFacts {
    TicketFacts {
        channel: channel.into(),
        mailbox: None,
        subject: subject.into(),
        body: body.into(),
        priority,
        customer: None,
    }
}

fn team(id: i64, name: &str, active: bool, is_default: bool) -> Team {
    Team {
        id,
        name: name.into(),
        active,
        is_default,
    }
}

fn rule(id: i64, name: &str, conditions: Conditions, team_id: Option<i64>) -> Rule {
    Rule {
        id,
        name: name.into(),
        conditions,
        team_id,
        set_priority: None,
        tags: vec![],
        required_skill: None,
    }
}

fn cand(id: i64, name: &str, avail: &str, open: i64, cap: i64, last: Option<i64>) -> Candidate {
    Candidate {
        agent_id: id,
        name: name.into(),
        availability: avail.into(),
        capacity: cap,
        open,
        last_assigned_at: last,
        skills: vec![],
    }
}

fn attrs(
    plan: Option<&str>,
    segment: Option<&str>,
    vip: bool,
    at_risk: bool,
) -> CustomerAttributes {
    CustomerAttributes {
        plan: plan.map(String::from),
        segment: segment.map(String::from),
        vip,
        at_risk,
        risk_codes: vec![],
    }
}

#[test]
fn keywords_are_words() {
    for (keyword, text, found) in [
        ("app", "the page appears blank", false),
        ("app", "the app crashes", true),
        ("app", "your app's login", true),
        ("refund", "i want refunds for both", true),
        ("refund", "refunded twice?", true),
        ("refund", "nonrefundable ticket", false),
        ("credit card", "my credit card was declined", true),
        ("credit card", "credit cardholder", false),
        ("결제", "결제가 안 돼요", true),
        ("결제", "결제를 취소하고 싶어요", true),
        ("결제", "미결제 건", false),
        ("فاتورة", "أين الفاتورة؟", true),
        ("فاتورة", "والفاتورة خاطئة", true),
        ("فاتورة", "فاتورتي", false),
        ("فاتورة", "فواتير", false),
        ("請求", "請求書が届きません", true),
        ("退款", "我要退款", true),
    ] {
        assert_eq!(keyword_in(keyword, text), found, "{keyword:?} in {text:?}");
    }
}

#[test]
fn the_explanation_names_the_keyword() {
    let rule = Rule {
        id: 1,
        name: "Billing".into(),
        conditions: Conditions {
            keywords: vec!["invoice".into(), "refund".into()],
            ..Default::default()
        },
        team_id: Some(2),
        set_priority: None,
        tags: vec![],
        required_skill: None,
    };
    let teams = vec![Team {
        id: 2,
        name: "Billing".into(),
        active: true,
        is_default: false,
    }];
    let r = route(
        &facts("email", "Hello", "Please refund me", Priority::Normal),
        &[rule],
        &teams,
    );
    assert_eq!(r.keyword.as_deref(), Some("refund"));
    assert_eq!(
        r.describe(),
        "rule 'Billing' (keyword “refund”) → team Billing"
    );
}

#[test]
fn conditions_table() {
    let kw = |k: &[&str]| Conditions {
        keywords: k.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let mut vip_facts = facts("email", "Hello", "x", Priority::Normal);
    vip_facts.customer = Some(attrs(Some("pro"), Some("enterprise"), true, false));
    let mut mailbox_facts = facts("email", "Hello", "x", Priority::Normal);
    mailbox_facts.mailbox = Some("Billing".into());
    let cases: Vec<(&str, Conditions, TicketFacts, bool)> = vec![
        (
            "empty matches all",
            Conditions::default(),
            facts("web", "a", "b", Priority::Low),
            true,
        ),
        (
            "keyword in subject",
            kw(&["invoice"]),
            facts("web", "My INVOICE is wrong", "", Priority::Low),
            true,
        ),
        (
            "keyword in body",
            kw(&["refund"]),
            facts("web", "Hi", "please refund me", Priority::Low),
            true,
        ),
        (
            "keyword missing",
            kw(&["refund"]),
            facts("web", "Hi", "hello", Priority::Low),
            false,
        ),
        (
            "keyword non-ascii",
            kw(&["비밀번호"]),
            facts("web", "비밀번호를 잊어버렸어요", "", Priority::Low),
            true,
        ),
        (
            "channel any of",
            Conditions {
                channel: vec!["email".into(), "api".into()],
                ..Default::default()
            },
            facts("api", "a", "b", Priority::Low),
            true,
        ),
        (
            "channel miss",
            Conditions {
                channel: vec!["email".into()],
                ..Default::default()
            },
            facts("web", "a", "b", Priority::Low),
            false,
        ),
        (
            "priority",
            Conditions {
                priority: vec!["urgent".into()],
                ..Default::default()
            },
            facts("web", "a", "b", Priority::Urgent),
            true,
        ),
        (
            "vip without CRM facts is not vip",
            Conditions {
                vip: Some(true),
                ..Default::default()
            },
            facts("web", "a", "b", Priority::Low),
            false,
        ),
        (
            "vip",
            Conditions {
                vip: Some(true),
                ..Default::default()
            },
            vip_facts.clone(),
            true,
        ),
        (
            "plan and segment",
            Conditions {
                plan: vec!["pro".into()],
                segment: vec!["enterprise".into()],
                ..Default::default()
            },
            vip_facts.clone(),
            true,
        ),
        (
            "plan miss",
            Conditions {
                plan: vec!["free".into()],
                ..Default::default()
            },
            vip_facts.clone(),
            false,
        ),
        (
            "at_risk false holds for a happy customer",
            Conditions {
                at_risk: Some(false),
                ..Default::default()
            },
            vip_facts,
            true,
        ),
        (
            "mailbox case-insensitive",
            Conditions {
                mailbox: vec!["billing".into()],
                ..Default::default()
            },
            mailbox_facts,
            true,
        ),
        (
            "all conditions must hold",
            Conditions {
                channel: vec!["web".into()],
                keywords: vec!["invoice".into()],
                ..Default::default()
            },
            facts("email", "invoice", "", Priority::Low),
            false,
        ),
    ];
    for (name, cond, f, expected) in cases {
        assert_eq!(cond.matches(&f), expected, "{name}");
    }
}

#[test]
fn normalize_names_the_field() {
    let bad = Conditions {
        channel: vec!["fax".into()],
        ..Default::default()
    };
    assert_eq!(bad.normalize().unwrap_err().0, "conditions.channel");
    let bad = Conditions {
        priority: vec!["huge".into()],
        ..Default::default()
    };
    assert_eq!(bad.normalize().unwrap_err().0, "conditions.priority");
    let ok = Conditions {
        keywords: vec![" Invoice ".into(), "invoice".into(), "".into()],
        ..Default::default()
    }
    .normalize()
    .unwrap();
    assert_eq!(ok.keywords, vec!["invoice"]);
}

#[test]
fn first_matching_rule_wins_and_fails_safe() {
    let teams = vec![
        team(1, "General", true, true),
        team(2, "Billing", true, false),
        team(3, "Old", false, false),
    ];
    let billing = Conditions {
        keywords: vec!["invoice".into()],
        ..Default::default()
    };
    let mut r1 = rule(10, "Billing", billing.clone(), Some(2));
    r1.tags = vec!["billing".into()];
    r1.set_priority = Some(Priority::High);
    let r2 = rule(11, "Catch-all to Old", Conditions::default(), Some(3));
    let r3 = rule(12, "Gone", billing, Some(99));
    let t = facts("web", "Invoice wrong", "", Priority::Normal);

    let r = route(&t, &[r1.clone(), r2.clone()], &teams);
    assert_eq!(r.team.as_ref().unwrap().name, "Billing");
    assert_eq!(r.tags, vec!["billing"]);
    assert_eq!(r.set_priority, Some(Priority::High));
    assert_eq!(
        r.describe(),
        "rule 'Billing' (keyword “invoice”) → team Billing; priority high; tags billing"
    );

    // An inactive team: default team, and the reason is said.
    let r = route(&t, &[r2.clone(), r1.clone()], &teams);
    assert_eq!(r.team.as_ref().unwrap().name, "General");
    assert_eq!(
        r.describe(),
        "rule 'Catch-all to Old' names team Old, which is inactive → default team General"
    );

    // A deleted team, and no default team: unassigned.
    let r = route(&t, &[r3], &teams[1..]);
    assert!(r.team.is_none());
    assert_eq!(
        r.describe(),
        "rule 'Gone' (keyword “invoice”) names team #99, which no longer exists → Unassigned (no default team)"
    );

    // No rule matches.
    let r = route(&facts("web", "Hi", "", Priority::Normal), &[r1], &teams);
    assert_eq!(r.describe(), "no rule matched → default team General");

    // A rule that sets the priority the ticket already has changes nothing.
    let mut same = rule(13, "Urgent", Conditions::default(), Some(2));
    same.set_priority = Some(Priority::Normal);
    assert_eq!(route(&t, &[same], &teams).set_priority, None);
}

#[test]
fn round_robin_table() {
    struct Case {
        name: &'static str,
        members: Vec<Candidate>,
        skill: Option<&'static str>,
        exclude: Option<i64>,
        expected: Option<&'static str>,
    }
    let mut skilled = cand(3, "Kim", "online", 5, 10, None);
    skilled.skills = vec!["german".into()];
    let cases = vec![
        Case {
            name: "fewest open wins",
            members: vec![
                cand(1, "Dana", "online", 2, 10, Some(5)),
                cand(2, "Sam", "online", 3, 10, Some(1)),
            ],
            skill: None,
            exclude: None,
            expected: Some("Dana"),
        },
        Case {
            name: "tie: longest since last assignment",
            members: vec![
                cand(1, "Dana", "online", 2, 10, Some(5)),
                cand(2, "Sam", "online", 2, 10, Some(1)),
            ],
            skill: None,
            exclude: None,
            expected: Some("Sam"),
        },
        Case {
            name: "tie: never assigned goes first",
            members: vec![
                cand(1, "Dana", "online", 0, 10, Some(1)),
                cand(2, "Sam", "online", 0, 10, None),
            ],
            skill: None,
            exclude: None,
            expected: Some("Sam"),
        },
        Case {
            name: "away and off are skipped",
            members: vec![
                cand(1, "Dana", "away", 0, 10, None),
                cand(2, "Sam", "off", 0, 10, None),
                cand(3, "Kim", "online", 9, 10, None),
            ],
            skill: None,
            exclude: None,
            expected: Some("Kim"),
        },
        Case {
            name: "at capacity is skipped",
            members: vec![
                cand(1, "Dana", "online", 3, 3, None),
                cand(2, "Sam", "online", 0, 0, None),
            ],
            skill: None,
            exclude: None,
            expected: None,
        },
        Case {
            name: "skill match beats load",
            members: vec![cand(1, "Dana", "online", 0, 10, None), skilled.clone()],
            skill: Some("German"),
            exclude: None,
            expected: Some("Kim"),
        },
        Case {
            name: "skilled but unavailable: wait",
            members: vec![
                cand(1, "Dana", "online", 0, 10, None),
                Candidate {
                    availability: "away".into(),
                    ..skilled.clone()
                },
            ],
            skill: Some("german"),
            exclude: None,
            expected: None,
        },
        Case {
            name: "nobody has the skill: anyone",
            members: vec![cand(1, "Dana", "online", 0, 10, None)],
            skill: Some("klingon"),
            exclude: None,
            expected: Some("Dana"),
        },
        Case {
            name: "the agent who unassigned is skipped",
            members: vec![
                cand(1, "Dana", "online", 0, 10, None),
                cand(2, "Sam", "online", 4, 10, None),
            ],
            skill: None,
            exclude: Some(1),
            expected: Some("Sam"),
        },
        Case {
            name: "empty team",
            members: vec![],
            skill: None,
            exclude: None,
            expected: None,
        },
    ];
    for c in cases {
        let choice = choose(&c.members, c.skill, c.exclude);
        assert_eq!(
            choice.chosen.as_ref().map(|x| x.name.as_str()),
            c.expected,
            "{}",
            c.name
        );
    }
}

#[test]
fn explanations() {
    let members = vec![
        cand(1, "Dana", "online", 2, 10, Some(1)),
        cand(2, "Sam", "online", 3, 10, Some(1)),
        cand(3, "Lee", "online", 4, 10, Some(1)),
        cand(4, "Kim", "away", 0, 10, None),
    ];
    let choice = choose(&members, None, None);
    assert_eq!(
        explain(
            "rule 'Billing' → team Billing",
            Some("Billing"),
            Some(&choice)
        )
        .english(),
        "Assigned to Dana: rule 'Billing' → team Billing; 3 available; Dana had 2 open, fewest \
         (loads: Dana 2/10, Sam 3/10, Lee 4/10) (not available: Kim away)"
    );
    let tied = choose(
        &[
            cand(1, "Dana", "online", 2, 10, Some(5)),
            cand(2, "Sam", "online", 2, 10, Some(1)),
        ],
        None,
        None,
    );
    assert!(
        explain("r", Some("T"), Some(&tied))
            .english()
            .contains("Sam had 2 open, tied with Dana; longest since last assignment")
    );
    let full = choose(&[cand(1, "Dana", "online", 5, 5, None)], None, None);
    assert_eq!(
        explain("r", Some("Billing"), Some(&full)).english(),
        "Waiting in team Billing's queue: r; nobody available (not available: Dana at capacity 5/5)"
    );
    assert_eq!(
        explain("r", None, None).english(),
        "Waiting in Unassigned: r"
    );
}

#[test]
fn explanations_read_in_each_language() {
    use crate::i18n::Locale;
    let members = vec![
        cand(1, "Dana", "online", 2, 10, Some(1)),
        cand(2, "Sam", "online", 3, 10, Some(1)),
        cand(4, "Kim", "away", 0, 10, None),
    ];
    let choice = choose(&members, None, None);
    let routing = crate::note!(
        "assign-route-rule",
        rule = "Billing",
        keyword = crate::note!("assign-route-keyword", keyword = "invoice"),
        target = crate::note!("assign-target-team", team = "Billing")
    );
    let why = explain(routing, Some("Billing"), Some(&choice));
    assert_eq!(
        why.english(),
        "Assigned to Dana: rule 'Billing' (keyword “invoice”) → team Billing; 2 available; Dana \
         had 2 open, fewest (loads: Dana 2/10, Sam 3/10) (not available: Kim away)"
    );
    let ko = why.render_in(Locale::Ko);
    assert!(ko.starts_with("Dana에게 배정: 규칙 'Billing'"), "{ko}");
    assert!(ko.contains("Kim 자리 비움"), "{ko}");
    let ar = why.render_in(Locale::Ar);
    assert!(ar.starts_with("أُسندت إلى"), "{ar}");
    assert!(ar.contains("غير متواجد") && ar.contains("، "), "{ar}");
    // What was stored reads the same after a round trip.
    let stored = crate::i18n::Note::from_json(Some(&why.to_json())).unwrap();
    assert_eq!(stored.render_in(Locale::Ko), ko);
}
