//! Import: an existing configuration becomes a fwgen model.

mod condition;
mod conditional;
mod default_action;
mod document;
mod file;
mod limits;
pub mod listing;
mod logging;
pub mod macros;
mod numeric;
mod protocols;
pub mod services;
pub mod setting;
pub mod shorewall;
