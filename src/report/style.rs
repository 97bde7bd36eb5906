//! The one place that decides about colour: `--color auto|always|never`, `NO_COLOR`, and
//! whether the stream is a terminal. Renderers ask a [`Painter`] and never look further.

use std::io::IsTerminal;

use owo_colors::OwoColorize;

/// When to colour output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour standard output.
    pub fn stdout(self) -> bool {
        self.decide(std::io::stdout().is_terminal())
    }

    /// Whether to colour standard error.
    pub fn stderr(self) -> bool {
        self.decide(std::io::stderr().is_terminal())
    }

    fn decide(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Paints text, or passes it through when colour is off.
#[derive(Clone, Copy, Debug, Default)]
pub struct Painter {
    /// Whether to colour.
    pub color: bool,
}

impl Painter {
    /// A painter that colours when `color` is true.
    pub fn new(color: bool) -> Self {
        Painter { color }
    }

    fn paint(&self, s: &str, f: impl Fn(&str) -> String) -> String {
        if self.color { f(s) } else { s.to_string() }
    }

    /// Good news (allowed).
    pub fn good(&self, s: &str) -> String {
        self.paint(s, |s| s.green().bold().to_string())
    }

    /// Bad news (denied, errors).
    pub fn bad(&self, s: &str) -> String {
        self.paint(s, |s| s.red().bold().to_string())
    }

    /// Warnings.
    pub fn warn(&self, s: &str) -> String {
        self.paint(s, |s| s.yellow().bold().to_string())
    }

    /// Emphasis.
    pub fn bold(&self, s: &str) -> String {
        self.paint(s, |s| s.bold().to_string())
    }

    /// Secondary text (locations).
    pub fn dim(&self, s: &str) -> String {
        self.paint(s, |s| s.dimmed().to_string())
    }
}
