//! Output: explanations, matrices and findings rendered as text, tables, JSON and graphs.
//! Renderers take finished results and a [`style::Painter`]; they compute nothing (the HTML
//! report chooses and computes the explanations it embeds in [`html::collect`]).

pub mod check;
pub mod diff;
pub mod explain;
pub mod fix;
pub mod html;
pub mod matrix;
pub mod patch;
pub mod replay;
pub mod style;
pub mod yaml;
