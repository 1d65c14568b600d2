//! The derive's side of the agreement between the derive and the runtime: every case of the
//! rules crate's table, declared as a struct, gets the verdict `Family::new` gives the same
//! description (`tests/rules_agree.rs` in the workspace), in the same words.

use solti_metrics_rules::cases::{CASES, Case};
use syn::DeriveInput;

use crate::ast::Set;
use crate::check::metrics_set;
use crate::ctxt::Errors;

/// The case as a struct deriving `MetricsSet`.
fn source(case: &Case) -> String {
    let help = if case.help.is_empty() { String::new() } else { format!("/// {}\n", case.help) };
    let attrs = if case.attrs.is_empty() { String::new() } else { format!("#[metric({})]\n", case.attrs) };
    let set = if case.set.is_empty() { String::new() } else { format!("#[metrics({})]\n", case.set) };
    format!("{set}struct Set {{\n{help}{attrs}{}: {},\n}}", case.field, case.ty)
}

/// The errors the derive's checks give the case, and the messages of the assertions it leaves
/// to the compiler.
fn verdict(case: &Case) -> (Vec<String>, Vec<String>) {
    let input: DeriveInput = syn::parse_str(&source(case)).unwrap();
    let mut errors = Errors::default();
    let set = Set::from_syn(&input, &mut errors).unwrap();
    let lowered = metrics_set(&set, &mut errors);
    let assertions = lowered.assertions.iter().map(|assertion| assertion.message.clone()).collect();
    let errors =
        errors.finish().err().map_or_else(Vec::new, |error| error.into_iter().map(|e| e.to_string()).collect());
    (errors, assertions)
}

#[test]
fn the_derive_gives_every_case_the_runtimes_verdict() {
    for case in CASES {
        let (errors, assertions) = verdict(case);
        match case.verdict {
            None => assert_eq!(errors, Vec::<String>::new(), "{}", source(case)),
            // A rule the derive can tell from the declaration is an error; one that needs the
            // label types, an assertion the compiler checks (the compile-fail suite shows it
            // failing).
            Some((_, message)) if errors.is_empty() => {
                assert!(assertions.iter().any(|asserted| asserted == message), "{}\n{assertions:?}", source(case));
            }
            Some((_, message)) => assert_eq!(errors, [message], "{}", source(case)),
        }
    }
}
