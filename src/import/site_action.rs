//! Site actions: a name in the directory's `actions` file with its
//! `action.NAME` body. A rule calling one jumps to the action's chain
//! (Rules.pm `process_action`): the first body line that matches the
//! rule's packets decides, and a packet no line matches goes on to the
//! later rules. A body of plain rules (ACCEPT, DROP or REJECT, or a macro
//! called with one, narrowed to addresses in SOURCE and DEST) is written
//! as rules of the model in the call's place, each the call's zones
//! narrowed by the line; the call's log level logs every line that has
//! none of its own (`merge_levels`). Parameters, DEFAULTS, nested
//! actions, RETURN, CONTINUE and the rest are refused at their line.

use super::*;
use crate::model::service::stock_macro;

/// Shorewall 5.2.8's stock actions (/usr/share/shorewall/actions.std),
/// which a rule may call with a parameter (`Broadcast(DROP)`); those the
/// model carries as macros (AllowICMPs) are found as stock macros first.
pub(super) const STOCK_ACTIONS: &[&str] = &[
    "A_REJECT",
    "A_REJECT!",
    "AllowICMPs",
    "allowBcast",
    "allowinUPnP",
    "allowInvalid",
    "allowMcast",
    "AutoBL",
    "AutoBLL",
    "BLACKLIST",
    "Broadcast",
    "DNSAmp",
    "dropBcast",
    "dropBcasts",
    "dropInvalid",
    "dropMcast",
    "dropNotSyn",
    "DropDNSrep",
    "DropSmurfs",
    "Established",
    "FIN",
    "forwardUPnP",
    "GlusterFS",
    "IfEvent",
    "Invalid",
    "Limit",
    "Multicast",
    "New",
    "NotSyn",
    "rejNotSyn",
    "Related",
    "ResetEvent",
    "RST",
    "SetEvent",
    "TCPFlags",
    "Untracked",
];

/// Why a call of a stock action is refused. A_REJECT reaches here only
/// with a parameter (a plain A_REJECT is the model's audited REJECT).
pub(super) fn stock_action_refusal(name: &str) -> String {
    if name.trim_end_matches('!') == "A_REJECT" {
        return format!(
            "`{name}` with a parameter is an audited REJECT with a named answer (action.A_REJECT: the audit record, then `REJECT --reject-with` the parameter), which fwgen's model does not carry: `reject_with` takes no `audit` (a plain A_REJECT is imported as REJECT with `audit = true`)"
        );
    }
    format!(
        "`{name}` is Shorewall's stock action {name} (actions.std), which is not in fwgen's model"
    )
}

/// The first of an action body's parameters (`$1`, `${2}`) or names
/// (`@1`, `@{chain}`, `@loglevel`) in `text`, as Config.pm
/// expand_variables fills them in for a call.
fn action_parameter(text: &str) -> Option<&str> {
    text.match_indices(['$', '@']).find_map(|(at, sigil)| {
        let rest = &text[at + 1..];
        let inner = rest.strip_prefix('{').unwrap_or(rest);
        let numbered = inner.starts_with(|c: char| c.is_ascii_digit());
        let named = sigil == "@" && inner.starts_with(|c: char| c.is_ascii_alphabetic());
        let end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let opened = rest.len() - inner.len();
        let closed = usize::from(opened == 1 && inner[end..].starts_with('}'));
        (numbered || named).then(|| &text[at..at + 1 + opened + end + closed])
    })
}

/// One line of a site action's body, as the model can write it.
#[derive(Debug, Clone)]
pub(super) struct ActionLine {
    /// The line itself, for the rule it becomes.
    line: Line,
    /// ACTION (`ACCEPT`, `SSH(ACCEPT)`), without a log level.
    target: String,
    log: Option<String>,
    source: Option<String>,
    dest: Option<String>,
    /// PROTO, DPORT, SPORT as written.
    service: [Option<String>; 3],
}

impl Importer {
    /// The names the `actions` file lists that have an `action.NAME` in
    /// the directory.
    pub(super) fn site_action_names(&mut self) -> Vec<String> {
        let files = self.directory.entries().unwrap_or_default();
        let has_file = |name: &str| {
            files
                .iter()
                .any(|(file, is_dir)| !is_dir && file == &format!("action.{name}"))
        };
        if !files.iter().any(|(file, _)| file == "actions") {
            return Vec::new();
        }
        self.lines("actions")
            .iter()
            .filter_map(|line| line.text.split_whitespace().next().map(str::to_owned))
            .filter(|name| has_file(name))
            .collect()
    }

    /// The `actions` file: each line a site action read where a rule calls
    /// it, or refused: options (`inline`, `audit`, `state=`, ...) and
    /// actions no rule calls.
    pub(super) fn actions_file(&mut self) {
        for line in self.lines("actions") {
            let mut words = line.text.split_whitespace();
            let name = words.next().unwrap_or_default().to_owned();
            if words.next().is_some() {
                self.refuse(&line, format!("options of the site action `{name}` are not in fwgen's import (it reads plain actions only)"));
                continue;
            }
            match self.site_actions.get(&name) {
                Some(Some(_)) => {}
                Some(None) => {}
                // Every call was refused before the action was read: the
                // action goes with them, said at each call's line.
                None if self.site_action_calls.contains_key(&name) => {
                    let calls = &self.site_action_calls[&name];
                    self.notes.push(format!(
                        "{}:{}: the site action `{name}` is read where rules call it, and every call ({}) was refused at its line",
                        line.file,
                        line.number,
                        calls.join(", ")
                    ));
                }
                None if self.site_action_files.contains(&name) => self.refuse(
                    &line,
                    format!("the site action `{name}`: no rule calls it, and Shorewall may use it elsewhere (a policy's or shorewall.conf's default action), which fwgen does not read"),
                ),
                None => self.refuse(
                    &line,
                    format!("`{name}` has no action.{name} in the directory: a stock or misspelled action, not in fwgen's import"),
                ),
            }
        }
    }

    /// The site action `name`'s body; `None` when a line is refused (said
    /// at that line).
    fn site_action(&mut self, name: &str) -> Option<Vec<ActionLine>> {
        if let Some(read) = self.site_actions.get(name) {
            return read.clone();
        }
        let file = format!("action.{name}");
        let mut lines = Vec::new();
        // A line refused anywhere (its INCLUDE, its text) refuses the
        // action, as one `action_line` refuses does.
        let refusals = self.refusals();
        let mut refused = false;
        let mut comment: Option<String> = None;
        for line in self.lines(&file) {
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            match self.action_line(&line) {
                Ok(Some(mut read)) => {
                    read.line.comment = read.line.comment.clone().or_else(|| comment.clone());
                    lines.push(read);
                }
                Ok(None) => refused = true,
                Err(reason) => {
                    self.refuse(&line, format!("site action {file}: {reason}"));
                    refused = true;
                }
            }
        }
        let refused = refused || self.refusals() > refusals;
        let read = (!refused).then_some(lines);
        self.site_actions.insert(name.to_owned(), read.clone());
        read
    }

    /// A body line, or why it is refused; `Ok(None)` once refused by
    /// `split`.
    fn action_line(&mut self, line: &Line) -> Result<Option<ActionLine>, String> {
        if line.text.starts_with('?') {
            return Err("compiler directives other than ?COMMENT in a site action are not in fwgen's import".into());
        }
        // Config.pm expands the body's `$NAME` as a rules line's (under
        // IGNOREUNKNOWNVARIABLES=Yes an unknown one to nothing), and its
        // `$1`, `@1`, `@chain`... to the call's parameters and names.
        if let Some(reason) = self.unknown_variables(&line.text) {
            return Err(reason);
        }
        if let Some(parameter) = action_parameter(&line.text) {
            return Err(format!(
                "`{parameter}` is one of the action's parameters or names, which Shorewall fills in at each call (empty when the call gives none): fwgen's import of actions takes no parameters"
            ));
        }
        let Some(columns) = self.split(line, RULE_COLUMNS) else {
            return Ok(None);
        };
        if used_after(&columns, 6) {
            return Err(
                "columns beyond SPORT (ORIGDEST, RATE, USER, ...) are not in fwgen's import of actions"
                    .into(),
            );
        }
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let whole = get(0).unwrap_or_default();
        let (target, log) = match whole.split_once(':') {
            Some((target, log)) => (target.to_owned(), Some(log.to_owned())),
            None => (whole.clone(), None),
        };
        self.body_target(&target)?;
        for side in [get(1), get(2)].into_iter().flatten() {
            if !is_address_list(&side) {
                return Err(format!(
                    "`{side}` in SOURCE or DEST: fwgen's import of actions takes addresses there (the calling rule gives the zones)"
                ));
            }
        }
        Ok(Some(ActionLine {
            line: line.clone(),
            target,
            log,
            source: get(1),
            dest: get(2),
            service: [get(3), get(4), get(5)],
        }))
    }

    /// ACCEPT, DROP or REJECT, or a macro called with one of them.
    fn body_target(&self, target: &str) -> Result<(), String> {
        let verdicts = ["ACCEPT", "DROP", "REJECT"];
        let called = target
            .strip_suffix(')')
            .and_then(|t| t.split_once('('))
            .or_else(|| target.split_once('/'));
        let fits = match called {
            Some((name, inner)) => {
                let known = stock_macro(name).is_some()
                    || self.site_macro_files.iter().any(|site| site == name);
                known && verdicts.contains(&inner)
            }
            None => verdicts.contains(&target),
        };
        if fits {
            return Ok(());
        }
        let what = match target {
            "RETURN" | "CONTINUE" => "leaves the action early",
            "DEFAULTS" => "sets the action's parameters",
            t if t.contains('@') || t.contains('$') => "uses the action's parameters",
            t if self.site_action_files.iter().any(|a| a == t) => "calls another action",
            _ => "is not a verdict or a macro with one",
        };
        Err(format!(
            "`{target}` {what}: fwgen's import of actions takes ACCEPT, DROP, REJECT and macros called with them"
        ))
    }

    /// A rule calling the site action `name`: each body line a rule in its
    /// place, its SOURCE and DEST the call's narrowed by the line's
    /// addresses.
    pub(super) fn site_action_rule(
        &mut self,
        line: &Line,
        columns: &[String],
        name: &str,
        log: Option<&str>,
        comment: Option<&str>,
    ) {
        if used_after(columns, 3) {
            return self.refuse(line, format!("`{name}` called with PROTO, ports or other columns: they narrow what the action sees, which fwgen's import of actions does not carry"));
        }
        if self.blacklisting {
            return self.refuse(
                line,
                format!("the site action `{name}` in blrules is not in fwgen's import"),
            );
        }
        let Some(body) = self.site_action(name) else {
            return self.refuse(
                line,
                format!("`{name}` is the site's action.{name}, refused at its line"),
            );
        };
        // Rules.pm process_action: an action of no rules beside a file of
        // its bare name (a Shorewall 4 action written in Perl) is refused.
        let legacy = (self.directory.entries().unwrap_or_default())
            .iter()
            .any(|(entry, is_dir)| !is_dir && entry == name);
        if body.is_empty() && legacy {
            return self.refuse(line, format!("action.{name} has no rules and the file `{name}` is beside it: Shorewall refuses the call (\"File action.{name} is empty and file {name} exists - the two must be combined\"), and fwgen runs no Perl: write the action's rules in action.{name}"));
        }
        let (source, dest) = (&columns[1], &columns[2]);
        self.notes.push(format!(
            "{}:{}: `{name}` is the site's action.{name}: its {} line(s) in the rule's place, each within {source} -> {dest}; a packet none matches goes on to the next rule",
            line.file,
            line.number,
            body.len()
        ));
        if body.iter().any(|b| b.log.is_some()) || log.is_some() {
            self.notes.push(format!(
                "{}:{}: the lines of action.{name} log with fwgen's prefixes, which name the zone pair (`Shorewall:net-fw:ACCEPT:`) where Shorewall's name the action (`{name} ACCEPT`)",
                line.file, line.number
            ));
        }
        for body_line in body {
            // A macro's lines the way back (`DEST SOURCE`): inside the
            // action's chain Rules.pm process_macro swaps the body line's
            // own SOURCE and DEST columns, addresses within the call's
            // zone pair; the model's macro would match them from the
            // call's dest zone to its source zone.
            let head = body_line.target.split(':').next().unwrap_or_default();
            let called = head.split(['(', '/']).next().unwrap_or_default().to_owned();
            let way_back = if self.site_macro_files.contains(&called) {
                self.site_macro(&called).is_some_and(|m| m.has_way_back())
            } else {
                super::site_macro::stock_way_back(&called)
            };
            if way_back {
                self.refuse(&body_line.line, format!("`{called}` in action.{name} has lines the way back (`DEST SOURCE`): inside the action's chain Shorewall swaps only the line's own SOURCE and DEST columns for them, within the calling rule's zones ({source} -> {dest}), where fwgen's macro would match them from {dest} to {source}"));
                continue;
            }
            let (Some(source), Some(dest)) = (
                narrowed(source, body_line.source.as_deref()),
                narrowed(dest, body_line.dest.as_deref()),
            ) else {
                self.refuse(&body_line.line, format!("action.{name} names addresses where the calling rule at {}:{} gives its own (`{source}`, `{dest}`): not in fwgen's import", line.file, line.number));
                continue;
            };
            // A call's level with `!` is every line's, its own level
            // included (Rules.pm merge_levels), the level without its `!`
            // (`info!` logs at info).
            let forced = log.and_then(|call| {
                let (level, tag) = call.split_once(':').unwrap_or((call, ""));
                let level = level.strip_suffix('!')?;
                Some(match tag {
                    "" => level.to_owned(),
                    tag => format!("{level}:{tag}"),
                })
            });
            let level = forced.as_deref().or(body_line.log.as_deref()).or(log);
            let target = match level {
                Some(level) => format!("{}:{level}", body_line.target),
                None => body_line.target.clone(),
            };
            let dash = |c: &Option<String>| c.clone().unwrap_or_else(|| "-".to_owned());
            let [proto, dport, sport] = &body_line.service;
            let row = vec![target, source, dest, dash(proto), dash(dport), dash(sport)];
            let comment = body_line
                .line
                .comment
                .clone()
                .or(comment.map(str::to_owned));
            self.rule(&body_line.line, &row, false, comment.as_deref());
        }
    }
}

/// The call's SOURCE or DEST narrowed by a body line's addresses:
/// `net` and `203.0.113.192/27` make `net:203.0.113.192/27`. `None` when
/// both name addresses (or the call an interface).
fn narrowed(call: &str, body: Option<&str>) -> Option<String> {
    match body {
        None => Some(call.to_owned()),
        Some(_) if call.contains(':') => None,
        Some(addresses) => Some(format!("{call}:{addresses}")),
    }
}

/// Addresses, networks, ranges and exclusions (`!`) only: no zone or
/// interface name.
fn is_address_list(text: &str) -> bool {
    text.split([',', '!', '-'])
        .filter(|part| !part.is_empty())
        .all(|part| {
            let bare = part.trim_start_matches('[').trim_end_matches(']');
            bare.parse::<ipnet::IpNet>().is_ok() || bare.parse::<std::net::IpAddr>().is_ok()
        })
}
