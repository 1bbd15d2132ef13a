//! `stoppedrules`, and the legacy `routestopped` read as `shorewall
//! update` converts it (Shorewall/Misc.pm, convert_routestopped), become
//! `[[stopped]]` entries: what passes while the firewall is stopped.

use super::{Importer, Kind, Line, Table, icmp_protocol, model_proto, syn_refused};

/// stoppedrules' columns, as process_stoppedrules (Misc.pm) names them:
/// no `action` (an `action=` pair is "Unknown column (action)").
const STOPPED_COLUMNS: &[(&str, usize)] = &[
    ("target", 0),
    ("source", 1),
    ("dest", 2),
    ("proto", 3),
    ("dport", 4),
    ("sport", 5),
];

/// routestopped's columns, as convert_routestopped names them.
const ROUTESTOPPED_COLUMNS: &[(&str, usize)] = &[
    ("interface", 0),
    ("hosts", 1),
    ("options", 2),
    ("proto", 3),
    ("dport", 4),
    ("sport", 5),
];

/// One stoppedrules line's worth: `-` is an empty column.
struct StoppedLine {
    source: String,
    dest: String,
    proto: String,
    dport: String,
    sport: String,
}

fn column(columns: &[String], at: usize) -> String {
    columns.get(at).cloned().unwrap_or_else(|| "-".to_owned())
}

impl Importer {
    pub(super) fn stopped(&mut self) {
        for line in self.commented_lines("stoppedrules") {
            let Some(columns) = self.split(&line, STOPPED_COLUMNS) else {
                continue;
            };
            match columns.first().map(String::as_str) {
                Some("ACCEPT") => {}
                Some(action @ ("DROP" | "NOTRACK")) => {
                    self.refuse(
                        &line,
                        format!("{action} in stoppedrules (the raw table while stopped) is not in fwgen's model; only ACCEPT is"),
                    );
                    continue;
                }
                other => {
                    let action = other.unwrap_or("");
                    self.refuse(
                        &line,
                        format!("`{action}` is not a stoppedrules action: ACCEPT, DROP or NOTRACK"),
                    );
                    continue;
                }
            }
            let entry = StoppedLine {
                source: column(&columns, 1),
                dest: column(&columns, 2),
                proto: column(&columns, 3),
                dport: column(&columns, 4),
                sport: column(&columns, 5),
            };
            self.stopped_entry(&line, &entry);
        }
        self.routestopped();
    }

    /// routestopped as `shorewall update` converts it into stoppedrules.
    fn routestopped(&mut self) {
        let lines = self.lines("routestopped");
        if let Some(first) = lines.first() {
            self.notes.push(format!(
                "{}:{}: routestopped is read as `shorewall update` converts it into stoppedrules (Shorewall 5.2 ignores an unconverted routestopped)",
                first.file, first.number
            ));
        }
        let output_open = self.settings.carried.stopped_output_open;
        // (interface, host, line index) of every host, in order, and each
        // line's protocol and ports.
        let mut hosts: Vec<(String, String, usize)> = Vec::new();
        let mut read: Vec<(Line, [String; 3], bool, bool)> = Vec::new();
        let mut out: Vec<(Line, StoppedLine)> = Vec::new();
        for line in lines {
            if line.text.starts_with('?') {
                self.refuse(
                    &line,
                    "compiler directives in routestopped are not converted by `shorewall update`",
                );
                continue;
            }
            let Some(columns) = self.split(&line, ROUTESTOPPED_COLUMNS) else {
                continue;
            };
            let interface = column(&columns, 0);
            if interface == "-" {
                self.refuse(
                    &line,
                    "INTERFACE must be specified (Shorewall refuses this line)",
                );
                continue;
            }
            if interface == "any" {
                self.refuse(
                    &line,
                    "INTERFACE `any`: `shorewall update` writes it into stoppedrules as an interface's name, which Shorewall then refuses (\"Unknown Interface (any)\"); name the interface",
                );
                continue;
            }
            let host_list = column(&columns, 1);
            // Misc.pm convert_routestopped writes `$interface:` and ALLIP
            // for no hosts, which in Shorewall6 is `eth1:::/0`: the
            // stoppedrules line `shorewall6 update` writes is refused
            // ("Invalid IPv6 address (eth1:::)").
            if self.ipv6 && host_list == "-" {
                self.refuse(
                    &line,
                    format!("no HOST(S): `shorewall6 update` converts the line to `{interface}:::/0`, which Shorewall6 then refuses (\"Invalid IPv6 address ({interface}:::)\"); write the hosts, e.g. `[::]/0`, or the line in stoppedrules"),
                );
                continue;
            }
            let (mut routeback, mut source, mut dest) = (false, false, false);
            let mut refused = false;
            for option in column(&columns, 2).split(',').filter(|o| *o != "-") {
                match option {
                    "routeback" => routeback = true,
                    "source" => source = true,
                    "dest" => dest = true,
                    "critical" => self.notes.push(format!(
                        "{}:{}: `critical` is no longer supported (or needed), Shorewall says, and ignores it",
                        line.file, line.number
                    )),
                    "notrack" => {
                        self.refuse(&line, "the notrack option (NOTRACK while stopped) is not in fwgen's model");
                        refused = true;
                    }
                    other => self.notes.push(format!(
                        "{}:{}: Shorewall ignores the unknown routestopped option `{other}`",
                        line.file, line.number
                    )),
                }
            }
            if refused {
                continue;
            }
            let rule = [
                column(&columns, 3),
                column(&columns, 4),
                column(&columns, 5),
            ];
            let index = read.len();
            let line_hosts: Vec<String> = if host_list == "-" {
                vec!["-".to_owned()]
            } else {
                host_list.split(',').map(str::to_owned).collect()
            };
            for host in &line_hosts {
                if routeback {
                    let end = end_of(&interface, host);
                    out.push((
                        line.clone(),
                        StoppedLine {
                            source: end.clone(),
                            dest: end,
                            proto: "-".to_owned(),
                            dport: "-".to_owned(),
                            sport: "-".to_owned(),
                        },
                    ));
                }
                hosts.push((interface.clone(), host.clone(), index));
            }
            read.push((line, rule, source, dest));
        }
        for (interface, host, index) in &hosts {
            let (line, rule, source, dest) = &read[*index];
            let entry = |source: String, dest: String| StoppedLine {
                source,
                dest,
                proto: rule[0].clone(),
                dport: rule[1].clone(),
                sport: rule[2].clone(),
            };
            let end = end_of(interface, host);
            out.push((line.clone(), entry(end.clone(), "$FW".to_owned())));
            if !output_open {
                out.push((line.clone(), entry("$FW".to_owned(), end.clone())));
            }
            if *source {
                out.push((line.clone(), entry(end.clone(), "-".to_owned())));
            }
            if *dest {
                out.push((line.clone(), entry("-".to_owned(), end.clone())));
            }
            if !source && !dest {
                // Misc.pm convert_routestopped pairs the hosts by their
                // names, `$interface|$host|$seq`: a host written twice on
                // one line is one, never paired with itself.
                for (other_interface, other_host, other_index) in &hosts {
                    if (other_interface, other_host, other_index) != (interface, host, index) {
                        let other = end_of(other_interface, other_host);
                        out.push((line.clone(), entry(end.clone(), other)));
                    }
                }
            }
        }
        for (line, entry) in out {
            self.stopped_entry(&line, &entry);
        }
    }

    /// One `[[stopped]]` per protocol of the line (Shorewall takes a list).
    fn stopped_entry(&mut self, line: &Line, entry: &StoppedLine) {
        let (source, dest) = match (
            self.stopped_end(&entry.source),
            self.stopped_end(&entry.dest),
        ) {
            (Ok(source), Ok(dest)) => (source, dest),
            (Err(reason), _) | (_, Err(reason)) => {
                self.refuse(line, reason);
                return;
            }
        };
        // From the firewall to itself: Misc.pm process_stoppedrules takes
        // DEST's chain (INPUT), and SOURCE's `$FW` says no more then, so
        // the line takes any sender (its addresses, if it names them).
        let firewall = |end: &str| end == "$FW" || end.starts_with("$FW:");
        let source = if firewall(&source) && firewall(&dest) {
            let any = source.replacen("$FW", "any", 1);
            self.notes.push(format!(
                "{}:{}: SOURCE `{}` to DEST `{}`: Shorewall takes the DEST's chain (INPUT) and reads the SOURCE as any sender{} (Misc.pm process_stoppedrules): carried as `{any}`",
                line.file,
                line.number,
                entry.source,
                entry.dest,
                if any == "any" { "" } else { " from its addresses" },
            ));
            any
        } else {
            source
        };
        if entry.sport == "=" {
            self.refuse(
                line,
                "SPORT `=` (either port matches) is not in fwgen's model",
            );
            return;
        }
        let given = |text: &str| (text != "-").then(|| text.to_owned());
        // Each protocol as resolve_proto reads it (`010` is 8, a name
        // from /etc/protocols its number), as in the rules file.
        if let Some(reason) = syn_refused(&entry.proto, "`[[stopped]]` entries") {
            return self.refuse(line, reason);
        }
        let mut protos: Vec<Option<String>> = Vec::new();
        for proto in given(&entry.proto).iter().flat_map(|list| list.split(',')) {
            // Shorewall6's `icmp` is ipv6-icmp, as in its rules file.
            let read = (self.protocols.resolve_in(proto, self.ipv6))
                .and_then(|(proto, note)| Ok((model_proto(&proto, self.ipv6)?, note)));
            match read {
                Ok((proto, note)) => {
                    self.note_at(line, note);
                    protos.push(Some(proto));
                }
                Err(reason) => return self.refuse(line, reason),
            }
        }
        if protos.is_empty() {
            protos.push(None);
        }
        let family = [&source, &dest].iter().find_map(|end| {
            end.split_once(':')
                .map(|(_, addresses)| addresses.contains(':'))
        });
        let mut zones = Vec::new();
        for end in [&source, &dest] {
            let place = end.split_once(':').map_or(end.as_str(), |(place, _)| place);
            zones.extend(self.interface_zone(place));
        }
        for proto in protos {
            if proto.as_deref().is_some_and(icmp_protocol) && entry.dport != "-" {
                let reason = format!(
                    "ICMP type `{}`: Shorewall compiles it (`--icmp-type`), and fwgen's `[[stopped]]` entries have no ICMP type (without DPORT the entry lets every ICMP packet through while stopped)",
                    entry.dport
                );
                return self.refuse(line, reason);
            }
            let Some((dport, sport)) = self.ports(
                line,
                proto.as_deref(),
                given(&entry.dport),
                given(&entry.sport),
            ) else {
                return;
            };
            let mut table = Table::array(&["stopped"]);
            table.push("source", &source);
            table.push("dest", &dest);
            table.push_some("proto", proto);
            table.push_some("dport", dport);
            table.push_some("sport", sport);
            table.push_some("comment", line.comment.as_ref());
            self.add(Kind::Stopped, "", zones.clone(), family, line, table);
        }
    }

    /// A stoppedrules SOURCE or DEST in the model's words: `any`, `$FW`,
    /// an interface, each with `:ADDRESS,...`; IPv6 addresses unbracketed.
    fn stopped_end(&self, text: &str) -> Result<String, String> {
        if text == "-" {
            return Ok("any".to_owned());
        }
        if let Some(reason) = self.bracket_problem(text) {
            return Err(reason);
        }
        if text.contains(['!', '~', '&', '+'])
            && !text.split(':').next().is_some_and(|p| p.ends_with('+'))
        {
            return Err(format!(
                "`{text}`: exclusions, ipsets and MAC addresses in stoppedrules are not in fwgen's model"
            ));
        }
        // Chains.pm isolate_source_interface reads Shorewall6's `<A>` as
        // `[A]` (`tr/<>/[]/`).
        let translated;
        let text = match self.ipv6 {
            true => {
                translated = text.replace('<', "[").replace('>', "]");
                translated.as_str()
            }
            false => text,
        };
        // Misc.pm process_stoppedrules takes `$FW:` off first.
        let on_firewall = ["$FW", self.firewall.as_str()]
            .iter()
            .find_map(|fw| text.strip_prefix(fw)?.strip_prefix(':'));
        let (place, addresses) = match (self.ipv6, on_firewall) {
            (true, None) => shorewall6_host(text)?.unwrap_or(("any", Some(text))),
            (true, Some(addresses)) => match shorewall6_host(addresses)? {
                None => ("$FW", Some(addresses)),
                Some(_) => {
                    return Err(format!(
                        "`{text}`: after `$FW:` Shorewall6 takes addresses, not an interface"
                    ));
                }
            },
            (false, None) if text.starts_with(|c: char| c.is_ascii_digit() || c == '[') => {
                ("any", Some(text))
            }
            (false, _) => match text.split_once(':') {
                Some((place, addresses)) => (place, Some(addresses)),
                None => (text, None),
            },
        };
        // An address list alone, on any interface.
        let bare = place == "any" && addresses == Some(text);
        let place = if place == "$FW" || place == self.firewall {
            "$FW"
        } else {
            place
        };
        // `any` is the model's word; Misc.pm process_stoppedrules reads
        // it as an interface's name ("Unknown Interface (any)").
        if place == "any" && !bare {
            return Err(format!(
                "`{text}`: Shorewall reads `any` here as an interface's name and refuses it (\"Unknown Interface (any)\"): write `-` for any interface"
            ));
        }
        let Some(addresses) = addresses else {
            return Ok(place.to_owned());
        };
        // `[2001:db8::]/64` is `2001:db8::/64`.
        let unbracketed: Vec<String> = addresses
            .split(',')
            .map(|a| a.replace(['[', ']'], ""))
            .collect();
        // Every address of the family: no narrowing.
        if unbracketed
            .iter()
            .all(|a| matches!(a.as_str(), "0.0.0.0/0" | "::/0"))
        {
            return Ok(place.to_owned());
        }
        Ok(format!("{place}:{}", unbracketed.join(",")))
    }
}

/// A Shorewall6 stoppedrules SOURCE or DEST split as Chains.pm
/// isolate_source_interface and isolate_dest_interface split it:
/// `IFACE:` takes only a bracketed address (`[A]`, `[A]/N`, `[A],[B]`)
/// or an ipset; any other text with a `:` is one address list, so
/// `eth1:2001:db8::1` is an address, which Shorewall6 refuses ("Unknown
/// Host"), and `fe80::1` an address on any interface. `Ok(None)`: the
/// whole text is an address list, and a valid one.
fn shorewall6_host(text: &str) -> Result<Option<(&str, Option<&str>)>, String> {
    let after_name = |rest: &str| {
        let bracketed = rest.starts_with('[')
            && (rest.ends_with(']') || {
                let (address, prefix) = rest.rsplit_once("]/").unwrap_or(("", ""));
                !address.is_empty()
                    && !prefix.is_empty()
                    && prefix.chars().all(|c| c.is_ascii_digit())
            });
        bracketed
            || rest
                .trim_start_matches('!')
                .starts_with(['+', '&', '%', '~'])
    };
    let split = (text.match_indices(':'))
        .map(|(at, _)| (&text[..at], &text[at + 1..]))
        .find(|(name, rest)| !name.is_empty() && rest.len() > 1 && after_name(rest));
    if let Some((name, rest)) = split {
        return Ok(Some((name, Some(rest))));
    }
    if !text.contains(':') {
        return Ok(Some((text, None)));
    }
    let addresses = text.replace("]-[", "-");
    let addresses = match addresses.strip_prefix('[') {
        Some(inner) if !inner.contains('[') => inner.strip_suffix(']').unwrap_or(inner),
        _ => &addresses,
    };
    let address = |a: &str| a.parse::<std::net::Ipv6Addr>().is_ok();
    let valid = addresses.split(',').all(|item| {
        // `[2001:db8::]/64` is `2001:db8::/64`.
        let item = item.replace(['[', ']'], "");
        let (item, prefix) = item.split_once('/').unwrap_or((&item, "128"));
        let prefix_ok = prefix.parse::<u8>().is_ok_and(|p| p <= 128);
        let range_ok = match item.split_once('-') {
            Some((low, high)) => address(low) && address(high),
            None => address(item),
        };
        prefix_ok && range_ok
    });
    match valid {
        true => Ok(None),
        false => Err(format!(
            "`{text}`: Shorewall6 reads it as one address and refuses it (\"Unknown Host\"; Chains.pm isolate_source_interface takes an address after an interface's name only in brackets): write `IFACE:[ADDRESS]`"
        )),
    }
}

/// A routestopped host on its interface, as stoppedrules writes it.
fn end_of(interface: &str, host: &str) -> String {
    if host == "-" {
        interface.to_owned()
    } else {
        format!("{interface}:{host}")
    }
}
