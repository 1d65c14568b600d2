//! Property tests: the derives never panic, whatever tokens the attributes hold, and a
//! declaration that cannot be valid always comes back as a `compile_error!`.

use std::sync::OnceLock;

use proc_macro2::TokenStream;
use proptest::prelude::*;
use syn::DeriveInput;

use crate::attr;

/// Idents an attribute might plausibly hold: every key of the attribute tables (`attr`), the
/// bucket functions, and idents that are rules' edge cases.
fn idents() -> &'static [&'static str] {
    static IDENTS: OnceLock<Vec<&'static str>> = OnceLock::new();
    IDENTS.get_or_init(|| {
        let edge_cases = ["le", "quantile", "__x", "r#type", "self", "_", "x_total", "Method", "método"];
        [attr::SET_KEYS, attr::METRIC_KEYS, attr::ALLOW_KEYS, attr::NATIVE_KEYS, attr::BUCKET_FUNCTIONS, &edge_cases]
            .concat()
    })
}

/// Literals of every kind and odd punctuation.
const NON_IDENTS: &[&str] = &[
    "\"requests_total\"",
    "\"\"",
    "\"a b\"",
    "\"__x\"",
    "0",
    "1",
    "12",
    "1.5",
    "0.0",
    "1e999",
    "-",
    "18446744073709551616",
    "'c'",
    "b\"x\"",
    "1u8",
    "=",
    ",",
    ":",
    "::",
    "#",
    "&",
    "'a",
    ";",
    "..",
    "?",
    "<",
    ">",
];

fn leaf(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_owned)
}

/// A balanced token tree, as source text.
fn tree() -> impl Strategy<Value = String> {
    prop_oneof![leaf(idents()), leaf(NON_IDENTS)].prop_recursive(4, 48, 6, |inner| {
        (prop::sample::select(&[("(", ")"), ("[", "]"), ("{", "}")][..]), prop::collection::vec(inner, 0..6))
            .prop_map(|((open, close), items)| format!("{open}{}{close}", items.join(" ")))
    })
}

/// Any sequence of token trees.
fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(tree(), 0..8).prop_map(|items| items.join(" "))
}

/// A sequence that cannot be a list of `key ..` items: it starts with a literal, punctuation
/// or a group, never with a key.
fn junk() -> impl Strategy<Value = String> {
    let start = prop_oneof![
        leaf(NON_IDENTS),
        tree().prop_map(|tree| format!("({tree})")),
        tree().prop_map(|tree| format!("[{tree}]"))
    ];
    (start, tokens()).prop_map(|(start, rest)| format!("{start} {rest}"))
}

fn parse(source: &str) -> Option<DeriveInput> {
    let tokens: TokenStream = source.parse().ok()?;
    syn::parse2(tokens).ok()
}

fn has_compile_error(output: &TokenStream) -> bool {
    output.to_string().contains("compile_error")
}

fn metrics_set_with_field_attr(args: &str) -> Option<TokenStream> {
    let input = parse(&format!(
        "struct Set {{ /// Help.\n #[metric({args})] requests_total: IntCounterVec, /// Plain.\n up: IntGauge }}"
    ))?;
    Some(crate::metrics_set(&input))
}

fn metrics_set_with_set_attr(args: &str) -> Option<TokenStream> {
    let input = parse(&format!("#[metrics({args})] struct Set {{ /// Plain.\n up: IntGauge }}"))?;
    Some(crate::metrics_set(&input))
}

proptest! {
    #[test]
    fn any_field_attribute_expands_without_panicking(args in tokens()) {
        // An attribute's contents are free-form tokens: the struct always parses.
        let output = metrics_set_with_field_attr(&args).expect("the struct parses");
        // Valid or not, the trait is implemented (for real, or as the stub).
        prop_assert!(output.to_string().contains("MetricsSet for Set"), "{output}");
    }

    #[test]
    fn junk_in_a_field_attribute_is_a_compile_error(args in junk()) {
        let output = metrics_set_with_field_attr(&args).expect("the struct parses");
        prop_assert!(has_compile_error(&output), "#[metric({args})] gave {output}");
    }

    #[test]
    fn any_set_attribute_expands_without_panicking(args in tokens()) {
        let output = metrics_set_with_set_attr(&args).expect("the struct parses");
        prop_assert!(output.to_string().contains("MetricsSet for Set"), "{output}");
    }

    #[test]
    fn junk_in_a_set_attribute_is_a_compile_error(args in junk()) {
        let output = metrics_set_with_set_attr(&args).expect("the struct parses");
        prop_assert!(has_compile_error(&output), "#[metrics({args})] gave {output}");
    }

    #[test]
    fn any_label_attribute_expands_without_panicking(enum_args in tokens(), variant_attr in tokens()) {
        for source in [
            format!("#[label({enum_args})] enum E {{ A, B }}"),
            format!("enum E {{ A, #[label {variant_attr}] B }}"),
            format!("enum E {{ A, #[label = {variant_attr}] B }}"),
        ] {
            if let Some(input) = parse(&source) {
                let output = crate::label_value(&input);
                prop_assert!(output.to_string().contains("LabelValue for E"), "{source} gave {output}");
            }
        }
    }

    #[test]
    fn a_variant_label_that_is_no_string_is_a_compile_error(list in tokens(), value in leaf(NON_IDENTS)) {
        let string_literal = value.starts_with('"');
        for (source, invalid) in [
            // A variant only takes `#[label = ".."]`.
            (format!("enum E {{ A, #[label({list})] B }}"), true),
            (format!("enum E {{ A, #[label = {value}] B }}"), !string_literal),
        ] {
            if let Some(input) = parse(&source) {
                let output = crate::label_value(&input);
                if invalid {
                    prop_assert!(has_compile_error(&output), "{source} gave {output}");
                }
            }
        }
    }

    #[test]
    fn junk_in_the_enum_label_attribute_is_a_compile_error(args in junk()) {
        let input = parse(&format!("#[label({args})] enum E {{ A, B }}")).expect("the enum parses");
        let output = crate::label_value(&input);
        prop_assert!(has_compile_error(&output), "#[label({args})] gave {output}");
    }

    /// The other direction: declarations built from the grammar with valid parts never get an
    /// error, and export the name they were given.
    #[test]
    fn valid_declarations_expand_cleanly(
        words in prop::collection::vec("[a-z][a-z0-9]{0,6}", 1..4),
        labels in prop::collection::btree_set("[a-z][a-z0-9_]{0,6}", 0..4),
        bounds in prop::collection::btree_set(0u32..10_000, 1..8),
        namespace in proptest::option::of("[a-z][a-z0-9_]{0,6}"),
        native in proptest::option::of((1u32..1000, 1u32..500)),
    ) {
        let is_unit = |word: &String| crate::check::NON_BASE_UNITS.iter().any(|(unit, _)| unit == word);
        prop_assume!(!words.iter().any(is_unit));
        let name = format!("{}_total", words.join("_"));
        let labels: Vec<String> =
            labels.into_iter().filter(|label| !matches!(label.as_str(), "le" | "quantile")).collect();
        let (counter, histogram) = if labels.is_empty() {
            ("IntCounter", "Histogram")
        } else {
            ("IntCounterVec", "HistogramVec")
        };
        let labels = if labels.is_empty() { String::new() } else { format!("labels({}),", labels.join(", ")) };
        let bounds: Vec<String> = bounds.iter().map(|bound| format!("{}.5", bound)).collect();
        let namespace = namespace.map_or_else(String::new, |namespace| format!("#[metrics(namespace = \"{namespace}\")]"));
        // A factor above 1 and at least one bucket.
        let native = native.map_or_else(String::new, |(hundredths, max_buckets)| {
            format!(", native(factor = {}, max_buckets = {max_buckets})", 1.0 + f64::from(hundredths) / 100.0)
        });
        let source = format!(
            "{namespace} struct Set {{
                #[metric(name = \"{name}\", help = \"Help.\", {labels})] counter: {counter},
                /// Latency.
                #[metric({labels} buckets({}){native})] latency_seconds: {histogram},
            }}",
            bounds.join(", ")
        );
        let input = parse(&source).expect("the generated declaration parses");
        let output = crate::metrics_set(&input).to_string();
        prop_assert!(!output.contains("compile_error"), "{source} gave {output}");
        prop_assert!(output.contains(&format!("{name}\"")), "{output}");
    }
}
