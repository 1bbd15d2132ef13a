//! `maclist` (shorewall-maclist(5)): each line becomes a `[[maclist]]`
//! entry, read as Misc.pm's setup_mac_lists reads it; MACLIST_DISPOSITION
//! and MACLIST_LOG_LEVEL become `maclist_disposition` and `maclist_log`
//! where an interface has the option. IPv4 alone: Shorewall6's
//! verification is not in fwgen's model (the option is refused there).

use super::{Header, Importer, Kind, Table, Value, log_level_setting};
use crate::model::{Disposition, Mac};

const MACLIST_COLUMNS: &[(&str, usize)] = &[
    ("disposition", 0),
    ("interface", 1),
    ("mac", 2),
    ("addresses", 3),
];

impl Importer {
    pub(super) fn maclist_file(&mut self) {
        for line in self.commented_lines("maclist") {
            let Some(columns) = self.split(&line, MACLIST_COLUMNS) else {
                continue;
            };
            match maclist_table(&columns) {
                Ok(table) => self.add(Kind::Maclist, "", Vec::new(), Some(false), &line, table),
                Err(reason) => self.refuse(&line, reason),
            }
        }
        if self.maclisted.is_some() {
            self.carry_maclist_settings();
        }
    }

    /// MACLIST_DISPOSITION and MACLIST_LOG_LEVEL into `[firewall]`;
    /// MACLIST_TABLE=mangle and MACLIST_TTL, which change what passes
    /// (a cache of verified source addresses), refused at the first line
    /// with the option.
    fn carry_maclist_settings(&mut self) {
        let Some(at) = self.maclisted.clone() else {
            return;
        };
        let value = |vars: &std::collections::BTreeMap<String, String>, key: &str| {
            vars.get(key)
                .map(|v| v.trim_matches('"').to_owned())
                .unwrap_or_default()
        };
        let table = value(&self.vars, "MACLIST_TABLE");
        if !table.is_empty() && table != "filter" {
            let reason = format!(
                "interface option `maclist` with MACLIST_TABLE={table}: fwgen verifies in the filter table (MACLIST_TABLE=filter)"
            );
            self.refuse(&at, reason);
        }
        let ttl = value(&self.vars, "MACLIST_TTL");
        if !ttl.is_empty() && ttl != "0" {
            let reason = format!(
                "interface option `maclist` with MACLIST_TTL={ttl}: Shorewall then passes a source address verified in the last {ttl} seconds whatever its MAC; fwgen verifies every new connection"
            );
            self.refuse(&at, reason);
        }
        let mut keys: Vec<(&str, String)> = Vec::new();
        let disposition = value(&self.vars, "MACLIST_DISPOSITION");
        if !disposition.is_empty() {
            match read_disposition(&disposition) {
                Some(read) => keys.push(("maclist_disposition", read.word().to_owned())),
                None => self.refuse(
                    &at,
                    format!("MACLIST_DISPOSITION={disposition} is not in fwgen's model (ACCEPT, DROP or REJECT)"),
                ),
            }
        }
        match log_level_setting("MACLIST_LOG_LEVEL", &value(&self.vars, "MACLIST_LOG_LEVEL")) {
            Ok(Some(level)) => keys.push(("maclist_log", level)),
            Ok(None) => {}
            Err(reason) => self.refuse(&at, reason),
        }
        self.unnote(&["MACLIST_DISPOSITION", "MACLIST_LOG_LEVEL"]);
        let firewall = self
            .header
            .iter_mut()
            .find(|table| table.header == Header::Table(vec!["firewall".to_owned()]));
        if let Some(firewall) = firewall {
            for (key, value) in keys {
                firewall.push(key, value.as_str());
            }
        }
    }
}

impl Importer {
    /// Take carried settings out of shorewall.conf's note of the settings
    /// that change no verdict (written before the interfaces are read).
    fn unnote(&mut self, carried: &[&str]) {
        let start = format!(
            "{}shorewall.conf: these settings change no verdict and are not carried: ",
            self.label
        );
        let Some(at) = self.notes.iter().position(|n| n.starts_with(&start)) else {
            return;
        };
        let kept: Vec<String> = self.notes[at][start.len()..]
            .split(", ")
            .filter(|name| !carried.contains(name))
            .map(str::to_owned)
            .collect();
        if kept.is_empty() {
            self.notes.remove(at);
        } else {
            self.notes[at] = format!("{start}{}", kept.join(", "));
        }
    }
}

/// ACCEPT, DROP or REJECT (a maclist disposition).
fn read_disposition(text: &str) -> Option<Disposition> {
    Disposition::parse(text).filter(|d| *d != Disposition::Continue)
}

/// One maclist line as the model writes it, or why it is refused.
fn maclist_table(columns: &[String]) -> Result<Table, String> {
    let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
    let written = get(0).unwrap_or_default();
    let (word, level) = match written.split_once(':') {
        Some((word, level)) => (word, Some(level)),
        None => (written.as_str(), None),
    };
    let disposition = read_disposition(word)
        .ok_or_else(|| format!("Invalid DISPOSITION ({written}) (Shorewall refuses it)"))?;
    let interface = get(1).ok_or("a maclist line needs an INTERFACE (Shorewall refuses it)")?;
    let mac = get(2).as_deref().map(shorewall_mac).transpose()?;
    let addresses: Vec<String> = get(3)
        .map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    if mac.is_none() && addresses.is_empty() {
        return Err(
            "You must specify a MAC address or an IP address (Shorewall refuses it)".to_owned(),
        );
    }
    let mut table = Table::array(&["maclist"]);
    table.push("disposition", disposition.word());
    table.push_some("log", level.filter(|l| !l.is_empty()));
    table.push("interface", interface.as_str());
    table.push_some("mac", mac.map(|m| m.to_string()));
    if !addresses.is_empty() {
        table.push("addresses", Value::strings(&addresses));
    }
    Ok(table)
}

/// A maclist MAC as Chains.pm do_mac reads it: an optional `~` (`!~`
/// negates it), `-` as `:`, then two hex digits a byte
/// (`^(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$`; helper-231: fwgen took
/// `2:0:0:0:1:ab`, which Shorewall refuses).
fn shorewall_mac(text: &str) -> Result<Mac, String> {
    if text.starts_with("!~") {
        return Err(format!(
            "`{text}`: a negated MAC (every sender but this one) is not in fwgen's maclist"
        ));
    }
    let plain = text.strip_prefix('~').unwrap_or(text).replace('-', ":");
    let bytes: Vec<&str> = plain.split(':').collect();
    let two_hex = |b: &&str| b.len() == 2 && b.bytes().all(|c| c.is_ascii_hexdigit());
    match Mac::parse(&plain) {
        Some(mac) if bytes.len() == 6 && bytes.iter().all(two_hex) => Ok(mac),
        _ => Err(format!(
            "`{text}` is not a MAC address: Shorewall refuses it (\"Invalid MAC address\"; six bytes of two hex digits each)"
        )),
    }
}
