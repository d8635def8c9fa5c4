//! CSV for Excel: semicolons, UTF-8 with BOM (the callers write the header
//! line). Two exports need only quoting and the formula guard, which is
//! less than a CSV crate brings.

/// A CSV cell: quoted when it holds a separator, a quote or a line break;
/// a leading `=`, `+`, `-` or `@` is escaped so that Excel does not run it.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}
