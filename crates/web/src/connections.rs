//! The HTTP connections themselves: how long a client may take, and how many it may hold.
//!
//! A client that opens connections and sends nothing (or a header a byte at a time) must not
//! be able to use up the server's file descriptors. Every connection gets a deadline for its
//! request head (which is also how long an idle keep-alive connection lives), every request a
//! deadline for the whole exchange, and the server holds at most so many connections in all and
//! per client address. When a limit is reached, the connection idle the longest makes room;
//! only when every one is busy is the newcomer turned away.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::error::ApiError;

/// Limits on connections, all with defaults safe for a small public server.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionLimits {
    /// Time to send a request's head (and how long an idle keep-alive connection is kept).
    pub header_timeout: Duration,
    /// Time for a whole request, body and answer included.
    pub request_timeout: Duration,
    /// Connections held at once.
    pub max_connections: usize,
    /// Connections held at once by one client address.
    pub max_per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 4_096,
            max_per_address: 256,
        }
    }
}

struct Held {
    address: IpAddr,
    opened: Instant,
    /// Requests being answered on it now.
    busy: Arc<AtomicUsize>,
    close: Arc<Notify>,
}

#[derive(Default)]
struct Registry {
    next_id: AtomicU64,
    held: Mutex<HashMap<u64, Held>>,
}

impl Registry {
    /// Takes a place for a connection from `address`, asking the longest-idle one to close
    /// when a limit is reached; `None` when every connection in the way is busy.
    fn admit(
        &self,
        address: IpAddr,
        limits: &ConnectionLimits,
    ) -> Option<(u64, Arc<AtomicUsize>, Arc<Notify>)> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let same = held.values().filter(|h| h.address == address).count();
        let full_here = same >= limits.max_per_address.max(1);
        let full = held.len() >= limits.max_connections.max(1);
        if full_here || full {
            let victim = held
                .iter()
                .filter(|(_, h)| !full_here || h.address == address)
                .filter(|(_, h)| h.busy.load(Ordering::SeqCst) == 0)
                .min_by_key(|(_, h)| h.opened)
                .map(|(id, _)| *id)?;
            if let Some(h) = held.remove(&victim) {
                h.close.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let busy = Arc::new(AtomicUsize::new(0));
        let close = Arc::new(Notify::new());
        held.insert(
            id,
            Held {
                address,
                opened: Instant::now(),
                busy: busy.clone(),
                close: close.clone(),
            },
        );
        Some((id, busy, close))
    }

    fn release(&self, id: u64) {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then lets open
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // Out of file descriptors or a connection reset before accept: wait a moment
                // rather than spin, and keep serving the connections already held.
                tracing::warn!(%err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some((id, busy, close)) = registry.admit(peer.ip(), &limits) else {
            tracing::warn!("refused a connection: every connection is busy");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let registry = registry.clone();
        let limits = limits.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                answer(
                    router.clone(),
                    request,
                    peer,
                    busy.clone(),
                    limits.request_timeout,
                )
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let mut closing = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(err) = result {
                            tracing::debug!(%err, "connection ended with an error");
                        }
                        break;
                    }
                    () = close.notified(), if !closing => {
                        closing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                    _ = stop.changed(), if !closing => {
                        closing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            registry.release(id);
        });
    }
    let _ = stop_tx.send(true);
    // Open requests get the request deadline to finish.
    let deadline = Instant::now() + limits.request_timeout;
    while !registry
        .held
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_empty()
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// One request through the router, with the client address the handlers read and a deadline.
async fn answer(
    router: Router,
    mut request: Request<Incoming>,
    peer: SocketAddr,
    busy: Arc<AtomicUsize>,
    timeout: Duration,
) -> Result<Response, Infallible> {
    busy.fetch_add(1, Ordering::SeqCst);
    request.extensions_mut().insert(ConnectInfo(peer));
    let request = request.map(axum::body::Body::new);
    let response = match tokio::time::timeout(timeout, router.oneshot(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            tracing::warn!("a request ran past its deadline");
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the request took too long; send it again",
            )
            .into_response()
        }
    };
    busy.fetch_sub(1, Ordering::SeqCst);
    Ok(response)
}
