//! The level a section's numbers suggest, so the analyst starts from something explainable and
//! sees when their own judgement differs from it.
//!
//! The rule, over the period's items in the section (exercises and cancelled alerts left out):
//! *allvarlig* when any item is critical or at least three are high; *förhöjd* when any is high
//! or at least five are medium; *normal* otherwise. Counts alone never raise the level: a busy
//! week of minor items is still a normal week.

use super::edition::Level;
use crate::item::Severity;

/// How many items of each severity a section had in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Every item, any severity or none.
    pub total: usize,
}

impl SeverityCounts {
    /// Counts one item.
    pub fn add(&mut self, severity: Option<Severity>) {
        self.total += 1;
        match severity {
            Some(Severity::Critical) => self.critical += 1,
            Some(Severity::High) => self.high += 1,
            Some(Severity::Medium) => self.medium += 1,
            _ => {}
        }
    }

    /// The highest severity counted, among critical, high and medium.
    pub fn max(&self) -> Option<Severity> {
        if self.critical > 0 {
            Some(Severity::Critical)
        } else if self.high > 0 {
            Some(Severity::High)
        } else if self.medium > 0 {
            Some(Severity::Medium)
        } else {
            None
        }
    }
}

/// The suggested level for these counts.
pub fn suggest(counts: &SeverityCounts) -> Level {
    if counts.critical > 0 || counts.high >= 3 {
        Level::Serious
    } else if counts.high > 0 || counts.medium >= 5 {
        Level::Elevated
    } else {
        Level::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(list: &[Option<Severity>]) -> SeverityCounts {
        let mut c = SeverityCounts::default();
        for s in list {
            c.add(*s);
        }
        c
    }

    #[test]
    fn one_critical_item_makes_a_section_serious() {
        assert_eq!(
            suggest(&counts(&[Some(Severity::Critical)])),
            Level::Serious
        );
        assert_eq!(suggest(&counts(&[Some(Severity::High); 3])), Level::Serious);
    }

    #[test]
    fn high_or_many_medium_items_raise_it_to_elevated() {
        assert_eq!(
            suggest(&counts(&[Some(Severity::High); 2])),
            Level::Elevated
        );
        assert_eq!(
            suggest(&counts(&[Some(Severity::Medium); 5])),
            Level::Elevated
        );
        assert_eq!(
            suggest(&counts(&[Some(Severity::Medium); 4])),
            Level::Normal
        );
    }

    #[test]
    fn many_minor_items_stay_normal() {
        let c = counts(&[Some(Severity::Low); 200]);
        assert_eq!(suggest(&c), Level::Normal);
        assert_eq!(c.total, 200);
        assert_eq!(c.max(), None);
    }
}
