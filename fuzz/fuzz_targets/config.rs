//! Fuzz target `config`: see `review_gate::fuzz_targets::config`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| review_gate::fuzz_targets::config(data));
