//! A miette source backed by our line index: finding the lines around a span is a binary
//! search, not a scan from the start of the file (miette's default for `str`), which keeps
//! rendering thousands of findings on a large file linear in their number.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::load::source::SourceFile;

/// One source file, for miette.
#[derive(Debug, Clone)]
pub struct FileSource(pub Arc<SourceFile>);

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &self.0;
        let text = file.text.as_bytes();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = file.line_col(start as u32);
        let last = file.line_col(end.saturating_sub(1).max(start) as u32);
        let name = file.name.clone();
        if before == 0 && after == 0 {
            let lines = (last.line - first.line + 1) as usize;
            return Ok(Box::new(MietteSpanContents::new_named(
                name,
                &text[start..end],
                *span,
                first.line as usize - 1,
                first.column as usize - 1,
                lines,
            )));
        }
        let from_line = (first.line as usize).saturating_sub(before).max(1) as u32;
        let to_line = ((last.line as usize + after).min(file.line_count())) as u32;
        let data_start = file.line_start(from_line) as usize;
        let data_end = if (to_line as usize) < file.line_count() {
            file.line_start(to_line + 1) as usize
        } else {
            text.len()
        };
        let data_end = data_end.max(end);
        Ok(Box::new(MietteSpanContents::new_named(
            name,
            &text[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            from_line as usize - 1,
            0,
            (to_line - from_line + 1) as usize,
        )))
    }
}
