//! `--format junit`: a test suite per file, a failing test case per finding (and an error per
//! file that could not be processed), as CI test reports read them.

use super::Collected;
use std::io::{self, Write};

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn write(out: &mut dyn Write, collected: &Collected) -> io::Result<()> {
    let mut files: Vec<&str> = collected
        .diagnostics
        .iter()
        .map(|d| d.path.as_str())
        .chain(collected.problems.iter().map(|p| p.path.as_str()))
        .collect();
    files.sort_unstable();
    files.dedup();
    let failures = collected.diagnostics.len();
    let errors = collected.problems.len();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"iacfix\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        (failures + errors).max(1)
    )?;
    if files.is_empty() {
        writeln!(
            out,
            "  <testsuite name=\"iacfix\" tests=\"1\" failures=\"0\" errors=\"0\">"
        )?;
        writeln!(
            out,
            "    <testcase name=\"no findings\" classname=\"iacfix\"/>"
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    for file in files {
        let diagnostics: Vec<_> = collected
            .diagnostics
            .iter()
            .filter(|d| d.path == file)
            .collect();
        let problems: Vec<_> = collected
            .problems
            .iter()
            .filter(|p| p.path == file)
            .collect();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            escape(file),
            diagnostics.len() + problems.len(),
            diagnostics.len(),
            problems.len()
        )?;
        for d in diagnostics {
            writeln!(
                out,
                "    <testcase name=\"{} at {}:{}:{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                escape(&d.id),
                escape(file),
                d.start.line,
                d.start.column,
                escape(&d.id),
                escape(file),
                d.start.line
            )?;
            writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {} {}</failure>",
                escape(&d.message),
                escape(d.severity.name()),
                escape(file),
                d.start.line,
                d.start.column,
                escape(&d.id),
                escape(&d.message)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        for p in problems {
            writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"iacfix\" file=\"{}\">",
                escape(&p.message),
                escape(file)
            )?;
            writeln!(out, "      <error message=\"{}\"/>", escape(&p.message))?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
