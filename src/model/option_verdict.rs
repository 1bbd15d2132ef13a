//! Every option of shorewall-interfaces(5) in Shorewall 5.2 and fwgen's
//! verdict on it. The analyzer and the importer both ask [`verdict`], so
//! an option is modelled, a no-op or refused for one reason, said once.

/// What fwgen does with one option of shorewall-interfaces(5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionVerdict {
    /// An interface option of the model (`options = [...]`).
    Modelled,
    /// A key of `[interfaces.NAME]` holds it (`physical`).
    Key(&'static str),
    /// Changes no verdict of Shorewall 5.2 and nothing fwgen renders: the
    /// importer notes it; the analyzer refuses it, as it says nothing.
    NoEffect(&'static str),
    /// Not in fwgen's model: refused, with the reason.
    Refused(&'static str),
}

/// Every option name the manual page of Shorewall 5.2 lists (and the two
/// Zones.pm still reads as obsolete), in its order.
pub const SHOREWALL_OPTIONS: &[&str] = &[
    "accept_ra",
    "arp_filter",
    "arp_ignore",
    "blacklist",
    "bridge",
    "dbl",
    "destonly",
    "detectnets",
    "dhcp",
    "forward",
    "ignore",
    "loopback",
    "logmartians",
    "maclist",
    "mss",
    "nets",
    "nodbl",
    "norfc1918",
    "nosmurfs",
    "omitanycast",
    "optional",
    "physical",
    "proxyarp",
    "proxyndp",
    "required",
    "routeback",
    "routefilter",
    "rpfilter",
    "sfilter",
    "sourceroute",
    "tcpflags",
    "unmanaged",
    "upnp",
    "upnpclient",
    "wait",
];

/// Whether the option (`forward=1`) is Shorewall6's alone: Zones.pm's
/// IPv4 option table has no such name, and Shorewall refuses it.
pub fn ipv6_alone(option: &str) -> bool {
    option.split('=').next() == Some("forward")
}

/// Whether the option (`arp_filter=0`) is Shorewall's alone: Zones.pm's
/// IPv6 option table has no such name, and Shorewall6 refuses it
/// ("Invalid Interface option"), whatever its value (review-239).
pub fn ipv4_alone(option: &str) -> bool {
    let name = option.split('=').next().unwrap_or_default();
    [
        "arp_filter",
        "arp_ignore",
        "detectnets",
        "logmartians",
        "proxyarp",
        "routefilter",
        "wait",
    ]
    .contains(&name)
}

/// The options a model's interface may give one family alone
/// (`options_ipv4`, `options_ipv6`), as Shorewall's and Shorewall6's
/// interfaces lines may differ in them: the analyzer's
/// `not_per_family` says why each other one may not. `maclist` is
/// IPv4's alone (`options_ipv4`: Shorewall6's verification is not
/// modelled, and the importer refuses it in shorewall6/interfaces).
pub const PER_FAMILY: &[&str] = &[
    "dhcp",
    "nosmurfs",
    "tcpflags",
    "rpfilter",
    "routeback",
    "optional",
    "mss=",
    "sourceroute",
    "maclist",
];

/// Whether the option as written (`mss=1452`, `sourceroute=0`) may be
/// one family's alone ([`PER_FAMILY`]).
pub fn per_family(option: &str) -> bool {
    let name = option.split('=').next().unwrap_or_default();
    PER_FAMILY.iter().any(|p| p.trim_end_matches('=') == name)
}

/// The `blacklist` option of an interface or a hosts line: Zones.pm marks
/// the zone for incoming blacklisting either way, and only Misc.pm's
/// convert_blacklist (`shorewall update`) reads that mark.
const BLACKLIST: &str = "Shorewall 5.2 ignores it with a warning (\"no longer supported\"): the blrules file is the blacklist; only `shorewall update` reads it, to convert a legacy blacklist file for the option's zone, as fwgen's import does";

const SYSCTL: &str =
    "a /proc setting (sysctl) that fwgen does not set: set it with sysctl.d and drop the option";

/// fwgen's verdict on an option as written (`routeback=0`, `dbl=none`),
/// or `None` for a name shorewall-interfaces(5) does not list.
pub fn verdict(option: &str) -> Option<OptionVerdict> {
    use OptionVerdict::{Key, Modelled, NoEffect, Refused};
    let (name, value) = match option.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (option, None),
    };
    Some(match (name, value) {
        ("routeback" | "arp_filter" | "tcpflags", Some("0")) => NoEffect(
            "the option turned off: a model's interface has it off unless it names it (for tcpflags, which Shorewall gives every interface unless told otherwise, the Shorewall backend writes `tcpflags=0`)",
        ),
        ("dbl", Some("none")) | ("nodbl", None) => NoEffect(
            "dynamic blacklisting is not in fwgen's model (DYNAMIC_BLACKLIST), so there is none to turn off",
        ),
        ("norfc1918" | "detectnets", _) => NoEffect(
            "Shorewall 5.2 removed it and ignores it with a warning (\"Support for the option has been removed\")",
        ),
        ("wait", _) => NoEffect(
            "Shorewall's start waits for an optional interface to come up; fwgen's nftables ruleset matches interfaces by name, loads while they are down, and needs no wait",
        ),
        (
            "dhcp" | "routeback" | "bridge" | "tcpflags" | "nosmurfs" | "routefilter" | "rpfilter",
            _,
        )
        | (
            "logmartians" | "sourceroute" | "arp_filter" | "proxyarp" | "forward" | "optional"
            | "mss" | "maclist",
            _,
        ) => Modelled,
        ("physical", _) => Key("physical"),
        ("accept_ra" | "arp_ignore" | "proxyndp", _) => Refused(SYSCTL),
        ("blacklist", _) => NoEffect(BLACKLIST),
        ("dbl", _) => Refused(
            "dynamic blacklisting (DYNAMIC_BLACKLIST, `shorewall drop`) is not in fwgen's model",
        ),
        ("destonly", _) => Refused(
            "`destonly` leaves out every rule for traffic from the interface; not in fwgen's model",
        ),
        ("ignore", _) => Refused(
            "`ignore` keeps an interface out of Shorewall's zones (and shorewall-init's events); fwgen's model has no such interface: leave it out of the model, or for `lo`: fwgen always accepts loopback",
        ),
        ("loopback", _) => Refused(
            "fwgen always accepts the loopback interface `lo` and has no other: leave the interface out",
        ),
        ("nets", _) => Refused(
            "`nets=` narrows the interface's zone to networks; in fwgen a zone narrowed to networks on an interface is written with the zone's `hosts` (an interface's own zone is never narrowed)",
        ),
        ("omitanycast", _) => {
            Refused("IPv6 subnet-anycast handling per interface is not in fwgen's model")
        }
        ("required", _) => Refused(
            "Shorewall refuses to start without the interface; fwgen's nftables ruleset loads whether it is up or not, so the two would differ: drop it (or write `optional`)",
        ),
        ("sfilter", _) => Refused(
            "source filtering by listed networks (`sfilter=`) is not in fwgen's model: `routefilter` drops spoofed sources",
        ),
        ("unmanaged", _) => Refused(
            "an unmanaged interface (all its traffic accepted, no zone) is not in fwgen's model",
        ),
        ("upnpclient", _) => Refused(
            "upnpclient accepts UDP from the interface's default gateway, which Shorewall finds when it starts; not in fwgen's model (write a rule from the gateway's address)",
        ),
        ("upnp", _) => Refused("UPnP lets miniupnpd open ports at run time; not in fwgen's model"),
        _ => return None,
    })
}

/// Every option of shorewall-hosts(5) that Shorewall 5.2's Zones.pm reads
/// on a hosts line (`%validhostoptions`, with `ipsec`, `mss=` and the
/// obsolete `norfc1918` it reads apart), in its order.
pub const SHOREWALL_HOST_OPTIONS: &[&str] = &[
    "blacklist",
    "broadcast",
    "destonly",
    "ipsec",
    "maclist",
    "mss",
    "norfc1918",
    "nosmurfs",
    "routeback",
    "sourceonly",
    "tcpflags",
];

/// The hosts options Shorewall6 refuses ("Invalid option"): its
/// `%validhostoptions` (Zones.pm initialize, IPv6) lacks them.
pub const IPV4_ONLY_HOST_OPTIONS: &[&str] = &["broadcast", "destonly", "nosmurfs", "sourceonly"];

/// fwgen's verdict on an option of a hosts line (shorewall-hosts(5)) of
/// Shorewall (`ipv6` false) or Shorewall6, or `None` for a name that
/// product refuses there ("Invalid option").
/// A zone's hosts are its members in both directions, with the options of
/// the interface they are on, and the keys `destonly` and `routeback`;
/// another option that would single them out is refused with the reason.
pub fn host_verdict(option: &str, ipv6: bool) -> Option<OptionVerdict> {
    use OptionVerdict::{NoEffect, Refused};
    // Only `mss=N` takes a value there (Zones.pm: `routeback=0` is an
    // "Invalid option").
    let name = match option.split_once('=') {
        Some(("mss", _)) => "mss",
        Some(_) => return None,
        None => option,
    };
    if ipv6 && IPV4_ONLY_HOST_OPTIONS.contains(&name) {
        return None;
    }
    Some(match name {
        "norfc1918" => NoEffect(
            "Shorewall 5.2 ignores it with a warning (\"The 'norfc1918' host option is no longer supported\")",
        ),
        "blacklist" => NoEffect(BLACKLIST),
        "broadcast" => Refused(
            "Shorewall adds a jump for the firewall's limited broadcasts (`-o IF -d 255.255.255.255`) to the zone's chain beside the entry's own (Misc.pm add_output_jumps, IPv4); fwgen's model has no zone for 255.255.255.255",
        ),
        // Shorewall dispatches packets to them to the zone, and packets
        // from them as if the line were not there.
        "destonly" => OptionVerdict::Key("destonly"),
        "sourceonly" => Refused(
            "Shorewall 5.2.8 reads it in the forward dispatch alone (Misc.pm generate_matrix skips the entry as a destination there): forwarded packets to the networks are not the zone's, while the firewall's own to them still are (its OUTPUT jumps keep the entry); not in fwgen's model, where a zone's hosts are its members both ways",
        ),
        "ipsec" => Refused(
            "IPsec policy matching (the hosts reached through an IPsec SA) is not in fwgen's model",
        ),
        "maclist" => Refused(
            "MAC verification for one zone's hosts alone is not in fwgen's model: `maclist` is an option of the whole interface (`[interfaces.NAME] options`)",
        ),
        "mss" => Refused(
            "Shorewall clamps a hosts line's SYNs in the rules chains of every zone pair with the zone, before each chain's rules (Chains.pm, setup_zone_mss), for connections to and from the firewall too; fwgen's model has no clamp there: `mss=` on the interface (`[interfaces.NAME] options`) clamps every forwarded SYN through it",
        ),
        // TCP from the entry's networks coming in by the interface goes
        // through the tcpflags checks.
        "tcpflags" => OptionVerdict::Key("tcpflags"),
        "nosmurfs" => Refused(
            "Shorewall jumps to its smurfs chain for new packets from the entry's networks in the interface's input and forward chains (Misc.pm find_hosts_by_option); not in fwgen's model yet, as no lab probe can show it (a source is a broadcast for the firewall only in a network of its own): `nosmurfs` is an option of the whole interface (`[interfaces.NAME] options`)",
        ),
        // The zone's traffic to them goes back out of the interface it
        // came in by, and the interface loses its sfilter (Zones.pm sets
        // its `routeback`).
        "routeback" => OptionVerdict::Key("routeback"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_option_has_a_verdict() {
        for name in SHOREWALL_OPTIONS {
            assert!(verdict(name).is_some(), "{name} has no verdict");
        }
        assert_eq!(verdict("nosuch"), None);
        for name in SHOREWALL_HOST_OPTIONS {
            assert!(
                host_verdict(name, false).is_some(),
                "hosts: {name} has no verdict"
            );
        }
        assert_eq!(host_verdict("dhcp", false), None);
        assert_eq!(host_verdict("destonly", true), None);
    }

    #[test]
    fn the_value_can_change_the_verdict() {
        assert_eq!(verdict("routeback"), Some(OptionVerdict::Modelled));
        assert!(matches!(
            verdict("routeback=0"),
            Some(OptionVerdict::NoEffect(_))
        ));
        assert!(matches!(
            verdict("dbl=none"),
            Some(OptionVerdict::NoEffect(_))
        ));
        assert!(matches!(
            verdict("dbl=src"),
            Some(OptionVerdict::Refused(_))
        ));
    }
}
