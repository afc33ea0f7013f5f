//! A minimal receiver of pingback deliveries, for users who run no web server (feature
//! `pingback-receiver`).

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, select};
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};

use crate::DeliveryRefused;

/// The largest delivery read (a getTaskResult answer is a few kilobytes).
const MAX_BODY: usize = 256 * 1024;
/// Connections served at once; a connection over the cap is closed at once.
const MAX_CONNECTIONS: usize = 256;
/// The time a sender has to send its request's head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The most one connection may last, body and answer included.
const CONNECTION_LIMIT: Duration = Duration::from_secs(10);

/// Serves pingback deliveries on `listener`: each `POST` is handed to `deliver` (usually
/// `|path, body| client.deliver(path, body)`, the blocking client's as well as this crate's)
/// and answered at once: 200 when accepted; 404 (not ours, unknown), 409 (duplicate, late),
/// 413 (too large) or 400 (not a result) when refused. Anything but `POST` gets 405.
///
/// Bounded for the open network: HTTP/1 only, one request per connection, at most 256
/// connections at once, 5 s to send the head, 10 s for the whole exchange, bodies of at most
/// 256 KiB. It spawns nothing: the future serves every connection itself, runs until dropped,
/// and dropping it closes them all.
///
/// ```
/// use capmonster_async::{Client, ImageToTextTask};
/// # use capmonster_async::{Policy, TaskKind, Timing};
/// # use capmonster_emulator::{Config, EmulatorHandle, ExampleTarget, SolveTime};
/// # use std::time::Duration;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = EmulatorHandle::start_blocking(
/// #     Config::new().speed(100.0).solve_time(SolveTime::Fixed(Duration::from_secs(2))),
/// # )?;
/// # let image = ExampleTarget::demo_image("pb42");
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// # runtime.block_on(async {
/// // The address the service can reach; the base URL names it.
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let base = format!("http://{}/capmonster/cb", listener.local_addr()?);
/// let client = Client::builder()
///     .api_key("YOUR_KEY")
/// #   .base_url(emulator.base_url())
///     .pingback(base)
///     .build()?;
/// let receiver = capmonster_async::serve_pingbacks(listener, |path, body| client.deliver(path, body));
/// let solve = client.solve(ImageToTextTask::from_image_bytes(&image));
/// // Both on this task: the solve ends when its delivery arrives; the receiver never ends.
/// let solved = tokio::select! {
///     solved = solve => solved?,
///     () = receiver => unreachable!("the receiver runs until dropped"),
/// };
/// assert_eq!((solved.create_attempts, solved.polls), (1, 0)); // one request in all
/// # assert_eq!(solved.ready.solution.main_value(), Some("pb42"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok(()) }
/// ```
pub async fn serve_pingbacks<F>(listener: tokio::net::TcpListener, deliver: F)
where
    F: Fn(&str, &[u8]) -> Result<(), DeliveryRefused>,
{
    let deliver = &deliver;
    let mut connections = FuturesUnordered::new();
    loop {
        let accepted = if connections.is_empty() {
            Some(listener.accept().await)
        } else {
            match select(pin!(listener.accept()), connections.next()).await {
                Either::Left((accepted, _)) => Some(accepted),
                Either::Right(_) => None,
            }
        };
        match accepted {
            Some(Ok((stream, _))) if connections.len() < MAX_CONNECTIONS => {
                connections.push(serve_connection(stream, deliver));
            }
            // Over the cap: dropping the stream closes it.
            Some(Ok(_)) | None => {}
            Some(Err(error)) => {
                // Out of descriptors, say: let connections finish before accepting again.
                tracing::warn!(%error, "pingback receiver: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

fn serve_connection<'a, F>(
    stream: tokio::net::TcpStream,
    deliver: &'a F,
) -> impl Future<Output = ()> + 'a
where
    F: Fn(&str, &[u8]) -> Result<(), DeliveryRefused>,
{
    let service = hyper::service::service_fn(move |request| answer(request, deliver));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    async move {
        let _ = tokio::time::timeout(CONNECTION_LIMIT, connection).await;
    }
}

async fn answer<F>(
    request: Request<Incoming>,
    deliver: &F,
) -> Result<Response<Full<&'static [u8]>>, std::convert::Infallible>
where
    F: Fn(&str, &[u8]) -> Result<(), DeliveryRefused>,
{
    let reply = |status: StatusCode, text: &'static str| {
        let mut response = Response::new(Full::new(text.as_bytes()));
        *response.status_mut() = status;
        Ok(response)
    };
    if request.method() != Method::POST {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "POST only\n");
    }
    let path = request.uri().path().to_owned();
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return reply(StatusCode::PAYLOAD_TOO_LARGE, "too large or broken\n"),
    };
    match deliver(&path, &body) {
        Ok(()) => reply(StatusCode::OK, "OK\n"),
        Err(refused) => {
            tracing::debug!(%refused, "pingback delivery refused");
            match refused {
                DeliveryRefused::NotConfigured
                | DeliveryRefused::NotOurs
                | DeliveryRefused::UnknownToken => reply(StatusCode::NOT_FOUND, "unknown\n"),
                DeliveryRefused::Duplicate | DeliveryRefused::Finished => {
                    reply(StatusCode::CONFLICT, "already done\n")
                }
                DeliveryRefused::TooLarge { .. } => {
                    reply(StatusCode::PAYLOAD_TOO_LARGE, "too large\n")
                }
                _ => reply(StatusCode::BAD_REQUEST, "not a result\n"),
            }
        }
    }
}
