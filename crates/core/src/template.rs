//! Templates of effects (inserted statements, replacements): text with `$VAR` / `$$$VAR`
//! placeholders filled from a match's metavariables, its transforms and the names effects bind
//! (an import's alias). Same placeholder syntax as ast-grep's `fix`.

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

impl Template {
    /// Parses `$NAME` and `$$$NAME` placeholders (NAME: upper-case letters, digits, `_`, starting
    /// with a letter or `_`). Any other `$` is text (`${x}` in a template literal stays as is).
    pub fn parse(source: &str) -> Template {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        while let Some(at) = rest.find('$') {
            text.push_str(&rest[..at]);
            let after = &rest[at..];
            let dollars = after.bytes().take_while(|b| *b == b'$').count();
            let sigil = if dollars >= 3 { 3 } else { 1 };
            let name: String = after[sigil..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
            if valid {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Var(name.clone()));
                rest = &after[sigil + name.len()..];
            } else {
                text.push('$');
                rest = &after[1..];
            }
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Template { pieces }
    }

    /// The placeholders' names.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// Fills the placeholders; `Err(name)` for the first one `lookup` does not know.
    pub fn render(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(name) => {
                    let value = lookup(name).ok_or_else(|| name.clone())?;
                    // A multi-line value's continuation lines follow the indentation of the
                    // template line it is placed on.
                    let line = &out[out.rfind('\n').map_or(0, |i| i + 1)..];
                    let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
                    out.push_str(&value.replace('\n', &format!("\n{indent}")));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_placeholders_and_keeps_other_dollars() {
        let t = Template::parse("new $R.X(`${name}-pw`, { a: \"$%\" }$$$OPTS) $lower $_A1");
        assert_eq!(t.vars().collect::<Vec<_>>(), ["R", "OPTS", "_A1"]);
        let out = t.render(|v| Some(format!("<{v}>"))).unwrap();
        assert_eq!(
            out,
            "new <R>.X(`${name}-pw`, { a: \"$%\" }<OPTS>) $lower <_A1>"
        );
        assert_eq!(t.render(|_| None), Err("R".to_owned()));
    }

    #[test]
    fn multi_line_values_follow_the_template_line() {
        let t = Template::parse("f({\n    $TAGS\n})");
        let out = t
            .render(|_| Some("tags: {\n    A: 1,\n}".to_owned()))
            .unwrap();
        assert_eq!(out, "f({\n    tags: {\n        A: 1,\n    }\n})");
    }
}
