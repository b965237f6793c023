//! Table tests for parsing CRM events and deriving the customer profile.

use super::*;
use serde_json::json;

/// A table row: name, events, tickets, what is expected.
type Case<W> = (&'static str, Vec<CrmEvent>, Vec<TicketFact>, W);

const NOW: Millis = 1_800_000_000_000;

fn days_ago(d: i64) -> Millis {
    NOW - d * DAY_MS
}

fn ev(id: i64, kind: EventKind, at: Millis, amount: Option<(i64, &str)>, attrs: Value) -> CrmEvent {
    CrmEvent {
        id,
        customer_id: 1,
        kind,
        occurred_at: at,
        source: "test".into(),
        external_id: id.to_string(),
        amount: None,
        amount_minor: amount.map(|(m, _)| m),
        currency: amount.map(|(_, c)| c.to_string()),
        attributes: attrs,
        created_at: at,
        updated_at: at,
    }
}

fn ticket(at: Millis, open: bool) -> TicketFact {
    TicketFact {
        created_at: at,
        open,
    }
}

#[test]
fn amounts_parse_exactly_in_minor_units() {
    let cases: &[(&str, u32, Result<i64, ()>)] = &[
        ("12.50", 2, Ok(1250)),
        ("12.5", 2, Ok(1250)),
        ("12", 2, Ok(1200)),
        ("-3.01", 2, Ok(-301)),
        ("0.10", 2, Ok(10)),
        ("1000", 0, Ok(1000)),
        ("1000.0", 0, Ok(1000)),
        ("1.234", 3, Ok(1234)),
        ("1.234", 2, Err(())),
        ("12.", 2, Err(())),
        (".5", 2, Err(())),
        ("abc", 2, Err(())),
        ("1e3", 2, Err(())),
        ("", 2, Err(())),
        ("99999999999999999999", 2, Err(())),
    ];
    for (raw, exp, want) in cases {
        assert_eq!(
            parse_amount(raw, *exp).map_err(|_| ()),
            *want,
            "{raw} with {exp} decimals"
        );
    }
    assert_eq!(format_amount(1250, 2), "12.50");
    assert_eq!(format_amount(-5, 2), "-0.05");
    assert_eq!(format_amount(1000, 0), "1000");
    assert_eq!(format_amount(1234, 3), "1.234");
}

#[test]
fn bad_fields_are_named() {
    let good = json!({"kind": "order", "occurred_at": "2024-05-01T12:00:00Z", "source": "shop",
        "external_id": "o-1", "amount": "12.50", "currency": "EUR", "customer_id": 1});
    let ok = parse_event(&good, "").unwrap();
    assert_eq!(ok.amount, Some((1250, Currency("EUR".into()))));
    assert_eq!(ok.occurred_at, 1_714_564_800_000);
    let with = |k: &str, v: Value| {
        let mut o = good.clone();
        if v.is_null() {
            o.as_object_mut().unwrap().remove(k);
        } else {
            o[k] = v;
        }
        o
    };
    let cases: Vec<(Value, &str)> = vec![
        (with("occurred_at", json!("yesterday")), "occurred_at"),
        (with("occurred_at", json!("2024-05-01")), "occurred_at"),
        (with("amount", json!("12,50")), "amount"),
        (with("amount", json!(true)), "amount"),
        (with("kind", json!("refund")), "kind"),
        (with("currency", json!("EURO")), "currency"),
        (with("currency", json!("E1R")), "currency"),
        (with("currency", Value::Null), "currency"),
        (with("source", json!("")), "source"),
        (with("external_id", Value::Null), "external_id"),
        (with("attributes", json!([1])), "attributes"),
        (with("customer_id", json!("x")), "customer_id"),
        (with("surprise", json!(1)), "surprise"),
        (
            with("customer_email", json!("a@example.com")),
            "customer_email",
        ),
    ];
    for (input, field) in cases {
        match parse_event(&input, "events[3].") {
            Err(AppError::Validation { field: got, .. }) => {
                assert_eq!(got, format!("events[3].{field}"), "{input}")
            }
            other => panic!("{input}: expected a 422 on {field}, got {other:?}"),
        }
    }
    let sub = |attrs: Value| {
        let mut o = with("kind", json!("subscription"));
        o["attributes"] = attrs;
        o
    };
    let csat = |attrs: Value| {
        let mut o = with("kind", json!("csat"));
        o["attributes"] = attrs;
        o
    };
    let attr_cases: Vec<(Value, Option<&str>)> = vec![
        (
            sub(json!({"plan": "pro", "mrr": "49.00", "status": "active"})),
            None,
        ),
        (sub(json!({"status": "paused"})), Some("attributes.status")),
        (sub(json!({"mrr": "lots"})), Some("attributes.mrr")),
        (csat(json!({"score": 4})), None),
        (csat(json!({"score": "4"})), None),
        (csat(json!({"score": "good"})), Some("attributes.score")),
        (with("attributes", json!({"status": "whatever"})), None),
    ];
    for (input, want) in attr_cases {
        let got = match parse_event(&input, "") {
            Ok(_) => None,
            Err(AppError::Validation { field, .. }) => Some(field),
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(got.as_deref(), want, "{input}");
    }
    // Numbers work as amounts too; JPY has no minor unit.
    let yen = parse_event(&with("amount", json!(1200)).tap_currency("jpy"), "").unwrap();
    assert_eq!(yen.amount, Some((1200, Currency("JPY".into()))));
    let num = parse_event(&with("amount", json!(9.99)), "").unwrap();
    assert_eq!(num.amount, Some((999, Currency("EUR".into()))));
}

trait TapCurrency {
    fn tap_currency(self, c: &str) -> Value;
}

impl TapCurrency for Value {
    fn tap_currency(mut self, c: &str) -> Value {
        self["currency"] = json!(c);
        self
    }
}

#[test]
fn batches_name_the_item_and_are_bounded() {
    let item = json!({"kind": "note", "occurred_at": "2024-05-01T12:00:00+02:00", "source": "s", "external_id": "1"});
    assert_eq!(parse_body(&item).unwrap().len(), 1);
    assert_eq!(
        parse_body(&json!({"events": [item.clone(), item.clone()]}))
            .unwrap()
            .len(),
        2
    );
    let mut bad = item.clone();
    bad["occurred_at"] = json!("nope");
    match parse_body(&json!({"events": [item.clone(), bad]})) {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "events[1].occurred_at"),
        other => panic!("{other:?}"),
    }
    let too_many = vec![item; MAX_BATCH + 1];
    assert!(parse_body(&json!({"events": too_many})).is_err());
    assert!(parse_body(&json!({"events": []})).is_err());
}

#[test]
fn customer_since_is_the_earliest_of_signup_order_and_ticket() {
    let cases: Vec<Case<Option<Millis>>> = vec![
        ("nothing known", vec![], vec![], None),
        (
            "signup first",
            vec![
                ev(
                    1,
                    EventKind::Order,
                    days_ago(100),
                    Some((100, "EUR")),
                    json!({}),
                ),
                ev(2, EventKind::Signup, days_ago(400), None, json!({})),
            ],
            vec![ticket(days_ago(10), false)],
            Some(days_ago(400)),
        ),
        (
            "ticket before any purchase",
            vec![ev(1, EventKind::Purchase, days_ago(100), None, json!({}))],
            vec![ticket(days_ago(200), false), ticket(days_ago(5), true)],
            Some(days_ago(200)),
        ),
        (
            "notes and campaigns do not count",
            vec![
                ev(1, EventKind::CampaignTouch, days_ago(900), None, json!({})),
                ev(2, EventKind::Note, days_ago(800), None, json!({})),
                ev(3, EventKind::Order, days_ago(30), None, json!({})),
            ],
            vec![],
            Some(days_ago(30)),
        ),
    ];
    for (name, events, tickets, want) in cases {
        assert_eq!(
            derive_profile(&events, &tickets, NOW).customer_since,
            want,
            "{name}"
        );
    }
}

#[test]
fn lifetime_value_keeps_currencies_apart() {
    let events = vec![
        ev(
            1,
            EventKind::Order,
            days_ago(10),
            Some((1250, "EUR")),
            json!({}),
        ),
        ev(
            2,
            EventKind::Purchase,
            days_ago(9),
            Some((750, "EUR")),
            json!({}),
        ),
        ev(
            3,
            EventKind::Order,
            days_ago(8),
            Some((1000, "USD")),
            json!({}),
        ),
        ev(
            4,
            EventKind::Order,
            days_ago(7),
            Some((5000, "JPY")),
            json!({}),
        ),
        // Deals and subscriptions are not revenue received.
        ev(
            5,
            EventKind::Deal,
            days_ago(6),
            Some((99_999, "EUR")),
            json!({}),
        ),
        ev(
            6,
            EventKind::Subscription,
            days_ago(5),
            Some((4900, "USD")),
            json!({}),
        ),
        // A refund entered as a negative order reduces the total.
        ev(
            7,
            EventKind::Order,
            days_ago(4),
            Some((-250, "USD")),
            json!({}),
        ),
    ];
    let p = derive_profile(&events, &[], NOW);
    let want: BTreeMap<String, String> = [("EUR", "20.00"), ("JPY", "5000"), ("USD", "7.50")]
        .into_iter()
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .collect();
    assert_eq!(p.lifetime_value, want);
    assert!(derive_profile(&[], &[], NOW).lifetime_value.is_empty());
}

#[test]
fn plan_mrr_acquisition_contact_and_csat() {
    let events = vec![
        ev(
            1,
            EventKind::CampaignTouch,
            days_ago(300),
            None,
            json!({"utm_source": "newsletter", "campaign": "spring"}),
        ),
        ev(
            2,
            EventKind::CampaignTouch,
            days_ago(200),
            None,
            json!({"utm_source": "google", "campaign": "later"}),
        ),
        ev(
            3,
            EventKind::Subscription,
            days_ago(250),
            Some((0, "EUR")),
            json!({"plan": "starter", "mrr": "10.00", "status": "active"}),
        ),
        ev(
            4,
            EventKind::Subscription,
            days_ago(100),
            Some((0, "EUR")),
            json!({"plan": "enterprise", "mrr": 900, "status": "active"}),
        ),
        ev(5, EventKind::Csat, days_ago(50), None, json!({"score": 2})),
        ev(6, EventKind::Csat, days_ago(20), None, json!({"score": 5})),
        ev(7, EventKind::Call, days_ago(15), None, json!({})),
    ];
    let p = derive_profile(
        &events,
        &[ticket(days_ago(40), true), ticket(days_ago(60), false)],
        NOW,
    );
    assert_eq!(p.plan.as_deref(), Some("enterprise"));
    assert_eq!(p.mrr, Some(json!(900)));
    assert_eq!(p.mrr_currency.as_deref(), Some("EUR"));
    assert_eq!(p.subscription_status.as_deref(), Some("active"));
    let acq = p.acquisition.unwrap();
    assert_eq!(acq.source.as_deref(), Some("newsletter"));
    assert_eq!(acq.campaign.as_deref(), Some("spring"));
    assert_eq!(p.last_contact_at, Some(days_ago(15)));
    assert_eq!(p.last_csat, Some(json!(5)));
    assert_eq!((p.open_tickets, p.total_tickets), (1, 2));
    assert!(p.churn_risk.is_empty(), "{:?}", p.churn_risk);
}

#[test]
fn churn_risk_reasons() {
    let sub = |id, d, status| {
        ev(
            id,
            EventKind::Subscription,
            days_ago(d),
            None,
            json!({"plan": "pro", "status": status}),
        )
    };
    let cases: Vec<Case<Vec<&str>>> = vec![
        (
            "a quiet happy customer",
            vec![sub(1, 10, "active")],
            vec![],
            vec![],
        ),
        (
            "cancelled",
            vec![sub(1, 200, "active"), sub(2, 10, "cancelled")],
            vec![],
            vec!["subscription_cancelled"],
        ),
        (
            "cancelled then came back",
            vec![sub(1, 20, "cancelled"), sub(2, 10, "active")],
            vec![],
            vec![],
        ),
        (
            "downgraded recently",
            vec![sub(1, 30, "downgraded")],
            vec![],
            vec!["downgraded_recently"],
        ),
        (
            "downgraded long ago",
            vec![sub(1, 120, "downgraded")],
            vec![],
            vec![],
        ),
        (
            "three tickets in 30 days",
            vec![],
            vec![
                ticket(days_ago(1), true),
                ticket(days_ago(10), false),
                ticket(days_ago(29), false),
            ],
            vec!["many_recent_tickets"],
        ),
        (
            "three tickets spread out",
            vec![],
            vec![
                ticket(days_ago(1), true),
                ticket(days_ago(10), false),
                ticket(days_ago(31), false),
            ],
            vec![],
        ),
        (
            "engagement stopped",
            vec![ev(
                1,
                EventKind::EmailEngagement,
                days_ago(61),
                None,
                json!({"action": "opened"}),
            )],
            vec![],
            vec!["engagement_stopped"],
        ),
        (
            "engagement recent",
            vec![ev(1, EventKind::Meeting, days_ago(59), None, json!({}))],
            vec![],
            vec![],
        ),
        ("never engaged is not a fall", vec![], vec![], vec![]),
        (
            "bad last csat",
            vec![ev(
                1,
                EventKind::Csat,
                days_ago(5),
                None,
                json!({"score": "1"}),
            )],
            vec![],
            vec!["bad_csat"],
        ),
        (
            "bad csat superseded",
            vec![
                ev(1, EventKind::Csat, days_ago(9), None, json!({"score": 1})),
                ev(2, EventKind::Csat, days_ago(5), None, json!({"score": 4})),
            ],
            vec![],
            vec![],
        ),
        (
            "everything at once",
            vec![
                sub(1, 40, "downgraded"),
                sub(2, 5, "cancelled"),
                ev(3, EventKind::Call, days_ago(100), None, json!({})),
                ev(4, EventKind::Csat, days_ago(3), None, json!({"score": 2})),
            ],
            vec![
                ticket(days_ago(1), true),
                ticket(days_ago(2), true),
                ticket(days_ago(3), true),
            ],
            vec![
                "subscription_cancelled",
                "downgraded_recently",
                "many_recent_tickets",
                "engagement_stopped",
                "bad_csat",
            ],
        ),
    ];
    for (name, events, tickets, want) in cases {
        let p = derive_profile(&events, &tickets, NOW);
        let got: Vec<&str> = p.churn_risk.iter().map(|r| r.code).collect();
        assert_eq!(got, want, "{name}");
        assert!(p.churn_risk.iter().all(|r| !r.text.is_empty()));
    }
}

#[test]
fn cursors_round_trip() {
    let c = EventCursor {
        occurred_at: -5,
        id: 42,
    };
    assert_eq!(EventCursor::parse(&c.render()), Some(c));
    for bad in ["", "12", "a_b", "1_", "_1", "1_2_3"] {
        assert_eq!(EventCursor::parse(bad), None, "{bad}");
    }
}

#[test]
fn attributes_for_routing_come_from_the_latest_values() {
    let events = vec![
        ev(
            1,
            EventKind::Signup,
            days_ago(400),
            None,
            json!({"segment": "SMB"}),
        ),
        ev(
            2,
            EventKind::Subscription,
            days_ago(300),
            None,
            json!({"plan": "Enterprise", "status": "active", "segment": "Enterprise"}),
        ),
        ev(
            3,
            EventKind::Note,
            days_ago(10),
            None,
            json!({"vip": "yes"}),
        ),
    ];
    let profile = derive_profile(&events, &[], NOW);
    let attrs = derive_attributes(&events, &profile);
    assert_eq!(attrs.plan.as_deref(), Some("enterprise"));
    assert_eq!(attrs.segment.as_deref(), Some("enterprise"));
    assert!(attrs.vip);
    assert!(!attrs.at_risk);

    let cancelled = vec![ev(
        4,
        EventKind::Subscription,
        days_ago(5),
        None,
        json!({"plan": "pro", "status": "cancelled", "segment": "vip"}),
    )];
    let profile = derive_profile(&cancelled, &[], NOW);
    let attrs = derive_attributes(&cancelled, &profile);
    assert!(attrs.vip, "segment vip counts as VIP");
    assert!(attrs.at_risk);
    assert_eq!(attrs.risk_codes, vec!["subscription_cancelled"]);

    let none = derive_attributes(&[], &derive_profile(&[], &[], NOW));
    assert_eq!(none, CustomerAttributes::default());
}
