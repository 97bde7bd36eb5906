//! Edits of YAML text that keep its formatting: append an item to a sequence, add an entry to
//! a mapping, delete an item, replace a scalar — at the indentation and in the style (block
//! or flow) the user wrote, so that only the changed lines differ.
//!
//! Spans are those the loader records: a block collection starts at its first key or `-`
//! (an indentless sequence after its first `- `) and ends where the next token is, so a
//! collection's span may end with blank and comment-only lines that belong to what follows;
//! [`content_end`] finds where its own text stops. A flow collection's span starts at its
//! bracket.
//!
//! New values are given as [`serde_json::Value`]s and rendered with two-space indents, plain
//! scalars where no YAML 1.1 or 1.2 reader could take them for something else, and
//! double-quoted scalars otherwise ([`scalar`]).

mod edits;
mod locate;
mod render;
#[cfg(test)]
mod tests;
mod tree;

pub use edits::{
    append_item, append_item_in, delete_item, insert_entry, insert_entry_in, insert_item_before,
    insert_item_before_in, replace_node, replace_scalar,
};
pub use locate::{column, content_end, dash_before, line_start};
pub use render::{Style, block, block_in, flow, item_lines, item_lines_in, scalar};
pub use tree::{NodeRef, Tree};
