//! Who may do what. A user has one [`Role`]; every action a frontend offers names the
//! [`Permission`] it needs, and [`Role::may`] is the one place the two meet, so the dashboard,
//! the SSH commands and the tests all ask the same question.
//!
//! The roles are ordered: each one may do everything the one before it may. A viewer reads;
//! a duty officer (*tjänsteman i beredskap*) also acknowledges, sets status and writes the shift
//! log; an analyst also annotates, changes tags, picks items for and composes briefings and
//! edits rules; an admin also manages sources and users.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the picture; changes nothing.
    Viewer,
    /// A duty officer: acknowledges, sets status, writes the shift log.
    Duty,
    /// Curates: annotates, tags, composes and approves briefings, edits rules.
    Analyst,
    /// Manages sources and users.
    Admin,
}

/// Something a user may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read items, sources, rules, briefings and the shift log.
    Read,
    /// Acknowledge an item (*kvittera*).
    Acknowledge,
    /// Set an item's handling status.
    SetStatus,
    /// Write the shift log (notes and handovers).
    WriteLog,
    /// Ask for a poll of every source now.
    PollNow,
    /// Annotate and assess an item.
    Annotate,
    /// Add or remove tags by hand.
    OverrideTags,
    /// Pick items for the briefing, compose, approve and export briefings.
    ComposeBriefing,
    /// Change the tagging rules.
    EditRules,
    /// Add, change or remove sources.
    ManageSources,
    /// Add, change or remove users.
    ManageUsers,
}

impl Permission {
    /// The least role that has this permission.
    pub fn least_role(self) -> Role {
        match self {
            Permission::Read => Role::Viewer,
            Permission::Acknowledge
            | Permission::SetStatus
            | Permission::WriteLog
            | Permission::PollNow => Role::Duty,
            Permission::Annotate
            | Permission::OverrideTags
            | Permission::ComposeBriefing
            | Permission::EditRules => Role::Analyst,
            Permission::ManageSources | Permission::ManageUsers => Role::Admin,
        }
    }
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Duty, Role::Analyst, Role::Admin];

    /// Whether this role has `permission`.
    pub fn may(self, permission: Permission) -> bool {
        self >= permission.least_role()
    }

    /// The role's name as written in the users file.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Duty => "duty",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// The role named `name` (as in the users file).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal: who tried what without the role for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{user} ({role}) may not {what}; that needs the role {needed} or above")]
pub struct Refused {
    /// The user.
    pub user: String,
    /// The user's role.
    pub role: Role,
    /// What was tried, in words ("acknowledge items").
    pub what: &'static str,
    /// The least role that may.
    pub needed: Role,
}

impl Permission {
    /// What the permission allows, in words, for refusals.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read the picture",
            Permission::Acknowledge => "acknowledge items",
            Permission::SetStatus => "set an item's status",
            Permission::WriteLog => "write the shift log",
            Permission::PollNow => "poll the sources",
            Permission::Annotate => "annotate items",
            Permission::OverrideTags => "change tags",
            Permission::ComposeBriefing => "compose, approve or export briefings",
            Permission::EditRules => "change the rules",
            Permission::ManageSources => "manage sources",
            Permission::ManageUsers => "manage users",
        }
    }
}

/// Checks that `user` with `role` may do `permission`.
pub fn check(user: &str, role: Role, permission: Permission) -> Result<(), Refused> {
    if role.may(permission) {
        Ok(())
    } else {
        Err(Refused {
            user: user.to_string(),
            role,
            what: permission.describe(),
            needed: permission.least_role(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_what_the_one_before_may_and_more() {
        let table = [
            (Role::Viewer, Permission::Read, true),
            (Role::Viewer, Permission::Acknowledge, false),
            (Role::Duty, Permission::Acknowledge, true),
            (Role::Duty, Permission::WriteLog, true),
            (Role::Duty, Permission::Annotate, false),
            (Role::Duty, Permission::ComposeBriefing, false),
            (Role::Analyst, Permission::Annotate, true),
            (Role::Analyst, Permission::OverrideTags, true),
            (Role::Analyst, Permission::ComposeBriefing, true),
            (Role::Analyst, Permission::ManageUsers, false),
            (Role::Admin, Permission::ManageSources, true),
            (Role::Admin, Permission::Acknowledge, true),
        ];
        for (role, permission, allowed) in table {
            assert_eq!(role.may(permission), allowed, "{role} {permission:?}");
        }
    }

    #[test]
    fn a_refusal_names_user_role_and_the_role_needed() {
        let err = check("olle", Role::Viewer, Permission::Acknowledge).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "olle (viewer) may not acknowledge items; that needs the role duty or above"
        );
        assert!(check("anna", Role::Analyst, Permission::Annotate).is_ok());
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
