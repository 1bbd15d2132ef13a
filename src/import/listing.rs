//! Every file of a Shorewall directory gets a verdict. Shorewall's compiler
//! looks files up by exact name along CONFIG_PATH (Shorewall/Config.pm,
//! `find_file`), so what a name means decides what the file does: a file
//! fwgen models is read by its converter; any other Shorewall file, script,
//! site macro or action with active lines is refused at its first one; a
//! file no Shorewall reads by that name (a backup, an editor's copy, the
//! samples' `.annotated` and README) is noted and skipped; a name Shorewall
//! does not know is refused, since an `INCLUDE` may read it.

/// What a directory entry is to Shorewall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// A file one of fwgen's converters reads.
    Modelled,
    /// A Shorewall file fwgen does not model; the text says what it holds.
    Unmodelled(&'static str),
    /// Shell code Shorewall runs (an extension script).
    Script,
    /// A site macro or action: it changes what a rule naming it does.
    Site(&'static str),
    /// A file Shorewall never reads by this name; the text says why.
    Ignored(&'static str),
    /// A name Shorewall does not know.
    Unknown,
}

impl Verdict {
    /// Why a file Shorewall never reads (the walk runs after every
    /// INCLUDE was followed, so one no INCLUDE read has no effect either).
    pub(super) fn never_read(&self) -> Option<&'static str> {
        match self {
            Verdict::Ignored(why) => Some(why),
            Verdict::Unknown => Some(
                "not a file Shorewall reads by its name, and no INCLUDE of the configuration reads it",
            ),
            _ => None,
        }
    }

    /// Why a file with this verdict and active lines is refused; `None`
    /// for a file that is read, or never read.
    pub(super) fn refusal(&self) -> Option<String> {
        let reason = match self {
            Verdict::Modelled | Verdict::Ignored(_) | Verdict::Unknown => return None,
            Verdict::Unmodelled(what) => format!("fwgen does not model {what} yet"),
            Verdict::Script => {
                "an extension script (shell code Shorewall runs); fwgen runs no scripts".into()
            }
            Verdict::Site(what) => format!("{what}; fwgen refuses what it does not read"),
        };
        Some(reason)
    }
}

/// Files the converters read, for IPv4 and IPv6 directories.
const MODELLED: &[&str] = &[
    "zones",
    "interfaces",
    "hosts",
    "policy",
    "rules",
    "snat",
    "masq",
    "nat",
    "params",
    "stoppedrules",
    "routestopped",
    "tunnels",
    "blrules",
    "blacklist",
    "accounting",
    "conntrack",
];

/// Shorewall's table files fwgen does not model, with what they hold.
const UNMODELLED: &[(&str, &str)] = &[
    ("netmap", "network mapping (NETMAP)"),
    ("providers", "multiple providers (policy routing)"),
    ("rtrules", "routing rules"),
    ("route_rules", "routing rules"),
    ("routes", "routes"),
    ("mangle", "packet marking (mangle)"),
    ("tcrules", "packet marking (tcrules)"),
    ("tos", "type-of-service marking"),
    ("notrack", "notrack"),
    ("helpers", "conntrack helper modules"),
    ("proxyarp", "proxy ARP"),
    ("proxyndp", "proxy NDP"),
    // IPv4's maclist is modelled (see `verdict`).
    (
        "maclist",
        "Shorewall6's MAC verification (fwgen models IPv4's)",
    ),
    ("ecn", "ECN disabling"),
    ("arprules", "ARP filtering"),
    ("secmarks", "SELinux security marks"),
    ("tcdevices", "traffic shaping"),
    ("tcclasses", "traffic shaping"),
    ("tcfilters", "traffic shaping"),
    ("tcinterfaces", "traffic shaping"),
    ("tcpri", "traffic shaping"),
    ("actions", "site actions"),
    // Rules.pm process_actions opens actions.std along CONFIG_PATH, so a
    // copy here replaces Shorewall's own table of its stock actions and
    // their options (`state=`, `proto=`, `inline`).
    (
        "actions.std",
        "a site copy of Shorewall's stock actions table",
    ),
    // Config.pm get_configuration reads it on every compile, not only
    // with -e: what it marks absent Shorewall compiles without.
    (
        "capabilities",
        "a capabilities file (Shorewall's compiler reads it on every compile in place of probing the kernel, and leaves out what it marks absent: tables, CT targets, helpers)",
    ),
];

/// Extension scripts: shell code Shorewall copies into its firewall script
/// or runs at a step of starting, stopping or compiling.
const SCRIPTS: &[&str] = &[
    "init",
    "initdone",
    "start",
    "started",
    "stop",
    "stopped",
    "clear",
    "refresh",
    "refreshed",
    "restored",
    "tcclear",
    "tcstart",
    "isusable",
    "findgw",
    "scfilter",
    "dumpfilter",
    "lib.private",
    "compile",
    "postcompile",
    "enabled",
    "disabled",
    "savesets",
    "continue",
];

/// Endings of files editors, package managers and Shorewall itself (masq
/// converted to snat leaves `masq.bak`) leave behind.
const BACKUPS: &[&str] = &[
    "~",
    ".bak",
    ".orig",
    ".old",
    ".save",
    ".swp",
    ".tmp",
    ".rej",
    ".dpkg-old",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-bak",
    ".ucf-old",
    ".ucf-dist",
    ".ucf-new",
    ".rpmnew",
    ".rpmsave",
];

/// The verdict for the entry `name` of a directory, `ipv6` for Shorewall6's.
pub(super) fn verdict(name: &str, ipv6: bool) -> Verdict {
    let conf = if ipv6 {
        "shorewall6.conf"
    } else {
        "shorewall.conf"
    };
    if MODELLED.contains(&name) || name == conf {
        return Verdict::Modelled;
    }
    // MAC verification is IPv4's: Shorewall6's maclist is not modelled.
    if name == "maclist" && !ipv6 {
        return Verdict::Modelled;
    }
    if let Some((_, what)) = UNMODELLED.iter().find(|(file, _)| *file == name) {
        return Verdict::Unmodelled(what);
    }
    if SCRIPTS.contains(&name) {
        return Verdict::Script;
    }
    if name.starts_with("macro.") {
        return Verdict::Site(
            "a site macro (fwgen reads a site macro where a rule calls it, and notes one no rule calls)",
        );
    }
    if name.starts_with("action.") {
        return Verdict::Site("a site action: it changes what the rules naming it do");
    }
    ignored(name).map_or(Verdict::Unknown, Verdict::Ignored)
}

/// Whether a file named `name` with this text, beside fwgen's files in a
/// Shorewall directory (`ipv6`: Shorewall6's), changes what Shorewall
/// compiles there: a name Shorewall reads (a table, shorewall.conf, an
/// extension script, a site macro or action) holding a line that is not a
/// comment, a directive or Shorewall's shipped default, `params` aside.
/// fwgen's own files are the whole configuration: such a file would be
/// read beside them.
pub fn changes_compiled(name: &str, ipv6: bool, text: &str) -> bool {
    // params only defines the variables other files use, and fwgen's use
    // none: an admin's params beside them changes nothing they compile.
    if name == "params" || !shorewall_reads(name, ipv6) {
        return false;
    }
    let lines: Vec<String> = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim().to_owned())
        .collect();
    let active = lines
        .iter()
        .any(|line| !line.is_empty() && (SCRIPTS.contains(&name) || !is_neutral(line)));
    active && !is_shipped(name, &lines)
}

/// Whether Shorewall's compiler reads a file of this name from the
/// directory it compiles.
pub fn shorewall_reads(name: &str, ipv6: bool) -> bool {
    matches!(
        verdict(name, ipv6),
        Verdict::Modelled | Verdict::Unmodelled(_) | Verdict::Script | Verdict::Site(_)
    )
}

/// Why Shorewall never reads a file named `name`, if it never does.
fn ignored(name: &str) -> Option<&'static str> {
    if BACKUPS.iter().any(|ending| name.ends_with(ending))
        || (name.starts_with('#') && name.ends_with('#'))
        || (name.starts_with('.') && name.ends_with(".swp"))
    {
        return Some(
            "a backup or editor file; Shorewall reads files by exact name only (Config.pm find_file)",
        );
    }
    if name.starts_with('.') {
        return Some("a hidden file; no Shorewall file's name starts with a dot");
    }
    if name.ends_with(".annotated") || name.starts_with("README") {
        return Some(
            "documentation shipped with Shorewall's samples; Shorewall reads files by exact name only",
        );
    }
    None
}

/// Active lines of files Shorewall ships: a directory holding one of these
/// unchanged behaves as one without it (the compiler falls back to the same
/// file along CONFIG_PATH). Lines are compared with white space collapsed.
const SHIPPED: &[(&str, &[&str])] = &[
    (
        "conntrack",
        &[
            "?FORMAT 3",
            "?if $AUTOHELPERS && __CT_TARGET",
            "?if __AMANDA_HELPER",
            "CT:helper:amanda:PO - - udp 10080",
            "?endif",
            "?if __FTP_HELPER",
            "CT:helper:ftp:PO - - tcp 21",
            "?endif",
            "?if __H323_HELPER",
            "CT:helper:RAS:PO - - udp 1719",
            "CT:helper:Q.931:PO - - tcp 1720",
            "?endif",
            "?if __IRC_HELPER",
            "CT:helper:irc:PO - - tcp 6667",
            "?endif",
            "?if __NETBIOS_NS_HELPER",
            "CT:helper:netbios-ns:PO - - udp 137",
            "?endif",
            "?if __PPTP_HELPER",
            "CT:helper:pptp:PO - - tcp 1723",
            "?endif",
            "?if __SANE_HELPER",
            "CT:helper:sane:PO - - tcp 6566",
            "?endif",
            "?if __SIP_HELPER",
            "CT:helper:sip:PO - - udp 5060",
            "?endif",
            "?if __SNMP_HELPER",
            "CT:helper:snmp:PO - - udp 161",
            "?endif",
            "?if __TFTP_HELPER",
            "CT:helper:tftp:PO - - udp 69",
            "?endif",
            "?endif",
        ],
    ),
    ("start", &["return 0"]),
    ("scfilter", &["cat -"]),
    (
        "isusable",
        &[
            "local status",
            "status=0",
            "[ -f ${VARDIR}/${1}.status ] && status=$(cat ${VARDIR}/${1}.status)",
            "return $status",
        ],
    ),
];

/// A conntrack file's lines without the helper block Shorewall ships in
/// it (`?if $AUTOHELPERS && __CT_TARGET` to its `?endif`, line for line):
/// `conntrack_helpers` (AUTOHELPERS) carries what it does, and its
/// conditions test kernel capabilities no import can know.
pub(super) fn without_shipped_helpers(
    lines: Vec<super::file::Physical>,
) -> Vec<super::file::Physical> {
    let block = &shipped("conntrack")[1..];
    let text = |line: &super::file::Physical| collapsed(&String::from_utf8_lossy(&line.content));
    let active: Vec<usize> = (0..lines.len())
        .filter(|&i| !text(&lines[i]).is_empty())
        .collect();
    let start = active.windows(block.len()).find(|run| {
        run.iter()
            .zip(block)
            .all(|(&i, shipped)| text(&lines[i]) == *shipped)
    });
    let Some(run) = start else {
        return lines;
    };
    let (first, last) = (run[0], run[run.len() - 1]);
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i < first || *i > last)
        .map(|(_, line)| line)
        .collect()
}

fn collapsed(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The active lines Shorewall ships as `name` (empty for other names).
fn shipped(name: &str) -> &'static [&'static str] {
    SHIPPED
        .iter()
        .find(|(file, _)| *file == name)
        .map_or(&[], |(_, lines)| lines)
}

/// Whether `lines` (a file's uncommented text, one entry a line) are the
/// active lines of the file Shorewall ships as `name`.
pub(super) fn is_shipped(name: &str, lines: &[String]) -> bool {
    let active: Vec<String> = lines
        .iter()
        .map(|line| collapsed(line))
        .filter(|line| !line.is_empty())
        .collect();
    !active.is_empty() && active == shipped(name)
}

/// In a file Shorewall ships with content, the index among `lines` of the
/// first line that differs from the shipped file (the last line when the
/// file stops early); `None` for other names.
pub(super) fn first_change(name: &str, lines: &[String]) -> Option<usize> {
    let shipped = shipped(name);
    if shipped.is_empty() {
        return None;
    }
    let active: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| (index, collapsed(line)))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let differs = active
        .iter()
        .zip(shipped)
        .find(|((_, line), expected)| line != *expected);
    differs
        .map(|((index, _), _)| *index)
        .or_else(|| active.get(shipped.len()).map(|(index, _)| *index))
        .or_else(|| active.last().map(|(index, _)| *index))
}

/// Whether a line has no effect by itself: a directive that only sets how
/// the lines after it are read (conditionals included, for a file whose
/// conditions could not be evaluated).
pub(super) fn is_neutral(text: &str) -> bool {
    let text = text.trim();
    let keyword = text
        .strip_prefix('?')
        .map(|rest| rest.split_whitespace().next().unwrap_or_default());
    keyword.is_some_and(|k| {
        [
            "FORMAT", "SECTION", "COMMENT", "IF", "ELSIF", "ELSE", "ENDIF",
        ]
        .iter()
        .any(|n| k.eq_ignore_ascii_case(n))
    })
}

/// A line of a file no converter reads, or a file's name, safe to show in a
/// message and in a TOML comment: control characters (a newline in a file
/// name too) become `\xNN`, and it is shortened. Lines come trimmed.
pub(super) fn shown_line(text: &str) -> String {
    let mut shown = escaped(&text.chars().take(160).collect::<String>());
    if text.chars().count() > 160 {
        shown.push_str("...");
    }
    shown
}

/// `text` with its control characters but tab written `\xNN`.
pub(super) fn escaped(text: &str) -> String {
    let mut shown = String::new();
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            shown.push_str(&format!("\\x{:02X}", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}
