//! npm lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml): only entries resolved from outside the registry.

use super::Declared;

/// Reads the declarations of this manifest format.
pub fn package_lock(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn yarn_lock(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn pnpm_lock(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}
