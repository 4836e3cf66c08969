//! Values that are not secrets however they look: placeholders, documented examples, trivial shapes
//! (repeats, runs) and values that read as words.

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

/// Words or an identifier: `refresh_token`, `myPassword`, `Secret-Name`, `use the key` — letters only,
/// split into pieces of word length that contain vowels.
pub(super) fn reads_as_words(v: &str) -> bool {
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
