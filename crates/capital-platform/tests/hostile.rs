//! What killed the server before, sent to the server binary itself: a signed webhook whose
//! `data.object` is an array, and a sandbox offer whose repayment interval overflows. The process
//! answers each with a 4xx and keeps serving; restarted on the same data, every account's view
//! still answers.

use std::time::Duration;

use capital_platform::webhook_signature::sign;
use serde_json::json;

const ROCKET: &str = "acct_1RocketCourier";

struct Server {
    process: tokio::process::Child,
    base: String,
}

async fn start(data: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let process = tokio::process::Command::new(env!("CARGO_BIN_EXE_capital-platform"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
        ])
        .args(["--offer-notice", "element"])
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if reqwest::get(format!("{base}/api/capital/session"))
            .await
            .is_ok()
        {
            return Server { process, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

async fn sign_in(client: &reqwest::Client, base: &str) -> String {
    let answer = client
        .post(format!("{base}/sign-in"))
        .form(&[("account", ROCKET)])
        .send()
        .await
        .unwrap();
    answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
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
    let mut server = start(&data).await;
    let base = server.base.clone();

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
            sign(event.as_bytes(), "whsec_sandbox_local", now),
        )
        .body(event)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_client_error(), "{}", answer.status());

    // A repayment interval of 2^57 days (its seconds wrapped to 0 and divided by it).
    let answer = client
        .post(format!("{base}/sandbox/admin/offers"))
        .json(&json!({"account": ROCKET, "repayment_interval_days": 144_115_188_075_855_872_i64}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);

    // The longest interval it takes, paid out: the account's view answers.
    let offer: serde_json::Value = client
        .post(format!("{base}/sandbox/admin/offers"))
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
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{action}");
    }
    let cookie = sign_in(&client, &base).await;
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
    server.process.kill().await.unwrap();
    let server = start(&data).await;
    let cookie = sign_in(&client, &server.base).await;
    let (status, state) = view(server.base.clone(), cookie).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["offer"]["status"], "paid_out");
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}
