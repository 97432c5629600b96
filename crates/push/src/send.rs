//! One POST to a push service (RFC 8030), bounded by a deadline: a slow or dead push service
//! costs the scheduler at most that long and never holds up anything else.
//!
//! Endpoints come from browsers, that is from anyone with an account, so the server must not
//! become a way to reach other machines: only `https` to public addresses, checked on the
//! address actually connected to (a name can resolve anywhere). Plain `http` to this machine
//! is allowed only when the operator turns it on (tests run a receiver on 127.0.0.1).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Uri, header};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

/// Longest endpoint accepted; real ones are a few hundred characters.
pub const MAX_ENDPOINT_LEN: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Endpoint(#[from] EndpointError),
    #[error("{host} resolves only to addresses this server does not send to")]
    Blocked { host: String },
    #[error("cannot reach the push service: {0}")]
    Connect(std::io::Error),
    #[error("the push service's TLS setup failed: {0}")]
    Tls(String),
    #[error("the push service broke the exchange: {0}")]
    Http(#[from] hyper::Error),
    #[error("the push service did not answer within {0:?}")]
    Timeout(Duration),
}

/// Why a subscription's endpoint is refused (the web answers it as a 422 on `endpoint`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("the endpoint is longer than {MAX_ENDPOINT_LEN} characters")]
    TooLong,
    #[error("the endpoint is not an absolute URL")]
    NotUrl,
    #[error("the endpoint must be an https:// URL")]
    NotHttps,
    #[error("the endpoint must not carry a user name or password")]
    UserInfo,
}

/// What the push service said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Taken for delivery (201, or any 2xx).
    Accepted,
    /// 404 or 410: the browser unsubscribed or the subscription expired; forget it.
    Gone,
    /// Anything else. [`Outcome::is_transient`] says whether trying again later may help.
    Refused(u16),
}

impl Outcome {
    /// Too many requests or a failure on the service's side: a later try may succeed.
    pub fn is_transient(self) -> bool {
        matches!(self, Outcome::Refused(s) if s == 429 || s >= 500)
    }
}

/// One encrypted message, ready to go.
#[derive(Debug, Clone)]
pub struct Message {
    pub endpoint: String,
    /// The `aes128gcm` body from [`crate::ece::encrypt`].
    pub body: Vec<u8>,
    /// From [`crate::VapidKey::authorization`].
    pub authorization: String,
    /// Replaces an undelivered message with the same topic (a phone off all evening gets one
    /// check-in reminder, not three). At most 32 URL-safe characters.
    pub topic: &'static str,
    /// How long the push service may keep trying to deliver it.
    pub ttl_seconds: u32,
}

/// Sends messages; cheap to clone.
#[derive(Clone)]
pub struct Sender {
    tls: tokio_rustls::TlsConnector,
    timeout: Duration,
    allow_loopback_http: bool,
}

impl Sender {
    /// A sender that gives each message `timeout` in all (connect, TLS, answer).
    pub fn new(timeout: Duration, allow_loopback_http: bool) -> Result<Self, SendError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SendError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            timeout,
            allow_loopback_http,
        })
    }

    /// Whether this sender would take `endpoint` (the same check as [`check_endpoint`]).
    pub fn check(&self, endpoint: &str) -> Result<(), EndpointError> {
        check_endpoint(endpoint, self.allow_loopback_http).map(|_| ())
    }

    pub async fn send(&self, message: &Message) -> Result<Outcome, SendError> {
        tokio::time::timeout(self.timeout, self.post(message))
            .await
            .map_err(|_| SendError::Timeout(self.timeout))?
    }

    async fn post(&self, message: &Message) -> Result<Outcome, SendError> {
        let uri = check_endpoint(&message.endpoint, self.allow_loopback_http)?;
        let https = uri.scheme_str() == Some("https");
        let host = uri.host().ok_or(EndpointError::NotUrl)?;
        let bare_host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let addr = self.address(bare_host, port).await?;
        let tcp = TcpStream::connect(addr).await.map_err(SendError::Connect)?;
        let authority = uri.authority().map_or(host, |a| a.as_str());
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let request = Request::post(path)
            .header(header::HOST, authority)
            .header(header::AUTHORIZATION, &message.authorization)
            .header(header::CONTENT_ENCODING, "aes128gcm")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header("ttl", message.ttl_seconds)
            .header("urgency", "normal")
            .header("topic", message.topic)
            .body(Full::new(Bytes::from(message.body.clone())))
            .map_err(|_| EndpointError::NotUrl)?;
        let status = if https {
            let name =
                ServerName::try_from(bare_host.to_string()).map_err(|_| EndpointError::NotUrl)?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| SendError::Tls(e.to_string()))?;
            exchange(TokioIo::new(tls), request).await?
        } else {
            exchange(TokioIo::new(tcp), request).await?
        };
        Ok(match status {
            200..=299 => Outcome::Accepted,
            404 | 410 => Outcome::Gone,
            other => Outcome::Refused(other),
        })
    }

    /// The first address of `host` this server may send to.
    async fn address(&self, host: &str, port: u16) -> Result<SocketAddr, SendError> {
        let found = tokio::net::lookup_host((host, port))
            .await
            .map_err(SendError::Connect)?;
        let loopback_ok = self.allow_loopback_http;
        found
            .into_iter()
            .find(|a| may_send_to(a.ip(), loopback_ok))
            .ok_or_else(|| SendError::Blocked {
                host: host.to_string(),
            })
    }
}

/// Sends one request on a fresh connection and returns the answer's status. The connection
/// is driven alongside the request and dropped with it: reminders are few, so no pool.
async fn exchange<T>(io: TokioIo<T>, request: Request<Full<Bytes>>) -> Result<u16, SendError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    let mut connection = std::pin::pin!(connection);
    let mut answer = std::pin::pin!(sender.send_request(request));
    tokio::select! {
        // The answer first: a service that answers and closes (`Connection: close`) finishes
        // both at once, and that is an answer, not a failure.
        biased;
        answer = &mut answer => Ok(answer?.status().as_u16()),
        closed = &mut connection => {
            closed?;
            // The connection is done; the answer, if the service gave one, is waiting. If it
            // closed without answering, this is hyper's error saying so.
            Ok(answer.await?.status().as_u16())
        }
    }
}

/// Whether `endpoint` is a URL this server would send to: https, or http to a loopback host
/// when `allow_loopback_http`; no credentials; not absurdly long.
pub fn check_endpoint(endpoint: &str, allow_loopback_http: bool) -> Result<Uri, EndpointError> {
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(EndpointError::TooLong);
    }
    let uri: Uri = endpoint.parse().map_err(|_| EndpointError::NotUrl)?;
    let authority = uri.authority().ok_or(EndpointError::NotUrl)?;
    if authority.as_str().contains('@') {
        return Err(EndpointError::UserInfo);
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(EndpointError::NotUrl);
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if allow_loopback_http && is_loopback_name(host) => Ok(uri),
        Some(_) => Err(EndpointError::NotHttps),
        None => Err(EndpointError::NotUrl),
    }
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Public unicast addresses only (plus loopback when allowed): never the operator's private
/// network, link-local cloud metadata services, or this machine's own services.
fn may_send_to(ip: IpAddr, loopback_ok: bool) -> bool {
    if ip.is_loopback() {
        return loopback_ok;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let shared = a == 100 && (64..128).contains(&b); // RFC 6598 carrier-grade NAT
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || shared
                || a == 0)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => may_send_to(IpAddr::V4(v4), loopback_ok),
            None => {
                !(v6.is_unspecified()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || v6.is_multicast())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_allowed_loopback_http() {
        let ok = |e: &str, lo: bool| check_endpoint(e, lo).map(|_| ());
        assert_eq!(
            ok("https://fcm.googleapis.com/fcm/send/abc:def", false),
            Ok(())
        );
        assert_eq!(
            ok("http://fcm.googleapis.com/send", true),
            Err(EndpointError::NotHttps)
        );
        assert_eq!(
            ok("http://127.0.0.1:9/x", false),
            Err(EndpointError::NotHttps)
        );
        assert_eq!(ok("http://127.0.0.1:9/x", true), Ok(()));
        assert_eq!(ok("http://[::1]:9/x", true), Ok(()));
        assert_eq!(ok("http://localhost:9/x", true), Ok(()));
        assert_eq!(
            ok("http://127.0.0.1.example.org/x", true),
            Err(EndpointError::NotHttps)
        );
        assert_eq!(
            ok("ftp://push.example/x", true),
            Err(EndpointError::NotHttps)
        );
        assert_eq!(ok("javascript:alert(1)", true), Err(EndpointError::NotUrl));
        assert_eq!(ok("/relative", true), Err(EndpointError::NotUrl));
        assert_eq!(
            ok("https://u:p@push.example/x", false),
            Err(EndpointError::UserInfo)
        );
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT_LEN));
        assert_eq!(ok(&long, false), Err(EndpointError::TooLong));
    }

    #[test]
    fn private_and_local_addresses_are_not_sent_to() {
        let may = |ip: &str, lo: bool| ip.parse().is_ok_and(|ip| may_send_to(ip, lo));
        assert!(may("142.250.74.10", false));
        assert!(may("2a00:1450:4001:80b::200a", false));
        for blocked in [
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!may(blocked, true), "{blocked}");
        }
        assert!(!may("127.0.0.1", false));
        assert!(may("127.0.0.1", true));
        assert!(may("::1", true));
    }

    #[test]
    fn outcomes_say_when_to_try_again() {
        assert!(Outcome::Refused(503).is_transient());
        assert!(Outcome::Refused(429).is_transient());
        assert!(!Outcome::Refused(403).is_transient());
        assert!(!Outcome::Gone.is_transient());
    }

    #[tokio::test]
    async fn a_silent_push_service_costs_only_the_timeout() {
        let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
            panic!("bind");
        };
        let Ok(addr) = listener.local_addr() else {
            panic!("addr");
        };
        // Accepts and never answers.
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let Ok(sender) = Sender::new(Duration::from_millis(300), true) else {
            panic!("sender");
        };
        let message = Message {
            endpoint: format!("http://{addr}/push/1"),
            body: vec![1, 2, 3],
            authorization: "vapid t=x, k=y".into(),
            topic: "checkin",
            ttl_seconds: 60,
        };
        let started = std::time::Instant::now();
        let result = sender.send(&message).await;
        assert!(matches!(result, Err(SendError::Timeout(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        hold.abort();
    }

    /// A receiver on 127.0.0.1 (on its own thread) that reads each request and, when
    /// `answer`, answers 201 and closes at once (`Connection: close`); otherwise closes
    /// without a word.
    fn receiver(answer: bool) -> std::net::SocketAddr {
        use std::io::{Read as _, Write as _};
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            panic!("bind");
        };
        let Ok(addr) = listener.local_addr() else {
            panic!("addr");
        };
        std::thread::spawn(move || {
            for mut socket in listener.incoming().map_while(Result::ok) {
                let mut seen = Vec::new();
                let mut buf = [0u8; 1024];
                // The head and the 3-byte body.
                while !(seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.ends_with(&[1, 2, 3])) {
                    match socket.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if answer {
                    let _ = socket.write_all(
                        b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        });
        addr
    }

    fn message_to(addr: std::net::SocketAddr) -> Message {
        Message {
            endpoint: format!("http://{addr}/push/1"),
            body: vec![1, 2, 3],
            authorization: "vapid t=x, k=y".into(),
            topic: "checkin",
            ttl_seconds: 60,
        }
    }

    #[tokio::test]
    async fn an_answer_then_a_close_is_an_answer() {
        let addr = receiver(true);
        let Ok(sender) = Sender::new(Duration::from_secs(5), true) else {
            panic!("sender");
        };
        // The close and the answer arrive together; whichever the sender notices first, it
        // is the answer that counts (once this was a coin toss, and a sent reminder was
        // taken for a failure and sent again).
        for _ in 0..40 {
            let result = sender.send(&message_to(addr)).await;
            assert!(matches!(result, Ok(Outcome::Accepted)), "{result:?}");
        }
    }

    #[tokio::test]
    async fn a_close_without_an_answer_is_a_failure() {
        let addr = receiver(false);
        let Ok(sender) = Sender::new(Duration::from_secs(5), true) else {
            panic!("sender");
        };
        let result = sender.send(&message_to(addr)).await;
        assert!(
            matches!(result, Err(SendError::Http(_) | SendError::Connect(_))),
            "{result:?}"
        );
    }
}
