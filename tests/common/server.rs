//! A small HTTP/1.1 test server on 127.0.0.1 with full control over what it answers
//! (status, headers, body, delays, hanging, closing without a response), counting what it saw.
//! It runs its own tokio runtime on a thread, so tests can run the real binary against it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// What the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub host: String,
    pub headers: Vec<(String, String)>,
    /// The body (per `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A normal response (after `delay`).
    Respond { status: u16, headers: Vec<(String, String)>, body: Vec<u8>, delay: Duration },
    /// Never answer (until the client gives up).
    Hang,
    /// Close the connection without a response.
    Close,
    /// Send headers promising a large body, then one byte every 200 ms, forever.
    Trickle,
    /// A 200 with this body in `Transfer-Encoding: chunked` framing (chunks of 7 bytes).
    Chunked(Vec<u8>),
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Respond { status, headers: vec![], body: Vec::new(), delay: Duration::ZERO }
    }
    pub fn html(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }
    pub fn with_header(mut self, k: &str, v: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((k.into(), v.into()));
        }
        self
    }
    pub fn with_body(mut self, bytes: Vec<u8>) -> Reply {
        if let Reply::Respond { body, .. } = &mut self {
            *body = bytes;
        }
        self
    }
    pub fn after(mut self, d: Duration) -> Reply {
        if let Reply::Respond { delay, .. } = &mut self {
            *delay = d;
        }
        self
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

#[derive(Default)]
pub struct Seen {
    /// Requests per "METHOD path".
    pub hits: Mutex<HashMap<String, usize>>,
    /// Requests in flight now and the most seen at once, per Host header.
    in_flight: Mutex<HashMap<String, (usize, usize)>>,
    pub total: AtomicUsize,
}

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    _thread: std::thread::JoinHandle<()>,
}

impl Server {
    /// Starts a server whose answers come from `handler(request, n)`, where `n` counts earlier
    /// requests with the same method and path (0 for the first).
    pub fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_with(None, handler)
    }

    /// Like [`Server::start`], and also speaks TLS on the same port (a connection whose first
    /// byte is a TLS handshake gets `tls`).
    pub fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start_with(Some(tls), handler)
    }

    fn start_with(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let handler: Arc<Handler> = Arc::new(handler);
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let seen = Arc::new(Seen::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let seen2 = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                tx.send(listener.local_addr().expect("addr")).expect("send addr");
                loop {
                    let Ok((sock, _)) = listener.accept().await else { continue };
                    let (handler, seen, acceptor) = (handler.clone(), seen2.clone(), acceptor.clone());
                    tokio::spawn(async move {
                        let mut first = [0u8; 1];
                        let is_tls = matches!(sock.peek(&mut first).await, Ok(1) if first[0] == 0x16);
                        match acceptor {
                            Some(acc) if is_tls => {
                                if let Ok(stream) = acc.accept(sock).await {
                                    serve(stream, handler, seen).await;
                                }
                            }
                            _ => serve(sock, handler, seen).await,
                        }
                    });
                }
            });
        });
        let addr = rx.recv().expect("server started");
        Server { addr, seen, _thread: thread }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self, method: &str, path: &str) -> usize {
        self.seen.hits.lock().expect("lock").get(&format!("{method} {path}")).copied().unwrap_or(0)
    }

    /// The most requests this server had in flight at once for one Host header value.
    pub fn max_in_flight(&self, host: &str) -> usize {
        self.seen.in_flight.lock().expect("lock").get(host).map_or(0, |v| v.1)
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut sock: S, handler: Arc<Handler>, seen: Arc<Seen>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    let req = Request { method: method.clone(), path: path.clone(), host: host.clone(), headers, body };
    let n = {
        let mut hits = seen.hits.lock().expect("lock");
        let e = hits.entry(format!("{method} {path}")).or_insert(0);
        *e += 1;
        *e - 1
    };
    seen.total.fetch_add(1, Ordering::SeqCst);
    {
        let mut f = seen.in_flight.lock().expect("lock");
        let e = f.entry(host.clone()).or_insert((0, 0));
        e.0 += 1;
        e.1 = e.1.max(e.0);
    }
    let reply = handler(&req, n);
    match reply {
        Reply::Close => {}
        Reply::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Reply::Chunked(body) => {
            let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
            if method != "HEAD" {
                for chunk in body.chunks(7) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            leave(&seen, &host); // before the answer, as below
            let _ = sock.write_all(&out).await;
            let _ = sock.shutdown().await;
            return;
        }
        Reply::Trickle => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000000\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_ok() {
                for _ in 0..18_000 {
                    if sock.write_all(b"x").await.is_err() || sock.flush().await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        Reply::Respond { status, headers, body, delay } => {
            tokio::time::sleep(delay).await;
            let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            let mut has_len = false;
            for (k, v) in &headers {
                has_len |= k.eq_ignore_ascii_case("content-length");
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            if !has_len {
                out.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            out.push_str("Connection: close\r\n\r\n");
            let mut bytes = out.into_bytes();
            if method != "HEAD" {
                bytes.extend_from_slice(&body);
            }
            // Counted out before the answer is sent: the client may start its next request as
            // soon as this one arrives, before this task would get to count it out after (so
            // `max_in_flight` sees overlap only while requests wait: tests that check it give
            // their answers a delay).
            leave(&seen, &host);
            let _ = sock.write_all(&bytes).await;
            let _ = sock.shutdown().await;
            return;
        }
    }
    leave(&seen, &host);
}

/// One request of `host` is no longer in flight.
fn leave(seen: &Seen, host: &str) {
    let mut f = seen.in_flight.lock().expect("lock");
    if let Some(e) = f.get_mut(host) {
        e.0 -= 1;
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
