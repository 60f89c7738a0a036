//! `GET /api/capital/offer/events`: the current state, then every change, per account only;
//! reconnects with `Last-Event-ID`; bounded streams.

use crate::harness;

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
        // Neither cached nor compressed by a proxy on the way (a compressing one holds events).
        assert_eq!(
            response.headers()["cache-control"],
            "no-store, no-transform"
        );
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
                // Each event's data is what the OpenAPI document says `GET /offer` answers.
                harness::contract::assert_valid(
                    &json!({"$ref": "#/components/schemas/OfferState"}),
                    &sent.data,
                    "an `offer` event's data",
                );
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

/// Signing out ends the session's streams at once, and so does signing in again in the same
/// browser; a session's stream ends when the session expires, to the second.
#[tokio::test]
async fn streams_end_within_a_second_of_sign_out_sign_in_again_or_session_expiry() {
    let app = TestApp::new().await;
    for how in ["sign-out", "sign-in again"] {
        let cookie = app.sign_in(ROCKET).await;
        let mut stream = Stream::open(&app, &cookie, None).await.unwrap();
        stream.next().await;
        let request = match how {
            "sign-out" => Request::post("/sign-out")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
            _ => Request::post("/sign-in")
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("account={BAKERY}")))
                .unwrap(),
        };
        let began = std::time::Instant::now();
        assert_eq!(app.send(request).await.status, StatusCode::SEE_OTHER);
        assert!(stream.next_within(Duration::from_secs(3)).await.is_none());
        assert!(
            began.elapsed() < Duration::from_secs(1),
            "{how}: the stream ended after {:?}",
            began.elapsed()
        );
    }

    // A session two seconds from its end: its stream ends then.
    let cookie = app.sign_in(ROCKET).await;
    let session = cookie
        .split_once('=')
        .map(|(_, value)| value.to_owned())
        .unwrap();
    let ends = capital_platform::domain::clock::now() + 2;
    let updated = sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(ends)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    assert!(updated.rows_affected() >= 1, "{session}");
    let mut stream = Stream::open(&app, &cookie, None).await.unwrap();
    stream.next().await;
    assert!(stream.next_within(Duration::from_secs(5)).await.is_none());
    let late = capital_platform::domain::clock::now() - ends;
    assert!(late <= 1, "ended {late} s after the session");
}

/// PostgreSQL only: the LISTEN connection is cut (through a proxy) while another instance
/// commits a change; its notification is lost, yet the stream on the cut-off instance sends the
/// new state once its listener is back, because every stream reads its state again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_the_databases_notifications_were_cut_off_streams_read_their_state_again() {
    if std::env::var_os("CAPITAL_TEST_POSTGRES").is_none() {
        eprintln!("skipped: PostgreSQL only (CAPITAL_TEST_POSTGRES unset)");
        return;
    }
    let direct = harness::shared_database_url("cut").await;
    let parsed = reqwest::Url::parse(&direct).unwrap();
    let target = format!(
        "{}:{}",
        parsed.host_str().unwrap(),
        parsed.port().unwrap_or(5432)
    );
    let proxy = harness::CuttableProxy::start(target).await;
    let mut proxied = parsed.clone();
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(proxy.port)).unwrap();
    let instance = |url: String| async move {
        let mut config = capital_platform::Config::for_tests();
        config.database_url = Some(url.into());
        TestApp::with_config(config).await
    };
    let cut_off = instance(proxied.to_string()).await;
    let other = instance(direct).await;
    let cookie = cut_off.sign_in(ROCKET).await;
    let mut stream = Stream::open(&cut_off, &cookie, None).await.unwrap();
    assert_eq!(stream.next().await.data["offer"], Value::Null);

    proxy.cut(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    other
        .admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    // Cut off, the instance says it is not ready (its listener, or its database).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ready = cut_off.get("/readyz", None).await;
        if ready.status == StatusCode::SERVICE_UNAVAILABLE {
            let message = ready.json()["error"]["message"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(
                message == "not ready: listener" || message == "not ready: database",
                "{message}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still ready while cut off"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    proxy.cut(false);
    let began = std::time::Instant::now();
    let sent = stream
        .next_within(Duration::from_secs(15))
        .await
        .expect("the state again after the gap");
    assert_eq!(sent.data["offer"]["account"], ROCKET, "{:?}", sent.data);
    assert_eq!(
        cut_off.get("/readyz", None).await.status,
        StatusCode::OK,
        "ready again"
    );
    eprintln!(
        "the state arrived {:?} after the database came back",
        began.elapsed()
    );
}

/// A graceful shutdown ends every stream with a `retry:` hint: the element reconnects, to
/// another instance behind the load balancer.
#[tokio::test]
async fn a_shutdown_ends_the_streams_with_a_retry_hint() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let mut stream = Stream::open(&app, &cookie, None).await.unwrap();
    stream.next().await;
    app.state.shutdown.begin();
    let mut rest = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(frame) = stream.body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                rest.push_str(&String::from_utf8_lossy(&data));
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    assert!(rest.contains("retry: 2000"), "{rest:?}");
}
