//! Property tests over parsing: arbitrary JSON and mutated real objects never panic, whatever
//! parses survives a serialise/parse round-trip unchanged, and the element's own reader
//! (`capital_types::json`) accepts, refuses and decodes exactly as serde_json does.

use capital_types::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "usd",
            "jpy",
            "kwd",
            "delivered",
            "paid_out",
            "refill",
            "",
            "<b>x</b>"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,24}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn offer_state_example() -> Value {
    json!({
        "offer": {"id": "financingoffer_1", "object": "capital.financing_offer", "account": "acct_1", "status": "paid_out",
                  "created": 1795000000, "expires_after": 1797811200.5, "financing_type": "flex_loan", "product_type": "refill",
                  "offered_terms": {"advance_amount": 100000, "campaign_type": "repeat_user", "currency": "usd", "fee_amount": 10000,
                                    "previous_financing_fee_discount_rate": 0.5, "withhold_rate": 0.15},
                  "accepted_terms": {"advance_amount": 90000, "currency": "usd", "fee_amount": 9000, "withhold_rate": 0.15,
                                     "previous_financing_fee_discount_amount": 120,
                                     "repayment_interval_configuration": {"duration_days": 30, "minimum_amount": 100, "maximum_amount": null}},
                  "status_transitions": {"accepted_at": 1, "paid_out_at": 2}, "metadata": {"k": "v"}, "disclaimer_variant": "celtic_us_loan"},
        "summary": {"object": "capital.financing_summary", "financing_offer": "financingoffer_1", "status": null,
                    "details": {"advance_amount": 90000, "currency": "usd", "fee_amount": 9000, "paid_amount": 10, "remaining_amount": 98990,
                                "withhold_rate": 0.15, "current_repayment_interval": {"due_at": 5.5, "paid_amount": null, "remaining_amount": 3}}},
        "branding": {"business_name": "Rocket Rides", "icon": null, "primary_color": "#0a7cff"},
        "copy": {"offer.cta": "See your offer", "fr": {"offer.cta": "Voir votre offre", "n": 1}, "x": [1, "y"]},
    })
}

/// Every path to a value inside `value`.
fn paths(value: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(map) = value {
        for (key, child) in map {
            let mut path = prefix.clone();
            path.push(key.clone());
            out.push(path.clone());
            paths(child, path, out);
        }
    }
}

fn replace_at(value: &mut Value, path: &[String], replacement: Option<Value>) {
    let (last, parents) = path.split_last().unwrap();
    let mut node = value;
    for key in parents {
        node = node.get_mut(key).unwrap();
    }
    let map = node.as_object_mut().unwrap();
    match replacement {
        Some(v) => {
            map.insert(last.clone(), v);
        }
        None => {
            map.remove(last);
        }
    }
}

/// The example offer state with up to five fields replaced by arbitrary JSON or removed.
fn mutated_offer_state() -> impl Strategy<Value = Value> {
    let edits = (any::<prop::sample::Index>(), prop::option::of(any_json()));
    prop::collection::vec(edits, 1..6).prop_map(|edits| {
        let mut value = offer_state_example();
        for (index, replacement) in edits {
            let mut all = Vec::new();
            paths(&value, Vec::new(), &mut all);
            if all.is_empty() {
                break;
            }
            let path = index.get(&all).clone();
            replace_at(&mut value, &path, replacement);
        }
        value
    })
}

fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &Value,
) -> Result<(), TestCaseError> {
    if let Ok(parsed) = serde_json::from_value::<T>(value.clone()) {
        let again: T = serde_json::from_value(serde_json::to_value(&parsed).unwrap()).unwrap();
        prop_assert_eq!(again, parsed);
    }
    Ok(())
}

/// The element's reader and serde_json agree on `text` for `T`: both refuse it, or both decode
/// the same value.
fn readers_agree<
    T: serde::de::DeserializeOwned + capital_types::json::FromJson + PartialEq + std::fmt::Debug,
>(
    text: &str,
) -> Result<(), TestCaseError> {
    let by_serde = serde_json::from_str::<T>(text);
    let by_element = capital_types::json::from_str::<T>(text);
    match (by_serde, by_element) {
        (Ok(expected), Ok(decoded)) => prop_assert_eq!(decoded, expected, "{}", text),
        (Err(_), Err(_)) => {}
        (expected, decoded) => {
            return Err(TestCaseError::fail(format!(
                "{text}\nserde_json: {expected:?}\nelement: {decoded:?}"
            )));
        }
    }
    Ok(())
}

/// Every object the element receives, in every reader.
fn all_readers_agree(text: &str) -> Result<(), TestCaseError> {
    readers_agree::<OfferState>(text)?;
    readers_agree::<FinancingOffer>(text)?;
    readers_agree::<FinancingSummary>(text)?;
    readers_agree::<AccountLink>(text)?;
    Ok(())
}

/// Small edits to JSON text that keep it close to valid: the reader must refuse (or accept)
/// broken text exactly where serde_json does.
fn edit_text(text: &str, at: prop::sample::Index, edit: u8) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let i = at.index(chars.len() + 1);
    const INSERTS: [&str; 12] = [
        "\"", ",", "}", "]", "\\u", "-", "0", "e", " ", "\u{1}", "null", "\\ud800",
    ];
    match edit % 3 {
        0 if i < chars.len() => {
            chars.remove(i);
        }
        1 if i < chars.len() => {
            chars[i] = ['"', '{', '[', ':', '1', '.', 'x'][usize::from(edit) % 7]
        }
        _ => {
            let insert = INSERTS[usize::from(edit) % INSERTS.len()];
            for (k, c) in insert.chars().enumerate() {
                chars.insert(i + k, c);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_element_reader_agrees_with_serde_on_arbitrary_json(value in any_json()) {
        all_readers_agree(&value.to_string())?;
    }

    #[test]
    fn the_element_reader_agrees_with_serde_on_mutated_objects(value in mutated_offer_state()) {
        readers_agree::<OfferState>(&value.to_string())?;
        readers_agree::<OfferState>(&serde_json::to_string_pretty(&value).unwrap())?;
    }

    #[test]
    fn the_element_reader_agrees_with_serde_on_broken_text(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut text = offer_state_example().to_string();
        for (at, edit) in edits {
            text = edit_text(&text, at, edit);
        }
        readers_agree::<OfferState>(&text)?;
    }

    #[test]
    fn the_element_reader_agrees_with_serde_on_arbitrary_text(text in "[\\[\\]{}\":,0-9.eE+\\-a-z\\\\ ]{0,40}") {
        all_readers_agree(&text)?;
    }

    #[test]
    fn arbitrary_json_never_panics_and_round_trips(value in any_json()) {
        round_trips::<OfferState>(&value)?;
        round_trips::<FinancingOffer>(&value)?;
        round_trips::<FinancingSummary>(&value)?;
        round_trips::<AccountLink>(&value)?;
        round_trips::<Event>(&value)?;
    }

    #[test]
    fn mutated_objects_never_panic_and_round_trip(value in mutated_offer_state()) {
        round_trips::<OfferState>(&value)?;
    }

    #[test]
    fn unknown_enum_strings_always_parse(status in "[a-z_]{1,20}", kind in "[a-z_]{1,20}") {
        let offer: FinancingOffer = serde_json::from_value(json!({"id": "o", "status": status, "financing_type": kind})).unwrap();
        prop_assert_eq!(offer.status.as_str(), status.as_str());
        let financing_type = offer.financing_type.unwrap();
        prop_assert_eq!(financing_type.as_str(), kind.as_str());
    }
}
