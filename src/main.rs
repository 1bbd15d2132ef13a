use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod commands {
    pub mod apply;
}

use fwgen::backend::{self, Backend, OutputFile};
use fwgen::emit::{self, Backup};
use fwgen::load::{Failure, load};
use fwgen::plan::{self, Color, Plan};

/// fwgen: one typed model of a zone-based firewall, rendered into
/// Shorewall's configuration or an equivalent nftables ruleset.
#[derive(Parser)]
#[command(name = "fwgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the model: to stdout, or into DIR after showing the diff.
    Render(RenderArgs),
    /// Show what `render --out DIR` would change (exit 0: nothing, 1: changes).
    Diff(DiffArgs),
    /// Validate the model and warn about what is valid but probably wrong.
    Check(CheckArgs),
    /// Explain the verdict the model gives one new connection, and why.
    Explain(ExplainArgs),
    /// Load the model into the kernel with automatic rollback (or confirm one).
    Apply(ApplyArgs),
    /// Turn an existing configuration into a model.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a starter fwgen.toml.
    Init(InitArgs),
    /// Restore the saved table unless confirmed in time (started by apply).
    #[command(hide = true)]
    RollbackTimer(TimerArgs),
    /// Print the analyzed model (for debugging fwgen).
    #[command(hide = true)]
    Dump(ModelArgs),
}

#[derive(Args)]
struct ModelArgs {
    /// The model file.
    #[arg(short = 'c', long = "config", default_value = "fwgen.toml")]
    config: PathBuf,
}

#[derive(Args)]
struct DiffArgs {
    #[arg(long, value_enum)]
    backend: BackendArg,
    #[command(flatten)]
    model: ModelArgs,
    /// The directory the files go to.
    #[arg(long, value_name = "DIR", required_unless_present = "live")]
    out: Option<PathBuf>,
    /// Compare with the table loaded in the kernel (nftables).
    #[arg(long, conflicts_with = "out")]
    live: bool,
    /// Colour the diff: auto (on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

#[derive(Args)]
struct RenderArgs {
    #[arg(long, value_enum)]
    backend: BackendArg,
    #[command(flatten)]
    model: ModelArgs,
    /// Write into DIR (after the diff and a confirmation) instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write without asking (required without a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Show the diff and stop.
    #[arg(long)]
    dry_run: bool,
    /// Exit 1 with the diff when DIR is not what the model renders (for CI).
    #[arg(long)]
    check: bool,
    /// Replace files that lack fwgen's header (a backup is kept).
    #[arg(long)]
    force: bool,
    /// Keep backups here instead of FILE.bak beside each file.
    #[arg(long, value_name = "DIR")]
    backup_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Exit 1 when there are warnings (notices never fail).
    #[arg(long)]
    strict: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

#[derive(Args)]
struct ExplainArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Where the connection starts: ZONE, $FW, ZONE:ADDR or ADDR.
    #[arg(long, value_name = "ZONE[:ADDR]")]
    from: String,
    /// Where it goes: ZONE, $FW, ZONE:ADDR or ADDR.
    #[arg(long, value_name = "ZONE[:ADDR]")]
    to: String,
    /// tcp, udp, icmp, icmpv6, all or a number.
    #[arg(long, default_value = "tcp")]
    proto: String,
    #[arg(long)]
    dport: Option<u16>,
    #[arg(long)]
    sport: Option<u16>,
    /// ICMP type, by name or number (with --proto icmp or icmpv6).
    #[arg(long)]
    icmp_type: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ApplyArgs {
    #[arg(long, value_enum, required_unless_present = "confirm")]
    backend: Option<BackendArg>,
    #[command(flatten)]
    model: ModelArgs,
    /// Apply this rendered ruleset instead of rendering the model.
    #[arg(long, value_name = "FILE")]
    ruleset: Option<PathBuf>,
    /// Load without asking (required without a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Seconds to confirm in before the previous rules come back.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    confirm_within: u64,
    /// No automatic rollback (for automation that tests connectivity itself).
    #[arg(long)]
    no_rollback: bool,
    /// Keep the new rules of a pending apply.
    #[arg(long, conflicts_with_all = ["backend", "ruleset", "no_rollback"])]
    confirm: bool,
    /// Shorewall's configuration directory (--backend shorewall).
    #[arg(long, default_value = "/etc/shorewall", value_name = "DIR")]
    config_dir: PathBuf,
    /// Replace files fwgen did not generate (--backend shorewall; backups kept).
    #[arg(long)]
    force: bool,
    /// Where the saved table and the pending confirmation live.
    #[arg(long, default_value = fwgen::apply::DEFAULT_STATE_DIR, value_name = "DIR")]
    state_dir: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a Shorewall configuration directory (e.g. /etc/shorewall).
    Shorewall(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The Shorewall configuration directory.
    dir: PathBuf,
    /// Write the model here instead of stdout (never overwrites).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Import what the model can express; list every skipped line.
    #[arg(long)]
    partial: bool,
}

#[derive(Args)]
struct TimerArgs {
    #[arg(long)]
    state_dir: PathBuf,
    #[arg(long)]
    token: String,
    #[arg(long)]
    after: u64,
}

#[derive(Args)]
struct InitArgs {
    /// The starter model.
    #[arg(long, value_enum, default_value = "lxc-host")]
    template: Template,
    /// Where to write it.
    #[arg(short = 'c', long = "config", default_value = "fwgen.toml")]
    config: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Shorewall,
    Nftables,
}

impl From<BackendArg> for Backend {
    fn from(arg: BackendArg) -> Backend {
        match arg {
            BackendArg::Shorewall => Backend::Shorewall,
            BackendArg::Nftables => Backend::Nftables,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

impl ColorArg {
    fn resolve(self) -> Color {
        match self {
            ColorArg::Always => Color::Always,
            ColorArg::Never => Color::Never,
            ColorArg::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
                Color::Never
            }
            ColorArg::Auto if std::io::stdout().is_terminal() => Color::Always,
            ColorArg::Auto => Color::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Template {
    LxcHost,
    TwoInterfaces,
    ThreeInterfaces,
    PortForward,
    Ipv6,
    Shorewall4,
}

impl Template {
    fn text(self) -> &'static str {
        match self {
            Template::LxcHost => include_str!("../examples/lxc-host.toml"),
            Template::TwoInterfaces => include_str!("../examples/two-interfaces.toml"),
            Template::ThreeInterfaces => include_str!("../examples/three-interfaces.toml"),
            Template::PortForward => include_str!("../examples/port-forward.toml"),
            Template::Ipv6 => include_str!("../examples/ipv6.toml"),
            Template::Shorewall4 => include_str!("../examples/shorewall4.toml"),
        }
    }
}

/// diff(1)'s exit codes: 0 same, 1 different, 2 trouble.
pub(crate) const CHANGES: u8 = 1;
const TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render(args) => render(&args),
        Command::Diff(args) => diff(&args),
        Command::Check(args) => check(&args),
        Command::Explain(args) => explain(&args),
        Command::Apply(args) => apply(&args),
        Command::Import(ImportCommand::Shorewall(args)) => import(&args),
        Command::Init(args) => init(&args),
        Command::RollbackTimer(args) => {
            commands::apply::timer(&args.state_dir, &args.token, args.after)
        }
        Command::Dump(args) => dump(&args),
    }
}

fn apply(args: &ApplyArgs) -> ExitCode {
    let state = fwgen::apply::State::new(&args.state_dir);
    if args.confirm {
        if args.state_dir.join("pending-shorewall").exists() {
            return commands::apply::confirm_shorewall(&args.state_dir);
        }
        return commands::apply::confirm(&state);
    }
    match args.backend.map(Backend::from) {
        Some(Backend::Nftables) => commands::apply::apply(&commands::apply::ApplyOptions {
            config: &args.model.config,
            ruleset: args.ruleset.as_deref(),
            yes: args.yes,
            confirm_within: std::time::Duration::from_secs(args.confirm_within),
            no_rollback: args.no_rollback,
            state_dir: &args.state_dir,
            color: args.color.resolve(),
        }),
        Some(Backend::Shorewall) => {
            commands::apply::apply_shorewall(&commands::apply::ShorewallOptions {
                config: &args.model.config,
                config_dir: &args.config_dir,
                yes: args.yes,
                force: args.force,
                confirm_within: std::time::Duration::from_secs(args.confirm_within),
                no_rollback: args.no_rollback,
                state_dir: &args.state_dir,
                color: args.color.resolve(),
            })
        }
        None => trouble("--backend is required"),
    }
}

pub(crate) fn fail(failure: &Failure) -> ExitCode {
    eprint!("{}", failure.render());
    ExitCode::from(TROUBLE)
}

pub(crate) fn trouble(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(TROUBLE)
}

/// Load, analyze and render; every error already reported on stderr.
fn rendered(config: &Path, backend: Backend) -> Result<Vec<OutputFile>, ExitCode> {
    let (source, model) = load(config).map_err(|failure| fail(&failure))?;
    backend::render(&model, backend).map_err(|errors| {
        fail(&Failure {
            source: Some(source),
            errors,
        })
    })
}

fn planned(config: &Path, backend: Backend, dir: &Path) -> Result<Plan, ExitCode> {
    let files = rendered(config, backend)?;
    plan::plan(dir, backend, &files)
        .map_err(|e| trouble(&format!("cannot read {}: {e}", dir.display())))
}

fn diff(args: &DiffArgs) -> ExitCode {
    if args.live {
        if Backend::from(args.backend) != Backend::Nftables {
            return trouble("--live compares the kernel's nftables table: use --backend nftables");
        }
        return commands::apply::diff_live(&args.model.config, args.color.resolve());
    }
    let Some(out) = &args.out else {
        return trouble("--out DIR is required");
    };
    let plan = match planned(&args.model.config, args.backend.into(), out) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    print!("{}", plan::unified(&plan, args.color.resolve()));
    if plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES)
    }
}

fn render(args: &RenderArgs) -> ExitCode {
    let Some(dir) = &args.out else {
        if args.check || args.dry_run || args.force || args.yes || args.backup_dir.is_some() {
            return trouble("--check, --dry-run, --yes, --force and --backup-dir need --out DIR");
        }
        return match rendered(&args.model.config, args.backend.into()) {
            Ok(files) => {
                print!("{}", emit::to_stdout(&files));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        };
    };
    let plan = match planned(&args.model.config, args.backend.into(), dir) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    print!("{}", plan::unified(&plan, args.color.resolve()));
    if plan.is_empty() {
        eprintln!("{} is up to date: nothing to write", dir.display());
        return ExitCode::SUCCESS;
    }
    if args.check {
        eprintln!(
            "{} differs from what the model renders:\n{}",
            dir.display(),
            plan::summary(&plan)
        );
        return ExitCode::from(CHANGES);
    }
    write_plan(args, &plan)
}

fn write_plan(args: &RenderArgs, plan: &Plan) -> ExitCode {
    let hand_written = plan.hand_written();
    if !hand_written.is_empty() && !args.force {
        let names: Vec<String> = hand_written
            .iter()
            .map(|e| plan.dir.join(&e.path).display().to_string())
            .collect();
        return trouble(&format!(
            "refusing to overwrite files fwgen did not generate: {}\n  = hint: move them away, or pass --force (the old files are backed up)",
            names.join(", ")
        ));
    }
    if args.dry_run {
        eprintln!(
            "dry run: nothing written. Would change:\n{}",
            plan::summary(plan)
        );
        return ExitCode::SUCCESS;
    }
    if !args.yes {
        match confirm(plan) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("nothing written");
                return ExitCode::from(CHANGES);
            }
            Err(code) => return code,
        }
    }
    let backup = args.backup_dir.clone().map_or(Backup::Beside, Backup::Dir);
    match emit::apply(plan, &backup) {
        Ok(()) => {
            eprint!(
                "wrote into {}:\n{}",
                plan.dir.display(),
                plan::summary(plan)
            );
            ExitCode::SUCCESS
        }
        Err(error) => trouble(&format!(
            "cannot write into {}: {error}; nothing was changed",
            plan.dir.display()
        )),
    }
}

/// Ask on the terminal; default no. Without a terminal, refuse.
fn confirm(plan: &Plan) -> Result<bool, ExitCode> {
    if !std::io::stdin().is_terminal() {
        return Err(trouble(
            "no terminal to confirm on: pass --yes to write, or --dry-run to only see the diff",
        ));
    }
    eprint!(
        "{}Write these changes into {}? [y/N] ",
        plan::summary(plan),
        plan.dir.display()
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn check(args: &CheckArgs) -> ExitCode {
    let loaded = load(&args.model.config);
    if args.format == FormatArg::Json {
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

fn check_json(
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

fn explain(args: &ExplainArgs) -> ExitCode {
    let (_, model) = match load(&args.model.config) {
        Ok(loaded) => loaded,
        Err(failure) => return fail(&failure),
    };
    let query = match explain_query(&model, args) {
        Ok(query) => query,
        Err(message) => return trouble(&message),
    };
    match fwgen::explain::explain(&model, &query) {
        Ok(answer) if args.json => {
            println!("{}", answer.json(&model));
            ExitCode::SUCCESS
        }
        Ok(answer) => {
            print!("{}", answer.text(&model));
            ExitCode::SUCCESS
        }
        Err(error) => trouble(&error.to_string()),
    }
}

fn explain_query(
    model: &fwgen::model::Model,
    args: &ExplainArgs,
) -> Result<fwgen::explain::Query, String> {
    use fwgen::explain::{Query, parse_place, parse_protocol};
    use fwgen::model::{IcmpType, Protocol};
    let proto = parse_protocol(&args.proto)?;
    let has_ports = proto.is_some_and(Protocol::has_ports);
    if (args.dport.is_some() || args.sport.is_some()) && !has_ports {
        return Err(format!(
            "--dport/--sport: ports need --proto tcp or udp, not {}",
            args.proto
        ));
    }
    let icmp_type = match &args.icmp_type {
        None => None,
        Some(text) => {
            let ipv6 = match proto {
                Some(Protocol::Icmp) => false,
                Some(Protocol::Icmpv6) => true,
                _ => return Err("--icmp-type: needs --proto icmp or icmpv6".to_owned()),
            };
            let parsed = IcmpType::parse(text, ipv6)
                .ok_or_else(|| format!("--icmp-type: unknown ICMP type `{text}`"))?;
            Some(parsed.number)
        }
    };
    Ok(Query {
        from: parse_place(model, &args.from, "--from")?,
        to: parse_place(model, &args.to, "--to")?,
        proto,
        dport: args.dport,
        sport: args.sport,
        icmp_type,
    })
}

fn import(args: &ImportArgs) -> ExitCode {
    if !args.dir.is_dir() {
        return trouble(&format!("{} is not a directory", args.dir.display()));
    }
    let imported = match fwgen::import::shorewall::import(&args.dir, args.partial) {
        Ok(imported) => imported,
        Err(unsupported) => {
            for item in &unsupported {
                eprintln!("error: {item}");
            }
            eprintln!(
                "error: {} line(s) cannot be expressed in fwgen's model; nothing was written\n  = hint: --partial imports the rest and lists them",
                unsupported.len()
            );
            return ExitCode::from(TROUBLE);
        }
    };
    for item in &imported.skipped {
        eprintln!("skipped: {item}");
    }
    let name = args
        .output
        .as_ref()
        .map_or("imported.toml".to_owned(), |p| p.display().to_string());
    if let Err(failure) =
        fwgen::load::compile(&fwgen::source::Source::new(&name, imported.toml.as_str()))
    {
        eprint!("{}", failure.render());
        return trouble("the imported model is not valid (see above); nothing was written");
    }
    let Some(output) = &args.output else {
        print!("{}", imported.toml);
        return ExitCode::SUCCESS;
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(output);
    match file.and_then(|mut f| f.write_all(imported.toml.as_bytes())) {
        Ok(()) => {
            eprintln!(
                "wrote {}; next: fwgen check -c {0}, then fwgen diff",
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => trouble(&format!(
            "cannot write {}: {e} (import never overwrites)",
            output.display()
        )),
    }
}

fn init(args: &InitArgs) -> ExitCode {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.config);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return trouble(&format!(
                "{} exists; fwgen init never overwrites a model",
                args.config.display()
            ));
        }
        Err(e) => return trouble(&format!("cannot create {}: {e}", args.config.display())),
    };
    if let Err(e) = file.write_all(args.template.text().as_bytes()) {
        return trouble(&format!("cannot write {}: {e}", args.config.display()));
    }
    eprintln!(
        "wrote {}. Edit it, then see what it renders: fwgen diff --backend nftables --out DIR",
        args.config.display()
    );
    ExitCode::SUCCESS
}

fn dump(args: &ModelArgs) -> ExitCode {
    match load(&args.config) {
        Ok((_, model)) => {
            println!("{model:#?}");
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure),
    }
}
