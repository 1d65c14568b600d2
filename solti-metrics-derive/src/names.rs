//! Prometheus' name syntax, written once: `attr` uses it to say what to write instead of a
//! quoted label, `check` to validate every name.

/// Whether `c` may appear in a metric name: `[a-zA-Z0-9_:]` (a digit not first).
pub fn is_metric_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Whether `name` is a label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(is_label_name_char)
}

fn is_label_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The label name closest to `text`: each character a label name cannot hold becomes `_`, and a
/// leading digit gets a `_` before it (`user-agent` -> `user_agent`, `2xx` -> `_2xx`); `None`
/// for an empty text.
pub fn label_name_like(text: &str) -> Option<String> {
    let name: String = text.chars().map(|c| if is_label_name_char(c) { c } else { '_' }).collect();
    match name.chars().next() {
        None => None,
        Some(first) if first.is_ascii_digit() => Some(format!("_{name}")),
        Some(_) => Some(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_follow_the_syntax() {
        assert!(is_label_name("user_agent"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name("1x"));
        assert!(!is_label_name("user-agent"));
        assert!(!is_label_name("método"));
        assert!(!is_label_name(""));
    }

    #[test]
    fn a_text_becomes_the_closest_label_name() {
        assert_eq!(label_name_like("user-agent").as_deref(), Some("user_agent"));
        assert_eq!(label_name_like("http.method").as_deref(), Some("http_method"));
        assert_eq!(label_name_like("2xx").as_deref(), Some("_2xx"));
        assert_eq!(label_name_like("path").as_deref(), Some("path"));
        assert_eq!(label_name_like(""), None);
        for text in ["user-agent", "a b", "método", "9", "-"] {
            assert!(is_label_name(&label_name_like(text).unwrap()), "{text}");
        }
    }
}
