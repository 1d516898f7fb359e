import Foundation
import MeshCore

/// Compares meshql's rows with PostgreSQL's, both as tab-separated text lines (NULL as
/// `NULL`): as multisets, or in order where the query orders them. Numbers compare by value
/// (PostgreSQL picks a decimal scale per value, meshql per column; doubles may differ in the
/// last bits of a sum).
public enum RowComparison {
    /// A row of meshql's as PostgreSQL's `psql -A -F '\t' -P null=NULL` prints it.
    public static func line(_ row: [Value]) -> String {
        row.map { $0.isNull ? "NULL" : $0.description }.joined(separator: "\t")
    }

    /// Nil when the rows agree; otherwise what differs.
    public static func difference(expected: [String], actual: [String], ordered: Bool) -> String? {
        let e = ordered ? expected : sorted(expected)
        let a = ordered ? actual : sorted(actual)
        if e.count == a.count, zip(e, a).allSatisfy(sameRow) { return nil }
        return describe(expected: e, actual: a)
    }

    /// The first rows that differ, and the counts.
    public static func describe(expected: [String], actual: [String]) -> String {
        var out = "expected \(expected.count) rows, got \(actual.count)"
        if let i = zip(expected, actual).enumerated().first(where: { !sameRow($0.element.0, $0.element.1) })?.offset {
            out += "; first difference at row \(i + 1): expected [\(expected[i])], got [\(actual[i])]"
        } else if expected.count != actual.count {
            let longer = expected.count > actual.count ? expected : actual
            let i = min(expected.count, actual.count)
            out += "; \(expected.count > actual.count ? "missing" : "extra") row \(i + 1): [\(longer[i])]"
        }
        return out
    }

    static func cells(_ row: String) -> [String] {
        row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }

    public static func sameRow(_ a: String, _ b: String) -> Bool {
        let x = cells(a), y = cells(b)
        return x.count == y.count && zip(x, y).allSatisfy(sameCell)
    }

    static func sameCell(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Double(a), let y = Double(b) else { return false }
        return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
    }

    /// Rows sorted for a multiset comparison, numbers by a rounded value (so a last-digit
    /// difference in a double does not reorder them). Each row's key is made once: a few
    /// hundred thousand rows sort in a second, not minutes.
    public static func sorted(_ rows: [String]) -> [String] {
        rows.map { (key: sortKey($0), row: $0) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map(\.row)
    }

    static func sortKey(_ row: String) -> [String] {
        cells(row).map { c in
            if let d = Double(c) { return String(format: "%+.6e", d) }
            return c
        }
    }
}
