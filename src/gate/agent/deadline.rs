//! The hook's own deadline. An agent that times out on a hook runs the tool anyway (Claude Code does), so
//! a review that takes too long would be a way around the gate: a huge file, a pathological input. The
//! hook therefore watches the clock itself and, when the review cannot finish in time, answers a refusal
//! with the reason, well before the agent's timeout (`init` writes that timeout with a margin over this
//! deadline). The refusal does not depend on `hook.fail`: failing open on a timeout would let anyone who
//! can make the review slow walk around it.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use super::input::Agent;
use super::output;

/// How long the hook works before it refuses, unless `REVIEW_GATE_HOOK_DEADLINE_MS` says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// The environment variable that overrides [`DEFAULT_DEADLINE`], in milliseconds.
pub const DEADLINE_ENV: &str = "REVIEW_GATE_HOOK_DEADLINE_MS";

/// Whether an answer has been written: the worker and the watchdog each take this before answering,
/// and only the first answers.
static ANSWERED: Mutex<bool> = Mutex::new(false);

/// The deadline in force: the environment's override when it is a number of milliseconds above zero.
pub fn deadline() -> Duration {
    std::env::var(DEADLINE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map_or(DEFAULT_DEADLINE, Duration::from_millis)
}

/// The reason given when the review did not finish in time.
pub fn reason(deadline: Duration) -> String {
    format!(
        "review-gate: could not finish reviewing within {}; refused (fail closed: a review that \
         cannot finish is not a pass)",
        describe(deadline)
    )
}

fn describe(deadline: Duration) -> String {
    if deadline.as_millis().is_multiple_of(1000) {
        format!("{} s", deadline.as_secs())
    } else {
        format!("{} ms", deadline.as_millis())
    }
}

/// Starts the watchdog: when `deadline` passes before [`answer_once`] has run, it prints the refusal in
/// the agent's format and ends the process with status 0 (the status every hook answer has).
pub fn start(agent: Agent, deadline: Duration) {
    let spawned = std::thread::Builder::new()
        .name("review-gate-deadline".into())
        .spawn(move || {
            std::thread::sleep(deadline);
            let mut answered = ANSWERED.lock().unwrap_or_else(|e| e.into_inner());
            if *answered {
                return;
            }
            *answered = true;
            let reason = reason(deadline);
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", output::refusal(agent, &reason));
            let _ = stdout.flush();
            eprintln!("{reason}");
            std::process::exit(0);
        });
    if let Err(e) = spawned {
        // Without a watchdog the hook still answers; it only loses the guarantee of answering in time.
        eprintln!("review-gate: cannot start the deadline watchdog: {e}");
    }
}

/// Runs `write` unless the watchdog has answered already; the watchdog cannot answer while it runs.
/// Returns whether `write` ran.
pub fn answer_once(write: impl FnOnce()) -> bool {
    let mut answered = ANSWERED.lock().unwrap_or_else(|e| e.into_inner());
    if *answered {
        return false;
    }
    *answered = true;
    write();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_names_the_deadline() {
        assert!(reason(Duration::from_secs(10)).contains("within 10 s; refused"));
        assert!(reason(Duration::from_millis(250)).contains("within 250 ms; refused"));
    }
}
