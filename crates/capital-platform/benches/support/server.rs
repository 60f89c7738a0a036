//! The release server as its own process for the benches, and a signed-in session on it.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The webhook secret the benches sign with.
pub(crate) const SECRET: &str = "whsec_bench";

/// The server binary: `CAPITAL_TEST_SERVER_BINARY` (the test command sets it to the release
/// build), else the one cargo built beside this bench or test.
pub(crate) fn server_binary() -> String {
    std::env::var("CAPITAL_TEST_SERVER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_capital-platform").to_owned())
}

/// Starts `capital-platform serve` on a free port with its data in `data` and `extra` flags;
/// returns the process and its base URL once it answers.
pub(crate) async fn start(data: &Path, extra: &[String]) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let server = tokio::process::Command::new(server_binary())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
        ])
        .args(["--stripe-webhook-secret", SECRET])
        .args(extra)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the capital-platform binary");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}/sign-in")).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, base)
}

/// The sandbox admin token the server in `data` wrote for its CLI, for the dashboard's routes.
#[allow(dead_code)]
pub(crate) fn admin_token(data: &Path) -> String {
    std::fs::read_to_string(data.join("sandbox-admin-token"))
        .expect("the server writes its sandbox admin token to --data-dir")
        .trim()
        .to_owned()
}

/// Signs in as `account`; returns the session cookie.
pub(crate) async fn sign_in(client: &reqwest::Client, base: &str, account: &str) -> String {
    let signed_in = client
        .post(format!("{base}/sign-in"))
        .form(&[("account", account)])
        .send()
        .await
        .unwrap();
    signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}
