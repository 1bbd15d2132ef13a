//! Site macros: a `macro.NAME` in the imported directory is found before
//! Shorewall's stock one, since CONFIG_PATH lists the configuration
//! directory first (Config.pm `find_file`). Its port-list lines (`PARAM`
//! with `-`, `SOURCE DEST` or `DEST SOURCE`, PROTO, DPORT, SPORT, or a
//! stock macro the model takes) become rules of the model; any other form
//! is refused at its line.

use super::*;
use crate::model::service::{Macro, MacroCall};

/// One line of a site macro, as the model can write it.
#[derive(Debug, Clone)]
pub(super) struct SiteLine {
    kind: SiteKind,
    /// The line's SOURCE and DEST are `DEST SOURCE`.
    reversed: bool,
    /// Addresses the line gives in SOURCE and DEST, which narrow the
    /// call's zones (Rules.pm `merge_macro_source_dest`).
    source: Option<String>,
    dest: Option<String>,
    /// The line's own log level (`PARAM:info`).
    log: Option<String>,
    /// Where the line is, `macro.NAME:LINE`.
    at: String,
}

#[derive(Debug, Clone)]
enum SiteKind {
    Ports {
        proto: Option<String>,
        dport: Option<String>,
        sport: Option<String>,
    },
    Named {
        name: &'static str,
    },
}

/// A site macro as the model can write it.
#[derive(Debug, Clone)]
pub(super) struct SiteMacro {
    lines: Vec<SiteLine>,
    /// The `DEFAULT` line's action, with how many lines come before it.
    default: Option<(String, usize)>,
}

impl SiteMacro {
    /// Whether a line of it, or of a stock macro it calls, matches the
    /// way back (`DEST SOURCE`), an odd number of times over.
    pub(super) fn has_way_back(&self) -> bool {
        self.lines.iter().any(|line| match &line.kind {
            SiteKind::Ports { .. } => line.reversed,
            // A line the way back turns the stock macro's parts around.
            SiteKind::Named { name } => stock_directions(name).contains(&!line.reversed),
        })
    }
}

/// The directions of the stock macro `name`'s parts, its nested calls
/// expanded: `true` the way back (`DEST SOURCE`), `false` forward.
fn stock_directions(name: &str) -> Vec<bool> {
    (Macro::find(name).and_then(|found| found.expand(&MacroCall::default()).ok()))
        .map(|parts| parts.iter().map(|p| p.reversed).collect())
        .unwrap_or_default()
}

/// Whether a part of the stock macro `name`, its nested calls expanded,
/// matches the way back (`DEST SOURCE`): GRE, Zabbix, NTPbi, ...
pub(super) fn stock_way_back(name: &str) -> bool {
    stock_directions(name).contains(&true)
}

/// An address list a macro line gives in SOURCE or DEST: addresses,
/// networks and ranges, as the rules file takes them after a zone.
fn body_addresses(text: &str) -> bool {
    use std::net::IpAddr;
    text.split(',').all(|one| {
        one.parse::<IpAddr>().is_ok()
            || one.parse::<ipnet::IpNet>().is_ok()
            || one.split_once('-').is_some_and(|(low, high)| {
                low.parse::<IpAddr>().is_ok() && high.parse::<IpAddr>().is_ok()
            })
    })
}

/// A call's SOURCE or DEST that a macro line's address narrows to
/// `SIDE:ADDRESS` (Rules.pm merge_macro_source_dest writes
/// `$invocation:$body` unless the call has a `.` or begins with `+`, `!`
/// or `~`): one zone, `all` or `$FW`, or a zone and an interface
/// (`net:NET_IF`; helper-255: `$FW` and these were refused), with no
/// address or list of its own (Shorewall would write `ADDRESS:SIDE` or
/// `ZONE:ADDRESS:ADDRESS` for those).
fn plain_zone(side: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    match side.split_once(':') {
        None => side == "$FW" || word(side),
        Some((zone, interface)) => {
            word(zone) && word(interface.strip_suffix('+').unwrap_or(interface))
        }
    }
}

impl Importer {
    /// The directory's `macro.NAME` files, by NAME.
    pub(super) fn site_macro_names(&mut self) -> Vec<String> {
        let entries = self.directory.entries().unwrap_or_default();
        entries
            .into_iter()
            .filter(|(_, is_dir)| !is_dir)
            .filter_map(|(name, _)| name.strip_prefix("macro.").map(str::to_owned))
            .collect()
    }

    /// The site macro `name` as lines the model can write; `None` when a
    /// line is refused (said at that line).
    pub(super) fn site_macro(&mut self, name: &str) -> Option<SiteMacro> {
        if let Some(read) = self.site_macros.get(name) {
            return read.clone();
        }
        let file = format!("macro.{name}");
        let mut lines = Vec::new();
        let mut default = None;
        // A line refused anywhere (its INCLUDE, its text, `split`) refuses
        // the macro: a call must not expand to the lines that are left.
        let refusals = self.refusals();
        let mut refused = false;
        for line in self.lines(&file) {
            let word = line.text.split_whitespace().next().unwrap_or_default();
            if word == "DEFAULT" || word == "DEFAULTS" {
                // Rules.pm: the PARAM of a call without one, from here on.
                let value = line.text.split_whitespace().nth(1).unwrap_or("-");
                if line.text.contains([';', '{']) {
                    // split_line2 puts `; source=DROP` in the column
                    // before process_macro reads it.
                    self.refuse(&line, format!("site macro {file}: a DEFAULT line with `;` or `{{ }}` column pairs is not read by fwgen's import (Shorewall's DEFAULT is the SOURCE column after the pairs): write the action in the column"));
                    refused = true;
                } else if default.is_some() {
                    // process_macro: `$param = $msource unless supplied
                    // $param`: the first DEFAULT has set it.
                    self.notes.push(format!(
                        "{}: this DEFAULT line of site macro {file} has no effect: Shorewall keeps the macro's first DEFAULT (Rules.pm process_macro)",
                        Self::origin(&line)
                    ));
                } else if matches!(value, "ACCEPT" | "DROP" | "REJECT") {
                    default = Some((value.to_owned(), lines.len()));
                } else {
                    self.refuse(&line, format!("site macro {file}: DEFAULT `{value}`: fwgen's import takes a site macro's DEFAULT of ACCEPT, DROP or REJECT"));
                    refused = true;
                }
                continue;
            }
            match self.site_line(&line) {
                Ok(Some(read)) => lines.push(read),
                Ok(None) => {}
                Err(reason) => {
                    self.refuse(&line, format!("site macro {file}: {reason}"));
                    refused = true;
                }
            }
        }
        let refused = refused || self.refusals() > refusals;
        let read = (!refused).then_some(SiteMacro { lines, default });
        self.site_macros.insert(name.to_owned(), read.clone());
        read
    }

    /// The action a call of the site macro `name` without a parameter
    /// takes: its DEFAULT, as Rules.pm `process_macro` reads it.
    pub(super) fn site_macro_default(&mut self, name: &str) -> Result<String, String> {
        let Some(read) = self.site_macro(name) else {
            return Err(format!(
                "`{name}` is the site's macro.{name}, refused at its line"
            ));
        };
        match read.default {
            Some((action, 0)) => Ok(action),
            Some(_) => Err(format!(
                "`{name}` is the site's macro.{name} called without a parameter, and lines of it come before its DEFAULT line: Shorewall refuses the call (PARAM requires a parameter to be supplied in macro invocation)"
            )),
            None => Err(format!(
                "`{name}` is the site's macro.{name} called without a parameter, and it has no DEFAULT line: Shorewall refuses the call (PARAM requires a parameter to be supplied in macro invocation); write `{name}(ACCEPT)` or the action meant"
            )),
        }
    }

    fn site_line(&mut self, line: &Line) -> Result<Option<SiteLine>, String> {
        if line.text.starts_with("?COMMENT") {
            return Ok(None);
        }
        if let Some(format) = line.text.strip_prefix("?FORMAT") {
            // Shorewall 5.2 reads macros in format 2 only.
            return match format.trim() {
                "2" => Ok(None),
                _ => Err(format!(
                    "`{}`: Shorewall 5.2 reads macros in FORMAT 2 only (it refuses FORMAT-1 macros)",
                    line.text
                )),
            };
        }
        if line.text.starts_with('?') {
            return Err(
                "compiler directives other than ?FORMAT 2 and ?COMMENT in a site macro are not in fwgen's import".into(),
            );
        }
        let Some(columns) = self.split(line, RULE_COLUMNS) else {
            return Ok(None);
        };
        if used_after(&columns, 6) {
            return Err(
                "columns beyond SPORT (ORIGDEST, RATE, USER, ...) are not in fwgen's model".into(),
            );
        }
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let address = |side: Option<String>| side.filter(|s| body_addresses(s));
        let (source, dest) = (address(get(1)), address(get(2)));
        if (source.is_some() || dest.is_some()) && self.ipv6 {
            return Err(
                "addresses in a Shorewall6 site macro's SOURCE or DEST are not in fwgen's import"
                    .into(),
            );
        }
        let side = |i: usize, word: &str| match get(i) {
            None => true,
            Some(text) => text == word || body_addresses(&text),
        };
        let reversed = match (get(1).as_deref(), get(2).as_deref()) {
            (Some("DEST"), Some("SOURCE")) => true,
            _ if side(1, "SOURCE") && side(2, "DEST") => false,
            _ => return Err("SOURCE and DEST other than `-`, addresses, `SOURCE DEST` or `DEST SOURCE` are not in fwgen's import of macros".into()),
        };
        let written = columns.first().cloned().unwrap_or_default();
        let (action, log) = match written.split_once(':') {
            Some((_, level)) if level.contains(':') || level.is_empty() => {
                return Err(format!(
                    "the line's action `{written}`: a log tag or empty level in a macro line is not in fwgen's import"
                ));
            }
            Some((action, level)) => (action.to_owned(), Some(level.to_owned())),
            None => (written.clone(), None),
        };
        let at = format!("{}:{}", line.file, line.number);
        let made = |kind| SiteLine {
            kind,
            reversed,
            source: source.clone(),
            dest: dest.clone(),
            log: log.clone(),
            at: at.clone(),
        };
        if action == "PARAM" {
            return Ok(Some(made(SiteKind::Ports {
                proto: get(3),
                dport: get(4),
                sport: get(5),
            })));
        }
        // `SSH(PARAM)` and `SSH` both call SSH with the call's action
        // (Rules.pm `process_rule` keeps the current PARAM for both).
        let stock_name = action.strip_suffix("(PARAM)").unwrap_or(&action);
        if self.site_action_files.iter().any(|site| site == stock_name) {
            return Err(format!(
                "the line's action `{action}` calls the site's action {stock_name} (Rules.pm's process_macro looks a macro line's target up among the actions, the actions file's among them, before the macros): a site macro calling an action is not in fwgen's import"
            ));
        }
        if self.site_macro_files.iter().any(|site| site == stock_name) {
            return Err(format!(
                "the line's action `{action}` calls the site's macro.{stock_name} (Rules.pm's find_macro looks a nested macro up in the directory first): a site macro calling another is not in fwgen's import"
            ));
        }
        if let Some(inner) = stock_macro(stock_name).and_then(|stock| self.overridden_within(stock))
        {
            return Err(format!(
                "the line's action `{action}` {}",
                inner.explain(stock_name)
            ));
        }
        let whole = stock_macro(stock_name)
            .and_then(|stock| Macro::find(stock.name))
            .filter(|found| found.expand(&MacroCall::default()).is_ok());
        match whole {
            Some(found) if !used_after(&columns, 3) => {
                Ok(Some(made(SiteKind::Named { name: found.name })))
            }
            Some(_) => Err(format!(
                "the line's action `{action}` with its own PROTO or ports is not in fwgen's import"
            )),
            None if action.contains('(') => Err(format!(
                "the line's action `{action}` calls a macro with an action of its own: fwgen's import takes `PARAM`, a stock macro, or `MACRO(PARAM)`"
            )),
            None => Err(format!(
                "the line's action `{action}` is neither PARAM nor a stock macro the model takes whole"
            )),
        }
    }

    /// A rule calling the site macro: each of its lines a rule, the rule's
    /// own PROTO, DPORT and SPORT replacing the line's (Rules.pm
    /// `merge_macro_column`), a line's addresses narrowing the call's
    /// zones (`merge_macro_source_dest`), a line's own log level replacing
    /// the call's (`merge_levels`).
    pub(super) fn site_macro_rule(
        &mut self,
        line: &Line,
        written: &Written,
        name: &str,
        own: [Option<String>; 3],
        read: SiteMacro,
    ) {
        let lines = read.lines;
        // Every line is checked before any rule is written: a refusal
        // leaves no part of the call behind.
        for site in &lines {
            let way = if site.reversed {
                (written.dest, written.source)
            } else {
                (written.source, written.dest)
            };
            for (side, address) in [(way.0, &site.source), (way.1, &site.dest)] {
                if address.is_some() && !plain_zone(side) {
                    return self.refuse(line, format!("{} gives the address {} where this call gives `{side}`: Shorewall writes `ZONE:ADDRESS` only for a zone, `all`, `$FW` or `ZONE:INTERFACE` (Rules.pm merge_macro_source_dest), and fwgen's import the same", site.at, address.as_deref().unwrap_or_default()));
                }
            }
            if site.log.is_some() && written.log.is_some_and(|l| l.contains('!')) {
                return self.refuse(line, format!("a call's log level with `!` over the own level of {} is not in fwgen's import", site.at));
            }
        }
        self.notes.push(format!(
            "{}:{}: `{name}` is the site's macro.{name} (found before Shorewall's own, as CONFIG_PATH makes Shorewall do): its {} line(s){}",
            line.file,
            line.number,
            lines.len(),
            if lines.iter().any(|l| l.reversed) {
                ", those from DEST to SOURCE with the two swapped"
            } else {
                ""
            }
        ));
        let [own_proto, own_dport, own_sport] = own;
        for site in lines {
            let (source, dest) = if site.reversed {
                (written.dest, written.source)
            } else {
                (written.source, written.dest)
            };
            let narrowed = |side: &str, address: &Option<String>| match address {
                Some(address) => format!("{side}:{address}"),
                None => side.to_owned(),
            };
            let (source, dest) = (narrowed(source, &site.source), narrowed(dest, &site.dest));
            let way = Written {
                source: &source,
                dest: &dest,
                // Rules.pm merge_levels: the line's own level, `none`
                // too (no log, whatever the call gives; helper-255).
                log: match site.log.as_deref() {
                    Some(own) if super::logging::no_log(own) => None,
                    Some(own) => Some(own),
                    None => written.log,
                },
                ..*written
            };
            let service = match site.kind {
                SiteKind::Named { name } => (
                    Some(name),
                    own_proto.clone(),
                    own_dport.clone(),
                    own_sport.clone(),
                ),
                SiteKind::Ports {
                    proto,
                    dport,
                    sport,
                } => (
                    None,
                    own_proto.clone().or(proto),
                    own_dport.clone().or(dport),
                    own_sport.clone().or(sport),
                ),
            };
            self.plain_rule(line, &way, service);
        }
    }
}
