//! Masking secrets (literal passwords a codemod found) in what iacfix prints.

/// What a secret is shown as.
pub const MASK: &str = "********";

/// `text` with every occurrence of each secret replaced by [`MASK`] (longest secrets first, so a
/// secret containing another is masked whole).
pub fn mask_secrets(text: &str, secrets: &[String]) -> String {
    let mut sorted: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_owned();
    for secret in sorted {
        out = out.replace(secret.as_str(), MASK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_occurrence() {
        let secrets = vec![
            "hunter2".to_owned(),
            "hunter2-long".to_owned(),
            String::new(),
        ];
        assert_eq!(
            mask_secrets("a \"hunter2\" b hunter2-long", &secrets),
            "a \"********\" b ********"
        );
        assert_eq!(mask_secrets("nothing", &[]), "nothing");
    }
}
