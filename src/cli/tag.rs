//! `lage tag ITEM_ID +TAG... -TAG... [--note TEXT]`: an analyst adds or removes tags by hand.
//!
//! Each change is one [`TagOverride`] appended to the item's log with the OS user and the time;
//! the log is never rewritten, and overrides win over the rules through re-tagging and replay.

use std::process::ExitCode;

use anyhow::bail;
use chrono::Utc;
use clap::Args;

use super::{Paths, format};
use crate::tags::{OverrideAction, TagOverride, effective, validate_tag};

/// Options of `lage tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// The item's id (as `lage items --json` shows it).
    #[arg(value_name = "ITEM_ID")]
    id: String,
    /// `+TAG` adds a tag, `-TAG` removes one (`+fokus/brott -plats/farsta`).
    #[arg(
        value_name = "+TAG|-TAG",
        required = true,
        num_args = 1..,
        allow_hyphen_values = true
    )]
    changes: Vec<String>,
    /// Why (stored with each change); may also come after the tags.
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
}

/// Takes `--note TEXT` (or `--note=TEXT`) out of the words after the id: once the first
/// `-TAG` has been read, clap reads every further word as a tag, flags included.
fn take_note(
    words: Vec<String>,
    note: Option<String>,
) -> anyhow::Result<(Vec<String>, Option<String>)> {
    let mut note = note;
    let mut changes = Vec::with_capacity(words.len());
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let value = if word == "--note" {
            match words.next() {
                Some(value) => value,
                None => bail!("--note needs a text"),
            }
        } else if let Some(value) = word.strip_prefix("--note=") {
            value.to_string()
        } else {
            changes.push(word);
            continue;
        };
        if note.replace(value).is_some() {
            bail!("--note is given twice");
        }
    }
    Ok((changes, note))
}

/// Applies the changes, each made durable before anything is reported.
pub fn tag(paths: &Paths, args: TagArgs) -> anyhow::Result<ExitCode> {
    let (words, note) = take_note(args.changes, args.note)?;
    let changes = parse_changes(&words)?;
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let store = paths.open_store()?;
    let Some(item) = store.item(&args.id)? else {
        bail!(
            "no item with id '{}' in the store (ids are listed by `lage items --json`)",
            args.id
        );
    };
    let (carried, _) = effective(&item.tagging, &store.tag_overrides(&item.id)?);
    let author = os_user();
    let at = Utc::now();
    for (tag, action) in &changes {
        store.add_tag_override(
            &item.id,
            &TagOverride {
                tag: tag.clone(),
                action: *action,
                author: author.clone(),
                at,
                note: note.clone(),
            },
        )?;
    }
    println!("{}  {}", format::safe(&item.id), item.title);
    for (tag, action) in &changes {
        let had = carried.iter().any(|t| &t.tag == tag);
        let (verb, aside) = match (action, had) {
            (OverrideAction::Add, false) => ("added", ""),
            (OverrideAction::Add, true) => {
                ("added", " (it had it; now it stays whatever the rules say)")
            }
            (OverrideAction::Remove, true) => ("removed", ""),
            (OverrideAction::Remove, false) => {
                ("removed", " (it did not have it; now no rule can give it)")
            }
        };
        println!("  {verb} #{}{aside}", format::safe(tag));
    }
    println!("by {} at {}", format::safe(&author), format::local_time(at));
    Ok(ExitCode::SUCCESS)
}

/// Reads `+tag` and `-tag` words: each tag spelled as rules spell them, none both added and
/// removed, repeats dropped.
fn parse_changes(words: &[String]) -> anyhow::Result<Vec<(String, OverrideAction)>> {
    let mut changes: Vec<(String, OverrideAction)> = Vec::new();
    for word in words {
        let (action, tag) = if let Some(tag) = word.strip_prefix('+') {
            (OverrideAction::Add, tag)
        } else if let Some(tag) = word.strip_prefix('-') {
            (OverrideAction::Remove, tag)
        } else {
            bail!("'{word}': expected +TAG to add a tag or -TAG to remove one");
        };
        if let Err(e) = validate_tag(tag) {
            bail!("'{word}': invalid tag: {e}");
        }
        match changes.iter().find(|(t, _)| t == tag) {
            Some((_, a)) if *a == action => {}
            Some(_) => bail!("tag '{tag}' is both added and removed"),
            None => changes.push((tag.to_string(), action)),
        }
    }
    Ok(changes)
}

/// The OS user running `lage`: the password database's name for the effective uid, else
/// `$USER`, else `$LOGNAME`, else "unknown"; never empty.
pub fn os_user() -> String {
    passwd_name()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .map(|name| format::safe(name.trim()))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    let mut size = 1024;
    loop {
        let mut buf: Vec<libc::c_char> = vec![0; size];
        // SAFETY: an all-zero passwd is a valid value for the C struct (null pointers, zero ids);
        // getpwuid_r only writes into it.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call: `pwd` and `result` are live locals, and
        // `buf` is a live buffer of `buf.len()` bytes that the strings in `pwd` point into.
        let rc = unsafe {
            libc::getpwuid_r(
                libc::geteuid(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && size < 1 << 20 {
            size *= 4;
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success `pw_name` points at a NUL-terminated string inside `buf`, which
        // is still alive here.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn plus_adds_minus_removes_and_repeats_count_once() {
        let changes =
            parse_changes(&words(&["+fokus/brott", "-plats/farsta", "+fokus/brott"])).unwrap();
        assert_eq!(
            changes,
            [
                ("fokus/brott".to_string(), OverrideAction::Add),
                ("plats/farsta".to_string(), OverrideAction::Remove)
            ]
        );
    }

    #[test]
    fn bad_words_are_refused_with_the_word() {
        let err = parse_changes(&words(&["fokus/brott"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'fokus/brott'") && err.contains("+TAG"),
            "{err}"
        );
        let err = parse_changes(&words(&["+Fokus/Brott"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid tag"), "{err}");
        let err = parse_changes(&words(&["+a", "-a"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("both added and removed"), "{err}");
    }

    #[test]
    fn a_note_after_the_tags_is_a_note() {
        let (changes, note) =
            take_note(words(&["+a", "-b", "--note", "fel stadsdel"]), None).unwrap();
        assert_eq!(changes, words(&["+a", "-b"]));
        assert_eq!(note.as_deref(), Some("fel stadsdel"));
        let (changes, note) = take_note(words(&["-b", "--note=x"]), None).unwrap();
        assert_eq!((changes, note.as_deref()), (words(&["-b"]), Some("x")));
        assert!(take_note(words(&["-b", "--note", "x"]), Some("y".into())).is_err());
        assert!(take_note(words(&["-b", "--note"]), None).is_err());
    }

    #[test]
    fn the_os_user_is_never_empty() {
        assert!(!os_user().is_empty());
    }
}
