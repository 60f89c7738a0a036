//! Several instances on one database, and crashes: each event is applied exactly once. Runs on
//! SQLite (two pools on one file) and, with `CAPITAL_TEST_POSTGRES`, on PostgreSQL.

use crate::harness;

use std::process::Stdio;
use std::time::{Duration, Instant};

use capital_platform::Config;
use capital_platform::services::changes::Change;
use capital_platform::store::Store;
use capital_platform::stripe::webhook_signature::sign;
use harness::{ROCKET, TestApp};
use serde_json::{Value, json};

const SECRET: &str = "whsec_sandbox_local";

fn offer_event(id: &str, offer: &str, created: i64) -> String {
    json!({
        "id": id, "object": "event", "type": "capital.financing_offer.created", "created": created,
        "data": {"object": {"id": offer, "object": "capital.financing_offer", "account": ROCKET,
                            "status": "undelivered", "created": created, "expires_after": 9e9,
                            "disclaimer_variant": "celtic_us_loan",
                            "offered_terms": {"advance_amount": 5000, "currency": "usd", "fee_amount": 500, "withhold_rate": 0.1}}},
    })
    .to_string()
}

async fn deliver(app: &TestApp, body: &str) -> Value {
    let request = axum::http::Request::post("/webhooks/stripe")
        .header("content-type", "application/json")
        .header(
            "Stripe-Signature",
            sign(body.as_bytes(), SECRET, capital_platform::sandbox::now()),
        )
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

async fn instance(url: &str) -> TestApp {
    let mut config = Config::for_tests();
    config.database_url = Some(url.to_owned().into());
    TestApp::with_config(config).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_event_delivered_to_two_instances_at_once_is_applied_once() {
    let url = harness::shared_database_url("duplicates").await;
    let (a, b) = (instance(&url).await, instance(&url).await);
    let now = capital_platform::sandbox::now();
    for n in 0..20 {
        let body = offer_event(
            &format!("evt_dup_{n}"),
            &format!("financingoffer_dup_{n}"),
            now,
        );
        let (first, second) = tokio::join!(deliver(&a, &body), deliver(&b, &body));
        let applied = [&first, &second]
            .iter()
            .filter(|answer| answer.get("duplicate").is_none())
            .count();
        assert_eq!(
            applied,
            1,
            "{} (on {}): {first} / {second}",
            n,
            harness::database_kind()
        );
    }
    let cookie = a.sign_in(ROCKET).await;
    let offers = b.state.store.offers_for_account(ROCKET).await.unwrap();
    assert_eq!(offers.len(), 20);
    assert_eq!(
        a.offer_state(&cookie).await["offer"]["status"],
        "undelivered"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real server binary on `url`, with `failpoint` armed.
async fn server(url: &str, port: u16, failpoint: Option<&str>) -> tokio::process::Child {
    server_with(url, port, failpoint, &[]).await
}

async fn server_with(
    url: &str,
    port: u16,
    failpoint: Option<&str>,
    extra: &[&str],
) -> tokio::process::Child {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-crash-data-{}", std::process::id()));
    let mut command = tokio::process::Command::new(harness::server_binary());
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &format!("http://127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(&data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    match failpoint {
        Some(name) => command.env("CAPITAL_FAILPOINT", name),
        None => command.env_remove("CAPITAL_FAILPOINT"),
    };
    let child = command.spawn().unwrap();
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start on {port}");
}

async fn post_event(port: u16, body: &str) -> Result<(u16, String), reqwest::Error> {
    let answer = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhooks/stripe"))
        .header("content-type", "application/json")
        .header(
            "Stripe-Signature",
            sign(body.as_bytes(), SECRET, capital_platform::sandbox::now()),
        )
        .body(body.to_owned())
        .send()
        .await?;
    Ok((answer.status().as_u16(), answer.text().await?))
}

#[tokio::test]
async fn a_crash_between_receipt_and_commit_acknowledges_nothing_and_the_redelivery_applies_it() {
    let url = harness::shared_database_url("crash").await;
    let body = offer_event(
        "evt_crash",
        "financingoffer_crash",
        capital_platform::sandbox::now(),
    );

    // Killed after applying the event in its transaction, before the commit.
    let port = free_port();
    let mut crashing = server(&url, port, Some("webhook_before_commit")).await;
    let delivery = post_event(port, &body).await;
    assert!(
        delivery.is_err(),
        "no answer from a crashed server: {delivery:?}"
    );
    let status = crashing.wait().await.unwrap();
    assert!(!status.success(), "the server aborted");

    // Nothing of it was kept: neither the event's record nor the offer.
    let store = Store::open(&url).await.unwrap();
    assert!(store.offers_for_account(ROCKET).await.unwrap().is_empty());
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM processed_events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(recorded, 0, "on {:?}", store.backend());
    store.pool().close().await;

    // Stripe redelivers to the restarted server: applied, not a duplicate.
    let port = free_port();
    let _restarted = server(&url, port, None).await;
    let (status, text) = post_event(port, &body).await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"received": true})
    );
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.offers_for_account(ROCKET).await.unwrap().len(), 1);
}

/// On PostgreSQL a change committed by instance A reaches the subscribers of instance B (LISTEN/
/// NOTIFY); on SQLite, one instance's own subscribers (one instance per database there).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_at_one_instance_reaches_the_changes_followed_at_another() {
    let url = harness::shared_database_url("changes").await;
    let a = instance(&url).await;
    let postgres = std::env::var_os("CAPITAL_TEST_POSTGRES").is_some();
    let b = if postgres {
        instance(&url).await
    } else {
        instance_sharing(&a)
    };
    let mut followed = b.state.changes.subscribe();
    let mut own = a.state.changes.subscribe();

    let now = capital_platform::sandbox::now();
    deliver(&a, &offer_event("evt_live_1", "financingoffer_live", now)).await;
    let heard = tokio::time::timeout(Duration::from_secs(5), followed.recv())
        .await
        .expect("the change arrives")
        .unwrap();
    assert_eq!(heard, Change::Account(ROCKET.into()));
    assert_eq!(
        own.recv().await.unwrap(),
        Change::Account(ROCKET.into()),
        "the receiving instance hears it too"
    );

    // A duplicate changes nothing, so it announces nothing.
    deliver(&b, &offer_event("evt_live_1", "financingoffer_live", now)).await;
    deliver(&a, &offer_event("evt_live_2", "financingoffer_other", now)).await;
    let next = tokio::time::timeout(Duration::from_secs(5), followed.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next, Change::Account(ROCKET.into()));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), followed.recv())
            .await
            .is_err(),
        "one change per applied event"
    );
}

/// A second router on the same state: on SQLite, "another instance" of the same process.
fn instance_sharing(app: &TestApp) -> TestApp {
    TestApp {
        router: capital_platform::app(app.state.clone()),
        state: app.state.clone(),
    }
}

/// Instances that start together on a new PostgreSQL database apply each migration once (the
/// migrator's advisory lock); SQLite is one instance per database, so this runs on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_migrate_once() {
    let Ok(admin) = std::env::var("CAPITAL_TEST_POSTGRES") else {
        eprintln!("PostgreSQL only (CAPITAL_TEST_POSTGRES unset): skipped on SQLite");
        return;
    };
    let url = harness::fresh_postgres_database(&admin).await;
    let start = || async {
        let mut config = Config::for_tests();
        config.database_url = Some(url.clone().into());
        capital_platform::AppState::new(config).await
    };
    let (a, b, c, d) = tokio::join!(start(), start(), start(), start());
    for state in [a, b, c, d] {
        assert!(state.is_ok(), "{:?}", state.err());
    }
    let store = Store::open(&url).await.unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await
            .unwrap();
    // Each file of migrations/ once.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(applied, (1..=files as i64).collect::<Vec<_>>());
}

/// Two instances with their own email workers on one database: an offer's email is sent once,
/// and a job left pending by a stopped instance is sent by the next one to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_send_each_offer_email_once_and_a_restart_resumes_the_outbox() {
    let Some(mut sink) = harness::SmtpSink::start().await else {
        return;
    };
    let url = harness::shared_database_url("mail").await;
    let smtp_url = sink.url();
    let with_mail = |url: &str| {
        let mut config = Config::for_tests();
        config.database_url = Some(url.to_owned().into());
        config.offer_notice = capital_platform::domain::offer_notice::OfferNotice::Email;
        config.smtp_url = Some(smtp_url.clone().into());
        config
    };
    let (a, b) = (
        TestApp::with_config(with_mail(&url)).await,
        TestApp::with_config(with_mail(&url)).await,
    );
    let now = capital_platform::sandbox::now();
    for n in 0..5 {
        let body = offer_event(
            &format!("evt_mail_{n}"),
            &format!("financingoffer_mail_{n}"),
            now,
        );
        tokio::join!(deliver(&a, &body), deliver(&b, &body));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while sink.messages().len() < 5 {
        assert!(
            Instant::now() < deadline,
            "{} of 5 emails",
            sink.messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.messages().len(),
        5,
        "one email per offer, from either instance"
    );

    // The mail server is down while an offer arrives; the instances stop; a new one sends it.
    sink.stop().await;
    deliver(
        &a,
        &offer_event("evt_mail_late", "financingoffer_mail_late", now),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop((a, b));
    sink.resume().await;
    let c = TestApp::with_config(with_mail(&url)).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while sink.messages().len() < 6 {
        let jobs = c.state.store.offer_emails(ROCKET).await.unwrap();
        assert!(
            Instant::now() < deadline,
            "the pending email was not resumed: {:?}",
            jobs.iter()
                .map(|j| (&j.offer, &j.status, j.attempts, &j.detail))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A mail server that takes 10 s per message, two instances, and a job lease of 2 s: the
/// claimer renews its claim while it sends, so the other (idle) instance never takes the job
/// over, and the offer gets one email.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_mail_server_gets_one_email_per_offer_from_two_instances_with_short_leases() {
    let Some(sink) = harness::SmtpSink::start().await else {
        return;
    };
    sink.delay(Some(10));
    let url = harness::shared_database_url("slow-mail").await;
    let with_mail = |url: &str| {
        let mut config = Config::for_tests();
        config.database_url = Some(url.to_owned().into());
        config.offer_notice = capital_platform::domain::offer_notice::OfferNotice::Email;
        config.smtp_url = Some(sink.url().into());
        config.job_lease_seconds = 2;
        config
    };
    let (a, b) = (
        TestApp::with_config(with_mail(&url)).await,
        TestApp::with_config(with_mail(&url)).await,
    );
    let now = capital_platform::sandbox::now();
    let body = offer_event("evt_slow", "financingoffer_slow", now);
    tokio::join!(deliver(&a, &body), deliver(&b, &body));
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let emails = a.state.store.offer_emails(ROCKET).await.unwrap();
        if emails.len() == 1 && emails.iter().all(|e| e.status == "sent") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not sent: {:?}",
            emails
                .iter()
                .map(|e| (&e.offer, &e.status, e.attempts, &e.detail))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Long enough for a second send of either to arrive, had another instance taken one over.
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(
        sink.messages().len(),
        1,
        "one email, though its send outlasted five leases and the other instance was idle"
    );
    for email in a.state.store.offer_emails(ROCKET).await.unwrap() {
        assert_eq!(email.attempts, 1, "{}: sent on the first try", email.offer);
    }
}

/// The job mechanism itself, on two handles to one database: one claimer at a time, on the
/// database's clock; only the claimer finishes or retries; backoff; giving up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_claimed_once_finished_only_by_its_claimer_backed_off_and_given_up() {
    use capital_platform::store::{JobKind, Retried};
    let url = harness::shared_database_url("jobs").await;
    let (a, b) = (
        Store::open(&url).await.unwrap(),
        Store::open(&url).await.unwrap(),
    );
    let mut tx = a.begin().await.unwrap();
    assert!(
        tx.queue_job(JobKind::MarkDelivered, "financingoffer_job", ROCKET, 0)
            .await
            .unwrap()
    );
    assert!(
        !tx.queue_job(JobKind::MarkDelivered, "financingoffer_job", ROCKET, 0)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    let first = a
        .claim_due_job(JobKind::MarkDelivered, "a", 2)
        .await
        .unwrap()
        .expect("due");
    assert!(
        b.claim_due_job(JobKind::MarkDelivered, "b", 2)
            .await
            .unwrap()
            .is_none(),
        "held by a"
    );
    assert!(
        a.claim_due_job(JobKind::OfferEmail, "a", 2)
            .await
            .unwrap()
            .is_none(),
        "other kinds"
    );
    assert!(a.renew_job(&first, 2).await.unwrap());
    // a stalls past its lease; b takes the job over.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let second = b
        .claim_due_job(JobKind::MarkDelivered, "b", 60)
        .await
        .unwrap()
        .expect("taken over");
    assert!(!a.renew_job(&first, 2).await.unwrap(), "a's claim is gone");
    assert!(
        !a.finish_job(&first).await.unwrap(),
        "a cannot finish b's job"
    );
    assert_eq!(a.retry_job(&first, "late").await.unwrap(), Retried::NotOurs);
    // b fails: due again after 2 s, not before, and nobody holds it meanwhile.
    assert_eq!(
        b.retry_job(&second, "Stripe could not be reached")
            .await
            .unwrap(),
        Retried::In(2)
    );
    assert!(
        a.claim_due_job(JobKind::MarkDelivered, "a", 60)
            .await
            .unwrap()
            .is_none(),
        "backing off"
    );
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let third = a
        .claim_due_job(JobKind::MarkDelivered, "a", 60)
        .await
        .unwrap()
        .expect("due again");
    assert_eq!(third.attempts, 1);
    assert!(
        a.finish_job(&third).await.unwrap(),
        "the claimer finishes it"
    );
    assert_eq!(a.queued_jobs(JobKind::MarkDelivered).await.unwrap(), 0);

    // A job on its last try fails: given up, and removed.
    let mut tx = a.begin().await.unwrap();
    tx.queue_job(JobKind::MarkDelivered, "financingoffer_last", ROCKET, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE jobs SET attempts = $1 WHERE subject = 'financingoffer_last'")
        .bind(JobKind::MarkDelivered.attempts() - 1)
        .execute(a.pool())
        .await
        .unwrap();
    let last = a
        .claim_due_job(JobKind::MarkDelivered, "a", 60)
        .await
        .unwrap()
        .expect("due");
    assert_eq!(
        a.retry_job(&last, "still failing").await.unwrap(),
        Retried::GaveUp
    );
    assert_eq!(a.queued_jobs(JobKind::MarkDelivered).await.unwrap(), 0);
}

/// SIGTERM while a webhook is in flight (held three seconds before its commit): the webhook is
/// committed and acknowledged, the process exits 0 within the grace, and Stripe's redelivery to
/// the next instance is a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_in_flight_at_sigterm_is_committed_and_acknowledged_and_the_exit_is_clean() {
    let url = harness::shared_database_url("sigterm").await;
    let body = offer_event(
        "evt_sigterm",
        "financingoffer_sigterm",
        capital_platform::sandbox::now(),
    );
    let port = free_port();
    let mut stopping = server_with(
        &url,
        port,
        Some("pause:webhook_before_commit"),
        &["--shutdown-grace-seconds", "10"],
    )
    .await;
    let in_flight = tokio::spawn({
        let body = body.clone();
        async move { post_event(port, &body).await }
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let pid = stopping.id().unwrap().to_string();
    let signalled = Instant::now();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let (status, text) = in_flight.await.unwrap().expect("answered before the exit");
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"received": true})
    );
    let exit = tokio::time::timeout(Duration::from_secs(12), stopping.wait())
        .await
        .expect("exited within the grace")
        .unwrap();
    assert!(exit.success(), "exit 0: {exit:?}");
    assert!(signalled.elapsed() < Duration::from_secs(10));
    // It was committed: the redelivery (the next instance) finds it done.
    let port = free_port();
    let _next = server(&url, port, None).await;
    let (status, text) = post_event(port, &body).await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["duplicate"],
        true
    );
}

/// A claim this instance still holds at shutdown is released, and another instance takes the job
/// at once instead of after its lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_held_at_shutdown_are_released_for_another_instance_at_once() {
    use capital_platform::store::JobKind;
    let url = harness::shared_database_url("release").await;
    let (a, b) = (instance(&url).await, instance(&url).await);
    let mut tx = a.state.store.begin().await.unwrap();
    tx.queue_job(JobKind::MarkDelivered, "financingoffer_held", ROCKET, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Held by a for a minute, as mid-work.
    let held = a
        .state
        .store
        .claim_due_job(JobKind::MarkDelivered, a.state.reads.owner(), 60)
        .await
        .unwrap();
    assert!(held.is_some());
    assert!(
        b.state
            .store
            .claim_due_job(JobKind::MarkDelivered, b.state.reads.owner(), 60)
            .await
            .unwrap()
            .is_none()
    );
    a.state
        .job_handles()
        .finish_work(Duration::from_millis(100))
        .await;
    assert!(a.state.shutdown.is_begun());
    let taken = b
        .state
        .store
        .claim_due_job(JobKind::MarkDelivered, b.state.reads.owner(), 60)
        .await
        .unwrap();
    assert!(taken.is_some(), "taken at once, not after a's lease");
}
