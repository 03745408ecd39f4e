//! The template engine (minijinja) as the Markdown and HTML exports use it: strict about
//! undefined names, so a typo in an office's template is an error with its line rather than an
//! empty heading, and escaping every value for the output's syntax unless the template marks it
//! `|safe`.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior};

use super::{RenderError, Template};

/// How values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Escape {
    /// HTML text and attribute values.
    Html,
    /// Markdown inline text (`markdown::escape`).
    Markdown,
}

/// Renders `template` with `context`, escaping every printed value as `escape` says.
pub(super) fn render(
    template: &Template,
    escape: Escape,
    context: impl serde::Serialize,
) -> Result<String, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| RenderError::Template {
            name: template.name.clone(),
            message: describe(&e),
        })?;
    env.set_syntax(syntax);
    env.set_auto_escape_callback(move |_| match escape {
        Escape::Html => AutoEscape::Html,
        Escape::Markdown => AutoEscape::Custom("markdown".into()),
    });
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown")
            && !value.is_safe()
        {
            let text = value.to_string();
            out.write_str(&super::markdown::escape(&text))
                .map_err(Error::from)
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("md_url", |url: String| {
        Value::from_safe_string(super::markdown::escape_url(&url))
    });
    let failed = |e: Error| RenderError::Template {
        name: template.name.clone(),
        message: describe(&e),
    };
    env.add_template_owned("brief", template.text.clone())
        .map_err(failed)?;
    env.get_template("brief")
        .and_then(|t| t.render(Value::from(Serde(context))))
        .map_err(failed)
}

/// The error with its line and every cause, on one line.
fn describe(e: &Error) -> String {
    let mut message = match e.line() {
        Some(line) => format!("line {line}: {}", e.kind()),
        None => e.kind().to_string(),
    };
    if let Some(detail) = e.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
