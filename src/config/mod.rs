//! Configuration: finding the config file, reading it and its includes, and validating it once.
//!
//! `raw` holds what the files say; this module turns it into a [`Config`] whose durations are
//! parsed, URLs checked and secrets kept as unresolved `${VAR}` templates. Every error names the
//! file, the line, the key and the bad value, because an operator fixing a config at 3 a.m. should
//! not have to guess. Nothing here does network IO.

mod assess;
mod brief;
mod raw;
pub mod secret;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

pub use brief::BriefConfig;
pub use raw::line_of;
use raw::{RawFetch, RawFile, RawSource, line_of_key};
pub use secret::{Env, Template, TemplateError};

/// A configuration error, always pointing at a place in a file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read config: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A value or the syntax is wrong at a specific line.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what is expected.
        message: String,
    },
    /// No config file was given and none was found in the usual places.
    #[error("no config file found: pass --config FILE or set LAGE_CONFIG (looked in {0})")]
    NotFound(String),
}

/// Settings for fetching: politeness and limits.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Contact put in the User-Agent (an e-mail address or URL), so server operators can reach us.
    pub contact: Option<String>,
    /// Total time allowed for one request, body included.
    pub timeout: Duration,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            contact: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            concurrency: 16,
            per_host: 4,
        }
    }
}

/// Where a source was defined, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The config file.
    pub path: PathBuf,
    /// The line of its `[[source]]` header.
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// One validated source.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Unique id, used in the store and on the command line.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Source kind (`rss`, `incidents`, ...), known to `source`.
    pub kind: String,
    /// Where to fetch (http, https or file) as written, `${VAR}` references unresolved: safe to
    /// show and export. [`SourceConfig::resolved_url`] resolves it when a request is made.
    pub url_template: Template,
    /// How often to poll.
    pub interval: Duration,
    /// Whether the source is polled.
    pub enabled: bool,
    /// Extra request headers; values may reference the environment.
    pub headers: Vec<(String, Template)>,
    /// Bearer token reference, sent as `Authorization: Bearer ...`.
    pub token: Option<Template>,
    /// Kind-specific options, already checked by the kind.
    pub options: toml::Table,
    /// The least time between two calls: the larger of the kind's published rule and the
    /// source's own `min_interval`. Holds for retries and manual polls too.
    pub min_interval: Duration,
    /// The HTTP method.
    pub method: HttpMethod,
    /// A request body (POST only); may reference the environment.
    pub body: Option<Template>,
    /// Where it was defined.
    pub origin: Origin,
}

/// How a source is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpMethod {
    /// GET (the default).
    #[default]
    Get,
    /// POST with the source's `body` (query APIs such as Trafikverket's).
    Post,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The main config file.
    pub path: PathBuf,
    /// Fetch settings.
    pub fetch: FetchSettings,
    /// Sources in definition order.
    pub sources: Vec<SourceConfig>,
    /// What counts as local (`[area]`); empty when not configured.
    pub area: crate::area::AreaOfInterest,
    /// How CAP grades map to severity (`[[cap_severity]]`, else the default table).
    pub cap_severity: crate::grading::GradingTable,
    /// The tagging rules' directory: `rules = "..."` (relative to the file that says it), else
    /// `rules/` beside the main config file when that exists; `None` means no rules.
    pub rules_dir: Option<PathBuf>,
    /// How briefings are headed, marked and styled (`[brief]`).
    pub brief: BriefConfig,
    /// Where `${VAR}` references are resolved.
    pub env: Env,
}

/// The smallest polling interval accepted; faster polling is impolite to any server.
pub const MIN_INTERVAL: Duration = Duration::from_secs(10);
/// The largest polling interval accepted; a source polled less than weekly is not watched.
pub const MAX_INTERVAL: Duration = Duration::from_secs(7 * 24 * 3600);

impl SourceConfig {
    /// The URL with every reference resolved now, or the missing variable named.
    pub fn resolved_url(&self, env: &Env) -> Result<Url, String> {
        let resolved = self
            .url_template
            .resolve(env)
            .map_err(|e| format!("url: {e}"))?;
        Url::parse(resolved.trim()).map_err(|e| format!("url: invalid URL: {e}"))
    }
}

impl Config {
    /// Reads and validates `path` and everything it includes.
    pub fn load(path: &Path, env: Env) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_str_at(&text, path, env)
    }

    /// Validates config text as if it were the file `path` (includes are relative to it).
    pub fn from_str_at(text: &str, path: &Path, env: Env) -> Result<Config, ConfigError> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mut loader = Loader {
            env,
            fetch: None,
            area: None,
            area_origin: None,
            grading: None,
            grading_origin: None,
            rules_dir: None,
            rules_origin: None,
            brief: None,
            brief_origin: None,
            sources: Vec::new(),
            seen_ids: HashMap::new(),
            visiting: vec![canonical],
        };
        loader.load_text(text, path, true)?;
        Ok(Config {
            path: path.to_path_buf(),
            fetch: loader.fetch.unwrap_or_default(),
            sources: loader.sources,
            area: loader.area.unwrap_or_default(),
            cap_severity: loader.grading.unwrap_or_default(),
            rules_dir: loader.rules_dir.or_else(|| default_rules_dir(path)),
            brief: loader.brief.unwrap_or_default(),
            env: loader.env,
        })
    }

    /// Finds a source by id.
    pub fn source(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Picks the config file: the explicit path, then `$LAGE_CONFIG` (handled by the CLI), then the
/// XDG config dir, then the file bundled with the source tree.
pub fn discover(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let mut looked = Vec::new();
    if let Some(dirs) = directories::ProjectDirs::from("se", "stockholm", "lage") {
        let candidate = dirs.config_dir().join("lage.toml");
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(candidate.display().to_string());
    }
    let bundled = bundled_config();
    if bundled.is_file() {
        return Ok(bundled);
    }
    looked.push(bundled.display().to_string());
    Err(ConfigError::NotFound(looked.join(", ")))
}

/// The default config shipped in the repository.
pub fn bundled_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/lage.toml")
}

/// The default data dir: the XDG data dir, or `./lage-data` when there is no home.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("se", "stockholm", "lage")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("lage-data"))
}

/// Parses the TOML `text` read from `path` into `T`; a syntax error or a wrong key names the
/// file and line, as every config error does.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, e.span().map(|s| s.start).unwrap_or(0)),
        message: e.message().trim().replace('\n', " "),
    })
}

/// Parses "90s", "5m", "1h", "1h 30m".
pub fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text.trim()).ok()
}

struct Loader {
    env: Env,
    fetch: Option<FetchSettings>,
    area: Option<crate::area::AreaOfInterest>,
    area_origin: Option<Origin>,
    grading: Option<crate::grading::GradingTable>,
    grading_origin: Option<Origin>,
    rules_dir: Option<PathBuf>,
    rules_origin: Option<Origin>,
    brief: Option<BriefConfig>,
    brief_origin: Option<Origin>,
    sources: Vec<SourceConfig>,
    seen_ids: HashMap<String, Origin>,
    visiting: Vec<PathBuf>,
}

impl Loader {
    fn load_file(&mut self, path: &Path, is_main: bool) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.visiting.push(canonical);
        let result = self.load_text(&text, path, is_main);
        self.visiting.pop();
        result
    }

    fn load_text(&mut self, text: &str, path: &Path, is_main: bool) -> Result<(), ConfigError> {
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message,
        };
        let file: RawFile = parse_toml(text, path)?;

        if let Some(fetch) = file.fetch {
            if !is_main {
                return Err(invalid(
                    fetch.span().start,
                    "[fetch] belongs in the main config, not in an included file".into(),
                ));
            }
            self.fetch = Some(fetch_settings(fetch.into_inner(), text, path)?);
        }
        // The area and the CAP table may live in a file of their own, so the bundled config
        // and the demo share one; each may be defined once.
        if let Some(area) = file.area {
            let line = line_of(text, area.span().start);
            define_once(&mut self.area_origin, "[area]", path, line)?;
            self.area = Some(assess::area(area.into_inner(), text, path)?);
        }
        if let Some(first) = file.cap_severity.first() {
            let line = line_of(text, first.span().start);
            define_once(&mut self.grading_origin, "[[cap_severity]]", path, line)?;
            self.grading = Some(assess::grading(file.cap_severity, text, path)?);
        }
        if let Some(rules) = file.rules {
            let line = line_of(text, rules.span().start);
            define_once(&mut self.rules_origin, "key 'rules'", path, line)?;
            self.rules_dir = Some(rules_dir(rules.get_ref(), path, line)?);
        }
        if let Some(raw) = file.brief {
            let line = line_of(text, raw.span().start);
            define_once(&mut self.brief_origin, "[brief]", path, line)?;
            self.brief = Some(brief::brief(raw.into_inner(), text, path)?);
        }
        for source in file.source {
            let span = source.span();
            let checked = self.source(source.into_inner(), span, text, path)?;
            self.sources.push(checked);
        }
        let base = path.parent().unwrap_or(Path::new("."));
        for pattern in file.include {
            let line = line_of(text, pattern.span().start);
            self.include(base, pattern.get_ref(), path, line)?;
        }
        Ok(())
    }

    fn include(
        &mut self,
        base: &Path,
        pattern: &str,
        path: &Path,
        line: usize,
    ) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        let full = base.join(pattern);
        let full = full.to_string_lossy();
        let paths = glob::glob(&full)
            .map_err(|e| invalid(format!("key 'include': bad pattern '{pattern}': {e}")))?;
        let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        matched.sort();
        if matched.is_empty() && !pattern.contains(['*', '?', '[']) {
            return Err(invalid(format!(
                "key 'include': '{pattern}' does not exist (relative to {})",
                base.display()
            )));
        }
        for included in matched {
            let canonical = included.canonicalize().unwrap_or_else(|_| included.clone());
            if self.visiting.contains(&canonical) {
                return Err(invalid(format!(
                    "key 'include': '{}' includes itself (cycle)",
                    included.display()
                )));
            }
            self.load_file(&included, false)?;
        }
        Ok(())
    }

    fn source(
        &mut self,
        raw: RawSource,
        span: std::ops::Range<usize>,
        text: &str,
        path: &Path,
    ) -> Result<SourceConfig, ConfigError> {
        let origin = Origin {
            path: path.to_path_buf(),
            line: line_of(text, span.start),
        };
        let id = raw.id.get_ref().trim().to_string();
        let at = |offset: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message: format!("source '{id}': {message}"),
        };
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !id_ok {
            return Err(at(
                raw.id.span().start,
                format!(
                    "key 'id': invalid value '{}': expected 1-64 characters of a-z, 0-9, '-', '_', '.'",
                    raw.id.get_ref()
                ),
            ));
        }
        if let Some(first) = self.seen_ids.get(&id) {
            return Err(at(
                raw.id.span().start,
                format!("key 'id': duplicate id '{id}', first defined at {first}"),
            ));
        }

        let kind = raw.kind.get_ref().trim().to_string();
        if !crate::source::is_known_kind(&kind) {
            return Err(at(
                raw.kind.span().start,
                format!(
                    "key 'kind': unknown kind '{kind}': expected one of {}",
                    crate::source::kind_names().join(", ")
                ),
            ));
        }

        let url_template = self.url_template(&raw.url, &at)?;

        let interval = match &raw.interval {
            None => Duration::from_secs(15 * 60),
            Some(value) => interval_value(value, "interval", &at)?,
        };
        let etiquette = crate::source::kind(&kind)
            .map(|k| k.etiquette())
            .unwrap_or_default();
        let own_floor = match &raw.min_interval {
            None => Duration::ZERO,
            Some(value) => interval_value(value, "min_interval", &at)?,
        };
        let min_interval = etiquette.min_interval.max(own_floor);
        if interval < min_interval {
            let why = if etiquette.min_interval >= own_floor {
                etiquette.rule.to_string()
            } else {
                "its min_interval".to_string()
            };
            let offset = raw.interval.as_ref().map_or(span.start, |v| v.span().start);
            return Err(at(
                offset,
                format!(
                    "key 'interval': {} is shorter than {}, the least this source allows ({why})",
                    humantime::format_duration(interval),
                    humantime::format_duration(min_interval)
                ),
            ));
        }
        if etiquette.https_only {
            let url = Url::parse(url_template.resolve_or(&self.env, "unset").trim()).ok();
            let plain_remote = url.as_ref().is_some_and(|u| {
                u.scheme() != "https" && !crate::fetch::is_loopback_host(u.host_str().unwrap_or(""))
            });
            if plain_remote {
                return Err(at(
                    raw.url.span().start,
                    format!("key 'url': kind '{kind}' needs https ({})", etiquette.rule),
                ));
            }
        }
        let method = match raw
            .method
            .as_ref()
            .map(|m| m.get_ref().trim().to_ascii_uppercase())
        {
            None => HttpMethod::Get,
            Some(m) if m == "GET" => HttpMethod::Get,
            Some(m) if m == "POST" => HttpMethod::Post,
            Some(m) => {
                let offset = raw.method.as_ref().map_or(span.start, |v| v.span().start);
                return Err(at(
                    offset,
                    format!("key 'method': unsupported method '{m}': expected \"GET\" or \"POST\""),
                ));
            }
        };
        let body = match &raw.body {
            None if method == HttpMethod::Post => {
                let offset = raw.method.as_ref().map_or(span.start, |v| v.span().start);
                return Err(at(
                    offset,
                    "key 'method': POST needs a 'body' (the query to send)".into(),
                ));
            }
            None => None,
            Some(value) => {
                let template = Template::parse(value.get_ref())
                    .map_err(|e| at(value.span().start, format!("key 'body': {e}")))?;
                if method != HttpMethod::Post {
                    return Err(at(
                        value.span().start,
                        "key 'body': a request body needs method = \"POST\"".into(),
                    ));
                }
                if let Some(name) = secret::literal_secret_in_body(&template) {
                    return Err(at(
                        value.span().start,
                        format!(
                            "key 'body': '{name}' holds a literal secret; write {name}=\"${{MY_KEY}}\" and set the variable in the environment"
                        ),
                    ));
                }
                Some(template)
            }
        };

        let mut headers = Vec::new();
        for (name, value) in raw.headers.unwrap_or_default() {
            let template = Template::parse(value.get_ref())
                .map_err(|e| at(value.span().start, format!("header '{name}': {e}")))?;
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(at(
                    value.span().start,
                    format!("key 'headers': invalid header name '{name}'"),
                ));
            }
            if secret::is_sensitive_name(&name) && secret::has_literal_secret(&template) {
                return Err(at(
                    value.span().start,
                    format!(
                        "header '{name}': literal secret; write a reference such as \"Bearer ${{MY_TOKEN}}\" and set the variable in the environment"
                    ),
                ));
            }
            headers.push((name, template));
        }

        let token = match &raw.token {
            None => None,
            Some(value) => {
                let template = Template::parse(value.get_ref())
                    .map_err(|e| at(value.span().start, format!("key 'token': {e}")))?;
                if !template.has_references() || !template.literal_text().trim().is_empty() {
                    return Err(at(
                        value.span().start,
                        "key 'token': must be an environment reference like \"${LAGE_INCIDENT_TOKEN}\", never a literal key".into(),
                    ));
                }
                Some(template)
            }
        };

        let (options, options_span) = match raw.options {
            Some(o) => {
                let span = o.span();
                (o.into_inner(), span)
            }
            None => (toml::Table::new(), span.clone()),
        };
        if let Err(e) = crate::source::check_options(&kind, &options) {
            let line = line_of_key(text, options_span, &e.key);
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                message: format!("source '{id}': options.{}: {}", e.key, e.message),
            });
        }

        self.seen_ids.insert(id.clone(), origin.clone());
        Ok(SourceConfig {
            name: raw
                .name
                .map(|n| n.into_inner())
                .unwrap_or_else(|| id.clone()),
            id,
            kind,
            url_template,
            interval,
            enabled: raw.enabled.unwrap_or(true),
            headers,
            token,
            options,
            min_interval,
            method,
            body,
            origin,
        })
    }

    /// The source URL as a checked template: absolute http, https or file, no literal
    /// password, key-like query parameters only as references.
    fn url_template(
        &self,
        raw: &toml::Spanned<String>,
        at: &dyn Fn(usize, String) -> ConfigError,
    ) -> Result<Template, ConfigError> {
        let offset = raw.span().start;
        let written = raw.get_ref();
        let template =
            Template::parse(written).map_err(|e| at(offset, format!("key 'url': {e}")))?;
        // A variable that is not set here (a key kept in the service's environment, not the
        // operator's shell) is checked with a stand-in; the poll reports it if still unset.
        let (resolved, missing) = match template.resolve(&self.env) {
            Ok(resolved) => (resolved, None),
            Err(e) => (template.resolve_or(&self.env, "unset"), Some(e)),
        };
        let url = Url::parse(resolved.trim()).map_err(|e| {
            let why = match &missing {
                Some(missing) => format!("key 'url': '{written}': {missing}"),
                None => format!("key 'url': invalid URL '{written}': {e}; expected an absolute http, https or file URL"),
            };
            at(offset, why)
        })?;
        if !matches!(url.scheme(), "http" | "https" | "file") {
            return Err(at(
                offset,
                format!(
                    "key 'url': unsupported scheme '{}' in '{written}': expected http, https or file",
                    url.scheme()
                ),
            ));
        }
        // What the config itself spells out, references removed whatever the environment holds.
        let literal_password = Url::parse(template.literal_text().trim())
            .ok()
            .and_then(|u| u.password().map(str::to_string))
            .is_some_and(|p| !p.is_empty());
        if literal_password {
            return Err(at(
                offset,
                "key 'url': holds a literal password; use `token` or a header with a ${VAR} reference".into(),
            ));
        }
        if url.scheme() != "file" && url.host_str().is_none_or(str::is_empty) {
            return Err(at(offset, format!("key 'url': '{written}' has no host")));
        }
        // Check the query as written: a key-like parameter must be a `${VAR}` reference.
        if let Some(query) = written.split_once('?').map(|(_, q)| q) {
            for pair in query.split('&') {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let value =
                    Template::parse(value).map_err(|e| at(offset, format!("key 'url': {e}")))?;
                if secret::is_sensitive_name(name) && secret::has_literal_secret(&value) {
                    return Err(at(
                        offset,
                        format!(
                            "key 'url': parameter '{name}' holds a literal secret; write {name}=${{MY_KEY}} and set the variable in the environment"
                        ),
                    ));
                }
            }
        }
        Ok(template)
    }
}

/// The directory a `rules` key names, relative to the file it is written in; it must exist,
/// so a typo is caught here rather than silently running without rules.
fn rules_dir(value: &str, path: &Path, line: usize) -> Result<PathBuf, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        message: format!("key 'rules': {message}"),
    };
    let written = value.trim();
    if written.is_empty() {
        return Err(invalid(
            "empty value: expected a directory of rule files, e.g. \"rules\"".into(),
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let dir = base.join(written);
    if !dir.exists() {
        return Err(invalid(format!(
            "'{written}' does not exist (relative to {})",
            shown_dir(base)
        )));
    }
    if !dir.is_dir() {
        return Err(invalid(format!(
            "'{written}' is not a directory: expected the directory holding the rule files"
        )));
    }
    Ok(dir)
}

/// `rules/` beside the main config file, when there is one.
fn default_rules_dir(main: &Path) -> Option<PathBuf> {
    let dir = main.parent().unwrap_or(Path::new(".")).join("rules");
    dir.is_dir().then_some(dir)
}

/// A directory for messages: `.` rather than nothing for the current one.
fn shown_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.display().to_string()
    }
}

/// Records where a section that may appear only once is defined; a second definition is an
/// error naming the first.
fn define_once(
    origin: &mut Option<Origin>,
    section: &str,
    path: &Path,
    line: usize,
) -> Result<(), ConfigError> {
    if let Some(first) = origin {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message: format!("{section} is defined twice; first at {first}"),
        });
    }
    *origin = Some(Origin {
        path: path.to_path_buf(),
        line,
    });
    Ok(())
}

/// A polling interval within 10 s to 7 d.
fn interval_value(
    value: &toml::Spanned<String>,
    key: &str,
    at: &dyn Fn(usize, String) -> ConfigError,
) -> Result<Duration, ConfigError> {
    match parse_duration(value.get_ref()) {
        Some(d) if (MIN_INTERVAL..=MAX_INTERVAL).contains(&d) => Ok(d),
        Some(d) => {
            let why = if d < MIN_INTERVAL {
                "too short: at least 10s"
            } else {
                "too long: at most 7d"
            };
            Err(at(
                value.span().start,
                format!("key '{key}': '{}' is {why}", value.get_ref()),
            ))
        }
        None => Err(at(
            value.span().start,
            format!(
                "key '{key}': invalid duration '{}': expected e.g. \"90s\", \"5m\", \"1h\"",
                value.get_ref()
            ),
        )),
    }
}

fn fetch_settings(raw: RawFetch, text: &str, path: &Path) -> Result<FetchSettings, ConfigError> {
    let mut settings = FetchSettings::default();
    let at = |offset: usize, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        message: format!("[fetch]: {message}"),
    };
    let duration = |value: &toml::Spanned<String>, key: &str| {
        parse_duration(value.get_ref())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                at(
                    value.span().start,
                    format!(
                        "key '{key}': invalid duration '{}': expected e.g. \"10s\", \"2m\"",
                        value.get_ref()
                    ),
                )
            })
    };
    let count = |value: &toml::Spanned<i64>, key: &str, min: i64, max: i64| {
        let v = *value.get_ref();
        if (min..=max).contains(&v) {
            Ok(v)
        } else {
            Err(at(
                value.span().start,
                format!("key '{key}': value '{v}' out of range: expected {min} to {max}"),
            ))
        }
    };
    if let Some(v) = &raw.contact {
        settings.contact = Some(v.get_ref().trim().to_string());
    }
    if let Some(v) = &raw.timeout {
        settings.timeout = duration(v, "timeout")?;
    }
    if let Some(v) = &raw.connect_timeout {
        settings.connect_timeout = duration(v, "connect_timeout")?;
    }
    if let Some(v) = &raw.max_body_bytes {
        settings.max_body_bytes = count(v, "max_body_bytes", 1024, 1 << 30)? as u64;
    }
    if let Some(v) = &raw.max_redirects {
        settings.max_redirects = count(v, "max_redirects", 0, 10)? as usize;
    }
    if let Some(v) = &raw.concurrency {
        settings.concurrency = count(v, "concurrency", 1, 256)? as usize;
    }
    if let Some(v) = &raw.per_host {
        settings.per_host = count(v, "per_host", 1, 64)? as usize;
    }
    Ok(settings)
}
