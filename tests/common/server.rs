//! A loopback HTTP server that plays every kind of feed host the integration tests need.
//!
//! It owns the fixture routes (plain feeds with validators, charsets, error statuses, slow,
//! huge, gzipped and redirecting responses) and a log of what each path received, so a test
//! can assert what `lage` sent (hits, `If-None-Match`, `User-Agent`, `Authorization`).
//!
//! Tests are plain `#[test]` functions that spawn the real `lage` binary, so the server runs
//! on its own thread with its own single-threaded tokio runtime and never touches the network
//! beyond 127.0.0.1. Dropping [`FixtureServer`] drops that runtime, which cancels in-flight
//! responses too (a `/slow/3600` must not keep a finished test waiting).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::IntoFuture;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION, RETRY_AFTER, VARY, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::stream;
use tokio::sync::oneshot;

/// The `Authorization` value that `/bearer/{name}` accepts.
pub const BEARER: &str = "Bearer s3cret-token";

/// The `Last-Modified` value sent with every `/feed/` response.
pub const LAST_MODIFIED_DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// A tiny valid RSS document, the body of the `/slow` routes.
const TINY_RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>slow</title><link>http://127.0.0.1/</link><description>slow</description>
<item><title>late</title><guid>slow-1</guid></item></channel></rss>
"#;

/// Opening of the `/big` and `/gzip-bomb` documents; filler follows inside `<description>`.
const RSS_PREFIX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>big</title><link>http://127.0.0.1/</link><description>big</description>
<item><title>big</title><guid>big-1</guid><description>"#;

/// Closing of the `/gzip-bomb` document, so a client without a size limit sees valid RSS.
const RSS_SUFFIX: &str = "</description></item></channel></rss>\n";

/// Size of each streamed filler chunk; 16 of them make a MiB.
const CHUNK: usize = 64 * 1024;

/// A running fixture server; dropping it shuts the server down.
pub struct FixtureServer {
    /// Origin of the server, e.g. `http://127.0.0.1:40123`, with no trailing slash.
    pub base: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the test thread and the server thread both see.
struct Shared {
    fixtures: PathBuf,
    seen: Mutex<HashMap<String, Seen>>,
    overrides: Mutex<HashMap<String, String>>,
    /// The body of the latest POST to each `/query/` path.
    bodies: Mutex<HashMap<String, Vec<u8>>>,
    /// Requests being handled now, and the most there have been at once.
    in_flight: std::sync::atomic::AtomicUsize,
    max_in_flight: std::sync::atomic::AtomicUsize,
}

/// What one request path has received so far.
#[derive(Default)]
struct Seen {
    hits: usize,
    last_headers: HeaderMap,
}

impl FixtureServer {
    /// Starts a server on 127.0.0.1 with a free port, serving fixtures from `fixtures_dir`.
    ///
    /// Panics if the port cannot be bound or the thread cannot start: a test cannot go on then.
    pub fn start(fixtures_dir: &Path) -> FixtureServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("make the fixture listener non-blocking");
        let addr = listener.local_addr().expect("fixture listener address");
        let shared = Arc::new(Shared {
            fixtures: fixtures_dir.to_path_buf(),
            seen: Mutex::default(),
            overrides: Mutex::default(),
            bodies: Mutex::default(),
            in_flight: Default::default(),
            max_in_flight: Default::default(),
        });
        let app = router(Arc::clone(&shared));
        let (shutdown, stop) = oneshot::channel::<()>();

        let thread = std::thread::Builder::new()
            .name(format!("fixture-server-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fixture server runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("hand the listener to tokio");
                    tokio::select! {
                        result = axum::serve(listener, app).into_future() => {
                            if let Err(e) = result {
                                eprintln!("fixture server stopped: {e}");
                            }
                        }
                        _ = stop => {}
                    }
                });
                // Dropping the runtime here cancels connections still being served.
            })
            .expect("spawn the fixture server thread");

        FixtureServer {
            base: format!("http://{addr}"),
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Absolute URL of `path` on this server; `path` may omit its leading `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// How many requests have arrived for `path` (any status), as the path appeared on the wire.
    ///
    /// `path` may be a full URL from [`Self::url`]; any query string is ignored.
    pub fn hits(&self, path: &str) -> usize {
        let key = self.key(path);
        lock(&self.shared.seen).get(&key).map_or(0, |s| s.hits)
    }

    /// Headers of the latest request for `path`, exactly as received, if there was one.
    pub fn last_request_headers(&self, path: &str) -> Option<HeaderMap> {
        let key = self.key(path);
        lock(&self.shared.seen)
            .get(&key)
            .map(|s| s.last_headers.clone())
    }

    /// Makes the feed named by `route` (`/feed/NAME` or just `NAME`) serve `fixture_file` instead.
    ///
    /// The override applies wherever NAME is served from the fixtures directory: `/feed/`,
    /// `/charset/`, `/gzip/`, `/bearer/` and the end of `/redirect/`. Its ETag changes with it.
    /// The body of the latest POST to `path` (a `/query/` route), if there was one.
    pub fn last_body(&self, path: &str) -> Option<Vec<u8>> {
        let key = self.key(path);
        lock(&self.shared.bodies).get(&key).cloned()
    }

    /// The most requests the server was handling at the same time (until the response head
    /// was ready; use `/slow-headers` to hold requests open).
    pub fn max_in_flight(&self) -> usize {
        self.shared
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_file(&self, route: &str, fixture_file: &str) {
        let route = route.strip_prefix(&self.base).unwrap_or(route);
        let route = route.trim_start_matches('/');
        let name = route.strip_prefix("feed/").unwrap_or(route);
        lock(&self.shared.overrides).insert(name.to_owned(), fixture_file.to_owned());
    }

    /// The log key for `path`: the request path with a leading `/`, without origin or query.
    fn key(&self, path: &str) -> String {
        let path = path.strip_prefix(&self.base).unwrap_or(path);
        let path = path.split('?').next().unwrap_or(path);
        format!("/{}", path.trim_start_matches('/'))
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already have stopped; then there is nobody to tell.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been printed; don't panic in drop.
            let _ = thread.join();
        }
    }
}

/// Locks a mutex, carrying on if a panicking test thread poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// All routes, with every request (including unknown paths) logged first.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/feed/{name}", get(feed))
        .route("/charset/{name}", get(charset))
        .route("/status/{code}", get(status))
        .route("/retry-after-date/{code}", get(retry_after_date))
        .route("/slow/{secs}", get(slow))
        .route("/slow-headers/{secs}", get(slow_headers))
        .route("/big/{mib}", get(big))
        .route("/gzip/{name}", get(gzip))
        .route("/brotli/{name}", get(brotli_route))
        .route("/gzip-bomb/{mib}", get(gzip_bomb))
        .route("/redirect-loop/{n}", get(redirect_loop))
        .route("/redirect/{k}/{name}", get(redirect))
        .route("/redirect-to", get(redirect_to))
        .route("/empty", get(empty))
        .route("/bearer/{name}", get(bearer))
        .route("/wild/{name}", get(wild))
        .route("/query/{name}", axum::routing::post(query))
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such fixture route\n") })
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), record))
        .with_state(shared)
}

/// Logs the request's path and headers before it is handled, so timed-out requests count too.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    {
        let mut seen = lock(&shared.seen);
        let entry = seen.entry(request.uri().path().to_owned()).or_default();
        entry.hits += 1;
        entry.last_headers = request.headers().clone();
    }
    use std::sync::atomic::Ordering::SeqCst;
    let now = shared.in_flight.fetch_add(1, SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, SeqCst);
    let response = next.run(request).await;
    shared.in_flight.fetch_sub(1, SeqCst);
    response
}

/// Query parameters some routes read (`cs` for `/charset`, `ct` for `/wild`).
type Params = Query<HashMap<String, String>>;

async fn feed(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    serve_feed(&shared, &name, &headers).await
}

/// Serves fixture `name` with a weak ETag and a fixed Last-Modified, or 304 if the client's
/// `If-None-Match` is byte-for-byte that ETag.
async fn serve_feed(shared: &Shared, name: &str, request: &HeaderMap) -> Response {
    let (file, body) = match shared.read_fixture(name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let etag = format!("W/\"v-{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    let validators = [
        (ETAG, etag.clone()),
        (LAST_MODIFIED, LAST_MODIFIED_DATE.to_owned()),
    ];
    if request
        .get(IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    let content_type = [(CONTENT_TYPE, content_type_for(&file))];
    (StatusCode::OK, content_type, validators, body).into_response()
}

/// A query API: answers a POST with a non-empty body with the fixture (as `/feed/` does,
/// validators included), and remembers the body for the test.
async fn query(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&shared.bodies).insert(format!("/query/{name}"), body.to_vec());
    if body.is_empty() {
        return bad_request("a query needs a body");
    }
    serve_feed(&shared, &name, &headers).await
}

async fn charset(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    Query(params): Params,
) -> Response {
    let content_type = match params.get("cs") {
        Some(cs) => format!("application/rss+xml; charset={cs}"),
        None => "application/rss+xml".to_owned(),
    };
    let Ok(content_type) = HeaderValue::from_str(&content_type) else {
        return bad_request("cs is not a valid header value");
    };
    match shared.read_fixture(&name).await {
        Ok((_, body)) => ([(CONTENT_TYPE, content_type)], body).into_response(),
        Err(response) => response,
    }
}

async fn status(UrlPath(code): UrlPath<u16>) -> Response {
    let retry_after = matches!(code, 429 | 503).then(|| "120".to_owned());
    status_response(code, retry_after)
}

/// Like `/status/{code}`, but always with `Retry-After` as an HTTP-date 90 s from now.
async fn retry_after_date(UrlPath(code): UrlPath<u16>) -> Response {
    let when = chrono::Utc::now() + chrono::TimeDelta::seconds(90);
    status_response(
        code,
        Some(when.format("%a, %d %b %Y %H:%M:%S GMT").to_string()),
    )
}

/// A response with status `code`, a short text body and an optional `Retry-After`.
fn status_response(code: u16, retry_after: Option<String>) -> Response {
    let Some(status) = StatusCode::from_u16(code)
        .ok()
        .filter(|s| s.as_u16() >= 200)
    else {
        return bad_request("status must be a number from 200 to 999");
    };
    let body = match status {
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED => String::new(),
        _ => format!("{status}\n"),
    };
    let mut response =
        (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// Sends the headers at once, then the body after `secs` seconds.
async fn slow(UrlPath(secs): UrlPath<String>) -> Response {
    let Some(delay) = parse_secs(&secs) else {
        return bad_request("secs must be a non-negative number");
    };
    let late_body = stream::once(async move {
        tokio::time::sleep(delay).await;
        Ok::<_, Infallible>(Bytes::from_static(TINY_RSS.as_bytes()))
    });
    rss(Body::from_stream(late_body))
}

/// Sends nothing at all for `secs` seconds, then a normal response.
async fn slow_headers(UrlPath(secs): UrlPath<String>) -> Response {
    let Some(delay) = parse_secs(&secs) else {
        return bad_request("secs must be a non-negative number");
    };
    tokio::time::sleep(delay).await;
    rss(Body::from(TINY_RSS))
}

/// Streams an unterminated RSS document whose last description holds `mib` MiB of text.
async fn big(UrlPath(mib): UrlPath<usize>) -> Response {
    let filler: Bytes = b"lorem ipsum dolor sit amet "
        .iter()
        .copied()
        .cycle()
        .take(CHUNK)
        .collect::<Vec<u8>>()
        .into();
    let chunks = std::iter::once(Bytes::from_static(RSS_PREFIX.as_bytes()))
        .chain(std::iter::repeat_n(filler, mib.saturating_mul(16)))
        .map(Ok::<_, Infallible>);
    rss(Body::from_stream(stream::iter(chunks)))
}

async fn gzip(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    compressed_fixture(&shared, &name, &headers, "gzip", |body| gzip_bytes(&[body])).await
}

/// Serves the fixture brotli-compressed, only to clients that accept `br`.
async fn brotli_route(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    compressed_fixture(&shared, &name, &headers, "br", |body| {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams::default();
        brotli::BrotliCompress(&mut &body[..], &mut out, &params).map(|_| out)
    })
    .await
}

/// Serves fixture `name` with `Content-Encoding: encoding`, or 406 when the request's
/// Accept-Encoding does not list that encoding.
async fn compressed_fixture(
    shared: &Shared,
    name: &str,
    headers: &HeaderMap,
    encoding: &'static str,
    compress: impl Fn(&[u8]) -> std::io::Result<Vec<u8>>,
) -> Response {
    let accepted = headers.get_all(ACCEPT_ENCODING).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|e| e.trim().to_ascii_lowercase().starts_with(encoding))
        })
    });
    if !accepted {
        let why = format!("send Accept-Encoding: {encoding}\n");
        return (StatusCode::NOT_ACCEPTABLE, why).into_response();
    }
    let (file, body) = match shared.read_fixture(name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(compressed) = compress(&body) else {
        return server_error("compression failed");
    };
    let headers = [
        (CONTENT_TYPE, content_type_for(&file)),
        (CONTENT_ENCODING, encoding),
        (VARY, "Accept-Encoding"),
    ];
    (headers, compressed).into_response()
}

/// A small gzip body (about 1 KiB per MiB) that inflates to valid RSS holding `mib` MiB of
/// spaces. It is compressed per request, about 1 s per 64 MiB in a debug build.
async fn gzip_bomb(UrlPath(mib): UrlPath<usize>) -> Response {
    let compressed = tokio::task::spawn_blocking(move || {
        let spaces = vec![b' '; CHUNK];
        let filler = std::iter::repeat_n(spaces.as_slice(), mib.saturating_mul(16));
        let parts: Vec<&[u8]> = std::iter::once(RSS_PREFIX.as_bytes())
            .chain(filler)
            .chain(std::iter::once(RSS_SUFFIX.as_bytes()))
            .collect();
        gzip_bytes(&parts)
    })
    .await;
    let Ok(Ok(compressed)) = compressed else {
        return server_error("gzip failed");
    };
    let headers = [
        (CONTENT_TYPE, "application/rss+xml"),
        (CONTENT_ENCODING, "gzip"),
    ];
    (headers, compressed).into_response()
}

/// Gzips the concatenation of `parts`.
fn gzip_bytes(parts: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    for part in parts {
        encoder.write_all(part)?;
    }
    encoder.finish()
}

/// 302 to the absolute URL in `?url=` (e.g. another fixture server: another origin).
async fn redirect_to(Query(params): Params) -> Response {
    match params.get("url") {
        Some(url) => found(url),
        None => bad_request("url is required"),
    }
}

async fn redirect_loop(UrlPath(n): UrlPath<u64>) -> Response {
    found(&format!("/redirect-loop/{}", n.saturating_add(1)))
}

/// Redirects `k` times in all, the last hop to `/feed/{name}`; with `k = 0` serves the feed.
async fn redirect(
    State(shared): State<Arc<Shared>>,
    UrlPath((k, name)): UrlPath<(u32, String)>,
    headers: HeaderMap,
) -> Response {
    let segment = encode_segment(&name);
    match k {
        0 => serve_feed(&shared, &name, &headers).await,
        1 => found(&format!("/feed/{segment}")),
        k => found(&format!("/redirect/{}/{segment}", k - 1)),
    }
}

/// A `302 Found` to a path on this server (a relative `Location`, as most servers send).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(LOCATION, value)]).into_response(),
        Err(_) => server_error("bad redirect target"),
    }
}

async fn empty() -> Response {
    rss(Body::empty())
}

async fn bearer(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if headers.get(AUTHORIZATION).map(HeaderValue::as_bytes) != Some(BEARER.as_bytes()) {
        let challenge = [(WWW_AUTHENTICATE, "Bearer realm=\"lage-fixtures\"")];
        return (
            StatusCode::UNAUTHORIZED,
            challenge,
            "missing or wrong bearer token\n",
        )
            .into_response();
    }
    serve_feed(&shared, &name, &headers).await
}

/// Serves `../wild/{name}` (real-world captures kept beside the fixtures) as the `ct` type.
async fn wild(
    State(shared): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    Query(params): Params,
) -> Response {
    let content_type = params
        .get("ct")
        .map_or("application/octet-stream", String::as_str);
    let Ok(content_type) = HeaderValue::from_str(content_type) else {
        return bad_request("ct is not a valid header value");
    };
    let dir = shared.fixtures.join("..").join("wild");
    match read_file(&dir, &name).await {
        Ok(body) => ([(CONTENT_TYPE, content_type)], body).into_response(),
        Err(response) => response,
    }
}

impl Shared {
    /// Reads the fixture served as `name` (after `set_file` overrides): its file name and bytes.
    async fn read_fixture(&self, name: &str) -> Result<(String, Vec<u8>), Response> {
        let file = lock(&self.overrides)
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned());
        let body = read_file(&self.fixtures, &file).await?;
        Ok((file, body))
    }
}

/// Reads `dir/name`, refusing names that could climb out of `dir`.
async fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>, Response> {
    if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
        return Err(bad_request("fixture names are plain file names"));
    }
    match tokio::fs::read(dir.join(name)).await {
        Ok(body) => Ok(body),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err((StatusCode::NOT_FOUND, format!("no fixture {name:?}\n")).into_response())
        }
        Err(e) => Err(server_error(&format!("reading fixture {name:?}: {e}"))),
    }
}

/// The Content-Type a feed host would send for a file with this name.
fn content_type_for(file: &str) -> &'static str {
    let extension = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("xml" | "rdf") => "application/rss+xml",
        Some("atom") => "application/atom+xml",
        Some("json") => "application/json",
        Some("ndjson") => "application/x-ndjson",
        Some("opml") => "text/x-opml",
        _ => "application/octet-stream",
    }
}

/// Parses a route's `{secs}`: whole or fractional seconds.
fn parse_secs(secs: &str) -> Option<Duration> {
    Duration::try_from_secs_f64(secs.parse().ok()?).ok()
}

/// Percent-encodes a path segment (fixture names are usually plain already).
fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// A 200 RSS response with `body`.
fn rss(body: Body) -> Response {
    ([(CONTENT_TYPE, "application/rss+xml")], body).into_response()
}

fn bad_request(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response()
}

fn server_error(why: &str) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response()
}
