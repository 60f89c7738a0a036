//! Live streams on loopback against the release server (its own process, SQLite, sandbox mode):
//! how many `GET /offer/events` streams one instance holds and its memory per stream, and how long
//! a change takes from a webhook's arrival to every one of 1,000 streams (p50, p99 over 20
//! webhooks). Run with `cargo bench -p capital-platform --bench streams`; `BENCH_STREAMS`
//! (default 1000) and `BENCH_MAX_STREAMS` (default 8000) set the two sizes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use capital_platform::stripe::webhook_signature::sign;
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::mpsc;

#[path = "support/server.rs"]
mod server;

use server::SECRET;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Opens a stream; sends the time each `offer` event arrives to `arrivals`.
async fn open_stream(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    arrivals: mpsc::UnboundedSender<Instant>,
) -> Result<(), String> {
    let response = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("{}", response.status()));
    }
    let mut body = response.bytes_stream();
    tokio::spawn(async move {
        while let Some(Ok(chunk)) = body.next().await {
            // One event per chunk on loopback; keep-alive comments start with ':'.
            if chunk.windows(12).any(|w| w == b"event: offer")
                && arrivals.send(Instant::now()).is_err()
            {
                break;
            }
        }
    });
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let streams = setting("BENCH_STREAMS", 1000);
    let most = setting("BENCH_MAX_STREAMS", 8000);
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-streams-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let limits = vec![
        "--max-streams".to_owned(),
        (most + 10).to_string(),
        "--max-streams-per-session".to_owned(),
        (most + 10).to_string(),
    ];
    let (server, base) = server::start(&data, &limits).await;
    let pid = server.id().unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = server::sign_in(&client, &base, "acct_1RocketCourier").await;
    let url = format!("{base}/api/capital/offer/events");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kib(pid);

    // 1. Fan-out: `streams` streams, each waiting for its first state.
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    for _ in 0..streams {
        open_stream(&client, &url, &cookie, arrivals.clone())
            .await
            .unwrap();
    }
    for _ in 0..streams {
        arrived.recv().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with_streams = rss_kib(pid);

    let mut latencies = Vec::new();
    let mut everyone = Vec::new();
    let now = capital_platform::sandbox::now();
    for round in 0..20i64 {
        let event = json!({
            "id": format!("evt_streams_{round}"), "object": "event", "type": "capital.financing_offer.created", "created": now + round,
            "data": {"object": {"id": "financingoffer_streams", "object": "capital.financing_offer", "account": "acct_1RocketCourier",
                                "status": "delivered", "created": now, "disclaimer_variant": "celtic_us_loan",
                                "offered_terms": {"advance_amount": 100_000 + round, "currency": "usd", "fee_amount": 10_000, "withhold_rate": 0.1}}},
        })
        .to_string();
        let sent = Instant::now();
        let answer = client
            .post(format!("{base}/webhooks/stripe"))
            .header("content-type", "application/json")
            .header(
                "Stripe-Signature",
                sign(event.as_bytes(), SECRET, capital_platform::sandbox::now()),
            )
            .body(event)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        let mut last = sent;
        for _ in 0..streams {
            let at = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await
                .expect("every stream hears it")
                .unwrap();
            latencies.push(at - sent);
            last = last.max(at);
        }
        everyone.push(last - sent);
    }
    latencies.sort();
    everyone.sort();

    // 2. Capacity: more streams, up to `most`, until one is refused or fails.
    let held = Arc::new(std::sync::atomic::AtomicUsize::new(streams));
    let (quiet, _) = mpsc::unbounded_channel();
    let mut failure = None;
    while held.load(std::sync::atomic::Ordering::Relaxed) < most {
        if let Err(error) = open_stream(&client, &url, &cookie, quiet.clone()).await {
            failure = Some(error);
            break;
        }
        held.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let at_most = rss_kib(pid);
    let held = held.load(std::sync::atomic::Ordering::Relaxed);

    println!("| measure | value |\n|---|---:|");
    println!(
        "| streams held by one instance | {held}{} |",
        failure.map(|e| format!(" (then: {e})")).unwrap_or_default()
    );
    println!(
        "| server memory: idle / {streams} streams / {held} streams | {} / {} / {} MiB |",
        idle / 1024,
        with_streams / 1024,
        at_most / 1024
    );
    println!(
        "| memory per stream | {:.1} KiB |",
        (at_most - idle) as f64 / held as f64
    );
    println!(
        "| webhook → a stream, p50 / p99 ({streams} streams, 20 webhooks) | {:.1} / {:.1} ms |",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!(
        "| webhook → all {streams} streams, p50 / worst of 20 | {:.1} / {:.1} ms |",
        percentile(&everyone, 0.5).as_secs_f64() * 1000.0,
        everyone.last().unwrap().as_secs_f64() * 1000.0
    );
    let _ = std::fs::remove_dir_all(&data);
}
