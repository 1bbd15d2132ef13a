//! The columns of a Shorewall table, laid out so that a line depends on
//! its own cells only: every column starts at a fixed position, never at a
//! width measured over the other lines, so a model edit changes the lines
//! of the edited item and no other. The header line (`#ACTION  SOURCE ...`)
//! is laid out by the same function as the rows, so it lines up with them.

/// One table: each column's name and the position it starts at.
pub struct Columns(pub &'static [(&'static str, usize)]);

impl Columns {
    /// The header line: the column names, the first after Shorewall's `#`.
    pub fn header(&self) -> String {
        let names: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .map(|(index, (name, _))| {
                if index == 0 {
                    format!("#{name}")
                } else {
                    (*name).to_owned()
                }
            })
            .collect();
        self.line(&names)
    }

    /// One row: each cell at its column's position, or one space after the
    /// cell before it when that cell is longer than its column.
    pub fn line(&self, cells: &[String]) -> String {
        let mut line = String::new();
        for (index, cell) in cells.iter().enumerate() {
            let start = self.0.get(index).map_or(0, |(_, start)| *start);
            let width = line.chars().count();
            let padding = if index == 0 {
                0
            } else {
                start.saturating_sub(width).max(1)
            };
            line.extend(std::iter::repeat_n(' ', padding));
            line.push_str(cell);
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Columns = Columns(&[("SOURCE", 0), ("DEST", 8), ("POLICY", 16), ("LOG", 28)]);

    fn cells(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn cells_start_at_their_columns_and_the_header_lines_up() {
        assert_eq!(POLICY.header(), "#SOURCE DEST    POLICY      LOG");
        assert_eq!(
            POLICY.line(&cells(&["all", "all", "REJECT", "info"])),
            "all     all     REJECT      info"
        );
        assert_eq!(
            POLICY.line(&cells(&["loc", "net", "ACCEPT"])),
            "loc     net     ACCEPT"
        );
    }

    #[test]
    fn a_long_cell_moves_its_own_line_only_and_the_next_columns_catch_up() {
        assert_eq!(
            POLICY.line(&cells(&["loooong", "longerthan8", "DROP", "info"])),
            "loooong longerthan8 DROP    info"
        );
        assert_eq!(
            POLICY.line(&cells(&["a", "b", "CONTINUEANDMORE", "info"])),
            "a       b       CONTINUEANDMORE info"
        );
    }
}
