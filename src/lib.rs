//! `lage` keeps a live situational picture (*lägesbild*) for a city's safety and security office.
//!
//! The modules follow the data flow: `source` kinds turn fetched documents into raw items,
//! `normalise` makes them clean [`item::Item`]s, `dedup` decides what is new, `store` (the only
//! module that names sled) keeps them, and `poll` drives the cycle. On the way in, `grading`
//! maps CAP grades to severity and `area` tells whether an item touches the area of interest.
//! `cli` and `demo` are frontends.

pub mod access;
pub mod area;
pub mod audit;
pub mod brief;
pub mod cli;
pub mod config;
pub mod core;
pub mod curation;
pub mod dedup;
pub mod demo;
pub mod fetch;
pub mod grading;
pub mod health;
pub mod index;
pub mod item;
pub mod normalise;
pub mod opml;
pub mod poll;
pub mod rules;
pub mod source;
pub mod ssh;
pub mod store;
pub mod tags;
pub mod time;
pub mod tui;
