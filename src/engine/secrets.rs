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
const PLACEHOLDER_WORDS: [&str; 26] = [
    "example",
    "xxxx",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "dummy",
    "redacted",
    "sample",
    "fake",
    "notreal",
    "not_real",
    "not-real",
    "not-a-real",
    "not_a_real",
    "replace_me",
    "replaceme",
    "<",
    "${",
    "{{",
    "process.env",
    "os.environ",
    "insert_",
];

/// Documented example credentials that are not any of the placeholder shapes (lowercase): AWS's secret key
/// family, Stripe's test keys from its docs, jwt.io's sample token, web3's example private key, and the
/// sample values of the OAuth RFCs (6749, 5849) that libraries copy into their docs and tests.
const DOCUMENTED_EXAMPLES: [&str; 17] = [
    "wjalrxutnfemi/k7mdeng",
    "4ec39hqlyjwdarjtt1zdp7dc",
    "tyoomqauvdedq54ntiphi7jx",
    "sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c",
    "eyjzdwiioiixmjm0nty3odkwiiwibmftzsi6ikpvag4grg9liiwiawf0ijoxnte2mjm5mdiyfq",
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
    "2yotnfzfejr1zcsicmwpaa",
    "tgzv3jokf0xg5qx2tlkwia",
    "czzcagrsa3f0mzpnwdfmqmf0m2jw",
    "gx1fbat3bv",
    "splxlobezqqybys6ws5ab",
    "ad180jjd733klru7",
    "dpf43f3p2l4k3l03",
    "kllo9940pd9333jh",
    "nnch734d00sl2jdk",
    "hh5s93j4hdidpola",
    "pfkkdhi9sl3r4s00",
];

/// Whether a candidate secret value is a placeholder rather than a credential: example keys, `xxxx`,
/// `<your-key>`, `${VAR}`, `{{ secret }}`, `[PASSWORD]`, `$PASSWORD`, references to the environment, masked
/// values (`abc*****`, `••••`), and values (or their longest `_`/`-`-separated part) made of one repeated
/// character, a repeated short pattern, an obvious sequence, or camelCase words.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
        || DOCUMENTED_EXAMPLES.iter().any(|w| lower.contains(w))
        || value.contains("YOUR")
        || lower.starts_with("your")
    {
        return true;
    }
    // Format strings and templates: `{name}`, `%s`, `%(name)s`, `[PASSWORD]`, `$PASSWORD`, `%PASSWORD%`.
    if (lower.contains('{') && lower.contains('}')) || lower.contains("%s") || lower.contains("%(")
    {
        return true;
    }
    let bytes = lower.as_bytes();
    let templated = |open: u8, close: u8| {
        bytes.len() > 2
            && bytes[0] == open
            && bytes[bytes.len() - 1] == close
            && bytes[1..bytes.len() - 1]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' '))
    };
    if templated(b'[', b']')
        || templated(b'%', b'%')
        || lower.starts_with("$(")
        || (bytes.len() > 1
            && bytes[0] == b'$'
            && bytes[1].is_ascii_alphabetic()
            && bytes[1..]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        return true;
    }
    // Masked: `abc*******`, `••••••••`, `sk-…`, `token...`.
    if lower.contains("***")
        || lower.contains("...")
        || ['•', '●', '…', '∙', '·'].iter().any(|&c| value.contains(c))
    {
        return true;
    }
    if trivial_shape(bytes) {
        return true;
    }
    // The random part of a prefixed token: `ghp_aaaa…`, `sk_live_1234…`, `xoxb-0000…-xxxx`.
    let longest = lower
        .split(['_', '-', '.', '/', ':', '+', '='])
        .max_by_key(|part| part.len())
        .unwrap_or("");
    if longest.len() >= 8 && longest.len() < bytes.len() && trivial_shape(longest.as_bytes()) {
        return true;
    }
    // A camelCase identifier taken for a token: `AKIAcamelCaseIdentifier`.
    let longest_cased = value
        .split(['_', '-', '.', '/', ':'])
        .max_by_key(|part| part.len())
        .unwrap_or("");
    longest_cased.len() >= 12
        && longest_cased.bytes().all(|b| b.is_ascii_alphabetic())
        && longest_cased.bytes().any(|b| b.is_ascii_lowercase())
        && reads_as_words(longest_cased)
        && camel_words(longest_cased) >= 2
}

/// How many words a camelCase run of letters splits into (`camelCaseId` → 3): a lowercase or capitalized
/// first word, then capitalized words, each of two letters or more with a vowel; 0 for any other shape
/// (random letters have capitals in a row or words without vowels).
fn camel_words(v: &str) -> usize {
    let bytes = v.as_bytes();
    let mut words = 0;
    let mut start = 0;
    for end in 1..=bytes.len() {
        if end < bytes.len() && !bytes[end].is_ascii_uppercase() {
            continue;
        }
        let word = &bytes[start..end];
        if word.len() < 2
            || !word[1..].iter().all(u8::is_ascii_lowercase)
            || !word.iter().any(|b| b"aeiouyAEIOUY".contains(b))
        {
            return 0;
        }
        words += 1;
        start = end;
    }
    words
}

/// One character repeated (or making up a long run), a short pattern repeated, three characters or fewer,
/// ascending or descending sequences (`1234567890`, `abcdef`) covering half the value, keyboard rows.
fn trivial_shape(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if bytes.iter().all(|&b| b == first) {
        return true;
    }
    // A short pattern repeated: `abab…`, `deadbeefdeadbeef`.
    if len >= 8 && (1..=8).any(|p| p * 2 <= len && (p..len).all(|i| bytes[i] == bytes[i - p])) {
        return true;
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in bytes {
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
        }
    }
    if len >= 10 && distinct <= 3 {
        return true;
    }
    // Runs: of one character, and of consecutive characters up or down (`9` then `0` continues).
    let mut same = 1;
    let mut longest_same = 1;
    let (mut up, mut down) = (1, 1);
    let mut longest_seq = 1;
    let mut covered = 0;
    let close = |run: usize, covered: &mut usize| {
        if run >= 4 {
            *covered += run;
        }
    };
    for pair in bytes.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        same = if a == b { same + 1 } else { 1 };
        longest_same = longest_same.max(same);
        let next = b == a.wrapping_add(1) || (a == b'9' && b == b'0');
        let prev = a == b.wrapping_add(1) || (a == b'0' && b == b'9');
        if next {
            up += 1;
        } else {
            close(up, &mut covered);
            up = 1;
        }
        if prev {
            down += 1;
        } else {
            close(down, &mut covered);
            down = 1;
        }
        longest_seq = longest_seq.max(up).max(down);
    }
    close(up, &mut covered);
    close(down, &mut covered);
    if longest_same >= 6 && longest_same * 2 >= len {
        return true;
    }
    if longest_seq >= 8 || (longest_seq >= 5 && covered * 2 >= len) {
        return true;
    }
    if ["qwerty", "asdfgh", "zxcvbn"]
        .iter()
        .any(|row| bytes.windows(row.len()).any(|w| w == row.as_bytes()))
    {
        return true;
    }
    // Two sequences interleaved: `a1b2c3d4e5…`.
    len >= 12 && {
        let even: Vec<u8> = bytes.iter().step_by(2).copied().collect();
        let odd: Vec<u8> = bytes.iter().skip(1).step_by(2).copied().collect();
        mostly_ascending(&even) && mostly_ascending(&odd)
    }
}

/// Whether each character but one or two follows the one before it (`abcdefg`, `1234567890`).
fn mostly_ascending(bytes: &[u8]) -> bool {
    let steps = bytes
        .windows(2)
        .filter(|p| p[1] == p[0].wrapping_add(1) || (p[0] == b'9' && p[1] == b'0'))
        .count();
    steps + 2 >= bytes.len() && bytes.len() >= 5
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
