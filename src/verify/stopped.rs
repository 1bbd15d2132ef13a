//! The stopped contest: Shorewall's compiled firewall after `stop`
//! (its stop_firewall, which loads the stopped state stoppedrules and
//! ADMINISABSENTMINDED say) against fwgen's stopped ruleset
//! (fwgen-stopped.nft), probed as the running firewalls are.

use std::path::Path;

use super::Result;
use super::contest::{run_compiled, vardir_of};
use super::topology::Topology;

/// Run `stop` of every script compiled and started in the lab, with the
/// same VARDIR: `load_shorewall`'s (`prefix` empty) or `load_original`'s
/// (`original-`).
pub(super) fn stop_shorewall(topology: &Topology, dir: &Path, prefix: &str) -> Result<()> {
    for product in ["shorewall", "shorewall6"] {
        let script = dir.join(format!("{prefix}{product}.compiled"));
        if !script.is_file() {
            continue;
        }
        let vardir = vardir_of(dir, &script);
        let (ok, out) = run_compiled(topology, &script, &vardir, "stop")?;
        if !ok {
            return Err(format!("{product} stop failed in the lab:\n{out}"));
        }
    }
    Ok(())
}

/// fwgen's stopped ruleset for the model.
pub fn nftables_stopped(model: &crate::model::Model) -> Result<String> {
    super::rendered(model, crate::backend::Backend::Nftables)?
        .into_iter()
        .find(|f| f.path == crate::backend::nftables::STOPPED_FILE_NAME)
        .map(|f| f.content)
        .ok_or_else(|| "the nftables backend rendered no stopped ruleset".to_owned())
}
