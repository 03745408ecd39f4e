//! The words for the domain's values in both languages: statuses, focus areas, severities,
//! levels, alert states, poll outcomes, roles and what they allow, and the header's clock.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Europe::Stockholm;

use super::{T, pick};
use crate::access::{Permission, Role};
use crate::curation::{Confidence, Relevance, Status};
use crate::index::Focus;
use crate::item::{Lifecycle, Severity};
use crate::tui::Lang;

/// The word for a handling status.
pub fn status(lang: Lang, s: Status) -> &'static str {
    let (sv, en) = match s {
        Status::New => ("ny", "new"),
        Status::Watching => ("bevakas", "watching"),
        Status::Handled => ("hanterad", "handled"),
        Status::Dismissed => ("avfärdad", "dismissed"),
    };
    pick(lang, sv, en)
}

/// A role's name.
pub fn role(lang: Lang, r: Role) -> &'static str {
    let (sv, en) = match r {
        Role::Viewer => ("läsare", "viewer"),
        Role::Duty => ("tjänsteman i beredskap", "duty officer"),
        Role::Analyst => ("analytiker", "analyst"),
        Role::Admin => ("administratör", "admin"),
    };
    pick(lang, sv, en)
}

/// What a permission allows, as the verb phrase of a refusal ("may not …").
pub fn permission(lang: Lang, p: Permission) -> &'static str {
    let (sv, en) = match p {
        Permission::Read => ("läsa", "read"),
        Permission::Acknowledge => ("kvittera", "acknowledge items"),
        Permission::SetStatus => ("sätta status", "set an item's status"),
        Permission::WriteLog => ("skriva i loggboken", "write the shift log"),
        Permission::PollNow => ("hämta källorna nu", "poll the sources now"),
        Permission::Annotate => ("annotera", "annotate items"),
        Permission::OverrideTags => ("ändra taggar", "change tags"),
        Permission::ComposeBriefing => (
            "arbeta med lägesbilden (välja ut, sammanställa, godkänna, exportera)",
            "work on the briefing (pick, compose, approve, export)",
        ),
        Permission::EditRules => ("ändra reglerna", "change the rules"),
        Permission::ManageSources => ("hantera källor", "manage sources"),
        Permission::ManageUsers => ("hantera användare", "manage users"),
    };
    pick(lang, sv, en)
}

/// A one-cell status mark for narrow lists (blank for "new", which is the default).
pub fn status_letter(lang: Lang, s: Status) -> &'static str {
    let (sv, en) = match s {
        Status::New => (" ", " "),
        Status::Watching => ("B", "W"),
        Status::Handled => ("H", "H"),
        Status::Dismissed => ("A", "D"),
    };
    pick(lang, sv, en)
}

/// A focus area's full name.
pub fn focus(lang: Lang, f: Focus) -> &'static str {
    let (sv, en) = match f {
        Focus::Accidents => ("Olyckor", "Accidents"),
        Focus::Crime => ("Brott", "Crime"),
        Focus::Influence => (
            "Otillåten påverkan, hot och våld",
            "Undue influence, threats and violence",
        ),
        Focus::Resilience => (
            "Motståndskraft och krishantering",
            "Resilience and crisis management",
        ),
        Focus::Protective => ("Säkerhetsskydd", "Protective security"),
    };
    pick(lang, sv, en)
}

/// A focus area's short name (at most 10 cells), for the overview's columns.
pub fn focus_short(lang: Lang, f: Focus) -> &'static str {
    let (sv, en) = match f {
        Focus::Accidents => ("Olyckor", "Accidents"),
        Focus::Crime => ("Brott", "Crime"),
        Focus::Influence => ("Hot/våld", "Threats"),
        Focus::Resilience => ("Kris", "Crisis"),
        Focus::Protective => ("Säk.skydd", "Protective"),
    };
    pick(lang, sv, en)
}

/// A focus area's tiny name (at most 6 cells), for the list's column.
pub fn focus_tiny(lang: Lang, f: Focus) -> &'static str {
    let (sv, en) = match f {
        Focus::Accidents => ("Olyck", "Accid"),
        Focus::Crime => ("Brott", "Crime"),
        Focus::Influence => ("Hot", "Threat"),
        Focus::Resilience => ("Kris", "Crisis"),
        Focus::Protective => ("Säk", "Prot"),
    };
    pick(lang, sv, en)
}

/// A severity as a short word (at most 4 cells) for the list.
pub fn severity_short(lang: Lang, s: Option<Severity>) -> &'static str {
    let (sv, en) = match s {
        Some(Severity::Critical) => ("KRIT", "CRIT"),
        Some(Severity::High) => ("HÖG", "HIGH"),
        Some(Severity::Medium) => ("MED", "MED"),
        Some(Severity::Low) => ("LÅG", "LOW"),
        Some(Severity::Info) => ("info", "info"),
        None => ("–", "–"),
    };
    pick(lang, sv, en)
}

/// A severity as a word.
pub fn severity(lang: Lang, s: Severity) -> &'static str {
    let (sv, en) = match s {
        Severity::Critical => ("kritisk", "critical"),
        Severity::High => ("hög", "high"),
        Severity::Medium => ("medel", "medium"),
        Severity::Low => ("låg", "low"),
        Severity::Info => ("info", "info"),
    };
    pick(lang, sv, en)
}

/// A briefing level (the analyst's judgement of a focus area).
pub fn brief_level(lang: Lang, l: crate::brief::edition::Level) -> &'static str {
    use crate::brief::edition::Level;
    let (sv, en) = match l {
        Level::Normal => ("normal", "normal"),
        Level::Elevated => ("förhöjd", "elevated"),
        Level::Serious => ("allvarlig", "serious"),
    };
    pick(lang, sv, en)
}

/// A confidence level.
pub fn confidence(lang: Lang, c: Option<Confidence>) -> &'static str {
    level(lang, c.map(|c| c as u8))
}

/// A relevance level.
pub fn relevance(lang: Lang, r: Option<Relevance>) -> &'static str {
    level(lang, r.map(|r| r as u8))
}

fn level(lang: Lang, n: Option<u8>) -> &'static str {
    let (sv, en) = match n {
        None => ("–", "–"),
        Some(0) => ("låg", "low"),
        Some(1) => ("medel", "medium"),
        Some(_) => ("hög", "high"),
    };
    pick(lang, sv, en)
}

/// An alert's lifecycle.
pub fn lifecycle(lang: Lang, l: Lifecycle) -> &'static str {
    match l {
        Lifecycle::Active => pick(lang, "aktiv", "active"),
        Lifecycle::Cancelled => T::Cancelled.get(lang),
        Lifecycle::Expired => T::Expired.get(lang),
    }
}

/// A poll outcome's word on the sources screen.
pub fn poll_status(lang: Lang, s: Option<crate::health::PollStatus>) -> &'static str {
    use crate::health::PollStatus::*;
    let (sv, en) = match s {
        None => ("–", "–"),
        Some(Ok) => ("ok", "ok"),
        Some(NotModified) => ("oförändrad", "unchanged"),
        Some(Error) => ("FEL", "ERROR"),
        Some(Deferred) => ("väntar", "deferred"),
    };
    pick(lang, sv, en)
}

/// The header's clock: weekday, day/month and time in Stockholm.
pub fn clock(lang: Lang, now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&Stockholm);
    let days = match lang {
        Lang::Sv => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    };
    let day = days[local.weekday().num_days_from_monday() as usize];
    format!("{day} {}", local.format("%d/%m %H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn both_languages_have_their_own_words() {
        assert_eq!(status(Lang::Sv, Status::Dismissed), "avfärdad");
        assert_eq!(status(Lang::En, Status::Watching), "watching");
        assert_eq!(T::Exercise.get(Lang::Sv), "ÖVNING");
        assert_eq!(T::Exercise.get(Lang::En), "EXERCISE");
        for f in Focus::ALL {
            assert!(crate::tui::safe::width(focus_short(Lang::Sv, f)) <= 10);
            assert!(crate::tui::safe::width(focus_tiny(Lang::En, f)) <= 6);
        }
    }

    #[test]
    fn the_clock_is_stockholm_time() {
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 10, 5, 0).unwrap();
        assert_eq!(clock(Lang::Sv, t), "ons 25/11 11:05");
        assert_eq!(clock(Lang::En, t), "Wed 25/11 11:05");
    }
}
