//! Deterministic text mutations for the stable replay test (`tests/replay.rs`): a seeded PRNG
//! and a few edits that keep programs close to real ones (lines deleted, duplicated, swapped or
//! spliced in from another program, ranges deleted or duplicated, tokens inserted). Always valid
//! UTF-8: edits are made at `char` boundaries.

/// SplitMix64: small, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Text that tends to matter to parsers, layout code and the codemods' templates.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    ":",
    "=",
    ".",
    "\"",
    "'",
    "`",
    "${",
    "$",
    "\n",
    "\r\n",
    "\t",
    "    ",
    "  - ",
    "# ",
    "// ",
    "/* */",
    "\\",
    "é",
    "\u{feff}",
    "\u{2028}",
    "😀",
    "None",
    "True",
    "false",
    "null",
    "undefined",
    "async ",
    "await ",
    "lambda x: ",
    "=> ",
    "...",
    "**",
    "// iacfix-ignore: all fuzz\n",
    "# iacfix-ignore: all fuzz\n",
    "// iacfix-ignore-file: all fuzz\n",
    "# iacfix-ignore-file: all fuzz\n",
    "pulumi",
    "aws",
    "new aws.s3.Bucket(\"b\", {});\n",
    "aws.s3.Bucket(\"b\")\n",
    "import * as aws from \"@pulumi/aws\";\n",
    "import pulumi_aws as aws\n",
];

/// The byte offsets of the starts of `text`'s lines, and its length.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    if *starts.last().unwrap_or(&0) != text.len() {
        starts.push(text.len());
    }
    starts
}

/// A random `char` boundary of `text`.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A random range of whole lines of `text` (at most `max` lines).
fn lines(rng: &mut Rng, text: &str, max: usize) -> std::ops::Range<usize> {
    let starts = line_starts(text);
    if starts.len() < 2 {
        return 0..text.len();
    }
    let first = rng.below(starts.len() - 1);
    let count = 1 + rng.below(max);
    let last = (first + count).min(starts.len() - 1);
    starts[first]..starts[last]
}

/// A random short range of `text` at `char` boundaries.
fn span(rng: &mut Rng, text: &str) -> std::ops::Range<usize> {
    let start = boundary(rng, text);
    let mut end = (start + 1 + rng.below(32)).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// One to four random edits of `text`; `donors` are other programs to splice lines from.
pub fn mutate(rng: &mut Rng, text: &str, donors: &[&str]) -> String {
    let mut text = text.to_owned();
    for _ in 0..1 + rng.below(4) {
        match rng.below(8) {
            0 => {
                let range = lines(rng, &text, 3);
                text.replace_range(range, "");
            }
            1 => {
                let range = lines(rng, &text, 4);
                let copy = text[range.clone()].to_owned();
                text.insert_str(range.start, &copy);
            }
            2 => {
                // Swap two lines.
                let a = lines(rng, &text, 1);
                let b = lines(rng, &text, 1);
                let (a, b) = if a.start <= b.start { (a, b) } else { (b, a) };
                if a.end <= b.start {
                    let (la, lb) = (text[a.clone()].to_owned(), text[b.clone()].to_owned());
                    text.replace_range(b, &la);
                    text.replace_range(a, &lb);
                }
            }
            3 if !donors.is_empty() => {
                let donor = donors[rng.below(donors.len())];
                let range = lines(rng, donor, 6);
                let at = line_starts(&text)[rng.below(line_starts(&text).len())];
                text.insert_str(at, &donor[range]);
            }
            4 => {
                let range = span(rng, &text);
                text.replace_range(range, "");
            }
            5 => {
                let range = span(rng, &text);
                let copy = text[range.clone()].to_owned();
                text.insert_str(range.end, &copy);
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = boundary(rng, &text);
                text.insert_str(at, token);
            }
        }
    }
    text
}
