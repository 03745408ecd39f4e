//! Fetching like a good citizen: HTTP(S) and local files, bounded in size, time and concurrency.
//!
//! Owns the HTTP client and the concurrency limits (global and per host). It sends a User-Agent
//! with a contact, conditional headers (the ETag byte-exact), follows at most N redirects (never
//! from https down to http), counts the body after decompression against a cap, and turns
//! 429/503 `Retry-After` into data for the scheduler. It knows nothing about formats or storage.

pub mod charset;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::config::FetchSettings;
use crate::source::Document;

/// What to fetch and how to ask for it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL (http, https or file).
    pub url: Url,
    /// Extra headers, references already resolved.
    pub headers: Vec<(String, String)>,
    /// The ETag from the last 200, sent back byte-exact.
    pub etag: Option<String>,
    /// The Last-Modified from the last 200.
    pub last_modified: Option<String>,
    /// Whether a `file://` URL may be a spool directory of `*.json` files.
    pub directory_ok: bool,
    /// Whether the URL itself holds resolved secrets (`${VAR}` references): then it is never
    /// shown, and links are never resolved against it.
    pub url_is_private: bool,
    /// A body to POST (references already resolved); `None` for a GET.
    pub body: Option<String>,
}

impl Request {
    /// Whether the request carries credentials (headers, or secrets in the URL), which must
    /// not follow a redirect to another origin.
    fn carries_credentials(&self) -> bool {
        self.url_is_private || !self.headers.is_empty() || self.body.is_some()
    }
}

/// New content from a successful fetch.
#[derive(Debug)]
pub struct Fresh {
    /// One document, or one per spool file.
    pub docs: Vec<Document>,
    /// Spool files that could not be read (too large, not a regular file), with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// A global fetch slot, held while the bodies are in memory so that the number of bodies
    /// waiting to be parsed stays bounded; dropped with the `Fresh`.
    pub slot: Option<OwnedSemaphorePermit>,
    /// The ETag to store, if the server sent one.
    pub etag: Option<String>,
    /// The Last-Modified to store, if the server sent one.
    pub last_modified: Option<String>,
    /// `Cache-Control: max-age`, if the server sent one.
    pub max_age: Option<Duration>,
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// New content.
    Documents(Fresh),
    /// 304: nothing changed since the ETag/Last-Modified we sent.
    NotModified {
        /// `Cache-Control: max-age`, if the server sent one.
        max_age: Option<Duration>,
    },
}

/// Why a fetch failed; the message is what a duty officer reads in the source's health.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connection could not be made.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The server answered with an error status.
    #[error("HTTP {status} {reason}{}", retry_after.map(|d| format!(" (server asks to retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
        /// How long the server asked us to wait (429/503 `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The body exceeded the cap (counted after decompression).
    #[error("response body larger than the limit of {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// Redirects looped, went on too long or downgraded to http.
    #[error("redirect refused: {0}")]
    Redirect(String),
    /// A local file or directory could not be read.
    #[error("cannot read {}: {message}", path.display())]
    File {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Anything else (bad header value, protocol error).
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// How long the server asked us to stay away, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The HTTP clients plus the concurrency limits; one per process, shared by all polls.
pub struct Fetcher {
    client: reqwest::Client,
    /// For requests with credentials: redirects stay on the same origin.
    private_client: reqwest::Client,
    settings: FetchSettings,
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// The User-Agent: name, version and, when configured, a contact for server operators.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact.filter(|c| !c.is_empty()) {
        Some(contact) => format!("lage/{version} (situational picture; +{contact})"),
        None => format!("lage/{version} (situational picture)"),
    }
}

/// Spool files read in one poll, so a flooded spool cannot exhaust memory; the rest wait.
pub const MAX_SPOOL_FILES: usize = 500;

/// An HTTP client: bounded redirects (no loops, never https → http, with `same_origin` never
/// to another origin), no Referer (it would carry the URL's query to the next host).
fn client(settings: &FetchSettings, same_origin: bool) -> Result<reqwest::Client, FetchError> {
    let max_redirects = settings.max_redirects;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let first = attempt.previous().first().cloned();
        if attempt.previous().len() > max_redirects {
            attempt.error(format!("more than {max_redirects} redirects"))
        } else if attempt.previous().contains(attempt.url()) {
            attempt.error("redirect loop")
        } else if attempt.url().scheme() == "http"
            && attempt.previous().iter().any(|u| u.scheme() == "https")
        {
            attempt.error("redirect from https to http")
        } else if same_origin && first.is_some_and(|f| f.origin() != attempt.url().origin()) {
            attempt.error("redirect to another host refused: the request carries credentials")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(user_agent(settings.contact.as_deref()))
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .redirect(policy)
        .referer(false)
        .gzip(true)
        .brotli(true)
        .tcp_nodelay(true)
        .pool_max_idle_per_host(settings.per_host)
        .build()
        .map_err(|e| FetchError::Other(format!("cannot build HTTP client: {e}")))
}

const ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
    application/json, application/x-ndjson, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

impl Fetcher {
    /// Builds the client from the fetch settings.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            client: client(settings, false)?,
            private_client: client(settings, true)?,
            settings: settings.clone(),
            global: Arc::new(Semaphore::new(settings.concurrency)),
            per_host: Mutex::new(HashMap::new()),
        })
    }

    /// Fetches one source's URL, waiting for a free slot under both limits first.
    pub async fn fetch(&self, request: &Request) -> Result<Fetched, FetchError> {
        // The host's own slot first: waiting for a busy host must not hold a global slot that
        // requests to other hosts could use.
        let host_slots = self.host_slots(&request.url);
        let _host = host_slots.acquire().await;
        let global = self.global.clone().acquire_owned().await.ok();
        let mut fetched = if request.url.scheme() == "file" {
            self.fetch_file(request).await?
        } else {
            self.fetch_http(request).await?
        };
        if let Fetched::Documents(fresh) = &mut fetched {
            fresh.slot = global;
        }
        Ok(fetched)
    }

    fn host_slots(&self, url: &Url) -> Arc<Semaphore> {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut map = self.per_host.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_host)))
            .clone()
    }

    async fn fetch_http(&self, request: &Request) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| FetchError::Other(format!("bad header name '{name}': {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| FetchError::Other(format!("bad value for header '{name}': {e}")))?;
            headers.insert(name, value);
        }
        if let Some(etag) = &request.etag
            && let Some(bytes) = latin1_bytes(etag)
            && let Ok(value) = HeaderValue::from_bytes(&bytes)
        {
            headers.insert(header::IF_NONE_MATCH, value);
        }
        if let Some(modified) = &request.last_modified
            && let Ok(value) = HeaderValue::from_str(modified)
        {
            headers.insert(header::IF_MODIFIED_SINCE, value);
        }
        let client = if request.carries_credentials() {
            &self.private_client
        } else {
            &self.client
        };
        let builder = match &request.body {
            // A query API answers a POST; its answer is still conditional on the ETag.
            Some(body) => client.post(request.url.clone()).body(body.clone()),
            None => client.get(request.url.clone()),
        };
        let response = builder
            .headers(headers)
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        let status = response.status();
        let max_age = max_age(response.headers());
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified { max_age });
        }
        if !status.is_success() {
            let retry_after = matches!(status.as_u16(), 429 | 503)
                .then(|| retry_after(response.headers(), Utc::now()))
                .flatten();
            return Err(FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
                retry_after,
            });
        }
        let header_text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        // Byte-exact, even for obs-text bytes that are not valid UTF-8.
        let etag = response
            .headers()
            .get(header::ETAG)
            .map(|v| latin1_string(v.as_bytes()));
        let last_modified = header_text(header::LAST_MODIFIED);
        let content_type = header_text(header::CONTENT_TYPE);
        let final_url = response.url().clone();
        let bytes = self.read_capped(response).await?;
        Ok(Fetched::Documents(Fresh {
            docs: vec![Document {
                name: if request.url_is_private {
                    origin_only(&final_url)
                } else {
                    display_name(&final_url)
                },
                link_base: (!request.url_is_private).then(|| link_base(&final_url)),
                bytes,
                content_type,
                url: final_url,
                spool_file: None,
            }],
            unreadable: Vec::new(),
            slot: None,
            etag,
            last_modified,
            max_age,
        }))
    }

    /// Reads the (already decompressed) body chunk by chunk, stopping at the cap.
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.settings.max_body_bytes;
        let mut body =
            Vec::with_capacity(response.content_length().unwrap_or(64 * 1024).min(limit) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(FetchError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn classify(&self, error: reqwest::Error) -> FetchError {
        // The URL may carry a resolved `${KEY}`: never let it into messages or stored health.
        let error = error.without_url();
        if error.is_timeout() {
            FetchError::Timeout(self.settings.timeout)
        } else if error.is_redirect() {
            FetchError::Redirect(root_cause(&error))
        } else if error.is_connect() {
            FetchError::Connect(root_cause(&error))
        } else {
            FetchError::Other(root_cause(&error))
        }
    }

    async fn fetch_file(&self, request: &Request) -> Result<Fetched, FetchError> {
        let path = request.url.to_file_path().map_err(|_| FetchError::File {
            path: PathBuf::from(request.url.path()),
            message: "not a local file path".into(),
        })?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| FetchError::File {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let (docs, unreadable) = if meta.is_dir() {
            if !request.directory_ok {
                return Err(FetchError::File {
                    path,
                    message: "is a directory; this kind reads one file".into(),
                });
            }
            self.read_spool(&path).await?
        } else {
            (vec![self.read_file(&path).await?], Vec::new())
        };
        Ok(Fetched::Documents(Fresh {
            docs,
            unreadable,
            slot: None,
            etag: None,
            last_modified: None,
            max_age: None,
        }))
    }

    /// Reads the `*.json` files of a spool directory, and those that could not be read (with
    /// why): one bad file must not wedge the spool, it is set aside and the rest go on.
    async fn read_spool(
        &self,
        dir: &Path,
    ) -> Result<(Vec<Document>, Vec<(PathBuf, String)>), FetchError> {
        let dir_err = |e: std::io::Error| FetchError::File {
            path: dir.to_path_buf(),
            message: e.to_string(),
        };
        let mut entries = tokio::fs::read_dir(dir).await.map_err(dir_err)?;
        let mut files = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(dir_err)? {
            let p = entry.path();
            let is_json = p.extension().is_some_and(|e| e == "json");
            if is_json && entry.file_type().await.is_ok_and(|t| t.is_file()) {
                let modified = entry.metadata().await.ok().and_then(|m| m.modified().ok());
                files.push((modified, p));
            }
        }
        // Oldest first, by the time each was dropped (then by name), so that of two versions
        // of one report in a batch the later wins. A flooded spool drains over several polls:
        // at most MAX_SPOOL_FILES files and about one body cap of bytes each.
        files.sort();
        files.truncate(MAX_SPOOL_FILES);
        let mut docs = Vec::new();
        let mut unreadable = Vec::new();
        let mut total = 0u64;
        for (_, file) in files {
            if total >= self.settings.max_body_bytes {
                break;
            }
            match self.read_file(&file).await {
                Ok(mut doc) => {
                    total += doc.bytes.len() as u64;
                    doc.spool_file = Some(file);
                    docs.push(doc);
                }
                Err(e) => unreadable.push((file, e.to_string())),
            }
        }
        Ok((docs, unreadable))
    }

    /// Reads a regular file, at most the body cap (a FIFO or device is refused, and a file
    /// that grows while read is still capped).
    async fn read_file(&self, path: &Path) -> Result<Document, FetchError> {
        use tokio::io::AsyncReadExt;
        let limit = self.settings.max_body_bytes;
        let file_err = |message: String| FetchError::File {
            path: path.to_path_buf(),
            message,
        };
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| file_err(e.to_string()))?;
        if !meta.is_file() {
            return Err(file_err("not a regular file".into()));
        }
        if meta.len() > limit {
            return Err(FetchError::TooLarge { limit });
        }
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| file_err(e.to_string()))?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| file_err(e.to_string()))?;
        if bytes.len() as u64 > limit {
            return Err(FetchError::TooLarge { limit });
        }
        let url = Url::from_file_path(path).map_err(|_| file_err("not an absolute path".into()))?;
        Ok(Document {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes,
            content_type: None,
            link_base: Some(url.clone()),
            url,
            spool_file: None,
        })
    }
}

/// Header bytes as a string, one char per byte (latin-1), so any byte survives a round trip.
fn latin1_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes of a string made by [`latin1_string`]; `None` for any char above U+00FF.
fn latin1_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// The scheme and host of a URL whose path or query may hold secrets, for messages.
fn origin_only(url: &Url) -> String {
    format!("{}/…", url.origin().ascii_serialization())
}

/// The URL relative links are resolved against: without query, fragment or credentials.
fn link_base(url: &Url) -> Url {
    Url::parse(&display_name(url)).unwrap_or_else(|_| url.clone())
}

/// A URL for messages: without query or credentials, which may carry resolved secrets.
pub fn display_name(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// The innermost error message (reqwest wraps hyper wraps io), which is the useful one.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    let inner = current.to_string();
    let outer = error.to_string();
    if inner == outer {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}

/// `Retry-After` as seconds or an HTTP date; a date in the past means "now".
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// `Cache-Control: max-age=N`, capped at 24 h.
fn max_age(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::CACHE_CONTROL)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let secs = part.trim().strip_prefix("max-age=")?.trim_matches('"');
        secs.parse::<u64>()
            .ok()
            .map(|s| Duration::from_secs(s.min(24 * 3600)))
    })
}

/// Whether a URL host is this machine (where plain http is fine even for https-only APIs:
/// tests and local proxies).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&h, Utc::now()), Some(Duration::from_secs(120)));
        let now = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 25 Nov 2026 10:01:30 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn max_age_is_parsed_and_capped() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        assert_eq!(max_age(&h), Some(Duration::from_secs(60)));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=9999999"),
        );
        assert_eq!(max_age(&h), Some(Duration::from_secs(86400)));
    }

    #[test]
    fn etags_round_trip_byte_exact() {
        let raw = b"W/\"\xe5\xe4\xf6-17\"";
        assert_eq!(latin1_bytes(&latin1_string(raw)).as_deref(), Some(&raw[..]));
        assert_eq!(latin1_bytes("\u{2603}"), None);
    }

    #[test]
    fn display_name_hides_query_and_credentials() {
        let url = Url::parse("https://user:pw@api.example.se/v2/data.json?key=s3cret#x").unwrap();
        assert_eq!(display_name(&url), "https://api.example.se/v2/data.json");
    }

    #[test]
    fn user_agent_names_program_version_and_contact() {
        let ua = user_agent(Some("sakerhet@example.se"));
        assert!(ua.starts_with("lage/"));
        assert!(ua.contains(env!("CARGO_PKG_VERSION")));
        assert!(ua.contains("sakerhet@example.se"));
    }
}
