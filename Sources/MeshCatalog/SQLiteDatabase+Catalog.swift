import Foundation
import MeshCore
import SQLiteDB

typealias Bindable = SQLiteStatement.Bindable

// Small conveniences for the catalog's statements. A catalog does few, small queries, so
// statements are prepared per call rather than cached.
extension SQLiteDatabase {
    /// Runs one statement that returns no rows.
    func run(_ sql: String, _ values: [Bindable] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Runs one query and maps each row.
    func query<T>(_ sql: String, _ values: [Bindable] = [], _ row: (SQLiteStatement) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var out: [T] = []
        while try statement.step() { out.append(try row(statement)) }
        return out
    }

    /// The first column of the first row as an integer; nil when there is no row or it is NULL.
    func scalarInt(_ sql: String, _ values: [Bindable] = []) throws -> Int? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return Int(statement.int64(0))
    }
}

extension Bindable {
    static func id(_ uuid: UUID) -> Bindable { .text(uuid.uuidString.lowercased()) }
    static func id(_ uuid: UUID?) -> Bindable { uuid.map { .id($0) } ?? .null }
    static func optional(_ text: String?) -> Bindable { text.map { .text($0) } ?? .null }
    static func date(_ date: Date) -> Bindable { .text(CatalogTimestamp.format(date)) }
    static func json<T: Encodable>(_ value: T) throws -> Bindable { .text(try CatalogJSON.encode(value)) }
}

extension SQLiteStatement {
    func optionalText(_ i: Int) -> String? { isNull(i) ? nil : text(i) }

    func uuid(_ i: Int, _ what: String) throws -> UUID {
        guard let id = UUID(uuidString: text(i)) else { throw CatalogJSON.damaged(what) }
        return id
    }

    func optionalUUID(_ i: Int, _ what: String) throws -> UUID? {
        isNull(i) ? nil : try uuid(i, what)
    }

    func date(_ i: Int, _ what: String) throws -> Date {
        guard let date = CatalogTimestamp.parse(text(i)) else { throw CatalogJSON.damaged(what) }
        return date
    }

    func json<T: Decodable>(_ i: Int, as type: T.Type, _ what: String) throws -> T {
        try CatalogJSON.decode(type, text(i), what)
    }
}

/// JSON columns. Keys are sorted so equal values give equal text.
enum CatalogJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw MeshError(.internalError, "cannot encode a catalog field as JSON")
        }
    }

    /// A JSON array of strings, written by hand: the audit log writes several per record, and
    /// JSONEncoder cost more than the rest of the insert.
    static func strings(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    /// A JSON string literal (`JSONString`).
    static func string(_ s: String) -> String {
        JSONString.quoted(s)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw damaged(what)
        }
    }

    static func damaged(_ what: String) -> MeshError {
        MeshError(.catalog, "the catalog is damaged: unreadable \(what)")
    }
}
