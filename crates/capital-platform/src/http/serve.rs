//! The binary's server loop: axum's router on hyper, with what `axum::serve` leaves out and a
//! public server needs against slow or hostile clients (slowloris: thousands of sockets sending
//! their headers a byte at a time).
//!
//! - **A connection cap** (`--max-connections`): one connection more is closed at once,
//!   unanswered, so sockets never run the process out of file descriptors or memory.
//! - **A header-read timeout** (`--header-read-timeout-seconds`): a request's headers must arrive
//!   within it; hyper also applies it to an open HTTP/1 connection waiting for its next request.
//! - **A body-read timeout** (`--body-read-timeout-seconds`, tower-http's, in `app.rs`).
//! - **An idle timeout** (`--idle-timeout-seconds`): a connection with nothing sent either way
//!   for that long is closed (live streams send heartbeats, so they stay).
//! - **Graceful shutdown**: on the signal, no new connection is taken, and the open ones finish
//!   what they are answering.
//!
//! Each request carries its peer's address (`ConnectInfo`), which `--identity header` trusts
//! proxies by. A platform mounting the library serves it its own way.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The limits of the server loop (from `Config`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    /// After the shutdown signal, how long open connections get to finish.
    pub grace: Duration,
}

impl Limits {
    pub fn of(config: &crate::Config) -> Limits {
        Limits {
            max_connections: config.max_connections as usize,
            header_read_timeout: Duration::from_secs(config.header_read_timeout_seconds),
            idle_timeout: Duration::from_secs(config.idle_timeout_seconds),
            grace: Duration::from_secs(config.shutdown_grace_seconds),
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then lets open
/// connections finish what they are answering (at most `limits.grace`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.idle_timeout / 2));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was taken: wait
                    // a moment instead of spinning.
                    tracing::warn!(%error, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection refused: --max-connections reached");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(AtomicU64::new(0));
        let io = TokioIo::new(Watched {
            inner: stream,
            started: Instant::now(),
            activity: activity.clone(),
        });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let connection = graceful.watch(connection);
        let idle_timeout = limits.idle_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            let started = Instant::now();
            loop {
                tokio::select! {
                    _ = &mut connection => break,
                    () = tokio::time::sleep(idle_timeout / 4) => {
                        let last = Duration::from_millis(activity.load(Ordering::Relaxed));
                        if started.elapsed().saturating_sub(last) >= idle_timeout {
                            tracing::debug!(%peer, "idle connection closed");
                            break;
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!("connections still open after the drain; closing them");
        }
    }
}

/// A connection's socket, noting when anything last went through it (for the idle timeout).
struct Watched<T> {
    inner: T,
    started: Instant,
    /// Milliseconds after `started` of the last byte read or written.
    activity: Arc<AtomicU64>,
}

impl<T> Watched<T> {
    fn touch(&self) {
        self.activity
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn server(limits: Limits) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = Router::new()
            .route(
                "/",
                axum::routing::get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                    peer.ip().to_string()
                }),
            )
            .route(
                "/stuck",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "too late"
                }),
            );
        tokio::spawn(serve(listener, router, limits, std::future::pending()));
        address
    }

    async fn get(address: SocketAddr) -> String {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn requests_are_answered_with_their_peer_and_a_connection_over_the_cap_is_closed() {
        let address = server(Limits {
            max_connections: 2,
            header_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(5),
            grace: Duration::from_secs(1),
        })
        .await;
        assert!(get(address).await.ends_with("127.0.0.1"));
        // Two connections held open (no request yet), then a third: closed unanswered.
        let _held = (
            tokio::net::TcpStream::connect(address).await.unwrap(),
            tokio::net::TcpStream::connect(address).await.unwrap(),
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut third = tokio::net::TcpStream::connect(address).await.unwrap();
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(2), third.read(&mut byte)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    }

    #[tokio::test]
    async fn slow_headers_and_idle_connections_are_closed() {
        let address = server(Limits {
            max_connections: 16,
            header_read_timeout: Duration::from_millis(500),
            idle_timeout: Duration::from_millis(800),
            grace: Duration::from_secs(1),
        })
        .await;
        let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(3), slow.read_to_end(&mut rest)).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "closed by the header timeout"
        );

        // A request that nothing is sent back for: closed after the idle timeout.
        let mut stuck = tokio::net::TcpStream::connect(address).await.unwrap();
        stuck
            .write_all(b"GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stuck.read_to_end(&mut rest)).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "closed by the idle timeout"
        );
        assert!(rest.is_empty());
    }
}
