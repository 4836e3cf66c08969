//! Fuzz target `patch`: see `review_gate::fuzz_targets::patch`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| review_gate::fuzz_targets::patch(data));
