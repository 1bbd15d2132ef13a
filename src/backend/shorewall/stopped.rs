//! `stoppedrules`: the model's `[[stopped]]` entries, in each product
//! whose family they apply to.

use askama::Template;

use super::{Item, Product, address_cell, service_cells};
use crate::backend::table::Columns;
use crate::model::rule::is_ipv6;
use crate::model::{Model, Place, Stopped, StoppedEnd};

const STOPPEDRULES: Columns = Columns(&[
    ("ACTION", 0),
    ("SOURCE", 16),
    ("DEST", 44),
    ("PROTO", 72),
    ("DPORT", 82),
    ("SPORT", 98),
]);

#[derive(Template)]
#[template(path = "shorewall/stoppedrules.txt")]
struct StoppedRulesFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

pub(super) fn render(
    model: &Model,
    product: Product,
    header: &str,
) -> Result<(&'static str, String), askama::Error> {
    let items = model
        .stopped
        .iter()
        .filter(|entry| entry.families(&model.interfaces, &model.zones)[usize::from(product.ipv6)])
        .map(|entry| item(model, entry, product))
        .collect();
    let file = StoppedRulesFile {
        header,
        columns: STOPPEDRULES.header(),
        items,
    };
    Ok(("stoppedrules", file.render()?))
}

fn item(model: &Model, entry: &Stopped, product: Product) -> Item {
    let source = end_cell(model, &entry.source, product);
    let dest = end_cell(model, &entry.dest, product);
    let rows: Vec<Vec<String>> = if entry.services.is_empty() {
        vec![vec!["ACCEPT".to_owned(), source, dest]]
    } else {
        entry
            .services
            .iter()
            .map(|service| {
                let mut cells = vec!["ACCEPT".to_owned(), source.clone(), dest.clone()];
                cells.extend(service_cells(service, product));
                cells
            })
            .collect()
    };
    Item::new(&STOPPEDRULES, entry.comment.clone(), &rows)
}

/// `-`, `$FW`, an interface, each with `:ADDRESS,...` of the product's
/// family when narrowed (bare addresses for `any`).
fn end_cell(model: &Model, end: &StoppedEnd, product: Product) -> String {
    let place = match end.place {
        Place::Any => None,
        Place::Firewall => Some("$FW"),
        Place::Interface(index) => Some(model.interfaces[index].name.as_str()),
    };
    let addresses: Vec<String> = end
        .addresses
        .iter()
        .filter(|a| is_ipv6(a) == product.ipv6)
        .map(|a| address_cell(a, product))
        .collect();
    match (place, addresses.is_empty()) {
        (None, true) => "-".to_owned(),
        (None, false) => addresses.join(","),
        (Some(place), true) => place.to_owned(),
        (Some(place), false) => format!("{place}:{}", addresses.join(",")),
    }
}
