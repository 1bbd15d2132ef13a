//! Shorewall 5.2.8's stock macros, generated from the installed
//! /usr/share/shorewall/macro.* and /usr/share/shorewall6/macro.* (and
//! the stock action.AllowICMPs, read as a macro) by
//! tests/stock_macros.rs (`FWGEN_BLESS=1 cargo test --test stock_macros`).
//! Do not edit: the test fails when this file and the installed package
//! disagree. What the lines mean is decided in src/model/service.rs.

use super::service::{StockMacro, line};

#[rustfmt::skip]
pub const STOCK_MACROS: &[StockMacro] = &[
    StockMacro {
        name: "AMQP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5672", "-"),
            line("PARAM", "-", "-", "udp", "5672", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "A_AllowICMPs",
        default: None,
        helper: None,
        lines: &[
            line("A_ACCEPT", "-", "-", "icmp", "fragmentation-needed", "-"),
            line("A_ACCEPT", "-", "-", "icmp", "time-exceeded", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "A_DropDNSrep",
        default: None,
        helper: None,
        lines: &[
            line("A_DROP", "-", "-", "udp", "-", "53"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "A_DropUPnP",
        default: None,
        helper: None,
        lines: &[
            line("A_DROP", "-", "-", "udp", "1900", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "ActiveDir",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "389", "-"),
            line("PARAM", "-", "-", "udp", "389", "-"),
            line("PARAM", "-", "-", "tcp", "636", "-"),
            line("PARAM", "-", "-", "tcp", "3268", "-"),
            line("PARAM", "-", "-", "tcp", "3269", "-"),
            line("PARAM", "-", "-", "tcp", "88", "-"),
            line("PARAM", "-", "-", "udp", "88", "-"),
            line("PARAM", "-", "-", "tcp", "445", "-"),
            line("PARAM", "-", "-", "udp", "445", "-"),
            line("PARAM", "-", "-", "tcp", "135", "-"),
            line("PARAM", "-", "-", "tcp", "5722", "-"),
            line("PARAM", "-", "-", "udp", "123", "-"),
            line("PARAM", "-", "-", "tcp", "464", "-"),
            line("PARAM", "-", "-", "udp", "464", "-"),
            line("PARAM", "-", "-", "udp", "138", "-"),
            line("PARAM", "-", "-", "tcp", "9389", "-"),
            line("PARAM", "-", "-", "tcp", "2535", "-"),
            line("PARAM", "-", "-", "udp", "2535", "-"),
            line("PARAM", "-", "-", "udp", "137", "-"),
            line("PARAM", "-", "-", "tcp", "139", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "AllowICMPs",
        default: Some("ACCEPT"),
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "icmp", "fragmentation-needed", "-"),
            line("PARAM", "-", "-", "icmp", "time-exceeded", "-"),
        ],
        ipv6_lines: Some(&[
            line("PARAM", "-", "-", "ipv6-icmp", "destination-unreachable", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "packet-too-big", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "time-exceeded", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "parameter-problem", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "router-solicitation", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "router-advertisement", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "neighbour-solicitation", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "neighbour-advertisement", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "137", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "141", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "142", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "130", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "131", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "132", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "143", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "148", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "149", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "151", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "152", "-"),
            line("PARAM", "fe80::/10", "-", "ipv6-icmp", "153", "-"),
        ]),
    },
    StockMacro {
        name: "Amanda",
        default: None,
        helper: Some("amanda"),
        lines: &[
            line("PARAM", "-", "-", "udp", "10080", "-"),
            line("PARAM", "-", "-", "tcp", "10080", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Apcupsd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3551", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Auth",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "113", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BGP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "179", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitTorrent",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "6881:6889", "-"),
            line("PARAM", "-", "-", "udp", "6881", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitTorrent32",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "6881:6999", "-"),
            line("PARAM", "-", "-", "udp", "6881", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Bitcoin",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8333", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitcoinRPC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8332", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitcoinRegtest",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "18444", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitcoinTestnet",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "18333", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitcoinTestnetRPC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "18332", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "BitcoinZMQ",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "28332", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "CVS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "2401", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Citrix",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "1494", "-"),
            line("PARAM", "-", "-", "udp", "1604", "-"),
            line("PARAM", "-", "-", "tcp", "2598", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Cockpit",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9090", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "DAAP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3689", "-"),
            line("PARAM", "-", "-", "udp", "3689", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "DCC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "6277", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "DHCPfwd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "67:68", "67:68"),
            line("PARAM", "DEST", "SOURCE", "udp", "67:68", "67:68"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "DNS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "53", "-"),
            line("PARAM", "-", "-", "tcp", "53", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Distcc",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3632", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "DropUPnP",
        default: Some("DROP"),
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "1900", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Edonkey",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "4662", "-"),
            line("PARAM", "-", "-", "udp", "4665", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "FTP",
        default: None,
        helper: Some("ftp"),
        lines: &[
            line("PARAM", "-", "-", "tcp", "21", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Finger",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "79", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "FreeIPA",
        default: None,
        helper: None,
        lines: &[
            line("DNS", "-", "-", "-", "-", "-"),
            line("HTTP", "-", "-", "-", "-", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
            line("Kerberos", "-", "-", "-", "-", "-"),
            line("Kpasswd", "-", "-", "-", "-", "-"),
            line("LDAP", "-", "-", "-", "-", "-"),
            line("LDAPS", "-", "-", "-", "-", "-"),
            line("NTP", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "GNUnet",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "2086", "-"),
            line("PARAM", "-", "-", "udp", "2086", "-"),
            line("PARAM", "-", "-", "tcp", "1080", "-"),
            line("PARAM", "-", "-", "udp", "1080", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "GRE",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "47", "-", "-"),
            line("PARAM", "DEST", "SOURCE", "47", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Git",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9418", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Gnutella",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "6346", "-"),
            line("PARAM", "-", "-", "udp", "6346", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Goto-Meeting",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8200", "-"),
            line("HTTP", "-", "-", "-", "-", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "HKP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "11371", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "HTTP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "80", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "HTTPS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "443", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "ICPV2",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "3130", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "ICQ",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5190", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "ILO",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3002", "-"),
            line("PARAM", "-", "-", "tcp", "9300", "-"),
            line("PARAM", "-", "-", "tcp", "17988", "-"),
            line("PARAM", "-", "-", "tcp", "17990", "-"),
            line("HTTP", "-", "-", "-", "-", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
            line("RDP", "-", "-", "-", "-", "-"),
            line("SSH", "-", "-", "-", "-", "-"),
            line("Telnet", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IMAP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "143", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IMAPS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "993", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPFS-API",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5001", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPFS-gateway",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8080", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPFS-swarm",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "4001", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPIP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "94", "-", "-"),
            line("PARAM", "DEST", "SOURCE", "94", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPMI",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "623", "-"),
            line("PARAM", "-", "-", "udp", "623", "-"),
            line("PARAM", "-", "-", "tcp", "3668,3669", "-"),
            line("PARAM", "-", "-", "tcp", "5120,5122,5123", "-"),
            line("PARAM", "-", "-", "tcp", "5900,5901", "-"),
            line("PARAM", "-", "-", "tcp", "7578", "-"),
            line("PARAM", "-", "-", "tcp", "8889", "-"),
            line("HTTP", "-", "-", "-", "-", "-"),
            line("Telnet", "-", "-", "-", "-", "-"),
            line("SNMP", "-", "-", "-", "-", "-"),
            line("PARAM", "-", "-", "tcp", "3520", "-"),
            line("PARAM", "-", "-", "tcp", "3669", "-"),
            line("PARAM", "-", "-", "tcp", "5124,5126,5127", "-"),
            line("PARAM", "-", "-", "tcp", "7582", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
            line("SSH", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "631", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPPbrd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "631", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPPserver",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "SOURCE", "DEST", "tcp", "631", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "631", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPsec",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "500", "500"),
            line("PARAM", "-", "-", "50", "-", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "500", "500"),
            line("PARAM", "DEST", "SOURCE", "50", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPsecah",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "500", "500"),
            line("PARAM", "-", "-", "51", "-", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "500", "500"),
            line("PARAM", "DEST", "SOURCE", "51", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IPsecnat",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "500", "-"),
            line("PARAM", "-", "-", "udp", "4500", "-"),
            line("PARAM", "-", "-", "50", "-", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "500", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "4500", "-"),
            line("PARAM", "DEST", "SOURCE", "50", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "IRC",
        default: None,
        helper: Some("irc"),
        lines: &[
            line("PARAM", "-", "-", "tcp", "6667", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "JAP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8080", "-"),
            line("PARAM", "-", "-", "tcp", "6544", "-"),
            line("PARAM", "-", "-", "tcp", "6543", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
            line("SSH", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Jabber",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5222", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "JabberPlain",
        default: None,
        helper: None,
        lines: &[
            line("Jabber", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "JabberSecure",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5223", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Jabberd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5269", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Jetdirect",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9100", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Kerberos",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "88", "-"),
            line("PARAM", "-", "-", "udp", "88", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Kpasswd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "464", "-"),
            line("PARAM", "-", "-", "udp", "464", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "L2TP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "1701", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "1701", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "LDAP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "389", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "LDAPS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "636", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "MSA",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "587", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "MSNP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "1863", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "MSSQL",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "1433", "-"),
            line("PARAM", "-", "-", "udp", "1434", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Mail",
        default: None,
        helper: None,
        lines: &[
            line("SMTP", "-", "-", "-", "-", "-"),
            line("SMTPS", "-", "-", "-", "-", "-"),
            line("MSA", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "MongoDB",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "27017", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Munin",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "4949", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "MySQL",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3306", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NFS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "111", "-"),
            line("PARAM", "-", "-", "tcp", "2049", "-"),
            line("PARAM", "-", "-", "tcp", "20048", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NNTP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "119", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NNTPS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "563", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NTP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "123", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NTPbi",
        default: None,
        helper: None,
        lines: &[
            line("NTP", "-", "-", "-", "-", "-"),
            line("NTP", "DEST", "SOURCE", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "NTPbrd",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "123", "-"),
            line("PARAM", "-", "-", "udp", "1024:", "123"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "ONCRPC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp,udp", "111", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "OSPF",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "89", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "OpenVPN",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "1194", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "PCA",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "5632", "-"),
            line("PARAM", "-", "-", "tcp", "5631", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "POP3",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "110", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "POP3S",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "995", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "PPtP",
        default: None,
        helper: Some("pptp"),
        lines: &[
            line("GRE", "-", "-", "-", "-", "-"),
            line("PARAM", "-", "-", "tcp", "1723", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Ping",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "icmp", "8", "-"),
        ],
        ipv6_lines: Some(&[
            line("PARAM", "-", "-", "ipv6-icmp", "128", "-"),
        ]),
    },
    StockMacro {
        name: "PostgreSQL",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5432", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Printer",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "515", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Puppet",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8140", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "QUIC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "80,443", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RDP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "3389", "-"),
            line("PARAM", "-", "-", "tcp", "3389", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RIPbi",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "520", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "520", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RNDC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "953", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Razor",
        default: None,
        helper: None,
        lines: &[
            line("ACCEPT", "-", "-", "tcp", "2703", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Rdate",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "37", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Redis",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "6379", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RedisCluster",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "16379", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RedisSecure",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "6380", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "RedisSentinel",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "26379", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Rfc1918",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "SOURCE:10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", "DEST", "-", "-", "-"),
            line("PARAM", "SOURCE", "DEST { origdest=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 }", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Rsync",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "873", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Rwhois",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "4321", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SANE",
        default: None,
        helper: Some("sane"),
        lines: &[
            line("PARAM", "-", "-", "tcp", "6566", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SIP",
        default: None,
        helper: Some("sip"),
        lines: &[
            line("PARAM", "-", "-", "udp", "5060", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SMB",
        default: None,
        helper: Some("netbios-ns"),
        lines: &[
            line("PARAM", "-", "-", "udp", "135,445", "-"),
            line("PARAM", "-", "-", "udp", "137:139", "-"),
            line("PARAM", "-", "-", "udp", "1024:", "137"),
            line("PARAM", "-", "-", "tcp", "135,139,445", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SMBBI",
        default: None,
        helper: None,
        lines: &[
            line("SMB", "-", "-", "-", "-", "-"),
            line("SMB", "DEST", "SOURCE", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SMBswat",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "901", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SMTP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "25", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SMTPS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "465", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SNMP",
        default: None,
        helper: Some("snmp"),
        lines: &[
            line("PARAM", "-", "-", "udp", "161", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SNMPtrap",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "162", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SPAMD",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "783", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SSDP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "1900", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SSDPserver",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "1900", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "-", "1900"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SSH",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "22", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SVN",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3690", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Sieve",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "4190", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "SixXS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3874", "-"),
            line("PARAM", "-", "-", "udp", "3740", "-"),
            line("PARAM", "-", "-", "41", "-", "-"),
            line("PARAM", "-", "-", "udp", "5072,8374", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Squid",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "3128", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Submission",
        default: None,
        helper: None,
        lines: &[
            line("MSA", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Syslog",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "514", "-"),
            line("PARAM", "-", "-", "tcp", "514", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "TFTP",
        default: None,
        helper: Some("tftp"),
        lines: &[
            line("PARAM", "-", "-", "udp", "69", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Telnet",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "23", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Telnets",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "992", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Teredo",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "3544", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Time",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "37", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Tinc",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "655", "-"),
            line("PARAM", "-", "-", "tcp", "655", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Tor",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9001", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "TorBrowserBundle",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9150", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "TorControl",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9051", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "TorDirectory",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9030", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "TorSocks",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "9050", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Trcrt",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "udp", "33434:33524", "-"),
            line("PARAM", "-", "-", "icmp", "8", "-"),
        ],
        ipv6_lines: Some(&[
            line("PARAM", "-", "-", "udp", "33434:33524", "-"),
            line("PARAM", "-", "-", "ipv6-icmp", "128", "-"),
        ]),
    },
    StockMacro {
        name: "VNC",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5900:5909", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "VNCL",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "5500", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "VRRP",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "SOURCE", "DEST:224.0.0.18", "vrrp", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "WUDO",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "7680", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Web",
        default: None,
        helper: None,
        lines: &[
            line("HTTP", "-", "-", "-", "-", "-"),
            line("HTTPS", "-", "-", "-", "-", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Webcache",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "8080", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Webmin",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "10000", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Whois",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "43", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Xymon",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "1984", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "Zabbix",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "-", "tcp", "10050", "-"),
            line("PARAM", "DEST", "SOURCE", "tcp", "10051", "-"),
        ],
        ipv6_lines: None,
    },
    StockMacro {
        name: "mDNS",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "224.0.0.251", "udp", "5353", "-"),
            line("PARAM", "-", "-", "udp", "1024:", "5353"),
            line("PARAM", "-", "224.0.0.251", "2", "-", "-"),
            line("PARAM", "DEST", "SOURCE:224.0.0.251", "udp", "5353", "-"),
            line("PARAM", "DEST", "SOURCE:224.0.0.251", "2", "-", "-"),
        ],
        ipv6_lines: Some(&[
            line("PARAM", "-", "[ff02::fb]", "udp", "5353", "-"),
            line("PARAM", "-", "-", "udp", "32768:", "5353"),
            line("PARAM", "-", "[ff02::fb]", "2", "-", "-"),
            line("PARAM", "DEST", "SOURCE:[ff02::fb]", "udp", "5353", "-"),
            line("PARAM", "DEST", "SOURCE:[ff02::fb]", "2", "-", "-"),
        ]),
    },
    StockMacro {
        name: "mDNSbi",
        default: None,
        helper: None,
        lines: &[
            line("PARAM", "-", "224.0.0.251", "udp", "5353", "-"),
            line("PARAM", "-", "-", "udp", "1024:", "5353"),
            line("PARAM", "-", "224.0.0.251", "2", "-", "-"),
            line("PARAM", "DEST", "SOURCE:224.0.0.251", "udp", "5353", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "1024:", "5353"),
            line("PARAM", "DEST", "SOURCE:224.0.0.251", "2", "-", "-"),
        ],
        ipv6_lines: Some(&[
            line("PARAM", "-", "[ff02::fb]", "udp", "5353", "-"),
            line("PARAM", "-", "-", "udp", "1024:", "5353"),
            line("PARAM", "-", "[ff02::fb]", "2", "-", "-"),
            line("PARAM", "DEST", "SOURCE:[ff02::fb]", "udp", "5353", "-"),
            line("PARAM", "DEST", "SOURCE", "udp", "1024:", "5353"),
            line("PARAM", "DEST", "SOURCE:[ff02::fb]", "2", "-", "-"),
        ]),
    },
];
