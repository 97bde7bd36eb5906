//! Unrendered templates: a Helm chart's `templates/*.yaml` read as if it were a manifest.
//!
//! A chart template is not YAML until rendered: `{{- if .Values.x }}` is a syntax error, and
//! `replicas: {{ .Values.n }}` parses as a mapping keyed by a mapping. Either way the reader
//! would get a YAML error that says nothing of the cause, so a document holding template
//! syntax is refused before it is parsed, with an error at its first `{{` that says to render
//! the chart first.
//!
//! Template syntax is looked for where YAML's own text is, never in comments, quoted scalars
//! or block scalars (`|`, `>`): a ConfigMap may well hold Prometheus or Alertmanager
//! templates there. `{{` where a node starts (a flow mapping whose first key is a flow
//! mapping, which no Kubernetes object has) is always a template; inside a plain scalar
//! (`name: web-{{ .Release.Name }}`), only a Go template action on a field or a variable
//! (`{{ .X`, `{{- $x`), so that Jinja (`msg: hello {{ name }}`, Ansible) and Argo
//! (`{{inputs.parameters.x}}`) plain scalars are left alone.
//!
//! The scan is lexical, a line at a time, and runs only on documents that hold `{{` at all.

/// Where template syntax starts in `text[start..end]` (a byte offset in `text`), if anywhere.
pub(super) fn find(text: &str, start: usize, end: usize) -> Option<usize> {
    let b = &text.as_bytes()[start..end];
    if !b.windows(2).any(|w| w == b"{{") {
        return None;
    }
    Scan::default().run(b).map(|i| start + i)
}

/// The text of the template action at `at` (up to its `}}`, at most 40 characters), for the
/// message.
pub(super) fn action(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let line = rest.find(['\n', '\r']).map_or(rest, |e| &rest[..e]);
    let end = line.find("}}").map_or(line.len(), |e| e + 2);
    let mut cut = end.min(40);
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    &line[..cut]
}

/// The state carried from line to line.
#[derive(Default)]
struct Scan {
    /// Inside a quoted scalar that goes on past its line: its quote.
    quote: Option<u8>,
    /// Inside a block scalar: the indentation its content lines must exceed.
    block: Option<usize>,
    /// Open flow collections.
    flow: usize,
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Whether `{{` at `i` opens a Go template action on a field or variable: `{{`, an optional
/// `-`, spaces, then `.` or `$`.
fn go_action(b: &[u8], i: usize) -> bool {
    let mut k = i + 2;
    if b.get(k) == Some(&b'-') {
        k += 1;
    }
    while b.get(k).copied().is_some_and(is_space) {
        k += 1;
    }
    matches!(b.get(k), Some(b'.' | b'$'))
}

impl Scan {
    fn run(&mut self, b: &[u8]) -> Option<usize> {
        let mut line = 0;
        while line < b.len() {
            let end = b[line..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| line + p);
            if let Some(at) = self.line(b, line, end) {
                return Some(at);
            }
            line = end + 1;
        }
        None
    }

    /// Scans the line `b[line..end]`.
    fn line(&mut self, b: &[u8], line: usize, end: usize) -> Option<usize> {
        let mut i = line;
        while i < end && b[i] == b' ' {
            i += 1;
        }
        let indent = i - line;
        let blank = b[i..end].iter().all(|&c| is_space(c) || is_break(c));
        if let Some(parent) = self.block {
            if blank || indent > parent {
                return None;
            }
            self.block = None;
        }
        // At the start of a line, a token may start (in block context, after the indentation).
        let mut token = true;
        while i < end {
            if let Some(q) = self.quote {
                match close_quote(b, i, end, q) {
                    Some(after) => {
                        self.quote = None;
                        i = after;
                        token = false;
                        continue;
                    }
                    None => return None,
                }
            }
            let c = b[i];
            let next = b.get(i + 1).copied();
            let prev_space = i == line || is_space(b[i - 1]);
            match c {
                b'#' if prev_space => return None,
                b'{' if next == Some(b'{') => {
                    if token || go_action(b, i) {
                        return Some(i);
                    }
                    i += 2;
                }
                b'\'' | b'"' if token => {
                    self.quote = Some(c);
                    i += 1;
                }
                b'|' | b'>' if token && self.flow == 0 => {
                    self.block = Some(indent);
                    return None;
                }
                b'-' | b'?' | b':' if next.is_none_or(|n| is_space(n) || is_break(n)) => {
                    token = true;
                    i += 1;
                }
                b':' if self.flow > 0 && next.is_some_and(|n| b",[]{}".contains(&n)) => {
                    token = true;
                    i += 1;
                }
                b'[' | b'{' if token || self.flow > 0 => {
                    self.flow += 1;
                    token = true;
                    i += 1;
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    token = false;
                    i += 1;
                }
                b',' if self.flow > 0 => {
                    token = true;
                    i += 1;
                }
                b'&' | b'!' if token => {
                    // An anchor or a tag: the node itself follows.
                    while i < end && !is_space(b[i]) {
                        i += 1;
                    }
                }
                _ if is_space(c) || is_break(c) => i += 1,
                _ => {
                    token = false;
                    i += 1;
                }
            }
        }
        None
    }
}

/// Where a quoted scalar closes on the line `b[i..end]` (just after its closing quote), or
/// None when it goes on past the line.
fn close_quote(b: &[u8], mut i: usize, end: usize, q: u8) -> Option<usize> {
    while i < end {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<(usize, usize)> {
        find(text, 0, text.len()).map(|i| {
            let line = text[..i].matches('\n').count() + 1;
            let col = i - text[..i].rfind('\n').map_or(0, |n| n + 1) + 1;
            (line, col)
        })
    }

    #[test]
    fn chart_templates_are_found_at_their_first_action() {
        assert_eq!(
            at("{{- if .Values.enabled }}\napiVersion: v1\n"),
            Some((1, 1))
        );
        assert_eq!(
            at("metadata:\n  name: {{ .Release.Name }}-web\n"),
            Some((2, 9))
        );
        assert_eq!(at("spec:\n  replicas: {{ .Values.n }}\n"), Some((2, 13)));
        assert_eq!(
            at("metadata:\n  name: web-{{ .Release.Name }}\n"),
            Some((2, 13))
        );
        assert_eq!(at("a: x\nb: c-{{- $name }}\n"), Some((2, 6)));
        assert_eq!(at("ports: [80, {{ .Values.port }}]\n"), Some((1, 13)));
        assert_eq!(
            at("spec:\n  {{- toYaml .Values.spec | nindent 2 }}\n"),
            Some((2, 3))
        );
        assert_eq!(at("- {{ include \"x\" . }}\n"), Some((1, 3)));
        // After a quoted scalar closed on its line, and a block scalar ended.
        assert_eq!(
            at("a: '{{ x }}'\nb: |\n  {{ y }}\nc: {{ .z }}\n"),
            Some((4, 4))
        );
        // With CRLF line ends.
        assert_eq!(at("a: 1\r\nb: {{ .x }}\r\n"), Some((2, 4)));
    }

    #[test]
    fn templates_in_quotes_comments_and_block_scalars_are_data() {
        for text in [
            "a: '{{ .x }}'\n",
            "a: \"{{ .x }}\"\n",
            "a: \"say \\\"{{ .x }}\\\"\"\n",
            "a: 'it''s {{ .x }}'\n",
            "# {{ .Values.x }}\na: 1\n",
            "a: 1 # {{ .x }}\n",
            "a: |\n  {{ .x }}\n  more {{ .y }}\n\n  {{ .z }}\nb: 2\n",
            "- a: >-\n    {{ .x }}\n",
            "a: 'multi\n  line {{ .x }}\n  end'\nb: 1\n",
            "a: \"multi\n  {{ .x }}\"\n",
            "msg: hello {{ name }}\n",
            "args: [echo, \"{{inputs.parameters.message}}\"]\n",
            "cmd: echo {{inputs.parameters.message}}\n",
            "a: b{c}\n",
            "a: {b: {c: d}}\n",
        ] {
            assert_eq!(at(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_action_is_shown_up_to_its_end() {
        let text = "name: {{ .Release.Name }}-web\n";
        assert_eq!(action(text, 6), "{{ .Release.Name }}");
        let long = format!("a: {{{{ {} }}}}\n", "x".repeat(80));
        assert_eq!(action(&long, 3).len(), 40);
    }
}
