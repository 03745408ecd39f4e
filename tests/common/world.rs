//! A dashboard over a real core for role tests: a temp sled store with a few items and its
//! index loaded, and a [`Desk`], an app with its session driven through the real command path
//! (`tui::exec`), as the runtime would drive it.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;

use lage::access::{Permission, Role};
use lage::config::{Config, Env};
use lage::core::{Core, Event};
use lage::item::{Item, RawItem, RawText};
use lage::normalise::normalise;
use lage::rules::{RuleSet, SharedRules};
use lage::store::Store;
use lage::tui::app::{App, Command, Msg};
use lage::tui::{Lang, Session, exec};

use super::keys::key;
use super::write_config;

/// A core over a temp store holding one item per title, its index loaded.
pub struct World {
    _dir: tempfile::TempDir,
    /// The data dir (the store, `audit.log`, exports).
    pub data_dir: PathBuf,
    /// The store.
    pub store: Arc<Store>,
    /// The core over it.
    pub core: Core,
    /// The items stored, in the order of the titles.
    pub items: Vec<Item>,
}

pub fn world(titles: &[&str]) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = write_config(
        dir.path(),
        "[fetch]\ncontact = \"lage-tests@stockholm.example\"\n",
    );
    let config = Config::load(&config_path, Env::process()).expect("config");
    let data_dir = dir.path().join("data");
    let store = Arc::new(Store::open(&data_dir).expect("store"));
    let at = Utc::now();
    let items: Vec<Item> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            normalise(
                RawItem {
                    guid: Some(format!("item-{i}")),
                    title: Some(RawText::plain(*title)),
                    // Newest first in the list: the first title is the selected row.
                    published: Some(at - chrono::Duration::minutes(i as i64)),
                    ..RawItem::default()
                },
                "polisen",
                "rss",
                at,
            )
            .item
        })
        .collect();
    store.import(&items).expect("import");
    let rules: SharedRules = Arc::new(RwLock::new(Arc::new(RuleSet::empty())));
    let core = Core::new(Arc::new(config), store.clone(), rules).expect("core");
    let started = Instant::now();
    while !core.index_ready() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(core.index_ready(), "the index never loaded");
    World {
        _dir: dir,
        data_dir,
        store,
        core,
        items,
    }
}

/// A session of `user` with `role` in `lang`, without colour.
pub fn session(user: &str, role: Role, lang: Lang) -> Session {
    Session {
        user: user.into(),
        role,
        lang,
        color: false,
    }
}

/// A user of the dashboard: the app with its session, driven through the real `exec` path.
pub struct Desk<'w> {
    /// The app.
    pub app: App,
    world: &'w World,
    user: String,
    role: Role,
    /// Every command the app asked for since the last `take`.
    asked: Vec<Command>,
}

impl<'w> Desk<'w> {
    /// Opens the dashboard for `user` with `role`, everything read.
    pub fn open(world: &'w World, user: &str, role: Role, lang: Lang) -> Desk<'w> {
        let mut desk = Desk {
            app: App::new(session(user, role, lang), (100, 30), Utc::now()),
            world,
            user: user.into(),
            role,
            asked: Vec::new(),
        };
        let start = desk.app.start();
        desk.run(start);
        let ready = desk.app.handle(Msg::Bus(Event::IndexReady));
        desk.run(ready);
        desk.asked.clear();
        desk
    }

    /// Carries out `commands` and whatever they lead to, as the runtime would (a poll of every
    /// source is left out: it needs the pipeline's runtime).
    pub fn run(&mut self, commands: Vec<Command>) {
        let mut queue = commands;
        while !queue.is_empty() {
            let c = queue.remove(0);
            self.asked.push(c.clone());
            if c == Command::PollNow {
                continue;
            }
            if let Some(done) = exec::blocking(&self.world.core, &self.user, self.role, c) {
                queue.extend(self.app.handle(Msg::Done(done)));
            }
        }
    }

    /// Presses `keys` and carries out what they lead to.
    pub fn press(&mut self, keys: Vec<Msg>) {
        for k in keys {
            let out = self.app.handle(k);
            self.run(out);
        }
    }

    /// The commands asked for since the last call.
    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.asked)
    }

    /// The status line.
    pub fn status(&self) -> String {
        self.app.status_text().unwrap_or_default().to_string()
    }
}

/// Typed text, one key a character.
pub fn text(s: &str) -> Vec<Msg> {
    s.chars().map(key).collect()
}

/// The commands among `commands` that need more than reading.
pub fn changes(commands: &[Command]) -> Vec<&Command> {
    commands
        .iter()
        .filter(|c| c.permission() != Permission::Read)
        .collect()
}
