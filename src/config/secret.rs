//! `${ENV_VAR}` references: how secrets and machine-specific values enter the config.
//!
//! Committed config must never hold a literal key. Values that carry secrets (the `token`,
//! sensitive headers, key-like URL parameters) must be written as `${VAR}` references and are
//! resolved only when a request is built, so a missing variable becomes that source's error
//! instead of stopping the whole program.

use std::collections::BTreeMap;

/// Where `${VAR}` references are looked up: an overlay (used by `lage demo`), then the process
/// environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    overlay: BTreeMap<String, String>,
}

impl Env {
    /// An environment that reads only the process environment.
    pub fn process() -> Env {
        Env::default()
    }

    /// Adds a value that takes precedence over the process environment.
    pub fn with(mut self, name: &str, value: &str) -> Env {
        self.overlay.insert(name.to_string(), value.to_string());
        self
    }

    /// Looks a variable up.
    pub fn get(&self, name: &str) -> Option<String> {
        self.overlay
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }
}

/// A string that may contain `${VAR}` references, kept unresolved until use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    pieces: Vec<Piece>,
}

/// A `${VAR}` reference that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The variable is not set.
    #[error("environment variable {0} is not set")]
    Missing(String),
    /// `${` without a closing `}` or with an invalid name.
    #[error("malformed reference in '{0}': write ${{NAME}} with letters, digits and '_'")]
    Malformed(String),
}

impl Template {
    /// Wraps a raw config string, checking that every `${...}` reference is well formed.
    pub fn parse(raw: &str) -> Result<Template, TemplateError> {
        Ok(Template {
            raw: raw.to_string(),
            pieces: pieces(raw)?,
        })
    }

    /// The text as written in the config.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether the text contains at least one reference.
    pub fn has_references(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var(_)))
    }

    /// The literal text left when every reference is removed (used to spot literal secrets).
    pub fn literal_text(&self) -> String {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::Var(_) => None,
            })
            .collect()
    }

    /// Replaces every reference with its value from `env`.
    pub fn resolve(&self, env: &Env) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(self.raw.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(name) => {
                    out.push_str(
                        &env.get(name)
                            .ok_or_else(|| TemplateError::Missing(name.clone()))?,
                    );
                }
            }
        }
        Ok(out)
    }

    /// Replaces every reference with its value, or with `stand_in` where it is not set.
    pub fn resolve_or(&self, env: &Env, stand_in: &str) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Var(name) => env.get(name).unwrap_or_else(|| stand_in.to_string()),
            })
            .collect()
    }
}

/// Splits text into literal pieces and `${NAME}` references.
fn pieces(raw: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| TemplateError::Malformed(raw.to_string()))?;
        let name = &after[..end];
        let valid = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(TemplateError::Malformed(raw.to_string()));
        }
        pieces.push(Piece::Var(name.to_string()));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// Header names whose values are credentials and so must come from the environment.
pub fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth",
        "token",
        "secret",
        "key",
        "cookie",
        "password",
        "signature",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Whether a sensitive value holds literal secret text beyond an auth scheme word.
pub fn has_literal_secret(value: &Template) -> bool {
    let literal = value.literal_text();
    let rest = literal
        .split_whitespace()
        .filter(|word| {
            !matches!(
                word.to_ascii_lowercase().as_str(),
                "bearer" | "basic" | "token"
            )
        })
        .count();
    rest > 0
}

/// The name of a credential-like attribute or field in a request body whose value is written
/// out rather than referenced (`authenticationkey="abc"`, `"api_key": "abc"`), if any.
pub fn literal_secret_in_body(body: &Template) -> Option<String> {
    static PAIR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[=:]\s*["']([^"']*)["']"#)
            .expect("static regex")
    });
    PAIR.captures_iter(body.raw()).find_map(|c| {
        let name = c.get(1)?.as_str();
        let value = c.get(2)?.as_str().trim();
        let literal = !value.is_empty() && !value.starts_with("${");
        (is_sensitive_name(name) && literal).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_references_from_overlay_first() {
        let env = Env::process().with("LAGE_TEST_X", "v");
        let t = Template::parse("a-${LAGE_TEST_X}-b").unwrap();
        assert_eq!(t.resolve(&env).unwrap(), "a-v-b");
        assert!(t.has_references());
    }

    #[test]
    fn missing_variable_is_named() {
        let t = Template::parse("${LAGE_SURELY_UNSET_9}").unwrap();
        assert_eq!(
            t.resolve(&Env::process()),
            Err(TemplateError::Missing("LAGE_SURELY_UNSET_9".into()))
        );
    }

    #[test]
    fn malformed_references_are_rejected() {
        assert!(Template::parse("${").is_err());
        assert!(Template::parse("${1X}").is_err());
        assert!(Template::parse("${A B}").is_err());
    }

    #[test]
    fn literal_secrets_are_spotted() {
        assert!(has_literal_secret(
            &Template::parse("Bearer abc123").unwrap()
        ));
        assert!(!has_literal_secret(
            &Template::parse("Bearer ${TOKEN}").unwrap()
        ));
        assert!(!has_literal_secret(&Template::parse("${TOKEN}").unwrap()));
        assert!(is_sensitive_name("Authorization"));
        assert!(is_sensitive_name("X-Api-Key"));
        assert!(!is_sensitive_name("Accept"));
    }

    #[test]
    fn literal_secrets_in_bodies_are_spotted() {
        let body = |text: &str| literal_secret_in_body(&Template::parse(text).unwrap());
        assert_eq!(
            body(r#"<LOGIN authenticationkey="abc123" />"#).as_deref(),
            Some("authenticationkey")
        );
        assert_eq!(body(r#"<LOGIN authenticationkey="${TRV_KEY}" />"#), None);
        assert_eq!(body(r#"{"api_key": "abc"}"#).as_deref(), Some("api_key"));
        assert_eq!(
            body(r#"{"api_key": "${K}", "objecttype": "Situation"}"#),
            None
        );
    }
}
