//! The bottom layer: what every other layer may use and which uses nothing of theirs —
//! natural order of names ([`natural`]), source positions ([`span`]), values of the Kubernetes API ([`value`]) and "did you mean"
//! suggestions ([`suggest`]).

pub mod natural;
pub mod span;
pub mod suggest;
pub mod value;
