//! The HTTP server loop: accepts connections up to a cap, gives each one a time limit for sending
//! a request's headers (which also closes a keep-alive connection left idle that long), and
//! serves the router on it. Slow or silent clients therefore cost a bounded number of sockets
//! for a bounded time.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Limits of the connections one server accepts.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's headers, and the longest a keep-alive connection
    /// may sit idle between requests.
    pub header_timeout: Duration,
    /// Connections open at once; beyond it new ones are closed at once.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnectionLimits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors or a connection reset before it was accepted: wait a
                // moment (the cap and timeouts free descriptors) instead of spinning.
                tracing::warn!(error = %err, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(
                max = limits.max_connections,
                "connection cap reached; closing a new connection"
            );
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            if let Err(err) = http
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await
            {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
}

/// Raises this process's open-file limit to the hard limit where it is lower, so the connection
/// cap, not the descriptor limit, decides how many clients are served. Returns the limit now.
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let current = getrlimit(Resource::Nofile);
    let (Some(soft), hard) = (current.current, current.maximum) else {
        return None;
    };
    let target = hard.unwrap_or(1 << 20).min(1 << 20);
    if target > soft {
        let raised = rustix::process::Rlimit {
            current: Some(target),
            maximum: hard,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return Some(target),
            Err(err) => tracing::warn!(error = %err, soft, "cannot raise the open-file limit"),
        }
    }
    Some(soft)
}
