//! The router, built apart from `main` so tests can drive it with `oneshot`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderValue, Method, header};
use axum_extra::extract::cookie::Key;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::capital::Capital;
use crate::config::{Config, Mode};
use crate::error::AppError;
use crate::routes;
use crate::sandbox::Sandbox;
use crate::session::{DemoAccount, parse_accounts};
use crate::store::Store;
use crate::stripe_client::StripeClient;

/// Everything the routes share.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub capital: Capital,
    pub sandbox: Option<Arc<Sandbox>>,
    pub cookie_key: Key,
    pub accounts: Vec<DemoAccount>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}

impl AppState {
    /// Opens the store and picks Stripe's side: the sandbox, or the real API.
    pub async fn new(config: Config) -> Result<AppState, AppError> {
        if let Some(parent) = config
            .database_url()
            .strip_prefix("sqlite://")
            .and_then(|path| std::path::Path::new(path).parent())
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| AppError::Internal(format!("data directory: {e}")))?;
        }
        let store = Store::open(&config.database_url()).await?;
        let (capital, sandbox) = match config.mode {
            Mode::Sandbox => {
                let sandbox = Arc::new(Sandbox::new(
                    store.clone(),
                    &config.stripe_webhook_secret,
                    &config.public_url,
                ));
                (Capital::Sandbox(sandbox.clone()), Some(sandbox))
            }
            Mode::Stripe => {
                let key = config
                    .stripe_secret_key
                    .as_deref()
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        AppError::InvalidRequest("Stripe mode needs STRIPE_SECRET_KEY".into())
                    })?;
                (
                    Capital::Stripe(StripeClient::new(
                        &config.stripe_api_base,
                        key,
                        Duration::from_millis(config.stripe_timeout_ms),
                    )?),
                    None,
                )
            }
        };
        let cookie_key = crate::session::load_key(&store).await?;
        let accounts = parse_accounts(&config.accounts);
        Ok(AppState(Arc::new(Inner {
            config,
            store,
            capital,
            sandbox,
            cookie_key,
            accounts,
        })))
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The sandbox, for routes that exist only in sandbox mode.
    pub fn sandbox(&self) -> Result<&Sandbox, AppError> {
        self.sandbox.as_deref().ok_or(AppError::NotFound("route"))
    }
}

/// The whole application: element routes under `/api/capital`, webhooks, sign-in, the sandbox
/// (sandbox mode only) and the trunk-built site.
pub fn app(state: AppState) -> Router {
    let api = routes::element::router()
        .layer(DefaultBodyLimit::max(16 * 1024))
        .layer(cors(&state.config.cors_origins));
    let mut router = Router::new()
        .nest("/api/capital", api)
        .merge(routes::webhooks::router().layer(DefaultBodyLimit::max(256 * 1024)))
        .merge(routes::sign_in::router().layer(DefaultBodyLimit::max(4 * 1024)));
    if state.is_sandbox() {
        router = router
            .merge(routes::sandbox_admin::router().layer(DefaultBodyLimit::max(16 * 1024)))
            .merge(routes::hosted::router());
    }
    // Unknown paths (and wrong methods) get a 404 in Stripe's envelope, not the site's 405.
    let not_found = axum::handler::HandlerWithoutStateExt::into_service(|| async {
        AppError::NotFound("route")
    });
    let site = ServeDir::new(&state.config.dist_dir)
        .append_index_html_on_directories(true)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found);
    let router = router
        .fallback_service(site)
        .layer(TraceLayer::new_for_http())
        .with_state(state.clone());
    if let Some(sandbox) = &state.sandbox {
        sandbox.connect(router.clone());
    }
    router
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| o.trim().parse().ok())
        .collect();
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}
