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

impl<T: DeserializeOwned> Whole<T> {
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
        Ok(Whole {
            typed: T::deserialize(&json)?,
            json,
        })
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

impl<'de, T: DeserializeOwned> Deserialize<'de> for Whole<T> {
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
