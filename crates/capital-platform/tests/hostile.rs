//! What killed the server before, sent to the server binary itself (signed with its webhook
//! secret): a signed webhook whose
//! `data.object` is an array, and a sandbox offer whose repayment interval overflows. The process
//! answers each (the webhook acknowledged as a dead letter, the offer a 400) and keeps serving; restarted on the same data, every account's view
//! still answers.

use capital_platform::webhook_signature::sign;
use serde_json::json;

const ROCKET: &str = "acct_1RocketCourier";

// The server binary as its own process, and a signed-in session on it (shared with the benches).
#[path = "../benches/support/server.rs"]
mod server;

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
