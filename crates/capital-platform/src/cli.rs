//! `capital-platform sandbox …`: the dashboard's test tools from the command line. Each
//! subcommand calls the running server's sandbox admin routes, the way Stripe's CLI calls its API.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct SandboxCommand {
    /// The running sandbox server.
    #[arg(long, env = "CAPITAL_SERVER", default_value = "http://127.0.0.1:3000")]
    pub server: String,
    #[command(subcommand)]
    pub action: SandboxAction,
}

#[derive(Debug, Subcommand)]
pub enum SandboxAction {
    /// Create a financing offer.
    CreateOffer {
        #[arg(long)]
        account: String,
        /// Advance amount in minor units (100000 is 1,000.00 USD).
        #[arg(long, default_value_t = 1_000_000)]
        amount: i64,
        #[arg(long)]
        fee: Option<i64>,
        #[arg(long, default_value_t = 0.1)]
        withhold_rate: f64,
        #[arg(long, default_value = "usd")]
        currency: String,
        /// `standard` or `refill`.
        #[arg(long)]
        product_type: Option<String>,
        /// `newly_eligible_user`, `previously_eligible_user` or `repeat_user`.
        #[arg(long)]
        campaign_type: Option<String>,
        /// `undelivered` or `delivered`.
        #[arg(long)]
        status: Option<String>,
    },
    /// Expire an offer.
    Expire { offer: String },
    /// Submit the application for `amount` (as the hosted page does).
    Accept { offer: String, amount: i64 },
    /// Approve the application and disburse the funds.
    Approve { offer: String },
    /// Record a repayment of `amount` (minor units).
    Repay { offer: String, amount: i64 },
    /// Repay the financing in full.
    RepayInFull { offer: String },
    /// Reject the application.
    Reject { offer: String },
    /// Cancel (within 48 hours of acceptance).
    Cancel { offer: String },
    /// Replace an open offer with a new one (default: 1.5 × the amount).
    Replace {
        offer: String,
        #[arg(long)]
        amount: Option<i64>,
    },
    /// Offer a refill (needs half of the financing in progress repaid).
    CreateRefill {
        #[arg(long)]
        account: String,
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        discount_rate: Option<f64>,
    },
    /// List an account's offers and transactions.
    List {
        #[arg(long)]
        account: String,
    },
}

impl SandboxCommand {
    pub async fn run(self) -> Result<Value, String> {
        let base = format!("{}/sandbox/admin", self.server.trim_end_matches('/'));
        let (method, path, body) = match self.action {
            SandboxAction::CreateOffer {
                account,
                amount,
                fee,
                withhold_rate,
                currency,
                product_type,
                campaign_type,
                status,
            } => (
                "POST",
                "/offers".to_owned(),
                json!({"account": account, "advance_amount": amount, "fee_amount": fee, "withhold_rate": withhold_rate,
                       "currency": currency, "product_type": product_type, "campaign_type": campaign_type, "status": status}),
            ),
            SandboxAction::Expire { offer } => {
                ("POST", format!("/offers/{offer}/expire"), json!({}))
            }
            SandboxAction::Accept { offer, amount } => (
                "POST",
                format!("/offers/{offer}/accept"),
                json!({"amount": amount}),
            ),
            SandboxAction::Approve { offer } => {
                ("POST", format!("/offers/{offer}/approve"), json!({}))
            }
            SandboxAction::Repay { offer, amount } => (
                "POST",
                format!("/offers/{offer}/repay"),
                json!({"amount": amount}),
            ),
            SandboxAction::RepayInFull { offer } => {
                ("POST", format!("/offers/{offer}/repay_in_full"), json!({}))
            }
            SandboxAction::Reject { offer } => {
                ("POST", format!("/offers/{offer}/reject"), json!({}))
            }
            SandboxAction::Cancel { offer } => {
                ("POST", format!("/offers/{offer}/cancel"), json!({}))
            }
            SandboxAction::Replace { offer, amount } => (
                "POST",
                format!("/offers/{offer}/replace"),
                json!({"amount": amount}),
            ),
            SandboxAction::CreateRefill {
                account,
                amount,
                discount_rate,
            } => (
                "POST",
                format!("/accounts/{account}/refill"),
                json!({"advance_amount": amount, "discount_rate": discount_rate}),
            ),
            SandboxAction::List { account } => {
                ("GET", format!("/accounts/{account}/offers"), Value::Null)
            }
        };
        let client = reqwest::Client::new();
        let request = match method {
            "GET" => client.get(format!("{base}{path}")),
            _ => client.post(format!("{base}{path}")).json(&body),
        };
        let response = request
            .send()
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.server))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("unreadable answer: {e}"))?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(body["error"]["message"]
                .as_str()
                .unwrap_or("failed")
                .to_owned())
        }
    }
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
        crate::identity::token::SessionTokens::hs256(secret)?;
        if !crate::identity::is_account_id(&self.account) {
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
        crate::identity::token::mint_hs256(
            secret,
            &self.account,
            &config.identity_audience(),
            jsonwebtoken::get_current_timestamp(),
            self.ttl_seconds,
        )
    }
}
