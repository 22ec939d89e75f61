//! `--deny-private`: refuse targets on loopback, private, link-local, unique-local and other
//! non-public addresses (cloud metadata endpoints such as 169.254.169.254 are link-local),
//! checked on IP-literal URLs, on every redirect hop, and after DNS resolution.

use std::net::{IpAddr, SocketAddr};

/// The words that start every refusal, in the `error` column.
const REFUSED: &str = "refused by --deny-private";

/// `--deny-private` refused an address (a typed error, found again in the error chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{REFUSED}: {}", self.0)
    }
}

impl std::error::Error for Refusal {}

/// A host name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LookupFailed {
    /// The name looked up.
    pub host: String,
}

impl std::fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host name {} not found", self.host)
    }
}

impl std::error::Error for LookupFailed {}

/// True for addresses that are not on the public internet.
pub(crate) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] == 0xfd00 && s[1] == 0x0ec2) // AWS metadata over IPv6 (fd00:ec2::254)
        }
    }
}

/// Why a URL's host is refused, if it is an IP literal in a private range or `localhost`.
pub(crate) fn refuse_literal(url: &reqwest::Url) -> Option<Refusal> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) if is_private(IpAddr::V4(ip)) => {
            Some(Refusal(format!("{ip} is not a public address")))
        }
        Some(url::Host::Ipv6(ip)) if is_private(IpAddr::V6(ip)) => {
            Some(Refusal(format!("{ip} is not a public address")))
        }
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") => {
            Some(Refusal(format!("{d} is the local machine")))
        }
        _ => None,
    }
}

/// The resolver of every run: the system's lookup, with failures as a typed [`LookupFailed`]
/// and, under `--deny-private`, non-public addresses dropped (a [`Refusal`] when nothing
/// public is left).
#[derive(Debug)]
pub(crate) struct Resolver {
    /// Refuse non-public addresses.
    pub deny_private: bool,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let deny = self.deny_private;
        Box::pin(async move {
            let found =
                tokio::net::lookup_host((host.as_str(), 0)).await.map(Iterator::collect::<Vec<SocketAddr>>);
            let Ok(addrs) = found else {
                return Err(Box::new(LookupFailed { host }) as Box<dyn std::error::Error + Send + Sync>);
            };
            if addrs.is_empty() {
                return Err(Box::new(LookupFailed { host }) as Box<dyn std::error::Error + Send + Sync>);
            }
            if !deny {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let public: Vec<SocketAddr> = addrs.iter().copied().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                let why = format!("{host} resolves only to non-public addresses ({})", shown.join(", "));
                return Err(Box::new(Refusal(why)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_refuses_names_that_resolve_to_private_addresses() {
        use reqwest::dns::Resolve;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let name: reqwest::dns::Name = "localhost".parse().expect("name");
        let err = rt.block_on(Resolver { deny_private: true }.resolve(name)).err().expect("refused");
        assert!(err.downcast_ref::<Refusal>().is_some(), "{err}");
        let name: reqwest::dns::Name = "localhost".parse().expect("name");
        assert!(rt.block_on(Resolver { deny_private: false }.resolve(name)).is_ok());
    }

    #[test]
    fn private_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:10.0.0.1",
            "100.64.0.1",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "157.150.34.32", "2001:4860:4860::8888"] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }
}
