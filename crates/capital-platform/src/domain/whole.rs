//! Stripe's objects as Stripe sent them. The platform reads a few fields (`typed`); the element
//! gets the object whole (`json`), fields of newer API versions included, as the contract
//! promises. The store keeps both.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use capital_types::FinancingOffer;

#[derive(Debug, Clone, PartialEq)]
pub struct Whole<T> {
    typed: T,
    json: Value,
}

impl<T: DeserializeOwned + Serialize> Whole<T> {
    /// The object Stripe sent, and the fields the platform reads from it.
    pub fn from_json(json: Value) -> Result<Self, serde_json::Error> {
        // Stripe's objects are JSON objects. serde would read a struct from an array too, and the
        // fields set on the whole later (`set_account`) would then index an array and panic.
        if !json.is_object() {
            return Err(serde::de::Error::custom(format!(
                "expected a JSON object, found {}",
                kind_of(&json)
            )));
        }
        // Read from the value in place: no copy of the object per parse.
        let typed = T::deserialize(&json)?;
        // serde also reads a nested struct from an array (`"offered_terms": []` is every field
        // absent), but the element, and anybody reading the contract, expects an object there:
        // the whole would pass on a shape nobody can read. Each object the typed fields read
        // must be an object in what was sent.
        shaped_like(&serde_json::to_value(&typed)?, &json, &mut String::new())
            .map_err(serde::de::Error::custom)?;
        Ok(Whole { typed, json })
    }
}

/// Whether `sent` has an object (an array) wherever `read`, the typed fields written back, has
/// one; fields `sent` leaves out are defaults and pass. The error names the first place that
/// differs.
fn shaped_like(read: &Value, sent: &Value, path: &mut String) -> Result<(), String> {
    let differs = |path: &str, expected: &str| {
        let at = if path.is_empty() { "the object" } else { path };
        format!("{at}: expected {expected}, found {}", kind_of(sent))
    };
    match (read, sent) {
        (Value::Object(read), Value::Object(sent)) => {
            for (key, value) in read {
                if let Some(sent) = sent.get(key).filter(|sent| !sent.is_null()) {
                    let length = path.len();
                    path.push_str(if length == 0 { "" } else { "." });
                    path.push_str(key);
                    shaped_like(value, sent, path)?;
                    path.truncate(length);
                }
            }
            Ok(())
        }
        (Value::Object(_), _) => Err(differs(path, "an object")),
        (Value::Array(read), Value::Array(sent)) => {
            for (index, (value, sent)) in read.iter().zip(sent).enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                shaped_like(value, sent, path)?;
                path.truncate(length);
            }
            Ok(())
        }
        (Value::Array(_), _) => Err(differs(path, "an array")),
        _ => Ok(()),
    }
}

fn kind_of(json: &Value) -> &'static str {
    match json {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<T: Serialize> Whole<T> {
    /// An object the sandbox made: it has no fields beyond the typed ones.
    pub fn from_typed(typed: T) -> Result<Self, serde_json::Error> {
        Ok(Whole {
            json: serde_json::to_value(&typed)?,
            typed,
        })
    }
}

impl<T> Whole<T> {
    pub fn typed(&self) -> &T {
        &self.typed
    }

    pub fn json(&self) -> &Value {
        &self.json
    }

    pub fn into_json(self) -> Value {
        self.json
    }
}

impl<'de, T: DeserializeOwned + Serialize> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Whole::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Whole<FinancingOffer> {
    /// The connected account, where Stripe left it to the event.
    pub fn set_account(&mut self, account: &str) {
        self.typed.account = Some(account.to_owned());
        self.json["account"] = Value::from(account);
    }

    /// Marks the offer `replaced` by `replacement` here, before Stripe's own update arrives.
    pub fn mark_replaced(&mut self, replacement: &str) {
        self.typed.status = capital_types::OfferStatus::Replaced;
        self.typed.replacement = Some(replacement.to_owned());
        self.json["status"] = Value::from("replaced");
        self.json["replacement"] = Value::from(replacement);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Found by the hostile-input property test once answers were checked against the OpenAPI
    /// document: serde read `"offered_terms": []` as terms with every field absent, and the view
    /// passed the array on to the element.
    #[test]
    fn a_nested_object_sent_as_an_array_is_refused_with_where() {
        let offer = |field: &str, value: Value| {
            let mut offer = json!({"id": "financingoffer_1", "status": "undelivered"});
            offer[field] = value;
            Whole::<FinancingOffer>::from_json(offer)
        };
        for (field, value, at) in [
            (
                "offered_terms",
                json!([]),
                "offered_terms: expected an object, found an array",
            ),
            (
                "accepted_terms",
                json!([1000, "usd"]),
                "accepted_terms: expected an object",
            ),
            (
                "status_transitions",
                json!([]),
                "status_transitions: expected an object",
            ),
            (
                "offered_terms",
                json!({"repayment_interval_configuration": [30]}),
                "offered_terms.repayment_interval_configuration: expected an object",
            ),
        ] {
            let error = offer(field, value.clone())
                .expect_err(&value.to_string())
                .to_string();
            assert!(error.contains(at), "{error}");
        }
        for fine in [
            json!(null),
            json!({}),
            json!({"advance_amount": 5, "future": [1]}),
        ] {
            assert!(offer("offered_terms", fine.clone()).is_ok(), "{fine}");
        }
        assert!(offer("metadata", json!({"a": "b"})).is_ok());
        assert!(offer("a_future_list", json!([{"x": 1}])).is_ok());
    }

    #[test]
    fn only_objects_are_stripes_objects() {
        for not_an_object in [
            json!([{"id": "financingoffer_1"}]),
            json!("x"),
            json!(1),
            json!(null),
        ] {
            let parsed = serde_json::from_value::<Whole<FinancingOffer>>(not_an_object.clone());
            assert!(parsed.is_err(), "{not_an_object}");
        }
    }

    #[test]
    fn fields_the_types_do_not_know_are_kept() {
        let sent = json!({"id": "financingoffer_1", "status": "delivered", "account": null,
                          "a_2027_field": {"nested": [1, 2]}, "offered_terms": {"advance_amount": 5, "new_term": "x"}});
        let mut offer: Whole<FinancingOffer> = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(offer.typed().id, "financingoffer_1");
        assert_eq!(offer.json(), &sent);
        offer.set_account("acct_1");
        offer.mark_replaced("financingoffer_2");
        assert_eq!(offer.json()["a_2027_field"], sent["a_2027_field"]);
        assert_eq!(offer.json()["offered_terms"]["new_term"], "x");
        assert_eq!(offer.json()["status"], "replaced");
        assert_eq!(offer.typed().account.as_deref(), Some("acct_1"));
    }
}
