//! What keeps the login from being guessed or flooded: failed logins
//! counted per account name and per client address, a name or address
//! with too many of them refused for a while before any password is
//! checked, and a cap on the argon2 checks that run at once (each takes
//! tens of milliseconds of a core on purpose).
//!
//! The counts live in memory: a restart forgets them, which costs an
//! attacker a restart of the desk they cannot cause. Each table keeps at
//! most `KEPT` entries, so a flood of made-up names cannot grow it.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The window failures are counted in, and how long a lock lasts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures of one account name within the window that lock it.
pub const NAME_FAILURES: u32 = 5;
/// Failures from one client address within the window, across names,
/// that lock the address.
pub const ADDRESS_FAILURES: u32 = 20;
/// Failures within the window of all clients whose address a proxy did
/// not forward, together: they cannot be told apart, so they share one
/// count, high enough that a district's mistyped passwords do not reach
/// it and low enough that made-up names cannot push a name's count out of
/// the table (it holds [`KEPT`]) to guess it again.
pub const UNKNOWN_FAILURES: u32 = 200;
/// Entries kept per table.
const KEPT: usize = 4096;
/// Longer names cannot be accounts (`gongwen user add` refuses them); the
/// key is cut there so a megabyte of name costs no megabyte of memory.
const NAME_CHARS: usize = 64;

/// One name's or address's failures in the current window.
#[derive(Debug, Clone, Copy)]
struct Tally {
    /// The first failure of the window, in ms since the epoch.
    since: i64,
    failures: u32,
    /// Locked until then (ms since the epoch); 0 when not locked.
    until: i64,
}

impl Tally {
    fn locked(&self, now: i64) -> Option<i64> {
        (self.until > now).then(|| self.until - now)
    }

    /// Still saying something: locked, or its window not over.
    fn live(&self, now: i64) -> bool {
        self.until > now || now - self.since < WINDOW_MS
    }
}

struct Tallies<K> {
    map: HashMap<K, Tally>,
}

impl<K: Hash + Eq + Clone> Tallies<K> {
    fn new() -> Self {
        Tallies {
            map: HashMap::new(),
        }
    }

    fn locked(&self, key: &K, now: i64) -> Option<i64> {
        self.map.get(key).and_then(|t| t.locked(now))
    }

    /// One more failure; true when it locks the key, which `limit` of
    /// them do.
    fn fail(&mut self, key: &K, now: i64, limit: u32) -> bool {
        if !self.map.contains_key(key) {
            self.room(now);
        }
        let t = self.map.entry(key.clone()).or_insert(Tally {
            since: now,
            failures: 0,
            until: 0,
        });
        if !t.live(now) {
            *t = Tally {
                since: now,
                failures: 0,
                until: 0,
            };
        }
        t.failures += 1;
        if t.failures >= limit && t.until <= now {
            t.until = now + WINDOW_MS;
            return true;
        }
        false
    }

    /// Takes back a failure counted before its password was checked.
    fn undo(&mut self, key: &K, locked_by_it: bool) {
        if let Some(t) = self.map.get_mut(key) {
            t.failures = t.failures.saturating_sub(1);
            if locked_by_it {
                t.until = 0;
            }
        }
    }

    /// Makes room for one more key: entries that say nothing any more go
    /// first, then the oldest unlocked one, then the oldest of all.
    fn room(&mut self, now: i64) {
        if self.map.len() < KEPT {
            return;
        }
        self.map.retain(|_, t| t.live(now));
        if self.map.len() < KEPT {
            return;
        }
        let oldest = self
            .map
            .iter()
            .min_by_key(|(_, t)| (t.locked(now).is_some(), t.since))
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.map.remove(&k);
        }
    }
}

/// The failed-login counts of one desk.
pub struct Throttle {
    tallies: Mutex<(Tallies<String>, Tallies<IpAddr>)>,
}

/// A login attempt counted as failed until its password proves right.
#[derive(Debug, PartialEq, Eq)]
pub struct Attempt {
    name: String,
    /// The address as counted ([`address_slot`]).
    address: IpAddr,
    /// This attempt's failure locked the name, the address.
    pub locks_name: bool,
    pub locks_address: bool,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            tallies: Mutex::new((Tallies::new(), Tallies::new())),
        }
    }
}

fn name_key(name: &str) -> String {
    name.chars().take(NAME_CHARS).collect()
}

/// An address as counted: an IPv4-mapped IPv6 address as IPv4, and an
/// IPv6 address by its /64, which one host can fill with addresses.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

/// Where a client's failures are counted, and how many lock it: its
/// address, or with every other client a proxy did not name, the
/// unspecified address (no client has it) up to [`UNKNOWN_FAILURES`].
fn address_slot(address: Option<IpAddr>) -> (IpAddr, u32) {
    match address {
        Some(ip) => (address_key(ip), ADDRESS_FAILURES),
        None => (
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
            UNKNOWN_FAILURES,
        ),
    }
}

impl Throttle {
    fn tallies(&self) -> MutexGuard<'_, (Tallies<String>, Tallies<IpAddr>)> {
        self.tallies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long the name or the address is still locked, in ms.
    pub fn locked(&self, name: &str, address: impl Into<Option<IpAddr>>, now: i64) -> Option<i64> {
        let t = self.tallies();
        let (address, _) = address_slot(address.into());
        t.0.locked(&name_key(name), now)
            .max(t.1.locked(&address, now))
    }

    /// Counts an attempt as failed before its password is checked, so that
    /// attempts running at once cannot get past the limit together;
    /// `Err` with the time left when the name or address is locked.
    pub fn begin(
        &self,
        name: &str,
        address: impl Into<Option<IpAddr>>,
        now: i64,
    ) -> Result<Attempt, i64> {
        let (name, (address, limit)) = (name_key(name), address_slot(address.into()));
        let mut t = self.tallies();
        if let Some(left) = t.0.locked(&name, now).max(t.1.locked(&address, now)) {
            return Err(left);
        }
        let locks_name = t.0.fail(&name, now, NAME_FAILURES);
        let locks_address = t.1.fail(&address, now, limit);
        Ok(Attempt {
            name,
            address,
            locks_name,
            locks_address,
        })
    }

    /// The password was right: the name starts afresh, and the address
    /// has one failure fewer.
    pub fn succeeded(&self, a: &Attempt) {
        let mut t = self.tallies();
        t.0.map.remove(&a.name);
        t.1.undo(&a.address, a.locks_address);
    }

    /// The password could not be checked (the records failed): the
    /// attempt counts for nothing.
    pub fn void(&self, a: &Attempt) {
        let mut t = self.tallies();
        t.0.undo(&a.name, a.locks_name);
        t.1.undo(&a.address, a.locks_address);
    }

    /// When the name's count began, if it has one.
    pub fn since(&self, name: &str) -> Option<i64> {
        self.tallies().0.map.get(&name_key(name)).map(|t| t.since)
    }

    /// The name starts afresh (its password was reset).
    pub fn forget(&self, name: &str) {
        self.tallies().0.map.remove(&name_key(name));
    }
}

/// At most `most` argon2 checks at once; a few more wait their turn for
/// a while, the rest are turned away at once rather than held in a queue
/// that grows with the flood.
pub struct Gate {
    /// Running, waiting.
    state: Mutex<(usize, usize)>,
    freed: Condvar,
    most: usize,
    queue: usize,
    patience: Duration,
}

/// A turn at the gate, given back when dropped.
pub struct Pass<'a>(&'a Gate);

impl Gate {
    pub fn new(most: usize, queue: usize, patience: Duration) -> Gate {
        Gate {
            state: Mutex::new((0, 0)),
            freed: Condvar::new(),
            most: most.max(1),
            queue,
            patience,
        }
    }

    /// As many checks at once as the machine has cores (at most 4), and
    /// four times that waiting up to 5 s: enough for a whole district
    /// logging in at 8 o'clock, while a flood leaves the cores and most of
    /// the server's threads to the clerks' saves.
    pub fn for_this_machine() -> Gate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        Gate::new(cores, 4 * cores, Duration::from_secs(5))
    }

    fn state(&self) -> MutexGuard<'_, (usize, usize)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A turn, or `None` when too many are waiting or the wait ran out.
    pub fn enter(&self) -> Option<Pass<'_>> {
        let mut s = self.state();
        if s.0 < self.most {
            s.0 += 1;
            return Some(Pass(self));
        }
        if s.1 >= self.queue {
            return None;
        }
        s.1 += 1;
        let deadline = Instant::now() + self.patience;
        while s.0 >= self.most {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                s.1 -= 1;
                return None;
            }
            s = self
                .freed
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        s.1 -= 1;
        s.0 += 1;
        Some(Pass(self))
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        self.0.state().0 -= 1;
        self.0.freed.notify_one();
    }
}

/// Minutes to wait, as the refusal says them: rounded up, at least 1.
pub fn minutes(ms: i64) -> i64 {
    ((ms + 59_999) / 60_000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: i64 = 1_760_000_000_000;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_failures_lock_a_name_for_the_window_and_success_clears_it() {
        let t = Throttle::default();
        let a = ip("10.0.0.1");
        for i in 0..4 {
            let at = t.begin("alice", a, AT + i).unwrap();
            assert!(!at.locks_name);
        }
        // A right password after four failures: the name starts afresh.
        let ok = t.begin("alice", a, AT + 10).unwrap();
        t.succeeded(&ok);
        assert_eq!(t.since("alice"), None);
        for i in 0..5 {
            let at = t.begin("alice", a, AT + 20 + i).unwrap();
            assert_eq!(at.locks_name, i == 4);
        }
        assert_eq!(t.begin("alice", a, AT + 30), Err(WINDOW_MS - 6));
        // Another name from the same address is not locked.
        assert!(t.begin("bob", a, AT + 30).is_ok());
        assert_eq!(
            t.locked("alice", ip("10.0.0.2"), AT + 30),
            Some(WINDOW_MS - 6)
        );
        let after = AT + 24 + WINDOW_MS;
        assert_eq!(t.locked("alice", a, after), None);
        // After the lock, five tries again.
        for _ in 0..4 {
            assert!(!t.begin("alice", a, after).unwrap().locks_name);
        }
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let t = Throttle::default();
        let a = ip("10.0.0.1");
        for i in 0..4 {
            t.begin("alice", a, AT + i * 60_000).unwrap();
        }
        let later = AT + WINDOW_MS + 1;
        for _ in 0..4 {
            assert!(!t.begin("alice", a, later).unwrap().locks_name);
        }
        assert!(t.begin("alice", a, later).unwrap().locks_name);
    }

    #[test]
    fn twenty_failures_lock_an_address_across_names() {
        let t = Throttle::default();
        let a = ip("2001:db8::1");
        for i in 0..20 {
            let at = t.begin(&format!("n{i}"), a, AT).unwrap();
            assert_eq!(at.locks_address, i == 19);
        }
        // The same /64 is the same client; another address is not.
        assert_eq!(t.locked("new", ip("2001:db8::2"), AT), Some(WINDOW_MS));
        assert!(t.begin("new", ip("2001:db8:0:1::1"), AT).is_ok());
        assert_eq!(
            address_key(ip("::ffff:10.0.0.1")),
            address_key(ip("10.0.0.1"))
        );
    }

    /// Through a proxy that does not forward the clients' addresses, every
    /// clerk would have the proxy's: their failures share a count of 200,
    /// not an address's 20, so fifty from anywhere lock no one else out,
    /// while a flood of made-up names still ends.
    #[test]
    fn unknown_addresses_share_a_higher_limit() {
        let t = Throttle::default();
        for i in 0..50 {
            let at = t.begin(&format!("n{i}"), None, AT).unwrap();
            assert!(!at.locks_address);
        }
        assert_eq!(t.locked("clerk", None, AT), None);
        for i in 0..5 {
            let at = t.begin("alice", None, AT).unwrap();
            assert_eq!(at.locks_name, i == 4);
        }
        assert_eq!(t.locked("alice", None, AT), Some(WINDOW_MS));
        for i in 55..UNKNOWN_FAILURES {
            let at = t.begin(&format!("n{i}"), None, AT).unwrap();
            assert_eq!(at.locks_address, i == UNKNOWN_FAILURES - 1);
        }
        assert_eq!(t.begin("clerk", None, AT + 1), Err(WINDOW_MS - 1));
        // A client the proxy names is counted apart.
        assert!(t.begin("clerk", ip("10.0.0.1"), AT).is_ok());
    }

    #[test]
    fn an_attempt_whose_password_proves_right_unlocks_what_it_locked() {
        let t = Throttle::default();
        let a = ip("10.0.0.1");
        for i in 0..19 {
            t.begin(&format!("n{i}"), a, AT).unwrap();
        }
        let last = t.begin("alice", a, AT).unwrap();
        assert!(last.locks_address);
        t.succeeded(&last);
        assert_eq!(t.locked("bob", a, AT), None);
    }

    #[test]
    fn a_flood_of_names_keeps_the_table_bounded_and_locks_kept_longest() {
        let t = Throttle::default();
        for i in 0..5 {
            t.begin("alice", ip("10.0.0.1"), AT + i).unwrap();
        }
        for i in 0..3 * KEPT {
            let from = IpAddr::V4((0x0a01_0000 + i as u32).into());
            t.begin(&format!("random{i}"), from, AT + 10).unwrap();
        }
        let tallies = t.tallies();
        assert!(tallies.0.map.len() <= KEPT && tallies.1.map.len() <= KEPT);
        assert!(tallies.0.locked(&"alice".to_string(), AT + 10).is_some());
        drop(tallies);
        let long = "长".repeat(100_000);
        t.begin(&long, ip("10.0.0.2"), AT).unwrap();
        assert_eq!(t.since(&long), t.since(&"长".repeat(NAME_CHARS)));
    }

    #[test]
    fn the_gate_lets_a_few_through_and_turns_the_rest_away() {
        let g = Gate::new(2, 1, Duration::from_millis(50));
        let (_a, _b) = (g.enter().unwrap(), g.enter().unwrap());
        let started = Instant::now();
        assert!(g.enter().is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));

        let g = Gate::new(1, 1, Duration::from_secs(5));
        let held = g.enter().unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| g.enter().map(drop).is_some());
            while g.state().1 == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
            // The queue is full: turned away at once, not after 5 s.
            let started = Instant::now();
            assert!(g.enter().is_none());
            assert!(started.elapsed() < Duration::from_secs(1));
            drop(held);
            assert!(waiter.join().unwrap());
        });
        assert_eq!(*g.state(), (0, 0));
    }

    #[test]
    fn the_wait_is_said_in_whole_minutes() {
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(15 * 60_000), 15);
        assert_eq!(minutes(14 * 60_000 + 1), 15);
    }
}
