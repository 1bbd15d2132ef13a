//! Import: an existing configuration becomes a fwgen model.

mod condition;
mod conditional;
mod file;
pub mod shorewall;
