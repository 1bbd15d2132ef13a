//! load -> analyze -> render, for each backend, at 1k, 10k and 100k rules
//! with 4 and 40 zones (models from examples/gen_model.rs); parsing also
//! as one whole document, as before models were read in pieces.
//! Run: `cargo bench --bench render`.

#[path = "../examples/gen_model.rs"]
#[allow(dead_code)]
mod gen_model;

use divan::Bencher;
use fwgen::analyze::analyze;
use fwgen::backend::{self, Backend};
use fwgen::config::{parse, parse_whole};
use fwgen::load::compile;
use fwgen::source::Source;

fn main() {
    divan::main();
}

const SIZES: &[(usize, usize)] = &[
    (4, 1_000),
    (4, 10_000),
    (4, 100_000),
    (40, 1_000),
    (40, 10_000),
    (40, 100_000),
];

fn source(zones: usize, rules: usize) -> Source {
    Source::new("bench.toml", gen_model::generate(zones, rules, 1))
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn whole_pipeline_shorewall(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let source = source(zones, rules);
    bencher.bench(|| {
        let model = compile(&source).unwrap();
        backend::render(&model, Backend::Shorewall).unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn whole_pipeline_nftables(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let source = source(zones, rules);
    bencher.bench(|| {
        let model = compile(&source).unwrap();
        backend::render(&model, Backend::Nftables).unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn parse_only(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let source = source(zones, rules);
    bencher.bench(|| parse(&source).unwrap());
}

/// The whole file as one TOML document tree: how every model was parsed
/// before it was read in pieces, and how one that cannot be cut still is.
#[divan::bench(args = SIZES, sample_count = 5)]
fn parse_whole_file(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let source = source(zones, rules);
    bencher.bench(|| parse_whole(&source.text).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn analyze_only(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let source = source(zones, rules);
    let raw = parse(&source).unwrap();
    bencher.bench(|| analyze(&raw, &source).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn render_only_nftables(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let model = compile(&source(zones, rules)).unwrap();
    bencher.bench(|| backend::render(&model, Backend::Nftables).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn render_only_shorewall(bencher: Bencher, &(zones, rules): &(usize, usize)) {
    let model = compile(&source(zones, rules)).unwrap();
    bencher.bench(|| backend::render(&model, Backend::Shorewall).unwrap());
}

/// Peak heap while the whole pipeline runs (divan counts allocations).
#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();
