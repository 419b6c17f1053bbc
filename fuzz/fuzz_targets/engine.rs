//! Fuzz target `engine`: the whole built-in catalogue over one program.
//!
//! Input: one byte choosing the language (`t` TypeScript, `x` TSX, `j` JavaScript, `p` Python,
//! `y` YAML; any other byte picks TypeScript, Python or YAML by its value modulo 3), then the
//! program's text, which must be UTF-8 (other inputs are rejected, not run).
//!
//! Checked, with `FixOptions { unsafe_fixes: true, .. }` and a default `Context` (see
//! `iacfix_fuzz::check_program` for the exact list):
//! - no panic, in `check`, `fix` or a second `fix`;
//! - `check` and `fix` agree: both refuse the input with the same syntax error or both accept
//!   it, and then `fix`'s findings and unused suppressions are exactly `check`'s;
//! - an input that does not parse is never edited; every step's text parses (a fix that would
//!   break the syntax must be refused and reported as `Problem::BreaksSyntax`);
//! - every step is an enabled codemod that changed the text; a fixable finding is fixed or a
//!   problem is reported, and without fixable findings nothing changes;
//! - `remaining` is what `check` finds in the final text, and with no problem reported none of
//!   it is fixable;
//! - without a problem reported, a second `fix` on the output changes nothing and reports
//!   nothing (idempotence).

#![no_main]

use libfuzzer_sys::{Corpus, fuzz_target};

fuzz_target!(
    init: {
        // Compile the catalogue before the first input, so it is not counted against it.
        iacfix_fuzz::engine();
    },
    |data: &[u8]| -> Corpus {
        match iacfix_fuzz::split_input(data) {
            Some((lang, text)) => {
                iacfix_fuzz::check_program(lang, text);
                Corpus::Keep
            }
            None => Corpus::Reject,
        }
    }
);
