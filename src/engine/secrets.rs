//! What makes a secret-looking value believable: entropy, not being a placeholder, and (for formats that
//! carry one) a valid checksum.

use crate::checks::compile::Checksum;

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
    "example", "xxxx", "changeme", "change_me", "placeholder", "your_", "your-", "yourkey", "dummy", "redacted",
    "sample", "<", "${", "{{", "process.env", "os.environ",
];

/// Whether a candidate secret value is a placeholder rather than a credential: example keys, `xxxx`,
/// `<your-key>`, `${VAR}`, `{{ secret }}`, references to the environment, one repeated character, or an
/// obvious sequence.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
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
        run = if pair[1] == pair[0].wrapping_add(1) { run + 1 } else { 1 };
        longest = longest.max(run);
    }
    longest >= 5 && longest * 2 >= bytes.len()
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
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
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
        let token = format!("ghp_{random}{}", base62_encode(u64::from(crc32(random.as_bytes()))));
        assert_eq!(checksum_matches(Checksum::Github, &token), Some(true));
        let mut broken = token.clone();
        broken.replace_range(10..11, if &token[10..11] == "A" { "B" } else { "A" });
        assert_eq!(checksum_matches(Checksum::Github, &broken), Some(false));
        let npm = format!("npm_{random}{}", base62_encode(u64::from(crc32(random.as_bytes()))));
        assert_eq!(checksum_matches(Checksum::Npm, &npm), Some(true));
        assert_eq!(checksum_matches(Checksum::Github, "ghp_short"), None);
    }

    #[test]
    fn entropy_and_placeholders() {
        assert!(shannon_entropy("aaaaaaaa") < 0.01);
        assert!(shannon_entropy("q8Zr3LmX0vT9kP2w") > 3.5);
        for value in ["AKIAIOSFODNN7EXAMPLE", "xxxxxxxxxxxxxxxx", "changeme", "<your-api-key>", "${API_KEY}", "{{ secrets.TOKEN }}", "0000000000000000", "1234567890abcdef"] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in ["q8Zr3LmX0vT9kP2wYt6", "hunter2"] {
            assert!(!is_placeholder(value), "{value}");
        }
    }
}
