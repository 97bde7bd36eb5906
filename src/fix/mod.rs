//! Changing the manifests, not only judging them: the smallest verified edit that makes one
//! connection allowed or denied ([`reach`]), and least-privilege policies written from the
//! flows that must happen ([`generate`]).
//!
//! This layer sits beside `lint` and `explain`: it reads the model and asks the engine, and
//! every change it proposes is re-evaluated and diffed before it is shown
//! ([`verify`]); the text of a change is a [`crate::base::edit::Patch`] over the user's files.

pub mod generate;
pub mod labels;
pub mod reach;
pub mod verify;
