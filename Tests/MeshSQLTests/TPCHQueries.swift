import Foundation

/// The 22 federated TPC-H queries of sql/bench/tpch, part of the parser's round-trip corpus.
enum TPCHQueries {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql/bench/tpch").path

    static let queries: [(name: String, sql: String)] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("q") && $0.hasSuffix(".sql") }.sorted()
        return names.map { name in
            let sql = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while text.hasSuffix(";") { text.removeLast() }
            return (String(name.dropLast(4)).uppercased(), text)
        }
    }()
}
