//! Label pairs and help text as the text formats escape them (the same way in both), and
//! names as a scraper's escaping writes them.

use crate::metric::names::{Escaping, escaped_name, is_label_name};

/// `value`, escaped as a label value: `\` `"` and line feed get a backslash.
pub(crate) fn write_label_value(out: &mut Vec<u8>, value: &[u8]) {
    write_escaped(out, value, true);
}

pub(crate) fn write_escaped(out: &mut Vec<u8>, value: &[u8], quote: bool) {
    let mut rest = value;
    while let Some(position) = rest.iter().position(|&byte| byte == b'\\' || byte == b'\n' || (quote && byte == b'"')) {
        out.extend_from_slice(&rest[..position]);
        out.extend_from_slice(match rest[position] {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            _ => b"\\\"",
        });
        rest = &rest[position + 1..];
    }
    out.extend_from_slice(rest);
}

/// The rendered pairs `name="value",..` that [`write_label_pair`] wrote, as `(name, escaped
/// value)`; stops at anything it did not write.
pub(crate) fn rendered_pairs(mut rendered: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    core::iter::from_fn(move || {
        let equals = rendered.iter().position(|&byte| byte == b'=')?;
        let name = &rendered[..equals];
        let quoted = rendered.get(equals + 1..).filter(|rest| rest.first() == Some(&b'"'))?;
        let mut end = 1;
        loop {
            match quoted.get(end)? {
                b'\\' => end += 2,
                b'"' => break,
                _ => end += 1,
            }
        }
        let value = &quoted[1..end];
        rendered = quoted.get(end + 1..).map_or(&[][..], |rest| rest.strip_prefix(b",").unwrap_or(rest));
        Some((name, value))
    })
}

/// The length of `escaped` (a label value as [`write_label_value`] escaped it) unescaped.
pub(crate) fn unescaped_len(escaped: &[u8]) -> usize {
    escaped.len()
        - escaped
            .iter()
            .scan(false, |after_backslash, &byte| {
                let escape = !*after_backslash && byte == b'\\';
                *after_backslash = escape;
                Some(usize::from(escape))
            })
            .sum::<usize>()
}

/// Writes `escaped` (a label value as [`write_label_value`] escaped it) unescaped.
pub(crate) fn write_unescaped(out: &mut Vec<u8>, escaped: &[u8]) {
    let mut rest = escaped;
    while let Some(position) = rest.iter().position(|&byte| byte == b'\\') {
        out.extend_from_slice(&rest[..position]);
        match rest.get(position + 1) {
            Some(b'n') => out.push(b'\n'),
            Some(&other) => out.push(other),
            None => {}
        }
        rest = rest.get(position + 2..).unwrap_or(&[]);
    }
    out.extend_from_slice(rest);
}

/// `name` in quotes, escaped as a label value is: a UTF-8 name in the text formats under
/// [`Escaping::AllowUtf8`].
pub(crate) fn write_quoted(out: &mut Vec<u8>, name: &str) {
    out.push(b'"');
    write_escaped(out, name.as_bytes(), true);
    out.push(b'"');
}

/// A label's name as the text formats write it under `escaping`: a legacy name as it is, any
/// other in quotes under [`Escaping::AllowUtf8`], else escaped by the scheme.
pub(crate) fn write_label_name(out: &mut Vec<u8>, name: &str, escaping: Escaping) {
    if is_label_name(name) {
        out.extend_from_slice(name.as_bytes());
    } else if escaping == Escaping::AllowUtf8 {
        write_quoted(out, name);
    } else {
        out.extend_from_slice(escaped_name(name, escaping, true).as_bytes());
    }
}

/// `name="value"`, after a `,` when it follows another pair; the name as `escaping` writes it.
pub(crate) fn write_label_pair(out: &mut Vec<u8>, follows: bool, name: &str, escaping: Escaping, value: &[u8]) {
    if follows {
        out.push(b',');
    }
    write_label_name(out, name, escaping);
    out.extend_from_slice(b"=\"");
    write_label_value(out, value);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut out = Vec::new();
        write_label_value(&mut out, "a\\b\"c\nd\u{e9}".as_bytes());
        assert_eq!(out, "a\\\\b\\\"c\\nd\u{e9}".as_bytes());
        let mut out = Vec::new();
        write_escaped(&mut out, b"a\"b\\", false);
        assert_eq!(out, b"a\"b\\\\");
    }

    /// Rendered pairs read back as they were given, whatever the values hold.
    #[test]
    fn rendered_pairs_read_back() {
        let given: [(&str, &str); 4] = [("a", "x"), ("trace_id", "q\"uo\\te\n,=\"\\"), ("e", ""), ("u", "\u{e9}\\n")];
        let mut rendered = Vec::new();
        for (position, (name, value)) in given.iter().enumerate() {
            write_label_pair(&mut rendered, position > 0, name, Escaping::Underscores, value.as_bytes());
        }
        let read: Vec<(String, String)> = rendered_pairs(&rendered)
            .map(|(name, escaped)| {
                let mut value = Vec::new();
                write_unescaped(&mut value, escaped);
                assert_eq!(unescaped_len(escaped), value.len());
                (String::from_utf8(name.to_vec()).unwrap(), String::from_utf8(value).unwrap())
            })
            .collect();
        let given: Vec<(String, String)> = given.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(read, given);
        assert_eq!(rendered_pairs(b"").count(), 0);
        assert_eq!(rendered_pairs(b"a=\"unterminated").count(), 0);
    }

    #[test]
    fn label_names_by_escaping() {
        let written = |name: &str, escaping| {
            let mut out = Vec::new();
            write_label_pair(&mut out, false, name, escaping, b"v");
            String::from_utf8(out).unwrap()
        };
        assert_eq!(written("path", Escaping::AllowUtf8), "path=\"v\"");
        assert_eq!(written("http.request.method", Escaping::AllowUtf8), "\"http.request.method\"=\"v\"");
        assert_eq!(written("a\"b\\c", Escaping::AllowUtf8), "\"a\\\"b\\\\c\"=\"v\"");
        assert_eq!(written("http.request.method", Escaping::Underscores), "http_request_method=\"v\"");
        assert_eq!(written("http.request.method", Escaping::Dots), "http_dot_request_dot_method=\"v\"");
        assert_eq!(written("a:b", Escaping::Values), "U__a_3a_b=\"v\"");
    }
}
