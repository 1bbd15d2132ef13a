//! ipsets (ipset(8), shorewall-ipsets(5)): Shorewall creates no set; the
//! sets its lines name (`+NAME`) exist outside it. Every set a line names
//! where the model takes one becomes an `[[ipset]]` of the product's
//! family, declared once ([`Importer::declare_ipset`]); an ipset(8) save
//! file in the directory (`create NAME TYPE ...` / `add NAME MEMBER`)
//! gives its sets' kind, family and members.

use super::{Importer, Kind, Line, Table, Value};
use crate::import::listing::{self, Verdict};

/// ipset(8)'s `maxelem` when none is given.
const DEFAULT_MAXELEM: &str = "65536";

/// A set the model declares.
pub(super) struct DeclaredSet {
    name: String,
    kind: String,
    ipv6: bool,
    elements: Vec<String>,
    /// The line that declared it: a save file's `create` line, else the
    /// first line naming it.
    line: Line,
    /// The save file it was read from (`None`: only named).
    saved_in: Option<String>,
}

/// `+NAME` or `!+NAME` as the whole address part of a rule's SOURCE or
/// DEST (`ZONE:+NAME`): the set's name.
fn whole_list_set(side: &str) -> Option<&str> {
    let (_, addresses) = side.split_once(':')?;
    let name = addresses
        .strip_prefix("!+")
        .or_else(|| addresses.strip_prefix('+'))?;
    let plain = !name.is_empty() && !name.contains([',', '!', '[', '+', ':']);
    plain.then_some(name)
}

impl Importer {
    /// Declare the set `name` that `line` names, once: the product's
    /// family, hash:net, no members (unless a save file gave them).
    pub(super) fn declare_ipset(&mut self, name: &str, line: &Line) {
        if self.ipsets.iter().any(|set| set.name == name) {
            return;
        }
        self.ipsets.push(DeclaredSet {
            name: name.to_owned(),
            kind: "hash:net".to_owned(),
            ipv6: self.ipv6,
            elements: Vec::new(),
            line: line.clone(),
            saved_in: None,
        });
    }

    /// The sets a rule's or blacklist entry's SOURCE and DEST name as
    /// their whole address list.
    pub(super) fn declare_side_ipsets(&mut self, sides: &[&str], line: &Line) {
        for side in sides {
            if let Some(name) = whole_list_set(side) {
                self.declare_ipset(name, line);
            }
        }
    }

    /// The directory's ipset(8) save files: files Shorewall does not read
    /// (of an unknown name, or `NAME.save`) whose first active line is
    /// `create NAME TYPE`. Their sets are
    /// declared with their members; their names are returned for the walk.
    pub(super) fn read_ipset_saves(&mut self) {
        let Ok(entries) = self.directory.entries() else {
            return;
        };
        for (name, is_dir) in entries {
            // `NAME.save` is a backup to the listing, and the name of
            // Shorewall's own save file (ipsets.save).
            let unread = listing::verdict(&name, self.ipv6) == Verdict::Unknown;
            if is_dir || !(unread || name.ends_with(".save")) {
                continue;
            }
            let Ok(lines) = self.directory.lines(&name) else {
                continue;
            };
            let shown = listing::shown_line(&self.directory.shown(&name));
            let active: Vec<Line> = lines
                .iter()
                .map(|line| Line {
                    file: shown.clone(),
                    number: line.number,
                    text: String::from_utf8_lossy(&line.content).trim().to_owned(),
                    comment: None,
                })
                .filter(|line| !line.text.is_empty() && !line.text.starts_with('#'))
                .collect();
            if !active
                .first()
                .is_some_and(|l| l.text.starts_with("create "))
            {
                continue;
            }
            for line in &active {
                self.ipset_save_line(line);
            }
            self.ipset_files.push(name);
            self.notes.push(format!(
                "{shown}: an ipset(8) save file (`create` and `add` lines): Shorewall does not read it (the admin loads it, e.g. with `ipset restore`); its sets become `[[ipset]]` entries with their members"
            ));
        }
    }

    /// One line of a save file.
    fn ipset_save_line(&mut self, line: &Line) {
        let words: Vec<&str> = line.text.split_whitespace().collect();
        match words.as_slice() {
            ["create", name, kind, options @ ..] => self.ipset_create(line, name, kind, options),
            ["add", name, member, options @ ..] => self.ipset_add(line, name, member, options),
            _ => self.refuse(
                line,
                "not an ipset(8) save line fwgen reads (`create NAME TYPE ...` or `add NAME MEMBER`)",
            ),
        }
    }

    fn ipset_create(&mut self, line: &Line, name: &str, kind: &str, options: &[&str]) {
        if self.ipsets.iter().any(|set| set.name == name) {
            return self.refuse(line, format!("set `{name}` is created twice"));
        }
        let mut ipv6 = false;
        let mut sizing = Vec::new();
        let mut pairs = options.iter();
        while let Some(&option) = pairs.next() {
            let value = match option {
                "family" | "hashsize" | "maxelem" | "bucketsize" | "initval" | "timeout"
                | "netmask" | "markmask" | "size" => pairs.next().copied().unwrap_or_default(),
                _ => "",
            };
            match (option, value) {
                ("family", "inet") => ipv6 = false,
                ("family", "inet6") => ipv6 = true,
                ("hashsize" | "bucketsize" | "initval", _) => {
                    sizing.push(format!("{option} {value}"))
                }
                ("maxelem", DEFAULT_MAXELEM) => {}
                _ => {
                    let reason = format!(
                        "set `{name}`: `{option}{}{value}` is not in fwgen's model (its sets are created with `ipset -exist create NAME TYPE family FAMILY`, and ipset(8) refuses that for a set that exists with other options)",
                        if value.is_empty() { "" } else { " " }
                    );
                    return self.refuse(line, reason);
                }
            }
        }
        if !sizing.is_empty() {
            self.notes.push(format!(
                "{}: set `{name}`: {} not carried: only the hash's sizing, which ipset(8) tunes itself (`ipset -exist create` accepts a set that exists with another)",
                Self::origin(line),
                sizing.join(", ")
            ));
        }
        self.ipsets.push(DeclaredSet {
            name: name.to_owned(),
            kind: kind.to_owned(),
            ipv6,
            elements: Vec::new(),
            line: line.clone(),
            saved_in: Some(line.file.clone()),
        });
    }

    fn ipset_add(&mut self, line: &Line, name: &str, member: &str, options: &[&str]) {
        if !options.is_empty() {
            let reason = format!(
                "`{}`: a member's options (timeout, nomatch, comment, counters) are not in fwgen's model",
                options.join(" ")
            );
            return self.refuse(line, reason);
        }
        let Some(set) = self
            .ipsets
            .iter_mut()
            .find(|set| set.name == name && set.saved_in.is_some())
        else {
            return self.refuse(line, format!("set `{name}` is not created above"));
        };
        let valid =
            member.parse::<ipnet::IpNet>().is_ok() || member.parse::<std::net::IpAddr>().is_ok();
        if !valid {
            let reason = format!(
                "`{member}` is no address or network (ranges and members of other set types are not in fwgen's model)"
            );
            return self.refuse(line, reason);
        }
        set.elements.push(member.to_owned());
    }

    /// The declared sets as `[[ipset]]` entries, before every other entry,
    /// each noted by name.
    pub(super) fn write_ipsets(&mut self) {
        let mut entries = Vec::new();
        for set in std::mem::take(&mut self.ipsets) {
            let family = if set.ipv6 { "ipv6" } else { "ipv4" };
            self.notes.push(ipset_note(&set, family));
            let mut table = Table::array(&["ipset"]);
            table.push("name", set.name.as_str());
            table.push("family", family);
            if set.kind != "hash:net" {
                table.push("kind", set.kind.as_str());
            }
            if !set.elements.is_empty() {
                let elements = set.elements.iter().map(|e| Value::from(e.as_str()));
                table.push("elements", Value::Array(elements.collect()));
            }
            let before = self.entries.len();
            self.add(
                Kind::Ipset,
                &set.name,
                Vec::new(),
                Some(set.ipv6),
                &set.line,
                table,
            );
            entries.extend(self.entries.drain(before..));
        }
        self.entries.splice(0..0, entries);
        self.note_saved_ipsets();
    }

    /// SAVE_IPSETS=Yes: Shorewall saves the sets at stop and restores them
    /// at start; fwgen's Shorewall keeps a running set's members, but a
    /// reboot starts the sets from the model.
    fn note_saved_ipsets(&mut self) {
        let Some(value) = self.conf_setting("SAVE_IPSETS") else {
            return;
        };
        if !matches!(value.as_str(), "yes" | "ipv4")
            || !self.entries.iter().any(|e| e.kind == Kind::Ipset)
        {
            return;
        }
        self.notes.push(format!(
            "{}: SAVE_IPSETS={value}: Shorewall saves the sets at stop (/var/lib/shorewall/ipsets.save) and restores them at start; fwgen's Shorewall and nftables keep the members a running set holds across a restart, but a reboot starts each set with the model's elements only: members added at run time are lost then (save them with `ipset save`, or add them to the model)",
            if self.ipv6 { "shorewall6/shorewall6.conf" } else { "shorewall.conf" }
        ));
    }
}

/// The note for a declared set, by name.
fn ipset_note(set: &DeclaredSet, family: &str) -> String {
    let at = Importer::origin(&set.line);
    match &set.saved_in {
        Some(_) => format!(
            "{at}: ipset `{}` ({family}, {}) with the {} member(s) of this save file; members added at run time are kept while the set exists (docs/model.md, `[[ipset]]`)",
            set.name,
            set.kind,
            set.elements.len()
        ),
        None => format!(
            "{at}: ipset `{}` is declared ({family}, hash:net) with no members: Shorewall does not create sets, its members are not in the Shorewall directory (they are managed at run time, outside it); fwgen's apply and its Shorewall init keep the members a running set holds, and a set that does not exist starts empty. Of another ipset(8) type (hash:ip), say so with `kind`: `ipset -exist create` fails for a set that exists with another type",
            set.name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::whole_list_set;

    #[test]
    fn whole_list_sets() {
        assert_eq!(whole_list_set("net:+blocked"), Some("blocked"));
        assert_eq!(whole_list_set("all:!+admins"), Some("admins"));
        assert_eq!(whole_list_set("net:+a,+b"), None);
        assert_eq!(whole_list_set("net:+a[src]"), None);
        assert_eq!(whole_list_set("net:10.0.0.1"), None);
        assert_eq!(whole_list_set("net"), None);
    }
}
