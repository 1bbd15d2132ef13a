//! Import: an existing configuration becomes a fwgen model.

pub mod shorewall;
