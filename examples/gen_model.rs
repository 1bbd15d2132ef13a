//! Writes a synthetic model of realistic shape for benchmarks:
//! `cargo run --release --example gen_model -- --zones Z --rules R [--seed S]`.
//!
//! Zones z0..z(Z-1) each behind one interface with a /16 of its own (z0 is
//! the internet, with no networks); policies in Shorewall's usual shape;
//! rules between random zone pairs with address lists, port lists and
//! ranges, macros, logging; a DNAT for every 50 rules; masquerade of every
//! internal network out of z0.
//!
//! `--shape uniform` writes instead the policy the folding targets: half the
//! rules accept one TCP port each from z0 to the firewall, half drop one
//! source address each from z0 to z1; consecutive, same verdicts.
//! `--shape address-port` writes issue 19's: ACCEPT rules between random
//! zone pairs, each from an address of its own to one TCP port.

use std::fmt::Write;

struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn argument(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        })
}

const MACROS: &[&str] = &["SSH", "DNS", "HTTP", "HTTPS", "Web", "NTP", "SMTP", "IMAPS"];

/// Rules that differ only in a port or an address, in two runs.
pub fn generate_uniform(zones: usize, rules: usize) -> String {
    let mut out = generate(zones, 0, 1);
    for r in 0..rules {
        if r < rules / 2 {
            let _ = writeln!(
                out,
                "\n[[rule]]\naction = \"ACCEPT\"\nsource = \"z0\"\ndest = \"$FW\"\nproto = \"tcp\"\ndport = {}",
                1000 + r
            );
        } else {
            let _ = writeln!(
                out,
                "\n[[rule]]\naction = \"DROP\"\nsource = \"z0:198.18.{}.{}\"\ndest = \"z1\"",
                (r / 250) % 250,
                1 + r % 250
            );
        }
    }
    out
}

/// The shape of issue 19: ACCEPT rules between random zone pairs, each
/// from an address of its own to one TCP port.
pub fn generate_address_port(zones: usize, rules: usize, seed: u64) -> String {
    let mut random = Random(seed.max(1));
    let mut out = generate(zones, 0, seed);
    let zones = zones.clamp(2, 250);
    for r in 0..rules {
        let source = random.below(zones);
        let mut dest = random.below(zones + 1);
        if dest == source {
            dest = zones;
        }
        let dest_name = if dest == zones {
            "$FW".to_owned()
        } else {
            format!("z{dest}")
        };
        let net = if source == 0 { 198 } else { 10 };
        let second = if source == 0 { 18 } else { source };
        let _ = writeln!(
            out,
            "[[rule]]\naction = \"ACCEPT\"\nsource = \"z{source}:{net}.{second}.{}.{}\"\ndest = \"{dest_name}\"\nproto = \"tcp\"\ndport = {}\n",
            (r / 250) % 256,
            1 + r % 250,
            1024 + random.below(60000)
        );
    }
    out
}

pub fn generate(zones: usize, rules: usize, seed: u64) -> String {
    let zones = zones.clamp(2, 250);
    let mut random = Random(seed.max(1));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Synthetic model: {zones} zones, {rules} rules (gen_model, seed {seed}).\n"
    );
    for z in 0..zones {
        let _ = writeln!(out, "[zones.z{z}]\ndescription = \"synthetic zone {z}\"\n");
    }
    for z in 0..zones {
        let _ = writeln!(
            out,
            "[interfaces.eth{z}]\nzone = \"z{z}\"\noptions = [\"tcpflags\", \"nosmurfs\"]"
        );
        if z > 0 {
            let _ = writeln!(out, "networks = [\"10.{z}.0.0/16\"]");
        }
        out.push('\n');
    }
    for z in 1..zones {
        let _ = writeln!(
            out,
            "[[policy]]\nsource = \"z{z}\"\ndest = \"z0\"\naction = \"ACCEPT\"\n"
        );
    }
    let _ = writeln!(
        out,
        "[[policy]]\nsource = \"z0\"\ndest = \"all\"\naction = \"DROP\"\nlog = \"info\"\n"
    );
    let _ = writeln!(
        out,
        "[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\nlog = \"info\"\n"
    );
    for r in 0..rules {
        let source = random.below(zones);
        let mut dest = random.below(zones + 1);
        if dest == source {
            dest = zones; // $FW
        }
        let dest_name = if dest == zones {
            "$FW".to_owned()
        } else {
            format!("z{dest}")
        };
        let action = ["ACCEPT", "ACCEPT", "ACCEPT", "DROP", "REJECT"][random.below(5)];
        let _ = writeln!(out, "[[rule]]\naction = \"{action}\"");
        let source_text = if source > 0 && random.below(3) == 0 {
            format!(
                "z{source}:10.{source}.{}.0/24,10.{source}.{}.7",
                random.below(256),
                random.below(256)
            )
        } else {
            format!("z{source}")
        };
        let dest_text = if dest != zones && dest > 0 && random.below(2) == 0 {
            format!(
                "{dest_name}:10.{dest}.{}.{}",
                random.below(256),
                1 + random.below(250)
            )
        } else {
            dest_name
        };
        let _ = writeln!(out, "source = \"{source_text}\"\ndest = \"{dest_text}\"");
        match random.below(3) {
            0 => {
                let _ = writeln!(out, "macro = \"{}\"", MACROS[random.below(MACROS.len())]);
            }
            1 => {
                let low = 1024 + random.below(60000) as u32;
                let _ = writeln!(
                    out,
                    "proto = \"tcp\"\ndport = [{}, {}, \"{low}:{}\"]",
                    1 + random.below(1023),
                    1 + random.below(1023),
                    low + 10
                );
            }
            _ => {
                let _ = writeln!(out, "proto = \"udp\"\ndport = {}", 1 + random.below(65000));
            }
        }
        if random.below(10) == 0 {
            let _ = writeln!(out, "log = \"info\"");
        }
        if random.below(4) == 0 {
            let _ = writeln!(out, "comment = \"synthetic rule {r}\"");
        }
        out.push('\n');
    }
    for d in 0..rules / 50 {
        let zone = 1 + d % (zones - 1);
        let _ = writeln!(
            out,
            "[[dnat]]\nsource = \"z0\"\ndest = \"z{zone}\"\nto = \"10.{zone}.1.{}\"\nproto = \"tcp\"\ndport = {}\nto_port = 80\n",
            1 + d % 250,
            20000 + d
        );
    }
    let internal: Vec<String> = (1..zones).map(|z| format!("\"10.{z}.0.0/16\"")).collect();
    let _ = writeln!(
        out,
        "[[masquerade]]\ninterface = \"eth0\"\nsources = [{}]",
        internal.join(", ")
    );
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zones = argument(&args, "--zones", 4);
    let rules = argument(&args, "--rules", 1000);
    let seed = argument(&args, "--seed", 1) as u64;
    let shape = args
        .windows(2)
        .find(|w| w[0] == "--shape")
        .map_or("mixed", |w| w[1].as_str());
    match shape {
        "uniform" => print!("{}", generate_uniform(zones, rules)),
        "address-port" => print!("{}", generate_address_port(zones, rules, seed)),
        "mixed" => print!("{}", generate(zones, rules, seed)),
        other => panic!("--shape takes mixed, uniform or address-port, not {other}"),
    }
}
