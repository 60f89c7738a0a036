//! Offer emails end to end in-process (the sandbox's outbox), and through a real SMTP server
//! process (`scripts/smtp-sink.py`, aiosmtpd) when `CAPITAL_TEST_SMTP_PYTHON` names a Python
//! that has it (scripts/test sets it up; without it those tests say so and pass).

use crate::harness;

use std::time::{Duration, Instant};

use capital_platform::Config;
use capital_platform::domain::offer_notice::OfferNotice;
use harness::{ROCKET, SmtpSink, TestApp, decoded};
use serde_json::{Value, json};

async fn app_with(
    notice: OfferNotice,
    smtp_url: Option<String>,
    accounts: Option<&str>,
) -> TestApp {
    let mut config = Config::for_tests();
    config.offer_notice = notice;
    config.smtp_url = smtp_url.map(Into::into);
    config.public_url = "https://platform.example".into();
    config.dashboard_url = Some("https://platform.example/dashboard/capital".into());
    if let Some(accounts) = accounts {
        config.accounts = Some(accounts.into());
    }
    TestApp::with_config(config).await
}

async fn emails(app: &TestApp, account: &str) -> Vec<Value> {
    app.get(
        &format!("/sandbox/admin/accounts/{account}/emails"),
        Some(&app.admin_credential()),
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .clone()
}

/// The account's email for `offer` once `done` holds for it (within 20 s); `work` runs the
/// outbox here as well (besides the app's own worker).
async fn email_when(
    app: &TestApp,
    account: &str,
    offer: &str,
    work: bool,
    done: impl Fn(&Value) -> bool,
    what: &str,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if work {
            app.state.run_due_offer_emails().await.unwrap();
        }
        let email = emails(app, account)
            .await
            .into_iter()
            .find(|e| e["offer"] == offer);
        if let Some(email) = email.filter(&done) {
            return email;
        }
        assert!(Instant::now() < deadline, "the email of {offer}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The account's email for `offer` once it is no longer pending.
async fn settled_email(app: &TestApp, account: &str, offer: &str) -> Value {
    email_when(
        app,
        account,
        offer,
        true,
        |e| e["status"] != "pending",
        "still pending",
    )
    .await
}

/// Creates an offer with `body` (its `account` included) and waits for its email to settle.
async fn emailed_offer(app: &TestApp, body: Value) -> (String, Value) {
    let account = body["account"].as_str().unwrap().to_owned();
    let offer = app.admin("/offers", body).await;
    let id = offer["id"].as_str().unwrap().to_owned();
    let email = settled_email(app, &account, &id).await;
    (id, email)
}

/// The email of `offer` once the app's worker has tried it `attempts` times.
async fn attempted(app: &TestApp, offer: &str, attempts: i64) -> Value {
    email_when(
        app,
        ROCKET,
        offer,
        false,
        |e| e["attempts"].as_i64() >= Some(attempts),
        "not tried enough",
    )
    .await
}

#[tokio::test]
async fn a_created_offer_is_emailed_once_and_then_delivered() {
    let app = app_with(OfferNotice::Email, None, None).await;
    let cookie = app.sign_in(ROCKET).await;
    let (_, email) = emailed_offer(
        &app,
        json!({"account": ROCKET, "advance_amount": 1_500_000}),
    )
    .await;
    assert_eq!(email["status"], "sent");
    assert_eq!(email["recipient"], "owner@rocketcourier.example");
    assert_eq!(
        email["bcc"], "capital-offers@stripe.com",
        "the outbox shows Stripe's copy"
    );
    assert_eq!(
        email["subject"],
        "Rocket Rides: a financing offer through Stripe Capital"
    );
    assert!(email["html"].as_str().unwrap().contains("15,000.00 USD"));
    assert!(
        email["text"]
            .as_str()
            .unwrap()
            .contains("https://platform.example/dashboard/capital")
    );
    // Delivered because of the email, and only then.
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.offer_state(&cookie).await["offer"]["status"] != "delivered" {
        assert!(Instant::now() < deadline, "not delivered after the email");
        app.state.run_due_offer_emails().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(emails(&app, ROCKET).await.len(), 1, "one email per offer");

    // With `email` alone, the element's view does not deliver an offer: the email does.
    let second = app.admin("/offers", json!({"account": ROCKET})).await;
    let answer = app
        .post_json(
            "/api/capital/offer/mark_delivered",
            Some(&cookie),
            json!({"offer": second["id"]}),
        )
        .await;
    assert_eq!(answer.json()["status"], "undelivered");
}

#[tokio::test]
async fn duplicate_created_events_send_one_email() {
    let app = app_with(OfferNotice::Both, None, None).await;
    let now = capital_platform::sandbox::now();
    let event = json!({
        "id": "evt_dup_mail", "object": "event", "type": "capital.financing_offer.created", "created": now,
        "data": {"object": {"id": "financingoffer_dupmail", "object": "capital.financing_offer", "account": ROCKET,
                            "status": "undelivered", "created": now, "disclaimer_variant": "celtic_us_loan", "expires_after": 9e9,
                            "offered_terms": {"advance_amount": 5000, "currency": "usd", "fee_amount": 500, "withhold_rate": 0.1}}},
    });
    for id in [
        "evt_dup_mail",
        "evt_dup_mail",
        "evt_other_delivery_of_the_same_offer",
    ] {
        let mut event = event.clone();
        event["id"] = json!(id);
        let body = event.to_string();
        let request = axum::http::Request::post("/webhooks/stripe")
            .header("content-type", "application/json")
            .header(
                "Stripe-Signature",
                capital_platform::stripe::webhook_signature::sign(
                    body.as_bytes(),
                    "whsec_sandbox_local",
                    now,
                ),
            )
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(app.send(request).await.status, 200);
    }
    let email = settled_email(&app, ROCKET, "financingoffer_dupmail").await;
    // Not in the sandbox's own books, so it cannot be marked delivered there; it was still sent.
    assert_eq!(email["status"], "sent");
    assert_eq!(emails(&app, ROCKET).await.len(), 1);
}

#[tokio::test]
async fn unsubscribed_accounts_and_accounts_without_an_address_get_no_email_and_no_delivery() {
    let accounts = "acct_1RocketCourier=Rocket Courier <owner@rocketcourier.example>,acct_1SunsetBakery=Sunset Bakery";
    let app = app_with(OfferNotice::Email, None, Some(accounts)).await;

    // No address: skipped with the reason; the offer stays undelivered.
    let (_, email) = emailed_offer(&app, json!({"account": "acct_1SunsetBakery"})).await;
    assert_eq!(email["status"], "skipped");
    assert_eq!(email["detail"], "no email address for the account");
    let cookie = app.sign_in("acct_1SunsetBakery").await;
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "undelivered"
    );

    // The unsubscribe link of a sent email: a confirmation page, then one POST.
    let (_, sent) = emailed_offer(&app, json!({"account": ROCKET})).await;
    let text = sent["text"].as_str().unwrap();
    let link = text
        .lines()
        .filter_map(|line| {
            line.split_once(": https://platform.example")
                .map(|(_, rest)| rest)
        })
        .find(|rest| rest.starts_with("/email/unsubscribe"))
        .expect("the unsubscribe link in the text part")
        .to_owned();
    let page = app.get(&link, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Stop offer emails"));
    let forged = link.replace("token=", "token=00");
    assert_eq!(app.post_json(&forged, None, json!({})).await.status, 404);
    let done = app
        .send(
            axum::http::Request::post(&link)
                .header("origin", "https://mail.example")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);

    let (_, email) = emailed_offer(&app, json!({"account": ROCKET})).await;
    assert_eq!(email["status"], "skipped");
    assert_eq!(
        email["detail"],
        "the account unsubscribed from offer emails"
    );
}

#[tokio::test]
async fn an_offer_email_goes_through_a_real_smtp_server_with_both_parts_and_the_headers() {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = {
        let mut config = Config::for_tests();
        config.offer_notice = OfferNotice::Email;
        config.smtp_url = Some(sink.url().into());
        config.public_url = "https://platform.example".into();
        config.dashboard_url = Some("https://platform.example/dashboard/capital".into());
        config.business_name = Some("<b>Rocket</b> & Rides".into());
        TestApp::with_config(config).await
    };
    let (_, email) = emailed_offer(
        &app,
        json!({"account": ROCKET, "advance_amount": 1_500_000}),
    )
    .await;
    assert_eq!(email["status"], "sent", "{email}");
    assert!(
        email["detail"].as_str().unwrap().starts_with("250"),
        "{email}"
    );

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = decoded(&messages[0]);
    assert!(message.contains("X-Envelope-To: owner@rocketcourier.example"));
    // Stripe's copy (`--email-bcc`, by default capital-offers@stripe.com): in the envelope the
    // server received, never in the headers the user sees.
    let envelope = message.lines().next().unwrap();
    assert_eq!(
        envelope,
        "X-Envelope-To: owner@rocketcourier.example,capital-offers@stripe.com"
    );
    assert!(
        !message.to_ascii_lowercase().contains("\nbcc:"),
        "{message}"
    );
    // Only the sink's envelope line names it: no header, no body text.
    assert_eq!(message.matches("capital-offers@stripe.com").count(), 1);
    assert_eq!(email["bcc"], "capital-offers@stripe.com");
    assert!(message.contains("From: \"Rocket Rides\" <capital@rocketrides.example>"));
    assert!(message.contains("To: owner@rocketcourier.example"));
    assert!(message.contains("List-Unsubscribe: <https://platform.example/email/unsubscribe?account=acct_1RocketCourier&token="));
    assert!(message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(message.contains("Content-Type: text/plain"));
    assert!(message.contains("Content-Type: text/html"));
    assert!(message.contains("https://platform.example/dashboard/capital"));
    assert!(
        message.contains("&lt;b&gt;Rocket&lt;/b&gt; &amp; Rides"),
        "branding escaped in the HTML part"
    );
    assert!(!message.contains("<b>Rocket</b> &amp;"));

    // Delivered only now, and a second delivery of the event sends nothing more.
    let cookie = app.sign_in(ROCKET).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.offer_state(&cookie).await["offer"]["status"] != "delivered" {
        assert!(Instant::now() < deadline);
        app.state.run_due_offer_emails().await.unwrap();
    }
    app.state.run_due_offer_emails().await.unwrap();
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_refused_or_unreachable_server_is_retried_and_nothing_is_delivered_meanwhile() {
    let Some(mut sink) = SmtpSink::start().await else {
        return;
    };
    let app = app_with(OfferNotice::Email, Some(sink.url()), None).await;
    let cookie = app.sign_in(ROCKET).await;

    // Refused: the job waits for its retry (the app's own worker sends); not delivered.
    sink.refuse(true);
    let offer = app.admin("/offers", json!({"account": ROCKET})).await;
    let id = offer["id"].as_str().unwrap().to_owned();
    let email = attempted(&app, &id, 1).await;
    assert_eq!(email["status"], "pending", "{email}");
    assert!(email["detail"].as_str().unwrap().contains("550"), "{email}");
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "undelivered"
    );

    // Down: the next attempt fails too, still nothing delivered.
    sink.refuse(false);
    sink.stop().await;
    let email = attempted(&app, &id, 2).await;
    assert_eq!(email["status"], "pending", "{email}");
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "undelivered"
    );

    // Back: the retry sends it, and then the offer is delivered.
    sink.resume().await;
    let email = settled_email(&app, ROCKET, &id).await;
    assert_eq!(email["status"], "sent", "{email}");
    assert_eq!(sink.messages().len(), 1);
    app.state.run_due_offer_emails().await.unwrap();
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "delivered"
    );
}

#[tokio::test]
async fn an_email_the_server_keeps_refusing_is_given_up_as_failed_and_the_offer_stays_undelivered()
{
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    sink.refuse(true);
    let app = app_with(OfferNotice::Email, Some(sink.url()), None).await;
    let offer = app.admin("/offers", json!({"account": ROCKET})).await;
    let id = offer["id"].as_str().unwrap().to_owned();
    attempted(&app, &id, 1).await;
    // The backoff's waits (2, 4, 8 … s), skipped: all but the last try are behind it.
    sqlx::query(
        "UPDATE jobs SET attempts = $1, due_at = 0 WHERE kind = 'offer_email' AND subject = $2",
    )
    .bind(capital_platform::services::offer_emails::ATTEMPTS - 1)
    .bind(&id)
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let email = settled_email(&app, ROCKET, &id).await;
    assert_eq!(email["status"], "failed", "{email}");
    assert_eq!(
        email["attempts"],
        capital_platform::services::offer_emails::ATTEMPTS
    );
    assert!(email["detail"].as_str().unwrap().contains("550"));
    let cookie = app.sign_in(ROCKET).await;
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "undelivered"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_plain_smtp_url_requires_starttls_and_sends_nothing_in_clear_text() {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    // The sink speaks plain SMTP only; without `?tls=none` the backend insists on STARTTLS.
    let plain = sink.url().replace("?tls=none", "");
    let app = app_with(OfferNotice::Email, Some(plain), None).await;
    let offer = app.admin("/offers", json!({"account": ROCKET})).await;
    let email = attempted(&app, offer["id"].as_str().unwrap(), 1).await;
    assert_eq!(email["status"], "pending", "{email}");
    assert!(
        email["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("tls"),
        "{email}"
    );
    assert!(sink.messages().is_empty(), "nothing went out unencrypted");
}

/// Twenty sent emails whose offers Stripe refuses to mark delivered for good (gone: here, not in
/// the sandbox at all) ahead of a new one: each is tried once and recorded as given up, and the
/// new offer is still marked delivered at once, not starved behind them.
#[tokio::test]
async fn offers_stripe_refuses_to_mark_delivered_are_given_up_and_never_stall_newer_ones() {
    let app = app_with(OfferNotice::Email, None, None).await;
    for n in 0..20 {
        let offer = format!("financingoffer_gone_{n}");
        sqlx::query(
            "INSERT INTO offer_emails (offer, account, status, attempts, created) VALUES ($1, $2, 'sent', 1, 0)",
        )
        .bind(&offer)
        .bind(ROCKET)
        .execute(app.state.store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO jobs (kind, subject, account, due_at) VALUES ('mark_delivered', $1, $2, 0)",
        )
        .bind(&offer)
        .bind(ROCKET)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    }
    let cookie = app.sign_in(ROCKET).await;
    let (_, email) = emailed_offer(&app, json!({"account": ROCKET})).await;
    assert_eq!(email["status"], "sent");
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.offer_state(&cookie).await["offer"]["status"] != "delivered" {
        assert!(
            Instant::now() < deadline,
            "the new offer waited behind refused ones"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The offer shows delivered as soon as Stripe's answer is stored; its job ends just after.
    let deadline = Instant::now() + Duration::from_secs(5);
    while app
        .state
        .store
        .queued_jobs(capital_platform::store::JobKind::MarkDelivered)
        .await
        .unwrap()
        > 0
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let records = app.state.store.offer_emails(ROCKET).await.unwrap();
    let gone: Vec<_> = records
        .iter()
        .filter(|e| e.offer.starts_with("financingoffer_gone_"))
        .collect();
    assert_eq!(gone.len(), 20);
    for record in gone {
        assert!(!record.delivered_marked, "{}", record.offer);
        let detail = record.delivered_detail.as_deref().unwrap_or_default();
        assert!(detail.contains("refused"), "{}: {detail}", record.offer);
    }
    assert_eq!(
        app.state
            .store
            .queued_jobs(capital_platform::store::JobKind::MarkDelivered)
            .await
            .unwrap(),
        0,
        "nothing left to retry"
    );
}

/// Emails that could not reach the mail server at all wait for their backoff only until another
/// email reaches it: then they go at once. An email the server itself refused keeps its backoff
/// (greylisting asks for a wait; hurrying it would only spend its tries).
#[tokio::test]
async fn once_the_mail_server_answers_again_the_emails_that_could_not_reach_it_go_at_once() {
    let Some(mut sink) = SmtpSink::start().await else {
        return;
    };
    let app = app_with(OfferNotice::Email, Some(sink.url()), None).await;
    let later = |offer: String| {
        let pool = app.state.store.pool().clone();
        async move {
            // Far behind a long backoff, as after several failures.
            sqlx::query("UPDATE jobs SET due_at = due_at + 3600 WHERE kind = 'offer_email' AND subject = $1")
                .bind(offer)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    // One refused by the server (a 4xx: try later), one that finds no server at all.
    sink.refuse_with(Some(451));
    let refused = app.admin("/offers", json!({"account": ROCKET})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = attempted(&app, &refused, 1).await;
    assert!(email["detail"].as_str().unwrap().contains("451"), "{email}");
    later(refused.clone()).await;
    sink.stop().await;
    let unreachable = app.admin("/offers", json!({"account": ROCKET})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = attempted(&app, &unreachable, 1).await;
    assert!(
        email["detail"]
            .as_str()
            .unwrap()
            .starts_with(capital_platform::services::offer_emails::SERVER_UNREACHABLE),
        "{email}"
    );
    later(unreachable.clone()).await;

    // The server is back: the next offer's email reaches it, and brings the unreachable one along.
    sink.resume().await;
    sink.refuse_with(None);
    let (_, sent) = emailed_offer(&app, json!({"account": ROCKET})).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    let email = settled_email(&app, ROCKET, &unreachable).await;
    assert_eq!(email["status"], "sent", "{email}");
    let still = emails(&app, ROCKET)
        .await
        .into_iter()
        .find(|e| e["offer"] == refused.as_str())
        .unwrap();
    assert_eq!(still["status"], "pending", "{still}");
    assert_eq!(sink.messages().len(), 2);
}
