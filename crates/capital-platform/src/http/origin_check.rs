//! Requests that change state must come from the platform's own pages (or its configured
//! embedding origins), not from another site: `SameSite=Lax` alone lets a top-level cross-site
//! POST carry no cookie but a GET navigation carry one, and older browsers differ. So POSTs are
//! refused when their `Origin` is not allowed or, without one, when the browser says the request
//! is cross-site (`Sec-Fetch-Site`). Requests without either header (the sandbox CLI, server to
//! server, tests) are not from a browser page and pass.
//!
//! This guards ambient credentials: a cookie (the demo sign-in) or a proxy that signs the user in
//! by its own cookie (`--identity header`) rides along on a forged cross-site form. A session
//! token (`--identity token`) is no ambient credential: it is sent only by script that holds it,
//! in an `Authorization` header that no form or link can set, and a cross-origin page can send
//! it only after a CORS preflight that `--cors-origins` allows. So with `--identity token`,
//! requests carrying a bearer token are not held to the same-site rule.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::http::error::AppError;
use crate::http::state::AppState;

/// `scheme://host[:port]` of a URL, lowercased; the URL itself if it has no path.
pub(crate) fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url,
    }
}

/// Whether a browser request with these headers comes from an allowed page.
pub(crate) fn allowed(origin: Option<&str>, fetch_site: Option<&str>, allowed: &[String]) -> bool {
    match origin {
        Some(origin) => {
            let origin = origin.trim().to_ascii_lowercase();
            origin != "null" && allowed.iter().any(|a| origin_of(a) == origin)
        }
        None => fetch_site.is_none_or(|site| site != "cross-site"),
    }
}

/// Whether a GET navigation reached us from another site (a link or a redirect from elsewhere).
pub(crate) fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
}

/// `trunk serve`'s address (Trunk.toml), which proxies the sandbox page's calls to the backend:
/// allowed in sandbox mode, so that the live sandbox works under `trunk serve` too.
const TRUNK_SERVE_ORIGIN: &str = "http://127.0.0.1:8080";

/// The middleware: state-changing methods only.
pub(crate) async fn same_site_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let reads = [Method::GET, Method::HEAD, Method::OPTIONS];
    let bearer = state.config.identity_mode() == Some(crate::config::IdentityMode::Token)
        && request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION);
    if !reads.contains(request.method()) && !bearer {
        let headers = request.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let origins: Vec<String> = std::iter::once(state.config.public_url.clone())
            .chain(state.config.cors_origins.iter().cloned())
            .chain(state.is_sandbox().then(|| TRUNK_SERVE_ORIGIN.to_owned()))
            .collect();
        if !allowed(header("origin"), header("sec-fetch-site"), &origins) {
            tracing::warn!(origin = ?header("origin"), path = %request.uri().path(), "cross-site write refused");
            return Err(AppError::Forbidden);
        }
    }
    Ok(next.run(request).await)
}

/// The sandbox's answer to DNS rebinding: a page on another site whose name the attacker points
/// at this machine's loopback address reaches the sandbox same-origin, cookies and all. Its
/// requests carry the attacker's name in `Host`, so only the names this server is published
/// under pass: `--public-url`'s, `--cors-origins`', `trunk serve`'s, and for a loopback
/// `--public-url`, the other loopback names on the same port. The address it listens on
/// (`--listen`) passes too: that is how an app in front of it (whose origin is then the
/// `--public-url`) reaches it, and a rebinding page cannot name it, since its `Host` is always
/// the attacker's name. A request without `Host` (HTTP/1.0, in-process tests) is no browser's and
/// passes.
pub(crate) async fn known_hosts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .map(|value| value.to_str().unwrap_or_default().to_owned());
    if let Some(host) = host {
        let published: Vec<String> = std::iter::once(state.config.public_url.clone())
            .chain(state.config.cors_origins.iter().cloned())
            .chain(std::iter::once(TRUNK_SERVE_ORIGIN.to_owned()))
            .chain(std::iter::once(format!("http://{}", state.config.listen)))
            .collect();
        if !host_allowed(&host, &published) {
            tracing::warn!(host, path = %request.uri().path(), "request for an unknown Host refused");
            return Err(AppError::MisdirectedHost(
                state.config.public_url.trim_end_matches('/').to_owned(),
            ));
        }
    }
    Ok(next.run(request).await)
}

/// Whether `host` (a `Host` header: `name[:port]`) names one of the `published` URLs.
pub(crate) fn host_allowed(host: &str, published: &[String]) -> bool {
    let Ok(authority) = host.trim().parse::<axum::http::uri::Authority>() else {
        return false;
    };
    let name = authority
        .host()
        .trim_matches(['[', ']'])
        .to_ascii_lowercase();
    let is_loopback = |name: &str| matches!(name, "localhost" | "127.0.0.1" | "::1");
    published.iter().any(|url| {
        let Ok(url) = reqwest::Url::parse(url.trim()) else {
            return false;
        };
        let Some(published_name) = url.host_str() else {
            return false;
        };
        let published_name = published_name.trim_matches(['[', ']']).to_ascii_lowercase();
        let port = authority
            .port_u16()
            .or(url.port_or_known_default().filter(|_| {
                // No port in `Host`: the scheme's default one.
                url.port().is_none()
            }));
        let same_name =
            name == published_name || (is_loopback(&name) && is_loopback(&published_name));
        same_name && port == url.port_or_known_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_the_server_is_published_under_pass_the_host_check() {
        let published = vec![
            "http://127.0.0.1:3000".to_owned(),
            "https://dash.example".to_owned(),
        ];
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "dash.example",
            "dash.example:443",
            "DASH.example",
        ] {
            assert!(host_allowed(host, &published), "{host}");
        }
        for host in [
            "rebind.attacker.example:3000",
            "127.0.0.1:3001",
            "127.0.0.1",
            "dash.example:80",
            "dash.example.attacker.example",
            "",
            "a b",
        ] {
            assert!(!host_allowed(host, &published), "{host}");
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://Platform.example/api/x"),
            "https://platform.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(origin_of("http://127.0.0.1:3000/"), "http://127.0.0.1:3000");
    }

    #[test]
    fn writes_from_other_sites_are_refused() {
        let ours = vec![
            "https://platform.example".to_owned(),
            "https://dash.example".to_owned(),
        ];
        assert!(allowed(
            Some("https://platform.example"),
            Some("same-origin"),
            &ours
        ));
        assert!(
            allowed(Some("https://dash.example"), Some("cross-site"), &ours),
            "configured"
        );
        assert!(!allowed(Some("https://evil.example"), None, &ours));
        assert!(!allowed(Some("null"), None, &ours));
        assert!(!allowed(None, Some("cross-site"), &ours));
        assert!(allowed(None, Some("same-origin"), &ours));
        assert!(
            allowed(None, None, &ours),
            "not a browser page: the CLI, servers, tests"
        );
    }
}
