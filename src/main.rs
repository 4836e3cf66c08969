//! The `review-gate` binary: parse the command line, run one pipeline, map the outcome to an exit code
//! (0 clean, 1 findings at or above the fail level, 2 usage or runtime error).

use std::process::ExitCode;

use review_gate::app::arena::Arena;

/// The system allocator, with a huge-page arena in front that the agent hook turns on (see
/// [`review_gate::app::arena`]).
#[global_allocator]
static ALLOCATOR: Arena = Arena::new();

fn main() -> ExitCode {
    review_gate::app::main(&ALLOCATOR)
}
