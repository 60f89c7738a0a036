//! The router, built apart from `main` so tests can drive it with `oneshot`.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::http;
use crate::http::error::AppError;
use crate::http::origin_check;
use crate::http::state::AppState;

/// The whole application: [`routes`], then the trunk-built site for every other path, with one
/// log line per request.
pub fn app(state: AppState) -> Router {
    let not_found = axum::handler::HandlerWithoutStateExt::into_service(|| async {
        AppError::NotFound("route")
    });
    let site = ServeDir::new(&state.config.dist_dir)
        .append_index_html_on_directories(true)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found);
    routes(state)
        .fallback_service(site)
        // One line per request: its id, method, path, route, status, time.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|id| id.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "http",
                        request_id,
                        method = %request.method(),
                        path = %logged_path(request.uri().path()),
                        route = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        // Each request's id: the caller's `X-Request-Id` (a load balancer's), else a new one;
        // sent back with the answer, and in every log line of the request.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Names the matched route (`/api/capital/offer`, `/sandbox/hosted/{token}`: a template, never
/// the raw path) in the request's log span, and counts the request by it (`metrics.rs`).
async fn observe_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|route| route.as_str().to_owned());
    let method = request.method().clone();
    if let Some(route) = &route {
        tracing::Span::current().record("route", route.as_str());
    }
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    if let Some(route) = &route {
        crate::metrics::request(
            route,
            method.as_str(),
            response.status().as_u16(),
            started.elapsed(),
        );
    }
    response
}

/// A path as the request log shows it: a hosted page's link token is a credential (whoever has
/// it acts on the account's application), so it is never written down.
fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/sandbox/hosted/") {
        Some(rest) => {
            let after_token = rest.find('/').map_or("", |slash| &rest[slash..]);
            format!("/sandbox/hosted/[token]{after_token}").into()
        }
        None => path.into(),
    }
}

/// The backend's routes: the element's under `/api/capital`, webhooks, the demo sign-in (with
/// `--identity demo`), the sandbox (sandbox mode) and the offer emails' unsubscribe link. What a
/// platform mounts into its own app (`library.rs`).
pub fn routes(state: AppState) -> Router {
    // Answers about one account: never cached by a browser or proxy, never sniffed as another type.
    // (The live stream says `no-store` with more.)
    let api = http::element::router()
        .merge(http::fragment::router())
        .merge(http::openapi::router())
        .layer(DefaultBodyLimit::max(16 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(cors(&state.config.cors_origins));
    let mut router = Router::new()
        .nest("/api/capital", api)
        .merge(http::webhooks::router().layer(DefaultBodyLimit::max(256 * 1024)));
    // The demo sign-in exists only with `--identity demo` (never in Stripe mode).
    if state.identity.is_demo() {
        router = router.merge(
            http::sign_in::router()
                .layer(DefaultBodyLimit::max(4 * 1024))
                // The sign-in page is never framed (clickjacking).
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("frame-ancestors 'none'"),
                )),
        );
    }
    if state.is_sandbox() {
        router = router
            .merge(http::sandbox_admin::router().layer(DefaultBodyLimit::max(16 * 1024)))
            .merge(http::hosted::router());
    }
    // Writes come from the platform's own pages (or its configured embedding origins) only.
    let router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        origin_check::same_site_writes,
    ));
    // The unsubscribe link is POSTed by mail clients (one-click): its token is its proof.
    let mut router = router.merge(http::email::router());
    // The sandbox answers only for the names it is published under (DNS rebinding).
    if state.is_sandbox() {
        router = router.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin_check::known_hosts,
        ));
    }
    // The probes, outside the `Host` check: an orchestrator asks by the instance's address.
    let router = router.merge(http::probes::router());
    // A body must arrive within `--body-read-timeout-seconds` (a slow upload holds a connection).
    let body_timeout = Duration::from_secs(state.config.body_read_timeout_seconds);
    // Errors axum answers itself (wrong method, bad query or form) in the envelope too. A
    // handler that panics answers 500 in Stripe's envelope (and logs); the process, and every
    // other request, carry on (the backend's release build unwinds: Cargo.toml's profiles).
    router
        .route_layer(axum::middleware::from_fn(observe_request))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        .layer(axum::middleware::from_fn(crate::http::error::in_envelope))
        .layer(CatchPanicLayer::custom(panicked))
        .with_state(state)
}

/// The answer to a request whose handler panicked.
fn panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    axum::response::IntoResponse::into_response(AppError::Internal(format!(
        "a handler panicked: {message}"
    )))
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| o.trim().parse().ok())
        .collect();
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        // `Authorization` carries the session token (`--identity token`); `Last-Event-ID` is sent by
        // the element's live stream when it reads the stream with `fetch` (with a token).
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::AUTHORIZATION,
            header::HeaderName::from_static("last-event-id"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[test]
    fn hosted_link_tokens_never_reach_the_request_log() {
        assert_eq!(
            logged_path("/sandbox/hosted/lt_secret123"),
            "/sandbox/hosted/[token]"
        );
        assert_eq!(
            logged_path("/sandbox/hosted/lt_secret123/submit"),
            "/sandbox/hosted/[token]/submit"
        );
        assert_eq!(logged_path("/api/capital/offer"), "/api/capital/offer");
    }

    async fn boom() -> &'static str {
        panic!("a record nobody foresaw")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_stripes_envelope_and_the_router_carries_on() {
        let router: Router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer(CatchPanicLayer::custom(panicked));
        let answer = router
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(answer.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["type"], "api_error");
        // The panic's message is logged, never sent.
        assert!(!body.to_string().contains("foresaw"), "{body}");
        let fine = router
            .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(fine.status(), StatusCode::OK);
    }
}
