//! The lab's contact with the system: commands run (in a namespace or
//! not), tools looked up on PATH, a thread moved into a namespace, and
//! the signals that end a run (Ctrl-C) turned into an orderly stop, so
//! every namespace is deleted on the way out.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::Result;

/// Run a command, returning (success, stdout + stderr); a command that
/// cannot start is an error naming it.
pub fn run(program: &str, args: &[&str]) -> Result<(bool, String)> {
    let output = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok((output.status.success(), text))
}

/// Run a command that must succeed.
pub fn sh(args: &[&str]) -> Result<()> {
    let (ok, out) = run(args[0], &args[1..])?;
    if ok {
        Ok(())
    } else {
        Err(format!("lab setup failed: {}\n{out}", args.join(" ")))
    }
}

/// Run a command inside a namespace; it must succeed.
pub fn in_ns(netns: &str, args: &[&str]) -> Result<()> {
    let mut all = vec!["ip", "netns", "exec", netns];
    all.extend_from_slice(args);
    sh(&all)
}

/// Where `tool` is on PATH, if it is.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file())
}

/// Move the calling thread into a network namespace (a thread's network
/// namespace is its own).
pub fn enter(netns: &str) -> Result<()> {
    let path = Path::new("/var/run/netns").join(netns);
    let file = File::open(&path).map_err(|e| format!("netns {netns}: {e}"))?;
    // SAFETY: setns only changes this thread's network namespace; the
    // descriptor is open for the duration of the call.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!(
            "setns {netns}: {}",
            std::io::Error::last_os_error()
        ))
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on SIGINT, SIGTERM and SIGHUP only set a flag that the lab
/// checks between its steps ([`interrupted`]): the run then stops with an
/// error and its namespaces are deleted as on any other error.
pub fn catch_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with an empty mask and a handler that
        // only stores to an atomic is a valid, async-signal-safe handler.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// An error once a signal asked the run to stop.
pub fn interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        Err("interrupted: the lab's namespaces were deleted".to_owned())
    } else {
        Ok(())
    }
}
