//! Sentences with values in them: confirmations, errors, the automatic shift-log entries.

use super::words::status;
use super::{T, pick};
use crate::curation::Action;
use crate::tags::OverrideAction;
use crate::tui::Lang;

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

/// Rows hidden above the viewport.
pub fn above(lang: Lang, n: usize) -> String {
    format!("▲ {n} {}", pick(lang, "ovanför (g)", "above (g)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::Status;

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
