//! `maclist`: the model's `[[maclist]]` entries (shorewall-maclist(5)),
//! written when an interface has the `maclist` option (IPv4 alone: the
//! analyzer refuses the option on an interface that carries IPv6).

use askama::Template;

use super::{Item, Product, address_cell};
use crate::backend::table::Columns;
use crate::model::{MaclistEntry, Model};

const MACLIST: Columns = Columns(&[
    ("DISPOSITION", 0),
    ("INTERFACE", 16),
    ("MAC", 32),
    ("IP ADDRESSES", 56),
]);

#[derive(Template)]
#[template(path = "shorewall/maclist.txt")]
struct MaclistFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

pub(super) fn render(
    model: &Model,
    product: Product,
    header: &str,
) -> Result<Option<(&'static str, String)>, askama::Error> {
    let verified = model
        .interfaces
        .iter()
        .any(crate::model::Interface::maclist);
    if product.ipv6 || !verified {
        return Ok(None);
    }
    let items = model
        .maclist
        .iter()
        .map(|entry| item(model, entry, product))
        .collect();
    let file = MaclistFile {
        header,
        columns: MACLIST.header(),
        items,
    };
    Ok(Some(("maclist", file.render()?)))
}

fn item(model: &Model, entry: &MaclistEntry, product: Product) -> Item {
    let disposition = match entry.log {
        Some(level) => format!("{}:{level}", entry.disposition),
        None => entry.disposition.to_string(),
    };
    let addresses: Vec<String> = entry
        .addresses
        .iter()
        .map(|a| address_cell(a, product))
        .collect();
    let mut cells = vec![
        disposition,
        model.interfaces[entry.interface].name.clone(),
        entry.mac.map_or("-".to_owned(), |m| m.to_string()),
    ];
    if !addresses.is_empty() {
        cells.push(addresses.join(","));
    }
    Item::new(&MACLIST, None, &[cells])
}
