//! `capital-platform sandbox …`: the dashboard's test tools from the command line. Each
//! subcommand calls the running server's sandbox admin routes, the way Stripe's CLI calls its API,
//! with the admin token the server printed at start (`--admin-token`), else the one it wrote to
//! its data directory ([`ADMIN_TOKEN_FILE`] in `--data-dir`).

use clap::{Args, Subcommand};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct SandboxCommand {
    /// The running sandbox server.
    #[arg(long, env = "CAPITAL_SERVER", default_value = "http://127.0.0.1:3000")]
    pub server: String,
    /// The sandbox admin token the server printed at start (default: read from `--data-dir`).
    #[arg(long, env = "CAPITAL_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
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

/// The file in `--data-dir` the server writes the sandbox admin token to (readable by its owner
/// only), for the CLI on the same machine.
pub const ADMIN_TOKEN_FILE: &str = "sandbox-admin-token";

/// Writes the admin token where the CLI looks for it, readable by this user only.
pub fn write_admin_token(data_dir: &std::path::Path, token: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join(ADMIN_TOKEN_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, token.as_bytes())
}

impl SandboxCommand {
    /// The admin token: `--admin-token`, else the server's file in `data_dir`.
    fn admin_token(&self, data_dir: &std::path::Path) -> Result<String, String> {
        if let Some(token) = &self.admin_token {
            return Ok(token.trim().to_owned());
        }
        let path = data_dir.join(ADMIN_TOKEN_FILE);
        std::fs::read_to_string(&path)
            .map(|token| token.trim().to_owned())
            .map_err(|e| {
                format!(
                    "no sandbox admin token: pass --admin-token (the server prints it at start) or \
                     run where the server's --data-dir is ({}: {e})",
                    path.display()
                )
            })
    }

    pub async fn run(self, data_dir: &std::path::Path) -> Result<Value, String> {
        let admin_token = self.admin_token(data_dir)?;
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
        }
        .bearer_auth(admin_token);
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
