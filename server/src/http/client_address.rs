//! The client's address, as far as it can be trusted. Behind a reverse proxy every request
//! comes from the proxy, so per-address limits would lump all clients together; the proxy's
//! `X-Forwarded-For` names the client, but anyone can send that header, so it is believed only
//! from the proxies listed in `PORTICO_TRUSTED_PROXIES`.

use super::AppState;
use crate::cidr::Cidr;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::net::IpAddr;
use std::net::SocketAddr;

/// The request's client address, as [`client_address`] works it out: what sign-in limits and
/// sessions are counted and recorded by.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        // The accept loop always records the peer; a request made without one (a test
        // calling the router directly) counts as the loopback.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        Ok(ClientAddress(client_address(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// The client behind `peer`: the peer itself unless it is a trusted proxy; then, walking
/// `X-Forwarded-For` from the right (each proxy appends the address it saw), the first
/// address that is not a trusted proxy. A malformed entry stops the walk at the last
/// trusted hop, never at an address the client could have written.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let trusted = [
            Cidr::parse("10.0.0.0/8").unwrap(),
            Cidr::parse("::1").unwrap(),
        ];
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        // An untrusted peer's header is ignored.
        assert_eq!(
            client_address(stranger, &headers("1.2.3.4"), &trusted),
            stranger
        );
        // A trusted proxy's is believed, up to the first untrusted hop from the right.
        assert_eq!(
            client_address(proxy, &headers("1.2.3.4, 198.51.100.7, 10.9.9.9"), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A forged entry left of the real client changes nothing.
        assert_eq!(
            client_address(proxy, &headers("6.6.6.6, 198.51.100.7"), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(client_address(proxy, &headers("nonsense"), &trusted), proxy);
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        // Nothing trusted: the peer, always.
        assert_eq!(client_address(proxy, &headers("1.2.3.4"), &[]), proxy);
    }

    #[test]
    fn ranges_parse_and_match() {
        assert!(
            Cidr::parse("192.168.0.0/16")
                .unwrap()
                .contains("192.168.4.5".parse().unwrap())
        );
        assert!(
            !Cidr::parse("192.168.0.0/16")
                .unwrap()
                .contains("192.169.0.1".parse().unwrap())
        );
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Cidr::parse("127.0.0.1")
                .unwrap()
                .contains("::ffff:127.0.0.1".parse().unwrap())
        );
        assert!(
            Cidr::parse("fd00::/8")
                .unwrap()
                .contains("fd12::1".parse().unwrap())
        );
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("example.com"), None);
    }
}
