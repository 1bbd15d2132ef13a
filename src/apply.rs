//! Apply: load the nftables ruleset (or Shorewall's files) with an
//! automatic rollback, and compare the live table with what the model
//! renders.
//!
//! The rollback does not depend on the terminal: a detached timer process
//! restores the saved table unless `fwgen apply --confirm` runs in time.
//! Everything lives in a private state directory (0700, files 0600):
//! - `lock`-less: the directory's own flock serialises every step that
//!   reads or changes the state (save, record, confirm, restore), so a
//!   confirm that comes while a restore runs waits for it and tells the
//!   truth afterwards;
//! - `timer.lock` is held by the live timer for its whole life: a pending
//!   record whose timer lock is free has lost its safety net, and every
//!   command says so. No PID is ever signalled: the timer watches the
//!   record and stops by itself once it is gone.

use std::fs::File;
use std::io::{self, BufRead, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{FlockOperation, Mode, OFlags};

use crate::secure_dir::SecureDir;

/// Where apply keeps the saved table and the pending confirmation.
pub const DEFAULT_STATE_DIR: &str = "/run/fwgen";

/// Bounds of `--confirm-within`, in seconds.
pub const CONFIRM_WITHIN: std::ops::RangeInclusive<u64> = 5..=3600;

/// How often the timer looks at the pending record.
const POLL: Duration = Duration::from_millis(200);

/// The timer stops accepting a Shorewall confirmation this long before
/// `shorewall try` starts restoring, so a confirmation never races it.
const SHOREWALL_MARGIN: Duration = Duration::from_secs(2);

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e} (install nftables / util-linux)"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// `nft list table inet TABLE`, or `None` when the table does not exist.
pub fn live_table(table: &str) -> Result<Option<String>, String> {
    let output = Command::new("nft")
        .args(["list", "table", "inet", table])
        .output()
        .map_err(|e| format!("cannot run nft: {e} (install nftables)"))?;
    if output.status.success() {
        return Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No such file or directory") {
        Ok(None)
    } else {
        Err(format!("nft list table inet {table}: {}", stderr.trim()))
    }
}

/// The table as the kernel lists it after loading `ruleset` into a fresh,
/// empty network namespace: the same normalisation as the live listing.
pub fn normalized(ruleset: &Path, table: &str) -> Result<String, String> {
    let path = ruleset.to_str().ok_or("the ruleset path is not UTF-8")?;
    run(
        "unshare",
        &[
            "--net",
            "sh",
            "-c",
            "nft -f \"$1\" && nft list table inet \"$2\"",
            "sh",
            path,
            table,
        ],
    )
}

/// `nft -c -f`: the kernel's verdict on a ruleset without loading it.
pub fn check(ruleset: &Path) -> Result<(), String> {
    run("nft", &["-c", "-f", &ruleset.to_string_lossy()]).map(|_| ())
}

/// Load a ruleset file in one transaction.
pub fn load(ruleset: &Path) -> Result<(), String> {
    run("nft", &["-f", &ruleset.to_string_lossy()]).map(|_| ())
}

/// A file that, loaded with `nft -f`, puts the table back exactly as it
/// was, or removes it when there was none.
pub fn restore_file(table: &str, live: Option<&str>) -> String {
    let mut text = format!("table inet {table}\ndelete table inet {table}\n");
    if let Some(live) = live {
        text.push_str(live);
    }
    text
}

/// Which backend a pending apply belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nftables,
    Shorewall,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nftables => "nftables",
            Kind::Shorewall => "shorewall",
        }
    }

    fn record(self) -> &'static str {
        match self {
            Kind::Nftables => "pending",
            Kind::Shorewall => "pending-shorewall",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "nftables" => Some(Kind::Nftables),
            "shorewall" => Some(Kind::Shorewall),
            _ => None,
        }
    }
}

/// The pending confirmation of an apply, as recorded in the state directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub kind: Kind,
    pub token: String,
    /// Seconds since the epoch when the apply was loaded.
    pub since: u64,
    /// Seconds it waits for a confirmation.
    pub within: u64,
    /// Shorewall: the staged directory and the directory it is written into.
    pub staging: Option<PathBuf>,
    pub out: Option<PathBuf>,
    /// Shorewall: the apply's `--force` (replace files fwgen did not write)
    /// and `--force-unsafe-dir`, which the confirmation writes with.
    pub force: bool,
    pub unsafe_dir: bool,
}

const RECORD_HEADER: &str = "fwgen pending 1";

impl Pending {
    fn to_text(&self) -> String {
        let mut text = format!(
            "{RECORD_HEADER}\nbackend {}\ntoken {}\nsince {}\nwithin {}\n",
            self.kind.name(),
            self.token,
            self.since,
            self.within
        );
        for (key, path) in [("staging", &self.staging), ("out", &self.out)] {
            if let Some(path) = path {
                text.push_str(&format!("{key} {}\n", path.display()));
            }
        }
        if self.kind == Kind::Shorewall {
            let word = |yes: bool| if yes { "yes" } else { "no" };
            text.push_str(&format!(
                "force {}\nunsafe {}\n",
                word(self.force),
                word(self.unsafe_dir)
            ));
        }
        text
    }

    /// Read a record back; anything unexpected makes it invalid.
    fn parse(text: &str, kind: Kind) -> Option<Pending> {
        let mut lines = text.lines();
        if lines.next()? != RECORD_HEADER {
            return None;
        }
        let mut field = |key: &str| {
            let line = lines.next()?;
            line.strip_prefix(key)?.strip_prefix(' ').map(str::to_owned)
        };
        let recorded = Kind::parse(&field("backend")?)?;
        let token = field("token")?;
        let since = field("since")?.parse().ok()?;
        let within = field("within")?.parse().ok()?;
        let path = |p: String| {
            let path = PathBuf::from(p);
            path.is_absolute().then_some(path)
        };
        let yes = |word: String| match word.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let (staging, out, force, unsafe_dir) = match kind {
            Kind::Shorewall => (
                Some(path(field("staging")?)?),
                Some(path(field("out")?)?),
                yes(field("force")?)?,
                yes(field("unsafe")?)?,
            ),
            Kind::Nftables => (None, None, false, false),
        };
        let token_ok = !token.is_empty() && token.chars().all(|c| c.is_ascii_hexdigit());
        (recorded == kind && token_ok && CONFIRM_WITHIN.contains(&within)).then_some(Pending {
            kind,
            token,
            since,
            within,
            staging,
            out,
            force,
            unsafe_dir,
        })
    }

    /// "since 12:00:01 UTC (40 s ago)".
    pub fn age(&self) -> String {
        let now = now_secs();
        format!(
            "loaded {} s ago, at {} seconds since the epoch",
            now.saturating_sub(self.since),
            self.since
        )
    }
}

/// Seconds since the epoch, as pending records keep time.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the state directory says about pending applies.
#[derive(Debug)]
pub enum Status {
    /// Nothing waits for a confirmation.
    Idle,
    /// An apply waits, and its timer is alive.
    Pending(Pending),
    /// An apply waits, but no timer will ever roll it back.
    Orphaned(Pending),
    /// A record exists but cannot be trusted.
    Damaged(String),
}

/// The private state directory: opened once per process; its flock is
/// the state lock.
pub struct State {
    pub dir: SecureDir,
}

impl State {
    /// Open (creating 0700) and check the state directory.
    pub fn open(path: &Path) -> Result<State, String> {
        SecureDir::open_private(path)
            .map(|dir| State { dir })
            .map_err(|e| e.to_string())
    }

    /// Take the state lock (released when the `State` is dropped).
    pub fn lock(&self) -> Result<(), String> {
        self.dir.lock().map_err(|e| e.to_string())
    }

    pub fn restore_name(&self) -> &'static str {
        "restore.nft"
    }

    pub fn restore_path(&self) -> PathBuf {
        self.dir.path().join(self.restore_name())
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("rollback.log")
    }

    pub fn save_restore(&self, text: &str) -> Result<(), String> {
        self.dir
            .replace(self.restore_name(), text.as_bytes(), 0o600)
            .map_err(|e| e.to_string())
    }

    /// Write a private copy of a file for nft to read, so that nothing can
    /// change it between `nft -c` and `nft -f`.
    pub fn private_copy(&self, name: &str, text: &str) -> Result<PathBuf, String> {
        self.dir
            .replace(name, text.as_bytes(), 0o600)
            .map_err(|e| e.to_string())?;
        Ok(self.dir.path().join(name))
    }

    /// The record of one backend: `Ok(None)` when there is none.
    pub fn pending(&self, kind: Kind) -> Result<Option<Pending>, String> {
        let bytes = self.dir.read(kind.record()).map_err(|e| e.to_string())?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes);
        Pending::parse(&text, kind).map(Some).ok_or_else(|| {
            format!(
                "{} is damaged; fwgen does not act on it. Check the live rules, then remove it",
                self.dir.path().join(kind.record()).display()
            )
        })
    }

    pub fn set_pending(&self, pending: &Pending) -> Result<(), String> {
        self.dir
            .replace(pending.kind.record(), pending.to_text().as_bytes(), 0o600)
            .map_err(|e| e.to_string())
    }

    pub fn clear_pending(&self, kind: Kind) -> Result<(), String> {
        self.dir
            .remove(kind.record())
            .and_then(|()| self.dir.sync())
            .map_err(|e| e.to_string())
    }

    fn timer_lock(&self) -> Result<File, String> {
        let fd = rustix::fs::openat(
            self.dir.as_fd(),
            "timer.lock",
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| {
            format!(
                "{}/timer.lock: {}",
                self.dir.path().display(),
                io::Error::from(e)
            )
        })?;
        Ok(File::from(fd))
    }

    /// Whether a timer holds its lock now.
    pub fn timer_alive(&self) -> Result<bool, String> {
        let file = self.timer_lock()?;
        match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(false),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(true),
            Err(e) => Err(io::Error::from(e).to_string()),
        }
    }

    /// Wait (bounded) until no timer holds its lock.
    pub fn wait_timer_gone(&self, within: Duration) -> Result<bool, String> {
        let start = Instant::now();
        while self.timer_alive()? {
            if start.elapsed() > within {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(true)
    }

    /// The state of pending applies, both backends.
    pub fn status(&self) -> Status {
        for kind in [Kind::Nftables, Kind::Shorewall] {
            match self.pending(kind) {
                Ok(None) => {}
                Ok(Some(pending)) => {
                    return match self.timer_alive() {
                        Ok(true) => Status::Pending(pending),
                        Ok(false) => Status::Orphaned(pending),
                        Err(e) => Status::Damaged(e),
                    };
                }
                Err(e) => return Status::Damaged(e),
            }
        }
        Status::Idle
    }

    /// Append a line to the rollback log (0600) and to the system log.
    pub fn log(&self, line: &str) {
        let appended = rustix::fs::openat(
            self.dir.as_fd(),
            "rollback.log",
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map(File::from)
        .map_err(io::Error::from)
        .and_then(|mut f| f.write_all(format!("{} {line}\n", now_secs()).as_bytes()));
        if let Err(e) = appended {
            eprintln!("fwgen: cannot write {}: {e}", self.log_path().display());
        }
        let _ = Command::new("logger")
            .args(["-t", "fwgen", "-p", "authpriv.warning", "--", line])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The loud warning for a pending apply without a live timer.
pub fn orphan_warning(state_dir: &Path, pending: &Pending) -> String {
    format!(
        "an apply ({}) is waiting for confirmation, {}, but its rollback timer is gone: nothing will roll it back. Keep the rules with `fwgen apply --confirm --state-dir {dir}` or restore the previous ones now with `fwgen apply --rollback-now --state-dir {dir}`",
        pending.kind.name(),
        pending.age(),
        dir = state_dir.display()
    )
}

/// A token unique to one apply.
pub fn new_token() -> String {
    crate::secure_dir::random_hex()
}

/// Start the detached timer, in its own session so it outlives the
/// terminal and this process, and wait until it holds the timer lock.
pub fn start_timer(state: &State, kind: Kind, token: &str, after: Duration) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["rollback-timer", "--state-dir"])
        .arg(state.dir.path())
        .args(["--backend", kind.name(), "--token", token])
        .args(["--after", &after.as_secs().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the rollback timer: {e}"))?;
    let mut ready = String::new();
    if let Some(out) = child.stdout.take() {
        // One line: the timer keeps running (and its end of the pipe open).
        let _ = io::BufReader::new(out).read_line(&mut ready);
    }
    if ready.trim() == "armed" {
        Ok(())
    } else {
        let _ = child.wait();
        Err(format!(
            "the rollback timer did not start ({})",
            ready.trim()
        ))
    }
}

/// Restore the saved table now (the caller holds the state lock).
pub fn roll_back(state: &State) -> Result<(), String> {
    load(&state.restore_path())
}

/// The timer's body. Holds the timer lock for its whole life; stops as
/// soon as its record is gone (confirmed); at the deadline restores under
/// the state lock unless the record went away meanwhile.
pub fn timer(state: &State, kind: Kind, token: &str, after: Duration) -> Result<(), String> {
    let lock = state.timer_lock()?;
    let start = Instant::now();
    loop {
        match rustix::fs::flock(&lock, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            Err(rustix::io::Errno::WOULDBLOCK) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                println!("another timer holds the lock: {}", io::Error::from(e));
                return Err("another rollback timer is running".into());
            }
        }
    }
    println!("armed");
    let _ = io::stdout().flush();
    let deadline = start + after;
    let ours = |state: &State| {
        state
            .pending(kind)
            .ok()
            .flatten()
            .is_some_and(|p| p.token == token)
    };
    match kind {
        Kind::Nftables => {
            while Instant::now() < deadline {
                std::thread::sleep(POLL);
                if !ours(state) {
                    return Ok(());
                }
            }
            restore_at_deadline(state, &ours)
        }
        Kind::Shorewall => shorewall_guard(state, &ours, deadline),
    }
}

fn restore_at_deadline(state: &State, ours: &dyn Fn(&State) -> bool) -> Result<(), String> {
    // A confirmation that holds the lock now finishes first.
    state.lock()?;
    if !ours(state) {
        return Ok(());
    }
    let result = roll_back(state);
    match &result {
        Ok(()) => {
            let _ = state.clear_pending(Kind::Nftables);
            state.log("no confirmation in time: restored the previous nftables table");
        }
        // The record stays: with no timer left, every fwgen command now says
        // that an apply waits unguarded, with --confirm and --rollback-now.
        Err(e) => state.log(&format!(
            "no confirmation in time, and restoring the previous nftables table FAILED: {e}"
        )),
    }
    result
}

/// Shorewall: `shorewall try` (and `shorewall6 try`) run as children of
/// this timer, so only their own parent ever signals them. A confirmation
/// removes the record; the guard then stops the children before their
/// restore can begin (it closes the window a margin before it).
fn shorewall_guard(
    state: &State,
    ours: &dyn Fn(&State) -> bool,
    deadline: Instant,
) -> Result<(), String> {
    let pending = state
        .pending(Kind::Shorewall)?
        .ok_or("no pending Shorewall apply")?;
    let staging = pending.staging.clone().ok_or("no staging directory")?;
    let mut children = Vec::new();
    for product in ["shorewall", "shorewall6"] {
        let dir = staging.join(product);
        if !dir.is_dir() {
            continue;
        }
        let child = Command::new(product)
            .arg("try")
            .arg(&dir)
            // Shorewall 5.2.8 insists on a unit suffix
            .arg(format!("{}s", pending.within))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {product} try: {e}"))?;
        children.push(child);
    }
    let closing = deadline.checked_sub(SHOREWALL_MARGIN).unwrap_or(deadline);
    let stop = |children: &mut Vec<std::process::Child>| {
        for child in children.iter_mut() {
            // The child is ours and not yet reaped: its PID is its own.
            if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
            }
            let _ = child.wait();
        }
    };
    while Instant::now() < closing {
        std::thread::sleep(POLL);
        if !ours(state) {
            stop(&mut children);
            return Ok(());
        }
    }
    state.lock()?;
    if ours(state) {
        let _ = state.clear_pending(Kind::Shorewall);
        state.log("no confirmation in time: Shorewall restores its previous state (shorewall try)");
    } else {
        // Confirmed between the last look and the lock: the confirmation
        // won, so Shorewall must not restore.
        stop(&mut children);
        state.dir.unlock();
        return Ok(());
    }
    state.dir.unlock();
    for child in &mut children {
        let _ = child.wait();
    }
    Ok(())
}

/// Confirm a pending apply under the state lock: a restore in progress
/// finishes first, and then there is nothing left to confirm. Returns the
/// apply that stays.
pub fn confirm(state: &State, kind: Kind) -> Result<Pending, String> {
    state.lock()?;
    let pending = state.pending(kind)?.ok_or(
        "nothing to confirm: no apply is waiting (its time ran out and the previous rules are back, or it was confirmed already)",
    )?;
    state.clear_pending(kind)?;
    Ok(pending)
}
