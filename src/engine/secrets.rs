//! What makes a secret-looking value believable: entropy, not being a placeholder, and (for formats that
//! carry one) a valid checksum.

mod checksum;
mod placeholder;

pub use checksum::{checksum_matches, crc32};
pub use placeholder::is_placeholder;

use crate::model::Severity;
use placeholder::reads_as_words;

/// Shannon entropy of `value` in bits per byte.
pub fn shannon_entropy(value: &str) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value.as_bytes() {
        counts[b as usize] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Values that are words of the language rather than credentials.
const NON_SECRETS: [&str; 16] = [
    "password",
    "passwd",
    "secret",
    "token",
    "true",
    "false",
    "null",
    "none",
    "nil",
    "undefined",
    "string",
    "required",
    "optional",
    "empty",
    "default",
    "disabled",
];

/// Judges a value assigned to a credential-looking name: `None` when it is not a credential (a word, an
/// identifier, a path, a URL without credentials, a version, a reference), else the severity its
/// strength earns and why. Entropy thresholds depend on the character set: a value is strong when its
/// entropy reaches 85% of what a random string of its length and alphabet would have.
pub fn judge_generic(value: &str, path: &str) -> Option<(Severity, String)> {
    let v = value.trim();
    if v.len() < 6 || v.len() > 512 || is_placeholder(v) {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    if NON_SECRETS.contains(&lower.as_str())
        || is_dummy_value(&lower)
        || reads_as_words(v)
        || looks_like_path(v)
        || (v.contains("://") && !v.contains('@'))
        || looks_like_version(v)
        || v.starts_with('$')
        || v.starts_with('#')
        || v.starts_with('%')
        || v.starts_with('@')
        || v.contains("::")
        || v.ends_with("()")
    {
        return None;
    }
    let entropy = shannon_entropy(v);
    let alphabet = alphabet_size(v);
    let max = (v.len().min(alphabet) as f64).log2();
    let strength = if max > 0.0 { entropy / max } else { 0.0 };
    let mut severity = if v.len() >= 16 && strength >= 0.85 && entropy >= 3.0 {
        Severity::Error
    } else if v.len() >= 10 && entropy >= 3.0 {
        Severity::Warning
    } else {
        Severity::Note
    };
    let mut reason = format!("entropy {entropy:.1} bits/char");
    if is_test_path(path) {
        severity = severity.lowered();
        reason.push_str(", in test code");
    } else if is_documentation(path) {
        severity = severity.lowered();
        reason.push_str(", in documentation");
    }
    Some((severity, reason))
}

/// Well-known dummy credentials, alone or followed by digits and symbols (`password123`, `admin!`,
/// `secret-1`), and values marked as test or demo ones: a word starting `test` or `demo` (`test-token-…`,
/// `my_demo_key`, not `latest`).
fn is_dummy_value(lower: &str) -> bool {
    const DUMMIES: [&str; 22] = [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "mysecret",
        "supersecret",
        "topsecret",
        "mypassword",
        "admin",
        "root",
        "test",
        "testing",
        "demo",
        "foo",
        "bar",
        "foobar",
        "qwerty",
        "letmein",
        "changeit",
        "guest",
        "user",
    ];
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if DUMMIES.contains(&stem) {
        return true;
    }
    // The word itself in leetspeak: `s3cr3t-value`, `p@ssw0rd!`.
    let plain: String = lower
        .chars()
        .map(|c| match c {
            '3' => 'e',
            '1' | '!' => 'i',
            '0' => 'o',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .collect();
    if ["secret", "password", "passw", "changeme"]
        .iter()
        .any(|word| plain.contains(word))
    {
        return true;
    }
    ["test", "demo"].iter().any(|word| {
        lower.starts_with(word)
            || lower
                .match_indices(word)
                .any(|(at, _)| !lower.as_bytes()[at - 1].is_ascii_alphabetic())
    })
}

/// Hex, alphanumeric, or with symbols: the alphabet a random value of this shape is drawn from.
fn alphabet_size(v: &str) -> usize {
    if v.bytes().all(|b| b.is_ascii_hexdigit()) {
        16
    } else if v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        62
    } else {
        90
    }
}

fn looks_like_path(v: &str) -> bool {
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || (v.len() > 2 && v.as_bytes()[1] == b':' && v.as_bytes()[2] == b'\\')
}

fn looks_like_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let parts: Vec<&str> = v.split(['.', '-', '+']).collect();
    parts.len() >= 2
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[1].bytes().all(|b| b.is_ascii_digit())
        && !parts[0].is_empty()
}

/// Prose: README files and other docs, where credentials are usually examples.
pub fn is_documentation(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower
            .split('/')
            .any(|dir| matches!(dir, "doc" | "docs" | "documentation"))
}

/// Tests, specs, fixtures and examples: values there are usually made up.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    lower.split('/').any(|dir| {
        matches!(
            dir,
            "test"
                | "tests"
                | "spec"
                | "specs"
                | "__tests__"
                | "fixtures"
                | "testdata"
                | "examples"
                | "mocks"
        )
    }) || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_spec.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_values_are_judged_by_strength_and_shape() {
        let strong = judge_generic("q8Zr3LmX0vT9kP2wYt6uBn4sHj7cVd1e", "src/app.py").unwrap();
        assert_eq!(strong.0, Severity::Error, "{}", strong.1);
        assert_eq!(
            judge_generic("hunter2", "src/app.py").unwrap().0,
            Severity::Note
        );
        assert_eq!(
            judge_generic("q8Zr3LmX0vT9kP2wYt6uBn4sHj7cVd1e", "tests/test_app.py")
                .unwrap()
                .0,
            Severity::Warning
        );
        assert_eq!(
            judge_generic("4f9a1c0e7b3d2a8f6e5c4b3a2f1e0d9c8b7a6f5e", "config.py")
                .unwrap()
                .0,
            Severity::Error
        );
        for not_secret in [
            "X-API-Key",
            "refresh_token",
            "myPasswordField",
            "Secret-Name",
            "/etc/app/secret",
            "https://example.com/x",
            "1.2.3",
            "${SECRET}",
            "password",
            "os.environ",
            "getPassword()",
            "string",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(
                judge_generic(not_secret, "src/a.py").is_none(),
                "{not_secret}"
            );
        }
    }

    #[test]
    fn entropy_and_placeholders() {
        assert!(shannon_entropy("aaaaaaaa") < 0.01);
        assert!(shannon_entropy("q8Zr3LmX0vT9kP2w") > 3.5);
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxx",
            "changeme",
            "<your-api-key>",
            "${API_KEY}",
            "{{ secrets.TOKEN }}",
            "0000000000000000",
            "1234567890abcdef",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in ["q8Zr3LmX0vT9kP2wYt6", "hunter2"] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn obvious_non_secrets_are_placeholders() {
        for value in [
            // One character, a short pattern repeated, a sequence, a keyboard row.
            "AKIAAAAAAAAAAAAAAAAA",
            "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "ghp_abababababababababababababababababab",
            "0x1111111111111111111111111111111111111111111111111111111111111111",
            "deadbeefdeadbeefdeadbeefdeadbeef",
            "AKIA1234567890ABCDEF",
            "sk_live_1234567890abcdefghijklmn",
            "0123456789abcdef0123456789abcdef",
            "9876543210zyxwvuts",
            "qwertyuiop123",
            "a1b2c3d4e5f6a7b8c9d0",
            // Masked.
            "abc*******",
            "\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}",
            "sk-proj-****************",
            "sk-abc...xyz",
            // Documented examples and marked values.
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "2YotnFZFEjr1zCsicMWpAA",
            "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
            "FAKE_KEY_8a7b6c5d4e3f",
            "YOUR_API_KEY_HERE",
            "not-a-real-token-9f8e7d",
            // Templates.
            "[PASSWORD]",
            "${PASS}",
            "<token>",
            "{{ token }}",
            "%(password)s",
            "$PASSWORD",
            "%DB_PASSWORD%",
            "$(cat /run/secrets/db)",
            // A camelCase identifier.
            "apiKeyInputElement",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in [
            "keyxMayUQXzvXPfwi",
            "3tFOCOH2l4cAAAAAAAAAAfXqDhs81G8tTlqXA_kCTRms04wxO_CNPd78Yok9tlWg",
            "$apr1$xak0obws$sLGx0bV3ukA402ODvs4d99",
            "sk_test_51Y0pYqC95GzZUGWFyOebV2k76eH6EynAdqxDZ95oQ9lBQjU",
            "FLWSECK_TESTc87590003724",
            "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
            "4f9a1c0e7b3d2a8f6e5c4b3a2f1e0d9c8b7a6f5e",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn dummy_generic_values_are_not_credentials() {
        for value in [
            "password123",
            "admin!",
            "test-token-1234567890",
            "my_demo_key_42",
            "secret-1",
            "s3cr3t-value-9f8e",
            "P@ssw0rd2024",
        ] {
            assert!(judge_generic(value, "src/a.py").is_none(), "{value}");
        }
        assert!(judge_generic("Latest2024!x", "src/a.py").is_some());
    }
}
