//! `cargo run -p capital-example-platform`: the example platform at http://127.0.0.1:4000 (sign
//! in as `ada` or `grace`), with the Capital sandbox playing Stripe's side. It takes the same
//! flags and environment as `capital-platform` (`--mode`, `--database-url`, …).

use axum_extra::extract::cookie::Key;
use capital_example_platform::{Users, app};
use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut cli = capital_platform::Cli::parse();
    if cli.config.listen.port() == 3000 {
        cli.config.listen = "127.0.0.1:4000".parse().unwrap_or(cli.config.listen);
        cli.config.public_url = "http://127.0.0.1:4000".into();
    }
    let listen = cli.config.listen;
    let users = Users::new([
        ("ada", "acct_1RocketCourier"),
        ("grace", "acct_1SunsetBakery"),
    ]);
    // A real platform keeps its key; a fresh one signs everyone out at each start.
    let router = app(cli.config, Key::generate(), users)
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    println!("the example platform at http://{listen}/ (users: ada, grace)");
    axum::serve(listener, router)
        .await
        .map_err(|e| e.to_string())
}
