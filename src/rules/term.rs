//! One term as an analyst writes it (`brand`, `*brand*`, `hot mot anställd*`, `re:...`), parsed
//! into what the matcher needs: a folded stem and where it must meet word boundaries, or a
//! regular expression.

use super::fold::fold;

/// Where a folded stem must meet word boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// Whole words: `brand`, `hot och våld`.
    Exact,
    /// Starts a word: `brand*`.
    Prefix,
    /// Ends a word: `*brand`.
    Suffix,
    /// Anywhere inside a word: `*brand*`.
    Infix,
}

impl Shape {
    /// Whether a match with these boundary facts has this shape.
    pub fn accepts(self, starts_word: bool, ends_word: bool) -> bool {
        match self {
            Shape::Exact => starts_word && ends_word,
            Shape::Prefix => starts_word,
            Shape::Suffix => ends_word,
            Shape::Infix => true,
        }
    }
}

/// A parsed term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// Folded words with boundary rules.
    Words {
        /// The folded stem (words separated by single spaces).
        stem: String,
        /// The boundary rule.
        shape: Shape,
    },
    /// A regular expression over the stored text (already prefixed with `(?i)`).
    Regex(String),
}

/// Longest term accepted, in bytes.
pub const MAX_TERM_BYTES: usize = 200;
/// Longest regular expression accepted, in bytes.
pub const MAX_REGEX_BYTES: usize = 1_000;
/// Fewest letters or digits in a stem with a wildcard (`*a*` would match nearly everything).
const MIN_WILDCARD_STEM: usize = 3;

/// Parses a term; the error says what is wrong (the caller adds file, line and rule).
pub fn parse(written: &str) -> Result<Term, String> {
    if let Some(pattern) = written.strip_prefix("re:") {
        if pattern.is_empty() {
            return Err("empty regular expression after 're:'".into());
        }
        if pattern.len() > MAX_REGEX_BYTES {
            return Err(format!(
                "regular expression is {} bytes, at most {MAX_REGEX_BYTES} are allowed",
                pattern.len()
            ));
        }
        return Ok(Term::Regex(format!("(?i){pattern}")));
    }
    if written.len() > MAX_TERM_BYTES {
        return Err(format!(
            "term is {} bytes, at most {MAX_TERM_BYTES} are allowed",
            written.len()
        ));
    }
    let mut inner = written.trim();
    let leading = inner.starts_with('*');
    if leading {
        inner = &inner[1..];
    }
    let trailing = inner.ends_with('*');
    if trailing {
        inner = &inner[..inner.len() - 1];
    }
    if inner.contains('*') {
        return Err("'*' may only start or end a term (use re: for anything else)".into());
    }
    if (leading && inner.starts_with(char::is_whitespace))
        || (trailing && inner.ends_with(char::is_whitespace))
    {
        return Err("'*' must touch a word".into());
    }
    let stem = fold(inner);
    if stem.is_empty() {
        return Err("no letters or digits in the term".into());
    }
    let shape = match (leading, trailing) {
        (false, false) => Shape::Exact,
        (false, true) => Shape::Prefix,
        (true, false) => Shape::Suffix,
        (true, true) => Shape::Infix,
    };
    let significant = stem.chars().filter(|c| *c != ' ').count();
    if shape != Shape::Exact && significant < MIN_WILDCARD_STEM {
        return Err(format!(
            "a stem with '*' needs at least {MIN_WILDCARD_STEM} letters or digits"
        ));
    }
    Ok(Term::Words { stem, shape })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(stem: &str, shape: Shape) -> Term {
        Term::Words {
            stem: stem.into(),
            shape,
        }
    }

    #[test]
    fn wildcards_set_the_shape() {
        assert_eq!(parse("Brand"), Ok(words("brand", Shape::Exact)));
        assert_eq!(parse("brand*"), Ok(words("brand", Shape::Prefix)));
        assert_eq!(parse("*brand"), Ok(words("brand", Shape::Suffix)));
        assert_eq!(parse("*BRAND*"), Ok(words("brand", Shape::Infix)));
        assert_eq!(
            parse("Hot mot anställd*"),
            Ok(words("hot mot anställd", Shape::Prefix))
        );
        assert_eq!(
            parse("Hägersten-Liljeholmen"),
            Ok(words("hägersten liljeholmen", Shape::Exact))
        );
    }

    #[test]
    fn bad_terms_say_what_is_wrong() {
        assert!(parse("br*nd").unwrap_err().contains("'*' may only"));
        assert!(parse("*a*").unwrap_err().contains("at least 3"));
        assert!(parse("--").unwrap_err().contains("no letters"));
        assert!(parse("*").unwrap_err().contains("no letters"));
        assert!(parse("re:").unwrap_err().contains("empty"));
        assert!(
            parse(&format!("re:{}", "a|".repeat(600)))
                .unwrap_err()
                .contains("at most 1000")
        );
        assert!(parse("hot *").unwrap_err().contains("touch a word"));
    }

    #[test]
    fn regexes_ignore_case_by_default() {
        assert_eq!(
            parse(r"re:\bCVE-\d+"),
            Ok(Term::Regex(r"(?i)\bCVE-\d+".into()))
        );
    }

    #[test]
    fn shapes_check_boundaries() {
        assert!(Shape::Exact.accepts(true, true));
        assert!(!Shape::Exact.accepts(true, false));
        assert!(Shape::Prefix.accepts(true, false));
        assert!(!Shape::Prefix.accepts(false, true));
        assert!(Shape::Suffix.accepts(false, true));
        assert!(Shape::Infix.accepts(false, false));
    }
}
