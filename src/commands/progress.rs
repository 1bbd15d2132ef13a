//! A spinner on stderr for work that takes more than a second (checking a
//! large model). indicatif draws it only when stderr is a terminal, and
//! clears it when the work is done, so output and logs never hold it.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before the spinner shows.
const DELAY: Duration = Duration::from_secs(1);

pub(crate) struct Progress {
    bar: ProgressBar,
    /// Dropped when the work is done, which tells the waiting thread.
    done: Option<Sender<()>>,
    waiting: Option<JoinHandle<()>>,
}

impl Progress {
    /// Start work described by `message`; the spinner appears only if the
    /// work is still running after [`DELAY`] (`FWGEN_PROGRESS_DELAY_MS`
    /// overrides it, for tests).
    pub(crate) fn start(message: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        let (done, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let delay = std::env::var("FWGEN_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(DELAY, Duration::from_millis);
        let waiting = std::thread::spawn(move || {
            if wait.recv_timeout(delay) == Err(RecvTimeoutError::Timeout) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(100));
            }
        });
        Progress {
            bar,
            done: Some(done),
            waiting: Some(waiting),
        }
    }

    /// The next step of the same work.
    pub(crate) fn step(&self, message: &str) {
        self.bar.set_message(message.to_owned());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(waiting) = self.waiting.take() {
            let _ = waiting.join();
        }
        self.bar.finish_and_clear();
    }
}
