//! Briefing editions as the store keeps them.
//!
//! Tree `briefs`: 4-byte big-endian edition number + 4-byte big-endian version → [`Edition`]
//! JSON. Keys sort by number, then version, so the latest version of a number is the last key
//! under its prefix. A draft is rewritten in place as it is edited; an approved version is
//! never written again (the brief module makes a new version instead). Every write is flushed
//! before it returns.

use super::{Store, StoreError, decode};
use crate::brief::edition::{Edition, EditionRef};

fn key(r: EditionRef) -> [u8; 8] {
    let mut key = [0u8; 8];
    key[..4].copy_from_slice(&r.number.to_be_bytes());
    key[4..].copy_from_slice(&r.version.to_be_bytes());
    key
}

impl Store {
    /// Stores one version of an edition and flushes.
    pub fn put_edition(&self, edition: &Edition) -> Result<(), StoreError> {
        let value = serde_json::to_vec(edition).map_err(|e| StoreError::Corrupt {
            tree: "briefs",
            message: e.to_string(),
        })?;
        self.trees
            .briefs
            .insert(key(edition.reference()), value)
            .map_err(|e| self.db_err(e))?;
        self.flush()
    }

    /// One version of an edition.
    pub fn edition(&self, r: EditionRef) -> Result<Option<Edition>, StoreError> {
        self.trees
            .briefs
            .get(key(r))
            .map_err(|e| self.db_err(e))?
            .map(|v| decode("briefs", &v))
            .transpose()
    }

    /// The latest version of edition `number`.
    pub fn latest_edition(&self, number: u32) -> Result<Option<Edition>, StoreError> {
        self.trees
            .briefs
            .scan_prefix(number.to_be_bytes())
            .next_back()
            .transpose()
            .map_err(|e| self.db_err(e))?
            .map(|(_, v)| decode("briefs", &v))
            .transpose()
    }

    /// Every version of every edition, by number and then version, from the keys alone (no
    /// record is decoded: an approved version carries its whole frozen document).
    pub fn edition_refs(&self) -> Result<Vec<EditionRef>, StoreError> {
        self.trees
            .briefs
            .iter()
            .keys()
            .map(|key| {
                let key = key.map_err(|e| self.db_err(e))?;
                let number = key.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok());
                let version = key.get(4..8).and_then(|b| <[u8; 4]>::try_from(b).ok());
                match (number, version) {
                    (Some(n), Some(v)) if key.len() == 8 => Ok(EditionRef {
                        number: u32::from_be_bytes(n),
                        version: u32::from_be_bytes(v),
                    }),
                    _ => Err(StoreError::Corrupt {
                        tree: "briefs",
                        message: format!("key {:?} is not number and version", key.as_ref()),
                    }),
                }
            })
            .collect()
    }

    /// Every version of edition `number`, oldest first.
    pub fn edition_versions(&self, number: u32) -> Result<Vec<Edition>, StoreError> {
        self.trees
            .briefs
            .scan_prefix(number.to_be_bytes())
            .map(|entry| {
                let (_, v) = entry.map_err(|e| self.db_err(e))?;
                decode("briefs", &v)
            })
            .collect()
    }
}
