import Foundation

/// One record of a golden file (sqllogictest, DuckDB flavour; the format is described in
/// sql/tests/generate_expected.py).
struct SLTRecord: Sendable {
    enum Kind: Sendable, Equatable {
        /// `query <types> [rowsort]`: rows compared against `expected`.
        case query(types: String, rowsort: Bool)
        /// `statement ok`: must succeed.
        case statementOK
        /// `statement error`: must fail with a message containing `expected[0]`.
        case statementError
    }

    var kind: Kind
    var sql: String
    var expected: [String]
    /// File name and the 1-based line of the record's header, for failure messages.
    var file: String
    var line: Int

    var whereText: String { "\(file):\(line)" }
}

/// Splits .slt text into records, mirroring `parse()` in generate_expected.py: a header line,
/// SQL lines up to a blank line or `----`, then expected lines up to a blank line.
enum SLTParser {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String, file: String) throws -> [SLTRecord] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var records: [SLTRecord] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard line.hasPrefix("query ") || line.hasPrefix("statement ") else {
                i += 1
                continue
            }
            let headerLine = i + 1
            let parts = line.split(separator: " ").map(String.init)
            i += 1
            var sql: [String] = []
            while i < lines.count, lines[i] != "", lines[i] != "----" {
                sql.append(lines[i])
                i += 1
            }
            var expected: [String] = []
            if i < lines.count, lines[i] == "----" {
                i += 1
                while i < lines.count, lines[i] != "" {
                    expected.append(lines[i])
                    i += 1
                }
            }
            let kind: SLTRecord.Kind
            switch (parts[0], parts.count > 1 ? parts[1] : "") {
            case ("query", let types):
                kind = .query(types: types, rowsort: parts.dropFirst(2).contains("rowsort"))
            case ("statement", "ok"):
                kind = .statementOK
            case ("statement", "error"):
                guard !expected.isEmpty else {
                    throw ParseError(description: "\(file):\(headerLine): statement error without a message fragment")
                }
                kind = .statementError
            default:
                throw ParseError(description: "\(file):\(headerLine): unknown record header \"\(line)\"")
            }
            var text = sql.joined(separator: "\n")
            while text.hasSuffix(";") || text.hasSuffix(" ") { text.removeLast() }
            records.append(SLTRecord(kind: kind, sql: text, expected: expected, file: file, line: headerLine))
        }
        return records
    }
}
