//! Look-alike identifiers: a non-ASCII identifier that folds (NFKC, as Python does to every identifier,
//! then a small table of Cyrillic and Greek letters that look like Latin ones) to a builtin or a
//! dangerous API. Ordinary non-ASCII names (`café`, `变量`) fold to something that is not ASCII, or to
//! no listed name, and stay silent.

use unicode_normalization::UnicodeNormalization;

/// Longest identifier folded.
const MAX_IDENT: usize = 128;

/// The ASCII letter a Cyrillic or Greek letter is drawn like, if any.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        'ο' => 'o',
        'ν' => 'v',
        'ρ' => 'p',
        'ι' => 'i',
        'κ' => 'k',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'ı' => 'i',
        'օ' => 'o',
        _ => return None,
    })
}

/// How an identifier came to look like another.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Fold {
    /// NFKC makes it that name (Python runs it as that name).
    Nfkc(String),
    /// It is drawn like that name but is a different one.
    Confusable(String),
}

/// What a non-ASCII identifier folds to, when that is a listed name.
pub(super) fn fold(ident: &str) -> Option<Fold> {
    if ident.is_ascii() || ident.len() > MAX_IDENT {
        return None;
    }
    let nfkc: String = ident.nfkc().collect();
    if nfkc.is_ascii() {
        return super::table::lookalike_target(&nfkc).then_some(Fold::Nfkc(nfkc));
    }
    let mut out = String::with_capacity(nfkc.len());
    for c in nfkc.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push(confusable(c)?);
        }
    }
    super::table::lookalike_target(&out).then_some(Fold::Confusable(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mathematical_letters_are_the_builtin_under_nfkc() {
        assert_eq!(fold("𝚎𝚡𝚎𝚌"), Some(Fold::Nfkc("exec".into())));
        assert_eq!(fold("ｅｖａｌ"), Some(Fold::Nfkc("eval".into())));
    }

    #[test]
    fn cyrillic_letters_look_like_the_api() {
        assert_eq!(fold("еval"), Some(Fold::Confusable("eval".into())));
        assert_eq!(fold("rеquire"), Some(Fold::Confusable("require".into())));
    }

    #[test]
    fn ordinary_non_ascii_names_stay_silent() {
        for name in ["café", "变量", "größe", "сумма", "μ", "naïve", "exec"] {
            assert_eq!(fold(name), None, "{name}");
        }
    }
}
