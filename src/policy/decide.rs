//! What the agent gate does about one finding: the one mapping from a finding (after the
//! configuration's allows and overrides) to allow, ask or deny, for findings in files and in commands.

use crate::model::Decision;
use crate::model::{Category, Finding, Location, Severity};
use crate::policy::hook::HookSettings;

/// The decision a finding asks of the agent gate under the `hook:` settings.
///
/// In a proposed command, a note asks nothing; otherwise the configured action for the check (or its
/// prefix or category) wins; else a command check's finding asks what its severity states (error:
/// deny, warning: ask) and a secret in the command asks. In a file, the configured action wins; else a
/// secret, an error-level attack, an error-level command (a shell block of an agent instruction file) or
/// an error-level agent finding (an agent removing its own gate or adding a dropper MCP server: an `ask`
/// some agents auto-approve in their permissive modes) is denied, and a finding at or above
/// `hook.ask_at` asks.
pub fn decide(settings: &HookSettings, finding: &Finding) -> Decision {
    let configured = || settings.action_for(&finding.check, Some(finding.category));
    match finding.location {
        Location::Command => {
            if finding.severity == Severity::Note {
                return Decision::Allow;
            }
            // An error-level finding in a command is refused, never asked about: some agent versions
            // approve a hook's `ask` by themselves in their bypass and auto modes.
            match (configured(), finding.severity) {
                (Some(Decision::Ask) | None, Severity::Error) => Decision::Deny,
                (Some(action), _) => action,
                (None, _) => Decision::Ask,
            }
        }
        Location::File => {
            if let Some(action) = configured() {
                return action;
            }
            // A command check's error in a file is a command an agent instruction file tells the
            // agent to run: refused as the command itself would be.
            // A secret on an added line is refused; a removal check of the secret category (a
            // `.gitignore` entry taken away) follows its severity like any other finding.
            if (finding.category == Category::Secret && finding.side.is_added())
                || (matches!(
                    finding.category,
                    Category::Attack | Category::Command | Category::Agent
                ) && finding.severity == Severity::Error)
            {
                return Decision::Deny;
            }
            match settings.ask_at {
                Some(level) if finding.severity >= level => Decision::Ask,
                _ => Decision::Allow,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> HookSettings {
        let def = serde_saphyr::from_str(yaml).expect("parses");
        HookSettings::from_def(&def).expect("valid")
    }

    fn finding(check: &str, category: Category, severity: Severity, at: Location) -> Finding {
        Finding {
            location: at,
            line: 1,
            column: 1,
            end_column: 1,
            ..Finding::of(check, category, severity, String::new())
        }
    }

    #[test]
    fn findings_in_files() {
        let s =
            settings("ask_at: error\nactions:\n  network: allow\n  exec.python.subprocess: deny\n");
        let file = |check: &str, category, severity| {
            decide(&s, &finding(check, category, severity, Location::File))
        };
        use Category::{Exec, Network, Secret};
        use Severity::{Error, Note, Warning};
        assert_eq!(
            file("network.python.requests", Network, Error),
            Decision::Allow
        );
        assert_eq!(file("exec.python.subprocess", Exec, Note), Decision::Deny);
        assert_eq!(
            file("exec.python.os-system", Exec, Warning),
            Decision::Allow
        );
        assert_eq!(file("exec.python.os-system", Exec, Error), Decision::Ask);
        assert_eq!(
            file("secret.generic.password", Secret, Note),
            Decision::Deny
        );
        let default = HookSettings::default();
        let attack = finding("attack.x", Category::Attack, Error, Location::File);
        assert_eq!(decide(&default, &attack), Decision::Deny);
    }

    #[test]
    fn findings_in_commands() {
        let s = settings("actions:\n  command.git: allow\n  secret: deny\n");
        let command = |check: &str, category, severity| {
            decide(&s, &finding(check, category, severity, Location::Command))
        };
        use Category::{Command, Secret};
        use Severity::{Error, Note, Warning};
        assert_eq!(command("command.rm.root", Command, Error), Decision::Deny);
        assert_eq!(
            command("command.curl.pipe", Command, Warning),
            Decision::Ask
        );
        assert_eq!(command("command.rm.root", Command, Note), Decision::Allow);
        assert_eq!(
            command("command.git.reset-hard", Command, Error),
            Decision::Allow
        );
        assert_eq!(command("secret.aws.key", Secret, Warning), Decision::Deny);
        assert_eq!(command("secret.aws.key", Secret, Note), Decision::Allow);
        let default = HookSettings::default();
        // Error-level findings in commands are refused, never asked about (an agent in a bypass mode
        // approves an `ask` by itself), even where the configuration says ask.
        let secret = finding("secret.aws.key", Secret, Error, Location::Command);
        assert_eq!(decide(&default, &secret), Decision::Deny);
        let asks = settings("actions:\n  exec: ask\n");
        let exec = finding("exec.any.x", Category::Exec, Error, Location::Command);
        assert_eq!(decide(&asks, &exec), Decision::Deny);
        let exec = finding("exec.any.x", Category::Exec, Warning, Location::Command);
        assert_eq!(decide(&asks, &exec), Decision::Ask);
    }
}
