//! Text that looks like personal data: e-mail addresses (also URL-encoded or full width)
//! and payment card numbers (Luhn-valid, grouped, with a CVV, an expiry or a reference
//! around them). Conservative on purpose: it must not refuse ordinary product names, but it
//! must catch what a careless tag sends.

/// What kind of personal data `s` appears to contain, if any. Conservative on purpose:
/// it must not refuse ordinary product names, but it must catch what a careless tag sends.
pub fn personal_data(s: &str) -> Option<&'static str> {
    // Cheap necessary conditions first: an address has an '@', a card number 13 digits.
    if (s.contains('@') || s.contains('%') || s.contains('\u{ff20}')) && looks_like_email(s) {
        Some("an e-mail address")
    } else if s.bytes().filter(u8::is_ascii_digit).count() >= 13 && contains_card_number(s) {
        Some("a payment card number")
    } else {
        None
    }
}

fn looks_like_email(s: &str) -> bool {
    // `%40` (URL-encoded) and `＠` (full width) are an '@' as much as '@' is.
    let decoded;
    let s = if s.contains('%') || s.contains('\u{ff20}') {
        decoded = s.replace("%40", "@").replace('\u{ff20}', "@");
        decoded.as_str()
    } else {
        s
    };
    s.split_whitespace().any(|word| {
        let word = word.trim_matches(|c: char| "<>()[],;:\"'".contains(c));
        match word.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            }
            None => false,
        }
    })
}

/// Characters that may stand between the digit groups of a card number.
fn card_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '\t' | '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}'
    )
}

fn luhn(d: &[u8]) -> bool {
    (13..=19).contains(&d.len()) && {
        let sum: u32 = d
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &x)| {
                let x = u32::from(x);
                if i % 2 == 1 {
                    let y = x * 2;
                    if y > 9 {
                        y - 9
                    } else {
                        y
                    }
                } else {
                    x
                }
            })
            .sum();
        sum % 10 == 0
    }
}

/// A card number: 13–19 digits passing the Luhn check, written in groups with single
/// separators between them (spaces, dashes, dots, non-breaking and thin spaces), possibly
/// with more digit groups before or after (a reference number, the CVV, an expiry).
fn contains_card_number(s: &str) -> bool {
    // Runs of digit groups; each group as its digits.
    let mut runs: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
    let mut group: Vec<u8> = Vec::new();
    let mut after_separator = false;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            group.push(d as u8);
            after_separator = false;
        } else if card_separator(c) && !group.is_empty() && !after_separator {
            if let Some(run) = runs.last_mut() {
                run.push(std::mem::take(&mut group));
            }
            after_separator = true;
        } else {
            if !group.is_empty() {
                if let Some(run) = runs.last_mut() {
                    run.push(std::mem::take(&mut group));
                }
            }
            runs.push(Vec::new());
            after_separator = false;
        }
    }
    if let Some(run) = runs.last_mut() {
        if !group.is_empty() {
            run.push(group);
        }
    }
    runs.iter().any(|groups| {
        let k = groups.len();
        // Every prefix and suffix of the run's groups (the whole run included).
        (1..=k).any(|n| {
            let digits = |g: &[Vec<u8>]| g.concat();
            luhn(&digits(&groups[..n])) || luhn(&digits(&groups[k - n..]))
        })
    })
}
