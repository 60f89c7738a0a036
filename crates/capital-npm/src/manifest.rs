//! `custom-elements.json`: the Custom Elements Manifest (schema 2.1.0) that editors, Storybook
//! and framework tools read to know the element's attributes, properties, events, parts, custom
//! properties and custom states.

use capital_offer_tile::model::interface::{
    CLASS, CSS_PROPERTIES, CUSTOM_STATES, Event, FETCH_SESSION_TOKEN_DESCRIPTION, PARTS,
    RELOAD_DESCRIPTION, STRINGS_DESCRIPTION, TAG,
};
use capital_offer_tile::model::options::Attribute;
use serde_json::{Value, json};

use crate::EMBED_FILES;
use crate::typescript::value_type;

pub fn manifest() -> Value {
    let module = EMBED_FILES[0];
    let attributes: Vec<Value> = Attribute::ALL
        .into_iter()
        .map(|attribute| {
            let spec = attribute.spec();
            let mut entry = json!({
                "name": attribute.name(),
                "fieldName": attribute.property(),
                "type": {"text": value_type(&spec.values)},
                "description": spec.description,
            });
            if let Some(default) = spec.default {
                entry["default"] = json!(format!("\"{default}\""));
            }
            entry
        })
        .collect();
    let mut members: Vec<Value> = Attribute::ALL
        .into_iter()
        .map(|attribute| {
            let spec = attribute.spec();
            json!({
                "kind": "field",
                "name": attribute.property(),
                "type": {"text": format!("{} | null", value_type(&spec.values))},
                "attribute": attribute.name(),
                "reflects": spec.reflects,
                "description": spec.description,
            })
        })
        .collect();
    members.push(json!({
        "kind": "field",
        "name": "strings",
        "type": {"text": "CapitalOfferStrings | undefined"},
        "description": STRINGS_DESCRIPTION,
    }));
    members.push(json!({
        "kind": "field",
        "name": "fetchSessionToken",
        "type": {"text": "CapitalOfferSessionTokenFetcher | undefined"},
        "description": FETCH_SESSION_TOKEN_DESCRIPTION,
    }));
    members.push(json!({
        "kind": "method",
        "name": "reload",
        "return": {"type": {"text": "void"}},
        "description": RELOAD_DESCRIPTION,
    }));
    let events: Vec<Value> = Event::ALL
        .into_iter()
        .map(|event| {
            json!({
                "name": event.name(),
                "type": {"text": event.event_type()},
                "description": event.description(),
            })
        })
        .collect();
    let parts: Vec<Value> = PARTS
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    let states: Vec<Value> = CUSTOM_STATES
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    let properties: Vec<Value> = CSS_PROPERTIES
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    let declaration = json!({"name": CLASS, "module": module});
    json!({
        "schemaVersion": "2.1.0",
        "readme": "README.md",
        "modules": [{
            "kind": "javascript-module",
            "path": module,
            "declarations": [{
                "kind": "class",
                "customElement": true,
                "name": CLASS,
                "tagName": TAG,
                "description": "A Stripe Capital offer, its application and its financing, from the platform backend's `GET {api-base}/offer`.",
                "superclass": {"name": "HTMLElement"},
                "attributes": attributes,
                "members": members,
                "events": events,
                "cssParts": parts,
                "cssProperties": properties,
                "cssStates": states,
            }],
            "exports": [
                {"kind": "js", "name": CLASS, "declaration": declaration},
                {"kind": "custom-element-definition", "name": TAG, "declaration": declaration},
            ],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_attribute_event_and_part() {
        let manifest = manifest();
        let element = &manifest["modules"][0]["declarations"][0];
        assert_eq!(element["tagName"], TAG);
        let names = |key: &str| -> Vec<String> {
            element[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let attributes: Vec<String> = Attribute::ALL.iter().map(|a| a.name().to_owned()).collect();
        assert_eq!(names("attributes"), attributes);
        assert_eq!(
            names("events"),
            [
                "capital-offer-loaded",
                "capital-offer-launch",
                "capital-offer-error"
            ]
        );
        assert_eq!(names("cssParts").len(), PARTS.len());
        assert_eq!(
            names("cssStates"),
            [
                "loading",
                "offer",
                "review",
                "financing",
                "paid",
                "rejected",
                "error",
                "collapsed"
            ]
        );
        assert!(names("members").contains(&"reload".to_owned()));
        let theme = &element["attributes"][4];
        assert_eq!(theme["name"], "theme");
        assert_eq!(theme["type"]["text"], "'light' | 'dark' | 'auto'");
        assert_eq!(theme["default"], "\"auto\"");
        let reflected: Vec<&Value> = element["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["reflects"] == true)
            .collect();
        assert_eq!(reflected.len(), 2);
    }
}
