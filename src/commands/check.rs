//! `fwgen check`: warnings for valid but probably wrong models.

use std::process::ExitCode;

use clap::Args;

use super::progress::Progress;
use crate::{CHANGES, Format, ModelArgs, report};

#[derive(Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Exit 1 when there are warnings (notices never fail).
    #[arg(long)]
    pub(crate) strict: bool,
    /// text for people; json: one object (docs/json.md).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
}

/// `check --format json`'s object, its fields in the order they have
/// always been printed (by name).
#[derive(serde::Serialize)]
struct Report<'a> {
    file: &'a str,
    findings: Vec<fwgen::check::FindingJson<'a>>,
    notices: usize,
    warnings: usize,
}

pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let progress = Progress::start(&format!("reading {}", args.model.config.display()));
    let loaded = fwgen::load::read_source(&args.model.config).and_then(|source| {
        progress.step(&format!("analyzing {}", source.display_name()));
        fwgen::load::compile(&source).map(|model| (source, model))
    });
    let (source, model) = match loaded {
        Ok(loaded) => loaded,
        Err(failure) => {
            drop(progress);
            return report(&failure, args.format);
        }
    };
    progress.step(&format!("checking {}", source.display_name()));
    let ruleset = fwgen::ruleset::lower::lower_unnamed(&model);
    let findings = fwgen::check::check_in(&model, &ruleset);
    // The process ends right after the findings are written: the kernel
    // takes back the ruleset's and the model's memory at once, where
    // freeing their millions of allocations one by one costs a tenth of
    // the command at 100,000 rules.
    std::mem::forget(ruleset);
    drop(progress);
    let warnings = findings
        .iter()
        .filter(|f| f.level == fwgen::check::Level::Warning)
        .count();
    let notices = findings.len() - warnings;
    match args.format {
        Format::Text => {
            // Every finding, rendered on every core, in a few writes.
            fwgen::check::Finding::render_all(&findings, &source, |text| out!("{text}"));
            outln!(
                "{}: {warnings} warning(s), {notices} notice(s)",
                source.display_name()
            );
        }
        Format::Json => {
            let file = source.display_name();
            let report = Report {
                file: &file,
                findings: findings.iter().map(|f| f.json(&source, &file)).collect(),
                notices,
                warnings,
            };
            let json = serde_json::to_string(&report).expect("findings serialize to JSON");
            outln!("{json}");
        }
    }
    std::mem::forget(model);
    if args.strict && warnings > 0 {
        ExitCode::from(CHANGES)
    } else {
        ExitCode::SUCCESS
    }
}
