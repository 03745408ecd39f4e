//! One SSH connection: authentication against the users file, then its channels. A channel is
//! either the dashboard (a pty and a shell request) or one command (an exec request); nothing
//! else is offered: no port or agent forwarding, no X11, no subsystems, no environment beyond
//! the dashboard's language (`LAGE_LANG`; a command takes `--lang`) and `NO_COLOR`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use russh::server::{
    Auth, ChannelOpenHandle, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey,
};
use russh::{Channel, ChannelId, ChannelOpenFailure, MethodKind, MethodSet, Pty};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

use super::channel::SharedSize;
use super::input::Decoder;
use super::server::{Pending, Shared, Slot, lock};
use super::session;
use super::users::fingerprint;
use crate::access::Role;
use crate::audit::AuditEvent;
use crate::tui::{Input, Lang};

/// Inputs a dashboard may have queued; a client typing faster waits for the dashboard.
const INPUT_QUEUE: usize = 256;

/// Who logged in on this connection, and with which key.
struct Login {
    user: String,
    key: russh::keys::PublicKey,
    _slot: Slot,
}

/// Who runs what on a claimed channel, and its place among the connection's running tasks.
pub(super) struct Claim {
    pub user: String,
    pub role: Role,
    pub permit: OwnedSemaphorePermit,
}

/// One open channel.
struct Chan {
    size: Option<Arc<SharedSize>>,
    lang: Lang,
    color: bool,
    input: Option<mpsc::Sender<Input>>,
    decoder: Decoder,
    started: bool,
}

/// The handler of one connection.
pub(super) struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    // Held until the connection authenticates (or ends): the unauthenticated limits.
    pending: Option<Pending>,
    authenticated: watch::Sender<bool>,
    login: Option<Login>,
    // The name the client gave and the last method it tried, and whether a refusal was audited.
    tried: Option<(String, &'static str)>,
    refusal_audited: bool,
    channels: HashMap<ChannelId, Chan>,
    // A permit per dashboard or command still running, whether or not its channel is still
    // open: closing a channel does not stop a command, so open channels alone would not bound
    // the work one connection can start.
    running: Arc<Semaphore>,
}

impl Connection {
    /// A connection from `peer`, holding its `pending` place until it authenticates. The
    /// receiver turns true when it does.
    pub fn new(
        shared: Arc<Shared>,
        peer: SocketAddr,
        pending: Pending,
    ) -> (Connection, watch::Receiver<bool>) {
        let (authenticated, rx) = watch::channel(false);
        (
            Connection {
                shared: shared.clone(),
                peer,
                pending: Some(pending),
                authenticated,
                login: None,
                tried: None,
                refusal_audited: false,
                channels: HashMap::new(),
                running: Arc::new(Semaphore::new(shared.limits.channels_per_connection)),
            },
            rx,
        )
    }

    fn audit(&self, event: AuditEvent) {
        audit_off_runtime(&self.shared, event);
    }

    fn refuse(&mut self, user: &str, method: &str, key: Option<String>, reason: &str) -> Auth {
        tracing::warn!(
            "{}: login refused for '{}' ({method}{}): {reason}",
            self.peer,
            user.escape_debug(),
            key.as_deref().map(|k| format!(" {k}")).unwrap_or_default()
        );
        self.audit(AuditEvent::LoginRefused {
            user: user.to_string(),
            method: method.to_string(),
            key,
            reason: reason.to_string(),
            peer: self.peer.to_string(),
        });
        self.refusal_audited = true;
        reject()
    }

    /// Whether `key` is one of `user`'s keys: `Err` says why not.
    fn check_key(&self, user: &str, key: &russh::keys::PublicKey) -> Result<Role, &'static str> {
        let mut users = lock(&self.shared.users);
        match users.current().get(user) {
            None => Err("unknown user"),
            Some(u) if !u.has_key(key) => Err("the key is not one of the user's"),
            Some(u) => Ok(u.role),
        }
    }
}

impl Connection {
    /// Claims `channel` for its one dashboard or command: who runs it, the channel, and the
    /// permit held while it runs; `None` when it cannot start (not logged in, unknown channel,
    /// already running, as many running as a connection may have).
    fn claim(&mut self, channel: ChannelId) -> Option<(Claim, &mut Chan)> {
        let login = self.login.as_ref()?;
        // The users file is asked again: a user or key removed since the login starts nothing
        // more, and a changed role holds for what starts now.
        let role = match self.check_key(&login.user, &login.key) {
            Ok(role) => role,
            Err(reason) => {
                tracing::warn!(
                    "{}: {}: nothing more started: {reason}",
                    self.peer,
                    login.user
                );
                return None;
            }
        };
        let chan = self.channels.get_mut(&channel)?;
        if chan.started {
            return None;
        }
        let permit = self.running.clone().try_acquire_owned().ok()?;
        chan.started = true;
        let claim = Claim {
            user: login.user.clone(),
            role,
            permit,
        };
        Some((claim, chan))
    }
}

/// Records `event` on the blocking pool (the audit log syncs every line, which must not stall
/// the runtime's threads), stamped now so the order of lines stays the order of events.
pub(super) fn audit_off_runtime(shared: &Arc<Shared>, event: AuditEvent) {
    let at = chrono::Utc::now();
    let core = shared.core.clone();
    let write = move || {
        if let Err(e) = core.store().audit().record_at(&event, at) {
            tracing::error!("{e}");
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(write)),
        Err(_) => write(),
    }
}

fn reject() -> Auth {
    Auth::Reject {
        proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
        partial_success: false,
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(login) = &self.login {
            self.audit(AuditEvent::Logout {
                user: login.user.clone(),
                peer: self.peer.to_string(),
            });
        } else if let Some((user, method)) = self.tried.take()
            && !self.refusal_audited
        {
            // OpenSSH never sends a method the server does not offer: a client that wanted a
            // password leaves after the "none" probe, and is recorded here.
            let reason = if method == "none" {
                "left without authenticating (only public keys are accepted)"
            } else {
                "left before completing authentication"
            };
            self.audit(AuditEvent::LoginRefused {
                user,
                method: method.into(),
                key: None,
                reason: reason.into(),
                peer: self.peer.to_string(),
            });
        }
    }
}

impl Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, user: &str) -> Result<Auth, Self::Error> {
        self.tried = Some((user.to_string(), "none"));
        Ok(reject())
    }

    async fn auth_password(&mut self, user: &str, _password: &str) -> Result<Auth, Self::Error> {
        self.tried = Some((user.to_string(), "password"));
        Ok(self.refuse(user, "password", None, "only public keys are accepted"))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        self.tried = Some((user.to_string(), "keyboard-interactive"));
        Ok(self.refuse(
            user,
            "keyboard-interactive",
            None,
            "only public keys are accepted",
        ))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        self.tried = Some((user.to_string(), "publickey"));
        match self.check_key(user, offer.public_key) {
            Ok(_) => Ok(Auth::Accept),
            Err(reason) => {
                let key = fingerprint(offer.public_key);
                Ok(self.refuse(user, "publickey", Some(key), reason))
            }
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let fp = fingerprint(key.public_key);
        let role = match self.check_key(user, key.public_key) {
            Ok(role) => role,
            Err(reason) => return Ok(self.refuse(user, "publickey", Some(fp), reason)),
        };
        let slot = match self.shared.log_in(user) {
            Ok(slot) => slot,
            Err(reason) => return Ok(self.refuse(user, "publickey", Some(fp), reason)),
        };
        tracing::info!("{}: {user} ({role}) logged in with {fp}", self.peer);
        self.audit(AuditEvent::Login {
            user: user.to_string(),
            key: fp,
            peer: self.peer.to_string(),
        });
        self.login = Some(Login {
            user: user.to_string(),
            key: key.public_key.clone(),
            _slot: slot,
        });
        self.pending = None;
        let _ = self.authenticated.send(true);
        Ok(Auth::Accept)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.login.is_none() || self.channels.len() >= self.shared.limits.channels_per_connection
        {
            reply.reject(ChannelOpenFailure::ResourceShortage).await;
            return Ok(());
        }
        // The channel object is dropped: input arrives through `data`, and a channel object
        // nobody reads would stall the connection once its buffer filled.
        self.channels.insert(
            channel.id(),
            Chan {
                size: None,
                lang: self.shared.lang,
                color: true,
                input: None,
                decoder: Decoder::new(),
                started: false,
            },
        );
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&channel) {
            Some(chan) if !chan.started => {
                chan.size = Some(Arc::new(SharedSize::new(col_width, row_height)));
                session.channel_success(channel)
            }
            _ => session.channel_failure(channel),
        }
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(chan) = self.channels.get_mut(&channel) else {
            return session.channel_failure(channel);
        };
        match (name, value) {
            ("LAGE_LANG", "en") => chan.lang = Lang::En,
            ("LAGE_LANG", "sv") => chan.lang = Lang::Sv,
            ("NO_COLOR", v) if !v.is_empty() => chan.color = false,
            _ => return session.channel_failure(channel),
        }
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some((claim, chan)) = self.claim(channel) else {
            return session.channel_failure(channel);
        };
        session.channel_success(channel)?;
        let handle = session.handle();
        let Some(size) = chan.size.clone() else {
            tokio::spawn(session::refuse(
                handle,
                channel,
                "lage: the dashboard needs a terminal; connect with `ssh -t`, or send a command \
                 (`ssh HOST items --since 1h`)\r\n"
                    .into(),
                1,
            ));
            return Ok(());
        };
        let (tx, rx) = mpsc::channel(INPUT_QUEUE);
        chan.input = Some(tx);
        let tui_session = crate::tui::Session {
            user: claim.user,
            role: claim.role,
            lang: chan.lang,
            color: chan.color,
        };
        tokio::spawn(session::dashboard(
            self.shared.clone(),
            handle,
            channel,
            tui_session,
            size,
            rx,
            claim.permit,
        ));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some((claim, chan)) = self.claim(channel) else {
            return session.channel_failure(channel);
        };
        let terminal = chan.size.is_some();
        session.channel_success(channel)?;
        let handle = session.handle();
        let Ok(line) = std::str::from_utf8(data) else {
            self.audit(AuditEvent::Command {
                user: claim.user,
                command: String::from_utf8_lossy(data).chars().take(500).collect(),
                status: 2,
            });
            tokio::spawn(session::refuse(
                handle,
                channel,
                "lage: the command is not UTF-8\n".into(),
                2,
            ));
            return Ok(());
        };
        tokio::spawn(session::command(
            self.shared.clone(),
            handle,
            channel,
            line.to_string(),
            claim,
            terminal,
        ));
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(chan) = self.channels.get_mut(&channel) else {
            return Ok(());
        };
        let Some(input) = chan.input.clone() else {
            return Ok(());
        };
        for event in chan.decoder.feed(data) {
            // The dashboard has ended: the rest of the input has no reader.
            if input.send(event).await.is_err() {
                chan.input = None;
                break;
            }
        }
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(chan) = self.channels.get_mut(&channel) else {
            return Ok(());
        };
        if let Some(size) = &chan.size {
            let (cols, rows) = size.set(col_width, row_height);
            if let Some(input) = &chan.input {
                let _ = input.send(Input::Resize(cols, rows)).await;
            }
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The client will send nothing more: the dashboard ends as if the user quit.
        if let Some(chan) = self.channels.get_mut(&channel) {
            chan.input = None;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        tracing::info!("{}: subsystem '{}' refused", self.peer, name.escape_debug());
        session.channel_failure(channel)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn agent_request(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }

    async fn tcpip_forward(
        &mut self,
        _address: &str,
        _port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }
}
