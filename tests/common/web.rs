//! A simulated web for end-to-end checks: one local server (TLS and plain HTTP on one port)
//! answers for every host a document cites, each URL behaving by a deterministic rule (most
//! fine, a sample of every failure), and `documents.un.org` answers like the ODS file API.

use super::server::{Reply, Request, Server};
use super::tls::TestCa;
use std::collections::BTreeSet;
use std::time::Duration;

/// How one simulated URL behaves, and the status class citecheck must report for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Fine,
    NotFound,
    Gone,
    Moved,
    Forbidden,
    BusyOnce,
    FlakyOnce,
    Down,
    HomeRedirect,
    Loop,
    Hang,
    Close,
}

impl Behaviour {
    /// The behaviour in run `phase` (0, 1, 2, …) of a scenario whose web changes between runs:
    /// from the second run a few fine pages break, during the second run only a few others are
    /// down, and from the third run half of the originally missing pages are back.
    pub fn at(host: &str, path: &str, phase: usize) -> Behaviour {
        let base = Behaviour::of(host, path);
        if base == Behaviour::Fine && path.starts_with("/moved/")
            || path == "/"
            || path.starts_with("/loop-back")
        {
            return base;
        }
        let h = fnv(&format!("{host}{path}"));
        match (h % 44, phase) {
            (11, p) if p >= 1 => Behaviour::NotFound,
            (12, 1) => Behaviour::Down,
            (0, p) if p >= 2 && (h / 44).is_multiple_of(2) => Behaviour::Fine,
            _ => base,
        }
    }

    /// The rule: a stable hash of host and path picks the behaviour (about 1 in 4 fails).
    pub fn of(host: &str, path: &str) -> Behaviour {
        if path.starts_with("/moved/") || path == "/" || path.starts_with("/loop-back") {
            return Behaviour::Fine;
        }
        let h = fnv(&format!("{host}{path}"));
        match h % 44 {
            0 => Behaviour::NotFound,
            1 => Behaviour::Gone,
            2 => Behaviour::Moved,
            3 => Behaviour::Forbidden,
            4 => Behaviour::BusyOnce,
            5 => Behaviour::FlakyOnce,
            6 => Behaviour::Down,
            7 => Behaviour::HomeRedirect,
            8 => Behaviour::Loop,
            9 => Behaviour::Hang,
            10 => Behaviour::Close,
            _ => Behaviour::Fine,
        }
    }

    /// The status class a correct checker reports.
    pub fn expected(self) -> &'static str {
        match self {
            Behaviour::Fine | Behaviour::BusyOnce | Behaviour::FlakyOnce => "ok",
            Behaviour::NotFound | Behaviour::Gone | Behaviour::Loop => "broken",
            Behaviour::Moved => "redirected",
            Behaviour::Forbidden => "blocked",
            Behaviour::Down => "server_error",
            Behaviour::HomeRedirect => "soft_404",
            Behaviour::Hang => "timeout",
            Behaviour::Close => "unreachable",
        }
    }
}

/// Whether the simulated ODS API has the document for a symbol.
pub fn symbol_exists(symbol: &str) -> bool {
    !fnv(symbol).is_multiple_of(6)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

fn reply(req: &Request, n: usize, phase: usize) -> Reply {
    let host = req.host.split(':').next().unwrap_or("").to_string();
    if host == "documents.un.org" {
        return ods(req);
    }
    let path = req.path.as_str();
    match Behaviour::at(&host, path, phase) {
        Behaviour::Fine => Reply::html(200, &page(&host, path)),
        Behaviour::NotFound => Reply::html(404, "<title>Not Found</title>"),
        Behaviour::Gone => Reply::status(410),
        Behaviour::Moved => Reply::redirect(301, &format!("/moved{path}")),
        Behaviour::Forbidden => Reply::status(403),
        Behaviour::BusyOnce if n == 0 => Reply::status(429).with_header("Retry-After", "1"),
        Behaviour::FlakyOnce if n == 0 => Reply::status(503),
        Behaviour::BusyOnce | Behaviour::FlakyOnce => Reply::html(200, "<title>Back</title>"),
        Behaviour::Down => Reply::status(500),
        Behaviour::HomeRedirect => Reply::redirect(302, "/"),
        Behaviour::Loop => Reply::redirect(302, &format!("/loop-back?to={path}")).with_header("X-Loop", "1"),
        Behaviour::Hang => Reply::Hang,
        Behaviour::Close => Reply::Close,
    }
}

/// A page of about 20 KB whose text depends only on its URL (so unchanged pages are
/// byte-identical from run to run, as real unchanged pages are) and that compresses about as
/// poorly as real pages do.
pub fn page(host: &str, path: &str) -> String {
    let mut body = format!("<html><head><title>{host}{path}</title></head><body>\n<p>");
    let mut h = fnv(&format!("{host}{path}"));
    while body.len() < 20_000 {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        body.push_str(&format!("{h:016x} "));
    }
    body.push_str("</p></body></html>\n");
    body
}

/// The document the simulated ODS API serves for every existing symbol.
pub const PDF: &[u8] = b"%PDF-1.7\n%simulated\n";

fn ods(req: &Request) -> Reply {
    let path = req.path.as_str();
    if let Some(q) = path.strip_prefix("/api/symbol/access?") {
        let sym = q
            .split('&')
            .find_map(|kv| kv.strip_prefix("s="))
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .unwrap_or_default();
        return if symbol_exists(&sym) {
            Reply::redirect(302, &format!("/doc/undoc/gen/{}.pdf", sym.replace(['/', ' '], "_")))
        } else {
            Reply::html(200, "")
        };
    }
    if path.starts_with("/doc/") {
        return Reply::status(200)
            .with_header("Content-Type", "application/pdf")
            .with_body(b"%PDF-1.7\n%simulated\n".to_vec());
    }
    Reply::status(404)
}

/// The running simulated web.
pub struct SimWeb {
    pub server: Server,
    pub ca: TestCa,
    /// `--resolve` and `--cacert` arguments pointing every host at the server.
    pub args: Vec<String>,
}

impl SimWeb {
    /// Serves every host in `hosts` (plus documents.un.org), as in run 0.
    pub fn start(hosts: &BTreeSet<String>) -> SimWeb {
        SimWeb::start_phased(hosts, std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)))
    }

    /// Serves every host in `hosts`, behaving as in run `phase` (see [`Behaviour::at`]).
    pub fn start_phased(
        hosts: &BTreeSet<String>,
        phase: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) -> SimWeb {
        let ca = TestCa::new();
        let mut names: Vec<&str> = hosts.iter().map(String::as_str).collect();
        names.push("documents.un.org");
        let server = Server::start_tls(ca.server_config(&names), move |req, n| {
            // `Loop` answers its own redirect target by looping back to the start.
            if let Some(to) = req.path.strip_prefix("/loop-back?to=") {
                return Reply::redirect(302, to);
            }
            reply(req, n, phase.load(std::sync::atomic::Ordering::SeqCst))
        });
        let mut args = vec!["--cacert".to_string(), ca.ca_file.display().to_string()];
        // Both schemes of every host: the server answers TLS and plain HTTP on one port.
        for h in names {
            for port in [80, 443] {
                args.push("--resolve".into());
                args.push(format!("{h}:{port}:{}", server.addr));
            }
        }
        SimWeb { server, ca, args }
    }
}

/// Runs `extract` on `doc` and returns its rows (kind, value).
pub fn cited(doc: &std::path::Path) -> Vec<(String, String)> {
    let out = super::citecheck()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("extract")
        .arg(doc)
        .output()
        .expect("extract runs");
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.records().map(|x| x.expect("row")).map(|x| (x[5].to_string(), x[6].to_string())).collect()
}

/// Hosts of the URL citations.
pub fn hosts(cited: &[(String, String)]) -> BTreeSet<String> {
    cited
        .iter()
        .filter(|(k, _)| k == "url")
        .filter_map(|(_, v)| url::Url::parse(v).ok()?.host_str().map(str::to_string))
        .collect()
}

/// Time the slowest behaviour may take with the arguments used by the end-to-end tests.
pub const TIMEOUT: Duration = Duration::from_secs(1);
