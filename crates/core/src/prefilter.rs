//! One multi-literal scan of a file's bytes (Aho-Corasick) decides which rules can match it:
//! a rule needs one of its literals ([`crate::literals`]) in the text, so a rule whose literals
//! are all absent is not run, and a file no rule can match is not parsed.

use aho_corasick::AhoCorasick;
use bit_set::BitSet;
use std::collections::HashMap;

/// For a list of items (rules), which may match a text.
pub(crate) struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each literal of the automaton, the items that need it.
    needed_by: Vec<Vec<usize>>,
    /// Items that need no literal: always candidates.
    always: BitSet,
    len: usize,
}

impl Prefilter {
    /// Items in order, each with the literals of which a text must contain one (`None`: it may
    /// match any text).
    pub(crate) fn new<'a>(items: impl IntoIterator<Item = Option<&'a [String]>>) -> Prefilter {
        let mut literals: Vec<&str> = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut needed_by: Vec<Vec<usize>> = Vec::new();
        let mut always = BitSet::new();
        let mut len = 0;
        for (item, needs) in items.into_iter().enumerate() {
            len = item + 1;
            match needs {
                Some(needs) if !needs.is_empty() => {
                    for literal in needs {
                        let id = *ids.entry(literal.as_str()).or_insert_with(|| {
                            literals.push(literal.as_str());
                            needed_by.push(Vec::new());
                            literals.len() - 1
                        });
                        needed_by[id].push(item);
                    }
                }
                _ => {
                    always.insert(item);
                }
            }
        }
        // Ignoring ASCII case keeps every candidate a case-sensitive match would keep, and
        // covers rules whose table lookups ignore case.
        let automaton = (!literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&literals)
                .expect("literal sets build an automaton")
        });
        Prefilter {
            automaton,
            needed_by,
            always,
            len,
        }
    }

    /// The items that may match `text`.
    pub(crate) fn candidates(&self, text: &str) -> BitSet {
        let mut active = self.always.clone();
        let Some(automaton) = &self.automaton else {
            return active;
        };
        let mut count = active.iter().count();
        let mut seen = BitSet::with_capacity(self.needed_by.len());
        for found in automaton.find_overlapping_iter(text) {
            let id = found.pattern().as_usize();
            if seen.insert(id) {
                for &item in &self.needed_by[id] {
                    count += usize::from(active.insert(item));
                }
                if count == self.len {
                    break;
                }
            }
        }
        active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_candidates_when_one_of_their_literals_is_there() {
        let needs = [
            Some(vec!["BucketReplication".to_owned()]),
            Some(vec!["alarmName".to_owned(), "alarm_name".to_owned()]),
            None,
            Some(vec!["Bucket".to_owned()]),
        ];
        let prefilter = Prefilter::new(needs.iter().map(|n| n.as_deref()));
        let active = |text: &str| prefilter.candidates(text).iter().collect::<Vec<_>>();
        assert_eq!(active("nothing here"), [2]);
        assert_eq!(active("new aws.s3.BucketReplication(...)"), [0, 2, 3]);
        assert_eq!(active("alarm_name=\"x\""), [1, 2]);
        // Overlapping literals are all seen.
        assert_eq!(active("Bucket alarmName"), [1, 2, 3]);
        // No literal at all: every item is a candidate.
        let none = Prefilter::new([None, None]);
        assert_eq!(none.candidates("x").iter().count(), 2);
    }
}
