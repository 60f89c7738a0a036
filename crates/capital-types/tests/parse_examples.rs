//! Every JSON example from the seed documents and every object in Stripe's (synthetic) fixtures
//! parses, keeps what it says, and survives a serialise/parse round-trip.

use capital_types::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) {
    let again: T = serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap();
    assert_eq!(&again, value);
}

#[test]
fn offer_object_example() {
    let offer: FinancingOffer =
        serde_json::from_value(fixture("seed-financing-offer-object-0.json")).unwrap();
    assert_eq!(offer.id, "financingoffer_1NPvKg2eZvKYlo2CnEEmlCVh");
    assert_eq!(offer.status, OfferStatus::Undelivered);
    assert_eq!(offer.financing_type, Some(FinancingType::FlexLoan));
    assert_eq!(offer.product_type, Some(ProductType::Standard));
    assert_eq!(offer.expires_after, Some(1690934400.0));
    let terms = offer.offered_terms.as_ref().unwrap();
    assert_eq!(terms.advance_amount, Some(10000));
    assert_eq!(terms.fee_amount, Some(1000));
    assert_eq!(terms.withhold_rate, Some(0.05));
    assert_eq!(terms.campaign_type, Some(CampaignType::NewlyEligibleUser));
    assert_eq!(terms.previous_financing_fee_discount_rate, None);
    round_trip(&offer);
}

#[test]
fn refill_accepted_webhook_example() {
    let event = fixture("seed-capital-refills-0.json");
    // This example has `created_at` where the object has `created`; it must still parse.
    let offer: FinancingOffer = serde_json::from_value(event["data"]["object"].clone()).unwrap();
    assert_eq!(offer.status, OfferStatus::Accepted);
    assert!(offer.is_refill());
    let offered = offer.offered_terms.as_ref().unwrap();
    assert_eq!(offered.campaign_type, Some(CampaignType::RepeatUser));
    assert_eq!(offered.previous_financing_fee_discount_rate, Some(0.5));
    let accepted = offer.accepted_terms.as_ref().unwrap();
    assert_eq!(accepted.advance_amount, Some(100000));
    assert_eq!(accepted.previous_financing_fee_discount_amount, None);
    assert_eq!(offer.created, None);
    round_trip(&offer);
}

#[test]
fn summary_examples() {
    for name in [
        "seed-capital-refills-1.json",
        "seed-capital-api-integration-2.json",
    ] {
        let summary: FinancingSummary = serde_json::from_value(fixture(name)).unwrap();
        let details = summary.details.as_ref().unwrap();
        assert_eq!(details.currency, Some(Currency::from("usd")));
        assert_eq!(details.advance_amount, Some(1000000));
        assert_eq!(details.withhold_rate, Some(0.2));
        let interval = details.current_repayment_interval.as_ref().unwrap();
        assert_eq!(interval.paid_amount, Some(50));
        round_trip(&summary);
    }
}

#[test]
fn account_link_example() {
    let link: AccountLink =
        serde_json::from_value(fixture("seed-capital-api-integration-1.json")).unwrap();
    assert_eq!(
        link.url,
        "https://connect.stripe.com/capital/offer/SrjgLUfa0O7K"
    );
    assert_eq!(link.expires_at, Some(1611264896));
    round_trip(&link);
}

#[test]
fn replacement_examples() {
    let event = fixture("seed-capital-replacements-0.json");
    let new: FinancingOffer = serde_json::from_value(event["data"]["object"].clone()).unwrap();
    assert_eq!(
        new.replacement_for.as_deref(),
        Some("financingoffer_abc123")
    );
    assert_eq!(new.status, OfferStatus::Delivered);
    let old: FinancingOffer =
        serde_json::from_value(fixture("seed-capital-replacements-1.json")).unwrap();
    assert_eq!(old.status, OfferStatus::Replaced);
    assert_eq!(old.replacement.as_deref(), Some("financingoffer_xyz456"));
    assert!(old.status.is_terminal());
}

#[test]
fn stripe_synthetic_fixtures_parse() {
    let fixtures = fixture("stripe-openapi-fixtures.json");
    let resources = &fixtures["resources"];

    let offer: FinancingOffer =
        serde_json::from_value(resources["capital.financing_offer"].clone()).unwrap();
    assert_eq!(offer.status, OfferStatus::Accepted);
    assert_eq!(offer.offered_terms, None);
    round_trip(&offer);

    let summary: FinancingSummary =
        serde_json::from_value(resources["capital.financing_summary"].clone()).unwrap();
    let details = summary.details.as_ref().unwrap();
    assert_eq!(
        details.currency.as_ref().unwrap().iso_code(),
        None,
        "placeholder currency is not ISO"
    );
    assert_eq!(details.withhold_rate, Some(65076826.0));
    assert_eq!(
        details
            .current_repayment_interval
            .as_ref()
            .unwrap()
            .paid_amount,
        None
    );
    assert_eq!(summary.status, None);
    round_trip(&summary);

    let transaction: FinancingTransaction =
        serde_json::from_value(resources["capital.financing_transaction"].clone()).unwrap();
    assert_eq!(transaction.transaction_type, TransactionType::Payment);
    round_trip(&transaction);

    for link in [
        &resources["account_link"],
        &fixtures["resources_ga_fixtures3.json"]["account_link"],
    ] {
        let link: AccountLink = serde_json::from_value(link.clone()).unwrap();
        assert!(link.url.starts_with("https://"));
    }
}

#[test]
fn unknown_enum_values_are_kept() {
    let offer: FinancingOffer = serde_json::from_value(serde_json::json!({
        "id": "financingoffer_future",
        "status": "revoked",
        "financing_type": "revenue_based_loan",
        "product_type": "top_up",
        "disclaimer_variant": "new_lender_jp",
        "offered_terms": {"campaign_type": "winback_user", "advance_amount": 5, "currency": "usd"},
    }))
    .unwrap();
    assert_eq!(offer.status, OfferStatus::Other("revoked".into()));
    assert!(!offer.status.is_known());
    assert_eq!(
        offer.financing_type,
        Some(FinancingType::Other("revenue_based_loan".into()))
    );
    assert_eq!(offer.product_type.as_ref().unwrap().as_str(), "top_up");
    assert_eq!(
        offer.disclaimer_variant.as_ref().unwrap().as_str(),
        "new_lender_jp"
    );
    let value = serde_json::to_value(&offer).unwrap();
    assert_eq!(value["status"], "revoked");
    assert_eq!(value["offered_terms"]["campaign_type"], "winback_user");
}

#[test]
fn absent_and_null_are_alike() {
    let with_nulls: FinancingOffer = serde_json::from_value(serde_json::json!({
        "id": "financingoffer_1", "status": "delivered", "replacement": null, "replacement_for": null,
        "charged_off_at": null, "offered_terms": null, "accepted_terms": null, "financing_type": null,
        "product_type": null, "status_transitions": null, "metadata": null, "disclaimer_variant": null,
    }))
    .unwrap();
    let absent: FinancingOffer = serde_json::from_value(
        serde_json::json!({"id": "financingoffer_1", "status": "delivered"}),
    )
    .unwrap();
    assert_eq!(with_nulls, absent);
}

#[test]
fn legacy_type_fills_in_for_financing_type() {
    let offer: FinancingOffer = serde_json::from_value(
        serde_json::json!({"id": "o", "status": "delivered", "type": "fixed_term_loan"}),
    )
    .unwrap();
    assert_eq!(
        offer.effective_financing_type(),
        Some(&FinancingType::FixedTermLoan)
    );
}

#[test]
fn offer_state_parses_with_every_part_null() {
    let state: OfferState =
        serde_json::from_str(r#"{"offer": null, "summary": null, "branding": null}"#).unwrap();
    assert_eq!(state, OfferState::default());
    let state: OfferState = serde_json::from_str("{}").unwrap();
    assert_eq!(state, OfferState::default());
}

#[test]
fn requests_refuse_unknown_fields_and_types() {
    let ok: AccountLinkRequest =
        serde_json::from_str(r#"{"type": "capital_financing_offer"}"#).unwrap();
    assert_eq!(ok.link_type, AccountLinkType::CapitalFinancingOffer);
    assert!(
        serde_json::from_str::<AccountLinkRequest>(r#"{"type": "x", "account": "acct_1"}"#)
            .is_err()
    );
    assert!(
        serde_json::from_str::<MarkDeliveredRequest>(r#"{"offer": "o", "account": "acct_1"}"#)
            .is_err()
    );
}

#[test]
fn error_envelope_shape() {
    let envelope = ErrorEnvelope::new("invalid_request_error", "No such offer");
    let value = serde_json::to_value(&envelope).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"error": {"type": "invalid_request_error", "message": "No such offer"}})
    );
}
