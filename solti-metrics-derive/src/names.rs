//! Identifiers for names written as strings: the closest text the label name syntax allows
//! (the syntax itself is the rules crate's), as a recorder's parameter.

use proc_macro2::{Ident, Span};
use quote::format_ident;
use solti_metrics_rules::names::is_label_name_char;

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

/// The parameter of a recorder for the label `name`: `name` itself when it is an identifier,
/// as a raw identifier when it is a keyword, and for any other text the label name closest to
/// it (`http.request.method` -> `http_request_method`).
pub fn param_ident(name: &str, span: Span) -> Ident {
    let name = label_name_like(name).unwrap_or_else(|| "label".to_owned());
    if syn::parse_str::<Ident>(&name).is_ok() {
        Ident::new(&name, span)
    } else if matches!(name.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        format_ident!("{}_", name, span = span)
    } else {
        Ident::new_raw(&name, span)
    }
}

#[cfg(test)]
mod tests {
    use solti_metrics_rules::names::is_label_name;

    use super::*;

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
        let param = |text: &str| param_ident(text, Span::call_site()).to_string();
        assert_eq!(param("http.request.method"), "http_request_method");
        assert_eq!(param("type"), "r#type");
        assert_eq!(param("self"), "self_");
        assert_eq!(param(""), "label");
        assert_eq!(param("2xx"), "_2xx");
    }
}
