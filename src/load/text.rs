//! The bytes of an input as text: UTF-8, with or without a byte order mark, and UTF-16 or
//! UTF-32 with one (YAML allows all of them; editors on Windows write UTF-16), decoded to
//! UTF-8. What is not text is refused at the line and column where it stops being text:
//! binary data (a NUL byte), UTF-16 without a byte order mark, an invalid UTF-8 sequence.
//!
//! Positions in a decoded file are those of its characters, so `file:line:col` of a
//! diagnostic is the same whatever the encoding on disk.

use std::fmt;

/// Why bytes are not text, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TextError {
    /// `line:col: message`, to follow a file name and a colon.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// How many bytes at the start are searched for a NUL byte, the mark of binary data (as git
/// does).
const SNIFF: usize = 8000;

/// Decodes the bytes of an input.
pub fn decode(bytes: Vec<u8>) -> Result<String, TextError> {
    if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xFE\xFF") {
        return utf32(rest, u32::from_be_bytes, "UTF-32BE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE\x00\x00") {
        return utf32(rest, u32::from_le_bytes, "UTF-32LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes, "UTF-16BE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes, "UTF-16LE");
    }
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let head = &bytes[skip..bytes.len().min(skip + SNIFF)];
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        return Err(binary(&bytes[skip..], nul));
    }
    let mut bytes = bytes;
    bytes.drain(..skip);
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let shown: Vec<String> = bytes[at..]
            .iter()
            .take(e.utf8_error().error_len().unwrap_or(bytes.len() - at).min(4))
            .map(|b| format!("0x{b:02X}"))
            .collect();
        let (line, column) = position(bytes, at);
        TextError {
            line,
            column,
            message: format!(
                "not UTF-8 text: the bytes {} are not a UTF-8 character (is the file in another encoding, such as Latin-1? save it as UTF-8)",
                shown.join(" ")
            ),
        }
    })
}

/// The error for a NUL byte at `at`: UTF-16 without its byte order mark when every other
/// byte is NUL at the start, binary data otherwise.
fn binary(bytes: &[u8], at: usize) -> TextError {
    let head = &bytes[..bytes.len().min(64)];
    let nul_at = |parity: usize| {
        head.len() >= 4
            && head
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == parity)
                .all(|(_, &b)| b == 0)
    };
    let (line, column) = position(bytes, at);
    let message = if nul_at(0) || nul_at(1) {
        let order = if nul_at(1) { "LE" } else { "BE" };
        format!(
            "UTF-16{order} text without a byte order mark: save it as UTF-8, or as UTF-16 with a byte order mark"
        )
    } else {
        "binary data (a NUL byte), not a YAML or JSON manifest".to_string()
    };
    TextError {
        line,
        column,
        message,
    }
}

/// The 1-based line and column of byte `at` of `bytes`, counting characters (what is not
/// UTF-8 counts one character per byte).
fn position(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line as u32, column as u32)
}

/// The 1-based line and column just after the text decoded so far.
fn end_of(text: &str) -> (u32, u32) {
    let line = text.matches('\n').count() + 1;
    let start = text.rfind('\n').map_or(0, |i| i + 1);
    (line as u32, text[start..].chars().count() as u32 + 1)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> Result<String, TextError> {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(e) => {
                let (line, column) = end_of(&text);
                return Err(TextError {
                    line,
                    column,
                    message: format!(
                        "not {name} text (it starts with a {name} byte order mark): 0x{:04X} is an unpaired surrogate",
                        e.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    if bytes.len() % 2 == 1 {
        let (line, column) = end_of(&text);
        return Err(TextError {
            line,
            column,
            message: format!(
                "{name} text cut in the middle of a character (an odd number of bytes)"
            ),
        });
    }
    Ok(text)
}

fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32, name: &str) -> Result<String, TextError> {
    let mut text = String::with_capacity(bytes.len() / 4);
    for c in bytes.chunks(4) {
        let value = <[u8; 4]>::try_from(c).ok().map(unit);
        match value.and_then(char::from_u32) {
            Some(c) => text.push(c),
            None => {
                let (line, column) = end_of(&text);
                let what = match value {
                    Some(v) => format!("0x{v:08X} is not a character"),
                    None => "cut in the middle of a character".to_string(),
                };
                return Err(TextError {
                    line,
                    column,
                    message: format!(
                        "not {name} text (it starts with a {name} byte order mark): {what}"
                    ),
                });
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn utf8_with_or_without_a_bom_is_text() {
        assert_eq!(decode(b"a: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
    }

    #[test]
    fn utf16_and_utf32_with_a_bom_are_decoded() {
        let text = "kind: Pod\nname: é𝄞\n";
        assert_eq!(decode(utf16le(text, true)).unwrap(), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be).unwrap(), text);
        let mut le32 = vec![0xFF, 0xFE, 0, 0];
        le32.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(decode(le32).unwrap(), text);
        let mut be32 = vec![0, 0, 0xFE, 0xFF];
        be32.extend(text.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(decode(be32).unwrap(), text);
    }

    #[test]
    fn broken_utf16_is_refused_where_it_breaks() {
        let mut bytes = utf16le("a: 1\nbc", true);
        bytes.extend(0xD800u16.to_le_bytes());
        bytes.extend(u16::to_le_bytes(b'x'.into()));
        let e = decode(bytes).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("0xD800 is an unpaired surrogate"), "{e}");
        let mut odd = utf16le("a\n", true);
        odd.push(b'x');
        let e = decode(odd).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("odd number of bytes"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_refused_at_its_line_and_column() {
        let e = decode(b"a: 1\nname: caf\xE9\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 10));
        assert!(e.message.contains("0xE9"), "{e}");
        assert_eq!(
            e.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["2", "10"]
        );
        // Columns count characters.
        let e = decode("é: \u{1F600}\n".bytes().chain([0xFF]).collect()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        let e = decode("é\u{1F600}".bytes().chain([0xC3, b'x']).collect()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
        assert!(e.message.contains("0xC3"), "{e}");
    }

    #[test]
    fn binary_data_and_bomless_utf16_are_named() {
        let e = decode(b"\x7FELF\x02\x01\x01\x00\x00\x00".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 8));
        assert!(e.message.contains("binary data"), "{e}");
        let e = decode(utf16le("kind: Pod\n", false)).unwrap_err();
        assert_eq!((e.line, e.column), (1, 2));
        assert!(
            e.message
                .contains("UTF-16LE text without a byte order mark"),
            "{e}"
        );
    }
}
