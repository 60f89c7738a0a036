//! `--identity header`: an authenticating proxy in front of the backend (an API gateway,
//! oauth2-proxy) has signed the user in and names their connected account in a header
//! (`--identity-header`). Anybody can send that header, so it is believed only on connections
//! from `--trusted-proxies`; from any other address it is ignored, and the request is not signed
//! in. The peer address comes from axum's `ConnectInfo`: the binary serves with it; a platform
//! mounting the library must too (`into_make_service_with_connect_info::<SocketAddr>()`), else
//! no request is believed.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderName;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::{Identity, Refusal, SignedIn};

pub struct ProxyHeader {
    header: HeaderName,
    trusted: Vec<IpNet>,
}

/// A `--trusted-proxies` entry: a CIDR (`10.0.0.0/8`) or one address.
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("--trusted-proxies: {text:?} is not a CIDR or an IP address"))
}

impl ProxyHeader {
    pub fn new(header: &str, trusted: Vec<IpNet>) -> Result<ProxyHeader, String> {
        let header = HeaderName::try_from(header.trim())
            .map_err(|_| format!("--identity-header: {header:?} is not a header name"))?;
        if trusted.is_empty() {
            return Err(
                "--identity header needs --trusted-proxies (the proxies' addresses, as CIDRs): \
                 from anywhere else the header would be believed from anybody"
                    .into(),
            );
        }
        Ok(ProxyHeader { header, trusted })
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        // An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.trusted.iter().any(|net| net.contains(&peer))
    }
}

impl Identity for ProxyHeader {
    async fn identify(&self, request: &Parts) -> Result<SignedIn, Refusal> {
        let peer = request
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip())
            .ok_or_else(|| {
                Refusal::not_signed_in("no peer address (served without ConnectInfo)")
            })?;
        if !self.trusts(peer) {
            return Err(Refusal::not_signed_in(
                if request.headers.contains_key(&self.header) {
                    "the identity header came from an address that is not a trusted proxy"
                } else {
                    "not from a trusted proxy"
                },
            ));
        }
        let mut values = request.headers.get_all(&self.header).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(Refusal::not_signed_in(
                "the trusted proxy sent no identity header, or more than one",
            ));
        };
        let account = value
            .to_str()
            .map_err(|_| Refusal::not_signed_in("the identity header is not text"))?
            .trim();
        Ok(SignedIn::account(account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let proxy = ProxyHeader::new(
            "x-capital-account",
            vec![
                parse_trusted_proxy("127.0.0.2").unwrap(),
                parse_trusted_proxy(" 10.0.0.0/8").unwrap(),
            ],
        )
        .unwrap();
        assert!(proxy.trusts("127.0.0.2".parse().unwrap()));
        assert!(proxy.trusts("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!proxy.trusts("127.0.0.1".parse().unwrap()));
        assert!(parse_trusted_proxy("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxy("proxy.internal").is_err());
        assert!(ProxyHeader::new("x-capital-account", vec![]).is_err());
        assert!(ProxyHeader::new("bad header", vec![proxy.trusted[0]]).is_err());
    }
}
