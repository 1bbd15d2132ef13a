//! `[[ipset]]`: named address sets, and `+name` / `!+name` naming one as
//! a rule's whole address list (shorewall-rules(5), shorewall-ipsets(5)).

use super::*;
use crate::config::RawIpset;
use crate::error::quoted;
use crate::model::{Ipset, IpsetKind, IpsetRef};

/// ipset(8)'s longest set name (IPSET_MAXNAMELEN less its NUL).
const MAX_IPSET_NAME: usize = 31;
/// Sets fwgen's nftables table declares itself.
const OWN_SETS: &[&str] = &["lograte4", "lograte6"];

impl Analyzer<'_> {
    /// Reads every `[[ipset]]` before the zones' hosts and the rules that
    /// name them.
    pub(super) fn ipsets(&mut self, raw: &[Spanned<RawIpset>]) {
        for entry in raw {
            if let Some(set) = self.ipset(entry) {
                if self.ipsets.iter().any(|s| s.name == set.name) {
                    let kind = ErrorKind::BadIpset {
                        name: set.name,
                        reason: "is declared twice".to_owned(),
                    };
                    self.error(Some(entry.get_ref().name.span()), kind);
                    continue;
                }
                self.ipsets.push(set);
            }
        }
    }

    fn ipset(&mut self, raw: &Spanned<RawIpset>) -> Option<Ipset> {
        let raw = raw.get_ref();
        let name = raw.name.get_ref().clone();
        let bad = |this: &mut Self, span: Range<usize>, reason: String| {
            let kind = ErrorKind::BadIpset {
                name: name.clone(),
                reason,
            };
            this.error(Some(span), kind);
        };
        let mut ok = true;
        if let Some(reason) = ipset_name_problem(&name) {
            bad(self, raw.name.span(), reason.to_owned());
            ok = false;
        }
        let ipv6 = match raw.family.get_ref().as_str() {
            "ipv4" => false,
            "ipv6" => true,
            other => {
                let reason = format!(
                    "family `{}` is neither \"ipv4\" nor \"ipv6\"",
                    quoted(other)
                );
                bad(self, raw.family.span(), reason);
                return None;
            }
        };
        let kind = match raw.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("hash:net") => IpsetKind::HashNet,
            Some("hash:ip") => IpsetKind::HashIp,
            Some(other) => {
                let span = raw.kind.as_ref().map(Spanned::span).unwrap_or_default();
                bad(self, span, kind_refusal(other));
                return None;
            }
        };
        let mut elements = Vec::new();
        for element in &raw.elements {
            let Some(net) = self.network(element.get_ref(), element.span()) else {
                ok = false;
                continue;
            };
            let reason = if is_ipv6(&net) != ipv6 {
                Some(format!("element `{net}` is not of the set's family"))
            } else if net.prefix_len() == 0 {
                Some(format!(
                    "element `{net}` is every address, which an ipset cannot hold (a hash:net prefix is 1 to {}): Shorewall's `ipset add` fails and its firewall starts with the set empty, where nftables would hold it; leave the set out, or write the rule without it",
                    net.max_prefix_len()
                ))
            } else if kind == IpsetKind::HashIp && net.prefix_len() != net.max_prefix_len() {
                Some(format!(
                    "element `{net}` is a network, and a hash:ip set holds addresses only: make the set \"hash:net\""
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                bad(self, element.span(), reason);
                ok = false;
                continue;
            }
            if !elements.contains(&net) {
                elements.push(net);
            }
        }
        self.free_text("comment", raw.comment.as_ref());
        ok.then_some(Ipset {
            name,
            ipv6,
            kind,
            elements,
        })
    }

    /// `+name` or `!+name` as the whole of `list` (at byte `offset` of
    /// `raw`): `None` when the list names no set; `Some(None)` once refused.
    pub(super) fn ipset_list(
        &mut self,
        raw: &Spanned<String>,
        offset: usize,
        list: &str,
        zone: Option<ZoneRef>,
    ) -> Option<Option<IpsetRef>> {
        let names_set = list
            .split([',', '!'])
            .any(|item| item.trim_start().starts_with('+'));
        if !names_set {
            return None;
        }
        let span = self.inner_span(raw, offset, list.len());
        let refuse = |this: &mut Self, reason: String| {
            let kind = ErrorKind::IpsetReference {
                text: list.to_owned(),
                reason,
            };
            this.error(Some(span.clone()), kind);
            Some(None)
        };
        let (negated, name) = match list.strip_prefix("!+") {
            Some(name) => (true, name),
            None => (false, list.strip_prefix('+').unwrap_or(list)),
        };
        if list.starts_with(['+', '!']) && name.contains('[') {
            return refuse(
                self,
                "`+NAME[FLAGS]` (which of the packet's addresses a set matches) is not in fwgen's model: the column's own side is matched".to_owned(),
            );
        }
        if !list.starts_with('+') && !list.starts_with("!+") || name.contains([',', '!']) {
            return refuse(
                self,
                "an ipset is taken as the whole address list (`+NAME` or `!+NAME`), not beside addresses or other sets".to_owned(),
            );
        }
        let Some(index) = self.ipsets.iter().position(|s| s.name == name) else {
            let known: Vec<&str> = self.ipsets.iter().map(|s| s.name.as_str()).collect();
            let reason = match known.is_empty() {
                true => "names no `[[ipset]]`: the model declares none".to_owned(),
                false => format!("names no `[[ipset]]` (declared: {})", known.join(", ")),
            };
            return refuse(self, reason);
        };
        let ipv6 = self.ipsets[index].ipv6;
        if let Some(ZoneRef::One(id)) = zone
            && !self.zone_family(id).has(ipv6)
        {
            let reason = format!(
                "the set is {} and the zone is not",
                if ipv6 { "IPv6" } else { "IPv4" }
            );
            return refuse(self, reason);
        }
        Some(Some(IpsetRef {
            index,
            negated,
            ipv6,
        }))
    }
}

/// Why `name` cannot name a set in both ipset(8) and fwgen's nftables table.
fn ipset_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > MAX_IPSET_NAME {
        return Some("a name is 1 to 31 characters (ipset(8)'s limit)");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a name starts with a letter");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some(
            "only letters, digits and `_` are allowed (fwgen's own sets have `-` in their names)",
        );
    }
    if OWN_SETS.contains(&name) {
        return Some("is the name of a set fwgen's nftables table declares itself");
    }
    None
}

/// Why a set of another ipset(8) type is refused.
fn kind_refusal(kind: &str) -> String {
    let what = if kind.contains("port") {
        "holds ports, which fwgen's model matches in `dport`/`sport`, not in sets"
    } else if kind.contains("iface") {
        "holds interfaces, which fwgen's model matches as zones' interfaces"
    } else if kind.contains("mac") {
        "holds MAC addresses, which fwgen's model does not match"
    } else if kind.starts_with("list:") {
        "holds other sets: declare one set of their members instead"
    } else {
        "is no ipset(8) type of addresses"
    };
    format!(
        "kind `{}` {what}; fwgen's sets are \"hash:net\" or \"hash:ip\"",
        quoted(kind)
    )
}
