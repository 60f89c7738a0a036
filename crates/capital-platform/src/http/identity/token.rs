//! `--identity token`: the platform's backend mints, for its signed-in user, a short-lived JWT
//! (RFC 7519), which the element sends as `Authorization: Bearer …` (and from nowhere else: not a
//! query string, not a cookie). Like Stripe's Account Sessions, the secret lives a few minutes
//! and names one connected account. What a token must hold:
//! - `sub`: the connected account (`acct_…`);
//! - `aud`: `--identity-audience` (default: `--public-url`);
//! - `iat` and `exp`, at most `--identity-max-ttl-seconds` apart; `nbf` honoured; 30 s leeway;
//! - a signature by the configured key, with that key's algorithm and no other: HS256 with
//!   `--identity-secret`, or EdDSA, ES256 or RS256 with `--identity-public-key` or the keys of
//!   `--identity-jwks-url` (chosen by `kid`). `alg: none` is not an algorithm here, and a token
//!   signed HS256 with a public key as its secret names an algorithm the key is not for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{Identity, Refusal, SignedIn, is_account_id};

/// Clock skew allowed on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;

/// An HS256 secret shorter than this is refused at start (RFC 7518 §3.2: at least the hash's
/// size).
pub const MIN_SECRET_BYTES: usize = 32;

/// An unknown `kid` fetches the JWKS again at most this often, so that tokens with made-up `kid`s
/// cannot make the backend hammer the key server.
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// The largest JWKS document read.
const JWKS_MAX_BYTES: usize = 256 * 1024;

/// What a session token carries (extra claims are ignored).
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

/// Session tokens, verified.
pub struct SessionTokens {
    keys: KeySource,
    audiences: Vec<String>,
    max_ttl_seconds: u64,
}

/// The keys session tokens are verified with (`--identity-secret`, `--identity-public-key` or
/// `--identity-jwks-url`).
pub struct TokenKeys(KeySource);

enum KeySource {
    /// One key, one algorithm: the secret, or the PEM public key.
    Fixed {
        key: DecodingKey,
        algorithm: Algorithm,
    },
    Jwks(Jwks),
}

impl SessionTokens {
    /// Tokens signed HS256 with `secret`.
    pub fn hs256(secret: &SecretString) -> Result<TokenKeys, String> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "--identity-secret must be at least {MIN_SECRET_BYTES} bytes (it has {}): \
                 generate one with `openssl rand -hex 32`",
                bytes.len()
            ));
        }
        let key = DecodingKey::from_secret(bytes).map_err(|e| e.to_string())?;
        Ok(TokenKeys(KeySource::Fixed {
            key,
            algorithm: Algorithm::HS256,
        }))
    }

    /// Tokens signed for the PEM public key `pem`: Ed25519 (EdDSA), P-256 (ES256) or RSA (RS256).
    pub fn public_key(pem: &[u8]) -> Result<TokenKeys, String> {
        if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            return Ok(TokenKeys(KeySource::Fixed {
                key,
                algorithm: Algorithm::EdDSA,
            }));
        }
        if let Ok(key) = DecodingKey::from_ec_pem(pem) {
            return Ok(TokenKeys(KeySource::Fixed {
                key,
                algorithm: Algorithm::ES256,
            }));
        }
        if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            return Ok(TokenKeys(KeySource::Fixed {
                key,
                algorithm: Algorithm::RS256,
            }));
        }
        Err(
            "--identity-public-key: not a PEM public key of Ed25519, P-256 or RSA \
             (-----BEGIN PUBLIC KEY-----)"
                .into(),
        )
    }

    /// Tokens signed for the keys published at `url`, fetched again on an unknown `kid` at most
    /// once per `refresh_interval` ([`JWKS_REFRESH_INTERVAL`] for the binary).
    pub fn jwks(url: &str, refresh_interval: Duration) -> Result<TokenKeys, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("--identity-jwks-url: {e}"))?;
        reqwest::Url::parse(url).map_err(|e| format!("--identity-jwks-url {url:?}: {e}"))?;
        Ok(TokenKeys(KeySource::Jwks(Jwks {
            url: url.to_owned(),
            client,
            refresh_interval,
            cache: Mutex::new(JwksCache::default()),
            fetching: tokio::sync::Mutex::new(()),
        })))
    }

    /// Verifies with `keys`, for `audience`, tokens living at most `max_ttl_seconds`.
    pub fn new(TokenKeys(keys): TokenKeys, audience: &str, max_ttl_seconds: u64) -> SessionTokens {
        // `--public-url` with or without its trailing slash is the same audience.
        let trimmed = audience.trim_end_matches('/').to_owned();
        let mut audiences = vec![trimmed.clone()];
        if trimmed != audience {
            audiences.push(audience.to_owned());
        }
        SessionTokens {
            keys,
            audiences,
            max_ttl_seconds,
        }
    }

    /// The account `token` was minted for, or why not, by this machine's clock (as jsonwebtoken
    /// checks `exp` and `nbf`).
    pub async fn verify(&self, token: &str) -> Result<String, Refusal> {
        self.verified(token).await.map(|claims| claims.sub)
    }

    async fn verified(&self, token: &str) -> Result<Claims, Refusal> {
        let now = jsonwebtoken::get_current_timestamp();
        let refused = |reason: String| Refusal::NotSignedIn(reason.into());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| refused(format!("the token's header: {e}")))?;
        let (key, algorithm) = match &self.keys {
            KeySource::Fixed { key, algorithm } => (key.clone(), *algorithm),
            KeySource::Jwks(jwks) => jwks.key(header.kid.as_deref()).await?,
        };
        if header.alg != algorithm {
            return Err(refused(format!(
                "the token is signed {:?}; the configured key is for {algorithm:?}",
                header.alg
            )));
        }
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| refused(format!("the token: {e}")))?
            .claims;
        if claims.iat > now + LEEWAY_SECONDS {
            return Err(refused("the token was issued in the future".into()));
        }
        if claims.exp.saturating_sub(claims.iat) > self.max_ttl_seconds {
            return Err(refused(format!(
                "the token lives {} s, more than --identity-max-ttl-seconds ({})",
                claims.exp.saturating_sub(claims.iat),
                self.max_ttl_seconds
            )));
        }
        if !is_account_id(&claims.sub) {
            return Err(refused("the token's sub is not a connected account".into()));
        }
        Ok(claims)
    }
}

/// The bearer token of `Authorization: Bearer …`, the one place a token is read from.
pub fn bearer(request: &Parts) -> Option<&str> {
    let value = request.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl Identity for SessionTokens {
    async fn identify(&self, request: &Parts) -> Result<SignedIn, Refusal> {
        let token = bearer(request)
            .ok_or_else(|| Refusal::not_signed_in("no Authorization: Bearer token"))?;
        let claims = self.verified(token).await?;
        Ok(SignedIn::account(claims.sub).until(claims.exp + LEEWAY_SECONDS))
    }
}

/// A token for `account`, signed HS256 with `secret`, living `ttl_seconds` from `now` (the
/// `token` subcommand, the tests and the examples; a platform mints its own, README "Identity").
pub fn mint_hs256(
    secret: &SecretString,
    account: &str,
    audience: &str,
    now: u64,
    ttl_seconds: u64,
) -> Result<String, String> {
    let claims = Claims {
        sub: account.to_owned(),
        aud: audience.trim_end_matches('/').to_owned(),
        iat: now,
        exp: now + ttl_seconds,
        nbf: None,
    };
    let key =
        EncodingKey::from_secret(secret.expose_secret().as_bytes()).map_err(|e| e.to_string())?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).map_err(|e| e.to_string())
}

/// The keys of a JWKS URL, by `kid`.
struct Jwks {
    url: String,
    client: reqwest::Client,
    refresh_interval: Duration,
    cache: Mutex<JwksCache>,
    /// One fetch at a time: views that find the same unknown `kid` wait for one fetch.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct JwksCache {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    fetched_at: Option<Instant>,
}

impl Jwks {
    fn cached(&self, kid: &str) -> Option<(DecodingKey, Algorithm)> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.keys.get(kid).cloned()
    }

    async fn key(&self, kid: Option<&str>) -> Result<(DecodingKey, Algorithm), Refusal> {
        let kid = kid.ok_or_else(|| Refusal::not_signed_in("the token names no kid"))?;
        if let Some(found) = self.cached(kid) {
            return Ok(found);
        }
        let _turn = self.fetching.lock().await;
        // Another view may have fetched while this one waited.
        if let Some(found) = self.cached(kid) {
            return Ok(found);
        }
        let due = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .fetched_at
                .is_none_or(|at| at.elapsed() >= self.refresh_interval)
        };
        if due {
            let keys = self.fetch().await?;
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.keys = keys;
            cache.fetched_at = Some(Instant::now());
        }
        self.cached(kid)
            .ok_or_else(|| Refusal::NotSignedIn(format!("no key {kid:?} in the JWKS").into()))
    }

    async fn fetch(&self) -> Result<HashMap<String, (DecodingKey, Algorithm)>, Refusal> {
        let unavailable = |why: String| Refusal::Unavailable(format!("JWKS {}: {why}", self.url));
        let mut response = self
            .client
            .get(&self.url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("answered {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unavailable(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > JWKS_MAX_BYTES {
                return Err(unavailable(format!("larger than {JWKS_MAX_BYTES} bytes")));
            }
        }
        let document: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| unavailable(e.to_string()))?;
        let keys = document
            .get("keys")
            .and_then(|keys| keys.as_array())
            .ok_or_else(|| unavailable("no \"keys\" array".into()))?;
        // Keys of kinds this backend does not take (symmetric, encryption, unknown) are skipped,
        // not fatal: the set may hold them for others.
        let usable: HashMap<_, _> = keys
            .iter()
            .filter_map(|key| serde_json::from_value::<Jwk>(key.clone()).ok())
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let algorithm = signing_algorithm(&jwk)?;
                let key = DecodingKey::from_jwk(&jwk).ok()?;
                Some((kid, (key, algorithm)))
            })
            .collect();
        tracing::info!(keys = usable.len(), url = %self.url, "fetched the identity JWKS");
        Ok(usable)
    }
}

/// The one algorithm a published key verifies: EdDSA, ES256 or RS256 (never a symmetric key).
fn signing_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    let by_key = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => Some(by_key),
        Some(KeyAlgorithm::EdDSA) if by_key == Algorithm::EdDSA => Some(by_key),
        Some(KeyAlgorithm::ES256) if by_key == Algorithm::ES256 => Some(by_key),
        Some(KeyAlgorithm::RS256) if by_key == Algorithm::RS256 => Some(by_key),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("a-test-secret-of-at-least-32-bytes!!".to_owned())
    }

    fn tokens() -> SessionTokens {
        SessionTokens::new(
            SessionTokens::hs256(&secret()).unwrap(),
            "https://platform.example/",
            600,
        )
    }

    fn signed(claims: serde_json::Value) -> String {
        let key = EncodingKey::from_secret(b"a-test-secret-of-at-least-32-bytes!!").unwrap();
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
    }

    // jsonwebtoken checks `exp` and `nbf` against the real clock: the cases are around it.
    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    #[tokio::test]
    async fn a_minted_token_names_its_account() {
        let now = now();
        let token = mint_hs256(&secret(), "acct_1A", "https://platform.example", now, 600).unwrap();
        assert_eq!(tokens().verify(&token).await.unwrap(), "acct_1A");
    }

    #[tokio::test]
    async fn each_rule_refuses() {
        let now = now();
        let tokens = tokens();
        let aud = "https://platform.example";
        let cases = [
            (
                "expired",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now - 700, "exp": now - 31}),
            ),
            (
                "not yet valid",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now, "exp": now + 60, "nbf": now + 31}),
            ),
            (
                "issued in the future",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now + 120, "exp": now + 180}),
            ),
            (
                "wrong audience",
                serde_json::json!({"sub": "acct_1A", "aud": "https://other.example", "iat": now, "exp": now + 60}),
            ),
            (
                "no audience",
                serde_json::json!({"sub": "acct_1A", "iat": now, "exp": now + 60}),
            ),
            (
                "no iat",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "exp": now + 60}),
            ),
            (
                "no exp",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now}),
            ),
            (
                "too long a life",
                serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now, "exp": now + 601}),
            ),
            (
                "malformed sub",
                serde_json::json!({"sub": "acct_1A<b>", "aud": aud, "iat": now, "exp": now + 60}),
            ),
            (
                "not an account",
                serde_json::json!({"sub": "user_42", "aud": aud, "iat": now, "exp": now + 60}),
            ),
        ];
        for (name, claims) in cases {
            let refusal = tokens.verify(&signed(claims)).await;
            assert!(
                matches!(refusal, Err(Refusal::NotSignedIn(_))),
                "{name}: {refusal:?}"
            );
        }
        // Within the leeway, both ways.
        let edge = serde_json::json!({"sub": "acct_1A", "aud": aud, "iat": now - 600, "exp": now - 29, "nbf": now + 29});
        assert_eq!(tokens.verify(&signed(edge)).await.unwrap(), "acct_1A");
    }

    #[tokio::test]
    async fn alg_none_and_other_signatures_are_refused() {
        let now = now();
        let tokens = tokens();
        let good = mint_hs256(&secret(), "acct_1A", "https://platform.example", now, 60).unwrap();
        let (_, rest) = good.split_once('.').unwrap();
        // {"alg":"none","typ":"JWT"}
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}",
            rest.rsplit_once('.').unwrap().0
        );
        assert!(tokens.verify(&format!("{none}.")).await.is_err());
        assert!(tokens.verify(&none).await.is_err());
        let other = SecretString::from("another-secret-of-at-least-32-bytes!".to_owned());
        let forged = mint_hs256(&other, "acct_1A", "https://platform.example", now, 60).unwrap();
        assert!(tokens.verify(&forged).await.is_err());
        assert!(tokens.verify("not.a.token").await.is_err());
        assert!(tokens.verify("").await.is_err());
        assert!(SessionTokens::hs256(&SecretString::from("short".to_owned())).is_err());
    }
}
