//! The command-line commands, one file each; main.rs parses and dispatches.

pub mod apply;
pub mod check;
pub mod explain;
pub mod generate;
pub mod import;
pub mod init;
pub mod out;
pub mod progress;
pub mod render;
pub mod verify;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use crate::{CHANGES, trouble};

/// Ask on the terminal, default no. `yes` answers for the user; without a
/// terminal the question is an error that says what to pass instead.
pub(crate) fn ask(
    yes: bool,
    question: &str,
    without_terminal: &str,
    declined: &str,
) -> Result<(), ExitCode> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(trouble(&format!(
            "no terminal to confirm on: {without_terminal}"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        return Ok(());
    }
    eprintln!("{declined}");
    Err(ExitCode::from(CHANGES))
}
