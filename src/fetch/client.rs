//! The HTTP client of a run: redirects followed by us (not reqwest), a cookie jar, the total
//! timeout, `--resolve` overrides, extra trusted certificates, our resolver (typed lookup
//! failures, `--deny-private`), and — when exchanges are kept — bodies exactly as sent.

use super::cookies::CappedJar;
use super::guard::Resolver;
use super::FetchOptions;
use crate::error::{Error, Result};
use crate::sink::ExchangeSink;
use std::sync::Arc;
use std::time::Duration;

/// The client and what requests need beside it.
pub(crate) struct Http {
    /// The reqwest client.
    pub client: reqwest::Client,
    /// Its cookie jar (to write the `cookie` header of a kept request as it was sent).
    pub jar: Arc<CappedJar>,
    /// Where whole exchanges go, when they are kept.
    pub exchanges: Option<Arc<dyn ExchangeSink>>,
    /// The User-Agent sent.
    pub user_agent: String,
}

/// Builds the client.
///
/// # Errors
/// An unreadable or invalid `--cacert` file, or a client reqwest cannot set up.
pub(crate) fn build(opts: &FetchOptions, exchanges: Option<Arc<dyn ExchangeSink>>) -> Result<Http> {
    let jar = Arc::new(CappedJar::default());
    // When exchanges are kept, bodies stay exactly as sent: no automatic decompression, HTTP/1.1.
    let decompress = exchanges.is_none();
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(opts.user_agent.clone())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
        .cookie_provider(jar.clone())
        .gzip(decompress)
        .brotli(decompress)
        .deflate(decompress)
        .danger_accept_invalid_certs(opts.insecure)
        .dns_resolver(Arc::new(Resolver { deny_private: opts.deny_private }));
    if !decompress {
        b = b.http1_only();
    }
    for (host, addr) in &opts.resolve {
        b = b.resolve(host, *addr);
    }
    for path in &opts.cacerts {
        let pem = std::fs::read(path).map_err(|e| {
            Error::Config(format!("--cacert {}: cannot read it ({e}); check the path", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::Config(format!("--cacert {}: not a PEM certificate ({e})", path.display()))
        })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    let client = b.build().map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))?;
    Ok(Http { client, jar, exchanges, user_agent: opts.user_agent.clone() })
}
