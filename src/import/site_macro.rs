//! Site macros: a `macro.NAME` in the imported directory is found before
//! Shorewall's stock one, since CONFIG_PATH lists the configuration
//! directory first (Config.pm `find_file`). Its port-list lines (`PARAM`
//! with `-`, `SOURCE DEST` or `DEST SOURCE`, PROTO, DPORT, SPORT, or a
//! stock macro the model takes) become rules of the model; any other form
//! is refused at its line.

use super::*;
use crate::model::service::{Macro, MacroCall};

/// One line of a site macro, as the model can write it.
#[derive(Debug, Clone)]
pub(super) enum SiteLine {
    Ports {
        proto: Option<String>,
        dport: Option<String>,
        sport: Option<String>,
        reversed: bool,
    },
    Named {
        name: &'static str,
        reversed: bool,
    },
}

impl SiteLine {
    fn reversed(&self) -> bool {
        match self {
            SiteLine::Ports { reversed, .. } | SiteLine::Named { reversed, .. } => *reversed,
        }
    }
}

impl Importer {
    /// The directory's `macro.NAME` files, by NAME.
    pub(super) fn site_macro_names(&mut self) -> Vec<String> {
        let entries = self.directory.entries().unwrap_or_default();
        entries
            .into_iter()
            .filter(|(_, is_dir)| !is_dir)
            .filter_map(|(name, _)| name.strip_prefix("macro.").map(str::to_owned))
            .collect()
    }

    /// The site macro `name` as lines the model can write; `None` when a
    /// line is refused (said at that line).
    pub(super) fn site_macro(&mut self, name: &str) -> Option<Vec<SiteLine>> {
        if let Some(read) = self.site_macros.get(name) {
            return read.clone();
        }
        let file = format!("macro.{name}");
        let mut lines = Vec::new();
        let mut refused = false;
        for line in self.lines(&file) {
            match self.site_line(&line) {
                Ok(Some(read)) => lines.push(read),
                Ok(None) => {}
                Err(reason) => {
                    self.refuse(&line, format!("site macro {file}: {reason}"));
                    refused = true;
                }
            }
        }
        let read = (!refused).then_some(lines);
        self.site_macros.insert(name.to_owned(), read.clone());
        read
    }

    fn site_line(&mut self, line: &Line) -> Result<Option<SiteLine>, String> {
        if line.text.starts_with("?COMMENT") {
            return Ok(None);
        }
        if line.text.starts_with('?') || line.text.starts_with("DEFAULT") {
            return Err(
                "compiler directives and DEFAULT in a site macro are not in fwgen's import".into(),
            );
        }
        let Some(columns) = self.split(line, RULE_COLUMNS) else {
            return Ok(None);
        };
        if used_after(&columns, 6) {
            return Err(
                "columns beyond SPORT (ORIGDEST, RATE, USER, ...) are not in fwgen's model".into(),
            );
        }
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let reversed = match (get(1).as_deref(), get(2).as_deref()) {
            (None | Some("SOURCE"), None | Some("DEST")) => false,
            (Some("DEST"), Some("SOURCE")) => true,
            _ => return Err("SOURCE and DEST other than `-`, `SOURCE DEST` or `DEST SOURCE` (addresses) are not in fwgen's import of macros".into()),
        };
        let action = columns.first().cloned().unwrap_or_default();
        if action == "PARAM" {
            return Ok(Some(SiteLine::Ports {
                proto: get(3),
                dport: get(4),
                sport: get(5),
                reversed,
            }));
        }
        let whole = stock_macro(&action)
            .and_then(|stock| Macro::find(stock.name))
            .filter(|found| found.expand(&MacroCall::default()).is_ok());
        match whole {
            Some(found) if !used_after(&columns, 3) => Ok(Some(SiteLine::Named {
                name: found.name,
                reversed,
            })),
            _ => Err(format!(
                "the line's action `{action}` is neither PARAM nor a stock macro the model takes whole"
            )),
        }
    }

    /// A rule calling the site macro: each of its lines a rule, the rule's
    /// own PROTO, DPORT and SPORT replacing the line's (Rules.pm
    /// `merge_macro_column`).
    pub(super) fn site_macro_rule(
        &mut self,
        line: &Line,
        written: &Written,
        name: &str,
        own: [Option<String>; 3],
        lines: Vec<SiteLine>,
    ) {
        self.notes.push(format!(
            "{}:{}: `{name}` is the site's macro.{name} (found before Shorewall's own, as CONFIG_PATH makes Shorewall do): its {} line(s){}",
            line.file,
            line.number,
            lines.len(),
            if lines.iter().any(SiteLine::reversed) {
                ", those from DEST to SOURCE with the two swapped"
            } else {
                ""
            }
        ));
        let reversed = Written {
            source: written.dest,
            dest: written.source,
            ..*written
        };
        let [own_proto, own_dport, own_sport] = own;
        for site in lines {
            let way = if site.reversed() { &reversed } else { written };
            match site {
                SiteLine::Named { name, .. } => {
                    let service = (
                        Some(name),
                        own_proto.clone(),
                        own_dport.clone(),
                        own_sport.clone(),
                    );
                    self.plain_rule(line, way, service);
                }
                SiteLine::Ports {
                    proto,
                    dport,
                    sport,
                    ..
                } => {
                    let service = (
                        None,
                        own_proto.clone().or(proto),
                        own_dport.clone().or(dport),
                        own_sport.clone().or(sport),
                    );
                    self.plain_rule(line, way, service);
                }
            }
        }
    }
}
