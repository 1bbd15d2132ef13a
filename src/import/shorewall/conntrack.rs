//! `conntrack` (shorewall-conntrack(5)): each NOTRACK line becomes a
//! `[[conntrack]]` entry, read as Raw.pm's setup_conntrack and
//! process_conntrack_rule read it: FORMAT 1 (no ACTION column, NOTRACK),
//! FORMAT 2 (a SOURCE zone) and FORMAT 3 (a chain designator, `-` for the
//! SOURCE). Shorewall's shipped helper block is `conntrack_helpers`
//! (AUTOHELPERS: src/import/listing.rs takes it out); the other actions
//! are refused with the reason.

use super::{
    Importer, Kind, Line, Table, model_proto, port_protocol, rule_family, split_syn, syn_refused,
};

/// The columns of FORMAT 2 and 3.
const CONNTRACK_COLUMNS: &[(&str, usize)] = &[
    ("action", 0),
    ("source", 1),
    ("dest", 2),
    ("proto", 3),
    ("dport", 4),
    ("sport", 5),
    ("user", 6),
    ("switch", 7),
];
/// The columns of FORMAT 1, which has no ACTION (Raw.pm setup_conntrack).
const CONNTRACK1_COLUMNS: &[(&str, usize)] = &[
    ("source", 0),
    ("dest", 1),
    ("proto", 2),
    ("dport", 3),
    ("sport", 4),
    ("user", 5),
    ("switch", 6),
];

impl Importer {
    pub(super) fn conntrack_file(&mut self) {
        // Raw.pm: FORMAT 1 unless a `?FORMAT` line says otherwise.
        let mut format = 1;
        let mut comment: Option<String> = None;
        for mut line in self.lines("conntrack") {
            if let Some(rest) = line.text.strip_prefix("?FORMAT") {
                match rest.trim() {
                    "1" => format = 1,
                    "2" => format = 2,
                    "3" => format = 3,
                    _ => self.refuse(
                        &line,
                        "FORMAT must be '1', '2' or '3' (Shorewall refuses it)",
                    ),
                }
                continue;
            }
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            if line.text.starts_with('?') {
                self.refuse(
                    &line,
                    "compiler directives other than ?FORMAT and ?COMMENT are not in fwgen's model",
                );
                continue;
            }
            line.comment = line.comment.or_else(|| comment.clone());
            // FORMAT 1 has no ACTION column: NOTRACK (Raw.pm).
            let names = if format == 1 {
                CONNTRACK1_COLUMNS
            } else {
                CONNTRACK_COLUMNS
            };
            let Some(mut columns) = self.split(&line, names) else {
                continue;
            };
            if format == 1 {
                columns.insert(0, "NOTRACK".to_owned());
            }
            if self.conntrack_service(&line, &mut columns).is_err() {
                continue;
            }
            if format == 3
                && let Some(reason) = self.after_shipped_helpers(&line, &columns)
            {
                self.refuse(&line, reason);
                continue;
            }
            match conntrack_table(&columns, format, &|zone| self.zone_name(zone)) {
                Ok(table) => {
                    let mut table = table;
                    table.push_some("comment", line.comment.clone());
                    // Bound to a family by its addresses or ICMP's
                    // protocol, as a rule is (a pair's one-family line).
                    let sides = [columns[1].as_str(), columns[2].as_str()];
                    let family = rule_family(&sides, columns.get(3).map(String::as_str));
                    self.add(Kind::Conntrack, "", Vec::new(), family, &line, table);
                }
                Err(reason) => self.refuse(&line, reason),
            }
        }
    }
}

impl Importer {
    /// Why a FORMAT 3 line without a source below Shorewall's shipped
    /// helper block is refused: Raw.pm appends the lines to PREROUTING and
    /// OUTPUT in file order, so a helper's `CT --helper` line comes first
    /// on its port, and the first CT target a packet meets wins (xt_CT
    /// passes over a packet that has one): Shorewall gives the packet the
    /// helper (for TCP only the SYN, which the helper's line matches; the
    /// later packets are untracked), where fwgen untracks it.
    /// fwgen's entries without a source come before the helpers (the
    /// Shorewall backend writes them above the block). `None` for a line
    /// above the block, in another file, or on no helper's port.
    fn after_shipped_helpers(&self, line: &Line, columns: &[String]) -> Option<String> {
        let end = self.shipped_helpers_end?;
        let own = line.file == self.directory.shown("conntrack");
        if !own || line.number <= end || !self.settings.carried.conntrack_helpers {
            return None;
        }
        if columns.get(1).is_some_and(|source| source != "-") {
            return None;
        }
        let given = |i: usize| columns.get(i).filter(|c| *c != "-" && !c.is_empty());
        // No PROTO: every packet; else the list's TCP and UDP.
        let protocols: Option<Vec<&str>> = given(3).map(|list| {
            (list.split(','))
                .filter_map(|p| port_protocol(p.split(':').next().unwrap_or(p)))
                .collect()
        });
        let on_port = |port: u16| {
            given(4).is_none_or(|ports| {
                ports.split(',').any(|item| {
                    let (low, high) = item.split_once(':').unwrap_or((item, item));
                    let (low, high) = (low.parse::<u16>(), high.parse::<u16>());
                    // A form not read as a number here is taken to meet it.
                    (low.as_ref().map_or(true, |&l| l <= port))
                        && (high.as_ref().map_or(true, |&h| port <= h))
                })
            })
        };
        let met = crate::model::CONNTRACK_HELPERS.iter().find(|helper| {
            !(helper.ipv4_only && self.ipv6)
                && protocols
                    .as_ref()
                    .is_none_or(|list| list.contains(&helper.protocol()))
                && on_port(helper.port)
        })?;
        let protocol = met.protocol();
        Some(format!(
            "this line without a source comes after Shorewall's shipped helper lines (AUTOHELPERS=Yes), which attach the {} helper to {protocol} port {} first, and the first CT target wins (xt_CT): Shorewall gives {} the helper, where fwgen's entries without a source come before the helpers and untrack it; move the line above `?if $AUTOHELPERS && __CT_TARGET`, or leave the helper's port out of it",
            met.kind,
            met.port,
            if met.tcp {
                "a connection's SYN (the helper's line matches `--syn`; the later packets are untracked)"
            } else {
                "every such packet"
            }
        ))
    }

    /// PROTO, DPORT and SPORT of a conntrack line read as the rules
    /// file's are (resolve_proto, validate_port_list: `010` is 8, a
    /// service its port, each noted); `Err` once the line is refused.
    /// A PROTO with `:syn` is left to [`conntrack_table`].
    fn conntrack_service(&mut self, line: &Line, columns: &mut [String]) -> Result<(), ()> {
        // process_conntrack_rule: `$proto = '' if $proto eq 'any'`.
        if columns.get(3).is_some_and(|p| p == "any") {
            columns[3] = "-".to_owned();
        }
        let given = |columns: &[String], i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let mut proto = given(columns, 3);
        if let Some(written) = proto.clone().filter(|p| split_syn(p).1.is_none()) {
            // A CT action reads each item's `:all` itself (Raw.pm: every
            // TCP segment, where its plain tcp is the SYN alone); NOTRACK's
            // do_proto takes it off, as a rule's.
            let ct = columns[0].starts_with("CT:");
            let (mut read, mut notes) = (Vec::new(), Vec::new());
            for item in written.split(',') {
                let (name, all) = if ct { split_all(item) } else { (item, "") };
                // Shorewall6's `icmp` is ipv6-icmp, as in its rules file.
                let resolved = (self.protocols.resolve_in(name, self.ipv6))
                    .and_then(|(spelled, note)| Ok((model_proto(&spelled, self.ipv6)?, note)));
                match resolved {
                    Ok((spelled, note)) => {
                        read.push(format!("{spelled}{all}"));
                        notes.extend(note);
                    }
                    Err(reason) => {
                        self.refuse(line, reason);
                        return Err(());
                    }
                }
            }
            self.note_at(line, notes);
            columns[3] = read.join(",");
            proto = Some(columns[3].clone());
        }
        let (dport, sport) = self
            .ports(line, proto.as_deref(), given(columns, 4), given(columns, 5))
            .ok_or(())?;
        for (at, read) in [(4, dport), (5, sport)] {
            if let Some(read) = read {
                columns[at] = read;
            }
        }
        Ok(())
    }
}

/// A PROTO item as its protocol and its `:all`, if it has one: Raw.pm
/// strips `:all` exactly (`s/:all$//`, case and all); a CT action's
/// `tcp:ALL` is its plain tcp then, the SYN alone.
fn split_all(item: &str) -> (&str, &'static str) {
    match item.strip_suffix(":all") {
        Some(protocol) => (protocol, ":all"),
        None => (item, ""),
    }
}

/// One conntrack line as the model writes it, or why it is refused.
fn conntrack_table(
    columns: &[String],
    format: u8,
    zone_name: &dyn Fn(&str) -> String,
) -> Result<Table, String> {
    let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
    if get(6).is_some() {
        return Err("USER/GROUP: fwgen's `[[conntrack]]` entries match no socket owner".to_owned());
    }
    if get(7).is_some() {
        return Err("SWITCH: fwgen has no conditional entries (switches)".to_owned());
    }
    let written = get(0).unwrap_or_default();
    let (action, chain) = if format == 3 {
        match written.rsplit_once(':') {
            Some((action, "P")) => (action.to_owned(), "prerouting"),
            Some((action, "O")) => (action.to_owned(), "output"),
            Some((action, "PO" | "OP")) => (action.to_owned(), "both"),
            _ => (written.clone(), "prerouting"),
        }
    } else {
        (written.clone(), "prerouting")
    };
    let mut proto = get(3);
    if chain != "prerouting" && proto.as_deref().is_some_and(|p| p.contains(',')) {
        // Raw.pm takes the chain designator off the ACTION itself while it
        // walks the list, so the protocols after the first find none.
        return Err(format!(
            "`{written}` with a protocol list: Shorewall untracks the list's first protocol as `{}` says and the others in PREROUTING alone (Raw.pm takes the designator off the ACTION for the first): write a line per protocol",
            &written[action.len()..]
        ));
    }
    match action.as_str() {
        "NOTRACK" => {}
        "CT:notrack" => {
            // Raw.pm makes a rule of each protocol of a list and adds
            // `:syn` to TCP's (`tcp:all` is every segment): another
            // protocol, or none, is every packet, as NOTRACK.
            if let Some(p) = proto.as_deref() {
                let tcp = |name: &str| port_protocol(name) == Some("tcp");
                if let Some(item) = (p.split(','))
                    .find(|item| matches!(split_all(item), (name, ":all") if !tcp(name)))
                {
                    return Err(format!(
                        "PROTO `{item}`: Shorewall refuses it (\":all\" may only be used with TCP)"
                    ));
                }
                let items: Result<Vec<&str>, String> = (p.split(','))
                    .map(|item| match split_all(item) {
                        (name, ":all") => Ok(name),
                        (name, _) if tcp(name) => Err(format!(
                            "`{written}` with PROTO {name} untracks a connection's SYN alone (Raw.pm matches `--syn` for a CT action): fwgen's `notrack` untracks every packet, as NOTRACK or `{name}:all` does"
                        )),
                        (other, _) => Ok(other),
                    })
                    .collect();
                proto = Some(items?.join(","));
            }
        }
        a if a.starts_with("CT:helper") => {
            return Err(format!(
                "`{written}`: fwgen carries the conntrack file's NOTRACK lines; a helper on a port of one's own is a rule's `helper` (Shorewall's HELPER column, with AUTOHELPERS=No)"
            ));
        }
        a if a.starts_with("CT:ctevents") || a.starts_with("CT:expevents") => {
            return Err(format!(
                "`{written}`: conntrack event filtering changes no verdict, and fwgen does not write it"
            ));
        }
        a if a.starts_with("IPTABLES(") || a.starts_with("IP6TABLES(") => {
            return Err(format!("`{written}`: fwgen writes no raw iptables targets"));
        }
        a if a.starts_with("DROP")
            || a.starts_with("LOG")
            || a.starts_with("NFLOG")
            || a.starts_with("ULOG") =>
        {
            return Err(format!(
                "`{written}`: fwgen's `[[conntrack]]` entries untrack; a drop or log before conntrack is not in its model (a `[[blacklist]]` entry drops before the rules)"
            ));
        }
        _ => {
            return Err(format!(
                "`{written}`: fwgen's `[[conntrack]]` entries are NOTRACK (or CT:notrack) lines"
            ));
        }
    }
    if let Some(reason) = (proto.as_deref()).and_then(|p| syn_refused(p, "`[[conntrack]]` entries"))
    {
        return Err(reason);
    }
    if proto.as_deref().is_some_and(|p| p.contains(':')) {
        return Err(format!(
            "PROTO `{}`: fwgen reads a protocol without `:syn`",
            proto.unwrap_or_default()
        ));
    }
    let mut table = Table::array(&["conntrack"]);
    table.push("action", "notrack");
    let source = get(1);
    if format == 3 {
        if let Some(source) = source {
            return Err(format!(
                "SOURCE `{source}` under FORMAT 3 (an interface or addresses, on any zone): fwgen's entry names a zone, as FORMAT 2 writes it (`?FORMAT 2` and `NOTRACK ZONE[:ADDRESSES] ...`), or no source"
            ));
        }
        if chain != "prerouting" {
            table.push("chain", chain);
        }
    } else {
        let Some(source) = source else {
            return Err(
                "a SOURCE zone is required before FORMAT 3 (Shorewall refuses `-`)".to_owned(),
            );
        };
        let (zone, rest) = match source.split_once(':') {
            Some((zone, rest)) => (zone, Some(rest)),
            None => (source.as_str(), None),
        };
        if zone == "all" || zone == "all-" {
            return Err(format!(
                "SOURCE `{source}`: write one line per zone (fwgen's entry names one zone)"
            ));
        }
        if rest.is_some_and(|r| {
            r.contains(':') || r.starts_with(|c: char| c.is_ascii_alphabetic() && !r.contains('.'))
        }) {
            return Err(format!(
                "SOURCE `{source}` names an interface: fwgen's entry is the zone's as a whole, with addresses"
            ));
        }
        let zone = zone_name(zone);
        table.push(
            "source",
            match rest {
                Some(rest) => format!("{zone}:{rest}"),
                None => zone,
            },
        );
    }
    table.push_some("dest", get(2));
    table.push_some("proto", proto);
    table.push_some("dport", get(4));
    table.push_some("sport", get(5));
    Ok(table)
}
