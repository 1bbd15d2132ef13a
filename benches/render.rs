//! load -> analyze -> render, for each backend, at 1k, 10k and 100k rules
//! with 4 and 40 zones (models from examples/gen_model.rs); parsing also
//! as one whole document, as before models were read in pieces.
//! Run: `cargo bench --bench render`.

#[path = "../examples/gen_model.rs"]
#[allow(dead_code)]
mod gen_model;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use divan::Bencher;
use fwgen::analyze::analyze;
use fwgen::backend::{self, Backend};
use fwgen::config::{parse, parse_whole};
use fwgen::load::compile;
use fwgen::source::Source;

fn main() {
    divan::main();
    peak_heaps();
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
    bencher
        .with_inputs(|| parse(&source).unwrap())
        .bench_values(|raw| analyze(raw, &source).unwrap());
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

/// Peak heap of the whole pipeline on every thread, the model's text
/// included: divan's own counts (above) see only the thread that runs the
/// bench, and the parser works on every core.
fn peak_heaps() {
    println!("\npeak heap of the whole pipeline, every thread, model text included");
    for &(zones, rules) in SIZES {
        for backend in [Backend::Shorewall, Backend::Nftables] {
            let base = HEAP.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let source = source(zones, rules);
            let model = compile(&source).unwrap();
            let output = backend::render(&model, backend).unwrap();
            drop((source, model, output));
            let peak = PEAK.load(Ordering::Relaxed) - base;
            println!(
                "  {zones} zones, {rules} rules, {backend:?}: {:.1} MB",
                peak as f64 / 1e6
            );
        }
    }
}

static HEAP: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes held and their peak.
struct Counting;

impl Counting {
    fn grew(&self, bytes: usize) {
        let now = HEAP.fetch_add(bytes, Ordering::Relaxed) + bytes;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller promised for `layout`.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            self.grew(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `block` came from `alloc` with this `layout`.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        // SAFETY: as the caller promised for `block`, `layout` and `size`.
        let moved = unsafe { System.realloc(block, layout, size) };
        if !moved.is_null() {
            HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
            self.grew(size);
        }
        moved
    }
}

/// Time and this thread's allocations per bench (divan), and the peak heap
/// over all threads (`peak_heaps`).
#[global_allocator]
static ALLOC: divan::AllocProfiler<Counting> = divan::AllocProfiler::new(Counting);
