//! load -> analyze -> render (both backends) -> check, on any bytes: no
//! input may panic, and every rendered file must end with a line break and
//! carry fwgen's header.
#![no_main]

use libfuzzer_sys::fuzz_target;

use fwgen::backend::{self, Backend, GENERATED_MARKER};
use fwgen::load::compile;
use fwgen::source::Source;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = Source::new("fuzz.toml", text.as_ref());
    match compile(&source) {
        Ok(model) => {
            for backend in [Backend::Shorewall, Backend::Nftables] {
                if let Ok(files) = backend::render(&model, backend) {
                    for file in files {
                        assert!(file.content.ends_with('\n'));
                        assert!(file.content.lines().take(5).any(|l| l.contains(GENERATED_MARKER)));
                    }
                }
            }
            let _ = fwgen::check::check(&model);
        }
        Err(failure) => {
            let _ = failure.render();
        }
    }
});
