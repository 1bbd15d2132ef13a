//! `fwgen check`: warnings for valid but probably wrong models.

use std::process::ExitCode;

use clap::Args;

use fwgen::load::load;

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

pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let (source, model) = match load(&args.model.config) {
        Ok(loaded) => loaded,
        Err(failure) => return report(&failure, args.format),
    };
    let findings = fwgen::check::check(&model);
    let warnings = findings
        .iter()
        .filter(|f| f.level == fwgen::check::Level::Warning)
        .count();
    let notices = findings.len() - warnings;
    match args.format {
        Format::Text => {
            for finding in &findings {
                println!("{}", finding.render(&source));
            }
            println!(
                "{}: {warnings} warning(s), {notices} notice(s)",
                source.display_name()
            );
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = findings.iter().map(|f| f.json(&source)).collect();
            let json = serde_json::json!({
                "file": source.display_name(),
                "findings": items,
                "warnings": warnings,
                "notices": notices,
            });
            println!("{json}");
        }
    }
    if args.strict && warnings > 0 {
        ExitCode::from(CHANGES)
    } else {
        ExitCode::SUCCESS
    }
}
