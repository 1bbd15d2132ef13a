//! `blrules` lines become `[[blacklist]]` entries, read as rules are
//! (Rules.pm reads both with process_raw_rule); the legacy `blacklist`
//! file is read as `shorewall update` converts it into blrules
//! (Shorewall/Misc.pm, convert_blacklist): Shorewall 5.2 ignores it
//! unconverted.

use super::{Importer, Line, RULE_COLUMNS};

/// Why a blrules line is refused when the rules file has no rule.
const UNENDED_SECTIONS: &str = "the rules file holds no rule, and Shorewall ends the rules' sections \
     only at one (Rules.pm, process_raw_rule): with a blrules entry, the zone pairs' chains then \
     lack their ESTABLISHED,RELATED accept and the replies of accepted connections meet the \
     policies, against shorewall-rules(5) and fwgen's model; add a rule to the rules file (one \
     that changes nothing, such as an ACCEPT a policy already makes; fwgen's Shorewall files \
     write `ACCEPT $FW $FW`, which fwgen's model itself does not take) and import again";

/// The legacy blacklist file's columns, as convert_blacklist names them.
const BLACKLIST_COLUMNS: &[(&str, usize)] =
    &[("networks", 0), ("proto", 1), ("port", 2), ("options", 3)];

/// The rules file's sections, as Rules.pm meets them.
#[derive(Clone, Default)]
pub(super) struct RuleSections {
    /// The section of the last rule (a line that is no directive), `None`
    /// when the file holds none. Shorewall finishes a section (Rules.pm,
    /// process_raw_rule) only when it reads a rule of a later one.
    pub(super) last: Option<String>,
    /// A `?SECTION NEW` line is written: Rules.pm process_section alone
    /// sets `$sections{NEW}`, under which finish_chain_section gives a
    /// policy's RATE and CONNLIMIT their SYN-flood jump.
    pub(super) new_header: bool,
}

impl Importer {
    pub(super) fn blrules(&mut self) {
        self.blacklisting = true;
        let lines = self.commented_lines("blrules");
        let unended = !lines.is_empty() && self.rule_sections().last.is_none();
        for line in lines {
            if unended {
                self.refuse(&line, UNENDED_SECTIONS);
                continue;
            }
            let Some(mut columns) = self.split(&line, RULE_COLUMNS) else {
                continue;
            };
            self.any_read_as_all(&line, &mut columns);
            // A blrules line makes its zone pairs' chains too
            // (`judge_unchained`).
            if let (Some(source), Some(dest)) = (columns.get(1), columns.get(2)) {
                self.rule_sides.push((source.clone(), dest.clone()));
            }
            self.rule(&line, &columns, false, line.comment.as_deref());
        }
        self.blacklisting = false;
    }

    /// The rules file's sections as Rules.pm meets them, read once without
    /// a note or refusal: its own reading comes later.
    pub(super) fn rule_sections(&mut self) -> RuleSections {
        if let Some(read) = &self.rule_sections {
            return read.clone();
        }
        let kept = (
            self.notes.len(),
            self.unsupported.len(),
            self.unreadable.len(),
        );
        let lines = self.active_lines("rules");
        self.notes.truncate(kept.0);
        self.unsupported.truncate(kept.1);
        self.unreadable.truncate(kept.2);
        let mut section = "NEW".to_owned();
        let mut read = RuleSections::default();
        for (_, _, text) in &lines {
            let mut words = text.split_whitespace();
            let first = words.next().unwrap_or_default();
            if first == "?SECTION" || first == "SECTION" {
                section = words.next().unwrap_or_default().to_owned();
                read.new_header |= section == "NEW";
            } else if !first.is_empty() && !first.starts_with('?') {
                read.last = Some(section.clone());
            }
        }
        self.rule_sections = Some(read.clone());
        read
    }

    /// A conf setting as Shorewall reads it: unquoted, upper case.
    fn conf_value(&self, key: &str) -> String {
        self.vars
            .get(key)
            .map(|v| v.trim_matches('"').to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// The entries' ACTION: BLACKLIST_DISPOSITION, with
    /// BLACKLIST_LOG_LEVEL as its log level (as convert_blacklist writes
    /// it; its tag is MACLIST_LOG_TAG, which fwgen refuses elsewhere).
    pub(super) fn blacklist_target(&self) -> Result<String, String> {
        self.settings.blacklist_target_read.set(true);
        let disposition = match self.conf_value("BLACKLIST_DISPOSITION").as_str() {
            "" => "DROP".to_owned(),
            ok @ ("DROP" | "REJECT") => ok.to_owned(),
            other => {
                return Err(format!(
                    "BLACKLIST_DISPOSITION={other}: audited dispositions are not in fwgen's model"
                ));
            }
        };
        let level = self
            .vars
            .get("BLACKLIST_LOG_LEVEL")
            .map(|l| l.trim_matches('"').to_owned())
            .unwrap_or_default();
        Ok(if crate::import::logging::setting_logs_nothing(&level) {
            disposition
        } else {
            format!("{disposition}:{level}")
        })
    }

    /// A blrules ACTION (shorewall-blrules(5)) as the model's: DROP,
    /// REJECT, WHITELIST (ACCEPT and CONTINUE already read so) and LOG as
    /// they are; BLACKLIST, Shorewall's macro for BLACKLIST_DISPOSITION
    /// (logged at BLACKLIST_LOG_LEVEL through its `blacklog` chain when
    /// that is set), and `blacklog` itself, as that disposition and level.
    /// The audited A_DROP and A_REJECT, and every other action, are refused.
    pub(super) fn blacklist_action(
        &mut self,
        line: &Line,
        action: &str,
        target: String,
        log: Option<String>,
        in_macro: bool,
    ) -> Result<(String, Option<String>), String> {
        match target.as_str() {
            "WHITELIST" | "DROP" | "REJECT" | "LOG" => Ok((target, log)),
            "BLACKLIST" | "blacklog" if !in_macro => {
                let disposition = self.blacklist_target()?;
                // action.BLACKLIST's one line, `$BLACKLIST_DISPOSITION`
                // (or `blacklog`, which logs at BLACKLIST_LOG_LEVEL),
                // takes the call's level: without BLACKLIST_LOG_LEVEL the
                // disposition logged at it.
                if let Some(level) = log {
                    if target == "blacklog" || disposition.contains(':') {
                        return Err(format!(
                            "`{action}`: a log level on {target} beside BLACKLIST_LOG_LEVEL, which Shorewall logs twice (at {level}, then in its blacklog chain), is not in fwgen's model"
                        ));
                    }
                    self.notes.push(format!(
                        "{}:{}: {target}:{level} is BLACKLIST_DISPOSITION={disposition} logged at {level} (action.BLACKLIST's line takes the call's level); Shorewall's log prefix names BLACKLIST, fwgen's {disposition}",
                        line.file, line.number
                    ));
                    return Ok((disposition, Some(level)));
                }
                let (verdict, level) = match disposition.split_once(':') {
                    Some((verdict, level)) => (verdict.to_owned(), Some(level.to_owned())),
                    None if target == "blacklog" => {
                        return Err(
                            "blacklog may only be used with BLACKLIST_LOG_LEVEL set (shorewall-blrules(5))"
                                .to_owned(),
                        );
                    }
                    None => (disposition, None),
                };
                if let Some(level) = &level {
                    self.notes.push(format!(
                        "{}:{}: {target} is BLACKLIST_DISPOSITION={verdict} logged at BLACKLIST_LOG_LEVEL={level}: Shorewall logs it as `blacklst` (its blacklog chain), fwgen's entry under its zone pair's blacklist chain name",
                        line.file, line.number
                    ));
                }
                Ok((verdict, level))
            }
            "A_DROP" | "A_REJECT" => {
                let plain = &target[2..];
                Err(format!(
                    "action `{action}` is {plain} with an audit record (the AUDIT target); fwgen audits rules, policies (`audit = true`) and the `*_disposition` settings, not blacklist entries: write {plain}"
                ))
            }
            _ => Err(format!(
                "action `{action}` in blrules is not in fwgen's model (its blacklist entries DROP, REJECT, LOG or WHITELIST)"
            )),
        }
    }

    pub(super) fn blacklist_file(&mut self) {
        let lines = self.lines("blacklist");
        let Some(first) = lines.first() else {
            return;
        };
        let file = first.file.clone();
        if self.blacklist_zones.is_empty() && self.blacklist_out_zones.is_empty() {
            self.notes.push(format!(
                "{file}: the legacy blacklist file has no effect: no zone, interface or hosts line has the `blacklist` option, so `shorewall update` converts none of it, and Shorewall 5.2 ignores it unconverted"
            ));
            return;
        }
        self.notes.push(format!(
            "{file}: the legacy blacklist file is read as `shorewall update` converts it into blrules (Shorewall 5.2 ignores it unconverted): a `src` line's networks are blacklisted (or whitelisted) from each zone marked `blacklist` for incoming traffic by an interface, hosts or zones line ({}) to all, a `dst` line's from all to each zone the zones file marks for outgoing traffic ({})",
            self.blacklist_zones.join(", "),
            self.blacklist_out_zones.join(", ")
        ));
        self.blacklisting = true;
        for line in lines {
            self.blacklist_line(&line);
        }
        self.blacklisting = false;
    }

    /// One line of the legacy file: NETWORKS PROTO PORTS OPTIONS.
    fn blacklist_line(&mut self, line: &Line) {
        let Some(columns) = self.split(line, BLACKLIST_COLUMNS) else {
            return;
        };
        let get = |i: usize| columns.get(i).cloned().unwrap_or_else(|| "-".to_owned());
        // Misc.pm convert_blacklist: `-` is `src`, `audit` alone `audit,src`.
        let options = match get(3).as_str() {
            "-" => "src".to_owned(),
            "audit" => "audit,src".to_owned(),
            other => other.to_owned(),
        };
        let (mut src, mut dst, mut whitelist, mut audit) = (false, false, false, false);
        for option in options.split(',') {
            match option {
                "src" | "from" => src = true,
                "whitelist" => whitelist = true,
                "dst" | "to" if !self.blacklist_out_zones.is_empty() => dst = true,
                "dst" | "to" => self.notes.push(format!(
                    "{}:{}: `{option}` has no effect: no zone has the `blacklist` option for outgoing traffic (zones' OPTIONS or OUT_OPTIONS), so `shorewall update` ignores it",
                    line.file, line.number
                )),
                "audit" => audit = true,
                other => {
                    return self.refuse(
                        line,
                        format!("`{other}` is not a blacklist option (Shorewall refuses it)"),
                    );
                }
            }
        }
        // convert_blacklist reads `audit` only to warn: the entry's target
        // is BLACKLIST_DISPOSITION as it is (helper-246: refused as an
        // audited blacklist, which Shorewall does not make of it).
        if audit && whitelist {
            return self.refuse(
                line,
                "Shorewall refuses `audit` beside `whitelist` (\"'audit' not allowed in whitelist entries\")",
            );
        }
        if audit {
            self.notes.push(format!(
                "{}:{}: `audit` changes nothing: `shorewall update` writes the entry with BLACKLIST_DISPOSITION as it is (audited only where that is A_DROP or A_REJECT) and warns",
                line.file, line.number
            ));
        }
        if !src && !dst {
            if whitelist {
                self.notes.push(format!(
                    "{}:{}: `whitelist` without `src` has no effect: `shorewall update` writes no blrules line for it",
                    line.file, line.number
                ));
            }
            return;
        }
        let target = if whitelist {
            "WHITELIST".to_owned()
        } else {
            match self.blacklist_target() {
                Ok(target) => target,
                Err(reason) => return self.refuse(line, reason),
            }
        };
        let zone_side = |zone: String| match get(0).as_str() {
            "-" => zone,
            networks => format!("{zone}:{networks}"),
        };
        let sources = if src {
            self.blacklist_zones.clone()
        } else {
            Vec::new()
        };
        let dests = if dst {
            self.blacklist_out_zones.clone()
        } else {
            Vec::new()
        };
        let all = || "all".to_owned();
        let sides = (sources.into_iter().map(|z| (zone_side(z), all())))
            .chain(dests.into_iter().map(|z| (all(), zone_side(z))));
        for (source, dest) in sides.collect::<Vec<_>>() {
            let columns = [target.clone(), source, dest, get(1), get(2)];
            self.rule(line, &columns, false, line.comment.as_deref());
        }
    }
}
