//! Output: explanations, matrices and findings rendered as text, tables, JSON and graphs.
//! Renderers take finished results and a [`style::Painter`]; they compute nothing.

pub mod check;
pub mod diff;
pub mod explain;
pub mod matrix;
pub mod style;
pub mod yaml;
