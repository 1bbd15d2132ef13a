//! `fwgen check`: warnings for valid but probably wrong models.

use std::process::ExitCode;

use clap::Args;

use fwgen::load::{Failure, load};

use crate::{CHANGES, Format, ModelArgs, TROUBLE, fail};

#[derive(Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Exit 1 when there are warnings (notices never fail).
    #[arg(long)]
    pub(crate) strict: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
}

pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let loaded = load(&args.model.config);
    if args.format == Format::Json {
        return check_json(args, loaded);
    }
    let (source, model) = match loaded {
        Ok(loaded) => loaded,
        Err(failure) => return fail(&failure),
    };
    let findings = fwgen::check::check(&model);
    for finding in &findings {
        println!("{}", finding.render(&source));
    }
    let warnings = findings
        .iter()
        .filter(|f| f.level == fwgen::check::Level::Warning)
        .count();
    let notices = findings.len() - warnings;
    println!(
        "{}: {warnings} warning(s), {notices} notice(s)",
        source.display_name()
    );
    if args.strict && warnings > 0 {
        ExitCode::from(CHANGES)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn check_json(
    args: &CheckArgs,
    loaded: Result<(fwgen::source::Source, fwgen::model::Model), Failure>,
) -> ExitCode {
    let (items, code) = match loaded {
        Err(failure) => {
            let items: Vec<serde_json::Value> = failure
                .errors
                .iter()
                .map(|e| {
                    let source = failure.source.as_ref();
                    let location = e
                        .span
                        .as_ref()
                        .zip(source)
                        .map(|(s, src)| src.location(s.start));
                    serde_json::json!({
                        "level": "error",
                        "code": "error",
                        "message": e.kind.to_string(),
                        "file": source.map(fwgen::source::Source::display_name),
                        "line": location.map(|l| l.line),
                        "column": location.map(|l| l.column),
                        "hint": e.hint(),
                    })
                })
                .collect();
            (items, ExitCode::from(TROUBLE))
        }
        Ok((source, model)) => {
            let findings = fwgen::check::check(&model);
            let warnings = findings
                .iter()
                .any(|f| f.level == fwgen::check::Level::Warning);
            let code = if args.strict && warnings {
                ExitCode::from(CHANGES)
            } else {
                ExitCode::SUCCESS
            };
            (findings.iter().map(|f| f.json(&source)).collect(), code)
        }
    };
    println!("{}", serde_json::Value::Array(items));
    code
}
