import MeshCore
import MeshDialect

/// The values bound to a remote query, collected while its SQL is printed. Each is a slot of
/// the `SQLText` (its index here), so text can be assembled in any order.
struct SQLParameters {
    var values: [Value] = []

    /// Binds `v` and gives the slot that reads it, as the dialect writes a value of `type`.
    mutating func bind(_ v: Value, _ type: DataType, _ dialect: any SQLDialect) -> SQLText {
        values.append(v)
        return dialect.placeholder(index: values.count, type: type)
    }

    mutating func append(_ v: Value) {
        values.append(v)
    }

    /// Another block's values after these (its slots shifted by the caller).
    mutating func append(contentsOf other: SQLParameters) {
        values += other.values
    }
}
