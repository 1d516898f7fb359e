import Foundation
import MeshCore

/// The demo's SQL scripts, shipped as resources of this module (the repository shows them
/// under `sql/demo/`).
public enum DemoFiles {
    public static func text(_ name: String) throws -> String {
        guard let dir = Bundle.module.url(forResource: "demo", withExtension: nil) else {
            throw MeshError(.internalError, "the demo scripts are missing from this build")
        }
        return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    /// The showcase queries: each `-- title: …` line starts one.
    public static func showcase() throws -> [(title: String, sql: String)] {
        var out: [(String, String)] = []
        var title: String?
        var body: [String] = []
        func flush() {
            if let t = title {
                let sql = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                if !sql.isEmpty { out.append((t, sql)) }
            }
            body = []
        }
        for line in try text("showcase.sql").components(separatedBy: "\n") {
            if line.hasPrefix("-- title:") {
                flush()
                title = line.dropFirst("-- title:".count).trimmingCharacters(in: .whitespaces)
            } else if title != nil {
                body.append(line)
            }
        }
        flush()
        return out
    }
}
