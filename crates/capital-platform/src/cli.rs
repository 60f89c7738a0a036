//! The binary's command line: `serve` (the default) with the configuration's flags
//! (`config.rs`), `sandbox …` (the dashboard's test tools, `sandbox/cli.rs`), `token` and
//! `openapi`.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "capital-platform",
    version,
    about = "Reference platform backend for <capital-offer-tile>"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: crate::config::Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, webhooks, the gallery and (in sandbox mode) the sandbox (the default).
    Serve,
    /// Act as Stripe's dashboard test tools on a running sandbox server.
    Sandbox(crate::sandbox::cli::SandboxCommand),
    /// Print a session token for `--identity token`, signed with `--identity-secret` (HS256),
    /// for tests and the example apps; a platform's backend mints its own (README, "Identity").
    Token(TokenCommand),
    /// Print the element's routes as an OpenAPI 3.1 document (what `GET /api/capital/openapi.json`
    /// serves and `docs/openapi.json` holds), for a platform implementing them in its own backend.
    Openapi,
}

/// `capital-platform token --account acct_… [--ttl-seconds 600]`: a session token for
/// `--identity token`, signed with `--identity-secret` (HS256) for `--identity-audience` (default:
/// `--public-url`). For tests and the example apps: a platform's backend mints its own.
#[derive(Debug, Args)]
pub struct TokenCommand {
    /// The connected account the token names (`sub`).
    #[arg(long)]
    pub account: String,
    /// How long the token lives (at most `--identity-max-ttl-seconds`).
    #[arg(long, default_value_t = 600)]
    pub ttl_seconds: u64,
}

impl TokenCommand {
    pub fn run(&self, config: &crate::Config) -> Result<String, String> {
        let secret = config.identity_secret.as_ref().ok_or(
            "`token` signs with --identity-secret (or CAPITAL_IDENTITY_SECRET): none is set",
        )?;
        // Refuses a short secret with the same message as the server.
        crate::http::identity::token::SessionTokens::hs256(secret)?;
        if !crate::domain::accounts::is_account_id(&self.account) {
            return Err(format!(
                "--account {:?} is not a connected account id (acct_ followed by letters and digits)",
                self.account
            ));
        }
        if self.ttl_seconds == 0 || self.ttl_seconds > config.identity_max_ttl_seconds {
            return Err(format!(
                "--ttl-seconds must be between 1 and --identity-max-ttl-seconds ({})",
                config.identity_max_ttl_seconds
            ));
        }
        crate::http::identity::token::mint_hs256(
            secret,
            &self.account,
            &config.identity_audience(),
            jsonwebtoken::get_current_timestamp(),
            self.ttl_seconds,
        )
    }
}
