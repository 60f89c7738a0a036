//! `utoipa::ToSchema` for the types whose JSON shape serde does not show to the derive: the open
//! enums (a string, any string: the known values are listed, not enforced, because Stripe adds
//! values without notice) and the platform copy (a map of texts and of languages). The structs
//! derive theirs beside their definitions (`feature = "openapi"`).

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::{
    AccountLinkType, CampaignType, DisclaimerVariant, FinancingType, OfferStatus, PlatformCopy,
    ProductType, SummaryStatus,
};

/// A string whose known values are `known`; others are kept, not refused.
fn open_string(description: &str, known: impl Iterator<Item = String>) -> RefOr<Schema> {
    let known: Vec<String> = known.collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!(
            "{description} Known values: {}. Stripe adds values without notice: a client keeps \
             any other string rather than refusing the object.",
            known
                .iter()
                .map(|value| format!("`{value}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .examples(known.into_iter().map(serde_json::Value::String))
        .into()
}

macro_rules! open_enum_schemas {
    ($($name:ident: $description:literal,)+) => {$(
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                open_string(
                    $description,
                    $name::KNOWN.iter().map(|value| value.as_str().to_owned()),
                )
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

open_enum_schemas! {
    OfferStatus: "The offer's status.",
    FinancingType: "The kind of financing.",
    ProductType: "A standard offer, or a refill of financing in progress.",
    CampaignType: "Who the offer is extended to.",
    DisclaimerVariant: "Which lender's legal notice applies.",
    SummaryStatus: "The financing summary's status.",
    AccountLinkType: "The Account Link's type.",
}

impl PartialSchema for PlatformCopy {
    fn schema() -> RefOr<Schema> {
        let texts = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Key → approved text, in one language."))
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)));
        let entry = OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The approved text for this key, in every language.")),
            )
            .item(texts);
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The platform's approved text, replacing the element's built-in copy key by key: a \
                 string value applies in every language, an object value holds the keys of one \
                 language (its BCP 47 tag or primary subtag). Keys the element does not know are \
                 ignored.",
            ))
            .additional_properties(Some(Schema::OneOf(entry.build())))
            .into()
    }
}

impl ToSchema for PlatformCopy {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PlatformCopy")
    }
}
