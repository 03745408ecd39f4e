//! The listening side: russh's configuration (public keys only, modern algorithms, strict key
//! exchange), the accept loop with its limits, and the count of who is logged in.
//!
//! The accept loop is our own rather than russh's `run_on_socket`, because the limits on
//! connections that have not authenticated yet, and the time they get to do it, must be applied
//! before russh spends anything on them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::ssh_key::PrivateKey;
use russh::keys::{Algorithm, EcdsaCurve};
use russh::server::Config;
use russh::{MethodKind, MethodSet, Preferred, cipher, compression, kex, mac};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::ExecFn;
use super::handler::{Connection, audit_off_runtime};
use super::users::UsersFile;
use crate::audit::AuditEvent;
use crate::core::Core;
use crate::tui::Lang;

/// Limits that keep one client, or many, from starving the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections that have not authenticated yet, at once; more are closed on accept.
    pub unauthenticated: usize,
    /// Time a connection has to authenticate.
    pub login_grace: Duration,
    /// Authentication attempts per connection.
    pub auth_attempts: usize,
    /// Logged-in connections in total.
    pub sessions: usize,
    /// Logged-in connections per user.
    pub sessions_per_user: usize,
    /// Channels (dashboards and commands) per connection.
    pub channels_per_connection: usize,
    /// A dashboard with no input for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            unauthenticated: 10,
            login_grace: Duration::from_secs(30),
            auth_attempts: 6,
            sessions: 100,
            sessions_per_user: 10,
            channels_per_connection: 4,
            idle_timeout: Duration::from_secs(12 * 3600),
        }
    }
}

/// What every connection shares.
pub(super) struct Shared {
    pub core: Core,
    pub users: Mutex<UsersFile>,
    pub limits: Limits,
    pub exec: ExecFn,
    /// Commands running at once in the whole server.
    pub commands: Arc<Semaphore>,
    pub lang: Lang,
    pub logged_in: Mutex<LoggedIn>,
}

/// Logged-in connections, in total and per user.
#[derive(Debug, Default)]
pub(super) struct LoggedIn {
    total: usize,
    per_user: HashMap<String, usize>,
}

/// A logged-in connection's place in [`LoggedIn`]; freed when dropped.
pub(super) struct Slot {
    shared: Arc<Shared>,
    user: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut logged_in = lock(&self.shared.logged_in);
        logged_in.total = logged_in.total.saturating_sub(1);
        if let Some(n) = logged_in.per_user.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                logged_in.per_user.remove(&self.user);
            }
        }
    }
}

impl Shared {
    /// Takes a slot for `user`, or says which limit is reached.
    pub fn log_in(self: &Arc<Self>, user: &str) -> Result<Slot, &'static str> {
        let mut logged_in = lock(&self.logged_in);
        if logged_in.total >= self.limits.sessions {
            return Err("the server has as many sessions as it allows");
        }
        let mine = logged_in.per_user.get(user).copied().unwrap_or(0);
        if mine >= self.limits.sessions_per_user {
            return Err("the user has as many sessions as allowed");
        }
        logged_in.total += 1;
        logged_in.per_user.insert(user.to_string(), mine + 1);
        Ok(Slot {
            shared: self.clone(),
            user: user.to_string(),
        })
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// russh's configuration: the host key, public-key authentication only (Ed25519 and ECDSA user
/// keys: russh's RSA support pulls in the `rsa` crate and its open timing advisory), and
/// algorithms without SHA-1, CBC, compression or NIST curves for key exchange. Strict key exchange (the Terrapin
/// countermeasure, `kex-strict-s-v00@openssh.com`) is offered and russh enforces it whenever
/// the client offers it too.
pub(super) fn russh_config(host_key: PrivateKey, limits: &Limits) -> Config {
    Config {
        server_id: russh::SshId::Standard(Cow::Borrowed("SSH-2.0-lage")),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: Duration::from_millis(500),
        // OpenSSH opens with a "none" request to learn the methods; answer it at once.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        max_auth_attempts: limits.auth_attempts,
        // Dead peers: a keepalive every minute, three unanswered and the connection closes. The
        // inactivity timeout also bounds a write to a client that stopped reading (russh waits
        // on the socket that long); a live client's keepalive replies keep it from firing.
        inactivity_timeout: Some(Duration::from_secs(300)),
        keepalive_interval: Some(Duration::from_secs(60)),
        keepalive_max: 3,
        nodelay: true,
        preferred: Preferred {
            kex: Cow::Borrowed(&[
                kex::MLKEM768X25519_SHA256,
                kex::CURVE25519,
                kex::CURVE25519_PRE_RFC_8731,
                kex::EXTENSION_SUPPORT_AS_SERVER,
                kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER,
            ]),
            key: Cow::Borrowed(&[
                Algorithm::Ed25519,
                Algorithm::Ecdsa {
                    curve: EcdsaCurve::NistP256,
                },
                Algorithm::Ecdsa {
                    curve: EcdsaCurve::NistP384,
                },
                Algorithm::Ecdsa {
                    curve: EcdsaCurve::NistP521,
                },
            ]),
            cipher: Cow::Borrowed(&[
                cipher::CHACHA20_POLY1305,
                cipher::AES_256_GCM,
                cipher::AES_128_GCM,
                cipher::AES_256_CTR,
            ]),
            mac: Cow::Borrowed(&[mac::HMAC_SHA512_ETM, mac::HMAC_SHA256_ETM]),
            compression: Cow::Borrowed(&[compression::NONE]),
            ..Preferred::default()
        },
        ..Config::default()
    }
}

/// Accepts connections on `listener` until `stop` says so, then waits (a few seconds at most)
/// for the connections to say goodbye.
pub(super) async fn accept_loop(
    listener: TcpListener,
    config: Arc<Config>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let unauthenticated = Arc::new(Semaphore::new(shared.limits.unauthenticated));
    let mut connections = tokio::task::JoinSet::new();
    let mut refused = 0u64;
    let mut last_refusal_logged = None;
    loop {
        while connections.try_join_next().is_some() {}
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A client that reset before we accepted it, or a full fd table: go on.
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => {
                let _ = tokio::time::timeout(Duration::from_secs(3), async {
                    while connections.join_next().await.is_some() {}
                })
                .await;
                return Ok(());
            }
        };
        let Ok(permit) = unauthenticated.clone().try_acquire_owned() else {
            drop(socket);
            // A flood is recorded once a second, with how many were turned away, so it cannot
            // fill the disk with audit lines.
            refused += 1;
            if last_refusal_logged
                .is_none_or(|at: tokio::time::Instant| at.elapsed() >= Duration::from_secs(1))
            {
                tracing::warn!(
                    "{peer}: refused ({refused} in all since the last note): {} connections are already authenticating",
                    shared.limits.unauthenticated
                );
                audit_off_runtime(
                    &shared,
                    AuditEvent::ConnectionRefused {
                        peer: peer.to_string(),
                        reason: format!(
                            "too many unauthenticated connections ({refused} refused since the last note)"
                        ),
                    },
                );
                refused = 0;
                last_refusal_logged = Some(tokio::time::Instant::now());
            }
            continue;
        };
        let (connection, authenticated) = Connection::new(shared.clone(), peer, permit);
        let config = config.clone();
        let grace = shared.limits.login_grace;
        let stop = stop.clone();
        connections.spawn(serve_connection(
            config,
            socket,
            peer,
            connection,
            authenticated,
            grace,
            stop,
        ));
    }
}

async fn serve_connection(
    config: Arc<Config>,
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    connection: Connection,
    mut authenticated: watch::Receiver<bool>,
    grace: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // The version exchange counts against the login grace too: a client that sends nothing
    // holds its slot no longer than that.
    let deadline = tokio::time::Instant::now() + grace;
    let session = match tokio::time::timeout_at(
        deadline,
        russh::server::run_stream(config, socket, connection),
    )
    .await
    {
        Ok(Ok(session)) => session,
        Ok(Err(e)) => {
            tracing::debug!("{peer}: connection setup failed: {e}");
            return;
        }
        Err(_) => {
            tracing::info!("{peer}: closed: no SSH version within {grace:?}");
            return;
        }
    };
    let handle = session.handle();
    let mut session = std::pin::pin!(session);
    let grace_over = async {
        let timed_out = tokio::select! {
            () = tokio::time::sleep_until(deadline) => true,
            // An error means the connection is gone: the session future ends by itself.
            _ = authenticated.wait_for(|a| *a) => false,
        };
        if !timed_out {
            std::future::pending::<()>().await;
        }
    };
    let reason = tokio::select! {
        result = &mut session => {
            if let Err(e) = result {
                tracing::debug!("{peer}: connection ended: {e}");
            }
            return;
        }
        () = grace_over => {
            tracing::info!("{peer}: closed: not authenticated within {grace:?}");
            "authentication took too long"
        }
        _ = stop.changed() => "the server is shutting down",
    };
    let _ = handle
        .disconnect(
            russh::Disconnect::ByApplication,
            reason.into(),
            String::new(),
        )
        .await;
    // The session must run on to send the disconnect; a client that does not close gets a
    // second.
    let _ = tokio::time::timeout(Duration::from_secs(1), &mut session).await;
}
