import MeshCore

/// The values bound to a remote query, collected while its SQL is printed. Placeholders are
/// numbered (`$1`, `?1`), so text can be assembled in any order.
struct SQLParameters {
    var values: [Value] = []
    /// For each value, what its placeholder carries after the number (`::date` in `$3::date`);
    /// nil where the placeholder was printed inside a larger piece of SQL.
    var suffixes: [String?] = []

    mutating func bind(_ v: Value, _ type: DataType, _ dialect: any SQLDialect) -> String {
        let placeholder = dialect.placeholder(index: values.count + 1, type: type)
        append(v, suffix: PlaceholderText.marker(dialect).map { _ in String(placeholder.dropFirst().drop(while: \.isNumber)) })
        return placeholder
    }

    mutating func append(_ v: Value, suffix: String?) {
        values.append(v)
        suffixes.append(suffix)
    }

    /// Another block's values after these (its placeholders renumbered by the caller).
    mutating func append(contentsOf other: SQLParameters) {
        values += other.values
        suffixes += other.suffixes
    }
}
