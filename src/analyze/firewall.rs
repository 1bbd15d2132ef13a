//! The firewall's own settings and the backends' settings.

use super::*;
use crate::config::RawClampMss;
use crate::model::Section;
use crate::model::settings::tcp_flags_unseen;
use crate::model::{
    ClampMss, ConnState, Disposition, DispositionKey, Dispositions, Families, Forwarding, StateLogs,
};

impl Analyzer<'_> {
    pub(super) fn firewall(&mut self, raw: &RawFirewall) -> Firewall {
        // Before the zone: its name's limit depends on the prefix.
        let log_prefix = match &raw.log_prefix {
            Some(prefix) if log_prefix_valid(prefix.get_ref()) => prefix.get_ref().clone(),
            Some(prefix) => {
                let kind = ErrorKind::BadLogPrefix {
                    prefix: prefix.get_ref().clone(),
                };
                self.error(Some(prefix.span()), kind);
                DEFAULT_LOG_PREFIX.to_owned()
            }
            None => DEFAULT_LOG_PREFIX.to_owned(),
        };
        self.log_prefix = log_prefix.clone();
        let zone = match &raw.zone {
            Some(name) if self.zone_name_valid(name) => name.get_ref().clone(),
            _ => "fw".to_owned(),
        };
        let management_ports = self.management_ports(raw.management_ports.as_deref());
        let maclist_disposition = self
            .maclist_disposition(raw.maclist_disposition.as_ref())
            .unwrap_or(Disposition::Reject);
        Firewall {
            zone,
            log_prefix,
            management_ports,
            log_limit: self.log_limit(raw.log_limit.as_ref()),
            drop_broadcasts: raw.drop_broadcasts.unwrap_or(true),
            clamp_mss: self.families(
                "clamp_mss",
                [&raw.clamp_mss, &raw.clamp_mss_ipv4, &raw.clamp_mss_ipv6],
                Self::clamp_mss,
            ),
            ip_forwarding: self.families(
                "ip_forwarding",
                [
                    &raw.ip_forwarding,
                    &raw.ip_forwarding_ipv4,
                    &raw.ip_forwarding_ipv6,
                ],
                Self::ip_forwarding,
            ),
            route_filter: raw.route_filter.unwrap_or(false),
            log_martians: raw.log_martians.unwrap_or(false),
            conntrack_helpers: raw.conntrack_helpers.unwrap_or(false),
            stopped_output_open: raw.stopped_output_open.unwrap_or(true),
            fast_accept: raw.fast_accept.unwrap_or(false),
            blacklist_states: self.blacklist_states(raw.blacklist_states.as_ref()),
            dispositions: self.dispositions(raw),
            tcp_flags_log: self.families(
                "tcp_flags_log",
                [
                    &raw.tcp_flags_log,
                    &raw.tcp_flags_log_ipv4,
                    &raw.tcp_flags_log_ipv6,
                ],
                Self::log_level,
            ),
            smurf_log: self.families(
                "smurf_log",
                [&raw.smurf_log, &raw.smurf_log_ipv4, &raw.smurf_log_ipv6],
                Self::log_level,
            ),
            rpfilter_log: self.families(
                "rpfilter_log",
                [
                    &raw.rpfilter_log,
                    &raw.rpfilter_log_ipv4,
                    &raw.rpfilter_log_ipv6,
                ],
                Self::log_level,
            ),
            state_logs: StateLogs {
                related: self.families(
                    "related_log",
                    [
                        &raw.related_log,
                        &raw.related_log_ipv4,
                        &raw.related_log_ipv6,
                    ],
                    Self::log_level,
                ),
                invalid: self.families(
                    "invalid_log",
                    [
                        &raw.invalid_log,
                        &raw.invalid_log_ipv4,
                        &raw.invalid_log_ipv6,
                    ],
                    Self::log_level,
                ),
                untracked: self.families(
                    "untracked_log",
                    [
                        &raw.untracked_log,
                        &raw.untracked_log_ipv4,
                        &raw.untracked_log_ipv6,
                    ],
                    Self::log_level,
                ),
            },
            maclist_disposition,
            maclist_log: self.log_level(raw.maclist_log.as_ref()),
        }
    }

    /// With `invalid_disposition = "REJECT"`, Shorewall's INVALID section
    /// runs the `Invalid` macro's rules in each zone pair's chain before
    /// the REJECT; fwgen rejects invalid packets before any pair chain, so
    /// such a rule is refused rather than silently skipped. With
    /// `invalid_log`, fwgen decides invalid packets in the pair chains as
    /// Shorewall does, and the rule runs first there.
    pub(super) fn check_invalid_rejected(&mut self, firewall: &Firewall, rules: &[Rule]) {
        // Per family: rejected first, unless that family's are logged.
        let rejected_first = |ipv6: bool| {
            firewall.dispositions.invalid.get(ipv6) == Disposition::Reject
                && firewall.state_logs.invalid.get(ipv6).is_none()
        };
        if !rejected_first(false) && !rejected_first(true) {
            return;
        }
        let mut seen = Vec::new();
        for rule in rules.iter().filter(|r| r.in_invalid_section()) {
            if !seen.contains(&rule.span.start) {
                seen.push(rule.span.start);
                self.error(Some(rule.span.clone()), ErrorKind::InvalidRuleRejected);
            }
        }
    }

    /// FASTACCEPT=Yes accepts established packets, and related ones where
    /// they are accepted without a log, before anything else: Shorewall
    /// refuses rules of the ESTABLISHED section beside it, and of the
    /// RELATED section where related packets are accepted first (Rules.pm:
    /// "not permitted with FASTACCEPT=Yes"), and a BLACKLIST naming
    /// ESTABLISHED (Config.pm). A blacklist seeing RELATED packets sees
    /// them first, as Shorewall's (`fast_accepts` in src/ruleset/lower.rs).
    pub(super) fn check_fast_accept(
        &mut self,
        firewall: &Firewall,
        raw: &RawModel,
        rules: &[Rule],
    ) {
        let fast = |state: ConnState| {
            [false, true]
                .into_iter()
                .any(|ipv6| firewall.fast_states(ipv6).contains(&state))
        };
        if !firewall.fast_accept {
            return;
        }
        let mut seen = Vec::new();
        for rule in rules {
            let what = match rule.section {
                Section::Established => "a rule in the ESTABLISHED section",
                Section::Related if fast(ConnState::Related) => {
                    "a rule in the RELATED section, where related packets are accepted first,"
                }
                _ => continue,
            };
            if !seen.contains(&rule.span.start) {
                seen.push(rule.span.start);
                let kind = ErrorKind::FastAcceptConflict { what };
                self.error(Some(rule.span.clone()), kind);
            }
        }
        if firewall.blacklist_states.contains(&ConnState::Established) {
            let span = raw.firewall.blacklist_states.as_ref().map(|s| s.span());
            let what = "`blacklist_states` naming `established`";
            self.error(span, ErrorKind::FastAcceptConflict { what });
        }
    }

    /// A tcpflags disposition fwgen would decide otherwise than Shorewall
    /// ([`tcp_flags_unseen`]) in a family with an interface (or a hosts
    /// entry) that has `tcpflags` is refused.
    pub(super) fn check_tcp_flags_reached(&mut self, firewall: &Firewall, raw: &RawModel) {
        let dispositions = &firewall.dispositions;
        let raw = &raw.firewall;
        for ipv6 in [false, true] {
            let decided = |key| (dispositions.get(key, ipv6), dispositions.audited(key, ipv6));
            let unseen = tcp_flags_unseen(
                decided(DispositionKey::TcpFlags),
                decided(DispositionKey::Invalid),
                firewall.state_logs.invalid.get(ipv6).is_some(),
            ) && self.zones.iter().any(|z| z.family.has(ipv6))
                && (self
                    .interfaces
                    .iter()
                    .any(|i| i.has_any(InterfaceOption::Tcpflags))
                    || self.zones.iter().flat_map(|z| &z.hosts).any(|h| h.tcpflags));
            let tcp_flags_key = family_written(
                DispositionKey::TcpFlags,
                [
                    &raw.tcp_flags_disposition,
                    &raw.tcp_flags_disposition_ipv4,
                    &raw.tcp_flags_disposition_ipv6,
                ],
                ipv6,
            );
            let invalid_key = family_written(
                DispositionKey::Invalid,
                [
                    &raw.invalid_disposition,
                    &raw.invalid_disposition_ipv4,
                    &raw.invalid_disposition_ipv6,
                ],
                ipv6,
            );
            // Shown at tcp_flags' key, or at invalid's audited one when
            // tcp_flags is plain DROP.
            let plain_drop = dispositions.word(DispositionKey::TcpFlags, ipv6) == "DROP";
            let key = tcp_flags_key.as_ref().map_or_else(
                || DispositionKey::TcpFlags.key().to_owned(),
                |(key, _)| key.clone(),
            );
            let at = tcp_flags_key.filter(|_| !plain_drop).or(invalid_key);
            if unseen && let Some((at_key, at)) = at {
                let kind = ErrorKind::TcpFlagsUnseen {
                    key,
                    tcp_flags: dispositions.word(DispositionKey::TcpFlags, ipv6),
                    invalid: dispositions.word(DispositionKey::Invalid, ipv6),
                };
                self.error(Some(at.span()), kind);
                // The shared key once, not for each family.
                if !at_key.ends_with("_ipv4") {
                    return;
                }
            }
        }
    }

    /// The `*_disposition` keys: each takes the words Shorewall takes for
    /// its setting; absent: [`DispositionKey::model_default`].
    fn dispositions(&mut self, raw: &RawFirewall) -> Dispositions {
        let mut dispositions = Dispositions::default();
        let per_family = [
            (
                DispositionKey::TcpFlags,
                [
                    &raw.tcp_flags_disposition,
                    &raw.tcp_flags_disposition_ipv4,
                    &raw.tcp_flags_disposition_ipv6,
                ],
            ),
            (
                DispositionKey::Related,
                [
                    &raw.related_disposition,
                    &raw.related_disposition_ipv4,
                    &raw.related_disposition_ipv6,
                ],
            ),
            (
                DispositionKey::Invalid,
                [
                    &raw.invalid_disposition,
                    &raw.invalid_disposition_ipv4,
                    &raw.invalid_disposition_ipv6,
                ],
            ),
            (
                DispositionKey::Untracked,
                [
                    &raw.untracked_disposition,
                    &raw.untracked_disposition_ipv4,
                    &raw.untracked_disposition_ipv6,
                ],
            ),
        ];
        for (key, written) in per_family {
            let read = self.families(key.key(), written, |analyzer, written| {
                analyzer.disposition(key, written)
            });
            let default = (key.model_default(), false);
            dispositions.set_decided(
                key,
                Families {
                    ipv4: read.ipv4.unwrap_or(default),
                    ipv6: read.ipv6.unwrap_or(default),
                },
            );
        }
        dispositions
    }

    /// One `*_disposition` key: a word Shorewall takes for its setting,
    /// and whether it is the audited form (`"A_DROP"`).
    fn disposition(
        &mut self,
        key: DispositionKey,
        written: Option<&Spanned<String>>,
    ) -> Option<(Disposition, bool)> {
        let written = written?;
        match key.read(written.get_ref()) {
            Some(read) => Some(read),
            _ => {
                let kind = ErrorKind::BadDisposition {
                    key,
                    text: written.get_ref().clone(),
                };
                self.error(Some(written.span()), kind);
                None
            }
        }
    }

    /// BLACKLIST=: states in any case, or `all`; absent: the sample's
    /// NEW,INVALID,UNTRACKED. Kept in Shorewall's order.
    fn blacklist_states(&mut self, raw: Option<&Spanned<Vec<Spanned<String>>>>) -> Vec<ConnState> {
        let Some(raw) = raw else {
            return ConnState::DEFAULT.to_vec();
        };
        let mut states = Vec::new();
        for word in raw.get_ref() {
            if word.get_ref().eq_ignore_ascii_case("all") {
                states.extend(ConnState::ALL);
                continue;
            }
            match ConnState::parse(word.get_ref()) {
                Some(state) => states.push(state),
                None => {
                    let kind = ErrorKind::BadBlacklistState {
                        text: word.get_ref().clone(),
                    };
                    self.error(Some(word.span()), kind);
                }
            }
        }
        if raw.get_ref().is_empty() {
            let kind = ErrorKind::BadBlacklistState {
                text: String::new(),
            };
            self.error(Some(raw.span()), kind);
        }
        states.sort();
        states.dedup();
        states
    }

    /// `true`: the route's MTU; a number: that MSS; absent or `false`: none.
    fn clamp_mss(&mut self, raw: Option<&Spanned<RawClampMss>>) -> Option<ClampMss> {
        match *raw?.get_ref() {
            RawClampMss::Switch(on) => on.then_some(ClampMss::RouteMtu),
            RawClampMss::Size(size) => match u16::try_from(size) {
                Ok(size) if size > 0 => Some(ClampMss::Size(size)),
                _ => {
                    let span = raw.map(Spanned::span);
                    self.error(span, ErrorKind::BadClampMss { size });
                    None
                }
            },
        }
    }

    /// A setting of both families (`key`) or of each (`key_ipv4`,
    /// `key_ipv6`), read by `read`; a family key beside `key` is refused.
    fn families<R, T: Copy>(
        &mut self,
        key: &'static str,
        [both, ipv4, ipv6]: [&Option<Spanned<R>>; 3],
        mut read: impl FnMut(&mut Self, Option<&Spanned<R>>) -> Option<T>,
    ) -> Families<Option<T>> {
        let Some(both) = both else {
            let ipv4 = read(self, ipv4.as_ref());
            let ipv6 = read(self, ipv6.as_ref());
            return Families { ipv4, ipv6 };
        };
        for (ipv6, raw) in [(false, ipv4), (true, ipv6)] {
            if let Some(raw) = raw {
                let kind = ErrorKind::FamilySettingTwice { key, ipv6 };
                self.error(Some(raw.span()), kind);
            }
        }
        Families::both(read(self, Some(both)))
    }

    /// `ip_forwarding_ipv6` or `smurf_log_ipv6` in a model without IPv6
    /// zones (or an `_ipv4` key without IPv4 ones) would change nothing.
    pub(super) fn check_family_settings(&mut self, raw: &RawFirewall) {
        // Each key of one family, where the model gives it.
        let spans = [
            ("ip_forwarding", false, span_of(&raw.ip_forwarding_ipv4)),
            ("ip_forwarding", true, span_of(&raw.ip_forwarding_ipv6)),
            ("smurf_log", false, span_of(&raw.smurf_log_ipv4)),
            ("smurf_log", true, span_of(&raw.smurf_log_ipv6)),
            ("rpfilter_log", false, span_of(&raw.rpfilter_log_ipv4)),
            ("rpfilter_log", true, span_of(&raw.rpfilter_log_ipv6)),
            (
                "tcp_flags_disposition",
                false,
                span_of(&raw.tcp_flags_disposition_ipv4),
            ),
            (
                "tcp_flags_disposition",
                true,
                span_of(&raw.tcp_flags_disposition_ipv6),
            ),
            ("tcp_flags_log", false, span_of(&raw.tcp_flags_log_ipv4)),
            ("tcp_flags_log", true, span_of(&raw.tcp_flags_log_ipv6)),
            (
                "related_disposition",
                false,
                span_of(&raw.related_disposition_ipv4),
            ),
            (
                "related_disposition",
                true,
                span_of(&raw.related_disposition_ipv6),
            ),
            (
                "invalid_disposition",
                false,
                span_of(&raw.invalid_disposition_ipv4),
            ),
            (
                "invalid_disposition",
                true,
                span_of(&raw.invalid_disposition_ipv6),
            ),
            ("related_log", false, span_of(&raw.related_log_ipv4)),
            ("related_log", true, span_of(&raw.related_log_ipv6)),
            ("invalid_log", false, span_of(&raw.invalid_log_ipv4)),
            ("invalid_log", true, span_of(&raw.invalid_log_ipv6)),
            (
                "untracked_disposition",
                false,
                span_of(&raw.untracked_disposition_ipv4),
            ),
            (
                "untracked_disposition",
                true,
                span_of(&raw.untracked_disposition_ipv6),
            ),
            ("untracked_log", false, span_of(&raw.untracked_log_ipv4)),
            ("untracked_log", true, span_of(&raw.untracked_log_ipv6)),
            ("clamp_mss", false, span_of(&raw.clamp_mss_ipv4)),
            ("clamp_mss", true, span_of(&raw.clamp_mss_ipv6)),
        ];
        for (key, ipv6, span) in spans {
            let Some(span) = span else { continue };
            let present = self.zones.iter().any(|zone| zone.family.has(ipv6));
            if !present {
                let kind = ErrorKind::FamilySettingOfAbsentFamily { key, ipv6 };
                self.error(Some(span), kind);
            }
        }
    }

    /// `on`, `off` or `keep`; absent: [`Model::ip_forwarding`] decides.
    fn ip_forwarding(&mut self, raw: Option<&Spanned<String>>) -> Option<Forwarding> {
        let raw = raw?;
        let forwarding = Forwarding::parse(raw.get_ref());
        if forwarding.is_none() {
            let text = raw.get_ref().clone();
            self.error(Some(raw.span()), ErrorKind::BadIpForwarding { text });
        }
        forwarding
    }

    /// Shorewall's LOGLIMIT syntax, or `none`; absent: Shorewall's sample.
    fn log_limit(&mut self, raw: Option<&Spanned<String>>) -> Option<LogLimit> {
        let Some(raw) = raw else {
            return Some(LogLimit::SAMPLE);
        };
        let text = raw.get_ref();
        if text == "none" {
            return None;
        }
        match LogLimit::parse(text) {
            Ok(limit) => Some(limit),
            Err(problem) => {
                let kind = ErrorKind::BadLogLimit {
                    text: text.clone(),
                    problem,
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    pub(super) fn management_ports(&mut self, raw: Option<&[Spanned<i64>]>) -> Vec<u16> {
        let Some(raw) = raw else {
            return vec![22];
        };
        raw.iter()
            .filter_map(|port| self.port_number(port))
            .collect()
    }

    pub(super) fn shorewall_version(&mut self, raw: &RawModel) -> u8 {
        match &raw.shorewall.version {
            None => 5,
            Some(version) if matches!(version.get_ref(), 4 | 5) => *version.get_ref() as u8,
            Some(version) => {
                let kind = ErrorKind::BadShorewallVersion {
                    version: *version.get_ref(),
                };
                self.error(Some(version.span()), kind);
                5
            }
        }
    }

    pub(super) fn nftables_table(&mut self, raw: &RawModel) -> String {
        match &raw.nftables.table {
            None => "fwgen".to_owned(),
            Some(table) if nft_identifier_valid(table.get_ref()) => table.get_ref().clone(),
            Some(table) => {
                let kind = ErrorKind::BadIdentifier {
                    field: "nftables table name",
                    text: table.get_ref().clone(),
                    grammar: "a table name is a letter followed by up to 31 letters, digits or `_`",
                };
                self.error(Some(table.span()), kind);
                "fwgen".to_owned()
            }
        }
    }
}

/// The key written for one family (`true`: IPv6) of a disposition: the
/// shared one (`invalid_disposition`) or the family's own
/// (`invalid_disposition_ipv6`), with its value.
fn family_written(
    key: DispositionKey,
    [both, ipv4, ipv6_key]: [&Option<Spanned<String>>; 3],
    ipv6: bool,
) -> Option<(String, &Spanned<String>)> {
    match (both, ipv6) {
        (Some(both), _) => Some((key.key().to_owned(), both)),
        (None, false) => ipv4.as_ref().map(|v| (format!("{}_ipv4", key.key()), v)),
        (None, true) => ipv6_key
            .as_ref()
            .map(|v| (format!("{}_ipv6", key.key()), v)),
    }
}

/// Where a key the model may omit was given.
fn span_of<T>(raw: &Option<Spanned<T>>) -> Option<Range<usize>> {
    raw.as_ref().map(Spanned::span)
}
