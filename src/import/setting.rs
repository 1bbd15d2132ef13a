//! Every setting of Shorewall 5.2.8's shorewall.conf and shorewall6.conf,
//! with the verdict the importer gives it: carried into the model, noted
//! by name as changing no verdict, refused unless its value is one
//! fwgen's firewall already means, or judged by the importer where it
//! acts (refused where it changes what passes, else noted with its
//! effect). `tests/import_settings.rs` checks this
//! table against the installed Shorewall (its sample files and the
//! settings Config.pm knows).

/// What the importer does with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Carried into the model by its own reader in the importer.
    Modelled,
    /// Changes what is logged, where tools are, or how Shorewall runs, but
    /// not what passes: listed by name at the top of the model.
    Noted,
    /// fwgen's firewall does what these values (lower case, after the
    /// default is filled in) do; any other value is refused with the reason.
    Only(&'static [&'static str], &'static str),
    /// Removed in Shorewall 5 (`shorewall update` drops it): noted.
    Eliminated,
    /// Shorewall 4's name of a setting (Config.pm's `%renamed`): its line
    /// sets the setting of the new name, the later line of either name
    /// winning. `$OLD` is no variable: Config.pm's get_configuration
    /// assigns it to a lexical `%variables` that shadows the one files
    /// read (shorewall compile: "Undefined shell variable").
    Renamed(&'static str),
    /// Judged by the importer by its value and what else the directory
    /// holds (`judge_conf_setting`): refused where it changes what passes,
    /// noted with its own effect where it changes what Shorewall logs or
    /// how it runs, else noted by name.
    Judged,
}

/// One setting: its name, Config.pm's default (lower case) and verdict.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    /// The value Shorewall uses when the setting is unset or empty (empty
    /// for the settings the importer only notes).
    pub default: &'static str,
    pub verdict: Verdict,
}

const NO: &[&str] = &["no"];

const fn noted(name: &'static str) -> Setting {
    Setting {
        name,
        default: "",
        verdict: Verdict::Noted,
    }
}

const fn modelled(name: &'static str, default: &'static str) -> Setting {
    Setting {
        name,
        default,
        verdict: Verdict::Modelled,
    }
}

const fn only(
    name: &'static str,
    default: &'static str,
    values: &'static [&'static str],
    why: &'static str,
) -> Setting {
    Setting {
        name,
        default,
        verdict: Verdict::Only(values, why),
    }
}

const fn judged(name: &'static str) -> Setting {
    Setting {
        name,
        default: "",
        verdict: Verdict::Judged,
    }
}

const fn renamed(name: &'static str, new: &'static str) -> Setting {
    Setting {
        name,
        default: "",
        verdict: Verdict::Renamed(new),
    }
}

const fn eliminated(name: &'static str) -> Setting {
    Setting {
        name,
        default: "",
        verdict: Verdict::Eliminated,
    }
}

/// The table, in no particular order; [`find`] looks a name up.
pub const SETTINGS: &[Setting] = &[
    // Carried into `[firewall]`.
    modelled("LOGFORMAT", "shorewall:%s:%s:"),
    modelled("LOGLIMIT", ""),
    modelled("LOGRATE", ""),
    modelled("LOGBURST", ""),
    modelled("DROP_DEFAULT", "none"),
    modelled("REJECT_DEFAULT", "none"),
    modelled("CLAMPMSS", "no"),
    modelled("IP_FORWARDING", "on"),
    modelled("ROUTE_FILTER", ""),
    modelled("LOG_MARTIANS", "on"),
    modelled("AUTOHELPERS", "yes"),
    // Judged against the Shorewall6 directory beside it (`carry_settings`).
    modelled("DISABLE_IPV6", "no"),
    // Yes only with an interface `+` (`judge_complete` in the importer).
    modelled("COMPLETE", "no"),
    // What leaves the firewall while stopped: `stopped_output_open`.
    modelled("ADMINISABSENTMINDED", "no"),
    // Established packets accepted first: `fast_accept`.
    modelled("FASTACCEPT", "no"),
    // The states the blacklist sees: `blacklist_states` (unset: by FASTACCEPT).
    modelled("BLACKLIST", ""),
    // What passes would change: only the value fwgen's firewall means.
    // `[firewall]` `tcp_flags_log`, `smurf_log` and the conntrack states'
    // `related_log`, `invalid_log`, `untracked_log`.
    modelled("TCP_FLAGS_LOG_LEVEL", ""),
    modelled("SMURF_LOG_LEVEL", ""),
    modelled("RPFILTER_LOG_LEVEL", "info"),
    modelled("RELATED_LOG_LEVEL", ""),
    modelled("INVALID_LOG_LEVEL", ""),
    modelled("UNTRACKED_LOG_LEVEL", ""),
    // `[firewall]` `*_disposition` (`disposition` in the importer).
    modelled("TCP_FLAGS_DISPOSITION", "drop"),
    modelled("RELATED_DISPOSITION", "accept"),
    modelled("INVALID_DISPOSITION", "continue"),
    modelled("UNTRACKED_DISPOSITION", "continue"),
    // What passes would change: only the value fwgen's firewall means.
    only(
        "SMURF_DISPOSITION",
        "drop",
        &["drop"],
        "Shorewall takes DROP or A_DROP, and fwgen's nosmurfs option drops the packets it catches without the audit record A_DROP adds",
    ),
    only(
        "HELPERS",
        "",
        &[""],
        "fwgen's conntrack_helpers attaches every helper of Shorewall's conntrack file, not a chosen few",
    ),
    only(
        "IMPLICIT_CONTINUE",
        "no",
        NO,
        "IMPLICIT_CONTINUE=Yes gives each nested zone a CONTINUE policy from it and to it, with every other zone, where the policy file names no pair of its own (Rules.pm); fwgen's model has no implicit policies: write `NESTED all CONTINUE` and `all NESTED CONTINUE` in the policy file",
    ),
    modelled("ACCEPT_DEFAULT", "none"),
    only(
        "DETECT_DNAT_IPADDRS",
        "no",
        NO,
        "fwgen's DNAT does not narrow to the interface's own address",
    ),
    only("NULL_ROUTE_RFC1918", "no", NO, "fwgen adds no routes"),
    only(
        "SFILTER_DISPOSITION",
        "drop",
        &["drop"],
        "fwgen drops what the sfilter check catches (traffic leaving by the interface it came in on); REJECT and the audited A_ forms are not in its model",
    ),
    // Judged by the importer where they act: ADD_IP_ALIASES at each nat
    // entry (Config.pm's IPv4 default is Yes: Shorewall adds EXTERNAL to
    // the interface), EXPAND_POLICIES at the first policy naming `all`.
    modelled("ADD_IP_ALIASES", "yes"),
    modelled("EXPAND_POLICIES", "no"),
    only(
        "ADD_SNAT_ALIASES",
        "no",
        NO,
        "fwgen adds no addresses to interfaces",
    ),
    only("DYNAMIC_ZONES", "no", NO, "fwgen's zones are fixed"),
    only(
        "MULTICAST",
        "no",
        NO,
        "fwgen does not exempt multicast from the zone policies",
    ),
    only("DOCKER", "no", NO, "fwgen keeps no Docker chains"),
    only("MINIUPNPD", "no", NO, "fwgen keeps no miniupnpd chains"),
    only(
        "BASIC_FILTERS",
        "no",
        NO,
        "fwgen has no ipset-based basic filters",
    ),
    only(
        "BRIDGING",
        "no",
        NO,
        "Shorewall 4.2's bridging is not modelled",
    ),
    only(
        "REJECT_ACTION",
        "",
        &[""],
        "fwgen's REJECT answers as Shorewall's builtin reject does, not through a site action",
    ),
    // Judged by their values where they act (`judge_conf_setting` in the
    // importer): CONFIG_PATH's extra directories and MANGLE_ENABLED=No
    // beside a mangle feature are refused; the others, set away from
    // Shorewall's default, are noted with what they do in Shorewall.
    judged("STARTUP_ENABLED"),
    judged("LOGALLNEW"),
    judged("SFILTER_LOG_LEVEL"),
    judged("CONFIG_PATH"),
    judged("IGNOREUNKNOWNVARIABLES"),
    judged("MANGLE_ENABLED"),
    judged("REQUIRE_INTERFACE"),
    judged("DYNAMIC_BLACKLIST"),
    // Logging, paths, tools and how Shorewall runs: no verdict changes.
    noted("VERBOSITY"),
    noted("PAGER"),
    noted("FIREWALL"),
    noted("LOG_LEVEL"),
    // Read where a blacklist entry is converted (src/import/shorewall/blacklist.rs).
    modelled("BLACKLIST_LOG_LEVEL", ""),
    // Removed in Shorewall 5; read while BLACKLIST is unset (Config.pm).
    modelled("BLACKLISTNEWONLY", "no"),
    judged("LOG_BACKEND"),
    noted("LOG_VERBOSITY"),
    judged("LOG_ZONE"),
    noted("LOGFILE"),
    judged("LOGTAGONLY"),
    noted("MACLIST_LOG_LEVEL"),
    noted("STARTUP_LOG"),
    noted("RFC1918_LOG_LEVEL"),
    noted("ARPTABLES"),
    noted("GEOIPDIR"),
    noted("IPTABLES"),
    noted("IP6TABLES"),
    noted("IP"),
    noted("IPSET"),
    noted("LOCKFILE"),
    noted("MODULESDIR"),
    noted("NFACCT"),
    noted("PATH"),
    noted("PERL"),
    noted("RESTOREFILE"),
    noted("SHOREWALL_SHELL"),
    noted("SUBSYSLOCK"),
    noted("TC"),
    noted("RSH_COMMAND"),
    noted("RCP_COMMAND"),
    noted("MUTEX_TIMEOUT"),
    noted("AUTOCOMMENT"),
    noted("AUTOMAKE"),
    noted("DONT_LOAD"),
    noted("IPSET_WARNINGS"),
    noted("WARNOLDCAPVERSION"),
    noted("VERBOSE_MESSAGES"),
    noted("PERL_HASH_SEED"),
    noted("SHOREWALL_COMPILER"),
    noted("EXPORTMODULES"),
    noted("DEFER_DNS_RESOLUTION"),
    noted("USE_RT_NAMES"),
    noted("TRACK_RULES"),
    noted("LEGACY_RESTART"),
    noted("RESTART"),
    noted("SAVE_IPSETS"),
    noted("SAVE_ARPTABLES"),
    noted("OPTIMIZE"),
    noted("OPTIMIZE_ACCOUNTING"),
    noted("ACCOUNTING_TABLE"),
    noted("ACCOUNTING"),
    noted("RENAME_COMBINED"),
    noted("DELETE_THEN_ADD"),
    noted("KEEP_RT_TABLES"),
    noted("USE_DEFAULT_RT"),
    noted("RESTORE_DEFAULT_ROUTE"),
    noted("BALANCE_PROVIDERS"),
    noted("TRACK_PROVIDERS"),
    noted("RESTORE_ROUTEMARKS"),
    judged("USE_NFLOG_SIZE"),
    noted("ZERO_MARKS"),
    noted("FORWARD_CLEAR_MARK"),
    noted("MARK_IN_FORWARD_CHAIN"),
    noted("TC_BITS"),
    noted("PROVIDER_BITS"),
    noted("PROVIDER_OFFSET"),
    noted("MASK_BITS"),
    noted("ZONE_BITS"),
    noted("TC_ENABLED"),
    noted("TC_EXPERT"),
    noted("TC_PRIOMAP"),
    noted("CLEAR_TC"),
    noted("WORKAROUNDS"),
    noted("USE_PHYSICAL_NAMES"),
    noted("FAST_STOP"),
    noted("RETAIN_ALIASES"),
    noted("RFC1918_STRICT"),
    noted("PKTTYPE"),
    noted("USE_ACTIONS"),
    noted("DOCKER_BRIDGE"),
    judged("ZONE2ZONE"),
    // Only with a file or option the importer judges itself (blacklist,
    // blrules, maclist, sfilter, rpfilter, QUEUE and NFQUEUE policies).
    noted("BLACKLIST_DEFAULT"),
    modelled("BLACKLIST_DISPOSITION", "drop"),
    noted("DELAYBLACKLISTLOAD"),
    noted("MACLIST_TABLE"),
    noted("MACLIST_TTL"),
    noted("MACLIST_DISPOSITION"),
    only(
        "RPFILTER_DISPOSITION",
        "drop",
        &["drop"],
        "fwgen's rpfilter option drops the packets it catches: Shorewall's REJECT (in the mangle table) and the audited A_DROP and A_REJECT are not in the model",
    ),
    noted("QUEUE_DEFAULT"),
    noted("NFQUEUE_DEFAULT"),
    // Renamed in Shorewall 5, or removed.
    renamed("AUTO_COMMENT", "AUTOCOMMENT"),
    renamed("BLACKLIST_LOGLEVEL", "BLACKLIST_LOG_LEVEL"),
    eliminated("EXPORTPARAMS"),
    eliminated("LEGACY_FASTSTART"),
    eliminated("IPSECFILE"),
    eliminated("WIDE_TC_MARKS"),
    eliminated("HIGH_ROUTE_MARKS"),
    eliminated("CHAIN_SCRIPTS"),
    eliminated("MODULE_SUFFIX"),
    eliminated("MAPOLDACTIONS"),
    eliminated("INLINE_MATCHES"),
    eliminated("LOAD_HELPERS_ONLY"),
];

/// The setting of that name, if Shorewall knows it.
pub fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The settings of Config.pm's `%eliminated` that are still keys of its
/// `%config`: a line setting one, whatever its value, stops its compile
/// ("The NAME configuration option has been superceded - please run
/// 'shorewall update'"). fwgen reads a Shorewall 4 directory as `shorewall
/// update` rewrites it, and says so at the line: here, what update makes
/// of each.
pub const SUPERSEDED: &[(&str, &str)] = &[
    ("LOGRATE", "LOGLIMIT, with LOGBURST"),
    ("LOGBURST", "LOGLIMIT, with LOGRATE"),
    ("BLACKLISTNEWONLY", "BLACKLIST, while BLACKLIST is unset"),
    (
        "WIDE_TC_MARKS",
        "the mark layout (TC_BITS, MASK_BITS), which decides no verdict of fwgen's",
    ),
    (
        "HIGH_ROUTE_MARKS",
        "the mark layout (PROVIDER_OFFSET), which decides no verdict of fwgen's",
    ),
];

/// Shorewall's warning where Config.pm skips a line setting `name` (no
/// value, and no variable a file can use): a name it does not know, or
/// one removed in Shorewall 5 (`%eliminated`). `None`: the line sets it.
pub fn ignored_warning(name: &str) -> Option<String> {
    match find(name).map(|s| s.verdict) {
        None => Some(format!("Unknown configuration option ({name}) ignored")),
        Some(Verdict::Eliminated) => Some(format!(
            "The {name} configuration option is no longer supported"
        )),
        Some(_) => None,
    }
}

/// Why Config.pm refuses the whole configuration for this value of
/// `name` (its last assignment, quotes read; empty is the default), for
/// the settings it checks word for word, in capitals, whether or not they
/// act: `drop` or ` DROP` is no DROP (Config.pm get_configuration; its
/// message quoted). `None`: Config.pm takes it, and the setting's own
/// reader judges it further. `setting` gives another setting's value
/// (empty when unset), for the checks that read two.
pub fn config_pm_refusal(
    name: &str,
    value: &str,
    setting: &dyn Fn(&str) -> String,
) -> Option<String> {
    let drop = |v: &str| matches!(v, "DROP" | "A_DROP");
    let drop_or_reject = |v: &str| matches!(v, "DROP" | "A_DROP" | "REJECT" | "A_REJECT");
    let refused = |shorewall: &str| {
        Some(format!(
            "{name}={value}: Shorewall refuses it (\"{shorewall}\"); it reads the value as written, capitals and blanks included"
        ))
    };
    match name {
        _ if value.is_empty() => None,
        "MACLIST_TABLE" if !matches!(value, "filter" | "mangle") => {
            refused(&format!("Invalid value ({value}) for MACLIST_TABLE option"))
        }
        "SMURF_DISPOSITION" if !drop(value) => {
            refused("SMURF_DISPOSITION must be 'DROP' or 'A_DROP'")
        }
        // `/^(?:A_)?REJECT/`, unanchored at its end: REJECTED passes.
        "BLACKLIST_DISPOSITION"
            if !drop(value)
                && !value
                    .strip_prefix("A_")
                    .unwrap_or(value)
                    .starts_with("REJECT") =>
        {
            refused("BLACKLIST_DISPOSITION must be 'DROP', 'A_DROP', 'REJECT' or 'A_REJECT'")
        }
        "SFILTER_DISPOSITION" | "RPFILTER_DISPOSITION" if !drop_or_reject(value) => {
            refused(&format!("Invalid {name} setting ({value})"))
        }
        "MACLIST_DISPOSITION" if !drop_or_reject(value) && value != "ACCEPT" => {
            refused(&format!("Invalid value ({value}) for MACLIST_DISPOSITION"))
        }
        // Config.pm: "MACLIST_DISPOSITION=$1 is not allowed with
        // MACLIST_TABLE=mangle", whether or not an interface has maclist.
        "MACLIST_DISPOSITION"
            if matches!(value, "REJECT" | "A_REJECT") && setting("MACLIST_TABLE") == "mangle" =>
        {
            Some(format!(
                "MACLIST_DISPOSITION={value} beside MACLIST_TABLE=mangle: Shorewall refuses it (REJECT: \"MACLIST_DISPOSITION=$1 is not allowed with MACLIST_TABLE=mangle\"; A_REJECT: \"Unknown rule target (reject)\"), whether or not an interface has `maclist`"
            ))
        }
        // The first action's name keeps the blank: no action has it.
        "DROP_DEFAULT" | "REJECT_DEFAULT" | "ACCEPT_DEFAULT" | "QUEUE_DEFAULT"
        | "NFQUEUE_DEFAULT" | "BLACKLIST_DEFAULT"
            if value.starts_with(char::is_whitespace) =>
        {
            let first = value.split([',', '(']).next().unwrap_or(value);
            refused(&format!("Unknown Action ({first}) in {name} setting"))
        }
        _ if find(name).is_some_and(|s| s.verdict == Verdict::Noted) => {
            noted_refusal(name, value, setting)
        }
        "BLACKLIST" if value != "ALL" => {
            // split_list: no empty item; then each state once, in capitals.
            let states: Vec<&str> = value.split(',').collect();
            let known = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"];
            if states.iter().any(|s| s.is_empty()) {
                return refused(&format!("Invalid BLACKLIST list ({value})"));
            }
            if let Some(bad) = states.iter().find(|s| !known.contains(s)) {
                return refused(&format!("Invalid BLACKLIST state ({bad})"));
            }
            let twice = states
                .iter()
                .enumerate()
                .find(|(at, s)| states[..*at].contains(s));
            twice.and_then(|(_, s)| refused(&format!("Duplicate BLACKLIST state({s})")))
        }
        _ => None,
    }
}

/// The settings only noted by name that Config.pm reads with
/// default_yes_no: Yes or No in any case, or nothing.
const NOTED_YES_NO: &[&str] = &[
    "ACCOUNTING",
    "AUTOCOMMENT",
    "BALANCE_PROVIDERS",
    "CLEAR_TC",
    "DEFER_DNS_RESOLUTION",
    "DELAYBLACKLISTLOAD",
    "DELETE_THEN_ADD",
    "EXPORTMODULES",
    "FORWARD_CLEAR_MARK",
    "IPSET_WARNINGS",
    "KEEP_RT_TABLES",
    "MARK_IN_FORWARD_CHAIN",
    "OPTIMIZE_ACCOUNTING",
    "RENAME_COMBINED",
    "RESTORE_DEFAULT_ROUTE",
    "RESTORE_ROUTEMARKS",
    "RFC1918_STRICT",
    "SAVE_ARPTABLES",
    "TC_EXPERT",
    "TRACK_PROVIDERS",
    "USE_ACTIONS",
    "USE_DEFAULT_RT",
    "USE_PHYSICAL_NAMES",
    "USE_RT_NAMES",
    "VERBOSE_MESSAGES",
    "WARNOLDCAPVERSION",
    "ZERO_MARKS",
];

/// Why Shorewall refuses the whole configuration for this value of a
/// setting fwgen only notes by name: the checks of Config.pm
/// get_configuration (default_yes_no, numeric_option, its own patterns)
/// and of the command that runs it (lib.cli-std), which stop the compile
/// whether or not the setting acts (helper-248: `ZONE2ZONE=x`,
/// `TRACK_RULES=Foo` were listed as changing no verdict).
fn noted_refusal(name: &str, value: &str, setting: &dyn Fn(&str) -> String) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    // Config.pm default_yes_no: Yes or No in any case.
    let yes_no = matches!(lower.as_str(), "yes" | "no");
    // The shell's spellings (lib.cli-std `case`): Yes, yes, No, no.
    let shell_yes_no = |v: &str| matches!(v, "Yes" | "yes" | "No" | "no");
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let automake_ok = |v: &str| {
        shell_yes_no(v)
            || matches!(v, "Recursive" | "recursive")
            || (digits(v) && v.len() <= 2 && !v.starts_with('0'))
    };
    let shorewall = match name {
        _ if NOTED_YES_NO.contains(&name) && !yes_no => {
            format!("Invalid value for {name} ({lower})")
        }
        // Config.pm reads LEGACY_RESTART (default_yes_no) only where
        // RESTART is unset.
        "LEGACY_RESTART" if !yes_no && setting("RESTART").is_empty() => {
            format!("Invalid value for LEGACY_RESTART ({lower})")
        }
        // The command checks LOG_VERBOSITY only beside a STARTUP_LOG.
        "LOG_VERBOSITY"
            if !matches!(value, "-1" | "0" | "1" | "2") && !setting("STARTUP_LOG").is_empty() =>
        {
            format!("Invalid LOG_VERBOSITY ({value})")
        }
        "TRACK_RULES" if !yes_no && lower != "file" => {
            format!("Invalid value for TRACK_RULES ({lower})")
        }
        // lib.cli-std, before the compiler: Yes, No, 1-99, Recursive.
        "AUTOMAKE" if !automake_ok(value) => {
            format!("Invalid AUTOMAKE setting ({value})")
        }
        "WORKAROUNDS" if !shell_yes_no(value) => {
            format!("Invalid setting ({value}) for WORKAROUNDS")
        }
        "PERL_HASH_SEED"
            if value != "random"
                && !(digits(value)
                    && value.len() <= 5
                    && (value.len() == 1 || !value.starts_with('0'))) =>
        {
            format!("Invalid setting ({value}) for PERL_HASH_SEED")
        }
        "RESTART" if !matches!(value, "restart" | "reload") => {
            format!("Invalid value for RESTART ({value})")
        }
        "ACCOUNTING_TABLE" if !matches!(value, "filter" | "mangle") => {
            format!("Invalid ACCOUNTING_TABLE setting ({value})")
        }
        "MUTEX_TIMEOUT"
            if !digits(value) || value.bytes().all(|b| b == b'0') && value.len() == 1 =>
        {
            format!("Invalid value ({value}) for MUTEX_TIMEOUT")
        }
        "TC_ENABLED"
            if !matches!(
                lower.as_str(),
                "yes" | "no" | "internal" | "shared" | "simple"
            ) =>
        {
            format!("Invalid value ({value}) for TC_ENABLED")
        }
        "TC_BITS" | "MASK_BITS" | "PROVIDER_OFFSET" | "PROVIDER_BITS" | "ZONE_BITS"
            if super::numeric::numeric_value(value).is_none_or(|n| n > 32) =>
        {
            format!("Invalid value ({value}) for '{name}'")
        }
        "TC_PRIOMAP" => {
            let map: Vec<&str> = value.split_whitespace().collect();
            if map.len() != 16 {
                format!("Invalid TC_PRIOMAP ({value})")
            } else {
                let bad = map.iter().find(|m| !matches!(**m, "1" | "2" | "3"))?;
                format!("Invalid TC_PRIOMAP entry ({bad})")
            }
        }
        // split_list: no empty item, no `!` beside a comma.
        "DONT_LOAD"
            if value.starts_with(',')
                || value.ends_with(',')
                || value.contains(",,")
                || value.contains("!,")
                || value.ends_with(",!") =>
        {
            format!("Invalid module list ({value})")
        }
        _ => return None,
    };
    Some(format!(
        "{name}={value}: Shorewall refuses it (\"{shorewall}\") and compiles nothing, though the setting decides no verdict of fwgen's"
    ))
}

/// The Shorewall 5 name of a setting Shorewall 4 named `name`.
pub fn new_name(name: &str) -> Option<&'static str> {
    match find(name)?.verdict {
        Verdict::Renamed(new) => Some(new),
        _ => None,
    }
}

impl Setting {
    /// The value as Shorewall reads it: lower case, the default if empty.
    pub fn effective(&self, value: &str) -> String {
        if value.is_empty() {
            self.default.to_owned()
        } else {
            value.to_ascii_lowercase()
        }
    }

    /// Why the value is refused, for an `Only` setting whose value fwgen's
    /// firewall does not mean. Every `Only` default is one fwgen means (a
    /// test says so), so an unset or empty setting is never refused.
    pub fn refusal(&self, value: &str) -> Option<String> {
        let Verdict::Only(values, why) = self.verdict else {
            return None;
        };
        let effective = self.effective(value);
        (!values.contains(&effective.as_str())).then(|| format!("{}={value}: {why}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_setting_names_one_shorewall_5_knows() {
        let renamed = SETTINGS.iter().filter_map(|s| match s.verdict {
            Verdict::Renamed(new) => Some((s.name, new)),
            _ => None,
        });
        assert_eq!(renamed.clone().count(), 2);
        for (old, new) in renamed {
            let setting = find(new).unwrap_or_else(|| panic!("{old}: {new}"));
            assert!(!matches!(setting.verdict, Verdict::Renamed(_)), "{new}");
        }
    }

    #[test]
    fn each_setting_once() {
        for (index, setting) in SETTINGS.iter().enumerate() {
            assert!(
                SETTINGS[..index].iter().all(|s| s.name != setting.name),
                "{} twice",
                setting.name
            );
        }
    }

    #[test]
    fn only_values_are_lower_case() {
        for setting in SETTINGS {
            if let Verdict::Only(values, _) = setting.verdict {
                assert!(values.iter().all(|v| *v == v.to_ascii_lowercase()));
            }
        }
    }

    #[test]
    fn every_default_is_one_fwgen_means() {
        for setting in SETTINGS {
            assert_eq!(setting.refusal(""), None, "{}", setting.name);
        }
    }

    #[test]
    fn refusal_reads_the_value_as_shorewall_does() {
        let action = find("REJECT_ACTION").unwrap();
        assert_eq!(action.refusal(""), None);
        assert!(action.refusal("MyReject").is_some());
        let smurf = find("SMURF_DISPOSITION").unwrap();
        assert_eq!(smurf.refusal("DROP"), None);
        assert!(smurf.refusal("A_DROP").is_some());
    }
}
