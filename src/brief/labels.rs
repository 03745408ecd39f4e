//! The words of a briefing in Swedish and English: headings, field names and the names of
//! levels, severities, statuses and sections. One table, so both languages always have the same
//! keys; an office may override any heading in its config (`[brief.headings.sv]`), and the
//! templates read them by key (`labels.key_messages`).

use std::collections::BTreeMap;

/// The language of a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BriefLang {
    /// Svenska (the default).
    #[default]
    Sv,
    /// English.
    En,
}

impl BriefLang {
    /// The BCP 47 code (`sv`, `en`), for `lang` attributes and hyphenation.
    pub fn code(self) -> &'static str {
        match self {
            BriefLang::Sv => "sv",
            BriefLang::En => "en",
        }
    }
}

/// Key, Swedish, English.
const TABLE: &[(&str, &str, &str)] = &[
    // The document and its header.
    ("title_week", "Veckolägesbild", "Weekly situational picture"),
    ("title_incident", "Samlad lägesbild", "Situation report"),
    ("week", "vecka", "week"),
    ("period", "Period", "Period"),
    ("edition", "Nummer", "Number"),
    ("version", "version", "version"),
    ("prepared", "Upprättad av", "Prepared by"),
    ("approved", "Godkänd av", "Approved by"),
    (
        "not_approved",
        "Ej godkänd (utkast)",
        "Not approved (draft)",
    ),
    ("draft", "UTKAST", "DRAFT"),
    ("marking", "Informationsklassning", "Marking"),
    ("distribution", "Sändlista", "Distribution"),
    ("previous", "Föregående", "Previous"),
    ("none", "–", "–"),
    ("page", "Sida", "Page"),
    ("of", "av", "of"),
    // Sections.
    ("key_messages", "Sammanfattning", "Key messages"),
    (
        "no_key_messages",
        "Ingen sammanfattning skriven.",
        "No key messages written.",
    ),
    ("areas", "Läget per fokusområde", "Situation by focus area"),
    (
        "values",
        "Läget per skyddsvärde",
        "Situation by protected value",
    ),
    ("level", "Läge", "Status"),
    ("suggested", "Förslag", "Suggested"),
    (
        "items_in_period",
        "Händelser i perioden",
        "Items in the period",
    ),
    (
        "events_in_brief",
        "Händelser i lägesbilden",
        "Events in this picture",
    ),
    ("events", "Händelser", "Events"),
    ("no_events", "Inga händelser valda.", "No events selected."),
    ("what", "Vad har hänt", "What happened"),
    ("when", "Tid", "Time"),
    ("where", "Plats", "Place"),
    ("severity", "Allvarlighet", "Severity"),
    ("status", "Hantering", "Handling"),
    ("consequences", "Konsekvenser", "Consequences"),
    ("actions", "Åtgärder", "Actions taken"),
    ("resources", "Resurser", "Resources"),
    ("assessment", "Bedömning", "Assessment"),
    ("confidence", "Säkerhet", "Confidence"),
    ("assessed_by", "Bedömd av", "Assessed by"),
    ("sources_of_event", "Källor", "Sources"),
    ("link", "Länk", "Link"),
    ("exercise", "ÖVNING", "EXERCISE"),
    ("local", "Lokal", "Local"),
    (
        "changes",
        "Förändringar sedan föregående lägesbild",
        "Changes since the previous edition",
    ),
    (
        "no_previous",
        "Ingen föregående lägesbild att jämföra med.",
        "No previous edition to compare with.",
    ),
    ("no_changes", "Inga förändringar.", "No changes."),
    ("new", "Nya", "New"),
    ("escalated", "Upptrappade", "Escalated"),
    ("deescalated", "Nedtrappade", "De-escalated"),
    ("closed", "Avslutade", "Closed"),
    ("level_changes", "Ändrat läge", "Status changed"),
    ("appendix", "Bilaga", "Appendix"),
    (
        "source_list",
        "Källor och deras hälsa under perioden",
        "Sources and their health over the period",
    ),
    ("source", "Källa", "Source"),
    ("kind", "Typ", "Kind"),
    ("items", "Poster", "Items"),
    ("polls", "Anrop", "Polls"),
    ("failed_polls", "Misslyckade", "Failed"),
    ("error_days", "Dagar med fel", "Days with errors"),
    ("last_success", "Senast lyckad", "Last success"),
    ("last_error", "Senaste fel", "Last error"),
    ("health", "Hälsa", "Health"),
    ("health_ok", "OK", "OK"),
    ("health_failing", "Fel", "Failing"),
    ("health_silent", "Tyst", "Silent"),
    (
        "counts",
        "Antal per område och dag",
        "Items per area and day",
    ),
    ("area", "Område", "Area"),
    ("total", "Totalt", "Total"),
    ("all_items", "Alla poster", "All items"),
    ("generated_by", "Skapad med lage", "Made with lage"),
    // Levels.
    ("level_normal", "Normal", "Normal"),
    ("level_elevated", "Förhöjd", "Elevated"),
    ("level_serious", "Allvarlig", "Serious"),
    // Severities.
    ("severity_none", "Okänd", "Unknown"),
    ("severity_info", "Information", "Information"),
    ("severity_low", "Låg", "Low"),
    ("severity_medium", "Medel", "Medium"),
    ("severity_high", "Hög", "High"),
    ("severity_critical", "Kritisk", "Critical"),
    // Handling statuses.
    ("status_new", "Ny", "New"),
    ("status_watching", "Bevakas", "Watching"),
    ("status_handled", "Hanterad", "Handled"),
    ("status_dismissed", "Avfärdad", "Dismissed"),
    // Alert states and reasons an event closed.
    ("closed_handled", "hanterad", "handled"),
    ("closed_dismissed", "avfärdad", "dismissed"),
    ("closed_cancelled", "larmet återkallat", "alert cancelled"),
    ("closed_expired", "larmet har löpt ut", "alert expired"),
    ("closed_dropped", "inte längre med", "no longer included"),
    // Confidence and relevance.
    ("confidence_low", "Låg", "Low"),
    ("confidence_medium", "Medel", "Medium"),
    ("confidence_high", "Hög", "High"),
    // The nine sections.
    ("section_olyckor", "Olyckor", "Accidents"),
    ("section_brott", "Brott", "Crime"),
    (
        "section_hot-och-vald",
        "Otillåten påverkan, hot och våld",
        "Undue influence, threats and violence",
    ),
    (
        "section_kris",
        "Motståndskraft och krishantering",
        "Resilience and crisis management",
    ),
    (
        "section_sakerhetsskydd",
        "Säkerhetsskydd",
        "Protective security",
    ),
    (
        "section_trygghet",
        "Människors trygghet och säkerhet",
        "Individuals' safety and security",
    ),
    (
        "section_funktionalitet",
        "Stadens funktionalitet",
        "The city's functions",
    ),
    (
        "section_miljo-egendom",
        "Miljö och egendom",
        "Environment and property",
    ),
    (
        "section_grundlaggande",
        "Grundläggande värden",
        "Fundamental values",
    ),
    // Weekdays for the counts table, Monday first.
    ("day_1", "mån", "Mon"),
    ("day_2", "tis", "Tue"),
    ("day_3", "ons", "Wed"),
    ("day_4", "tor", "Thu"),
    ("day_5", "fre", "Fri"),
    ("day_6", "lör", "Sat"),
    ("day_7", "sön", "Sun"),
];

/// Whether `key` is a label key (for checking config overrides).
pub fn is_key(key: &str) -> bool {
    TABLE.iter().any(|(k, _, _)| *k == key)
}

/// Every label key, for error messages.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(k, _, _)| *k)
}

/// The labels of one language, with an office's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    map: BTreeMap<String, String>,
}

impl Labels {
    /// The built-in labels of `lang`, with `overrides` (already checked keys) on top.
    pub fn new(lang: BriefLang, overrides: &BTreeMap<String, String>) -> Labels {
        let mut map: BTreeMap<String, String> = TABLE
            .iter()
            .map(|(k, sv, en)| {
                let text = match lang {
                    BriefLang::Sv => sv,
                    BriefLang::En => en,
                };
                (k.to_string(), text.to_string())
            })
            .collect();
        for (k, v) in overrides {
            if let Some(slot) = map.get_mut(k) {
                slot.clone_from(v);
            }
        }
        Labels { map }
    }

    /// The label for `key`; the key itself when there is none (a template's typo shows up in
    /// the output rather than as an empty heading).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// Every label, for the templates.
    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_written() {
        let mut seen = std::collections::HashSet::new();
        for (k, sv, en) in TABLE {
            assert!(seen.insert(*k), "key {k} twice");
            assert!(!sv.is_empty() && !en.is_empty(), "{k}");
        }
    }

    #[test]
    fn an_override_replaces_one_heading() {
        let overrides = BTreeMap::from([("key_messages".to_string(), "Budskap".to_string())]);
        let labels = Labels::new(BriefLang::Sv, &overrides);
        assert_eq!(labels.get("key_messages"), "Budskap");
        assert_eq!(labels.get("events"), "Händelser");
        assert_eq!(
            Labels::new(BriefLang::En, &BTreeMap::new()).get("events"),
            "Events"
        );
    }
}
