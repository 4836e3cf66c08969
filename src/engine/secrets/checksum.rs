//! The embedded checksums of token formats that carry one (GitHub, npm): CRC-32 in base62.

use crate::checks::compile::Checksum;

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
}
