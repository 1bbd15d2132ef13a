//! The nft variables a rendered ruleset leaves undefined: one per interface
//! whose first IPv4 address a rule matches (Shorewall's `&eth0`), given
//! with `nft -D fwgen_addr_eth0=ADDR` by whoever loads or checks the file.
//! Shorewall reads that address when its firewall starts
//! (lib.common find_first_interface_address); `fwgen apply` does the same.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::process::Command;

const PREFIX: &str = "fwgen_addr_";

/// The variable holding the interface's address: its name with every byte
/// that is not a letter or digit written `_XX` (hex), so that no name can
/// reach outside the identifier and two names never share a variable.
pub fn variable(interface: &str) -> String {
    let mut name = PREFIX.to_owned();
    for byte in interface.bytes() {
        if byte.is_ascii_alphanumeric() {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("_{byte:02x}"));
        }
    }
    name
}

/// The interface a variable name stands for (the inverse of `variable`).
fn interface_of(variable: &str) -> Option<String> {
    let encoded = variable.strip_prefix(PREFIX)?;
    let mut bytes = Vec::new();
    let mut rest = encoded.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'_' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// The interfaces whose address a rendered ruleset needs, by name, sorted:
/// every `$fwgen_addr_...` it refers to.
pub fn needed(ruleset: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in ruleset.match_indices(&format!("${PREFIX}")) {
        let tail = &ruleset[at + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if let Some(interface) = interface_of(&tail[..end]) {
            found.insert(interface);
        }
    }
    found
}

/// `nft` arguments defining every variable the ruleset needs, each address
/// given by `address` (the interface's first IPv4 address, or why not).
pub fn defines(
    ruleset: &str,
    mut address: impl FnMut(&str) -> Result<Ipv4Addr, String>,
) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for interface in needed(ruleset) {
        let addr = address(&interface)?;
        args.push("-D".to_owned());
        args.push(format!("{}={addr}", variable(&interface)));
    }
    Ok(args)
}

/// The ruleset with its defines written into it (`define fwgen_addr_eth0 =
/// ADDR` before the table), for a loader that passes none: the boot
/// unit's plain `nft -f`. The addresses are those read now; Shorewall
/// reads them again at each start.
pub fn written(
    ruleset: &str,
    mut address: impl FnMut(&str) -> Result<Ipv4Addr, String>,
) -> Result<String, String> {
    let needed = needed(ruleset);
    if needed.is_empty() {
        return Ok(ruleset.to_owned());
    }
    let mut defines = String::new();
    for interface in needed {
        let addr = address(&interface)?;
        defines.push_str(&format!(
            "# the first IPv4 address of {interface} when fwgen apply ran\ndefine {} = {addr}\n",
            variable(&interface)
        ));
    }
    let at = ruleset.find("\ntable ").map_or(0, |i| i + 1);
    Ok(format!("{}{defines}{}", &ruleset[..at], &ruleset[at..]))
}

/// The interface's first IPv4 address of global scope, as Shorewall's
/// find_first_interface_address reads it (`ip -f inet addr show IFACE`,
/// the first `inet ... global` line); an error naming the interface when
/// it has none, as Shorewall's start fails ("Can't determine the IP
/// address of IFACE"). `netns`: run `ip` inside that network namespace.
pub fn first_address(interface: &str, netns: Option<&str>) -> Result<Ipv4Addr, String> {
    let mut command = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns, "ip"]);
            c
        }
        None => Command::new("ip"),
    };
    let output = command
        .args(["-o", "-f", "inet", "addr", "show", "dev", interface])
        .output()
        .map_err(|e| format!("cannot run ip: {e} (install iproute2)"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    first_global(&text).ok_or_else(|| {
        format!(
            "cannot determine the IPv4 address of {interface}, which the ruleset matches (`&{interface}`): the interface has no global IPv4 address (Shorewall's start fails the same way)"
        )
    })
}

/// The address of the first `inet ADDR/LEN ... scope global` line of
/// `ip -o -f inet addr show` output.
fn first_global(text: &str) -> Option<Ipv4Addr> {
    text.lines()
        .filter(|line| line.contains(" global"))
        .find_map(|line| {
            let mut words = line.split_whitespace();
            words.find(|w| *w == "inet")?;
            let cidr = words.next()?;
            cidr.split('/').next()?.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_are_identifiers_and_reversible() {
        for name in ["eth0", "eth0.10", "br_lan", "a\"b;c", "x-y@z"] {
            let var = variable(name);
            assert!(var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            assert_eq!(interface_of(&var).as_deref(), Some(name));
        }
        assert_ne!(variable("eth0.1"), variable("eth0_1"));
    }

    #[test]
    fn needed_finds_each_variable_once() {
        let text = "ip daddr $fwgen_addr_eth0 accept\nip saddr $fwgen_addr_eth0_2e10 drop\nip daddr $fwgen_addr_eth0 drop";
        let found: Vec<String> = needed(text).into_iter().collect();
        assert_eq!(found, ["eth0", "eth0.10"]);
        let args = defines(text, |_| Ok(Ipv4Addr::new(192, 0, 2, 1))).unwrap();
        assert_eq!(
            args,
            [
                "-D",
                "fwgen_addr_eth0=192.0.2.1",
                "-D",
                "fwgen_addr_eth0_2e10=192.0.2.1"
            ]
        );
    }

    #[test]
    fn written_defines_come_before_the_table() {
        let text = "#!/usr/sbin/nft -f\n# header\n\ntable inet fwgen\ntable inet fwgen {\n\tip daddr $fwgen_addr_eth1 accept\n}\n";
        let out = written(text, |_| Ok(Ipv4Addr::new(192, 168, 1, 1))).unwrap();
        let define = out.find("define fwgen_addr_eth1 = 192.168.1.1\n").unwrap();
        assert!(define < out.find("table inet").unwrap(), "{out}");
        assert_eq!(
            written("table inet x {\n}\n", |_| Err(String::new())).unwrap(),
            "table inet x {\n}\n"
        );
    }

    #[test]
    fn first_global_skips_other_scopes() {
        let text = "2: eth0    inet 169.254.1.1/16 scope link eth0\n2: eth0    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0\n2: eth0    inet 10.0.0.2/24 scope global secondary eth0\n";
        assert_eq!(first_global(text), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(
            first_global("2: eth0    inet 127.0.0.1/8 scope host lo\n"),
            None
        );
    }
}
