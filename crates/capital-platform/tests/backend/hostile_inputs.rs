//! Hostile inputs, as proptest strategies: signed webhooks of every shape (random JSON, random
//! mutations of a valid event), sandbox actions with extreme numbers, and odd requests to the
//! element's routes. Shared by the in-process property tests and the bounded run against the
//! server binary (`hostile.rs`).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

/// Stripe's field names, so that random objects often look like the real thing.
const FIELDS: &[&str] = &[
    "id",
    "object",
    "account",
    "status",
    "created",
    "expires_after",
    "offered_terms",
    "accepted_terms",
    "advance_amount",
    "fee_amount",
    "withhold_rate",
    "currency",
    "previous_financing_fee_discount_rate",
    "previous_financing_fee_discount_amount",
    "replacement_for",
    "replacement",
    "financing_type",
    "product_type",
    "campaign_type",
    "disclaimer_variant",
    "charged_off_at",
    "livemode",
    "metadata",
    "data",
    "type",
];

/// Values Stripe's fields take, and near misses.
const WORDS: &[&str] = &[
    "acct_1RocketCourier",
    "acct_1SunsetBakery",
    "acct_",
    "acct_1Rocket<script>",
    "financingoffer_hostile",
    "financingoffer_",
    "capital.financing_offer",
    "undelivered",
    "delivered",
    "accepted",
    "paid_out",
    "replaced",
    "expired",
    "canceled",
    "rejected",
    "fully_repaid",
    "some_future_status",
    "usd",
    "eur",
    "jpy",
    "kwd",
    "USD",
    "xx",
    "flex_loan",
    "cash_advance",
    "refill",
    "standard",
    "repeat_user",
    "celtic_us_loan",
    "youlend_fr_financing",
    "",
    "\u{0}",
    "javascript:alert(1)",
    "https://evil.example/",
];

/// Every event type the backend reads, and others.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "capital.financing_offer.created",
    "capital.financing_offer.accepted",
    "capital.financing_offer.canceled",
    "capital.financing_offer.delivered",
    "capital.financing_offer.expired",
    "capital.financing_offer.fully_repaid",
    "capital.financing_offer.paid_out",
    "capital.financing_offer.rejected",
    "capital.financing_offer.replacement_created",
    "capital.financing_offer.some_future_stage",
    "capital.financing_offer.",
    "capital.financing_transaction.created",
    "capital.financing_summary.line_of_credit_update",
    "account.updated",
    "",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(0),
            Just(-1),
            Just(1 << 57)
        ]
        .prop_map(Value::from),
        Just(json!(u64::MAX)),
        prop::num::f64::NORMAL.prop_map(|f| json!(f)),
        prop_oneof![
            Just(1e308),
            Just(-1e308),
            Just(5e-324),
            Just(0.5),
            Just(1.5)
        ]
        .prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(Value::from),
        Just(Value::from("x".repeat(4096))),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FIELDS).prop_map(str::to_owned),
        1 => "[a-z_]{0,12}",
    ]
}

/// Any JSON, nested up to eight deep, leaning on Stripe's field names and values.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(8, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A well-formed financing offer of `account`.
pub(crate) fn valid_offer(id: &str, account: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "capital.financing_offer", "account": account, "status": status,
        "created": 1_700_000_000, "expires_after": 4_000_000_000_i64,
        "financing_type": "flex_loan", "product_type": "standard", "disclaimer_variant": "celtic_us_loan",
        "offered_terms": {"advance_amount": 500_000, "currency": "usd", "fee_amount": 50_000,
                          "withhold_rate": 0.1, "campaign_type": "newly_eligible_user"},
    })
}

/// One webhook's body: an event of any type whose object is random JSON, a valid offer with
/// one field (or one of its terms) replaced by random JSON, or no event at all.
pub(crate) fn webhook_body() -> impl Strategy<Value = String> {
    let event = |kind: &str, object: Value, id: String, created: Value| {
        json!({"id": id, "object": "event", "type": kind, "created": created,
               "data": {"object": object}})
        .to_string()
    };
    let id = prop_oneof![
        "evt_[a-zA-Z0-9]{1,16}",
        Just(String::new()),
        Just("evt_".repeat(200))
    ];
    let created = prop_oneof![Just(json!(1_800_000_000)), scalar(),];
    prop_oneof![
        // Random objects under every type.
        (
            prop::sample::select(EVENT_TYPES),
            json_value(),
            id.clone(),
            created.clone()
        )
            .prop_map(move |(kind, object, id, created)| event(kind, object, id, created)),
        // A valid offer, one field mutated.
        (
            prop::sample::select(EVENT_TYPES),
            prop::sample::select(FIELDS),
            json_value(),
            any::<bool>(),
            id,
            created,
            prop::sample::select(
                &[
                    "undelivered",
                    "delivered",
                    "accepted",
                    "paid_out",
                    "replaced"
                ][..]
            ),
        )
            .prop_map(move |(kind, field, value, in_terms, id, created, status)| {
                let mut offer = valid_offer("financingoffer_mutant", "acct_1RocketCourier", status);
                if in_terms {
                    offer["offered_terms"][field] = value;
                } else {
                    offer[field] = value;
                }
                event(kind, offer, id, created)
            }),
        // A whole event that is random JSON, or not JSON.
        json_value().prop_map(|value| value.to_string()),
        ".{0,64}",
    ]
}

/// A sandbox dashboard action: `(path after /sandbox/admin, body)`, with extreme numbers;
/// `{offer}` in the path is replaced by an offer the run created.
pub(crate) fn sandbox_action() -> impl Strategy<Value = (String, Value)> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(0),
            Just(1),
            Just(1_000_000)
        ]
        .prop_map(Value::from),
        prop::num::f64::ANY
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        scalar(),
    ];
    let rate = prop_oneof![
        prop::num::f64::ANY
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(json!(0.5)),
        Just(json!(-0.0)),
        Just(json!(1.0000001)),
        scalar(),
    ];
    let account = prop_oneof![
        4 => Just(json!("acct_1RocketCourier")),
        1 => scalar(),
    ];
    prop_oneof![
        (
            account.clone(),
            number.clone(),
            number.clone(),
            rate.clone(),
            number.clone(),
            number.clone(),
            rate.clone()
        )
            .prop_map(
                |(account, amount, fee, withhold, days, minimum, discount)| {
                    (
                        "/offers".to_owned(),
                        json!({"account": account, "advance_amount": amount, "fee_amount": fee,
                           "withhold_rate": withhold, "repayment_interval_days": days,
                           "repayment_interval_minimum": minimum,
                           "previous_financing_fee_discount_rate": discount,
                           "status": "delivered"}),
                    )
                }
            ),
        (
            prop::sample::select(
                &[
                    "accept",
                    "approve",
                    "repay",
                    "repay_in_full",
                    "reject",
                    "cancel",
                    "expire",
                    "replace",
                    "nonsense"
                ][..]
            ),
            number.clone()
        )
            .prop_map(|(action, amount)| {
                (
                    format!("/offers/{{offer}}/{action}"),
                    json!({"amount": amount}),
                )
            }),
        (number, rate).prop_map(|(amount, discount)| {
            (
                "/accounts/acct_1RocketCourier/refill".to_owned(),
                json!({"advance_amount": amount, "discount_rate": discount}),
            )
        }),
    ]
}

/// An odd request to the element's routes: `(method, path and query, headers, body)`.
pub(crate) fn odd_request()
-> impl Strategy<Value = (String, String, Vec<(String, String)>, Vec<u8>)> {
    let path = prop_oneof![
        prop::sample::select(
            &[
                "/api/capital/offer",
                "/api/capital/offer/events",
                "/api/capital/offer/mark_delivered",
                "/api/capital/account_links",
                "/api/capital/account_links/refresh",
                "/api/capital/account_links/refresh/confirm",
                "/api/capital/session",
                "/webhooks/stripe",
                "/email/unsubscribe",
                "/sandbox/hosted/lt_nope",
                "/sandbox/hosted/lt_nope/submit",
            ][..]
        )
        .prop_map(str::to_owned),
        "/api/capital/[a-z_/]{0,20}",
    ];
    let query = prop_oneof![
        Just(String::new()),
        Just("?type=capital_financing_offer".to_owned()),
        Just("?type=account_onboarding".to_owned()),
        Just("?type=capital_financing_offer&type=x".to_owned()),
        Just("?%ZZ=%".to_owned()),
        "\\?[a-z=&%0-9]{0,24}",
    ];
    let header_value = prop_oneof![
        Just("capital_session=forged".to_owned()),
        Just("Bearer ".to_owned()),
        Just("Bearer eyJhbGciOiJub25lIn0.e30.".to_owned()),
        "[ -~]{0,80}",
    ];
    let header = (
        prop::sample::select(
            &[
                "cookie",
                "authorization",
                "last-event-id",
                "content-type",
                "origin",
                "sec-fetch-site",
                "x-capital-account",
                "accept",
                "stripe-signature",
            ][..],
        ),
        header_value,
    )
        .prop_map(|(name, value)| (name.to_owned(), value));
    let body = prop_oneof![
        Just(Vec::new()),
        json_value().prop_map(|value| value.to_string().into_bytes()),
        Just(br#"{"type":"capital_financing_offer"}"#.to_vec()),
        Just(br#"{"offer":"financingoffer_x"}"#.to_vec()),
        prop::collection::vec(any::<u8>(), 0..256),
    ];
    (
        prop::sample::select(&["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"][..]),
        path,
        query,
        prop::collection::vec(header, 0..5),
        body,
    )
        .prop_map(|(method, path, query, headers, body)| {
            (method.to_owned(), format!("{path}{query}"), headers, body)
        })
}

/// `count` values of `strategy` from a fixed seed: the same run every time.
pub(crate) fn sample<S: Strategy>(strategy: S, count: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}
