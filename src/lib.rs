//! review-gate: finds what a change adds that a reviewer must look at.
//!
//! The pipeline runs in one direction: a [`source`] yields changed files, the [`engine`] runs the
//! [`checks`] over their added lines, the [`policy`] applies configuration, and a [`report`] renders
//! the result. [`app`] wires one pipeline per command.

pub mod app;
pub mod checks;
pub mod cli;
pub mod engine;
pub mod fixtures;
#[doc(hidden)]
pub mod fuzz_targets;
#[cfg(feature = "github")]
pub mod github;
pub mod hook;
pub mod lang;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod redact;
pub mod report;
pub mod source;
