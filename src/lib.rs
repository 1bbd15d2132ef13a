//! fwgen: one typed model of a zone-based firewall, rendered into
//! Shorewall's configuration or an equivalent nftables ruleset.
//!
//! The pipeline, one module each: load ([`load`]) -> parse ([`config`]) ->
//! analyze ([`analyze`], producing a [`model::Model`]) -> lower and render
//! (one per backend in [`backend`]) -> emit ([`emit`]).

pub mod analyze;
pub mod apply;
pub mod backend;
pub mod check;
pub mod config;
pub mod emit;
pub mod error;
pub mod explain;
pub mod import;
pub mod input;
pub mod load;
pub mod model;
pub mod nft_defines;
pub mod nft_scope;
pub mod plan;
pub mod ruleset;
pub mod schema;
pub mod secure_dir;
pub mod source;
pub mod verify;
