//! Why a request brought no answer, decided from the error's *types* — reqwest's timeout flag,
//! our resolver's errors, rustls errors, I/O error kinds, hyper's incomplete-message flag —
//! never from its message text. The one-line message a table shows is made from the kind.

use super::guard::{LookupFailed, Refusal};
use crate::types::Status;
use std::error::Error as StdError;
use std::io::ErrorKind;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No complete answer in time.
    Timeout,
    /// No connection could be made in time.
    ConnectTimeout,
    /// The host name does not resolve.
    NameNotFound,
    /// No route to the network or the host (the machine is offline, or the route is down).
    NetworkUnreachable,
    /// `--deny-private` refused the address (the reason names it).
    Refused(String),
    /// Nothing listens there.
    ConnectionRefused,
    /// The server reset or aborted the connection.
    Reset,
    /// The connection closed before a whole response arrived.
    Closed,
    /// Certificate or handshake failure (rustls' own description).
    Tls(String),
    /// Anything else: the most specific cause.
    Other(String),
}

impl Failure {
    /// The status class this failure gives a target.
    pub(super) fn status(&self) -> Status {
        match self {
            Failure::Timeout | Failure::ConnectTimeout => Status::Timeout,
            Failure::Refused(_) => Status::Excluded,
            Failure::Tls(_) => Status::TlsError,
            Failure::NameNotFound
            | Failure::NetworkUnreachable
            | Failure::ConnectionRefused
            | Failure::Reset
            | Failure::Closed
            | Failure::Other(_) => Status::Unreachable,
        }
    }

    /// The one-line message of the `error` column.
    pub(super) fn message(&self) -> String {
        match self {
            Failure::Timeout => "timed out".to_string(),
            Failure::ConnectTimeout => "timed out connecting".to_string(),
            Failure::NameNotFound => "host name not found (DNS)".to_string(),
            Failure::NetworkUnreachable => "network unreachable (no route)".to_string(),
            Failure::Refused(why) => why.clone(),
            Failure::ConnectionRefused => "connection refused".to_string(),
            Failure::Reset => "connection reset by the server".to_string(),
            Failure::Closed => "connection closed without a response".to_string(),
            Failure::Tls(detail) => format!("TLS: {detail}"),
            Failure::Other(detail) => detail.clone(),
        }
    }

    /// Whether the request never reached a server: the name did not resolve, there is no route,
    /// or the connection timed out. (A refused connection is an answer: a host sent a reset.)
    /// When every host of a run fails so, the network is down, not the links.
    pub(super) fn never_connected(&self) -> bool {
        matches!(self, Failure::NameNotFound | Failure::NetworkUnreachable | Failure::ConnectTimeout)
    }

    /// Classifies a reqwest error by the types in its chain of causes.
    pub(super) fn of(e: &reqwest::Error) -> Failure {
        let causes = causes(e);
        if let Some(r) = find::<Refusal>(&causes) {
            return Failure::Refused(r.to_string());
        }
        if e.is_timeout() || io_kind(&causes).any(|k| k == ErrorKind::TimedOut) {
            return if e.is_connect() { Failure::ConnectTimeout } else { Failure::Timeout };
        }
        if find::<LookupFailed>(&causes).is_some() {
            return Failure::NameNotFound;
        }
        if let Some(tls) = find::<rustls::Error>(&causes) {
            return Failure::Tls(tls.to_string());
        }
        for kind in io_kind(&causes) {
            match kind {
                ErrorKind::ConnectionRefused => return Failure::ConnectionRefused,
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => return Failure::Reset,
                ErrorKind::UnexpectedEof | ErrorKind::BrokenPipe => return Failure::Closed,
                ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable | ErrorKind::NetworkDown => {
                    return Failure::NetworkUnreachable
                }
                _ => {}
            }
        }
        if find::<hyper::Error>(&causes).is_some_and(|h| h.is_incomplete_message() || h.is_closed()) {
            return Failure::Closed;
        }
        let innermost = causes.last().map_or_else(|| e.to_string(), |c| c.to_string());
        Failure::Other(innermost.replace(['\n', '\r'], " "))
    }
}

/// The error and every cause below it, looking inside I/O errors that wrap another error
/// (whose `source` skips the wrapped error itself).
fn causes<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out: Vec<&(dyn StdError + 'static)> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        if out.len() > 32 {
            break;
        }
        out.push(err);
        next = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    out
}

fn find<'a, T: StdError + 'static>(causes: &[&'a (dyn StdError + 'static)]) -> Option<&'a T> {
    causes.iter().find_map(|c| c.downcast_ref::<T>())
}

fn io_kind<'a>(causes: &'a [&'a (dyn StdError + 'static)]) -> impl Iterator<Item = ErrorKind> + 'a {
    causes.iter().filter_map(|c| c.downcast_ref::<std::io::Error>()).map(std::io::Error::kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_messages_come_from_the_kind() {
        let cases = [
            (Failure::Timeout, Status::Timeout, "timed out"),
            (Failure::NameNotFound, Status::Unreachable, "host name not found (DNS)"),
            (Failure::NetworkUnreachable, Status::Unreachable, "network unreachable (no route)"),
            (Failure::ConnectTimeout, Status::Timeout, "timed out connecting"),
            (Failure::ConnectionRefused, Status::Unreachable, "connection refused"),
            (Failure::Reset, Status::Unreachable, "connection reset by the server"),
            (Failure::Closed, Status::Unreachable, "connection closed without a response"),
            (
                Failure::Tls("invalid peer certificate: UnknownIssuer".into()),
                Status::TlsError,
                "TLS: invalid peer certificate: UnknownIssuer",
            ),
            (
                Failure::Refused("refused by --deny-private: 10.0.0.1 is not a public address".into()),
                Status::Excluded,
                "refused by --deny-private: 10.0.0.1 is not a public address",
            ),
        ];
        for (f, status, message) in cases {
            assert_eq!((f.status(), f.message().as_str()), (status, message), "{f:?}");
        }
    }

    #[test]
    fn wrapped_io_errors_are_looked_into() {
        let inner = LookupFailed { host: "nowhere.invalid".into() };
        let io = std::io::Error::other(inner);
        let chain = causes(&io);
        assert!(find::<LookupFailed>(&chain).is_some());
        let refused = std::io::Error::new(ErrorKind::ConnectionRefused, "x");
        assert_eq!(io_kind(&causes(&refused)).collect::<Vec<_>>(), vec![ErrorKind::ConnectionRefused]);
    }

    /// An error whose source is an I/O error wrapping a rustls error, as hyper reports a
    /// failed handshake.
    #[derive(Debug)]
    struct Connect(std::io::Error);

    impl std::fmt::Display for Connect {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }

    impl StdError for Connect {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn tls_errors_are_found_inside_wrapped_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let outer = Connect(std::io::Error::new(ErrorKind::InvalidData, tls.clone()));
        let chain = causes(&outer);
        assert_eq!(find::<rustls::Error>(&chain), Some(&tls));
        // The I/O kind (InvalidData) says nothing; the type does.
        assert!(find::<hyper::Error>(&chain).is_none());
    }
}
