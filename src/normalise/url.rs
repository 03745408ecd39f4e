//! Turns the links that feeds give for items into one canonical, safe URL string.
//!
//! This module owns what a stored item link may be: an absolute `http` or `https` URL with no
//! fragment, no tracking parameters and no embedded credentials, at most [`MAX_LEN`] bytes long.
//! Anything else (`javascript:`, `data:`, `mailto:`, unparseable or relative text without a base)
//! becomes `None`, because links from a hostile feed end up in front of a duty officer who may
//! open them. Canonical links also make deduplication work: the same article shared with
//! different `utm_*` tags is one item.
//!
//! Parsing, IDNA, host lowercasing, default-port removal and percent-encoding are left to the
//! `url` crate (WHATWG URL rules, as browsers apply them); this module only decides what to keep.

use ::url::Url;

/// The longest canonical URL accepted, in bytes; longer links are refused rather than cut.
pub const MAX_LEN: usize = 2048;

/// Query parameters that only track the reader and never select content.
const TRACKING_PARAMS: [&str; 5] = ["fbclid", "gclid", "mc_cid", "mc_eid", "igshid"];

/// Returns the canonical form of `raw` (resolved against `base` when relative), or `None` when it
/// is not an acceptable `http`/`https` link.
pub fn canonical_url(raw: &str, base: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    // Refuse early so hostile megabyte "links" are never parsed; escaping only makes them longer.
    if raw.is_empty() || raw.len() > MAX_LEN {
        return None;
    }
    let mut url = match base {
        Some(base) => base.join(raw).ok()?,
        None => Url::parse(raw).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    // "https://polisen.se@evil.example/" shows a trusted name before the real host; no feed
    // link legitimately needs credentials, so they go.
    if url.set_username("").is_err() || url.set_password(None).is_err() {
        return None;
    }
    url.set_fragment(None);
    strip_tracking(&mut url);
    let out = String::from(url);
    (out.len() <= MAX_LEN).then_some(out)
}

/// Removes tracking parameters and empty `&&` pairs, keeping the others in their original order
/// and encoding, and drops the query when nothing is left.
fn strip_tracking(url: &mut Url) {
    let Some(query) = url.query() else {
        return;
    };
    let keep = |pair: &&str| !pair.is_empty() && !is_tracking(pair);
    if query.split('&').all(|pair| keep(&pair)) {
        return;
    }
    let kept = query.split('&').filter(keep).collect::<Vec<_>>().join("&");
    url.set_query((!kept.is_empty()).then_some(kept.as_str()));
}

/// Whether a raw `name=value` pair is a tracking parameter; the name is compared decoded, so
/// `utm%5Fsource` cannot slip through.
fn is_tracking(pair: &str) -> bool {
    let raw_name = pair.split_once('=').map_or(pair, |(name, _)| name);
    let Some((name, _)) = ::url::form_urlencoded::parse(raw_name.as_bytes()).next() else {
        return false;
    };
    let is_utm = name
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("utm_"));
    is_utm || TRACKING_PARAMS.iter().any(|p| name.eq_ignore_ascii_case(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(raw: &str) -> Option<String> {
        canonical_url(raw, None)
    }

    #[test]
    fn plain_https_url_is_kept() {
        assert_eq!(
            canon("https://polisen.se/aktuellt/handelser/2024/brand/").as_deref(),
            Some("https://polisen.se/aktuellt/handelser/2024/brand/")
        );
    }

    #[test]
    fn whitespace_is_trimmed() {
        assert_eq!(
            canon("  \n https://krisinformation.se/a\t ").as_deref(),
            Some("https://krisinformation.se/a")
        );
    }

    #[test]
    fn dangerous_and_non_web_schemes_are_refused() {
        for raw in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "mailto:info@polisen.se",
            "ftp://example.com/a",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "tel:112",
        ] {
            assert_eq!(canon(raw), None, "{raw}");
        }
    }

    #[test]
    fn garbage_and_empty_are_refused() {
        for raw in [
            "",
            "   ",
            "not a url",
            "http://",
            "https:// space.se",
            "http://[::1",
        ] {
            assert_eq!(canon(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn relative_needs_a_base() {
        assert_eq!(canon("/aktuellt/1"), None);
        assert_eq!(canon("aktuellt/1"), None);
        let base = Url::parse("https://www.stockholm.se/nyheter/index.xml").ok();
        let resolve = |raw: &str| canonical_url(raw, base.as_ref());
        assert_eq!(
            resolve("/aktuellt/1?utm_source=rss").as_deref(),
            Some("https://www.stockholm.se/aktuellt/1")
        );
        assert_eq!(
            resolve("artikel-2#top").as_deref(),
            Some("https://www.stockholm.se/nyheter/artikel-2")
        );
        assert_eq!(
            resolve("//cdn.example.se/x").as_deref(),
            Some("https://cdn.example.se/x")
        );
        assert_eq!(resolve("javascript:alert(1)"), None);
    }

    #[test]
    fn base_that_cannot_be_a_base_refuses_relative_links() {
        let base = Url::parse("mailto:a@b.se").ok();
        assert_eq!(canonical_url("x", base.as_ref()), None);
    }

    #[test]
    fn fragment_is_removed() {
        assert_eq!(
            canon("https://sl.se/trafik#nu").as_deref(),
            Some("https://sl.se/trafik")
        );
    }

    #[test]
    fn tracking_params_are_removed_and_others_keep_order_and_encoding() {
        let raw = "https://x.se/a?b=2&utm_source=rss&UTM_Medium=x&a=%C3%B6+1&fbclid=abc&gclid=1\
                   &mc_cid=2&mc_eid=3&igshid=4&utm=keep&q=a%26b";
        assert_eq!(
            canon(raw).as_deref(),
            Some("https://x.se/a?b=2&a=%C3%B6+1&utm=keep&q=a%26b")
        );
    }

    #[test]
    fn encoded_tracking_name_is_still_recognised() {
        assert_eq!(
            canon("https://x.se/a?utm%5Fsource=rss&id=1").as_deref(),
            Some("https://x.se/a?id=1")
        );
    }

    #[test]
    fn query_that_becomes_empty_is_removed() {
        assert_eq!(
            canon("https://x.se/a?utm_source=rss&utm_campaign=y#f").as_deref(),
            Some("https://x.se/a")
        );
        assert_eq!(canon("https://x.se/a?").as_deref(), Some("https://x.se/a"));
        assert_eq!(
            canon("https://x.se/a?&&").as_deref(),
            Some("https://x.se/a")
        );
    }

    #[test]
    fn untouched_query_is_left_exactly_as_is() {
        assert_eq!(
            canon("https://x.se/s?q=a+b&x=1;y=2&empty=").as_deref(),
            Some("https://x.se/s?q=a+b&x=1;y=2&empty=")
        );
    }

    #[test]
    fn host_is_lowercased_and_default_port_dropped() {
        assert_eq!(
            canon("HTTPS://WWW.Polisen.SE:443/Aktuellt").as_deref(),
            Some("https://www.polisen.se/Aktuellt")
        );
        assert_eq!(canon("http://x.se:80/").as_deref(), Some("http://x.se/"));
        assert_eq!(
            canon("http://x.se:8080/").as_deref(),
            Some("http://x.se:8080/")
        );
    }

    #[test]
    fn internationalised_host_becomes_punycode() {
        assert_eq!(
            canon("https://räddningstjänst.se/").as_deref(),
            Some("https://xn--rddningstjnst-bfbj.se/")
        );
    }

    #[test]
    fn credentials_are_removed() {
        assert_eq!(
            canon("https://polisen.se@evil.example/login").as_deref(),
            Some("https://evil.example/login")
        );
        assert_eq!(
            canon("https://user:pw@x.se/").as_deref(),
            Some("https://x.se/")
        );
    }

    #[test]
    fn length_limit() {
        let path = "a".repeat(MAX_LEN - "https://x.se/".len());
        let exact = format!("https://x.se/{path}");
        assert_eq!(canon(&exact).as_deref(), Some(exact.as_str()));
        assert_eq!(canon(&format!("{exact}b")), None);
        // Percent-encoding can push a short raw link over the limit.
        let spaces = " ".repeat(MAX_LEN - 100);
        assert_eq!(canon(&format!("https://x.se/a{spaces}b")), None);
        assert_eq!(canon(&"h".repeat(1_000_000)), None);
    }
}
