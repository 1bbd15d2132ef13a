//! Shorewall's stock macros on import. The model's table
//! (src/model/stock_macros.rs, generated from /usr/share/shorewall) and its
//! reading (src/model/service.rs) decide: a rule calling a macro the model
//! takes keeps the macro's name; one the model refuses as a whole (lines
//! the way back, from DEST to SOURCE) becomes its lines, each a rule.

use crate::model::service::{Macro, MacroCall, MacroLine, StockMacro, stock_macro};

/// One part of a stock macro written as its lines.
pub enum Part {
    /// A macro the model takes, by name.
    Named { name: &'static str, reversed: bool },
    /// A `PARAM` line: its PROTO, DPORT and SPORT columns.
    Line {
        line: &'static MacroLine,
        reversed: bool,
    },
}

impl Part {
    pub fn is_reversed(&self) -> bool {
        match self {
            Part::Named { reversed, .. } | Part::Line { reversed, .. } => *reversed,
        }
    }
}

/// What a rule calling `name` becomes: `Ok(None)` when the model takes the
/// macro by its name, else its parts; `Err` says why neither can be written.
pub fn expand(stock: &'static StockMacro, call: &MacroCall) -> Result<Option<Vec<Part>>, String> {
    let whole = Macro::find(stock.name)
        .ok_or_else(|| format!("macro.{} is not in the table", stock.name))?;
    let refusal = match whole.expand(call) {
        Ok(_) => return Ok(None),
        Err(refusal) => refusal,
    };
    if !call.columns.is_empty() {
        return Err(refusal);
    }
    let mut parts = Vec::new();
    lines(stock, call, false, &mut parts, 0).map_err(|_| refusal)?;
    Ok(Some(parts))
}

fn lines(
    stock: &'static StockMacro,
    call: &MacroCall,
    reversed: bool,
    parts: &mut Vec<Part>,
    depth: usize,
) -> Result<(), ()> {
    if depth > 4 || stock.ipv6_lines.is_some() || (stock.helper.is_some() && call.helpers_attached)
    {
        return Err(());
    }
    for line in stock.lines {
        let back = match (line.source, line.dest) {
            ("-" | "SOURCE", "-" | "DEST") => reversed,
            ("DEST", "SOURCE") => !reversed,
            _ => return Err(()),
        };
        if let Some(inner) = stock_macro(line.action) {
            let plain = [line.proto, line.dport, line.sport]
                .iter()
                .all(|c| *c == "-");
            let whole = Macro::find(inner.name).map(|m| m.expand(call));
            match whole {
                Some(Ok(_)) if plain => parts.push(Part::Named {
                    name: inner.name,
                    reversed: back,
                }),
                _ if plain => lines(inner, call, back, parts, depth + 1)?,
                _ => return Err(()),
            }
            continue;
        }
        if line.action != "PARAM" && Some(line.action) != call.action {
            return Err(());
        }
        parts.push(Part::Line {
            line,
            reversed: back,
        });
    }
    Ok(())
}
