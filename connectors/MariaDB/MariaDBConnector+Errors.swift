import ConnectorKit
import Foundation
import MeshCore

extension MariaDBConnector {
    /// The failure classified by MariaDB's error number (its SQLSTATEs are coarse: most
    /// errors are HY000).
    static func sourceError(_ f: MariaDBFailure, _ secrets: [String]) -> SourceError {
        let message = SourceError.oneLine(f.message, hiding: secrets)
        let code = "MariaDB error \(f.code)"
        if f.connectionBroken || [2002, 2003, 2005, 2026, 2055, 1927].contains(Int(f.code)) {
            return SourceError(.connection, "lost connection to MariaDB source: " + message, sourceCode: code)
        }
        switch Int(f.code) {
        case 1317: return SourceError(.cancelled, message, sourceCode: code)
        case 1969, 3024, 1205: return SourceError(.timeout, message, sourceCode: code)
        case 1146, 1049: return SourceError(.missingTable, message, sourceCode: code)
        case 1054: return SourceError(.missingColumn(unknownColumn(in: f.message)), message, sourceCode: code)
        case 1044, 1045, 1142, 1143, 1227, 1370: return SourceError(.permission, message, sourceCode: code)
        case 1040, 1203, 1226: return SourceError(.busy, message, sourceCode: code)
        case 1365: return SourceError(.data(.divisionByZero), message, sourceCode: code)
        case 1264, 1690: return SourceError(.data(.numericOverflow), message, sourceCode: code)
        case 1292, 1366, 1367: return SourceError(.data(.invalidText), message, sourceCode: code)
        default:
            if f.sqlState.hasPrefix("22") { return SourceError(.data(.source), message, sourceCode: code) }
            if f.sqlState.hasPrefix("08") { return SourceError(.connection, message, sourceCode: code) }
            return SourceError(.other, message, sourceCode: code)
        }
    }

    /// The column of `Unknown column 't0.name' in 'field list'`, without meshql's alias.
    static func unknownColumn(in message: String) -> String? {
        guard message.hasPrefix("Unknown column '"), let end = message.range(of: "' in ") else { return nil }
        let start = message.index(message.startIndex, offsetBy: 16)
        guard start <= end.lowerBound else { return nil }
        return SourceError.columnName(message[start..<end.lowerBound])
    }
}
