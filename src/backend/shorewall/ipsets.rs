//! `init`: the extension script that creates the model's `[[ipset]]`
//! entries of the product's family before Shorewall loads rules naming
//! them. Names and elements are checked by the analyzer (letters, digits,
//! `_`; addresses), so no value can add a line or a shell word.

use askama::Template;

use super::Product;
use crate::model::Model;
use crate::model::rule::written;

#[derive(Template)]
#[template(path = "shorewall/init.txt")]
struct InitFile<'a> {
    header: &'a str,
    sets: Vec<SetView<'a>>,
}

struct SetView<'a> {
    name: &'a str,
    kind: &'static str,
    family: &'static str,
    elements: Vec<String>,
}

/// The `init` file, when the product's family has sets.
pub(super) fn render(
    model: &Model,
    product: Product,
    header: &str,
) -> Result<Option<(&'static str, String)>, askama::Error> {
    let sets: Vec<SetView> = model
        .ipsets
        .iter()
        .filter(|set| set.ipv6 == product.ipv6)
        .map(|set| SetView {
            name: &set.name,
            kind: set.kind.name(),
            family: set.family_word(),
            elements: set.elements.iter().map(written).collect(),
        })
        .collect();
    if sets.is_empty() {
        return Ok(None);
    }
    Ok(Some(("init", InitFile { header, sets }.render()?)))
}
