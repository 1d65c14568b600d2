//! The derive's compile-time contract, checked with `trybuild`: every `tests/ui/pass` case
//! compiles and runs (its `main` asserts what the derive generated), every `tests/ui/fail` case
//! fails to compile with exactly the diagnostics in its `.stderr` file. See `tests/README.md`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*/*.rs");
}
