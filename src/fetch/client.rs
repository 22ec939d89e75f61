//! The HTTP client of a run: redirects followed by us (not reqwest), a cookie jar, the total
//! timeout, `--resolve` overrides (a client per overridden port), extra trusted certificates, our resolver (typed lookup
//! failures, `--deny-private`), and — when exchanges are kept — bodies exactly as sent.

use super::cookies::CappedJar;
use super::guard::Resolver;
use super::{FetchOptions, Override};
use crate::error::{Error, Result};
use crate::sink::ExchangeSink;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The clients and what requests need beside them.
pub(crate) struct Http {
    /// The client of requests no `--resolve` override applies to.
    default: reqwest::Client,
    /// One client per port that `--resolve` overrides: reqwest keys its overrides by host
    /// alone, curl by host and port, so `h:80:…` and `h:443:…` need two clients.
    by_port: HashMap<u16, reqwest::Client>,
    /// The cookie jar all clients share (to write the `cookie` header of a kept request as
    /// it was sent).
    pub jar: Arc<CappedJar>,
    /// Where whole exchanges go, when they are kept.
    pub exchanges: Option<Arc<dyn ExchangeSink>>,
    /// The User-Agent sent.
    pub user_agent: String,
}

impl Http {
    /// The client for `url`: the one whose overrides are for the URL's port.
    pub(crate) fn client(&self, url: &reqwest::Url) -> &reqwest::Client {
        url.port_or_known_default().and_then(|p| self.by_port.get(&p)).unwrap_or(&self.default)
    }
}

/// Builds the clients.
///
/// # Errors
/// An unreadable or invalid `--cacert` file, or a client reqwest cannot set up.
pub(crate) fn build(opts: &FetchOptions, exchanges: Option<Arc<dyn ExchangeSink>>) -> Result<Http> {
    let jar = Arc::new(CappedJar::default());
    let certs = certificates(opts)?;
    let proxy = match &opts.proxy {
        Some(url) => Some(
            reqwest::Proxy::all(url)
                .map_err(|e| {
                    Error::Config(format!(
                        "--proxy {url}: not a proxy URL ({e}); write e.g. http://proxy.example:3128"
                    ))
                })?
                .no_proxy(reqwest::NoProxy::from_env()),
        ),
        None => None,
    };
    let new = |overrides: &[&Override]| -> Result<reqwest::Client> {
        let mut b = builder(opts, &jar, exchanges.is_none());
        if let Some(p) = &proxy {
            // A proxy given here replaces the environment's (NO_PROXY still applies).
            b = b.proxy(p.clone());
        }
        for c in &certs {
            b = b.add_root_certificate(c.clone());
        }
        let mut hosts: HashMap<&str, Vec<std::net::SocketAddr>> = HashMap::new();
        for o in overrides {
            hosts.entry(o.host.as_str()).or_default().push(o.addr);
        }
        for (host, addrs) in hosts {
            b = b.resolve_to_addrs(host, &addrs);
        }
        b.build().map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))
    };
    let mut ports: HashMap<u16, Vec<&Override>> = HashMap::new();
    for o in &opts.resolve {
        ports.entry(o.port).or_default().push(o);
    }
    let mut by_port = HashMap::new();
    for (port, overrides) in ports {
        by_port.insert(port, new(&overrides)?);
    }
    Ok(Http { default: new(&[])?, by_port, jar, exchanges, user_agent: opts.user_agent.clone() })
}

/// How long an idle connection outlives its host's interval before it is closed.
const POOL_IDLE_GRACE: Duration = Duration::from_secs(5);

/// A client builder with the settings every client of a run shares. When exchanges are kept
/// (`decompress` false), bodies stay exactly as sent: no automatic decompression, HTTP/1.1.
fn builder(opts: &FetchOptions, jar: &Arc<CappedJar>, decompress: bool) -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A connection waits for its host's next request, not for 90 seconds: a run over
        // thousands of hosts would otherwise keep one (~15 KB) open for each host it met.
        .pool_idle_timeout(opts.host_interval.saturating_add(POOL_IDLE_GRACE))
        .user_agent(opts.user_agent.clone())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
        .cookie_provider(jar.clone())
        .gzip(decompress)
        .brotli(decompress)
        .deflate(decompress)
        .danger_accept_invalid_certs(opts.insecure)
        .dns_resolver(Arc::new(Resolver { deny_private: opts.deny_private }));
    if decompress {
        b
    } else {
        b.http1_only()
    }
}

/// The `--cacert` certificates.
fn certificates(opts: &FetchOptions) -> Result<Vec<reqwest::Certificate>> {
    let mut all = Vec::new();
    for path in &opts.cacerts {
        let pem = std::fs::read(path).map_err(|e| {
            Error::Config(format!("--cacert {}: cannot read it ({e}); check the path", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::Config(format!("--cacert {}: not a PEM certificate ({e})", path.display()))
        })?;
        all.extend(certs);
    }
    Ok(all)
}
