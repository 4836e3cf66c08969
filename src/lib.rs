//! review-gate: finds what a change adds that a reviewer must look at.
//!
//! The pipeline runs in one direction: a [`source`] yields changed files (a `ChangeSet`), the [`engine`]
//! runs the [`checks`] over their added lines, the [`policy`] applies configuration, and a [`report`]
//! renders the result. [`app`] wires one pipeline per command and alone maps outcomes to exit codes.
//!
//! The layers, bottom-up (`docs/architecture.md`; `tests/layering.rs` checks every `crate::` import):
//! - vocabulary: [`model`] (findings, severities, changed files, dependencies, decisions, languages,
//!   the target grammar) imports nothing of ours;
//! - leaves: [`lang`] (the lexer), [`shell`] (the shell parser), [`manifest`] (manifest and lockfile
//!   parsers, typosquats), [`redact`] (secret masking);
//! - [`source`] (git, patches, trees) and [`checks`] (the check catalogue);
//! - [`engine`] (checks over added lines, chains, the dependency diff), then [`policy`]
//!   (`.review-gate.yml`) and [`report`] (text, JSON, SARIF, the Markdown digest);
//! - [`pipeline`] (source → engine → policy);
//! - [`gate`] (the GitHub and agent gates), [`setup`] (install and init), [`cli`] and [`app`].

pub mod app;
pub mod checks;
pub mod cli;
pub mod engine;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod gate;
pub mod lang;
pub mod manifest;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod redact;
pub mod report;
pub mod setup;
pub mod shell;
pub mod source;
