//! Fuzz target `checks_yaml`: see `review_gate::fuzz_targets::checks_yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| review_gate::fuzz_targets::checks_yaml(data));
