//! `tunnels`: the model's `[[tunnel]]` entries, in each product whose
//! family they apply to.

use askama::Template;

use super::{Item, Product, address_cell};
use crate::backend::table::Columns;
use crate::model::rule::is_ipv6;
use crate::model::{Model, Tunnel};

const TUNNELS: Columns = Columns(&[
    ("TYPE", 0),
    ("ZONE", 24),
    ("GATEWAYS", 32),
    ("GATEWAY_ZONES", 72),
]);

#[derive(Template)]
#[template(path = "shorewall/tunnels.txt")]
struct TunnelsFile<'a> {
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
        .tunnels
        .iter()
        .filter(|tunnel| tunnel.families(&model.zones)[usize::from(product.ipv6)])
        .map(|tunnel| item(model, tunnel, product))
        .collect();
    let file = TunnelsFile {
        header,
        columns: TUNNELS.header(),
        items,
    };
    Ok(("tunnels", file.render()?))
}

fn item(model: &Model, tunnel: &Tunnel, product: Product) -> Item {
    let gateways: Vec<String> = tunnel
        .gateways
        .iter()
        .filter(|g| is_ipv6(g) == product.ipv6)
        .map(|g| address_cell(g, product))
        .collect();
    let gateway_zones: Vec<&str> = tunnel
        .gateway_zones
        .iter()
        .map(|&zone| model.zones[zone].name.as_str())
        .collect();
    let mut cells = vec![
        tunnel.kind.shorewall(),
        model.zones[tunnel.zone].name.clone(),
        if gateways.is_empty() {
            "-".to_owned()
        } else {
            gateways.join(",")
        },
    ];
    if !gateway_zones.is_empty() {
        cells.push(gateway_zones.join(","));
    }
    Item::new(&TUNNELS, tunnel.comment.clone(), &[cells])
}
