//! The listening side: russh's configuration (public keys only, modern algorithms, strict key
//! exchange), the accept loop with its limits, and the count of who is logged in.
//!
//! The accept loop is our own rather than russh's `run_on_socket`, because the limits on
//! connections that have not authenticated yet, and the time they get to do it, must be applied
//! before russh spends anything on them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::ssh_key::PrivateKey;
use russh::keys::{Algorithm, EcdsaCurve};
use russh::server::Config;
use russh::{MethodKind, MethodSet, Preferred, cipher, compression, kex, mac};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::ExecFn;
use super::handler::{Connection, audit_off_runtime};
use super::users::UsersFile;
use crate::audit::AuditEvent;
use crate::core::Core;
pub(super) use crate::core::lock;
use crate::tui::Lang;

/// Limits that keep one client, or many, from starving the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections that have not authenticated yet, at once; more are closed on accept.
    pub unauthenticated: usize,
    /// Of those, from one address: one client cannot take every slot.
    pub unauthenticated_per_address: usize,
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
            unauthenticated_per_address: 5,
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

/// A connection's place among those still authenticating (in total and from its address);
/// freed when it authenticates or ends.
pub(super) struct Pending {
    _permit: OwnedSemaphorePermit,
    per_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    address: IpAddr,
}

impl Pending {
    /// A place for a connection from `address`, or why there is none.
    fn take(
        total: &Arc<Semaphore>,
        per_address: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        address: IpAddr,
        limits: &Limits,
    ) -> Result<Pending, &'static str> {
        let permit = total
            .clone()
            .try_acquire_owned()
            .map_err(|_| "too many unauthenticated connections")?;
        let mut counts = lock(per_address);
        let mine = counts.entry(address).or_insert(0);
        if *mine >= limits.unauthenticated_per_address {
            return Err("too many unauthenticated connections from this address");
        }
        *mine += 1;
        Ok(Pending {
            _permit: permit,
            per_address: per_address.clone(),
            address,
        })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut counts = lock(&self.per_address);
        if let Some(n) = counts.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.address);
            }
        }
    }
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
    let per_address = Arc::new(Mutex::new(HashMap::new()));
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
        let why = match Pending::take(&unauthenticated, &per_address, peer.ip(), &shared.limits) {
            Ok(pending) => {
                spawn_connection(
                    &mut connections,
                    &config,
                    &shared,
                    &stop,
                    socket,
                    peer,
                    pending,
                );
                continue;
            }
            Err(why) => why,
        };
        drop(socket);
        // A flood is recorded once a second, with how many were turned away, so it cannot
        // fill the disk with audit lines.
        refused += 1;
        if last_refusal_logged
            .is_none_or(|at: tokio::time::Instant| at.elapsed() >= Duration::from_secs(1))
        {
            tracing::warn!("{peer}: refused: {why} ({refused} refused since the last note)");
            audit_off_runtime(
                &shared,
                AuditEvent::ConnectionRefused {
                    peer: peer.to_string(),
                    reason: format!("{why} ({refused} refused since the last note)"),
                },
            );
            refused = 0;
            last_refusal_logged = Some(tokio::time::Instant::now());
        }
    }
}

/// Serves one accepted connection on a task of its own.
fn spawn_connection(
    connections: &mut tokio::task::JoinSet<()>,
    config: &Arc<Config>,
    shared: &Arc<Shared>,
    stop: &watch::Receiver<bool>,
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    pending: Pending,
) {
    let (connection, authenticated) = Connection::new(shared.clone(), peer, pending);
    connections.spawn(serve_connection(
        config.clone(),
        socket,
        peer,
        connection,
        authenticated,
        shared.limits.login_grace,
        stop.clone(),
    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_take_every_unauthenticated_place() {
        let limits = Limits {
            unauthenticated: 3,
            unauthenticated_per_address: 2,
            ..Limits::default()
        };
        let total = Arc::new(Semaphore::new(limits.unauthenticated));
        let per_address = Arc::new(Mutex::new(HashMap::new()));
        let a: IpAddr = "192.0.2.1".parse().expect("address");
        let b: IpAddr = "192.0.2.2".parse().expect("address");
        let take = |ip| Pending::take(&total, &per_address, ip, &limits);
        let first = take(a).expect("first from a");
        let _second = take(a).expect("second from a");
        assert_eq!(
            take(a).err(),
            Some("too many unauthenticated connections from this address")
        );
        let _from_b = take(b).expect("b still gets in");
        assert_eq!(take(b).err(), Some("too many unauthenticated connections"));
        drop(first);
        assert!(take(a).is_ok(), "a place freed is free again");
        assert!(lock(&per_address).get(&a).is_some_and(|n| *n <= 2));
    }
}
