//! Import: an existing configuration becomes a fwgen model.

mod conditional;
mod file;
pub mod shorewall;
