//! CAP's urgency × severity × certainty mapped onto the common severity scale, by a table.
//!
//! The table is an ordered list of rules; the first rule whose three lists all accept the
//! message decides (an empty list accepts anything). The bundled default is below and in
//! `docs/authorities.md`; `[[cap_severity]]` tables in the main config replace it whole.

use crate::item::{CapGrading, Severity};

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct GradingRule {
    /// CAP `severity` values accepted (lowercase); empty accepts any.
    pub severity: Vec<String>,
    /// CAP `urgency` values accepted (lowercase); empty accepts any.
    pub urgency: Vec<String>,
    /// CAP `certainty` values accepted (lowercase); empty accepts any.
    pub certainty: Vec<String>,
    /// The level on the common scale.
    pub level: Severity,
}

/// The ordered rules.
#[derive(Debug, Clone, PartialEq)]
pub struct GradingTable {
    /// First match wins.
    pub rules: Vec<GradingRule>,
}

/// The CAP values each list may hold, for config checks.
pub const CAP_SEVERITY: &[&str] = &["extreme", "severe", "moderate", "minor", "unknown"];
/// See [`CAP_SEVERITY`].
pub const CAP_URGENCY: &[&str] = &["immediate", "expected", "future", "past", "unknown"];
/// See [`CAP_SEVERITY`].
pub const CAP_CERTAINTY: &[&str] = &["observed", "likely", "possible", "unlikely", "unknown"];

impl Default for GradingTable {
    /// Extreme and imminent and sure is critical; each step down in severity, urgency or
    /// certainty costs about one level; Unknown everywhere is info.
    fn default() -> GradingTable {
        let rule = |severity: &[&str], urgency: &[&str], certainty: &[&str], level| GradingRule {
            severity: severity.iter().map(|s| s.to_string()).collect(),
            urgency: urgency.iter().map(|s| s.to_string()).collect(),
            certainty: certainty.iter().map(|s| s.to_string()).collect(),
            level,
        };
        let now = ["immediate", "expected"];
        let sure = ["observed", "likely"];
        GradingTable {
            rules: vec![
                rule(&["extreme"], &now, &sure, Severity::Critical),
                rule(&["extreme"], &[], &[], Severity::High),
                rule(&["severe"], &now, &sure, Severity::High),
                rule(&["severe"], &[], &[], Severity::Medium),
                rule(&["moderate"], &now, &sure, Severity::Medium),
                rule(&["moderate"], &[], &[], Severity::Low),
                rule(&["minor"], &[], &[], Severity::Low),
                rule(&[], &[], &[], Severity::Info),
            ],
        }
    }
}

impl GradingTable {
    /// The level of a graded message, or `None` when no rule accepts it.
    pub fn level(&self, grading: &CapGrading) -> Option<Severity> {
        let severity = grading.severity.trim().to_ascii_lowercase();
        let urgency = grading.urgency.trim().to_ascii_lowercase();
        let certainty = grading.certainty.trim().to_ascii_lowercase();
        let accepts =
            |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
        self.rules
            .iter()
            .find(|r| {
                accepts(&r.severity, &severity)
                    && accepts(&r.urgency, &urgency)
                    && accepts(&r.certainty, &certainty)
            })
            .map(|r| r.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(severity: &str, urgency: &str, certainty: &str) -> Option<Severity> {
        GradingTable::default().level(&CapGrading {
            urgency: urgency.into(),
            severity: severity.into(),
            certainty: certainty.into(),
        })
    }

    #[test]
    fn the_default_table_steps_down_with_each_grade() {
        assert_eq!(
            grade("Extreme", "Immediate", "Observed"),
            Some(Severity::Critical)
        );
        assert_eq!(grade("Extreme", "Future", "Possible"), Some(Severity::High));
        assert_eq!(grade("Severe", "Expected", "Likely"), Some(Severity::High));
        assert_eq!(grade("Severe", "Future", "Likely"), Some(Severity::Medium));
        assert_eq!(
            grade("Moderate", "Immediate", "Observed"),
            Some(Severity::Medium)
        );
        assert_eq!(grade("Moderate", "Past", "Observed"), Some(Severity::Low));
        assert_eq!(grade("Minor", "Immediate", "Observed"), Some(Severity::Low));
        assert_eq!(grade("Unknown", "Unknown", "Unknown"), Some(Severity::Info));
        assert_eq!(
            grade(" SEVERE ", "immediate", "OBSERVED"),
            Some(Severity::High)
        );
    }
}
