//! Following an index's links to the documents that hold the items (CAP alerts that an
//! Atom index only links to).
//!
//! Links are feed text, so they are held to the index's own origin (never `file:`, never
//! another host: a hostile index must not make `lage` fetch internal addresses), at most
//! [`MAX_FOLLOWED`] per poll, and each link is fetched once while the index lists it.

use chrono::{DateTime, Utc};
use url::Url;

use super::Poller;
use super::parse::{ParseSettings, ParsedFetch, parse_documents};
use crate::config::SourceConfig;
use crate::fetch::{Fetched, Request};
use crate::health::SourceState;

/// Linked documents fetched in one poll at most; the rest wait for the next poll.
pub(super) const MAX_FOLLOWED: usize = 50;

impl Poller {
    /// Fetches and parses the new links of an index into `parsed`; returns the links of this
    /// index that are now stored (fetched before or now), to be remembered.
    pub(super) async fn follow_links(
        &self,
        source: &SourceConfig,
        settings: &ParseSettings,
        state: &SourceState,
        links: Vec<Url>,
        now: DateTime<Utc>,
        parsed: &mut ParsedFetch,
    ) -> Vec<String> {
        let Ok(index) = source.resolved_url(&self.config.env) else {
            return Vec::new();
        };
        let mut kept = Vec::new();
        let mut docs = Vec::new();
        let mut fetched_now = Vec::new();
        let mut deferred = 0;
        for link in links {
            let text = link.to_string();
            if kept.contains(&text) || fetched_now.contains(&text) {
                continue;
            }
            if state.followed.contains(&text) {
                kept.push(text);
                continue;
            }
            if link.scheme() == "file" || link.origin() != index.origin() {
                parsed.warnings.push(format!(
                    "not followed: {} is not on the index's own site",
                    crate::fetch::display_name(&link)
                ));
                continue;
            }
            if fetched_now.len() >= MAX_FOLLOWED {
                deferred += 1;
                continue;
            }
            let request = Request {
                url: link.clone(),
                headers: Vec::new(),
                etag: None,
                last_modified: None,
                directory_ok: false,
                url_is_private: false,
                body: None,
            };
            match self.fetcher.fetch(&request).await {
                Ok(Fetched::Documents(fresh)) => {
                    fetched_now.push(text.clone());
                    docs.extend(fresh.docs.into_iter().map(|d| (text.clone(), d)));
                }
                Ok(Fetched::NotModified { .. }) => kept.push(text),
                Err(e) => parsed
                    .warnings
                    .push(format!("{}: {e}", crate::fetch::display_name(&link))),
            }
        }
        if deferred > 0 {
            parsed.warnings.push(format!(
                "{deferred} more linked documents than {MAX_FOLLOWED} a poll: they follow on the next"
            ));
        }
        if !docs.is_empty() {
            let settings = settings.clone();
            // One parse per document, so a bad one is known by its link.
            let linked = tokio::task::spawn_blocking(move || {
                docs.into_iter()
                    .map(|(link, doc)| {
                        (
                            link,
                            parse_documents(&settings, std::slice::from_ref(&doc), Vec::new(), now),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(linked) = linked else {
                parsed
                    .warnings
                    .push("the parser crashed on a linked document".into());
                return kept;
            };
            for (link, one) in linked {
                parsed.items.extend(one.items);
                parsed.warnings.extend(one.warnings);
                // A linked document that cannot be read is that alert's problem, not the
                // index's: it is reported, and fetched again next time.
                if one.failures.is_empty() {
                    kept.push(link);
                } else {
                    let name = Url::parse(&link).map_or(link, |u| crate::fetch::display_name(&u));
                    let failures = one.failures.into_iter().map(|f| format!("{name}: {f}"));
                    parsed.warnings.extend(failures);
                }
            }
        }
        kept
    }
}
