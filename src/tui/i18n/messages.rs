//! Sentences with values in them: confirmations, errors, the automatic shift-log entries.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Europe::Stockholm;

use super::words::{permission, role, status};
use super::{T, pick};
use crate::access::{Permission, Role};
use crate::brief::document::{Briefing, State};
use crate::brief::edition::{BriefKind, EditionRef, Period};
use crate::curation::Action;
use crate::tags::OverrideAction;
use crate::tui::Lang;
use crate::tui::app::{BriefChange, BriefFault};

/// What a decision did, as a phrase (for the status line and the decision history).
pub fn action(lang: Lang, a: &Action) -> String {
    match a {
        Action::Acknowledge => pick(lang, "kvitterad", "acknowledged").into(),
        Action::SetStatus { status: s } => format!("status: {}", status(lang, *s)),
        Action::Briefing { include: true } => T::InBriefing.get(lang).to_lowercase(),
        Action::Briefing { include: false } => {
            pick(lang, "ur lägesbilden", "out of the briefing").into()
        }
        Action::Annotate { .. } => pick(lang, "anteckning", "annotation").into(),
        Action::Tag {
            tag,
            change: OverrideAction::Add,
        } => format!("+{tag}"),
        Action::Tag {
            tag,
            change: OverrideAction::Remove,
        } => format!("-{tag}"),
    }
}

/// An automatic shift-log entry: who did what to which item.
pub fn log_decision(lang: Lang, a: &Action, title: &str) -> String {
    let verb = match (lang, a) {
        (Lang::Sv, Action::Acknowledge) => "kvitterade".to_string(),
        (Lang::En, Action::Acknowledge) => "acknowledged".to_string(),
        (Lang::Sv, Action::SetStatus { status: s }) => {
            format!("satte status {} på", status(lang, *s))
        }
        (Lang::En, Action::SetStatus { status: s }) => {
            format!("set status {} on", status(lang, *s))
        }
        (Lang::Sv, Action::Briefing { include: true }) => "tog med i lägesbilden:".into(),
        (Lang::En, Action::Briefing { include: true }) => "put in the briefing:".into(),
        (Lang::Sv, Action::Briefing { include: false }) => "tog bort ur lägesbilden:".into(),
        (Lang::En, Action::Briefing { include: false }) => "took out of the briefing:".into(),
        (Lang::Sv, Action::Annotate { .. }) => "annoterade".into(),
        (Lang::En, Action::Annotate { .. }) => "annotated".into(),
        (
            Lang::Sv,
            Action::Tag {
                tag,
                change: OverrideAction::Add,
            },
        ) => format!("lade till taggen {tag} på"),
        (
            Lang::En,
            Action::Tag {
                tag,
                change: OverrideAction::Add,
            },
        ) => format!("added tag {tag} to"),
        (
            Lang::Sv,
            Action::Tag {
                tag,
                change: OverrideAction::Remove,
            },
        ) => format!("tog bort taggen {tag} från"),
        (
            Lang::En,
            Action::Tag {
                tag,
                change: OverrideAction::Remove,
            },
        ) => format!("removed tag {tag} from"),
    };
    format!("{verb} «{title}»")
}

/// The status-line confirmation once a decision is stored.
pub fn saved(lang: Lang, what: &str, title: &str) -> String {
    format!("{} {what}: «{title}»", pick(lang, "Sparat,", "Saved,"))
}

/// The status line when something could not be stored or loaded.
pub fn failed(lang: Lang, error: &str) -> String {
    format!("{} {error}", pick(lang, "Fel:", "Error:"))
}

/// Told when acknowledging an item someone already acknowledged.
pub fn already_acked(lang: Lang, who: &str) -> String {
    format!(
        "{} {who}.",
        pick(lang, "Redan kvitterad av", "Already acknowledged by")
    )
}

/// Told when the session's role may not do something: the role, what was refused, and the
/// least role that may.
pub fn refused(lang: Lang, who: Role, what: Permission) -> String {
    let needed = what.least_role();
    let above = match needed {
        Role::Admin => "",
        _ => pick(lang, " eller högre", " or above"),
    };
    match lang {
        Lang::Sv => format!(
            "Din roll ({}) får inte {}; det kräver rollen {}{above}",
            role(lang, who),
            permission(lang, what),
            role(lang, needed)
        ),
        Lang::En => format!(
            "Your role ({}) may not {}; that needs the role {}{above}",
            role(lang, who),
            permission(lang, what),
            role(lang, needed)
        ),
    }
}

/// Told when a tag cannot be used: what a tag may be, in the session's language (the reason
/// `tags::validate_tag` gives is English, for the command line).
pub fn bad_tag(lang: Lang, tag: &str) -> String {
    let rule = pick(
        lang,
        "små bokstäver, siffror, - och _, i delar åtskilda av /, högst 100 byte",
        "lowercase letters, digits, - and _, in parts separated by /, at most 100 bytes",
    );
    format!(
        "{} «{tag}»: {rule}",
        pick(lang, "Ogiltig tagg", "Invalid tag")
    )
}

/// The status line after `o`.
pub fn link_copied(lang: Lang) -> &'static str {
    pick(lang, "Länk (kopierad): ", "Link (copied): ")
}

/// How many more critical items wait beyond the one in the banner.
pub fn more(lang: Lang, n: usize) -> String {
    format!("(+{n} {})", pick(lang, "till", "more"))
}

/// The list's title: the count and, when filtered or searching, what applies.
pub fn matches(lang: Lang, n: usize) -> String {
    format!("{n} {}", pick(lang, "träffar", "matches"))
}

/// "Saved" for a shift-log entry.
pub fn log_saved(lang: Lang, handover: bool) -> &'static str {
    match handover {
        true => pick(lang, "Överlämningen sparad.", "Handover saved."),
        false => pick(lang, "Anteckningen sparad.", "Note saved."),
    }
}

/// The status line once a briefing change is stored: "Sparat, ordningen: nr 3.1".
pub fn brief_saved(lang: Lang, change: &BriefChange, edition: EditionRef) -> String {
    let what = match change {
        BriefChange::Create => pick(lang, "ny utgåva", "new edition").to_string(),
        BriefChange::Move { .. } => pick(lang, "ordningen", "the order").to_string(),
        BriefChange::Remove { .. } => {
            pick(lang, "händelsen borttagen", "event taken out").to_string()
        }
        BriefChange::KeyMessages(_) => T::KeyMessages.get(lang).to_lowercase(),
        BriefChange::Level { section, level } => {
            let area = crate::brief::document::SECTIONS
                .iter()
                .position(|s| s.key == section)
                .and_then(|i| crate::index::Focus::ALL.get(i))
                .map_or(section.as_str(), |f| super::focus_short(lang, *f));
            format!("{area}: {}", super::brief_level(lang, *level))
        }
        BriefChange::Approve => pick(lang, "godkänd", "approved").to_string(),
    };
    saved(lang, &what, &edition_name(lang, edition))
}

/// "nr 3.1" / "no. 3.1".
pub fn edition_name(lang: Lang, edition: EditionRef) -> String {
    format!("{} {edition}", pick(lang, "nr", "no."))
}

/// Why a briefing command failed, in the session's language where the reason is known.
pub fn brief_fault(lang: Lang, fault: &BriefFault) -> String {
    match fault {
        BriefFault::AlreadyApproved => T::BriefAlreadyApproved.get(lang).to_string(),
        BriefFault::NotLatest => pick(
            lang,
            "Någon annan har ändrat utgåvan; öppna lägesbilden igen (B).",
            "Someone else changed the edition; open the briefing again (B).",
        )
        .to_string(),
        BriefFault::NotInEdition => pick(
            lang,
            "Händelsen finns inte längre i utgåvan.",
            "The event is no longer in the edition.",
        )
        .to_string(),
        BriefFault::Other(e) => e.clone(),
    }
}

/// The status line after `E`.
pub fn brief_exported(lang: Lang, dir: &str) -> String {
    format!(
        "{} {dir}",
        pick(
            lang,
            "Exporterat (md, html, pdf, json, atom) till",
            "Exported (md, html, pdf, json, atom) to"
        )
    )
}

/// The question before approving.
pub fn approve_ask(lang: Lang, edition: EditionRef) -> String {
    format!(
        "{} {}?",
        pick(lang, "Godkänna", "Approve"),
        edition_name(lang, edition)
    )
}

/// The briefing screen's title: "Veckolägesbild v. 48 2026 — nr 3, version 1, UTKAST".
pub fn brief_title(lang: Lang, doc: &Briefing) -> String {
    let what = match doc.kind {
        BriefKind::Week => {
            let week = doc.period.from.with_timezone(&Stockholm).iso_week();
            format!(
                "{} {} {}",
                pick(lang, "Veckolägesbild v.", "Weekly picture wk"),
                week.week(),
                week.year()
            )
        }
        BriefKind::Incident => pick(lang, "Samlad lägesbild", "Situation report").to_string(),
    };
    let state = match doc.state {
        State::Draft => T::Draft,
        State::Approved => T::Approved,
    };
    format!(
        "{what} — {} {}, {} {}, {}",
        pick(lang, "nr", "no."),
        doc.edition.number,
        T::Version.get(lang),
        doc.edition.version,
        state.get(lang)
    )
}

/// The period, in Stockholm days: "2026-11-23 – 2026-11-29" (the end is exclusive, so the
/// last day shown is the one before it).
pub fn brief_period(period: &Period) -> String {
    let day = |t: DateTime<Utc>| t.with_timezone(&Stockholm).format("%Y-%m-%d").to_string();
    let last = period.to - chrono::Duration::seconds(1);
    format!("{} – {}", day(period.from), day(last.max(period.from)))
}

/// Rows hidden above the viewport.
pub fn above(lang: Lang, n: usize) -> String {
    format!("▲ {n} {}", pick(lang, "ovanför (g)", "above (g)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::Status;

    #[test]
    fn a_refusal_names_the_role_and_the_role_needed() {
        assert_eq!(
            refused(Lang::Sv, Role::Viewer, Permission::Acknowledge),
            "Din roll (läsare) får inte kvittera; det kräver rollen tjänsteman i beredskap eller högre"
        );
        assert_eq!(
            refused(Lang::En, Role::Viewer, Permission::Acknowledge),
            "Your role (viewer) may not acknowledge items; that needs the role duty officer or above"
        );
        assert_eq!(
            refused(Lang::En, Role::Analyst, Permission::ManageUsers),
            "Your role (analyst) may not manage users; that needs the role admin"
        );
    }

    #[test]
    fn automatic_log_entries_read_as_sentences() {
        let a = Action::SetStatus {
            status: Status::Handled,
        };
        assert_eq!(
            log_decision(Lang::Sv, &a, "Brand"),
            "satte status hanterad på «Brand»"
        );
        assert_eq!(
            log_decision(Lang::En, &a, "Fire"),
            "set status handled on «Fire»"
        );
    }
}
