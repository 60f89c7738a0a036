//! `Stripe-Signature`: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each `v1` is the hex
//! HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint secret. Other schemes (`v0`) are
//! ignored; every `v1` is compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's SDKs default to five minutes.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    #[error("no v1 signature matches")]
    Mismatch,
    /// An empty key would make every signature anyone computes valid.
    #[error("no webhook secret is configured")]
    NoSecret,
}

/// The parts of a `Stripe-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<Vec<u8>>,
}

impl SignatureHeader {
    /// Parses the header; unparseable `v1` values are skipped (they could never match).
    pub fn parse(header: &str) -> Result<SignatureHeader, SignatureError> {
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for item in header.split(',') {
            let Some((key, value)) = item.trim().split_once('=') else {
                continue;
            };
            match key {
                "t" => timestamp = value.parse::<i64>().ok(),
                "v1" => {
                    if let Ok(bytes) = hex::decode(value) {
                        v1.push(bytes);
                    }
                }
                _ => {}
            }
        }
        match timestamp {
            Some(timestamp) if !v1.is_empty() => Ok(SignatureHeader { timestamp, v1 }),
            _ => Err(SignatureError::Malformed),
        }
    }
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Verifies `header` for `body` at time `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    if secret.trim().is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    if (now - header.timestamp).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, header.timestamp, body);
    if header
        .v1
        .iter()
        .any(|candidate| expected.clone().verify_slice(candidate).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header Stripe would send for `body` at `timestamp` (used by the sandbox and tests).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let signature = hex::encode(mac(secret, timestamp, body).finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "whsec_test";

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let header = sign(BODY, "", NOW);
        assert_eq!(
            verify(Some(&header), BODY, "", NOW, 300),
            Err(SignatureError::NoSecret)
        );
        assert_eq!(
            verify(Some(&header), BODY, "  ", NOW, 300),
            Err(SignatureError::NoSecret)
        );
    }
    const NOW: i64 = 1_795_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1","type":"capital.financing_offer.created"}"#;

    #[test]
    fn a_valid_signature_passes() {
        let header = sign(BODY, SECRET, NOW);
        assert_eq!(
            verify(
                Some(&header),
                BODY,
                SECRET,
                NOW + 10,
                DEFAULT_TOLERANCE_SECONDS
            ),
            Ok(())
        );
    }

    #[test]
    fn a_forged_signature_fails() {
        let header = sign(BODY, "whsec_attacker", NOW);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_tampered_body_fails() {
        let header = sign(BODY, SECRET, NOW);
        let tampered = br#"{"id":"evt_1","type":"capital.financing_offer.paid_out"}"#;
        assert_eq!(
            verify(Some(&header), tampered, SECRET, NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_or_future_timestamp_fails() {
        let header = sign(BODY, SECRET, NOW - 301);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, NOW, 300),
            Err(SignatureError::Stale)
        );
        let header = sign(BODY, SECRET, NOW + 301);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, NOW, 300),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn any_of_several_v1_may_match_and_v0_is_ignored() {
        let good = sign(BODY, SECRET, NOW);
        let good_v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t={NOW},v0=deadbeef,v1={},v1={good_v1}", "00".repeat(32));
        assert_eq!(verify(Some(&header), BODY, SECRET, NOW, 300), Ok(()));
        let only_v0 = format!("t={NOW},v0={good_v1}");
        assert_eq!(
            verify(Some(&only_v0), BODY, SECRET, NOW, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn missing_and_malformed_headers_fail() {
        assert_eq!(
            verify(None, BODY, SECRET, NOW, 300),
            Err(SignatureError::Missing)
        );
        for header in ["", "garbage", "t=abc,v1=00", "v1=00", "t=1"] {
            assert!(
                verify(Some(header), BODY, SECRET, NOW, 300).is_err(),
                "{header}"
            );
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(header in ".{0,200}") {
            let _ = SignatureHeader::parse(&header);
        }

        #[test]
        fn sign_then_verify_round_trips(body in prop::collection::vec(any::<u8>(), 0..512), t in 0i64..4_000_000_000) {
            prop_assert_eq!(verify(Some(&sign(&body, SECRET, t)), &body, SECRET, t, 300), Ok(()));
        }
    }
}
