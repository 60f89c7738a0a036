//! `capital-platform`: serve (the default) or run a sandbox action against a running server.

use std::time::Duration;

use capital_platform::config::LogFormat;
use capital_platform::{AppState, Cli, Command, app};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    match cli.config.log_format {
        // One JSON object per line: the event's fields, and the request's span (its id, method,
        // path, route) beside them.
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_target(false)
            .with_env_filter(filter)
            .init(),
        LogFormat::Text => tracing_subscriber::fmt()
            .with_target(false)
            .with_env_filter(filter)
            .init(),
    }
    match cli.command {
        Some(Command::Sandbox(command)) => match command.run(&cli.config.data_dir).await {
            Ok(answer) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                );
                std::process::ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                std::process::ExitCode::FAILURE
            }
        },
        Some(Command::Token(command)) => match command.run(&cli.config) {
            Ok(token) => {
                println!("{token}");
                std::process::ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                std::process::ExitCode::FAILURE
            }
        },
        Some(Command::Openapi) => {
            print!("{}", capital_platform::http::openapi::document_json());
            std::process::ExitCode::SUCCESS
        }
        None | Some(Command::Serve) => match serve(cli.config).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}

async fn serve(config: capital_platform::Config) -> Result<(), String> {
    let listen = config.listen;
    // Installed first, so that the start's own work is counted.
    let metrics = match config.metrics_listen {
        Some(at) => Some((at, capital_platform::metrics::install()?)),
        None => None,
    };
    let state = AppState::new(config).await.map_err(|e| e.to_string())?;
    if let Some((at, handle)) = metrics {
        capital_platform::http::metrics::serve(at, state.clone(), handle).await?;
    }
    let router = app(state.clone());
    if let Some(sandbox) = state.sandbox.clone() {
        // Offers expire at `expires_after`, as on Stripe.
        capital_platform::workers::supervise::supervise(
            "sandbox expiry",
            &state.workers,
            move || {
                let sandbox = sandbox.clone();
                async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(30));
                    loop {
                        tick.tick().await;
                        if let Err(error) = sandbox.expire_due().await {
                            tracing::warn!(%error, "expiring offers failed");
                        }
                    }
                }
            },
        );
    }
    if let Some(token) = &state.sandbox_admin_token {
        use secrecy::ExposeSecret;
        let written = capital_platform::sandbox::cli::write_admin_token(
            &state.config.data_dir,
            token.expose_secret(),
        );
        if let Err(error) = &written {
            tracing::warn!(%error, "the sandbox admin token could not be written to --data-dir");
        }
        match (&written, state.config.log_format) {
            // A log pipeline gets the file's place, never the token.
            (Ok(()), LogFormat::Json) => tracing::info!(
                file = %state.config.data_dir.join(capital_platform::sandbox::cli::ADMIN_TOKEN_FILE).display(),
                "the sandbox admin token is in --data-dir, for `capital-platform sandbox`"
            ),
            // On the terminal: the CLI's key to the sandbox's dashboard tools.
            _ => println!(
                "sandbox admin token (for `capital-platform sandbox --admin-token …`{}): {}",
                if written.is_ok() {
                    ", also read from --data-dir"
                } else {
                    ""
                },
                token.expose_secret()
            ),
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let public = state.config.public_url.trim_end_matches('/').to_owned();
    if state.identity.is_demo() {
        tracing::info!(
            mode = ?state.config.mode,
            "listening on http://{listen}: the gallery at {public}/, the live sandbox at {public}/sign-in"
        );
    } else {
        tracing::info!(
            mode = ?state.config.mode,
            "listening on http://{listen}: the element's routes at {public}/api/capital, Stripe's \
             webhooks at {public}/webhooks/stripe"
        );
    }
    // Timeouts, a connection cap and each request's peer address (`serve.rs`); on the signal,
    // streams end and workers take no new job while connections finish (`workers/shutdown.rs`).
    let limits = capital_platform::http::serve::Limits::of(&state.config);
    let signalled = state.clone();
    let signalled_at = std::sync::Arc::new(std::sync::OnceLock::new());
    let at = signalled_at.clone();
    let signal = async move {
        shutdown().await;
        let _ = at.set(tokio::time::Instant::now());
        signalled.shutdown.begin();
    };
    capital_platform::http::serve::serve(listener, router, limits, signal).await;
    // One grace in all, from the signal: what the connections left of it, for the workers.
    let left = signalled_at
        .get()
        .map_or(limits.grace, |at| limits.grace.saturating_sub(at.elapsed()));
    state.job_handles().finish_work(left).await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = interrupt => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
