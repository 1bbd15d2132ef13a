//! `fwgen verify`, the lab: a model's network built in network
//! namespaces, each candidate firewall (fwgen's nftables ruleset, fwgen's
//! Shorewall files compiled by Shorewall, an original Shorewall directory)
//! loaded into it in turn, real TCP, UDP, ICMP and DHCP probes sent
//! between every ordered pair of hosts and through every port forward,
//! and each outcome (verdict, host reached, source address seen) compared
//! with what `fwgen explain` says of the model. The project's lab tests
//! (tests/lab.rs) call the same code.
//!
//! Needs root and iproute2, nftables, iputils-ping, ethtool and coreutils'
//! timeout; Shorewall (shorewall, shorewall6) for the Shorewall candidates,
//! dnsmasq and busybox for the DHCP probes. It touches nothing outside the
//! namespaces it creates (and deletes, on every path: errors, Ctrl-C once
//! [`sys::catch_signals`] is called, panics) and its scratch directory.

pub mod contest;
pub mod probe;
pub mod stopped;
pub mod sys;
pub mod topology;

use std::path::Path;

use crate::backend::{Backend, OutputFile};
use crate::model::Model;

pub use contest::{Contestant, Event, Expectation, Round, contest};
pub use probe::Outcome;

/// A candidate firewall under its column's name.
pub type Candidate = (String, Contestant);

/// What went wrong when the lab could not run: a message for people.
pub type Result<T> = std::result::Result<T, String>;

/// A tool the lab runs, and the Debian package that has it.
const NEEDED: [(&str, &str); 5] = [
    ("ip", "iproute2"),
    ("nft", "nftables"),
    ("ping", "iputils-ping"),
    ("ethtool", "ethtool"),
    ("timeout", "coreutils"),
];

/// Root and the tools every run needs; an error names what is missing
/// and how to install it.
pub fn require() -> Result<()> {
    if !rustix::process::geteuid().is_root() {
        return Err(
            "fwgen verify needs root: it creates network namespaces and loads \
                    firewalls into them"
                .to_owned(),
        );
    }
    let missing: Vec<String> = NEEDED
        .iter()
        .filter(|(tool, _)| sys::find_tool(tool).is_none())
        .map(|(tool, package)| format!("`{tool}` (apt-get install -y {package})"))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fwgen verify needs tools that are not on PATH: {}",
            missing.join(", ")
        ))
    }
}

/// Whether the DHCP probes can run (dnsmasq serves, busybox asks).
pub fn dhcp_tools() -> bool {
    sys::find_tool("dnsmasq").is_some() && sys::find_tool("busybox").is_some()
}

/// The files fwgen renders for the model with a backend.
fn rendered(model: &Model, backend: Backend) -> Result<Vec<OutputFile>> {
    crate::backend::render(model, backend).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.render(None)).collect();
        format!("the model does not render: {}", messages.concat())
    })
}

/// The nftables ruleset fwgen renders for the model.
pub fn nftables_ruleset(model: &Model) -> Result<String> {
    rendered(model, Backend::Nftables)?
        .into_iter()
        .next()
        .map(|f| f.content)
        .ok_or_else(|| "the nftables backend rendered no file".to_owned())
}

/// Every candidate's round, side by side.
pub struct Verification {
    /// What was verified (the model's file, or an example's name).
    pub name: String,
    /// The candidates' names, one column each.
    pub columns: Vec<String>,
    pub rounds: Vec<Round>,
    /// What the run left out, and why (a candidate not installed, ...).
    pub notes: Vec<String>,
}

impl Verification {
    /// Compare rounds; they must hold the same probes (one model, one
    /// topology per round).
    pub fn new(name: &str, columns: Vec<(String, Round)>, notes: Vec<String>) -> Result<Self> {
        let (columns, rounds): (Vec<String>, Vec<Round>) = columns.into_iter().unzip();
        let Some(first) = rounds.first() else {
            return Err("no candidate firewall ran".to_owned());
        };
        let same = rounds.iter().all(|r| {
            r.probes.len() == first.probes.len()
                && r.probes
                    .iter()
                    .zip(&first.probes)
                    .all(|(a, b)| a.describe() == b.describe())
        });
        if !same {
            return Err("the candidates' rounds sent different probes".to_owned());
        }
        Ok(Verification {
            name: name.to_owned(),
            columns,
            rounds,
            notes,
        })
    }

    pub fn probes(&self) -> &[contest::Probe] {
        &self.rounds[0].probes
    }

    /// Whether every candidate that decided probe `index` agrees with the
    /// model (and the candidates' lab agrees on what the model says).
    pub fn agrees(&self, index: usize) -> bool {
        let expected = &self.rounds[0].expected[index].outcome;
        self.rounds.iter().all(|round| {
            &round.expected[index].outcome == expected
                && round.outcomes[index].as_ref().is_none_or(|o| o == expected)
        })
    }

    pub fn disagreements(&self) -> usize {
        (0..self.probes().len())
            .filter(|&i| !self.agrees(i))
            .count()
    }

    fn cell(outcome: Option<&Outcome>) -> String {
        outcome.map_or_else(|| "-".to_owned(), Outcome::short)
    }

    /// The matrix: one line per probe, `!!` where a candidate disagrees
    /// with the model; `-` where a candidate does not decide the probe.
    pub fn matrix(&self) -> String {
        let mut out = format!(
            "lab matrix for {}: probe | explain | {}\n",
            self.name,
            self.columns.join(" | ")
        );
        for (index, probe) in self.probes().iter().enumerate() {
            let cells: Vec<String> = self
                .rounds
                .iter()
                .map(|r| Self::cell(r.outcomes[index].as_ref()))
                .collect();
            out.push_str(&format!(
                "{} {} | {} | {}\n",
                if self.agrees(index) { "  " } else { "!!" },
                probe.describe(),
                self.rounds[0].expected[index].outcome.short(),
                cells.join(" | ")
            ));
        }
        for pair in &self.rounds[0].unprobed {
            out.push_str(&format!("   not probed: {pair}\n"));
        }
        out.push_str(&format!(
            "{} probes, {} disagreements\n",
            self.probes().len(),
            self.disagreements()
        ));
        for (column, round) in self.columns.iter().zip(&self.rounds) {
            if let Some(state) = &round.state {
                out.push_str(&format!("the lab after {column}'s round:\n{state}"));
            }
        }
        out
    }

    /// The matrix, the notes, then every disagreement with the model items
    /// that decide it (explain's answer).
    pub fn text(&self, model: &Model) -> String {
        let mut out = self.matrix();
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        for (index, probe) in self.probes().iter().enumerate() {
            if self.agrees(index) {
                continue;
            }
            let expectation = &self.rounds[0].expected[index];
            out.push_str(&format!("\ndisagreement: {}\n", probe.describe()));
            out.push_str(&format!(
                "  the model ({}): {}\n",
                model.source_name,
                expectation.outcome.short()
            ));
            for (column, round) in self.columns.iter().zip(&self.rounds) {
                out.push_str(&format!(
                    "  {column}: {}\n",
                    Self::cell(round.outcomes[index].as_ref())
                ));
            }
            if let Some(explanation) = &expectation.explanation {
                for line in explanation.text(model).lines() {
                    out.push_str(&format!("  explain: {line}\n"));
                }
            }
        }
        out
    }

    /// One JSON object: every probe with its outcomes, the disagreements'
    /// count and the notes.
    pub fn json(&self, model: &Model) -> serde_json::Value {
        let probes: Vec<serde_json::Value> = self
            .probes()
            .iter()
            .enumerate()
            .map(|(index, probe)| {
                let expectation = &self.rounds[0].expected[index];
                let outcomes: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .zip(&self.rounds)
                    .map(|(column, round)| {
                        let cell = round.outcomes[index].as_ref().map(Outcome::json);
                        (column.clone(), cell.unwrap_or(serde_json::Value::Null))
                    })
                    .collect();
                serde_json::json!({
                    "from": probe.from,
                    "source": probe.source.to_string(),
                    "to": probe.to,
                    "dest": probe.dest.to_string(),
                    "kind": probe.kind_text(),
                    "sport": probe.sport,
                    "agree": self.agrees(index),
                    "expected": expectation.outcome.json(),
                    "explain": expectation.explanation.as_ref().map(|e| e.json(model)),
                    "outcomes": outcomes,
                })
            })
            .collect();
        serde_json::json!({
            "model": model.source_name,
            "candidates": self.columns,
            "probes": probes,
            "disagreements": self.disagreements(),
            "unprobed": self.rounds[0].unprobed,
            "notes": self.notes,
        })
    }
}

/// Run every candidate against the model, one after the other, each in a
/// network of its own (`name` goes into the namespaces' names: keep it
/// short), with `dir` as scratch space.
pub fn verify(
    model: &Model,
    name: &str,
    candidates: &[Candidate],
    dir: &Path,
    notes: Vec<String>,
    progress: &dyn Fn(Event),
) -> Result<Verification> {
    let dhcp = dhcp_tools();
    let mut notes = notes;
    if !dhcp {
        notes.push("dnsmasq or busybox is missing: no DHCP probes were sent".to_owned());
    }
    let mut columns = Vec::new();
    for (column, candidate) in candidates {
        sys::interrupted()?;
        progress(Event::Step(&format!("{column}: starting")));
        let scratch = dir.join(column);
        let known = columns.first().map(|(_, round)| round);
        let round =
            contest(model, name, candidate, &scratch, (dhcp, known), progress).map_err(|e| {
                // Ctrl-C also reaches the commands the lab runs: a step that
                // failed because of it is the interruption.
                sys::interrupted().err().unwrap_or(format!("{column}: {e}"))
            })?;
        columns.push((column.clone(), round));
    }
    sys::interrupted()?;
    let mut verification = Verification::new(&model.source_name, columns, notes)?;
    if verification.probes().is_empty() {
        return Err(
            "the model's network has no two hosts the firewall stands between: \
                    no probe could be sent"
                .to_owned(),
        );
    }
    let sent = verification.probes().len();
    if let Some(burst) = smallest_burst(model).filter(|&burst| (burst as usize) < sent) {
        verification.notes.push(format!(
            "a rate limit of the model lets {burst} connections through in a row and the lab sent {sent} probes, which count against it: explain takes each connection as the first in a while, so a verdict past the burst may differ from explain's (docs/verify.md)"
        ));
    }
    verification.notes.extend(time_note(model));
    Ok(verification)
}

/// The note on the model's rules that hold only within a window of the
/// clock (TIME): explain takes every packet as outside them.
fn time_note(model: &Model) -> Option<String> {
    let lines: Vec<String> = model
        .rules
        .iter()
        .filter(|r| r.time.is_some())
        .map(|r| r.line.to_string())
        .collect();
    (!lines.is_empty()).then(|| {
        format!(
            "the rules at lines {} of {} hold only within a window of the clock: explain takes every packet as outside it, so a probe met while a window is in force may differ from explain's (docs/verify.md)",
            lines.join(", "),
            model.source_name
        )
    })
}

/// The smallest burst of a rule's, a policy's or a port forward's rate
/// limit.
fn smallest_burst(model: &Model) -> Option<u32> {
    let rules = model.rules.iter().filter_map(|r| r.rate.as_deref());
    let policies = model.policies.iter().filter_map(|p| p.rate.as_deref());
    let dnats = model.dnats.iter().filter_map(|d| d.rate.as_deref());
    rules
        .chain(policies)
        .chain(dnats)
        .map(|rate| rate.burst)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_rules_are_noted_by_line() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models/rule-time.toml"),
        )
        .unwrap();
        let model = crate::load::compile(&crate::source::Source::new("rule-time.toml", text))
            .unwrap_or_else(|f| panic!("{}", f.render()));
        let note = time_note(&model).expect("a note");
        assert!(
            note.starts_with(
                "the rules at lines 39, 47, 57, 67, 77, 87, 97 of rule-time.toml hold only"
            ),
            "{note}"
        );
        let mut untimed = model;
        untimed.rules.iter_mut().for_each(|r| r.time = None);
        assert_eq!(time_note(&untimed), None);
    }
}
