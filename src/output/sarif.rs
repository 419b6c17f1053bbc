//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other viewers read it: a rule per
//! codemod (with its docs as help and a link to them), a result per finding with its location
//! and, when it has one, its fix as replacements; files that could not be processed as tool
//! notifications.

use super::{Collected, Diagnostic, UNUSED_SUPPRESSION};
use iacfix_core::{Engine, Meta, Point, Severity};
use serde_json::{Value, json};
use std::io::{self, Write};

/// Where a codemod's documentation is published.
fn help_uri(id: &str) -> String {
    format!(
        "{}/blob/main/codemods/README.md#{id}",
        env!("CARGO_PKG_REPOSITORY")
    )
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::DeployBlocker => "error",
        Severity::Security => "error",
        Severity::Hygiene => "warning",
    }
}

/// A path as a URI reference (`/` separators, reserved characters percent-encoded): relative
/// paths stay relative (to where iacfix ran: run it at the repository's root for code
/// scanning), absolute ones become `file://` URIs.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn region(start: Point, end: Point) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn rule(meta: &Meta) -> Value {
    let text = format!(
        "{}\n\nWhy: {}\n\nFix safety ({}): {}",
        meta.docs.what_it_does, meta.docs.why, meta.applicability, meta.docs.fix_safety
    );
    let markdown = format!(
        "## What it does\n\n{}\n\n## Why\n\n{}\n\n## Fix safety\n\n{}\n",
        meta.docs.what_it_does, meta.docs.why, meta.docs.fix_safety
    );
    json!({
        "id": meta.id,
        "name": meta.id,
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.docs.what_it_does },
        "help": { "text": text, "markdown": markdown },
        "helpUri": help_uri(&meta.id),
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": ["iac", "pulumi", meta.severity.name(), meta.applicability.name()],
            "precision": "very-high",
        },
    })
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut result = json!({
        "ruleId": d.id,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&d.path) },
                "region": region(d.start, d.end),
            }
        }],
    });
    if let (Some(edits), Some(applicability)) = (&d.fix, d.applicability)
        && applicability != iacfix_core::Applicability::Manual
    {
        result["fixes"] = json!([{
            "description": { "text": format!("{} fix of {}", applicability, d.id) },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri(&d.path) },
                "replacements": edits.iter().map(|e| json!({
                    "deletedRegion": region(e.start, e.end),
                    "insertedContent": { "text": e.content },
                })).collect::<Vec<_>>(),
            }],
        }]);
    }
    result
}

pub fn write(out: &mut dyn Write, engine: &Engine, collected: &Collected) -> io::Result<()> {
    let mut rules: Vec<Value> = engine.codemods().iter().map(|c| rule(&c.meta)).collect();
    let mut ids: Vec<String> = engine
        .codemods()
        .iter()
        .map(|c| c.meta.id.clone())
        .collect();
    if collected
        .diagnostics
        .iter()
        .any(|d| d.id == UNUSED_SUPPRESSION)
    {
        rules.push(json!({
            "id": UNUSED_SUPPRESSION,
            "name": UNUSED_SUPPRESSION,
            "shortDescription": { "text": "A suppression comment that suppresses nothing" },
            "fullDescription": { "text": "An iacfix-ignore comment whose codemods find nothing where it applies." },
            "help": { "text": "Remove the comment, or correct the codemod ids it names." },
            "defaultConfiguration": { "level": "warning" },
        }));
        ids.push(UNUSED_SUPPRESSION.to_owned());
    }
    let results: Vec<Value> = collected
        .diagnostics
        .iter()
        .map(|d| {
            let index = ids.iter().position(|id| *id == d.id).unwrap_or(0);
            result(d, index)
        })
        .collect();
    let notifications: Vec<Value> = collected
        .problems
        .iter()
        .map(|p| {
            let mut location = json!({ "artifactLocation": { "uri": uri(&p.path) } });
            if let Some(at) = p.at {
                location["region"] = json!({ "startLine": at.line, "startColumn": at.column });
            }
            json!({
                "level": "error",
                "message": { "text": p.message },
                "locations": [{ "physicalLocation": location }],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "iacfix",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": collected.problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("infra/my stack/index.ts"), "infra/my%20stack/index.ts");
        assert_eq!(uri("a/é.py"), "a/%C3%A9.py");
    }
}
