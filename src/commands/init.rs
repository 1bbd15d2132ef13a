//! `fwgen init`: a starter model.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::trouble;

#[derive(Args)]
pub(crate) struct InitArgs {
    /// The starter model.
    #[arg(long, value_enum, default_value = "lxc-host")]
    pub(crate) template: Template,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Template {
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
            Template::LxcHost => include_str!("../../examples/lxc-host.toml"),
            Template::TwoInterfaces => include_str!("../../examples/two-interfaces.toml"),
            Template::ThreeInterfaces => include_str!("../../examples/three-interfaces.toml"),
            Template::PortForward => include_str!("../../examples/port-forward.toml"),
            Template::Ipv6 => include_str!("../../examples/ipv6.toml"),
            Template::Shorewall4 => include_str!("../../examples/shorewall4.toml"),
        }
    }
}

/// Write the starter model to `config` (the global `-c` or
/// `FWGEN_CONFIG`), else to ./fwgen.toml.
pub(crate) fn init(args: &InitArgs, config: Option<PathBuf>) -> ExitCode {
    let config = config.unwrap_or_else(|| PathBuf::from("fwgen.toml"));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&config);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return trouble(&format!(
                "{} exists; fwgen init never overwrites a model",
                config.display()
            ));
        }
        Err(e) => return trouble(&format!("cannot create {}: {e}", config.display())),
    };
    let text = format!(
        "#:schema {}\n{}",
        fwgen::schema::INSTALLED_PATH,
        args.template.text()
    );
    if let Err(e) = file.write_all(text.as_bytes()) {
        return trouble(&format!("cannot write {}: {e}", config.display()));
    }
    eprintln!(
        "wrote {}. Edit it, then see what it renders: fwgen diff --backend nftables --out DIR",
        config.display()
    );
    if !std::path::Path::new(fwgen::schema::INSTALLED_PATH).is_file() {
        eprintln!(
            "note: its `#:schema` line names {0} (installed with fwgen's package), which is missing here; for editor completion run `fwgen schema > {0}` or point the line at a copy",
            fwgen::schema::INSTALLED_PATH
        );
    }
    ExitCode::SUCCESS
}
