//! Import: an existing configuration becomes a fwgen model.

mod file;
pub mod shorewall;
