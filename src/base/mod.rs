//! The bottom layer: what every other layer may use and which uses nothing of theirs —
//! natural order of names ([`natural`]), source positions ([`span`]), values of the Kubernetes
//! API ([`value`]), "did you mean" suggestions ([`suggest`]), phase timings ([`timings`]), and edits of the user's text
//! ([`edit`], [`yaml_edit`]).

pub mod edit;
pub mod natural;
pub mod span;
pub mod suggest;
pub mod timings;
pub mod value;
pub mod yaml_edit;
