import MeshCore

/// The values bound to a remote query, collected while its SQL is printed. Placeholders are
/// numbered (`$1`, `?1`), so text can be assembled in any order.
struct SQLParameters {
    var values: [Value] = []

    mutating func bind(_ v: Value, _ type: DataType, _ dialect: any SQLDialect) -> String {
        values.append(v)
        return dialect.placeholder(index: values.count, type: type)
    }
}
