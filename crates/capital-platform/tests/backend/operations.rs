//! The backend as a service, run as its own process: Prometheus metrics on `--metrics-listen`
//! after a scripted lifecycle, and the Capital funnel kept across a restart.

use crate::server;

use std::collections::HashMap;

use serde_json::{Value, json};

const ROCKET: &str = "acct_1RocketCourier";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The samples of a scrape: `name{labels}` to value.
async fn scrape(port: u16) -> HashMap<String, f64> {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the sample named `name` whose labels include every one of `labels`.
fn sample(samples: &HashMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(key, _)| {
            key.starts_with(&format!("{name}{{"))
                && labels
                    .iter()
                    .all(|(label, value)| key.contains(&format!("{label}=\"{value}\"")))
        })
        .map(|(_, value)| value)
        .sum()
}

#[tokio::test]
async fn metrics_count_a_scripted_lifecycle_and_the_funnel_survives_a_restart() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-metrics-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let metrics_port = free_port();
    let flags = [
        "--metrics-listen".to_owned(),
        format!("127.0.0.1:{metrics_port}"),
        "--offer-notice".to_owned(),
        "element".to_owned(),
    ];
    let (mut process, base) = server::start(&data, &flags).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let admin = server::admin_token(&data);
    let act = |path: String, body: Value| {
        let (client, base, admin) = (client.clone(), base.clone(), admin.clone());
        async move {
            let answer = client
                .post(format!("{base}/sandbox/admin{path}"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let body = answer.json::<Value>().await.unwrap();
            assert!(status.is_success(), "{path}: {body}");
            body
        }
    };
    let offer = act(
        "/offers".into(),
        json!({"account": ROCKET, "campaign_type": "repeat_user", "advance_amount": 1_000_000}),
    )
    .await;
    let id = offer["id"].as_str().unwrap().to_owned();
    let cookie = server::sign_in(&client, &base, ROCKET).await;
    for _ in 0..3 {
        let view = client
            .get(format!("{base}/api/capital/offer"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(view.status().as_u16(), 200);
    }
    // Seen by the element: delivered.
    let delivered = client
        .post(format!("{base}/api/capital/offer/mark_delivered"))
        .header("cookie", &cookie)
        .json(&json!({"offer": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status().as_u16(), 200);
    let link = client
        .post(format!("{base}/api/capital/account_links"))
        .header("cookie", &cookie)
        .json(&json!({"type": "capital_financing_offer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status().as_u16(), 200);
    act(format!("/offers/{id}/accept"), json!({"amount": 500_000})).await;
    act(format!("/offers/{id}/approve"), json!({})).await;
    // A second offer, expired.
    let other = act("/offers".into(), json!({"account": "acct_1SunsetBakery"})).await;
    act(
        format!("/offers/{}/expire", other["id"].as_str().unwrap()),
        json!({}),
    )
    .await;

    let samples = scrape(metrics_port).await;
    let offer_views = sample(
        &samples,
        "http_requests_total",
        &[
            ("route", "/api/capital/offer"),
            ("method", "GET"),
            ("status", "200"),
        ],
    );
    assert_eq!(offer_views, 3.0, "by route template, method and status");
    assert!(
        samples
            .keys()
            .any(|key| key.starts_with("http_request_duration_seconds_bucket")),
        "a latency histogram"
    );
    assert!(
        !samples.keys().any(|key| key.contains(&id)),
        "no raw path or id in a label"
    );
    assert_eq!(
        sample(
            &samples,
            "webhook_events_total",
            &[
                ("type", "capital.financing_offer.created"),
                ("outcome", "applied")
            ]
        ),
        2.0
    );
    assert_eq!(samples.get("account_links_minted_total"), Some(&1.0));
    let funnel = |samples: &HashMap<String, f64>, stage: &str| {
        sample(samples, "capital_funnel_total", &[("stage", stage)])
    };
    for (stage, offers) in [
        ("created", 2.0),
        ("delivered", 1.0),
        ("link_minted", 1.0),
        ("accepted", 1.0),
        ("paid_out", 1.0),
        ("fully_repaid", 0.0),
        ("expired", 1.0),
        ("rejected", 0.0),
    ] {
        assert_eq!(funnel(&samples, stage), offers, "{stage}");
    }
    assert_eq!(
        sample(
            &samples,
            "capital_funnel_total",
            &[("stage", "paid_out"), ("campaign_type", "repeat_user")]
        ),
        1.0,
        "by campaign type"
    );
    assert!(samples.contains_key("live_streams_open"));
    assert!(sample(&samples, "db_pool_connections", &[("state", "idle")]) >= 0.0);

    // Restarted: the request counters start again, the funnel is the store's.
    process.kill().await.unwrap();
    let (_process, _base) = server::start(&data, &flags).await;
    let samples = scrape(metrics_port).await;
    assert_eq!(funnel(&samples, "created"), 2.0);
    assert_eq!(funnel(&samples, "paid_out"), 1.0);
    assert_eq!(
        sample(
            &samples,
            "http_requests_total",
            &[("route", "/api/capital/offer")]
        ),
        0.0
    );
}
