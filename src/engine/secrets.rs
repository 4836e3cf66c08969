//! What makes a secret-looking value believable: entropy, not being a placeholder, and (for formats that
//! carry one) a valid checksum.

use crate::checks::compile::Checksum;
use crate::model::Severity;

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

/// Words that mark a value as an example, a placeholder or a reference to a secret kept elsewhere.
const PLACEHOLDER_WORDS: [&str; 16] = [
    "example",
    "xxxx",
    "changeme",
    "change_me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "dummy",
    "redacted",
    "sample",
    "<",
    "${",
    "{{",
    "process.env",
    "os.environ",
];

/// Whether a candidate secret value is a placeholder rather than a credential: example keys, `xxxx`,
/// `<your-key>`, `${VAR}`, `{{ secret }}`, references to the environment, one repeated character, or an
/// obvious sequence.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // Format strings and templates: `{name}`, `%s`, `%(name)s`.
    if (lower.contains('{') && lower.contains('}')) || lower.contains("%s") || lower.contains("%(")
    {
        return true;
    }
    let bytes = lower.as_bytes();
    if let Some(&first) = bytes.first() {
        if bytes.iter().all(|&b| b == first) {
            return true;
        }
    }
    // Keyboard runs such as `123456789` or `abcdef` making up half the value.
    let mut longest = 1;
    let mut run = 1;
    for pair in bytes.windows(2) {
        run = if pair[1] == pair[0].wrapping_add(1) {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
    }
    longest >= 5 && longest * 2 >= bytes.len()
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

/// Words or an identifier: `refresh_token`, `myPassword`, `Secret-Name`, `use the key` — letters only,
/// split into pieces of word length that contain vowels.
fn reads_as_words(v: &str) -> bool {
    if v.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if !c.is_ascii_alphabetic() {
            if !matches!(c, '_' | '-' | '.' | ' ' | '/' | ':') {
                return false;
            }
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    let letters: usize = pieces.iter().map(String::len).sum();
    let short = pieces.iter().filter(|p| p.len() <= 2).count();
    !pieces.is_empty()
        && pieces
            .iter()
            .all(|p| p.len() <= 3 || p.bytes().any(|b| b"aeiouy".contains(&b)))
        && ((pieces.len() <= 3 && letters >= 5) || short * 3 <= pieces.len())
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

/// Whether the token's embedded checksum matches: `Some(true)` valid, `Some(false)` invalid, `None` when the
/// value does not have the format's shape.
pub fn checksum_matches(kind: Checksum, token: &str) -> Option<bool> {
    let body = match kind {
        Checksum::Github => {
            let prefix = token.get(..4)?;
            if !matches!(prefix, "ghp_" | "gho_" | "ghu_" | "ghs_" | "ghr_") {
                return None;
            }
            &token[4..]
        }
        Checksum::Npm => token.strip_prefix("npm_")?,
    };
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (random, check) = body.split_at(30);
    let expected = u64::from(crc32(random.as_bytes()));
    Some(base62_decode(check)? == expected)
}

fn base62_decode(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |acc, b| {
        let value = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'Z' => b - b'A' + 10,
            b'a'..=b'z' => b - b'a' + 36,
            _ => return None,
        };
        acc.checked_mul(62)?.checked_add(u64::from(value))
    })
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base62_encode(mut n: u64) -> String {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        while n > 0 {
            out.push(DIGITS[(n % 62) as usize]);
            n /= 62;
        }
        while out.len() < 6 {
            out.push(b'0');
        }
        out.reverse();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn crc32_matches_zlib() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn github_and_npm_checksums() {
        let random = "Zx8qLmP4rT7vW2yB9cD1eF3gH5jK6n";
        let token = format!(
            "ghp_{random}{}",
            base62_encode(u64::from(crc32(random.as_bytes())))
        );
        assert_eq!(checksum_matches(Checksum::Github, &token), Some(true));
        let mut broken = token.clone();
        broken.replace_range(10..11, if &token[10..11] == "A" { "B" } else { "A" });
        assert_eq!(checksum_matches(Checksum::Github, &broken), Some(false));
        let npm = format!(
            "npm_{random}{}",
            base62_encode(u64::from(crc32(random.as_bytes())))
        );
        assert_eq!(checksum_matches(Checksum::Npm, &npm), Some(true));
        assert_eq!(checksum_matches(Checksum::Github, "ghp_short"), None);
    }

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
}
