//! Review on the terminal: diffs grouped by codemod (id, title, a one-line why), in colour when
//! the output is a terminal (`--color`, `NO_COLOR`), and `--interactive` questions.

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use iacfix_apply::{ChangePlan, file_diff};
use iacfix_core::Engine;
use std::io::{self, Write};

/// When to colour the output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When the output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

/// The styles in use (all plain when colour is off).
pub struct Palette {
    pub header: Style,
    pub dim: Style,
    pub removed: Style,
    pub added: Style,
    pub hunk: Style,
}

impl Palette {
    pub fn new(choice: ColorChoice, is_terminal: bool) -> Palette {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        };
        if !on {
            let plain = Style::new();
            return Palette {
                header: plain,
                dim: plain,
                removed: plain,
                added: plain,
                hunk: plain,
            };
        }
        Palette {
            header: Style::new().bold(),
            dim: Style::new().dimmed(),
            removed: Style::new().fg_color(Some(AnsiColor::Red.into())),
            added: Style::new().fg_color(Some(AnsiColor::Green.into())),
            hunk: Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        }
    }

    /// `text` in `style` (no escape codes for a plain style).
    pub fn paint(&self, style: Style, text: &str) -> String {
        if style == Style::new() {
            text.to_owned()
        } else {
            format!("{}{text}{}", style.render(), style.render_reset())
        }
    }

    /// A unified diff, coloured line by line.
    pub fn diff(&self, diff: &str) -> String {
        let mut out = String::with_capacity(diff.len());
        for line in diff.split_inclusive('\n') {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            let style = if body.starts_with("---") || body.starts_with("+++") {
                self.header
            } else if body.starts_with('-') {
                self.removed
            } else if body.starts_with('+') {
                self.added
            } else if body.starts_with("@@") {
                self.hunk
            } else {
                Style::new()
            };
            out.push_str(&self.paint(style, body));
            out.push_str(end);
        }
        out
    }
}

/// The first sentence of a docs section, on one line.
pub fn one_line_why(why: &str) -> String {
    let paragraph = iacfix_apply::git::first_paragraph(why);
    match paragraph.find(". ") {
        Some(end) => paragraph[..=end].to_owned(),
        None => paragraph,
    }
}

/// The heading of a codemod's group of changes.
pub fn group_heading(engine: &Engine, codemod: usize, fixes: usize, palette: &Palette) -> String {
    let meta = &engine.codemods()[codemod].meta;
    format!(
        "{}\n{}\n",
        palette.paint(
            palette.header,
            &format!("iacfix: {}: {}", meta.id, meta.title)
        ),
        palette.paint(
            palette.dim,
            &format!(
                "  {} · {} · {}",
                meta.applicability,
                crate::report::plural(fixes, "fix", "fixes"),
                one_line_why(&meta.docs.why)
            )
        )
    )
}

/// The change, grouped by codemod, with secrets masked.
pub fn print_grouped(
    out: &mut dyn Write,
    engine: &Engine,
    plan: &ChangePlan,
    palette: &Palette,
) -> io::Result<()> {
    for (n, change) in plan.codemods.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        out.write_all(group_heading(engine, change.codemod, change.fixes, palette).as_bytes())?;
        for (file, before, after) in &change.files {
            let diff = file_diff(&plan.files[*file].display, before, after);
            out.write_all(palette.diff(&plan.mask(&diff)).as_bytes())?;
        }
    }
    Ok(())
}

/// An answer to "apply this change?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    All,
    Quit,
}

/// Asks until the answer is one of y, n, a, q (end of input is quit).
pub fn ask(err: &mut dyn Write, input: &mut dyn io::BufRead, question: &str) -> io::Result<Answer> {
    loop {
        write!(err, "{question} [y,n,a,q,?] ")?;
        err.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(err)?;
            return Ok(Answer::Quit);
        }
        match line.trim() {
            "y" | "yes" => return Ok(Answer::Yes),
            "n" | "no" => return Ok(Answer::No),
            "a" | "all" => return Ok(Answer::All),
            "q" | "quit" => return Ok(Answer::Quit),
            _ => writeln!(
                err,
                "y - apply this change\nn - do not apply it\na - apply this change and all the \
                 remaining ones\nq - apply none of the remaining changes (the ones said yes to \
                 are applied)"
            )?,
        }
    }
}
