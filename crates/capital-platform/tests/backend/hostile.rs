//! Hostile input, and what killed the server before.
//!
//! - In-process property tests (proptest, `tests/backend/hostile_inputs.rs`): signed webhooks of
//!   every shape, sandbox actions with extreme numbers, odd requests to every element route. Each
//!   answers 2xx or 4xx (in Stripe's envelope), never a panic or a 5xx, and the account's view
//!   still answers after each. `CAPITAL_HOSTILE_CASES` sets the cases per property (default 200).
//! - The server binary itself: what crashed it (a signed webhook whose `data.object` is an
//!   array; a repayment interval that overflowed), a bounded run of the same generated inputs,
//!   and slowloris. Restarted on the same data, every account's view still answers.

use crate::harness;
use crate::hostile_inputs;

use std::sync::Mutex;

use axum::body::Body;
use axum::http::Request;
use capital_platform::stripe::webhook_signature::sign;
use harness::{ROCKET, TestApp};
use http_body_util::BodyExt;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;

// The server binary as its own process, and a signed-in session on it (shared with the benches).
use crate::server;

async fn start(data: &std::path::Path) -> (tokio::process::Child, String) {
    server::start(data, &["--offer-notice".to_owned(), "element".to_owned()]).await
}

#[tokio::test]
async fn what_crashed_the_server_is_answered_and_it_keeps_serving_across_a_restart() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (mut process, base) = start(&data).await;

    // A webhook signed with the sandbox's (public) secret whose object is an array.
    let now = capital_platform::sandbox::now();
    let event = json!({"id": "evt_array", "object": "event", "type": "capital.financing_offer.created",
                       "created": now, "data": {"object": [{"id": "financingoffer_x", "account": ROCKET}]}})
    .to_string();
    let answer = client
        .post(format!("{base}/webhooks/stripe"))
        .header("content-type", "application/json")
        .header(
            "Stripe-Signature",
            sign(event.as_bytes(), server::SECRET, now),
        )
        .body(event)
        .send()
        .await
        .unwrap();
    // Acknowledged and kept as a dead letter: Stripe would retry a refusal for days.
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("dead_letter"), "{text}");

    // A repayment interval of 2^57 days (its seconds wrapped to 0 and divided by it).
    let answer = client
        .post(format!("{base}/sandbox/admin/offers"))
        .bearer_auth(server::admin_token(&data))
        .json(&json!({"account": ROCKET, "repayment_interval_days": 144_115_188_075_855_872_i64}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);

    // The longest interval it takes, paid out: the account's view answers.
    let offer: serde_json::Value = client
        .post(format!("{base}/sandbox/admin/offers"))
        .bearer_auth(server::admin_token(&data))
        .json(&json!({"account": ROCKET, "repayment_interval_days": 3650}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = offer["id"].as_str().unwrap();
    for (action, body) in [
        ("accept", json!({"amount": 100_000})),
        ("approve", json!({})),
    ] {
        let answer = client
            .post(format!("{base}/sandbox/admin/offers/{id}/{action}"))
            .bearer_auth(server::admin_token(&data))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{action}");
    }
    let cookie = server::sign_in(&client, &base, ROCKET).await;
    let view = |base: String, cookie: String| {
        let client = client.clone();
        async move {
            let answer = client
                .get(format!("{base}/api/capital/offer"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (
                answer.status().as_u16(),
                answer.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, state) = view(base.clone(), cookie.clone()).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["offer"]["status"], "paid_out");

    // Restarted on the same data: the same view, the same answer.
    process.kill().await.unwrap();
    let (process, base) = start(&data).await;
    let cookie = server::sign_in(&client, &base, ROCKET).await;
    let (status, state) = view(base, cookie).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["offer"]["status"], "paid_out");
    drop(process);
    let _ = std::fs::remove_dir_all(&data);
}

/// How many sockets this process may open beside the server's own (half of its file limit, at
/// most `wanted`).
fn sockets_allowed(wanted: usize) -> usize {
    let soft_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3)?.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    wanted.min(soft_limit / 2 - 64)
}

/// Slowloris against the server binary: thousands of sockets that send their headers a few
/// bytes at a time. The server goes on answering everyone else at once, closes the slow ones at
/// its header-read timeout, and a connection over its cap is closed unanswered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_slow_sockets_leave_the_server_answering_others() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-slowloris-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let sockets = sockets_allowed(2_000);
    let (_process, base) = server::start(
        &data,
        &[
            "--header-read-timeout-seconds".to_owned(),
            "2".to_owned(),
            "--max-connections".to_owned(),
            (sockets + 50).to_string(),
        ],
    )
    .await;
    let address = base.trim_start_matches("http://").to_owned();
    let mut slow = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket
            .write_all(b"GET /api/capital/session HTTP/1.1\r\n")
            .await
            .unwrap();
        slow.push(socket);
    }
    // They keep trickling while others are served.
    let trickle = tokio::spawn(async move {
        for _ in 0..8 {
            for socket in slow.iter_mut() {
                let _ = socket.write_all(b"X").await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        slow
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    for _ in 0..20 {
        let answer = client
            .get(format!("{base}/api/capital/session"))
            .send()
            .await
            .expect("answered while the slow sockets are open");
        assert_eq!(answer.status().as_u16(), 200);
    }
    let mut slow = trickle.await.unwrap();
    // Past the header-read timeout: every slow socket was closed by the server.
    let mut closed = 0;
    for socket in slow.iter_mut() {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            socket.read_to_end(&mut rest),
        )
        .await;
        if read.is_ok() {
            closed += 1;
        }
    }
    assert_eq!(closed, sockets, "slow sockets closed by the server");
    eprintln!("{sockets} slow sockets; all closed; 20 requests answered meanwhile");
}

/// Cases per property (`CAPITAL_HOSTILE_CASES`, default 200).
fn cases() -> u32 {
    std::env::var("CAPITAL_HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

/// One case's check, against the app with a signed-in session of ROCKET.
type Check<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), TestCaseError>> + 'a>>;

/// Runs `check` on `cases()` values of `strategy` against one app, in one runtime.
fn against_the_app<S: proptest::strategy::Strategy>(
    strategy: fn() -> S,
    check: impl for<'a> Fn(&'a TestApp, &'a str, S::Value) -> Check<'a> + Send,
) {
    // The test build's futures are large: a thread with room for them.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 * 1024 * 1024)
            .spawn_scoped(scope, move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let app = runtime.block_on(TestApp::new());
                let cookie = runtime.block_on(app.sign_in(ROCKET));
                let mut runner = TestRunner::new(ProptestConfig {
                    cases: cases(),
                    failure_persistence: None,
                    ..ProptestConfig::default()
                });
                runner
                    .run(&strategy(), |input| {
                        runtime.block_on(check(&app, &cookie, input))
                    })
                    .unwrap();
            })
            .unwrap();
    });
}

/// A 2xx, or a 4xx in Stripe's envelope; never a 5xx (a panic answers 500).
async fn answered_well(
    response: axum::response::Response,
    what: &str,
) -> Result<u16, TestCaseError> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("text/event-stream") {
        return Ok(status); // a live stream: never read to its end
    }
    let body = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        response.into_body().collect(),
    )
    .await
    .map_err(|_| TestCaseError::fail(format!("{what}: no answer within 5 s")))?
    .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?
    .to_bytes();
    let text = String::from_utf8_lossy(&body);
    proptest::prop_assert!(status < 500, "{what}: {status} {text}");
    if status >= 400 && !content_type.starts_with("text/html") {
        let envelope: Value = serde_json::from_slice(&body)
            .map_err(|_| TestCaseError::fail(format!("{what}: {status} not JSON: {text}")))?;
        proptest::prop_assert!(
            envelope["error"]["type"].is_string() && envelope["error"]["message"].is_string(),
            "{what}: {status} {text}"
        );
    }
    Ok(status)
}

/// The signed-in account's view answers, whatever was stored before.
async fn view_answers(app: &TestApp, cookie: &str) -> Result<(), TestCaseError> {
    let answer = app.get("/api/capital/offer", Some(cookie)).await;
    proptest::prop_assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
    proptest::prop_assert!(answer.json().get("offer").is_some(), "{}", answer.text);
    Ok(())
}

#[test]
fn signed_webhooks_of_any_shape_are_acknowledged_or_refused_and_the_view_still_answers() {
    against_the_app(hostile_inputs::webhook_body, |app, cookie, body| {
        Box::pin(async move {
            let request = Request::post("/webhooks/stripe")
                .header("content-type", "application/json")
                .header(
                    "stripe-signature",
                    sign(
                        body.as_bytes(),
                        "whsec_sandbox_local",
                        capital_platform::sandbox::now(),
                    ),
                )
                .body(Body::from(body.clone()))
                .unwrap();
            let response = app.router.clone().oneshot(request).await.unwrap();
            let status = answered_well(response, &body).await?;
            proptest::prop_assert_eq!(status, 200, "a signed event is acknowledged: {}", body);
            view_answers(app, cookie).await
        })
    });
}

#[test]
fn sandbox_actions_with_extreme_numbers_are_done_or_refused_and_the_view_still_answers() {
    let offers = std::sync::Arc::new(Mutex::new(Vec::<String>::new()));
    against_the_app(
        hostile_inputs::sandbox_action,
        |app, cookie, (path, body)| {
            let offers = offers.clone();
            Box::pin(async move {
                let offer = offers
                    .lock()
                    .unwrap()
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "financingoffer_none".to_owned());
                let path = format!("/sandbox/admin{}", path.replace("{offer}", &offer));
                let request = Request::post(path.as_str())
                    .header("content-type", "application/json")
                    .header("authorization", app.admin_credential())
                    .body(Body::from(body.to_string()))
                    .unwrap();
                let response = app.router.clone().oneshot(request).await.unwrap();
                let (parts, bytes) = response.into_parts();
                let bytes = bytes.collect().await.unwrap().to_bytes();
                let created: Option<Value> = serde_json::from_slice(&bytes).ok();
                let rebuilt = axum::response::Response::from_parts(parts, Body::from(bytes));
                let status = answered_well(rebuilt, &format!("{path} {body}")).await?;
                if status == 200
                    && let Some(id) = created.as_ref().and_then(|c| c["id"].as_str())
                {
                    offers.lock().unwrap().push(id.to_owned());
                }
                view_answers(app, cookie).await
            })
        },
    );
}

#[test]
fn odd_requests_to_every_route_answer_in_the_envelope_and_never_fail_the_server() {
    against_the_app(
        hostile_inputs::odd_request,
        |app, cookie, (method, path, headers, body)| {
            Box::pin(async move {
                let mut request = Request::builder()
                    .method(method.as_str())
                    .uri(path.as_str());
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                // Some generated headers or paths are not HTTP at all: nothing can send them.
                let Ok(request) = request.body(Body::from(body)) else {
                    return Ok(());
                };
                let what = format!("{method} {path} {headers:?}");
                let response = app.router.clone().oneshot(request).await.unwrap();
                if method == "HEAD" {
                    // A HEAD answer has no body to hold an envelope.
                    proptest::prop_assert!(response.status().as_u16() < 500, "{what}");
                } else {
                    answered_well(response, &what).await?;
                }
                view_answers(app, cookie).await
            })
        },
    );
}

/// The same generated inputs, a bounded run against the server binary: it answers each, and
/// restarted on the same data, every account's view answers.
#[tokio::test]
async fn the_server_binary_survives_a_run_of_hostile_inputs_and_restarts_on_their_data() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-hostile-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let (mut process, base) = start(&data).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let admin = server::admin_token(&data);
    // Generated on a thread with room for proptest's recursion in the test build.
    let (webhooks, actions) = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            (
                hostile_inputs::sample(hostile_inputs::webhook_body(), 150),
                hostile_inputs::sample(hostile_inputs::sandbox_action(), 150),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    let mut offer = "financingoffer_none".to_owned();
    for body in &webhooks {
        let answer = client
            .post(format!("{base}/webhooks/stripe"))
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                sign(
                    body.as_bytes(),
                    server::SECRET,
                    capital_platform::sandbox::now(),
                ),
            )
            .body(body.clone())
            .send()
            .await
            .expect("the server is still there");
        assert_eq!(answer.status().as_u16(), 200, "{body}");
    }
    for (path, body) in &actions {
        let answer = client
            .post(format!(
                "{base}/sandbox/admin{}",
                path.replace("{offer}", &offer)
            ))
            .bearer_auth(&admin)
            .json(body)
            .send()
            .await
            .expect("the server is still there");
        let status = answer.status().as_u16();
        assert!(status < 500, "{path} {body}: {status}");
        if status == 200
            && let Some(id) = answer
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_owned))
        {
            offer = id;
        }
    }
    process.kill().await.unwrap();
    let (_process, base) = start(&data).await;
    for account in [ROCKET, "acct_1SunsetBakery", "acct_1MapleFitness"] {
        let cookie = server::sign_in(&client, &base, account).await;
        let view = client
            .get(format!("{base}/api/capital/offer"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            view.status().as_u16(),
            200,
            "{account}'s view after the restart"
        );
    }
    eprintln!(
        "{} signed webhooks and {} sandbox actions against the binary; restarted; 3 views answered",
        webhooks.len(),
        actions.len()
    );
}

/// `--log-format json`: one JSON object per line; each request's lines carry its id (the
/// caller's `X-Request-Id`, else a new one, sent back), its route template, status and latency;
/// no line holds the admin token, a session, a hosted link token or a link URL.
#[tokio::test]
async fn json_logs_carry_the_request_and_no_secret() {
    use tokio::io::AsyncBufReadExt;
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-json-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut process = tokio::process::Command::new(server::server_binary())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
        ])
        .args(["--log-format", "json", "--offer-notice", "element"])
        .arg("--data-dir")
        .arg(&data)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(process.stdout.take().unwrap()).lines();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let admin = server::admin_token(&data);
    let offer: Value = client
        .post(format!("{base}/sandbox/admin/offers"))
        .bearer_auth(&admin)
        .json(&json!({"account": ROCKET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(offer["id"].is_string(), "{offer}");
    let cookie = server::sign_in(&client, &base, ROCKET).await;
    let answer = client
        .post(format!("{base}/api/capital/account_links"))
        .header("cookie", &cookie)
        .header("x-request-id", "lb-trace-42")
        .json(&json!({"type": "capital_financing_offer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-request-id"], "lb-trace-42", "sent back");
    let link: Value = answer.json().await.unwrap();
    let url = link["url"].as_str().unwrap().to_owned();
    let token = url.rsplit('/').next().unwrap().to_owned();
    let generated = client
        .get(format!("{base}/api/capital/offer"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let generated_id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!generated_id.is_empty(), "an id made where none came");
    // The hosted page, by its token.
    client
        .get(format!("{base}/sandbox/hosted/{token}"))
        .send()
        .await
        .unwrap();
    let session = cookie.split_once('=').unwrap().1.to_owned();
    process.kill().await.unwrap();
    let mut seen = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        seen.push(line);
    }
    let mut link_line = None;
    for line in &seen {
        let parsed: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        for secret in [
            admin.as_str(),
            session.as_str(),
            token.as_str(),
            url.as_str(),
        ] {
            assert!(!line.contains(secret), "a secret in the log: {line}");
        }
        if parsed["span"]["request_id"] == "lb-trace-42" && parsed["fields"]["status"].is_number() {
            link_line = Some(parsed);
        }
    }
    let link_line = link_line.expect("the link request's line");
    assert_eq!(link_line["span"]["route"], "/api/capital/account_links");
    assert_eq!(link_line["fields"]["status"], 200);
    assert!(link_line["fields"]["latency"].is_string());
    assert!(
        seen.iter().any(|line| line.contains(&generated_id)),
        "the generated id is in the log"
    );
    assert!(
        seen.iter()
            .any(|line| line.contains("/sandbox/hosted/{token}") && line.contains("[token]")),
        "the hosted page's route and path, without its token"
    );
}
