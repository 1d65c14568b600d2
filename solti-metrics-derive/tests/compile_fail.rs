//! The derive's compile-time contract. Every `tests/ui/fail` case fails to compile with exactly
//! the diagnostics in its `.stderr` file, checked with `trybuild`; every `tests/ui/pass` case
//! compiles and runs: each is a module of this test binary, and a test calls its `main`, which
//! asserts what the derive generated. See `tests/README.md` (of this package).
//!
//! Why the pass cases are not trybuild cases: given fail cases only, trybuild checks them all
//! in one `cargo check --keep-going`, in parallel. A pass case among them makes it build every
//! case in turn, each after a `cargo clean`; pass cases in a trybuild run of their own make it
//! build its copy of the dependencies a second time, for `cargo build`.

#[test]
fn fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*/*.rs");
}

/// Declares each pass case as a module and a test that runs its `main`.
macro_rules! pass_cases {
    ($($module:ident = $file:literal,)*) => {
        $(
            #[path = $file]
            mod $module;

            #[test]
            fn $module() {
                $module::main();
            }
        )*

        /// Every file in `tests/ui/pass` is declared above: a case added there and not here
        /// would never run.
        #[test]
        fn every_pass_case_runs() {
            let declared = [$($file),*];
            let dir = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/pass");
            for entry in ::std::fs::read_dir(&dir).expect("read tests/ui/pass") {
                let name = entry.expect("read tests/ui/pass").file_name().into_string().expect("a UTF-8 file name");
                if name.ends_with(".rs") {
                    let path = format!("ui/pass/{name}");
                    assert!(declared.contains(&path.as_str()), "{path} is not declared in tests/compile_fail.rs");
                }
            }
        }
    };
}

pass_cases! {
    pass_assert_disjoint = "ui/pass/assert-disjoint.rs",
    pass_buckets = "ui/pass/buckets.rs",
    pass_conventions_allow = "ui/pass/conventions-allow.rs",
    pass_crate_path = "ui/pass/crate-path.rs",
    pass_exemplars = "ui/pass/exemplars.rs",
    pass_field_types = "ui/pass/field-types.rs",
    pass_hygiene = "ui/pass/hygiene.rs",
    pass_label_set = "ui/pass/label-set.rs",
    pass_label_value = "ui/pass/label-value.rs",
    pass_labels = "ui/pass/labels.rs",
    pass_native = "ui/pass/native.rs",
    pass_set_attributes = "ui/pass/set-attributes.rs",
    pass_utf8_names = "ui/pass/utf8-names.rs",
}
