//! `lage opml import|export`: moving subscription lists between `lage` and feed readers.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::{Paths, format};
use crate::opml::{self, Subscription};

/// The OPML subcommands.
#[derive(Debug, Subcommand)]
pub enum OpmlCommand {
    /// Turn an OPML file into `[[source]]` entries (printed, or appended to --into).
    Import {
        /// The OPML file.
        file: PathBuf,
        /// Append the sources to this feeds file (include it from the config to use them).
        #[arg(long, value_name = "FEEDS_FILE")]
        into: Option<PathBuf>,
    },
    /// Print the configured `rss` sources as OPML.
    Export,
}

/// Runs an OPML subcommand.
pub fn opml(paths: &Paths, command: OpmlCommand) -> anyhow::Result<ExitCode> {
    match command {
        OpmlCommand::Import { file, into } => import(paths, &file, into),
        OpmlCommand::Export => export(paths),
    }
}

fn import(paths: &Paths, file: &PathBuf, into: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut subs = opml::parse(&text).with_context(|| format!("{}", file.display()))?;
    // A `${VAR}` in an imported URL would be resolved at poll time and sent to that host:
    // an OPML file from elsewhere must not choose which of our secrets leave the machine.
    // Only http(s): a `file:` outline would read local files into the picture.
    subs.retain(|s| {
        let why = if s.xml_url.contains("${") {
            Some("its URL contains a ${...} reference")
        } else if !url::Url::parse(&s.xml_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            Some("only http and https feeds are imported")
        } else {
            None
        };
        if let Some(why) = why {
            eprintln!(
                "lage: skipped '{}' ({}): {why}",
                format::safe(&s.title),
                format::safe(&s.xml_url)
            );
        }
        why.is_none()
    });
    // Avoid ids and URLs the config already has, when there is a config to compare with.
    let config = paths.load_config().ok();
    let taken: HashSet<String> = config
        .iter()
        .flat_map(|c| c.sources.iter().map(|s| s.id.clone()))
        .collect();
    let known_urls: HashSet<String> = config
        .iter()
        .flat_map(|c| c.sources.iter().map(|s| s.url_template.raw().to_string()))
        .collect();
    let (fresh, skipped): (Vec<Subscription>, Vec<Subscription>) =
        subs.into_iter().partition(|s| {
            !known_urls.contains(&s.xml_url) && !known_urls.contains(&format!("{}/", s.xml_url))
        });
    let toml = opml::to_source_toml(&fresh, &taken);
    match into {
        Some(path) => {
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            writeln!(out, "\n# imported from {}", file.display())?;
            out.write_all(toml.as_bytes())?;
            out.sync_all()?;
            eprintln!(
                "lage: added {} sources to {} ({} already configured, skipped)",
                fresh.len(),
                path.display(),
                skipped.len()
            );
        }
        None => print!("{toml}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn export(paths: &Paths) -> anyhow::Result<ExitCode> {
    let config = paths.load_config()?;
    let subs: Vec<Subscription> = config
        .sources
        .iter()
        .filter(|s| s.kind == "rss" && !s.url_template.raw().starts_with("file:"))
        .map(|s| Subscription {
            title: s.name.clone(),
            // As written: a resolved `${KEY}` must never leave the machine in an export.
            xml_url: s.url_template.raw().to_string(),
            html_url: None,
            folder: Vec::new(),
        })
        .collect();
    print!("{}", opml::export(&subs, "lage sources"));
    Ok(ExitCode::SUCCESS)
}
