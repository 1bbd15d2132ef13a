//! Shorewall 5.2.8's stock macros that are plain port lists, for rules
//! naming a macro fwgen's model does not know: each line of the macro
//! (`PARAM - - PROTO DPORT [SPORT]`, the rule's own SOURCE and DEST)
//! becomes one rule of the model. Taken from /usr/share/shorewall/macro.*;
//! tests/import.rs checks the table against the installed files.

/// One `PARAM - - PROTO DPORT SPORT` line (`""`: the column is empty).
pub type MacroLine = (&'static str, &'static str, &'static str);

/// Name, the conntrack helper the macro attaches when AUTOHELPERS=No (the
/// `?if ... __X_HELPER` branch, which the model cannot express), the lines
/// Shorewall uses otherwise (`PARAM - -` or `PARAM SOURCE DEST`), and the
/// lines for the way back (`PARAM DEST SOURCE`: the rule's DEST as the
/// source, its SOURCE as the destination).
pub type StockMacro = (
    &'static str,
    Option<&'static str>,
    &'static [MacroLine],
    &'static [MacroLine],
);

pub fn find(name: &str) -> Option<&'static StockMacro> {
    STOCK.iter().find(|(stock, _, _, _)| *stock == name)
}

/// Stock macros whose lines are other macros, each invoked with the
/// calling rule's action.
pub const NESTED: &[(&str, &[&str])] = &[
    (
        "FreeIPA",
        &[
            "DNS", "HTTP", "HTTPS", "Kerberos", "Kpasswd", "LDAP", "LDAPS", "NTP",
        ],
    ),
    ("JabberPlain", &["Jabber"]),
    ("Mail", &["SMTP", "SMTPS", "MSA"]),
    ("Submission", &["MSA"]),
];

/// What a rule naming the stock macro `name` becomes, when the model does
/// not name it (`known`: the model's macros): each part is a macro the
/// model names, or a stock macro written as its lines.
pub fn expand(name: &str, known: &[&'static str]) -> Option<Vec<Part>> {
    let part = |name: &str| {
        if let Some(named) = known.iter().find(|k| **k == name) {
            Some(Part::Named(named))
        } else {
            find(name).map(Part::Lines)
        }
    };
    match NESTED.iter().find(|(nested, _)| *nested == name) {
        Some((_, inner)) => inner.iter().map(|name| part(name)).collect(),
        None => find(name).map(|stock| vec![Part::Lines(stock)]),
    }
}

/// One part of an expanded stock macro.
pub enum Part {
    /// A macro the model names.
    Named(&'static str),
    /// A stock macro written as its lines.
    Lines(&'static StockMacro),
}

#[rustfmt::skip]
pub const STOCK: &[StockMacro] = &[
    ("FTP", Some("ftp"), &[("tcp", "21", "")], &[]),
    ("SMB", Some("netbios-ns"), &[("udp", "135,445", ""), ("udp", "137:139", ""), ("udp", "1024:", "137"), ("tcp", "135,139,445", "")], &[]),
    ("TFTP", Some("tftp"), &[("udp", "69", "")], &[]),
    ("DHCPfwd", None, &[("udp", "67:68", "67:68")], &[("udp", "67:68", "67:68")]),
    ("GRE", None, &[("47", "", "")], &[("47", "", "")]),
    ("IPIP", None, &[("94", "", "")], &[("94", "", "")]),
    ("IPPserver", None, &[("tcp", "631", "")], &[("udp", "631", "")]),
    ("IPsec", None, &[("udp", "500", "500"), ("50", "", "")], &[("udp", "500", "500"), ("50", "", "")]),
    ("IPsecah", None, &[("udp", "500", "500"), ("51", "", "")], &[("udp", "500", "500"), ("51", "", "")]),
    ("IPsecnat", None, &[("udp", "500", ""), ("udp", "4500", ""), ("50", "", "")], &[("udp", "500", ""), ("udp", "4500", ""), ("50", "", "")]),
    ("L2TP", None, &[("udp", "1701", "")], &[("udp", "1701", "")]),
    ("RIPbi", None, &[("udp", "520", "")], &[("udp", "520", "")]),
    ("Zabbix", None, &[("tcp", "10050", "")], &[("tcp", "10051", "")]),
    ("AMQP", None, &[("tcp", "5672", ""), ("udp", "5672", "")], &[]),
    ("ActiveDir", None, &[("tcp", "389", ""), ("udp", "389", ""), ("tcp", "636", ""), ("tcp", "3268", ""), ("tcp", "3269", ""), ("tcp", "88", ""), ("udp", "88", ""), ("tcp", "445", ""), ("udp", "445", ""), ("tcp", "135", ""), ("tcp", "5722", ""), ("udp", "123", ""), ("tcp", "464", ""), ("udp", "464", ""), ("udp", "138", ""), ("tcp", "9389", ""), ("tcp", "2535", ""), ("udp", "2535", ""), ("udp", "137", ""), ("tcp", "139", "")], &[]),
    ("Apcupsd", None, &[("tcp", "3551", "")], &[]),
    ("Auth", None, &[("tcp", "113", "")], &[]),
    ("BGP", None, &[("tcp", "179", "")], &[]),
    ("BitTorrent", None, &[("tcp", "6881:6889", ""), ("udp", "6881", "")], &[]),
    ("BitTorrent32", None, &[("tcp", "6881:6999", ""), ("udp", "6881", "")], &[]),
    ("Bitcoin", None, &[("tcp", "8333", "")], &[]),
    ("BitcoinRPC", None, &[("tcp", "8332", "")], &[]),
    ("BitcoinRegtest", None, &[("tcp", "18444", "")], &[]),
    ("BitcoinTestnet", None, &[("tcp", "18333", "")], &[]),
    ("BitcoinTestnetRPC", None, &[("tcp", "18332", "")], &[]),
    ("BitcoinZMQ", None, &[("tcp", "28332", "")], &[]),
    ("CVS", None, &[("tcp", "2401", "")], &[]),
    ("Citrix", None, &[("tcp", "1494", ""), ("udp", "1604", ""), ("tcp", "2598", "")], &[]),
    ("Cockpit", None, &[("tcp", "9090", "")], &[]),
    ("DAAP", None, &[("tcp", "3689", ""), ("udp", "3689", "")], &[]),
    ("DCC", None, &[("udp", "6277", "")], &[]),
    ("Distcc", None, &[("tcp", "3632", "")], &[]),
    ("Edonkey", None, &[("tcp", "4662", ""), ("udp", "4665", "")], &[]),
    ("Finger", None, &[("tcp", "79", "")], &[]),
    ("GNUnet", None, &[("tcp", "2086", ""), ("udp", "2086", ""), ("tcp", "1080", ""), ("udp", "1080", "")], &[]),
    ("Git", None, &[("tcp", "9418", "")], &[]),
    ("Gnutella", None, &[("tcp", "6346", ""), ("udp", "6346", "")], &[]),
    ("HKP", None, &[("tcp", "11371", "")], &[]),
    ("ICPV2", None, &[("udp", "3130", "")], &[]),
    ("ICQ", None, &[("tcp", "5190", "")], &[]),
    ("IPFS-API", None, &[("tcp", "5001", "")], &[]),
    ("IPFS-gateway", None, &[("tcp", "8080", "")], &[]),
    ("IPFS-swarm", None, &[("tcp", "4001", "")], &[]),
    ("IPP", None, &[("tcp", "631", "")], &[]),
    ("IPPbrd", None, &[("udp", "631", "")], &[]),
    ("Jabber", None, &[("tcp", "5222", "")], &[]),
    ("JabberSecure", None, &[("tcp", "5223", "")], &[]),
    ("Jabberd", None, &[("tcp", "5269", "")], &[]),
    ("Jetdirect", None, &[("tcp", "9100", "")], &[]),
    ("Kerberos", None, &[("tcp", "88", ""), ("udp", "88", "")], &[]),
    ("Kpasswd", None, &[("tcp", "464", ""), ("udp", "464", "")], &[]),
    ("LDAP", None, &[("tcp", "389", "")], &[]),
    ("LDAPS", None, &[("tcp", "636", "")], &[]),
    ("MSA", None, &[("tcp", "587", "")], &[]),
    ("MSNP", None, &[("tcp", "1863", "")], &[]),
    ("MSSQL", None, &[("tcp", "1433", ""), ("udp", "1434", "")], &[]),
    ("MongoDB", None, &[("tcp", "27017", "")], &[]),
    ("Munin", None, &[("tcp", "4949", "")], &[]),
    ("MySQL", None, &[("tcp", "3306", "")], &[]),
    ("NFS", None, &[("tcp", "111", ""), ("tcp", "2049", ""), ("tcp", "20048", "")], &[]),
    ("NNTP", None, &[("tcp", "119", "")], &[]),
    ("NNTPS", None, &[("tcp", "563", "")], &[]),
    ("NTPbrd", None, &[("udp", "123", ""), ("udp", "1024:", "123")], &[]),
    ("OpenVPN", None, &[("udp", "1194", "")], &[]),
    ("PCA", None, &[("udp", "5632", ""), ("tcp", "5631", "")], &[]),
    ("PostgreSQL", None, &[("tcp", "5432", "")], &[]),
    ("Printer", None, &[("tcp", "515", "")], &[]),
    ("Puppet", None, &[("tcp", "8140", "")], &[]),
    ("QUIC", None, &[("udp", "80,443", "")], &[]),
    ("RDP", None, &[("udp", "3389", ""), ("tcp", "3389", "")], &[]),
    ("RNDC", None, &[("tcp", "953", "")], &[]),
    ("Rdate", None, &[("tcp", "37", "")], &[]),
    ("Redis", None, &[("tcp", "6379", "")], &[]),
    ("RedisCluster", None, &[("tcp", "16379", "")], &[]),
    ("RedisSecure", None, &[("tcp", "6380", "")], &[]),
    ("RedisSentinel", None, &[("tcp", "26379", "")], &[]),
    ("Rsync", None, &[("tcp", "873", "")], &[]),
    ("Rwhois", None, &[("tcp", "4321", "")], &[]),
    ("SMBswat", None, &[("tcp", "901", "")], &[]),
    ("SNMPtrap", None, &[("udp", "162", "")], &[]),
    ("SPAMD", None, &[("tcp", "783", "")], &[]),
    ("SSDP", None, &[("udp", "1900", "")], &[]),
    ("SVN", None, &[("tcp", "3690", "")], &[]),
    ("Sieve", None, &[("tcp", "4190", "")], &[]),
    ("Squid", None, &[("tcp", "3128", "")], &[]),
    ("Telnets", None, &[("tcp", "992", "")], &[]),
    ("Teredo", None, &[("udp", "3544", "")], &[]),
    ("Time", None, &[("tcp", "37", "")], &[]),
    ("Trcrt", None, &[("udp", "33434:33524", ""), ("icmp", "8", "")], &[]),
    ("Tinc", None, &[("udp", "655", ""), ("tcp", "655", "")], &[]),
    ("Tor", None, &[("tcp", "9001", "")], &[]),
    ("TorBrowserBundle", None, &[("tcp", "9150", "")], &[]),
    ("TorControl", None, &[("tcp", "9051", "")], &[]),
    ("TorDirectory", None, &[("tcp", "9030", "")], &[]),
    ("TorSocks", None, &[("tcp", "9050", "")], &[]),
    ("VNC", None, &[("tcp", "5900:5909", "")], &[]),
    ("VNCL", None, &[("tcp", "5500", "")], &[]),
    ("WUDO", None, &[("tcp", "7680", "")], &[]),
    ("Webcache", None, &[("tcp", "8080", "")], &[]),
    ("Webmin", None, &[("tcp", "10000", "")], &[]),
    ("Whois", None, &[("tcp", "43", "")], &[]),
    ("Xymon", None, &[("tcp", "1984", "")], &[]),
];
