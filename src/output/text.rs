//! `text` (with the source line), `concise` and `github` (workflow commands).

use super::{Collected, Diagnostic};
use iacfix_core::{Applicability, Severity};
use std::io::{self, Write};

fn marker(diagnostic: &Diagnostic) -> &'static str {
    if diagnostic.fix.is_some() && diagnostic.applicability == Some(Applicability::Safe) {
        "[*] "
    } else {
        ""
    }
}

/// `path:line:col: id [*] message`, and with `excerpt` the source line with the span underlined.
pub fn write(out: &mut dyn Write, collected: &Collected, excerpt: bool) -> io::Result<()> {
    for d in &collected.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {} {}{}",
            d.path,
            d.start.line,
            d.start.column,
            d.id,
            marker(d),
            d.message
        )?;
        if excerpt {
            let number = d.start.line.to_string();
            let gutter = " ".repeat(number.len());
            let line = d.line_text.replace('\t', " ");
            let width = line.chars().count();
            let from = d.underline.0.min(width);
            let carets = d.underline.1.min(width).saturating_sub(from).max(1);
            writeln!(out, "{gutter} |")?;
            writeln!(out, "{number} | {line}")?;
            writeln!(out, "{gutter} | {}{}", " ".repeat(from), "^".repeat(carets))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// GitHub Actions workflow commands: an annotation per finding and per file problem.
pub fn write_github(out: &mut dyn Write, collected: &Collected) -> io::Result<()> {
    for d in &collected.diagnostics {
        let level = match d.severity {
            Severity::DeployBlocker => "error",
            Severity::Security => "warning",
            Severity::Hygiene => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&d.path),
            d.start.line,
            d.start.column,
            d.end.line,
            d.end.column,
            property(&format!("iacfix {}", d.id)),
            data(&d.message)
        )?;
    }
    for problem in &collected.problems {
        match problem.at {
            Some(at) => writeln!(
                out,
                "::error file={},line={},col={},title=iacfix::{}",
                property(&problem.path),
                at.line,
                at.column,
                data(&problem.message)
            )?,
            None => writeln!(
                out,
                "::error file={},title=iacfix::{}",
                property(&problem.path),
                data(&problem.message)
            )?,
        }
    }
    Ok(())
}

/// A workflow command's message (`%`, CR and LF escaped).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (also `:` and `,`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
