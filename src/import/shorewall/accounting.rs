//! `accounting` (shorewall-accounting(5)): counting rules, read as
//! Accounting.pm reads them. A line whose ACTION is COUNT, DONE,
//! ACCOUNT(table,network) or NFACCT(objects) counts and changes no verdict
//! (Accounting.pm gives it no target, RETURN inside the accounting chain,
//! xtables-addons' ACCOUNT or an nfacct match, none of which accepts,
//! drops or rejects; the chains are jumped to at the head of INPUT,
//! FORWARD and OUTPUT and fall through back into them): the import notes
//! it by file and line, with what is lost, its counters. Any other ACTION
//! (a jump to an accounting chain, INLINE's raw matches, NFLOG) and what
//! Shorewall refuses are refused at the line.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::Importer;

/// The accounting file's columns, as process_accounting_rule names them.
const COLUMNS: &[(&str, usize)] = &[
    ("action", 0),
    ("chain", 1),
    ("source", 2),
    ("dest", 3),
    ("proto", 4),
    ("dport", 5),
    ("sport", 6),
    ("user", 7),
    ("mark", 8),
    ("ipsec", 9),
    ("headers", 10),
];

/// Accounting.pm's sections, in the order a file must give them.
const SECTIONS: &[&str] = &["PREROUTING", "INPUT", "OUTPUT", "FORWARD", "POSTROUTING"];

/// The chain a section's lines go to when CHAIN is `-`.
fn section_chain(section: &str) -> &'static str {
    match section {
        "PREROUTING" => "accountpre",
        "INPUT" => "accountin",
        "OUTPUT" => "accountout",
        "FORWARD" => "accountfwd",
        _ => "accountpost",
    }
}

/// ACCOUNT(table,network) as Accounting.pm checks it: the table and the
/// network, or why Shorewall refuses it.
fn account_target(inner: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = inner.split(',').collect();
    if parts.len() > 2 {
        return Err(format!(
            "invalid network address `{}` in ACCOUNT (Shorewall refuses it)",
            parts[1..].join(",")
        ));
    }
    let table = parts[0];
    if table.is_empty() || table == "-" {
        return Err("ACCOUNT needs a table name (Shorewall refuses it)".into());
    }
    if !table
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(format!(
            "invalid ACCOUNT table name `{table}` (Shorewall refuses it)"
        ));
    }
    let Some(net) = parts.get(1) else {
        return Err("ACCOUNT needs a network address (Shorewall refuses it)".into());
    };
    let valid = net.split_once('/').and_then(|(address, bits)| {
        let bits: u8 = bits.parse().ok()?;
        (address.parse::<Ipv4Addr>().is_ok() && bits <= 32).then_some(bits)
    });
    match valid {
        None => Err(format!(
            "invalid ACCOUNT network `{net}`: an IPv4 network in CIDR form (Shorewall refuses it)"
        )),
        Some(bits) if bits < 8 => Err(format!(
            "ACCOUNT network `{net}`: the netmask must be at least /8 (Shorewall refuses it)"
        )),
        Some(_) => Ok((table.to_owned(), (*net).to_owned())),
    }
}

/// NFACCT(object[!],...) as Accounting.pm splits it.
fn nfacct_objects(inner: &str) -> Result<(), String> {
    let invalid = || format!("invalid nfacct list `{inner}` (Shorewall refuses it)");
    if inner.starts_with(',') || inner.ends_with(',') || inner.contains(",,") {
        return Err(invalid());
    }
    for object in inner.split(',') {
        let name = object.strip_suffix('!').unwrap_or(object);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(invalid());
        }
    }
    Ok(())
}

/// What fwgen does with an ACTION: `Ok` for one that only counts.
fn counting_action(
    action: &str,
    tables: &mut BTreeMap<String, String>,
) -> Result<&'static str, String> {
    if action == "COUNT" {
        return Ok("COUNT");
    }
    if action == "DONE" {
        return Ok("DONE");
    }
    if action == "-" {
        return Err("ACTION must be specified (Shorewall refuses a line without one)".into());
    }
    if let Some(rest) = action.strip_prefix("ACCOUNT(") {
        let Some(inner) = rest.strip_suffix(')') else {
            return Err(format!(
                "invalid ACCOUNT action `{action}` (Shorewall refuses it)"
            ));
        };
        let (table, net) = account_target(inner)?;
        if let Some(previous) = tables.get(&table)
            && *previous != net
        {
            return Err(format!(
                "ACCOUNT table `{table}` was given the network {previous} above; Shorewall refuses another ({net})"
            ));
        }
        tables.insert(table, net);
        return Ok("ACCOUNT");
    }
    if let Some(inner) = action
        .strip_prefix("NFACCT(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        nfacct_objects(inner)?;
        return Ok("NFACCT");
    }
    // NFLOG hands the packet to a logging daemon and goes on (Accounting.pm
    // validate_level): it decides nothing.
    if action == "NFLOG" || action.starts_with("NFLOG(") && action.ends_with(')') {
        return Ok("NFLOG");
    }
    if action == "INLINE" || action.starts_with("INLINE:") {
        return Err("INLINE adds raw iptables matches after `;`, which fwgen does not read".into());
    }
    // A jump to an accounting chain (`web`, `web:COUNT`, `web:JUMP`): the
    // chain holds accounting lines only, whose DONE is a RETURN, so it
    // decides nothing either.
    let (chain, command) = action.split_once(':').unwrap_or((action, ""));
    let named = chain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if chain.is_empty() || !named || !matches!(command, "" | "COUNT" | "JUMP") {
        return Err(format!(
            "invalid accounting action `{action}` (Shorewall refuses it)"
        ));
    }
    Ok("a jump to an accounting chain")
}

impl Importer {
    /// The accounting file: every line noted (counting only) or refused.
    pub(super) fn accounting(&mut self) {
        let lines = self.lines("accounting");
        if lines.is_empty() {
            return;
        }
        if self.conf_setting("ACCOUNTING").as_deref() == Some("no") {
            let file = &lines[0].file;
            self.notes.push(format!(
                "{file}: not read, as ACCOUNTING=No makes Shorewall skip it; it has no effect"
            ));
            return;
        }
        let mangle = self.conf_setting("ACCOUNTING_TABLE").as_deref() == Some("mangle");
        // Accounting.pm's $asection: None before the first line, Some("")
        // once an unsectioned line was read.
        let mut section: Option<String> = None;
        let mut tables = BTreeMap::new();
        let mut chains: Vec<String> = Vec::new();
        let mut counted: Vec<String> = Vec::new();
        for line in lines {
            if let Some(name) = line.text.strip_prefix("?SECTION") {
                let name = name.trim().to_owned();
                let at = SECTIONS.iter().position(|s| *s == name);
                let before = section
                    .as_deref()
                    .map(|s| SECTIONS.iter().position(|x| *x == s));
                let reason = match (at, &before) {
                    (None, _) => Some(format!("invalid SECTION `{name}` (Shorewall refuses it)")),
                    (_, Some(None)) => {
                        Some("a SECTION after unsectioned lines (Shorewall refuses it)".to_owned())
                    }
                    (Some(at), Some(Some(before))) if at <= *before => Some(format!(
                        "duplicate or out-of-order SECTION {name} (Shorewall refuses it)"
                    )),
                    _ if (name == "PREROUTING" || name == "POSTROUTING") && !mangle => {
                        Some(format!(
                            "the {name} SECTION needs ACCOUNTING_TABLE=mangle (Shorewall refuses it)"
                        ))
                    }
                    _ => None,
                };
                match reason {
                    Some(reason) => self.refuse(&line, reason),
                    None => section = Some(name),
                }
                continue;
            }
            if line.text.starts_with("?COMMENT") {
                continue;
            }
            if line.text.starts_with('?') {
                self.refuse(
                    &line,
                    "compiler directives other than ?SECTION and ?COMMENT are not in fwgen's model",
                );
                continue;
            }
            let sectioned = section
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            section.get_or_insert_with(String::new);
            let action = line.text.split_whitespace().next().unwrap_or_default();
            let kind = match counting_action(action, &mut tables) {
                Ok(kind @ "a jump to an accounting chain") => {
                    chains.push(action.split(':').next().unwrap_or(action).to_owned());
                    kind
                }
                Ok(kind) => kind,
                Err(reason) => {
                    self.refuse(&line, reason);
                    continue;
                }
            };
            if line.text.contains(';') || line.text.contains('{') {
                self.refuse(
                    &line,
                    "raw matches or column=value pairs on an accounting line are not read by fwgen's import",
                );
                continue;
            }
            let Some(columns) = self.split(&line, COLUMNS) else {
                continue;
            };
            let given = |i: usize| columns.get(i).filter(|c| *c != "-");
            if given(7).is_some() && sectioned.as_deref() != Some("OUTPUT") {
                self.refuse(
                    &line,
                    "USER/GROUP only in the OUTPUT section (Shorewall refuses it elsewhere)",
                );
                continue;
            }
            if let (Some(section), Some(chain)) = (&sectioned, given(1))
                && chain != section_chain(section)
                && !chains.iter().any(|c| c == chain)
            {
                self.refuse(
                    &line,
                    format!(
                        "CHAIN `{chain}` in the {section} section: Shorewall takes only {} there or a chain an earlier line jumps to",
                        section_chain(section)
                    ),
                );
                continue;
            }
            counted.push(format!("{}:{} ({kind})", line.file, line.number));
        }
        if !counted.is_empty() {
            self.notes.push(format!(
                "traffic accounting {}: counts packets and changes no verdict (Accounting.pm gives COUNT, DONE, ACCOUNT, NFACCT, NFLOG and accounting chain lines no ACCEPT, DROP or REJECT; DONE returns from a chain); fwgen keeps no counters, so what `shorewall show accounting`, iptaccount or nfacct would report is lost",
                counted.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_read_as_accounting_pm_reads_them() {
        let mut tables = BTreeMap::new();
        assert_eq!(counting_action("COUNT", &mut tables), Ok("COUNT"));
        assert_eq!(counting_action("DONE", &mut tables), Ok("DONE"));
        assert_eq!(
            counting_action("ACCOUNT(vpn,10.77.0.0/24)", &mut tables),
            Ok("ACCOUNT")
        );
        assert!(
            counting_action("ACCOUNT(vpn,10.78.0.0/24)", &mut tables)
                .unwrap_err()
                .contains("was given the network 10.77.0.0/24")
        );
        for refused in [
            "ACCOUNT(vpn)",
            "ACCOUNT(,10.0.0.0/8)",
            "ACCOUNT(a b,10.0.0.0/8)",
            "ACCOUNT(big,10.0.0.0/7)",
            "ACCOUNT(x,10.0.0.0/8,1)",
            "ACCOUNT(x,10.0.0.0)",
            "NFACCT(,a)",
            "INLINE",
            "web:FOO",
            "we b",
            "-",
        ] {
            assert!(counting_action(refused, &mut tables).is_err(), "{refused}");
        }
        assert_eq!(counting_action("NFACCT(a,b!)", &mut tables), Ok("NFACCT"));
        assert_eq!(counting_action("NFLOG(4)", &mut tables), Ok("NFLOG"));
        for jump in ["web", "web:COUNT", "web:JUMP"] {
            assert_eq!(
                counting_action(jump, &mut tables),
                Ok("a jump to an accounting chain")
            );
        }
    }
}
