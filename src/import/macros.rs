//! Shorewall's stock macros on import. The model's table
//! (src/model/stock_macros.rs, generated from /usr/share/shorewall) and its
//! reading (src/model/service.rs) decide: a rule calling a macro the model
//! takes keeps the macro's name (lines the way back and a macro's own
//! addresses included); one the model refuses is refused with its reason.

use crate::model::service::{Macro, MacroCall, StockMacro};

/// Why the model cannot take a call of `stock`, if it cannot.
pub fn refusal(stock: &'static StockMacro, call: &MacroCall) -> Option<String> {
    match Macro::find(stock.name) {
        Some(whole) => whole.expand(call).err(),
        None => Some(format!("macro.{} is not in the table", stock.name)),
    }
}
