import Foundation
import MeshCore
import MeshEngine

/// Runs golden records on a session and describes every difference from the expected block.
struct SLTRunner {
    let session: Session
    /// Printed in every failure, e.g. "shop=sqlite, crm=postgres, pushdown on".
    let configuration: String

    /// Nil when the record passes, else a failure message naming file:line and configuration.
    func run(_ record: SLTRecord) async -> String? {
        switch record.kind {
        case .statementOK:
            do {
                _ = try await rows(record.sql)
                return nil
            } catch {
                return failure(record, "statement should succeed but failed: \(Self.message(error))")
            }

        case .statementError:
            let fragment = record.expected[0]
            do {
                let (_, got) = try await rows(record.sql)
                return failure(record, "statement should fail with \"\(fragment)\" but succeeded with \(got.count) row(s)")
            } catch {
                let message = Self.message(error)
                if message.contains(fragment) { return nil }
                return failure(record, "wrong error\n  expected fragment: \(fragment)\n  actual message:    \(message)")
            }

        case .query(let types, let rowsort):
            let fields: [Field], values: [[Value]]
            do {
                (fields, values) = try await rows(record.sql)
            } catch {
                return failure(record, "query failed: \(Self.message(error))")
            }
            var problems: [String] = []
            let letters = String(fields.map { SLTFormat.letter($0.type) })
            if fields.count != types.count {
                problems.append("column count: expected \(types.count) (\(types)), got \(fields.count) (\(letters))")
            } else if letters != types {
                let described = fields.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
                problems.append("column types: expected \(types), got \(letters) (\(described))")
            }
            var actual = values.map(SLTFormat.row)
            if rowsort { actual.sort(by: SLTFormat.codePointLess) }
            if actual != record.expected {
                problems.append(Self.describeRowDifference(expected: record.expected, actual: actual))
            }
            return problems.isEmpty ? nil : failure(record, problems.joined(separator: "\n"))
        }
    }

    private func rows(_ sql: String) async throws -> ([Field], [[Value]]) {
        switch try await session.execute(sql) {
        case .rows(let result):
            defer { result.close() }
            return (result.fields, try await result.collectRows())
        case .message:
            return ([], [])
        }
    }

    private func failure(_ record: SLTRecord, _ what: String) -> String {
        "\(record.whereText) [\(configuration)]\n\(what)\nSQL:\n\(record.sql)"
    }

    static func message(_ error: Error) -> String {
        if let e = error as? MeshError { return e.message }
        return String(describing: error)
    }

    /// Row counts, the first differing row, and both row lists (trimmed around the first
    /// difference when long).
    static func describeRowDifference(expected: [String], actual: [String]) -> String {
        let common = min(expected.count, actual.count)
        let firstDiff = (0..<common).first { expected[$0] != actual[$0] } ?? common
        var out = "rows differ: expected \(expected.count) row(s), got \(actual.count); first difference at row \(firstDiff + 1)"
        if firstDiff < expected.count { out += "\n  expected: \(expected[firstDiff])" }
        if firstDiff < actual.count { out += "\n  actual:   \(actual[firstDiff])" }
        let window = max(0, firstDiff - 3)..<(firstDiff + 12)
        func listing(_ rows: [String]) -> String {
            let slice = rows.indices.clamped(to: window.clamped(to: 0..<max(rows.count, 1)))
            var lines = slice.map { "  \($0 + 1)\t\(rows[$0])" }
            if slice.lowerBound > 0 { lines.insert("  …", at: 0) }
            if slice.upperBound < rows.count { lines.append("  … (\(rows.count - slice.upperBound) more)") }
            return lines.isEmpty ? "  (no rows)" : lines.joined(separator: "\n")
        }
        out += "\nexpected:\n" + listing(expected) + "\nactual:\n" + listing(actual)
        return out
    }
}
