//! Fuzz target `hook_input`: see `review_gate::fuzz_targets::hook_input`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| review_gate::fuzz_targets::hook_input(data));
