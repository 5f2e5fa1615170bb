//! Tables on stdout, in one style for every command.

/// A table with `header` as its first row, in the commands' condensed UTF-8 style.
pub fn table(header: impl Into<comfy_table::Row>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(header);
    t
}
