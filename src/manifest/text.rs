//! Positions in manifest text, and TOML parsing with an error that says where: shared by the parsers.

use toml::de::DeTable;
use toml::Spanned;

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[start..].chars().count() as u32 + 1)
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    line_column(text, offset).0
}

/// Parses TOML keeping the position of every key and value; a syntax error says where it is.
pub(crate) fn parse_toml(text: &str) -> Result<Spanned<DeTable<'_>>, String> {
    DeTable::parse(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        format!(
            "invalid TOML at line {line}, column {column}: {}",
            e.message().trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
        assert_eq!(line_column("é\nx", 1), (1, 1));
        assert_eq!(line_at("a\nb\nc", 4), 3);
    }

    #[test]
    fn toml_errors_say_where() {
        let err = parse_toml("[a]\nb = \n").unwrap_err();
        assert!(err.starts_with("invalid TOML at line 2"), "{err}");
    }
}
