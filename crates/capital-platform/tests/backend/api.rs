//! The platform's routes end to end in-process (`oneshot`), in sandbox mode: the lifecycle,
//! account isolation, bad input, and persistence across a restart.

use crate::harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use harness::{BAKERY, ROCKET, TestApp};
use serde_json::{Value, json};

fn hosted_path(url: &str) -> String {
    url.split_once("/sandbox/hosted/")
        .map(|(_, token)| format!("/sandbox/hosted/{token}"))
        .expect("a sandbox hosted URL")
}

#[tokio::test]
async fn the_whole_lifecycle_through_the_elements_routes() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    assert_eq!(app.offer_state(&cookie).await["offer"], Value::Null);

    // An offer is created; the element sees it through the webhook-fed store.
    let created = app.admin("/offers", json!({"account": ROCKET, "advance_amount": 1_000_000, "fee_amount": 100_000, "withhold_rate": 0.12})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], id.as_str());
    assert_eq!(state["offer"]["status"], "undelivered");
    assert_eq!(state["branding"]["business_name"], "Rocket Rides");

    // Marked delivered; idempotent.
    for _ in 0..2 {
        let answer = app
            .post_json(
                "/api/capital/offer/mark_delivered",
                Some(&cookie),
                json!({"offer": id}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.json()["status"], "delivered");
    }

    // A fresh link each time; it works once and then sends the user to its refresh URL.
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await
        .json();
    assert_eq!(link["object"], "account_link");
    assert_eq!(
        link["expires_at"].as_i64().unwrap() - link["created"].as_i64().unwrap(),
        300
    );
    let other = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await
        .json();
    assert_ne!(link["url"], other["url"]);
    let page = app
        .get(&hosted_path(link["url"].as_str().unwrap()), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("type=\"range\"") && page.text.contains("max=\"1000000\""),
        "the application has an amount slider"
    );
    let again = app
        .get(&hosted_path(link["url"].as_str().unwrap()), None)
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        again.headers["location"]
            .to_str()
            .unwrap()
            .ends_with("/api/capital/account_links/refresh?type=capital_financing_offer")
    );

    // Submitting the application accepts the offer with the chosen amount.
    let submit = app
        .send(
            Request::post(format!(
                "{}/submit",
                hosted_path(link["url"].as_str().unwrap())
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("advance_amount=600000"))
            .unwrap(),
        )
        .await;
    assert_eq!(submit.status, StatusCode::OK, "{}", submit.text);
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["status"], "accepted");
    assert_eq!(state["offer"]["accepted_terms"]["advance_amount"], 600_000);
    assert_eq!(state["offer"]["accepted_terms"]["fee_amount"], 60_000);

    // Approve and disburse: financing in progress, with its summary.
    app.admin(&format!("/offers/{id}/approve"), json!({})).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["status"], "paid_out");
    assert_eq!(state["summary"]["details"]["remaining_amount"], 660_000);
    app.admin(&format!("/offers/{id}/repay"), json!({"amount": 400_000}))
        .await;
    let details = app.offer_state(&cookie).await["summary"]["details"].clone();
    assert_eq!(
        (
            details["paid_amount"].as_i64(),
            details["remaining_amount"].as_i64()
        ),
        (Some(400_000), Some(260_000))
    );

    // A refill once half is repaid, with a 50% discount on the remaining fee at payout.
    let refill = app
        .admin(
            &format!("/accounts/{ROCKET}/refill"),
            json!({"advance_amount": 900_000, "discount_rate": 0.5}),
        )
        .await;
    let refill_id = refill["id"].as_str().unwrap().to_owned();
    let state = app.offer_state(&cookie).await;
    assert_eq!(
        state["offer"]["id"],
        refill_id.as_str(),
        "the refill offer is what the element shows"
    );
    assert_eq!(
        state["offer"]["offered_terms"]["previous_financing_fee_discount_rate"],
        0.5
    );
    assert_eq!(
        state["summary"]["details"]["remaining_amount"], 260_000,
        "with the current financing's summary"
    );
    app.admin(
        &format!("/offers/{refill_id}/accept"),
        json!({"amount": 900_000}),
    )
    .await;
    app.admin(&format!("/offers/{refill_id}/approve"), json!({}))
        .await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], refill_id.as_str());
    assert_eq!(state["offer"]["status"], "paid_out");
    // 260,000 of 660,000 remained: 60,000 × 260/660 = 23,636 of fee; half of it is the discount.
    assert_eq!(
        state["offer"]["accepted_terms"]["previous_financing_fee_discount_amount"],
        11_818
    );
    let list = app
        .get(
            &format!("/sandbox/admin/accounts/{ROCKET}/offers"),
            Some(&app.admin_credential()),
        )
        .await
        .json();
    let old = list["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["offer"]["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        old["offer"]["status"], "fully_repaid",
        "the refilled financing is closed"
    );

    // A replacement arrives and the element follows it; expiry collapses it.
    let open = app
        .admin(
            "/offers",
            json!({"account": BAKERY, "advance_amount": 500_000, "status": "delivered"}),
        )
        .await;
    let bakery = app.sign_in(BAKERY).await;
    let replacement = app
        .admin(
            &format!("/offers/{}/replace", open["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    let state = app.offer_state(&bakery).await;
    assert_eq!(state["offer"]["id"], replacement["id"]);
    assert_eq!(state["offer"]["replacement_for"], open["id"]);
    assert_eq!(state["offer"]["offered_terms"]["advance_amount"], 750_000);
    app.admin(
        &format!("/offers/{}/expire", replacement["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    assert_eq!(app.offer_state(&bakery).await["offer"], Value::Null);
}

#[tokio::test]
async fn invalid_transitions_are_refused_clearly() {
    let app = TestApp::new().await;
    let offer = app.admin("/offers", json!({"account": ROCKET})).await;
    let id = offer["id"].as_str().unwrap();
    for action in ["approve", "reject", "cancel", "repay_in_full"] {
        let answer = app
            .post_json(
                &format!("/sandbox/admin/offers/{id}/{action}"),
                Some(&app.admin_credential()),
                json!({}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{action}");
        assert_eq!(answer.json()["error"]["type"], "invalid_request_error");
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is undelivered"),
            "{}",
            answer.text
        );
    }
    let refill = app
        .post_json(
            &format!("/sandbox/admin/accounts/{ROCKET}/refill"),
            Some(&app.admin_credential()),
            json!({}),
        )
        .await;
    assert_eq!(refill.status, StatusCode::CONFLICT);
    let unknown = app
        .post_json(
            "/sandbox/admin/offers/financingoffer_nope/approve",
            Some(&app.admin_credential()),
            json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_accounts_offer_can_never_be_read_delivered_or_linked() {
    let app = TestApp::new().await;
    let rocket_offer = app.admin("/offers", json!({"account": ROCKET})).await;
    let id = rocket_offer["id"].as_str().unwrap();
    let bakery = app.sign_in(BAKERY).await;

    assert_eq!(app.offer_state(&bakery).await["offer"], Value::Null);
    let deliver = app
        .post_json(
            "/api/capital/offer/mark_delivered",
            Some(&bakery),
            json!({"offer": id}),
        )
        .await;
    assert_eq!(deliver.status, StatusCode::NOT_FOUND);
    assert_eq!(
        deliver.json()["error"]["message"],
        "no such financing offer"
    );
    // An account id in the body is refused outright, never used.
    let smuggled = app
        .post_json(
            "/api/capital/account_links",
            Some(&bakery),
            json!({"type": "capital_financing_offer", "account": ROCKET}),
        )
        .await;
    assert_eq!(smuggled.status, StatusCode::BAD_REQUEST);
    assert!(
        smuggled.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `account`")
    );
    // A link minted for the bakery opens the bakery's (empty) reporting, not the rocket's offer.
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&bakery),
            json!({"type": "capital_financing_offer"}),
        )
        .await
        .json();
    let page = app
        .get(&hosted_path(link["url"].as_str().unwrap()), None)
        .await;
    assert!(
        !page.text.contains(id),
        "another account's offer never appears"
    );
    // The rocket's offer is untouched.
    let rocket = app.sign_in(ROCKET).await;
    assert_eq!(
        app.offer_state(&rocket).await["offer"]["status"],
        "undelivered"
    );
}

#[tokio::test]
async fn bad_requests_get_clear_envelopes() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;

    let anonymous = app.get("/api/capital/offer", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"]["type"], "authentication_error");
    let forged = app
        .get(
            "/api/capital/offer",
            Some("capital_session=acct_1RocketCourier"),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::UNAUTHORIZED,
        "an unsigned cookie is no session"
    );

    let wrong_type = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "account_onboarding"}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong_type.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("capital_financing_offer")
    );

    let not_json = app
        .post_raw(
            "/api/capital/account_links",
            &cookie,
            "text/plain",
            "type=x",
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        not_json.json()["error"]["message"],
        "unsupported content type; send application/json"
    );

    let syntax = app
        .post_raw(
            "/api/capital/account_links",
            &cookie,
            "application/json",
            "{",
        )
        .await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        syntax.json()["error"]["message"],
        "the body is not valid JSON"
    );

    let huge = json!({"type": "capital_financing_offer", "padding": "x".repeat(64 * 1024)});
    let too_large = app
        .post_json("/api/capital/account_links", Some(&cookie), huge)
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json()["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = capital_platform::Config::for_tests();
    config.database_url = Some(
        match std::env::var("CAPITAL_TEST_POSTGRES") {
            Ok(admin) => harness::fresh_postgres_database(&admin).await,
            Err(_) => format!("sqlite://{}/capital.db", dir.display()),
        }
        .into(),
    );
    std::fs::create_dir_all(&dir).unwrap();

    let (cookie, id) = {
        let app = TestApp::with_config(config.clone()).await;
        let cookie = app.sign_in(ROCKET).await;
        let offer = app
            .admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
            .await;
        let id = offer["id"].as_str().unwrap().to_owned();
        app.admin(&format!("/offers/{id}/accept"), json!({"amount": 50_000}))
            .await;
        app.state.store.pool().close().await;
        (cookie, id)
    };
    // A new process on the same data directory: the session and the lifecycle carry on.
    let app = TestApp::with_config(config).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], id.as_str());
    assert_eq!(state["offer"]["status"], "accepted");
    app.admin(&format!("/offers/{id}/approve"), json!({})).await;
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "paid_out"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn concurrent_actions_on_one_offer_cannot_both_win() {
    let app = TestApp::new().await;
    let offer = app
        .admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let id = offer["id"].as_str().unwrap().to_owned();
    app.admin(&format!("/offers/{id}/accept"), json!({"amount": 50_000}))
        .await;
    let (approve_path, reject_path) = (
        format!("/sandbox/admin/offers/{id}/approve"),
        format!("/sandbox/admin/offers/{id}/reject"),
    );
    let admin = app.admin_credential();
    let (approve, reject) = tokio::join!(
        app.post_json(&approve_path, Some(&admin), json!({})),
        app.post_json(&reject_path, Some(&admin), json!({}))
    );
    let winners = [approve.status, reject.status]
        .iter()
        .filter(|s| s.is_success())
        .count();
    assert_eq!(
        winners, 1,
        "approve {} / reject {}",
        approve.status, reject.status
    );
    let cookie = app.sign_in(ROCKET).await;
    let shown = app.offer_state(&cookie).await["offer"]["status"].clone();
    let expected = if approve.status.is_success() {
        "paid_out"
    } else {
        "rejected"
    };
    assert_eq!(shown, expected, "the platform saw the winner's event");
}

#[tokio::test]
async fn expired_links_redirect_to_a_refresh_route_that_mints_a_new_one() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    app.admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await
        .json();
    let path = hosted_path(link["url"].as_str().unwrap());
    // Five minutes pass (the link's expiry moved into the past).
    sqlx::query("UPDATE sandbox_links SET expires_at = expires_at - 301")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let expired = app.get(&path, None).await;
    assert_eq!(
        expired.status,
        StatusCode::SEE_OTHER,
        "an expired link is not opened"
    );
    let refresh = expired.headers["location"]
        .to_str()
        .unwrap()
        .replace("http://127.0.0.1:3000", "");
    let fresh = app.get(&refresh, Some(&cookie)).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER);
    let new_path = hosted_path(fresh.headers["location"].to_str().unwrap());
    assert_ne!(new_path, path);
    assert_eq!(
        app.get(&new_path, None).await.status,
        StatusCode::OK,
        "the new link works"
    );
    assert_eq!(
        app.get(&refresh, None).await.status,
        StatusCode::UNAUTHORIZED,
        "only for the signed-in user"
    );
}

#[tokio::test]
async fn the_summary_comes_from_recorded_repayments_with_the_current_interval() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let offer = app
        .admin("/offers", json!({"account": ROCKET, "advance_amount": 1_200_000, "fee_amount": 120_000,
                                 "repayment_interval_days": 60, "repayment_interval_minimum": 200_000}))
        .await;
    let id = offer["id"].as_str().unwrap();
    assert_eq!(offer["financing_type"], "fixed_term_loan");
    app.admin(
        &format!("/offers/{id}/accept"),
        json!({"amount": 1_200_000}),
    )
    .await;
    app.admin(&format!("/offers/{id}/approve"), json!({})).await;
    app.admin(&format!("/offers/{id}/repay"), json!({"amount": 50_000}))
        .await;
    app.admin(&format!("/offers/{id}/repay"), json!({"amount": 70_000}))
        .await;
    let details = app.offer_state(&cookie).await["summary"]["details"].clone();
    assert_eq!(details["paid_amount"], 120_000);
    assert_eq!(details["remaining_amount"], 1_200_000);
    let interval = &details["current_repayment_interval"];
    assert_eq!(
        interval["paid_amount"], 120_000,
        "both repayments fall in the first 60-day interval"
    );
    assert_eq!(
        interval["remaining_amount"], 80_000,
        "of the 200,000 minimum"
    );
    let transactions = app
        .get(
            &format!("/sandbox/admin/accounts/{ROCKET}/offers"),
            Some(&app.admin_credential()),
        )
        .await
        .json()["transactions"]
        .clone();
    assert_eq!(transactions.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_cli_drives_a_running_sandbox() {
    use capital_platform::sandbox::cli::{SandboxAction, SandboxCommand};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let mut config = capital_platform::Config::for_tests();
    config.public_url = server.clone();
    let app = TestApp::with_config(config).await;
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // The token as the server leaves it for the CLI: in its data directory.
    let data_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "capital-cli-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let admin = app.admin_credential();
    let token = admin.trim_start_matches("Bearer ");
    capital_platform::sandbox::cli::write_admin_token(&data_dir, token).unwrap();
    let run = |action| {
        SandboxCommand {
            server: server.clone(),
            admin_token: None,
            action,
        }
        .run(&data_dir)
    };

    // Without the token, or with a wrong one, the CLI is refused, and says why.
    let list = || SandboxAction::List {
        account: ROCKET.into(),
    };
    let missing = SandboxCommand {
        server: server.clone(),
        admin_token: None,
        action: list(),
    }
    .run(std::path::Path::new("/nonexistent"))
    .await
    .unwrap_err();
    assert!(missing.contains("--admin-token"), "{missing}");
    let wrong = SandboxCommand {
        server: server.clone(),
        admin_token: Some("sbx_admin_guessed".into()),
        action: list(),
    }
    .run(std::path::Path::new("/nonexistent"))
    .await
    .unwrap_err();
    assert_eq!(wrong, "not signed in");
    let given = SandboxCommand {
        server: server.clone(),
        admin_token: Some(token.to_owned()),
        action: list(),
    }
    .run(std::path::Path::new("/nonexistent"))
    .await;
    assert!(given.is_ok(), "{given:?}");

    let created = run(SandboxAction::CreateOffer {
        account: ROCKET.into(),
        amount: 500_000,
        fee: None,
        withhold_rate: 0.1,
        currency: "eur".into(),
        product_type: None,
        campaign_type: Some("previously_eligible_user".into()),
        status: Some("delivered".into()),
    })
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["offered_terms"]["currency"], "eur");
    run(SandboxAction::Accept {
        offer: id.clone(),
        amount: 400_000,
    })
    .await
    .unwrap();
    run(SandboxAction::Approve { offer: id.clone() })
        .await
        .unwrap();
    let repaid = run(SandboxAction::RepayInFull { offer: id.clone() })
        .await
        .unwrap();
    assert_eq!(repaid["status"], "fully_repaid");
    let refused = run(SandboxAction::Reject { offer: id.clone() })
        .await
        .unwrap_err();
    assert!(refused.contains("is fully_repaid"), "{refused}");
    let listed = run(SandboxAction::List {
        account: ROCKET.into(),
    })
    .await
    .unwrap();
    assert_eq!(listed["offers"][0]["offer"]["id"], id.as_str());
    let cookie = app.sign_in(ROCKET).await;
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "fully_repaid"
    );
}

#[tokio::test]
async fn the_platforms_approved_copy_goes_with_every_offer_and_a_bad_file_stops_the_start() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copy.json");
    std::fs::write(
        &file,
        r#"{"offer.cta": "See your offer", "fr": {"offer.cta": "Voir votre offre"}}"#,
    )
    .unwrap();
    let mut config = capital_platform::Config::for_tests();
    config.copy_file = Some(file.clone());
    let app = TestApp::with_config(config.clone()).await;
    let cookie = app.sign_in(ROCKET).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(
        state["copy"],
        json!({"offer.cta": "See your offer", "fr": {"offer.cta": "Voir votre offre"}})
    );

    // Without a copy file, the answer has no `copy` (the element's built-in copy applies).
    let plain = TestApp::new().await;
    let cookie = plain.sign_in(ROCKET).await;
    assert_eq!(plain.offer_state(&cookie).await.get("copy"), None);

    // A typo fails the start with the key that is wrong, instead of leaving built-in text.
    std::fs::write(&file, r#"{"offer.cat": "See your offer"}"#).unwrap();
    let error = capital_platform::AppState::new(config)
        .await
        .err()
        .expect("the start is refused");
    assert!(
        error.to_string().contains("unknown key `offer.cat`"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sandbox_numbers_out_of_range_are_refused_clearly_and_the_longest_interval_still_renders() {
    let app = TestApp::new().await;
    let cases = [
        (
            json!({"advance_amount": 10_000_000_000_000_i64}),
            "advance_amount",
        ),
        (json!({"fee_amount": 10_000_000_000_000_i64}), "fee_amount"),
        (
            json!({"repayment_interval_days": 144_115_188_075_855_872_i64}),
            "repayment_interval_days",
        ),
        (
            json!({"repayment_interval_days": 0}),
            "repayment_interval_days",
        ),
        (
            json!({"repayment_interval_days": 30, "repayment_interval_minimum": 10_000_000_000_000_i64}),
            "repayment_interval_minimum",
        ),
        (
            json!({"product_type": "refill", "previous_financing_fee_discount_rate": 2.0}),
            "previous_financing_fee_discount_rate",
        ),
    ];
    for (fields, named) in cases {
        let mut body = json!({"account": ROCKET});
        for (key, value) in fields.as_object().unwrap() {
            body[key] = value.clone();
        }
        let answer = app
            .post_json(
                "/sandbox/admin/offers",
                Some(&app.admin_credential()),
                body.clone(),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.text
        );
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(named), "{body}: {message}");
    }
    // The longest interval the sandbox takes, through the whole financing: the view answers.
    let offer = app
        .admin("/offers", json!({"account": ROCKET, "repayment_interval_days": 3650, "repayment_interval_minimum": 1_000}))
        .await;
    let id = offer["id"].as_str().unwrap();
    app.admin(&format!("/offers/{id}/accept"), json!({"amount": 100_000}))
        .await;
    app.admin(&format!("/offers/{id}/approve"), json!({})).await;
    let cookie = app.sign_in(ROCKET).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["status"], "paid_out");
    assert!(
        state["summary"]["details"]["current_repayment_interval"]["due_at"].is_number(),
        "{state}"
    );
    // A replacement for more than the sandbox takes is refused too.
    let open = app.admin("/offers", json!({"account": ROCKET})).await;
    let replaced = app
        .post_json(
            &format!(
                "/sandbox/admin/offers/{}/replace",
                open["id"].as_str().unwrap()
            ),
            Some(&app.admin_credential()),
            json!({"amount": 10_000_000_000_000_i64}),
        )
        .await;
    assert_eq!(
        replaced.status,
        StatusCode::BAD_REQUEST,
        "{}",
        replaced.text
    );
}

#[tokio::test]
async fn a_stored_offer_that_cannot_be_read_never_breaks_its_accounts_view() {
    let app = TestApp::new().await;
    let good = app.admin("/offers", json!({"account": ROCKET})).await;
    // Rows no release could read: not JSON, an array, a wrong type in a typed field.
    for (n, body) in [
        "{not json",
        r#"[{"id": "x"}]"#,
        r#"{"id": 42, "status": []}"#,
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO offers (id, account, status, body, event_created, status_rank) VALUES ($1, $2, 'delivered', $3, 0, 0)",
        )
        .bind(format!("financingoffer_broken{n}"))
        .bind(ROCKET)
        .bind(body)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    }
    let cookie = app.sign_in(ROCKET).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], good["id"], "{state}");
}

/// What axum answers on its own (a wrong method, a query string or form that does not parse) is
/// in Stripe's envelope too, with its status.
#[tokio::test]
async fn wrong_methods_bad_queries_and_bad_forms_answer_in_the_envelope() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let same_site = |request: axum::http::request::Builder| {
        request
            .header("cookie", &cookie)
            .header("origin", "http://127.0.0.1:3000")
            .header("sec-fetch-site", "same-origin")
    };
    let cases = [
        (
            Request::delete("/api/capital/offer"),
            Body::empty(),
            405,
            "DELETE",
        ),
        (
            Request::put("/api/capital/account_links"),
            Body::empty(),
            405,
            "PUT",
        ),
        (Request::get("/webhooks/stripe"), Body::empty(), 405, "GET"),
        (
            Request::patch("/sandbox/admin/offers"),
            Body::empty(),
            405,
            "PATCH",
        ),
        (
            Request::get("/api/capital/account_links/refresh?type=onboarding%ZZ"),
            Body::empty(),
            400,
            "capital_financing_offer",
        ),
        (
            Request::get("/api/capital/account_links/refresh"),
            Body::empty(),
            400,
            "type",
        ),
        (
            Request::get(
                "/api/capital/account_links/refresh?type=capital_financing_offer&type=capital_financing_offer",
            ),
            Body::empty(),
            400,
            "query string",
        ),
        (
            Request::post("/sign-in").header("content-type", "application/x-www-form-urlencoded"),
            Body::from("accountant=acct_1RocketCourier"),
            422,
            "account",
        ),
        (
            Request::post("/sign-in").header("content-type", "text/plain"),
            Body::from("account=acct_1RocketCourier"),
            415,
            "form",
        ),
    ];
    for (request, body, status, mention) in cases {
        let request = same_site(request).body(body).unwrap();
        let what = format!("{} {}", request.method(), request.uri());
        let answer = app.send(request).await;
        assert_eq!(answer.status.as_u16(), status, "{what}: {}", answer.text);
        assert!(
            answer.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{what}"
        );
        let envelope = answer.json();
        assert_eq!(
            envelope["error"]["type"], "invalid_request_error",
            "{what}: {envelope}"
        );
        let message = envelope["error"]["message"].as_str().unwrap();
        assert!(
            message.to_lowercase().contains(&mention.to_lowercase()),
            "{what}: {message}"
        );
    }
}

/// Account Links are budgeted per account: a burst of five, then one every ten seconds; past it a
/// `429` in the envelope with `Retry-After`, and another account is not held back.
#[tokio::test]
async fn an_account_asking_for_link_after_link_is_told_when_to_try_again() {
    let app = TestApp::new().await;
    app.admin("/offers", json!({"account": ROCKET})).await;
    let rocket = app.sign_in(ROCKET).await;
    let link = |cookie: String| {
        let app = &app;
        async move {
            app.post_json(
                "/api/capital/account_links",
                Some(&cookie),
                json!({"type": "capital_financing_offer"}),
            )
            .await
        }
    };
    for n in 0..5 {
        let answer = link(rocket.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "link {n}: {}", answer.text);
    }
    let refused = link(rocket.clone()).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    let envelope = refused.json();
    assert_eq!(envelope["error"]["type"], "rate_limit_error");
    assert!(
        envelope["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in"),
        "{envelope}"
    );
    // The refresh route spends the same budget.
    let refresh = app
        .get(
            "/api/capital/account_links/refresh?type=capital_financing_offer",
            Some(&rocket),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::TOO_MANY_REQUESTS);
    let bakery = app.sign_in(BAKERY).await;
    assert_eq!(
        link(bakery).await.status,
        StatusCode::OK,
        "another account's budget"
    );
}

/// The probes: no session, no `Host` check, nothing of the configuration; `/readyz` names the
/// failing check.
#[tokio::test]
async fn the_probes_answer_for_the_process_and_its_database() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/readyz"] {
        let request = Request::get(path)
            .header("host", "10.0.0.7:3000")
            .body(Body::empty())
            .unwrap();
        let answer = app.send(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
        assert!(answer.text.len() < 40, "nothing revealed: {}", answer.text);
    }
    app.state.store.pool().close().await;
    let answer = app.get("/readyz", None).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.json()["error"]["message"], "not ready: database");
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

/// `docs/openapi.json` is the generated document, byte for byte; `CAPITAL_UPDATE_OPENAPI=1`
/// rewrites it (review the diff: it is the contract other backends implement).
#[test]
fn the_openapi_document_in_docs_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let generated = capital_platform::http::openapi::document_json();
    if std::env::var_os("CAPITAL_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let written = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/openapi.json is not the document the routes generate: run \
         `CAPITAL_UPDATE_OPENAPI=1 cargo test -p capital-platform --test backend openapi` \
         (or `capital-platform openapi > docs/openapi.json`) and review the diff"
    );
}

/// The document is an OpenAPI 3.1 document (the OpenAPI Initiative's own schema of one, vendored
/// in `tests/openapi/`), and each of its Schema Objects is a JSON Schema 2020-12 schema.
#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let document = serde_json::to_value(capital_platform::http::openapi::document()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let oas: Value = serde_json::from_str(include_str!("openapi/oas-3.1-schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&oas).expect("the OAS 3.1 schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid OpenAPI 3.1 document: {errors:#?}"
    );
    for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
        assert!(
            jsonschema::meta::is_valid(schema),
            "the schema {name} is not JSON Schema 2020-12"
        );
    }
    // Every route the element calls is in it, each with the identities and the error envelope.
    let operations = [
        ("/offer", "get"),
        ("/offer/events", "get"),
        ("/account_links", "post"),
        ("/account_links/refresh", "get"),
        ("/account_links/refresh", "post"),
        ("/offer/mark_delivered", "post"),
    ];
    for (path, method) in operations {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert_eq!(
            operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorEnvelope",
            "{method} {path} answers 401 in the envelope"
        );
    }
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .unwrap();
    assert_eq!(
        schemes.keys().collect::<Vec<_>>(),
        ["proxy_header", "session_cookie", "session_token"]
    );
    assert_eq!(schemes["session_token"]["scheme"], "bearer");
    assert_eq!(document["servers"][0]["url"], "/api/capital");
}

#[tokio::test]
async fn the_openapi_document_is_served_to_anybody() {
    let app = TestApp::new().await;
    let answer = app.get("/api/capital/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(
        answer.json(),
        serde_json::to_value(capital_platform::http::openapi::document()).unwrap()
    );
}

/// The checks `TestApp::send` runs on every answer are real: answers the document does not
/// describe are caught.
#[test]
fn the_contract_check_catches_what_the_document_does_not_describe() {
    let offer_state = json!({"$ref": "#/components/schemas/OfferState"});
    let good = json!({
        "offer": {"id": "financingoffer_1", "status": "undelivered", "some_future_field": 1,
                  "offered_terms": {"advance_amount": 100, "campaign_type": "a_future_campaign"}},
        "summary": null,
        "branding": {"business_name": "Rocket Rides", "primary_color": "#0a7cff"},
        "copy": {"offer.cta": "See your offer", "fr": {"offer.cta": "Voir votre offre"}},
    });
    harness::contract::assert_valid(&offer_state, &good, "an offer state");
    for bad in [
        json!({"offer": {"id": "financingoffer_1", "status": 3}}),
        json!({"offer": {"status": "undelivered"}}),
        json!({"offer": null, "branding": {"primary_color": 7}}),
        json!({"offer": null, "copy": {"fr": {"offer.cta": false}}}),
        json!({"offer": {"id": "financingoffer_1", "status": "paid_out",
                         "offered_terms": {"advance_amount": "a lot"}}}),
    ] {
        let refused = std::panic::catch_unwind(|| {
            harness::contract::assert_valid(&offer_state, &bad, "a bad offer state")
        });
        assert!(refused.is_err(), "the document refuses {bad}");
    }
    let link_request = json!({"$ref": "#/components/schemas/AccountLinkRequest"});
    harness::contract::assert_valid(
        &link_request,
        &json!({"type": "capital_financing_offer"}),
        "a link request",
    );
    let refused = std::panic::catch_unwind(|| {
        harness::contract::assert_valid(
            &link_request,
            &json!({"type": "capital_financing_offer", "account": "acct_1"}),
            "a link request naming an account",
        )
    });
    assert!(refused.is_err(), "a request body names no account");
}

/// With the database away (here: its pool closed, as after a failover), the element's routes
/// answer `503` with `Retry-After` in the envelope, for a cookie session (the session store is
/// the database) and for a session token alike; never a `500`, which would read as a bug.
#[tokio::test]
async fn with_the_database_away_the_elements_routes_answer_503_with_retry_after() {
    let demo = TestApp::new().await;
    let token_app = TestApp::with_config(harness::with_token_identity(
        capital_platform::Config::for_tests(),
    ))
    .await;
    for app in [&demo, &token_app] {
        let credential = app.sign_in(ROCKET).await;
        assert_eq!(
            app.get("/api/capital/offer", Some(&credential))
                .await
                .status,
            StatusCode::OK
        );
        app.state.store.pool().close().await;
        for answer in [
            app.get("/api/capital/offer", Some(&credential)).await,
            app.post_json(
                "/api/capital/account_links",
                Some(&credential),
                json!({"type": "capital_financing_offer"}),
            )
            .await,
        ] {
            assert_eq!(
                answer.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{}",
                answer.text
            );
            assert_eq!(answer.headers["retry-after"], "2");
            assert_eq!(answer.json()["error"]["type"], "api_error");
            assert_eq!(
                answer.json()["error"]["message"],
                "the platform is briefly unavailable; please try again in a moment"
            );
        }
    }
}

/// Rocket Rides signed in, with an undelivered $10,000 offer (the tile the renders below show).
async fn rocket_with_an_undelivered_offer() -> (TestApp, String) {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    app.admin(
        "/offers",
        json!({"account": ROCKET, "advance_amount": 1_000_000, "fee_amount": 100_000, "withhold_rate": 0.12}),
    )
    .await;
    (app, cookie)
}

/// `GET /offer/fragment`: the signed-in account's element, server-rendered, with the state it
/// shows and a call to action that is a link to the refresh route; nobody signed in gets nothing.
#[tokio::test]
async fn the_fragment_is_the_signed_in_accounts_tile_server_rendered() {
    let (app, cookie) = rocket_with_an_undelivered_offer().await;
    let fragment = app
        .get(
            "/api/capital/offer/fragment?layout=banner&locale=fr-FR&theme=dark",
            Some(&cookie),
        )
        .await;
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.text);
    assert_eq!(fragment.headers["content-type"], "text/html; charset=utf-8");
    let html = &fragment.text;
    assert!(
        html.starts_with(r#"<capital-offer-tile layout="banner" locale="fr-FR" theme="dark"><template shadowrootmode="open"><style>"#),
        "{html}"
    );
    assert!(
        html.contains(
            r#"data-status="undelivered" data-layout="banner" data-theme="dark" lang="fr-FR""#
        ),
        "{html}"
    );
    assert!(
        html.contains("10\u{202f}000\u{a0}$US"),
        "the amount as fr-FR's Intl writes it: {html}"
    );
    assert!(html.contains("Rocket Rides"), "{html}");
    assert!(
        html.contains(r#"href="/api/capital/account_links/refresh?type=capital_financing_offer""#),
        "{html}"
    );
    // The state shown, the same JSON as `GET /offer`, escaped into an attribute.
    let state = app.offer_state(&cookie).await;
    let embedded = html
        .split_once(r#"data-state=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| {
            value
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&embedded).unwrap(), state);

    // A language the server cannot write as the browser would: the element renders itself.
    let japanese = app
        .get("/api/capital/offer/fragment?locale=ja-JP", Some(&cookie))
        .await;
    assert_eq!(
        japanese.text,
        r#"<capital-offer-tile locale="ja-JP"></capital-offer-tile>"#
    );

    let anonymous = app.get("/api/capital/offer/fragment", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// `GET /offer?prerender=…`: the same state, and the tile the fragment holds as `prerendered`,
/// for a single-page app's element to paint before its wasm.
#[tokio::test]
async fn a_prerender_adds_the_tile_to_the_state_and_nothing_else_changes() {
    let (app, cookie) = rocket_with_an_undelivered_offer().await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state.get("prerendered"), None, "only when asked");

    let answer = app
        .get(
            "/api/capital/offer?prerender=banner&locale=fr-FR&theme=dark&brand-color=%23ff5a00",
            Some(&cookie),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let mut with_tile: Value = answer.json();
    let prerendered = with_tile
        .as_object_mut()
        .unwrap()
        .remove("prerendered")
        .unwrap();
    assert_eq!(with_tile, state, "the state itself is unchanged");
    assert_eq!(prerendered["layout"], "banner");
    assert_eq!(prerendered["lang"], "fr");
    let html = prerendered["html"].as_str().unwrap();
    assert!(
        html.starts_with(r#"<div part="tile" data-status="undelivered" data-layout="banner" data-theme="dark" lang="fr-FR""#),
        "{html}"
    );
    assert!(html.contains("10\u{202f}000\u{a0}$US"), "{html}");
    // The same markup the fragment's shadow root holds.
    let fragment = app
        .get(
            "/api/capital/offer/fragment?layout=banner&locale=fr-FR&theme=dark&brand-color=%23ff5a00",
            Some(&cookie),
        )
        .await;
    assert!(fragment.text.contains(html), "{}", fragment.text);
    let properties = prerendered["properties"].as_str().unwrap();
    assert!(
        properties.starts_with("--_brand:#ff5a00;") && properties.ends_with(";--_progress:0%"),
        "{properties}"
    );

    // The reader's language without a locale; none for a layout it does not know or a language
    // only the browser can write.
    let mut request = Request::get("/api/capital/offer?prerender=tile")
        .header("accept-language", "de-DE,de;q=0.9");
    request = request.header(harness::credential_header(&cookie), &cookie);
    let german: Value = app.send(request.body(Body::empty()).unwrap()).await.json();
    assert_eq!(german["prerendered"]["lang"], "de");
    assert_eq!(german["prerendered"]["layout"], "tile");
    for query in [
        "prerender=carousel",
        "prerender=tile&locale=ja-JP",
        "prerender=",
    ] {
        let answer: Value = app
            .get(&format!("/api/capital/offer?{query}"), Some(&cookie))
            .await
            .json();
        assert_eq!(answer, state, "{query}");
    }
}
