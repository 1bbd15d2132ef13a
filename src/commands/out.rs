//! Standard output for every command. A reader that goes away (`fwgen diff
//! | head`) ends the output, not fwgen: the rest is dropped and the command
//! finishes as it would have (its exit code still says what it found). Any
//! other write error (a full disk under `>`) is reported once and makes the
//! exit code 2, so a truncated file is never taken for a whole one.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

const OPEN: u8 = 0;
const CLOSED: u8 = 1;
const FAILED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(OPEN);

/// Write to stdout (through the [`out!`] and [`outln!`] macros).
pub(crate) fn write(text: std::fmt::Arguments<'_>) {
    if STATE.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STATE.store(CLOSED, Ordering::Relaxed);
        }
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            STATE.store(FAILED, Ordering::Relaxed);
        }
    }
}

/// Whether some output was lost for another reason than a closed reader.
pub(crate) fn failed() -> bool {
    STATE.load(Ordering::Relaxed) == FAILED
}
