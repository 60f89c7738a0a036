//! `GET /api/capital/offer/events`: the current state, then every change, per account only;
//! reconnects with `Last-Event-ID`; bounded streams.

#[path = "support/harness.rs"]
mod harness;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use harness::{BAKERY, ROCKET, TestApp};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An open event stream, read frame by frame.
struct Stream {
    body: Body,
    buffer: String,
}

/// One server-sent event.
#[derive(Debug)]
struct Sent {
    event: String,
    id: String,
    data: Value,
}

impl Stream {
    async fn open(
        app: &TestApp,
        cookie: &str,
        last_event_id: Option<&str>,
    ) -> Result<Stream, (StatusCode, String)> {
        let mut request = Request::get("/api/capital/offer/events").header("cookie", cookie);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = app
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        if response.status() != StatusCode::OK {
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            return Err((status, String::from_utf8_lossy(&bytes).into_owned()));
        }
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Ok(Stream {
            body: response.into_body(),
            buffer: String::new(),
        })
    }

    /// The next event (keep-alive comments skipped), or `None` within `wait`.
    async fn next_within(&mut self, wait: Duration) -> Option<Sent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut sent = Sent {
                    event: String::new(),
                    id: String::new(),
                    data: Value::Null,
                };
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        sent.event = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("id: ") {
                        sent.id = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        sent.data = serde_json::from_str(value).unwrap();
                    }
                }
                if sent.event.is_empty() {
                    continue; // a comment
                }
                return Some(sent);
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(data) = frame.unwrap().into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }

    async fn next(&mut self) -> Sent {
        self.next_within(Duration::from_secs(2))
            .await
            .expect("an event within 2 s")
    }
}

#[tokio::test]
async fn the_stream_sends_the_current_state_then_each_change() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let offer = app
        .admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let id = offer["id"].as_str().unwrap().to_owned();

    let mut stream = Stream::open(&app, &cookie, None).await.unwrap();
    let first = stream.next().await;
    assert_eq!(first.event, "offer");
    assert_eq!(
        first.data,
        app.offer_state(&cookie).await,
        "the same JSON as GET /offer"
    );

    // Each change, whatever makes it: the sandbox's actions are webhooks like Stripe's.
    for (action, body, status) in [
        ("accept", json!({"amount": 50_000}), "accepted"),
        ("approve", json!({}), "paid_out"),
    ] {
        let began = std::time::Instant::now();
        app.admin(&format!("/offers/{id}/{action}"), body).await;
        let sent = stream.next().await;
        assert_eq!(sent.data["offer"]["status"], status);
        assert!(
            began.elapsed() < Duration::from_secs(1),
            "{:?}",
            began.elapsed()
        );
        assert_ne!(sent.id, first.id);
    }
    // A payment changes the summary only: that is a change too.
    app.admin(&format!("/offers/{id}/repay"), json!({"amount": 10_000}))
        .await;
    let sent = stream.next().await;
    assert_eq!(sent.data["summary"]["details"]["paid_amount"], 10_000);
}

#[tokio::test]
async fn a_reconnect_with_its_last_event_id_is_sent_only_what_changed() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let offer = app
        .admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let mut stream = Stream::open(&app, &cookie, None).await.unwrap();
    let seen = stream.next().await;
    drop(stream);

    // Nothing changed meanwhile: nothing is sent again.
    let mut again = Stream::open(&app, &cookie, Some(&seen.id)).await.unwrap();
    assert!(
        again
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );
    drop(again);

    // A change while disconnected is sent at once on reconnect.
    let id = offer["id"].as_str().unwrap();
    app.admin(&format!("/offers/{id}/accept"), json!({"amount": 50_000}))
        .await;
    let mut again = Stream::open(&app, &cookie, Some(&seen.id)).await.unwrap();
    assert_eq!(again.next().await.data["offer"]["status"], "accepted");
}

#[tokio::test]
async fn one_account_never_sees_anothers_states() {
    let app = TestApp::new().await;
    let rocket = app.sign_in(ROCKET).await;
    let bakery = app.sign_in(BAKERY).await;
    let mut rockets = Stream::open(&app, &rocket, None).await.unwrap();
    let mut bakerys = Stream::open(&app, &bakery, None).await.unwrap();
    assert_eq!(rockets.next().await.data["offer"], Value::Null);
    assert_eq!(bakerys.next().await.data["offer"], Value::Null);

    app.admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    assert_eq!(rockets.next().await.data["offer"]["account"], ROCKET);
    assert!(
        bakerys
            .next_within(Duration::from_millis(400))
            .await
            .is_none(),
        "the other account's stream stays quiet"
    );
}

#[tokio::test]
async fn streams_are_bounded_per_session_and_in_total_and_need_a_session() {
    let mut config = capital_platform::Config::for_tests();
    config.max_streams = 3;
    config.max_streams_per_session = 2;
    let app = TestApp::with_config(config).await;

    assert_eq!(
        Stream::open(&app, "capital_session=forged", None)
            .await
            .err()
            .unwrap()
            .0,
        StatusCode::UNAUTHORIZED
    );
    let one = app.sign_in(ROCKET).await;
    let other = app.sign_in(ROCKET).await;
    let a = Stream::open(&app, &one, None).await.unwrap();
    let _b = Stream::open(&app, &one, None).await.unwrap();
    let (status, text) = Stream::open(&app, &one, None).await.err().unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["type"], "rate_limit_error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already has 2 live streams")
    );

    let _c = Stream::open(&app, &other, None).await.unwrap();
    assert_eq!(
        Stream::open(&app, &other, None).await.err().unwrap().0,
        StatusCode::TOO_MANY_REQUESTS,
        "three in total"
    );
    assert_eq!(app.state.streams.open(), 3);
    drop(a);
    // The slot is freed when the stream's body is dropped.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(Stream::open(&app, &other, None).await.is_ok());
}
