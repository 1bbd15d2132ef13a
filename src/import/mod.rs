//! Import: an existing configuration becomes a fwgen model.

mod condition;
mod conditional;
mod file;
mod listing;
mod logging;
pub mod setting;
pub mod shorewall;
