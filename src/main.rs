//! The `review-gate` binary: parse the command line, run one pipeline, map the outcome to an exit code
//! (0 clean, 1 findings at or above the fail level, 2 usage or runtime error).

use std::process::ExitCode;

fn main() -> ExitCode {
    review_gate::app::main()
}
