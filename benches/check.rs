//! `fwgen check` on generated models (examples/gen_model.rs), mixed and
//! address-port shapes, 10k and 100k rules: the checks alone (on a
//! compiled model) and the whole command's work (read, analyze, check).
//! Run: `cargo bench --bench check`.

#[path = "../examples/gen_model.rs"]
#[allow(dead_code)]
mod gen_model;

use divan::Bencher;
use fwgen::check::check;
use fwgen::load::compile;
use fwgen::source::Source;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[10_000, 100_000];

fn mixed(rules: usize) -> Source {
    Source::new("bench.toml", gen_model::generate(4, rules, 1))
}

fn address_port(rules: usize) -> Source {
    Source::new("bench.toml", gen_model::generate_address_port(4, rules, 1))
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn check_only_mixed(bencher: Bencher, &rules: &usize) {
    let model = compile(&mixed(rules)).unwrap();
    bencher.bench(|| check(&model));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn check_only_address_port(bencher: Bencher, &rules: &usize) {
    let model = compile(&address_port(rules)).unwrap();
    bencher.bench(|| check(&model));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn compile_and_check_mixed(bencher: Bencher, &rules: &usize) {
    let source = mixed(rules);
    bencher.bench(|| check(&compile(&source).unwrap()));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn compile_and_check_address_port(bencher: Bencher, &rules: &usize) {
    let source = address_port(rules);
    bencher.bench(|| check(&compile(&source).unwrap()));
}
