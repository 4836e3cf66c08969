//! The hook's own deadline. An agent that times out on a hook runs the tool anyway (Claude Code does), so
//! a review that takes too long would be a way around the gate: a huge file, a pathological input. The
//! hook therefore watches the clock itself and, when the review cannot finish in time, answers a refusal
//! with the reason, well before the agent's timeout (`init` writes that timeout with a margin over this
//! deadline). The refusal does not depend on `hook.fail`: failing open on a timeout would let anyone who
//! can make the review slow walk around it.
//!
//! On Unix the watchdog is an interval timer whose signal handler writes the refusal (formatted before
//! the timer is set) with `write(2)` and ends the process with `_exit(2)`, both safe in a handler:
//! starting a thread for it cost a tenth of a millisecond of every call. Elsewhere it is a thread.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use super::input::Agent;
use super::output;

/// How long the hook works before it refuses, unless `REVIEW_GATE_HOOK_DEADLINE_MS` says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// The environment variable that overrides [`DEFAULT_DEADLINE`], in milliseconds.
pub const DEADLINE_ENV: &str = "REVIEW_GATE_HOOK_DEADLINE_MS";

/// Who has answered: nobody yet, the review, or the watchdog. The first to claim it answers; the
/// other never does (the watchdog cannot answer once the review has started writing its answer).
static ANSWER: AtomicU8 = AtomicU8::new(NOBODY);
const NOBODY: u8 = 0;
const REVIEW: u8 = 1;
const WATCHDOG: u8 = 2;

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
    let reason = reason(deadline);
    let refusal = format!("{}\n", output::refusal(agent, &reason));
    if let Err(e) = watchdog::start(refusal, format!("{reason}\n"), deadline) {
        // Without a watchdog the hook still answers; it only loses the guarantee of answering in time.
        eprintln!("review-gate: cannot start the deadline watchdog: {e}");
    }
}

/// The watchdog answering: claims the answer, or gives way to the review that has.
fn watchdog_claims() -> bool {
    ANSWER
        .compare_exchange(NOBODY, WATCHDOG, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
}

/// Runs `write` unless the watchdog has answered already; the watchdog cannot answer once it runs.
/// Returns whether `write` ran.
pub fn answer_once(write: impl FnOnce()) -> bool {
    if ANSWER
        .compare_exchange(NOBODY, REVIEW, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return false;
    }
    write();
    true
}

#[cfg(unix)]
mod watchdog {
    //! An interval timer and a `SIGALRM` handler that does only what is safe in a handler: an atomic
    //! claim, `write(2)` of bytes prepared beforehand, `_exit(2)`.

    use std::sync::OnceLock;
    use std::time::Duration;

    /// The refusal for standard output and the reason for standard error, written by the handler.
    static REFUSAL: OnceLock<(String, String)> = OnceLock::new();

    /// Sets the handler and the timer; an error when the system refuses either.
    pub(super) fn start(stdout: String, stderr: String, deadline: Duration) -> std::io::Result<()> {
        if REFUSAL.set((stdout, stderr)).is_err() {
            return Ok(()); // started already
        }
        // SAFETY: `on_alarm` is an `extern "C" fn(c_int)` that only makes async-signal-safe calls;
        // the structures passed are zeroed and then filled as the calls expect.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_alarm as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGALRM, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let mut timer: libc::itimerval = std::mem::zeroed();
            timer.it_value.tv_sec =
                deadline.as_secs().min(libc::time_t::MAX as u64) as libc::time_t;
            timer.it_value.tv_usec = libc::suseconds_t::from(deadline.subsec_micros() as i32);
            if timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0 {
                timer.it_value.tv_usec = 1;
            }
            if libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }

    extern "C" fn on_alarm(_signal: libc::c_int) {
        if !super::watchdog_claims() {
            return; // the review is answering
        }
        if let Some((stdout, stderr)) = REFUSAL.get() {
            write_all(libc::STDOUT_FILENO, stdout.as_bytes());
            write_all(libc::STDERR_FILENO, stderr.as_bytes());
        }
        // SAFETY: `_exit` is async-signal-safe and ends the process at once.
        unsafe { libc::_exit(0) }
    }

    /// `write(2)` until every byte is written or the descriptor fails.
    fn write_all(fd: libc::c_int, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            // SAFETY: the pointer and length describe a live byte slice.
            let written = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
            if written < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            bytes = &bytes[written as usize..];
        }
    }
}

#[cfg(not(unix))]
mod watchdog {
    //! A thread that sleeps until the deadline.

    use std::io::Write;
    use std::time::Duration;

    pub(super) fn start(stdout: String, stderr: String, deadline: Duration) -> std::io::Result<()> {
        std::thread::Builder::new()
            .name("review-gate-deadline".into())
            .spawn(move || {
                std::thread::sleep(deadline);
                if !super::watchdog_claims() {
                    return;
                }
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(stdout.as_bytes());
                let _ = out.flush();
                let _ = std::io::stderr().write_all(stderr.as_bytes());
                std::process::exit(0);
            })
            .map(|_| ())
    }
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
