//! Telling a wrong separator from a wrong header. A file re-saved by a
//! spreadsheet with another separator reads as one long column, so "column
//! missing" would name the wrong cause; the readers that check a header add
//! this hint to their error.

/// Separators a re-saved CSV file commonly uses.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// When another separator would split a header (read on `expected`) into
/// more columns than `expected` did, says which separator was expected and
/// which one the line appears to use; `None` otherwise.
pub(crate) fn separator_hint(header: &csv::StringRecord, expected: u8) -> Option<String> {
    let line = header
        .iter()
        .collect::<Vec<_>>()
        .join(&char::from(expected).to_string());
    let count = |sep: u8| line.bytes().filter(|b| *b == sep).count();
    let (used, n) = CANDIDATES
        .iter()
        .filter(|c| **c != expected)
        .map(|c| (*c, count(*c)))
        .max_by_key(|(_, n)| *n)?;
    (n + 1 > header.len()).then(|| {
        format!(
            "the header splits on {} (the separator this format expects) into {} column(s), but the line appears to use {} ({n} of them): save the file with {} as the separator",
            shown(expected),
            header.len(),
            shown(used),
            shown(expected)
        )
    })
}

fn shown(sep: u8) -> &'static str {
    match sep {
        b',' => "`,`",
        b';' => "`;`",
        b'\t' => "a tab",
        b'|' => "`|`",
        _ => "another character",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_both_separators_when_the_line_uses_another() {
        let header = csv::StringRecord::from(vec!["Timestamp [ms],CPU cores,CPU usage [MHZ]"]);
        let hint = separator_hint(&header, b';').unwrap();
        assert!(
            hint.contains("expects) into 1 column(s), but the line appears to use `,` (2 of them)"),
            "{hint}"
        );
    }

    #[test]
    fn no_hint_when_the_header_splits_or_no_other_separator_appears() {
        let split = csv::StringRecord::from(vec!["a", "b", "c"]);
        assert_eq!(separator_hint(&split, b','), None);
        let one = csv::StringRecord::from(vec!["Timestamp"]);
        assert_eq!(separator_hint(&one, b','), None);
    }
}
