//! Columns aligned as in Shorewall's own sample files.

/// Pad every cell but the last to its column's width, then trim.
pub fn align(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (index, cell) in row.iter().enumerate() {
                let width = (widths[index] / 8 + 1) * 8;
                line.push_str(&format!("{cell:<width$}"));
            }
            line.trim_end().to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_tab_stops_and_trims() {
        let rows = vec![
            vec!["loc".to_owned(), "net".to_owned(), "ACCEPT".to_owned()],
            vec![
                "all".to_owned(),
                "all".to_owned(),
                "REJECT".to_owned(),
                "info".to_owned(),
            ],
        ];
        assert_eq!(
            align(&rows),
            vec!["loc     net     ACCEPT", "all     all     REJECT  info"]
        );
    }
}
