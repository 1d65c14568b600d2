//! Label pairs and help text as the text formats escape them (the same way in both).

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

/// `name="value"`, after a `,` when it follows another pair.
pub(crate) fn write_label_pair(out: &mut Vec<u8>, follows: bool, name: &str, value: &[u8]) {
    if follows {
        out.push(b',');
    }
    out.extend_from_slice(name.as_bytes());
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
}
