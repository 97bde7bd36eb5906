//! Values of the Kubernetes API shared by every layer.

/// A Kubernetes IntOrString value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A number.
    Int(i64),
    /// A name (or a number written as a string).
    Str(String),
}
