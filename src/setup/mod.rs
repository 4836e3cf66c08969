//! Setting review-gate up in a project: the git hook installer (`install`/`uninstall`) and the agent
//! settings writer (`init`), which edits each agent's JSON settings keeping their key order.

pub mod init;
mod init_entries;
mod init_json;
mod init_notes;
pub mod init_status;
pub mod install;
