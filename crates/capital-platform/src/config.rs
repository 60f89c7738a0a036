//! Configuration: command-line flags with environment fallbacks (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use capital_types::Branding;
#[cfg(any(test, feature = "testing"))]
use clap::Parser;
use clap::{Args, ValueEnum};
use secrecy::SecretString;

pub mod approved_copy;

/// The sandbox's webhook secret: public (it is in this file), so it proves nothing outside the
/// sandbox, and Stripe mode refuses it.
pub const SANDBOX_WEBHOOK_SECRET: &str = "whsec_sandbox_local";

/// How the backend learns the signed-in user's connected account (`--identity`; README,
/// "Identity").
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IdentityMode {
    /// The reference's sign-in page and server-side sessions (sandbox mode only).
    Demo,
    /// A short-lived JWT minted by the platform's backend, sent as `Authorization: Bearer`.
    Token,
    /// An authenticating proxy in front of the backend names the account in a header.
    Header,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A local Capital sandbox plays Stripe's side.
    Sandbox,
    /// The real Stripe API.
    Stripe,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `sandbox` (local Capital sandbox) or `stripe` (the real API).
    #[arg(
        long,
        env = "CAPITAL_MODE",
        value_enum,
        default_value = "sandbox",
        global = true
    )]
    pub mode: Mode,
    /// Address to listen on.
    #[arg(
        long,
        env = "CAPITAL_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,
    /// The URL users reach this server at (for Account Link return and refresh URLs).
    #[arg(
        long,
        env = "CAPITAL_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    pub public_url: String,
    /// Directory for the SQLite database (unless `--database-url`) and the sandbox CLI's admin
    /// token file. The session and unsubscribe keys are kept in the database, shared by instances.
    #[arg(long, env = "CAPITAL_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL; defaults to `sqlite://{data-dir}/capital.db`. A secret: a PostgreSQL URL
    /// carries its password.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        value_parser = secret,
        global = true
    )]
    pub database_url: Option<SecretString>,
    /// The trunk-built site to serve at `/` (gallery, live sandbox page, embed folder).
    #[arg(long, env = "CAPITAL_DIST_DIR", default_value = "dist", global = true)]
    pub dist_dir: PathBuf,
    /// Origins allowed to call the API from the browser (for embedding on another origin).
    #[arg(
        long,
        env = "CAPITAL_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,
    /// Stripe secret key (Stripe mode).
    #[arg(
        long,
        env = "STRIPE_SECRET_KEY",
        hide_env_values = true,
        value_parser = secret,
        global = true
    )]
    pub stripe_secret_key: Option<SecretString>,
    /// Webhook endpoint secret used to verify `Stripe-Signature` (in sandbox mode, the sandbox
    /// signs with it too). Stripe mode refuses to start with the sandbox's public default.
    #[arg(
        long,
        env = "STRIPE_WEBHOOK_SECRET",
        default_value = SANDBOX_WEBHOOK_SECRET,
        hide_env_values = true,
        value_parser = secret,
        global = true
    )]
    pub stripe_webhook_secret: SecretString,
    /// Stripe's API base URL (tests point it at a fake).
    #[arg(
        long,
        env = "STRIPE_API_BASE",
        default_value = "https://api.stripe.com",
        global = true
    )]
    pub stripe_api_base: String,
    /// Connected accounts by name: `acct_id=Name <email>,…`. In sandbox mode, the accounts users
    /// can sign in as (default: three demo accounts). In either mode the email, where given, is
    /// where that account's offer emails go, else Stripe's account email. Stripe mode has none
    /// unless set: the demo accounts never reach it.
    #[arg(long, env = "CAPITAL_ACCOUNTS", global = true)]
    pub accounts: Option<String>,
    /// How the backend learns the signed-in user's account: `demo` (the sign-in page; the default
    /// in sandbox mode, refused in Stripe mode), `token` (a JWT the platform's backend mints) or
    /// `header` (an authenticating proxy's header).
    #[arg(long, env = "CAPITAL_IDENTITY", value_enum, global = true)]
    pub identity: Option<IdentityMode>,
    /// The `aud` a session token must carry (default: `--public-url`).
    #[arg(long, env = "CAPITAL_IDENTITY_AUDIENCE", global = true)]
    pub identity_audience: Option<String>,
    /// The longest a session token may live (`exp - iat`, seconds).
    #[arg(
        long,
        env = "CAPITAL_IDENTITY_MAX_TTL_SECONDS",
        default_value_t = 3600,
        global = true
    )]
    pub identity_max_ttl_seconds: u64,
    /// HS256 secret session tokens are signed with (at least 32 bytes).
    #[arg(
        long,
        env = "CAPITAL_IDENTITY_SECRET",
        hide_env_values = true,
        value_parser = secret,
        global = true
    )]
    pub identity_secret: Option<SecretString>,
    /// A PEM public key (Ed25519, P-256 or RSA) session tokens are signed for (EdDSA, ES256 or
    /// RS256).
    #[arg(long, env = "CAPITAL_IDENTITY_PUBLIC_KEY", global = true)]
    pub identity_public_key: Option<PathBuf>,
    /// A JWKS URL with the keys session tokens are signed for, chosen by `kid`.
    #[arg(long, env = "CAPITAL_IDENTITY_JWKS_URL", global = true)]
    pub identity_jwks_url: Option<String>,
    /// The header an authenticating proxy names the account in (`--identity header`).
    #[arg(long, env = "CAPITAL_IDENTITY_HEADER", global = true)]
    pub identity_header: Option<String>,
    /// The proxies whose identity header is believed: comma-separated CIDRs (`10.0.0.0/8`) or
    /// addresses.
    #[arg(
        long,
        env = "CAPITAL_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
    /// Where Account Links send the user back to (the platform's dashboard).
    #[arg(long, env = "CAPITAL_RETURN_URL", global = true)]
    pub return_url: Option<String>,
    /// How long one Stripe request may take before it is retried (milliseconds).
    #[arg(
        long,
        env = "STRIPE_TIMEOUT_MS",
        default_value_t = 15_000,
        global = true
    )]
    pub stripe_timeout_ms: u64,
    /// After a failed read from Stripe, page views answer without asking again for this long,
    /// doubling per failure up to five minutes (milliseconds).
    #[arg(
        long,
        env = "STRIPE_BACKOFF_MS",
        default_value_t = 2_000,
        global = true
    )]
    pub stripe_backoff_ms: u64,
    /// Account Links one account may have minted at once (then one every
    /// `--account-link-every-seconds`); past it, `429` with `Retry-After`.
    #[arg(
        long,
        env = "CAPITAL_ACCOUNT_LINK_BURST",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub account_link_burst: u32,
    /// After the burst, one Account Link per account every this many seconds.
    #[arg(
        long,
        env = "CAPITAL_ACCOUNT_LINK_EVERY_SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        global = true
    )]
    pub account_link_every_seconds: u64,
    /// Calls to Stripe one instance makes at most a second, all users together (Stripe mode):
    /// below Stripe's rate limit, so no user can spend the platform's quota.
    #[arg(
        long,
        env = "CAPITAL_STRIPE_CALLS_PER_SECOND",
        default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..=10_000),
        global = true
    )]
    pub stripe_calls_per_second: u32,
    /// Seconds a client has to send a request's headers, and that an open HTTP/1 connection may
    /// wait for its next request (slow or stalled clients: slowloris).
    #[arg(
        long,
        env = "CAPITAL_HEADER_READ_TIMEOUT_SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=600),
        global = true
    )]
    pub header_read_timeout_seconds: u64,
    /// Seconds a client has to send a request's body.
    #[arg(
        long,
        env = "CAPITAL_BODY_READ_TIMEOUT_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        global = true
    )]
    pub body_read_timeout_seconds: u64,
    /// Seconds a connection may pass with nothing sent either way before it is closed (live
    /// streams send a heartbeat every 15 s, so they stay open: hence at least 20).
    #[arg(
        long,
        env = "CAPITAL_IDLE_TIMEOUT_SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(20..=86_400),
        global = true
    )]
    pub idle_timeout_seconds: u64,
    /// Where Prometheus scrapes the metrics (`GET /metrics`), e.g. `127.0.0.1:9090`: a listener
    /// of its own, never the public one. Off unless set.
    #[arg(long, env = "CAPITAL_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// The log's format: `text` for people, `json` for a log pipeline (one object per line, with
    /// the request id, route, status and latency of each request).
    #[arg(
        long,
        env = "CAPITAL_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// On SIGTERM or SIGINT, how long in-flight requests, webhooks and the job at hand get to
    /// finish before the process exits (`workers/shutdown.rs`).
    #[arg(
        long,
        env = "CAPITAL_SHUTDOWN_GRACE_SECONDS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(0..=600),
        global = true
    )]
    pub shutdown_grace_seconds: u64,
    /// Connections the server holds at once; one more is closed at once, unanswered.
    #[arg(
        long,
        env = "CAPITAL_MAX_CONNECTIONS",
        default_value_t = 8_192,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub max_connections: u32,
    /// How long a sign-in lasts (hours); sign-out ends it at once.
    #[arg(
        long,
        env = "CAPITAL_SESSION_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_hours: i64,
    /// Live streams (`GET /offer/events`) one instance holds at most.
    #[arg(
        long,
        env = "CAPITAL_MAX_STREAMS",
        default_value_t = 10_000,
        global = true
    )]
    pub max_streams: usize,
    /// Live streams one session may hold at once (tabs of one user).
    #[arg(
        long,
        env = "CAPITAL_MAX_STREAMS_PER_SESSION",
        default_value_t = 8,
        global = true
    )]
    pub max_streams_per_session: usize,
    /// How offers are marked delivered: `email` (an offer email, then delivered once the mail
    /// server took it: the integration guide's flow), `element` (once the element showed it) or
    /// `both` (README, "Offer emails").
    #[arg(
        long,
        env = "CAPITAL_OFFER_NOTICE",
        value_enum,
        default_value = "both",
        global = true
    )]
    pub offer_notice: crate::domain::offer_notice::OfferNotice,
    /// The SMTP server for offer emails: `smtp://user:pass@host:port` (STARTTLS required;
    /// `?tls=none` for unencrypted SMTP, said at start)
    /// or `smtps://…`. Without it, sandbox mode keeps emails in its outbox; Stripe mode needs it
    /// for `--offer-notice email`/`both`.
    #[arg(
        long,
        env = "CAPITAL_SMTP_URL",
        hide_env_values = true,
        value_parser = secret,
        global = true
    )]
    pub smtp_url: Option<SecretString>,
    /// The offer emails' sender.
    #[arg(
        long,
        env = "CAPITAL_EMAIL_FROM",
        default_value = "Rocket Rides <capital@rocketrides.example>",
        global = true
    )]
    pub email_from: String,
    /// Where every offer email is also sent, in BCC (never in the headers the user receives).
    /// Stripe's integration guide: "When you send offer emails, you must BCC
    /// capital-offers@stripe.com on all of them." Empty: no BCC (a warning at start).
    #[arg(
        long,
        env = "CAPITAL_EMAIL_BCC",
        default_value = "capital-offers@stripe.com",
        global = true
    )]
    pub email_bcc: String,
    /// How long an instance holds a claimed job (an offer email being sent, a retrieval) before
    /// another may take it over, in seconds of the database's clock. The claimer renews it every
    /// third of this while the work lasts, so only a stopped or cut-off instance loses a job.
    #[arg(
        long,
        env = "CAPITAL_JOB_LEASE_SECONDS",
        default_value_t = 15,
        value_parser = clap::value_parser!(i64).range(2..=3600),
        global = true
    )]
    pub job_lease_seconds: i64,
    /// The platform's Capital page, where an offer email's button leads (default: the sandbox
    /// page of `--public-url`).
    #[arg(long, env = "CAPITAL_DASHBOARD_URL", global = true)]
    pub dashboard_url: Option<String>,
    /// A JSON file of the platform's approved copy, which the element shows instead of its
    /// built-in text (README, "Before you go live"; keys in docs/contract.md).
    #[arg(long, env = "CAPITAL_COPY_FILE", global = true)]
    pub copy_file: Option<PathBuf>,
    /// The platform's business name, shown by the element and in offer emails. Required in Stripe
    /// mode (your users must not see another company's name); the sandbox's demo platform,
    /// "Rocket Rides", otherwise.
    #[arg(long, env = "CAPITAL_BUSINESS_NAME", global = true)]
    pub business_name: Option<String>,
    /// The platform's icon URL (default in sandbox mode: the demo platform's; in Stripe mode, none).
    #[arg(long, env = "CAPITAL_ICON_URL", global = true)]
    pub icon_url: Option<String>,
    /// Primary branding colour.
    #[arg(
        long,
        env = "CAPITAL_PRIMARY_COLOR",
        default_value = "#0a7cff",
        global = true
    )]
    pub primary_color: String,
    /// Secondary branding colour.
    #[arg(
        long,
        env = "CAPITAL_SECONDARY_COLOR",
        default_value = "#1a1a1a",
        global = true
    )]
    pub secondary_color: String,
}

/// A secret flag (`--identity-secret`, the Stripe keys, the SMTP URL with its credentials): never
/// in a `Debug` print or a log.
fn secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text.to_owned()))
}

impl Config {
    /// The identity in effect: `--identity`, else `demo` in sandbox mode. `None` in Stripe mode
    /// without `--identity`, which does not start.
    pub fn identity_mode(&self) -> Option<IdentityMode> {
        match (self.identity, self.mode) {
            (Some(mode), _) => Some(mode),
            (None, Mode::Sandbox) => Some(IdentityMode::Demo),
            (None, Mode::Stripe) => None,
        }
    }

    /// Whether users reach the server over https (the session cookie is then `Secure` and
    /// `__Host-` prefixed).
    pub fn served_over_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The `aud` session tokens are minted for.
    pub fn identity_audience(&self) -> String {
        self.identity_audience
            .clone()
            .unwrap_or_else(|| self.public_url.trim_end_matches('/').to_owned())
    }

    pub fn database_url(&self) -> SecretString {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/capital.db", self.data_dir.display()).into())
    }

    /// Where an offer email's button leads.
    pub fn dashboard_url(&self) -> String {
        self.dashboard_url
            .clone()
            .unwrap_or_else(|| format!("{}/sandbox.html", self.public_url.trim_end_matches('/')))
    }

    pub fn return_url(&self) -> String {
        self.return_url
            .clone()
            .unwrap_or_else(|| format!("{}/sandbox.html", self.public_url.trim_end_matches('/')))
    }

    /// The platform's name: `--business-name`, else the sandbox's demo platform's (Stripe mode
    /// does not start without one).
    pub fn business_name(&self) -> &str {
        match (&self.business_name, self.mode) {
            (Some(name), _) => name,
            (None, Mode::Sandbox) => DEMO_BUSINESS_NAME,
            (None, Mode::Stripe) => "",
        }
    }

    /// The named accounts (`--accounts`); the demo accounts by default in sandbox mode only.
    pub fn accounts(&self) -> Vec<DemoAccount> {
        match (&self.accounts, self.mode) {
            (Some(text), _) => parse_accounts(text),
            (None, Mode::Sandbox) => parse_accounts(DEMO_ACCOUNTS),
            (None, Mode::Stripe) => Vec::new(),
        }
    }

    pub fn branding(&self) -> Branding {
        let icon = match (&self.icon_url, self.mode) {
            (Some(icon), _) => Some(icon.clone()),
            (None, Mode::Sandbox) => Some(DEMO_ICON_URL.to_owned()),
            (None, Mode::Stripe) => None,
        };
        Branding {
            business_name: Some(self.business_name().to_owned()).filter(|n| !n.trim().is_empty()),
            icon,
            logo: None,
            primary_color: Some(self.primary_color.clone()),
            secondary_color: Some(self.secondary_color.clone()),
        }
    }

    /// A configuration for tests: sandbox mode, an in-memory database. Behind the `testing`
    /// feature, which only the test crates enable: a deployment never builds it.
    #[cfg(any(test, feature = "testing"))]
    pub fn for_tests() -> Self {
        #[derive(Parser)]
        struct Flags {
            #[command(flatten)]
            config: Config,
        }
        Flags::parse_from([
            "capital-platform",
            "--database-url",
            "sqlite::memory:",
            "--data-dir",
            "target/test-data",
            // Offers stay undelivered until a test delivers them (tests of emails choose theirs).
            "--offer-notice",
            "element",
        ])
        .config
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A connected account a user may sign in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub id: String,
    pub name: String,
    /// Where its offer emails go.
    pub email: Option<String>,
}

/// The sandbox's demo platform and its connected accounts (never used in Stripe mode).
const DEMO_BUSINESS_NAME: &str = "Rocket Rides";
const DEMO_ICON_URL: &str = "/fixtures/rocket-rides-icon.svg";
const DEMO_ACCOUNTS: &str = "acct_1RocketCourier=Rocket Courier <owner@rocketcourier.example>,acct_1SunsetBakery=Sunset Bakery <hello@sunsetbakery.example>,acct_1MapleFitness=Maple Fitness <team@maplefitness.example>";

/// Parses `acct_1=Name,acct_2=Other` (the `--accounts` flag).
pub fn parse_accounts(text: &str) -> Vec<DemoAccount> {
    text.split(',')
        .filter_map(|entry| {
            let (id, name) = entry.split_once('=').unwrap_or((entry, entry));
            let id = id.trim();
            // `Name <email>`
            let (name, email) = match name.split_once('<') {
                Some((name, rest)) => (
                    name,
                    rest.strip_suffix('>')
                        .or(Some(rest))
                        .map(|e| e.trim().to_owned()),
                ),
                None => (name, None),
            };
            crate::domain::accounts::is_account_id(id).then(|| DemoAccount {
                id: id.to_owned(),
                name: name.trim().to_owned(),
                email: email.clone().filter(|e| e.contains('@')),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_flag_parses_and_refuses_junk() {
        let accounts = parse_accounts(
            "acct_1Rocket=Rocket Rides, acct_2Plain ,not_an_account=X,acct_<script>=Y",
        );
        assert_eq!(
            accounts,
            vec![
                DemoAccount {
                    id: "acct_1Rocket".into(),
                    name: "Rocket Rides".into(),
                    email: None,
                },
                DemoAccount {
                    id: "acct_2Plain".into(),
                    name: "acct_2Plain".into(),
                    email: None,
                },
            ]
        );
    }
}
