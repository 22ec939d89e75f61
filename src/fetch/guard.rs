//! `--deny-private`: refuse targets on loopback, private, link-local, unique-local and other
//! non-public addresses (cloud metadata endpoints such as 169.254.169.254 are link-local),
//! checked on IP-literal URLs, on every redirect hop, and after DNS resolution.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

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

/// True for addresses that are not on the public internet: loopback, private, link-local,
/// shared (CGNAT), multicast, reserved and documentation ranges, site-local and unique-local
/// IPv6, and IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo),
/// judged by the address they carry.
pub(crate) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return v4.iter().any(|a| is_private_v4(*a));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated, still routed locally)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
                || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001) // local-use NAT64
                || (s[0] == 0xfd00 && s[1] == 0x0ec2) // AWS metadata over IPv6 (fd00:ec2::254)
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_documentation()
        || v4.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
        || o[0] >= 240
}

/// The IPv4 addresses an IPv6 address carries: mapped (`::ffff:a.b.c.d`), compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`), Teredo (server and
/// client of `2001:0::/32`).
fn embedded_v4(v6: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(mapped) = v6.to_ipv4_mapped() {
        return Some(vec![mapped]);
    }
    if s[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified() {
        return Some(vec![v4(s[6], s[7])]);
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(vec![v4(s[6], s[7])]);
    }
    if s[0] == 0x2002 {
        return Some(vec![v4(s[1], s[2])]);
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return Some(vec![v4(s[2], s[3]), v4(!s[6], !s[7])]);
    }
    None
}

/// Host names that always mean this machine, whatever DNS says.
fn is_local_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost") || h == "localhost.localdomain"
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
        Some(url::Host::Domain(d)) if is_local_name(d) => Some(Refusal(format!("{d} is the local machine"))),
        _ => None,
    }
}

/// `--deny-private` as the fetch stage applies it before each request (every redirect hop):
/// IP literals and local names, `--resolve` overrides, and — when requests go through a
/// proxy, which would resolve names itself — the host's addresses, looked up here first.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    /// Refuse non-public addresses at all.
    deny: bool,
    /// Hosts and ports that `--resolve` sends to a non-public address, with that address.
    overrides: HashMap<(String, u16), IpAddr>,
    /// Requests go through a proxy from the environment.
    proxied: bool,
    /// Verdicts of the hosts looked up for the proxy (one lookup per host and run).
    looked_up: Mutex<HashMap<String, Option<Refusal>>>,
}

/// The environment variables through which reqwest picks a proxy.
const PROXY_VARIABLES: [&str; 6] =
    ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

/// Whether the environment names a proxy (reqwest then sends requests through it).
pub(crate) fn proxy_in_environment() -> bool {
    PROXY_VARIABLES.iter().any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

impl Guard {
    /// The guard of a run; `overrides` are the `--resolve` pairs, `proxied` says whether
    /// requests go through a proxy (see [`proxy_in_environment`]).
    pub(crate) fn new(deny: bool, overrides: &[super::Override], proxied: bool) -> Guard {
        let overrides = overrides
            .iter()
            .filter(|o| is_private(o.addr.ip()))
            .map(|o| ((o.host.clone(), o.port), o.addr.ip()))
            .collect();
        Guard { deny, overrides, proxied, looked_up: Mutex::new(HashMap::new()) }
    }

    /// Why a request to `url` is refused, if it is.
    pub(crate) async fn refusal(&self, url: &reqwest::Url) -> Option<Refusal> {
        if !self.deny {
            return None;
        }
        if let Some(r) = refuse_literal(url) {
            return Some(r);
        }
        let Some(url::Host::Domain(host)) = url.host() else { return None };
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        if let Some(ip) = self.overrides.get(&(key.clone(), port)) {
            return Some(Refusal(format!("--resolve sends {host} to {ip}, which is not a public address")));
        }
        if !self.proxied {
            // Direct connections go through our resolver, which refuses non-public addresses.
            return None;
        }
        if let Some(verdict) = self.looked_up.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return verdict;
        }
        let verdict = proxy_verdict(&key).await;
        if let Ok(mut m) = self.looked_up.lock() {
            m.insert(key, verdict.clone());
        }
        verdict
    }
}

/// Before a name goes to a proxy: refused unless it resolves here, to public addresses only.
async fn proxy_verdict(host: &str) -> Option<Refusal> {
    let before = "before handing it to the proxy";
    match tokio::net::lookup_host((host, 0)).await {
        Ok(addrs) => {
            let private: Vec<String> =
                addrs.filter(|a| is_private(a.ip())).map(|a| a.ip().to_string()).collect();
            (!private.is_empty()).then(|| {
                Refusal(format!("{host} resolves to non-public addresses ({}) {before}", private.join(", ")))
            })
        }
        Err(_) => {
            Some(Refusal(format!("{host} does not resolve here, so its address cannot be checked {before}")))
        }
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
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "224.0.0.1",
            "239.255.255.250",
            "ff02::1",
            "fec0::1",
            "2001:db8::1",
            "64:ff9b:1::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "157.150.34.32", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1"]
        {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn local_names_and_overrides_are_refused() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let url = |u: &str| reqwest::Url::parse(u).expect("url");
        let overrides = vec![
            super::super::Override::new("docs.example.org", 18080, "127.0.0.1:18080".parse().expect("addr")),
            super::super::Override::new("public.example.org", 443, "8.8.8.8:443".parse().expect("addr")),
            super::super::Override::new("public.example.org", 80, "10.0.0.1:80".parse().expect("addr")),
        ];
        let guard = Guard::new(true, &overrides, false);
        for u in [
            "http://localhost./",
            "http://LOCALHOST.localdomain/",
            "http://a.localhost/",
            "http://[::127.0.0.1]/",
        ] {
            assert!(rt.block_on(guard.refusal(&url(u))).is_some(), "{u}");
        }
        let r = rt.block_on(guard.refusal(&url("http://docs.example.org:18080/x"))).expect("refused");
        assert!(r.0.contains("--resolve"), "{r}");
        assert_eq!(rt.block_on(guard.refusal(&url("https://public.example.org/"))), None);
        // Overrides are keyed by host and port: the port-80 one sends http:// to 10.0.0.1.
        assert!(rt.block_on(guard.refusal(&url("http://public.example.org/"))).is_some());
        let open = Guard::new(false, &overrides, true);
        assert_eq!(rt.block_on(open.refusal(&url("http://docs.example.org:18080/x"))), None);
        // Through a proxy, a name is looked up first: one that does not resolve is refused.
        let proxied = Guard::new(true, &[], true);
        let r = rt.block_on(proxied.refusal(&url("http://rebind.invalid:28080/"))).expect("refused");
        assert!(r.0.contains("proxy"), "{r}");
    }
}
