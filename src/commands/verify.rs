//! `fwgen verify`: the model's network in namespaces, each candidate
//! firewall loaded into it, real probes, and every outcome compared with
//! what the model says (src/verify/). Exit 0: all agree; 1: a
//! disagreement; 2: the lab could not run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use fwgen::load::load;
use fwgen::verify::{self, Candidate, Contestant, Event};

use crate::{CHANGES, Format, ModelArgs, report, trouble_as};

#[derive(Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// An original Shorewall directory (e.g. /etc/shorewall) compiled by
    /// Shorewall as it is, the model's other candidates compared with it;
    /// a `shorewall6` directory beside a `shorewall` one is taken too.
    #[arg(long, value_name = "DIR")]
    pub(crate) against: Option<PathBuf>,
    /// text: the matrix and every disagreement; json: one object
    /// (docs/verify.md).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,
}

impl VerifyArgs {
    fn format(&self) -> Format {
        match self.json {
            true => Format::Json,
            false => self.format,
        }
    }
}

/// The code of every error that stops the lab (exit 2).
const CANNOT_RUN: &str = "verify-cannot-run";

pub(crate) fn verify(args: &VerifyArgs) -> ExitCode {
    let (_, model) = match load(&args.model.config) {
        Ok(loaded) => loaded,
        Err(failure) => return report(&failure, args.format()),
    };
    let cannot = |message: &str| trouble_as(args.format(), CANNOT_RUN, message);
    if let Err(message) = verify::require() {
        return cannot(&message);
    }
    let (candidates, notes) = match candidates(&model, args) {
        Ok(found) => found,
        Err(message) => return cannot(&message),
    };
    let scratch = match tempfile::Builder::new().prefix("fwgen-verify-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return cannot(&format!("cannot create a scratch directory: {e}")),
    };
    verify::sys::catch_signals();
    let bar = progress_bar();
    let shown = |event: Event| match event {
        Event::Step(step) => bar.set_message(step.to_owned()),
        Event::Planned(n) => bar.inc_length(n as u64),
        Event::Done(n) => bar.inc(n as u64),
    };
    let result = verify::verify(&model, "v", &candidates, scratch.path(), notes, &shown);
    bar.finish_and_clear();
    let verification = match result {
        Ok(verification) => verification,
        Err(message) => return cannot(&message),
    };
    match args.format() {
        Format::Text => out!("{}", verification.text(&model)),
        Format::Json => outln!("{:#}", verification.json(&model)),
    }
    if verification.disagreements() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES)
    }
}

/// nftables always; fwgen's Shorewall files when Shorewall (and
/// Shorewall6, for a model with IPv6) is installed; the original
/// directory with `--against`. What is left out is a note.
fn candidates(
    model: &fwgen::model::Model,
    args: &VerifyArgs,
) -> Result<(Vec<Candidate>, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut candidates = vec![(
        "nftables".to_owned(),
        Contestant::Nftables(verify::nftables_ruleset(model)?),
    )];
    let has = |tool: &str| verify::sys::find_tool(tool).is_some();
    let ipv6 = model.zones.iter().any(|z| z.family.has_ipv6());
    let products = if ipv6 {
        &["shorewall", "shorewall6"][..]
    } else {
        &["shorewall"][..]
    };
    match products.iter().find(|p| !has(p)) {
        None => candidates.push(("shorewall".to_owned(), Contestant::Shorewall)),
        Some(missing) => notes.push(format!(
            "`{missing}` is not installed: fwgen's Shorewall files were not compiled \
             (apt-get install -y shorewall shorewall6)"
        )),
    }
    if let Some(dir) = &args.against {
        if !dir.is_dir() {
            return Err(format!("--against {}: not a directory", dir.display()));
        }
        if !has("shorewall") {
            return Err(format!(
                "--against {} needs Shorewall to compile it: `shorewall` is not on PATH \
                 (apt-get install -y shorewall)",
                dir.display()
            ));
        }
        let original = Contestant::original(dir);
        if let Contestant::ShorewallDir {
            ipv6: Some(six), ..
        } = &original
            && !has("shorewall6")
        {
            return Err(format!(
                "--against {}: {} stands beside it, and `shorewall6` is not on PATH \
                 (apt-get install -y shorewall6)",
                dir.display(),
                six.display()
            ));
        }
        if ipv6 && matches!(original, Contestant::ShorewallDir { ipv6: None, .. }) {
            notes.push(format!(
                "the model has IPv6 and {} has no shorewall6 directory beside it: \
                 the original decides IPv4 probes only (`-` in its column)",
                dir.display()
            ));
        }
        candidates.push(("original".to_owned(), original));
    }
    Ok((candidates, notes))
}

/// A bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(100));
    }
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} probes ({elapsed})")
    {
        bar.set_style(style);
    }
    bar
}
