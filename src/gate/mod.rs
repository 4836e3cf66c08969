//! Gates: the commands that answer a party outside the repository. [`github`] is the pull-request gate
//! GitHub Actions runs; [`agent`] answers coding agents' pre-tool hooks. A gate returns an outcome;
//! `app` alone turns outcomes into exit codes.

pub mod agent;
#[cfg(feature = "github")]
pub mod github;
