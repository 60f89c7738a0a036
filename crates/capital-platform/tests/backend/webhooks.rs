//! `POST /webhooks/stripe` over HTTP: signatures, idempotency, ordering.

use crate::harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use capital_platform::stripe::webhook_signature::sign;
use harness::{ROCKET, TestApp};
use serde_json::{Value, json};

const SECRET: &str = "whsec_sandbox_local";

fn now() -> i64 {
    capital_platform::sandbox::now()
}

fn event(id: &str, kind: &str, created: i64, status: &str) -> Value {
    json!({
        "id": id, "object": "event", "type": format!("capital.financing_offer.{kind}"), "created": created,
        "data": {"object": {"id": "financingoffer_hook", "object": "capital.financing_offer", "account": ROCKET,
                            "status": status, "created": 100, "expires_after": 9e9,
                            "offered_terms": {"advance_amount": 5000, "currency": "usd", "fee_amount": 500, "withhold_rate": 0.1}}},
    })
}

async fn deliver(app: &TestApp, body: &str, signature: Option<String>) -> (StatusCode, Value) {
    let mut request = Request::post("/webhooks/stripe").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    let answer = app
        .send(request.body(Body::from(body.to_owned())).unwrap())
        .await;
    (answer.status, answer.json())
}

async fn status_seen(app: &TestApp) -> Value {
    let cookie = app.sign_in(ROCKET).await;
    app.offer_state(&cookie).await["offer"]["status"].clone()
}

#[tokio::test]
async fn signed_events_are_ingested_and_forgeries_refused() {
    let app = TestApp::new().await;
    let body = event("evt_1", "created", now(), "undelivered").to_string();

    let (status, answer) = deliver(
        &app,
        &body,
        Some(sign(body.as_bytes(), "whsec_wrong", now())),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "forged");
    assert_eq!(answer["error"]["type"], "signature_verification_error");
    let (status, _) = deliver(
        &app,
        &body,
        Some(sign(body.as_bytes(), SECRET, now() - 301)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "stale");
    let (status, _) = deliver(&app, &body, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unsigned");
    let tampered = body.replace("undelivered", "paid_out");
    let (status, _) = deliver(&app, &tampered, Some(sign(body.as_bytes(), SECRET, now()))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "tampered");
    assert_eq!(
        status_seen(&app).await,
        Value::Null,
        "nothing refused was stored"
    );

    // Several v1 signatures (secret rotation): one valid is enough.
    let good = sign(body.as_bytes(), SECRET, now());
    let header = format!("{},v1={},v0=ignored", good, "ab".repeat(32));
    let (status, answer) = deliver(&app, &body, Some(header)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, json!({"received": true}));
    assert_eq!(status_seen(&app).await, "undelivered");
}

#[tokio::test]
async fn duplicates_and_out_of_order_events_never_go_backwards() {
    let app = TestApp::new().await;
    let t = now();
    let accepted = event("evt_accepted", "accepted", t, "accepted").to_string();
    let created = event("evt_created", "created", t - 60, "undelivered").to_string();
    let same_second_earlier_stage = event("evt_delivered", "created", t, "delivered").to_string();

    let (status, _) = deliver(
        &app,
        &accepted,
        Some(sign(accepted.as_bytes(), SECRET, now())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The older `created` arrives late: it must not undo the acceptance.
    deliver(
        &app,
        &created,
        Some(sign(created.as_bytes(), SECRET, now())),
    )
    .await;
    assert_eq!(status_seen(&app).await, "accepted");
    // Same second, earlier lifecycle stage: also ignored.
    deliver(
        &app,
        &same_second_earlier_stage,
        Some(sign(same_second_earlier_stage.as_bytes(), SECRET, now())),
    )
    .await;
    assert_eq!(status_seen(&app).await, "accepted");
    // A retried event is acknowledged and not applied twice.
    let (status, answer) = deliver(
        &app,
        &accepted,
        Some(sign(accepted.as_bytes(), SECRET, now())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["duplicate"], true);
}

#[tokio::test]
async fn unknown_events_are_acknowledged_and_broken_ones_kept_as_dead_letters() {
    let app = TestApp::new().await;
    let unknown = json!({"id": "evt_x", "type": "capital.financing_summary.line_of_credit_update", "created": now(), "data": {"object": {}}}).to_string();
    let (status, _) = deliver(
        &app,
        &unknown,
        Some(sign(unknown.as_bytes(), SECRET, now())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let broken = json!({"id": "evt_y", "type": "capital.financing_offer.created", "created": now(), "data": {"object": {"nope": 1}}}).to_string();
    let (status, answer) =
        deliver(&app, &broken, Some(sign(broken.as_bytes(), SECRET, now()))).await;
    // Acknowledged, so Stripe does not retry it for days; kept with the reason.
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["dead_letter"]["id"], "evt_y");
    let letters = app.state.store.dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].event_id, "evt_y");
    assert_eq!(
        letters[0].event_type.as_deref(),
        Some("capital.financing_offer.created")
    );
    assert!(letters[0].reason.contains("evt_y"), "{}", letters[0].reason);
    assert_eq!(letters[0].body, broken);
    // Not marked processed: a corrected retry of the same id is applied.
    let fixed = event("evt_y", "created", now(), "undelivered").to_string();
    let (status, answer) = deliver(&app, &fixed, Some(sign(fixed.as_bytes(), SECRET, now()))).await;
    assert_eq!(
        (status, answer["duplicate"].clone()),
        (StatusCode::OK, Value::Null)
    );
}

#[tokio::test]
async fn oversized_webhooks_are_refused_and_signed_non_events_kept_as_dead_letters() {
    let app = TestApp::new().await;
    let huge = json!({"id": "evt_big", "type": "capital.financing_offer.created", "created": now(), "data": {"object": {"pad": "x".repeat(300 * 1024)}}}).to_string();
    let (status, _) = deliver(&app, &huge, Some(sign(huge.as_bytes(), SECRET, now()))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let text = "not json";
    let (status, answer) = deliver(&app, text, Some(sign(text.as_bytes(), SECRET, now()))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["dead_letter"]["id"].as_str().unwrap();
    assert!(id.starts_with("sha256:"), "{id}");
    assert!(
        answer["dead_letter"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not a Stripe event")
    );
    // The same body again is kept once; unsigned, it is refused as before.
    deliver(&app, text, Some(sign(text.as_bytes(), SECRET, now()))).await;
    assert_eq!(app.state.store.dead_letters(10).await.unwrap().len(), 1);
    let (status, _) = deliver(&app, text, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn signed_events_whose_objects_are_not_objects_are_dead_letters_and_the_server_carries_on() {
    let app = TestApp::new().await;
    let shapes = [
        json!([{"id": "financingoffer_hook", "account": ROCKET, "status": "delivered"}]),
        json!("financingoffer_hook"),
        json!(42),
        json!(null),
    ];
    for (n, object) in shapes.into_iter().enumerate() {
        for kind in ["created", "replacement_created", "accepted"] {
            let mut sent = event(&format!("evt_shape_{n}_{kind}"), kind, now(), "delivered");
            sent["data"]["object"] = object.clone();
            let body = sent.to_string();
            let (status, answer) =
                deliver(&app, &body, Some(sign(body.as_bytes(), SECRET, now()))).await;
            assert_eq!(status, StatusCode::OK, "{object} {kind}: {answer}");
            assert_eq!(
                answer["dead_letter"]["id"],
                format!("evt_shape_{n}_{kind}"),
                "{answer}"
            );
        }
    }
    // Still serving, and a well-formed event is applied.
    let body = event("evt_shape_fine", "created", now(), "delivered").to_string();
    let (status, _) = deliver(&app, &body, Some(sign(body.as_bytes(), SECRET, now()))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_seen(&app).await, "delivered");
}

#[tokio::test]
async fn with_the_database_down_every_signed_event_is_a_5xx_so_stripe_retries_it() {
    let app = TestApp::new().await;
    app.state.store.pool().close().await;
    let good = event("evt_down_good", "created", now(), "undelivered").to_string();
    let broken = json!({"id": "evt_down_broken", "type": "capital.financing_offer.created", "created": now(), "data": {"object": [1]}}).to_string();
    for body in [good, broken] {
        let (status, answer) =
            deliver(&app, &body, Some(sign(body.as_bytes(), SECRET, now()))).await;
        assert!(status.is_server_error(), "{status} {answer}");
        assert_eq!(answer["error"]["type"], "api_error", "{answer}");
    }
}
