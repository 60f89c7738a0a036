//! [`FromJson`] for the objects the element receives, field for field as their serde derives
//! read them (`tests/fuzz_parsing.rs` holds the two together: both must accept, refuse and decode alike).

use std::cell::Cell;
use std::collections::BTreeMap;

use super::{Error, FromJson, Json};
use crate::offer::{
    AcceptedTerms, FinancingOffer, OfferedTerms, RepaymentIntervalConfiguration, StatusTransitions,
};
use crate::summary::{CurrentRepaymentInterval, FinancingSummary, SummaryDetails};
use crate::{AccountLink, Branding, Currency, OfferState, OfferStatus, PlatformCopy};

/// A struct's fields, read in declaration order: by name from an object, or by position from an
/// array (serde reads a struct from either; Stripe sends objects).
struct Fields<'j, 'a> {
    value: &'j Json<'a>,
    /// Position of the next field read; impls read fields in their declaration order.
    next: Cell<usize>,
}

impl<'j, 'a> Fields<'j, 'a> {
    /// `count` is the struct's number of fields: a longer array is refused.
    fn of(value: &'j Json<'a>, count: usize) -> Result<Self, Error> {
        match value {
            Json::Object(_) => {}
            Json::Array(items) if items.len() <= count => {}
            Json::Array(_) => return Err(Error::new("too many elements for a struct")),
            _ => return Err(Error::new("expected an object")),
        }
        Ok(Fields {
            value,
            next: Cell::new(0),
        })
    }

    /// The field's value; a field given twice is refused, as serde's derive does.
    fn get(&self, name: &'static str) -> Result<Option<&'j Json<'a>>, Error> {
        let position = self.next.replace(self.next.get() + 1);
        let entries = match self.value {
            Json::Array(items) => return Ok(items.get(position)),
            Json::Object(entries) => entries,
            _ => return Ok(None),
        };
        let mut found = None;
        for (key, value) in entries {
            if *key.as_ref().map_err(Clone::clone)? == name {
                if found.is_some() {
                    return Err(Error::new("duplicate field").at(name));
                }
                found = Some(value);
            }
        }
        Ok(found)
    }

    /// An optional field: absent and `null` are both `None`.
    fn optional<T: FromJson>(&self, name: &'static str) -> Result<Option<T>, Error> {
        match self.get(name)? {
            None | Some(Json::Null) => Ok(None),
            Some(value) => T::from_json(value).map(Some).map_err(|e| e.at(name)),
        }
    }

    /// Reads an optional field into `slot`. Filling a default value field by field keeps one
    /// exit path per struct, where a struct literal of `?`s makes one per field, each dropping the
    /// fields before it (quadratic code for an 18-field offer).
    fn read<T: FromJson>(&self, name: &'static str, slot: &mut Option<T>) -> Result<(), Error> {
        *slot = self.optional(name)?;
        Ok(())
    }

    fn required<T: FromJson>(&self, name: &'static str) -> Result<T, Error> {
        match self.get(name)? {
            Some(value) => T::from_json(value).map_err(|e| e.at(name)),
            None => Err(Error::new("missing field").at(name)),
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, Error> {
        match value {
            Json::String(text) => text.clone(),
            _ => Err(Error::new("expected a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<Self, Error> {
        match value {
            Json::Bool(flag) => Ok(*flag),
            _ => Err(Error::new("expected a boolean")),
        }
    }
}

impl FromJson for i64 {
    /// Integers as serde_json reads them: written without fraction or exponent, within `i64`, and
    /// not `-0` (which serde_json reads as a float).
    fn from_json(value: &Json) -> Result<Self, Error> {
        match value {
            Json::Number(text) if *text != "-0" && !text.contains(['.', 'e', 'E']) => {
                text.parse().map_err(|_| Error::new("integer out of range"))
            }
            _ => Err(Error::new("expected an integer")),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json) -> Result<Self, Error> {
        match value {
            Json::Number(text) => Some(parse_float(text))
                .filter(|number| number.is_finite())
                .ok_or_else(|| Error::new("number out of range")),
            _ => Err(Error::new("expected a number")),
        }
    }
}

/// `text` is a valid JSON number; out-of-range values come back infinite.
#[cfg(not(all(feature = "js-numbers", target_arch = "wasm32")))]
fn parse_float(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

#[cfg(all(feature = "js-numbers", target_arch = "wasm32"))]
fn parse_float(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

impl FromJson for Currency {
    fn from_json(value: &Json) -> Result<Self, Error> {
        String::from_json(value).map(Currency::new)
    }
}

impl FromJson for BTreeMap<String, String> {
    /// A later duplicate key replaces an earlier one, as serde_json does for maps.
    fn from_json(value: &Json) -> Result<Self, Error> {
        let Json::Object(entries) = value else {
            return Err(Error::new("expected an object"));
        };
        let mut map = BTreeMap::new();
        for (key, value) in entries {
            map.insert(key.clone()?, String::from_json(value)?);
        }
        Ok(map)
    }
}

impl FromJson for PlatformCopy {
    /// As its serde impl (which reads the value as a `serde_json::Value`): strings for every
    /// language, objects of strings for one, anything else (and anything but an object) ignored,
    /// the last of duplicate keys kept. Ignored values are still checked as serde_json checks
    /// them (no lone surrogates, no numbers out of range), so the two readers refuse alike.
    fn from_json(value: &Json) -> Result<Self, Error> {
        let mut copy = PlatformCopy::default();
        let Json::Object(entries) = value else {
            return checked(value).map(|()| copy);
        };
        for (index, (key, value)) in entries.iter().enumerate() {
            let key = key.clone()?;
            let replaced = entries[index + 1..]
                .iter()
                .any(|(later, _)| later.as_ref().is_ok_and(|later| *later == key));
            match value {
                _ if replaced => checked(value)?,
                Json::String(text) => copy.insert_text(key, text.clone()?),
                Json::Object(entries) => {
                    let mut texts = PlatformCopy::default();
                    for (inner, value) in entries {
                        let inner = inner.clone()?;
                        match value {
                            Json::String(text) => texts.insert_text(inner, text.clone()?),
                            // A skipped duplicate is dropped by the later one.
                            _ => {
                                checked(value)?;
                                texts.all.retain(|(k, _)| *k != inner);
                            }
                        }
                    }
                    copy.insert_language(key, texts.all);
                }
                _ => checked(value)?,
            }
        }
        Ok(copy)
    }
}

/// Refuses what serde_json refuses when it reads a value it then ignores.
fn checked(value: &Json) -> Result<(), Error> {
    match value {
        Json::String(text) => text.as_ref().map(|_| ()).map_err(Clone::clone),
        Json::Number(_) => f64::from_json(value).map(|_| ()),
        Json::Array(items) => items.iter().try_for_each(checked),
        Json::Object(entries) => entries.iter().try_for_each(|(key, value)| {
            key.as_ref().map_err(Clone::clone)?;
            checked(value)
        }),
        Json::Null | Json::Bool(_) => Ok(()),
    }
}

/// `FromJson` for structs whose fields are all optional and named as in JSON: each is filled from
/// its default field by field, in declaration order (which is also its position in an array).
macro_rules! optional_fields {
    ($($name:ident { $($field:ident),+ $(,)? })+) => {$(
        impl FromJson for $name {
            fn from_json(value: &Json) -> Result<Self, Error> {
                let fields = Fields::of(value, [$(stringify!($field)),+].len())?;
                let mut decoded = $name::default();
                $(fields.read(stringify!($field), &mut decoded.$field)?;)+
                Ok(decoded)
            }
        }
    )+};
}

optional_fields! {
    OfferState { offer, summary, branding, copy }
    RepaymentIntervalConfiguration { duration_days, maximum_amount, minimum_amount }
    StatusTransitions {
        accepted_at, canceled_at, fully_repaid_at, paid_out_at, rejected_at, replaced_at
    }
    FinancingSummary { object, details, financing_offer, status }
    CurrentRepaymentInterval { due_at, paid_amount, remaining_amount }
    Branding { business_name, icon, logo, primary_color, secondary_color }
    OfferedTerms {
        advance_amount,
        campaign_type,
        currency,
        fee_amount,
        previous_financing_fee_discount_rate,
        repayment_interval_configuration,
        target_payback_days,
        withhold_rate,
    }
    AcceptedTerms {
        advance_amount,
        currency,
        fee_amount,
        previous_financing_fee_discount_amount,
        repayment_interval_configuration,
        target_payback_days,
        withhold_rate,
    }
    SummaryDetails {
        advance_amount,
        advance_paid_out_at,
        currency,
        current_repayment_interval,
        disclaimer_variant,
        fee_amount,
        paid_amount,
        remaining_amount,
        repayments_begin_at,
        withhold_rate,
    }
}

impl FromJson for FinancingOffer {
    fn from_json(value: &Json) -> Result<Self, Error> {
        let fields = Fields::of(value, 18)?;
        let mut offer = FinancingOffer {
            id: fields.required("id")?,
            object: None,
            account: None,
            accepted_terms: None,
            charged_off_at: None,
            created: None,
            disclaimer_variant: None,
            expires_after: None,
            financing_type: None,
            livemode: None,
            metadata: None,
            offered_terms: None,
            product_type: None,
            replacement: None,
            replacement_for: None,
            status: OfferStatus::Other(String::new()),
            status_transitions: None,
            legacy_type: None,
        };
        fields.read("object", &mut offer.object)?;
        fields.read("account", &mut offer.account)?;
        fields.read("accepted_terms", &mut offer.accepted_terms)?;
        fields.read("charged_off_at", &mut offer.charged_off_at)?;
        fields.read("created", &mut offer.created)?;
        fields.read("disclaimer_variant", &mut offer.disclaimer_variant)?;
        fields.read("expires_after", &mut offer.expires_after)?;
        fields.read("financing_type", &mut offer.financing_type)?;
        fields.read("livemode", &mut offer.livemode)?;
        fields.read("metadata", &mut offer.metadata)?;
        fields.read("offered_terms", &mut offer.offered_terms)?;
        fields.read("product_type", &mut offer.product_type)?;
        fields.read("replacement", &mut offer.replacement)?;
        fields.read("replacement_for", &mut offer.replacement_for)?;
        offer.status = fields.required("status")?;
        fields.read("status_transitions", &mut offer.status_transitions)?;
        fields.read("type", &mut offer.legacy_type)?;
        Ok(offer)
    }
}

impl FromJson for AccountLink {
    fn from_json(value: &Json) -> Result<Self, Error> {
        let fields = Fields::of(value, 4)?;
        let mut link = AccountLink {
            object: None,
            created: None,
            expires_at: None,
            url: String::new(),
        };
        fields.read("object", &mut link.object)?;
        fields.read("created", &mut link.created)?;
        fields.read("expires_at", &mut link.expires_at)?;
        link.url = fields.required("url")?;
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::super::from_str;
    use super::*;
    use crate::{OfferStatus, ProductType};

    #[test]
    fn an_offer_state_decodes() {
        let state: OfferState = from_str(
            r#"{"offer": {"id": "ofr_1", "status": "delivered", "product_type": "refill", "type": "flex_loan",
                "offered_terms": {"advance_amount": 9223372036854775807, "currency": "usd", "withhold_rate": 0.125},
                "metadata": {"a": "1", "a": "2"}, "future_field": [1, {"x": null}]},
               "summary": null}"#,
        )
        .unwrap();
        let offer = state.offer.unwrap();
        assert_eq!(offer.status, OfferStatus::Delivered);
        assert_eq!(offer.product_type, Some(ProductType::Refill));
        assert_eq!(offer.legacy_type.unwrap().as_str(), "flex_loan");
        let terms = offer.offered_terms.unwrap();
        assert_eq!(terms.advance_amount, Some(i64::MAX));
        assert_eq!(terms.withhold_rate, Some(0.125));
        assert_eq!(offer.metadata.unwrap()["a"], "2");
        assert_eq!(state.summary, None);
    }

    #[test]
    fn integers_are_read_as_serde_json_reads_them() {
        let read = |text: &str| i64::from_json(&Json::Number(text));
        assert_eq!(read("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(read("0"), Ok(0));
        for refused in ["-0", "1.0", "1e3", "9223372036854775808"] {
            assert!(read(refused).is_err(), "{refused}");
        }
        assert!(f64::from_json(&Json::Number("1e400")).is_err());
        assert_eq!(f64::from_json(&Json::Number("12")), Ok(12.0));
    }

    #[test]
    fn errors_say_what_and_where() {
        let error = from_str::<OfferState>(r#"{"offer": {"status": "delivered"}}"#).unwrap_err();
        assert_eq!(error.to_string(), "missing field at `id`");
        let error =
            from_str::<AccountLink>(r#"{"url": "https://x", "url": "https://y"}"#).unwrap_err();
        assert_eq!(error.to_string(), "duplicate field at `url`");
        let error = from_str::<OfferState>(r#"{"offer": {"id": 5, "status": "x"}}"#).unwrap_err();
        assert_eq!(error.to_string(), "expected a string at `id`");
        assert!(from_str::<OfferState>("7").is_err());
    }

    #[test]
    fn structs_read_from_arrays_by_position_as_serde_does() {
        assert_eq!(from_str::<OfferState>("[]"), Ok(OfferState::default()));
        let link: AccountLink = from_str(r#"[null, 1, 2, "https://x"]"#).unwrap();
        assert_eq!((link.created, link.url.as_str()), (Some(1), "https://x"));
        assert!(from_str::<AccountLink>("[null, 1, 2]").is_err());
        assert!(from_str::<OfferState>("[null, null, null, null, null]").is_err());
    }
}
