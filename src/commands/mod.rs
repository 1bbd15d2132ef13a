//! The command-line commands, one file each; main.rs parses and dispatches.

pub mod apply;
pub mod check;
pub mod explain;
pub mod import;
pub mod init;
pub mod render;
