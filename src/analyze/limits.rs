//! A rule's rate limit (`rate`, `rate_burst`, `rate_per`, `rate_table`)
//! and connection limit (`connlimit`, `connlimit_above`, `connlimit_per`,
//! `connlimit_mask`): Shorewall's RATE and CONNLIMIT columns.

use super::*;
use crate::model::{ConnLimit, LimitPer, RateLimit, RateUnit};

/// The rate keys of a rule or a policy.
struct RateKeys<'a> {
    rate: Option<&'a Spanned<String>>,
    burst: Option<&'a Spanned<i64>>,
    per: Option<&'a Spanned<String>>,
    table: Option<&'a Spanned<String>>,
}

/// The connection-limit keys of a rule or a policy.
struct ConnKeys<'a> {
    count: Option<&'a Spanned<i64>>,
    above: Option<&'a Spanned<i64>>,
    per: Option<&'a Spanned<String>>,
    mask: Option<&'a Spanned<i64>>,
}

impl Analyzer<'_> {
    /// The rule's rate limit; `Some(None)` without one, `None` once refused.
    pub(super) fn rate_limit(
        &mut self,
        entry: &RawRule,
        verdict: Option<Verdict>,
    ) -> Option<Option<Box<RateLimit>>> {
        let keys = RateKeys {
            rate: entry.rate.as_deref(),
            burst: entry.rate_burst.as_deref(),
            per: entry.rate_per.as_deref(),
            table: entry.rate_table.as_deref(),
        };
        let refused = verdict.is_some_and(|v| !v.takes_rate(entry.audited()));
        self.rate_keys(keys, refused)
    }

    /// A policy's or a port forward's rate limit (`rate`, `rate_burst`,
    /// `rate_per`): any verdict, no named table.
    pub(super) fn untabled_rate(
        &mut self,
        rate: Option<&Spanned<String>>,
        burst: Option<&Spanned<i64>>,
        per: Option<&Spanned<String>>,
    ) -> Option<Option<Box<RateLimit>>> {
        let keys = RateKeys {
            rate,
            burst,
            per,
            table: None,
        };
        self.rate_keys(keys, false)
    }

    /// A port forward's rate is on the one nat rule Shorewall writes for
    /// it, in the source zone's `net_dnat`. Refused where fwgen's nat
    /// rules would not keep that one bucket: with a macro (a rule per
    /// line), from `all` (a chain per zone) or from a zone with hosts
    /// entries (a rule per entry). `false` once refused.
    pub(super) fn check_dnat_rate(&mut self, entry: &RawDnat, source: ZoneRef) -> bool {
        let Some(raw) = entry.rate.as_deref() else {
            return true;
        };
        let hosts = |z: usize| !self.zones[z].hosts.is_empty();
        let listed = (entry.source.get_ref().split_once(':')).is_some_and(|(_, a)| a.contains(','));
        let reason = match source {
            _ if entry.service_macro.is_some() => {
                "a port forward's rate with a macro: Shorewall limits each of the macro's lines apart (write one port forward per protocol)"
            }
            _ if listed => {
                "a port forward's rate from an address list: Shorewall writes one nat rule per address, each with a bucket of its own, fwgen one rule (write one port forward per address)"
            }
            ZoneRef::All => {
                "a port forward's rate from `all`: Shorewall counts one rate for each zone's dnat chain, fwgen one for the entry (write one port forward per zone)"
            }
            ZoneRef::One(ZoneId::Zone(z)) if hosts(z) => {
                "a port forward's rate from a zone with hosts entries: Shorewall counts one rate for the zone, fwgen one for each entry"
            }
            ZoneRef::One(_) => return true,
        };
        self.limit_error(raw.span(), "rate", raw.get_ref().clone(), reason);
        false
    }

    /// The rate keys; `refused`: a rule whose verdict Shorewall limits no
    /// rate of.
    fn rate_keys(&mut self, entry: RateKeys<'_>, refused: bool) -> Option<Option<Box<RateLimit>>> {
        let Some(raw) = entry.rate else {
            let stray = (entry.burst)
                .map(|b| ("rate_burst", b.span(), b.get_ref().to_string()))
                .or_else(|| (entry.per).map(|p| ("rate_per", p.span(), p.get_ref().clone())))
                .or_else(|| (entry.table).map(|t| ("rate_table", t.span(), t.get_ref().clone())));
            if let Some((key, span, text)) = stray {
                self.limit_error(span, key, text, "only with a `rate`");
                return None;
            }
            return Some(None);
        };
        let text = raw.get_ref();
        let Some((rate, unit)) = parse_rate(text) else {
            let reason = "expected RATE/UNIT: `10/minute`, 1 to 10000 per sec, min, hour or day";
            self.limit_error(raw.span(), "rate", text.clone(), reason);
            return None;
        };
        if refused {
            let reason = "Shorewall refuses RATE with the plain DROP and REJECT (Chains.pm's `%norate`); ACCEPT, LOG and the audited A_DROP and A_REJECT take it";
            self.limit_error(raw.span(), "rate", text.clone(), reason);
            return None;
        }
        let burst = match entry.burst {
            None => RateLimit::DEFAULT_BURST,
            Some(b) => match u32::try_from(*b.get_ref()) {
                Ok(n) if (1..=RateLimit::MAX).contains(&n) => n,
                _ => {
                    let reason = "the burst is 1 to 10000 packets";
                    self.limit_error(b.span(), "rate_burst", b.get_ref().to_string(), reason);
                    return None;
                }
            },
        };
        let per = self.limit_per("rate_per", entry.per, LimitPer::All)?;
        let table = match entry.table {
            None => None,
            Some(t) => Some(self.rate_table(t, per)?),
        };
        Some(Some(Box::new(RateLimit {
            per,
            rate,
            unit,
            burst,
            table,
        })))
    }

    /// A table name as Shorewall reads it (`[A-Za-z]\w*`), with `rate_per`.
    fn rate_table(&mut self, raw: &Spanned<String>, per: LimitPer) -> Option<String> {
        let name = raw.get_ref();
        let valid = name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let reason = if !valid {
            "a table name is a letter, then letters, digits or `_` (at most 32)"
        } else if per == LimitPer::All {
            "a named table needs `rate_per`: fwgen keeps one bucket per address in it"
        } else {
            return Some(name.clone());
        };
        self.limit_error(raw.span(), "rate_table", name.clone(), reason);
        None
    }

    /// `source` or `dest`; `default` when absent.
    fn limit_per(
        &mut self,
        key: &'static str,
        raw: Option<&Spanned<String>>,
        default: LimitPer,
    ) -> Option<LimitPer> {
        let Some(raw) = raw else {
            return Some(default);
        };
        match raw.get_ref().as_str() {
            "source" => Some(LimitPer::Source),
            "dest" => Some(LimitPer::Destination),
            other => {
                let reason = "expected \"source\" or \"dest\"";
                self.limit_error(raw.span(), key, other.to_owned(), reason);
                None
            }
        }
    }

    /// The rule's connection limit; `Some(None)` without one.
    pub(super) fn connlimit(&mut self, entry: &RawRule) -> Option<Option<ConnLimit>> {
        let keys = ConnKeys {
            count: entry.connlimit.as_deref(),
            above: entry.connlimit_above.as_deref(),
            per: entry.connlimit_per.as_deref(),
            mask: entry.connlimit_mask.as_deref(),
        };
        self.connlimit_keys(keys)
    }

    /// A policy's connection limit (`connlimit`, `connlimit_per`,
    /// `connlimit_mask`): Rules.pm refuses CONNLIMIT `!N` on a policy
    /// ("Invalid CONNLIMIT"), so there is no `connlimit_above` there.
    pub(super) fn policy_connlimit(&mut self, entry: &RawPolicy) -> Option<Option<ConnLimit>> {
        let keys = ConnKeys {
            count: entry.connlimit.as_deref(),
            above: None,
            per: entry.connlimit_per.as_deref(),
            mask: entry.connlimit_mask.as_deref(),
        };
        self.connlimit_keys(keys)
    }

    /// The connection-limit keys; `Some(None)` without a limit.
    fn connlimit_keys(&mut self, entry: ConnKeys<'_>) -> Option<Option<ConnLimit>> {
        let (count, above) = match (entry.count, entry.above) {
            (Some(_), Some(above)) => {
                let reason = "give `connlimit` (at most) or `connlimit_above`, not both";
                let text = above.get_ref().to_string();
                self.limit_error(above.span(), "connlimit_above", text, reason);
                return None;
            }
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                let stray = (entry.per)
                    .map(|p| ("connlimit_per", p.span(), p.get_ref().clone()))
                    .or_else(|| {
                        (entry.mask).map(|m| ("connlimit_mask", m.span(), m.get_ref().to_string()))
                    });
                if let Some((key, span, text)) = stray {
                    let reason = "only with `connlimit` or `connlimit_above`";
                    self.limit_error(span, key, text, reason);
                    return None;
                }
                return Some(None);
            }
        };
        let key = if above {
            "connlimit_above"
        } else {
            "connlimit"
        };
        let Ok(count) = u32::try_from(*count.get_ref()) else {
            let reason = "a count of connections, 0 or more";
            self.limit_error(count.span(), key, count.get_ref().to_string(), reason);
            return None;
        };
        let per = self.limit_per("connlimit_per", entry.per, LimitPer::Source)?;
        let mask = match entry.mask {
            None => None,
            Some(m) => match u8::try_from(*m.get_ref()) {
                // 0: every address counts together (`--connlimit-mask 0`).
                Ok(bits) if bits <= 128 => Some(bits),
                _ => {
                    let reason = "a prefix length, 0 to 32 for IPv4 and to 128 for IPv6";
                    self.limit_error(m.span(), "connlimit_mask", m.get_ref().to_string(), reason);
                    return None;
                }
            },
        };
        Some(Some(ConnLimit {
            count,
            above,
            per,
            mask,
        }))
    }

    /// What the model refuses with a limit: the Invalid macro, and a mask
    /// longer than an IPv4 address on a rule of IPv4. (A rate or a
    /// connection limit on a rule that logs gates the log and the verdict
    /// alike, lower.rs.)
    pub(super) fn check_limits(&mut self, rule: &Rule, entry: &RawRule) {
        let connlimit = match (&entry.connlimit, &entry.connlimit_above) {
            (Some(n), _) => Some(("connlimit", n)),
            (None, Some(n)) => Some(("connlimit_above", n)),
            (None, None) => None,
        };
        let (key, text, span) = match (&entry.rate, connlimit) {
            (Some(rate), _) => ("rate", rate.get_ref().clone(), rate.span()),
            (None, Some((key, n))) => (key, n.get_ref().to_string(), n.span()),
            (None, None) => return,
        };
        let reason = if rule.is_invalid_macro() {
            "the Invalid macro takes no limit"
        } else if rule
            .connlimit
            .is_some_and(|c| c.mask.is_some_and(|m| m > 32))
            && rule.allows_family(false)
        {
            "`connlimit_mask` is longer than an IPv4 address: give the rule `family = \"ipv6\"`"
        } else {
            return;
        };
        self.limit_error(span, key, text, reason);
    }

    pub(super) fn limit_error(
        &mut self,
        span: Range<usize>,
        key: &'static str,
        text: String,
        reason: &'static str,
    ) {
        let kind = ErrorKind::BadLimit { key, text, reason };
        self.error(Some(span), kind);
    }

    /// A limited rule's address range that fwgen cannot limit as
    /// Shorewall does, refused: Shorewall matches a range in one iptables
    /// rule (`-m iprange`), where fwgen holds the networks that cover it.
    /// Taken in, each network would be a rule with its own bucket and
    /// count under a plain rate or a connection limit (lower's
    /// `per_address`, as Shorewall writes a list); left out alone
    /// (`net:!RANGE`), Shorewall's `! -m iprange` comes before the
    /// limits, where fwgen's networks would go to an exclusion chain after
    /// them. `false` once refused.
    pub(super) fn check_limited_ranges(
        &mut self,
        entry: &RawRule,
        rate: Option<&RateLimit>,
        connlimit: Option<ConnLimit>,
    ) -> bool {
        let per_rule = connlimit.is_some() || rate.is_some_and(|r| r.per == LimitPer::All);
        if rate.is_none() && connlimit.is_none() {
            return true;
        }
        let key = if rate.is_some() { "rate" } else { "connlimit" };
        let mut ok = true;
        for raw in [&entry.source, &entry.dest] {
            let text = raw.get_ref();
            let (taken, left_out) = match text.split_once('!') {
                Some((taken, left_out)) => (taken, Some(left_out)),
                None => (text.as_str(), None),
            };
            // Shorewall's trivial exclusion, decided in each family's file:
            // the family's only item left out, and none of it taken in.
            let families = |list: &str| list.split(',').filter_map(item_family).collect::<Vec<_>>();
            let taken_families = families(taken);
            let left_families = left_out.map(families).unwrap_or_default();
            let lone = |v6: bool| {
                !taken_families.contains(&v6)
                    && left_families.iter().filter(|&&f| f == v6).count() == 1
            };
            let mut offset = 0;
            for item in text.split([',', '!']) {
                let at = offset;
                offset += item.len() + 1;
                let in_taken = at < taken.len();
                let Some((range, networks)) = written_range(item) else {
                    continue;
                };
                let v6 = range.contains(':');
                if !((in_taken && per_rule) || (!in_taken && lone(v6))) {
                    continue;
                }
                let start = at + item.len() - range.len();
                let span = self.inner_span(raw, start, range.len());
                let kind = ErrorKind::LimitOverRange {
                    key,
                    range: range.to_owned(),
                    networks,
                };
                self.error(Some(span), kind);
                ok = false;
            }
        }
        ok
    }

    /// Rules naming one rate table share its buckets: they must limit
    /// alike, as one hashlimit table has one rate. `tables`: each entry's
    /// span and its `rate_table`'s.
    pub(super) fn check_rate_tables(
        &mut self,
        tables: &[(Range<usize>, Range<usize>)],
        rules: &[Rule],
    ) {
        let mut seen: Vec<&RateLimit> = Vec::new();
        for rule in rules {
            let Some(rate) = rule.rate.as_deref() else {
                continue;
            };
            if rate.table.is_none() {
                continue;
            }
            match seen.iter().find(|s| s.table == rate.table) {
                Some(first) if *first != rate => {
                    let span = tables
                        .iter()
                        .find(|(entry, _)| *entry == rule.span)
                        .map_or(rule.span.clone(), |(_, table)| table.clone());
                    let text = rate.table.clone().unwrap_or_default();
                    let reason = "another rule names this table with another rate, burst or `rate_per`: the rules of one table limit alike";
                    self.limit_error(span, "rate_table", text, reason);
                }
                Some(_) => {}
                None => seen.push(rate),
            }
        }
    }
}

/// `N/UNIT`: 1 to 10000 packets per sec, second, min, minute, hour or day.
fn parse_rate(text: &str) -> Option<(u32, RateUnit)> {
    let (rate, unit) = text.split_once('/')?;
    if rate.is_empty() || !rate.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rate: u32 = rate.parse().ok()?;
    let unit = RateUnit::parse(unit).ok()?;
    (1..=RateLimit::MAX).contains(&rate).then_some((rate, unit))
}

/// Where an item's address may start, longest tail first: its beginning
/// and after each `:` (a zone's, an interface's, or IPv6's own).
fn tails(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices(':').map(|(i, _)| i + 1))
}

/// Whether an address item (`192.0.2.1`, `net:2001:db8::/64`, a range)
/// is IPv6, from the longest tail after a `:` that is an address or a
/// network; `None` for what is neither (`+set`, `&eth0`, a zone alone).
fn item_family(item: &str) -> Option<bool> {
    let low = item.rsplit_once('-').map_or(item, |(low, _)| low);
    tails(low).find_map(|i| {
        let tail = &low[i..];
        (tail.parse::<IpAddr>().map(|a| a.is_ipv6()))
            .or_else(|_| tail.parse::<IpNet>().map(|n| matches!(n, IpNet::V6(_))))
            .ok()
    })
}

/// The range an address item ends with (`net:192.0.2.10-192.0.2.20`,
/// `loc:eth1:10.0.0.1-10.0.0.9`) and how many networks cover it, when
/// more than one do.
fn written_range(item: &str) -> Option<(&str, usize)> {
    let (low, high) = item.rsplit_once('-')?;
    let high_addr = high.parse::<IpAddr>().ok()?;
    let start = tails(low).find(|&i| low[i..].parse::<IpAddr>().is_ok())?;
    let low_addr = low[start..].parse::<IpAddr>().ok()?;
    let networks = super::addresses::range_networks(low_addr, high_addr)
        .ok()?
        .len();
    (networks > 1).then(|| (&item[start..], networks))
}
