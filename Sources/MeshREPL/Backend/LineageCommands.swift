import MeshCatalog
import MeshCore
import MeshEngine

/// The arguments of `\lineage` and `\history`, and how a history reads: the same for the
/// shell over a local catalog and over a server.
public enum LineageCommands {
    /// `\lineage MESH.PRODUCT`: the one product named.
    public static func product(_ words: [String]) throws -> String {
        guard words.count == 1 else { throw MeshError(.invalidParameter, "\\lineage takes one data product: \\lineage mesh.product") }
        return words[0]
    }

    /// `\history [N]`: how many queries to show (20 unless said).
    public static func historyLimit(_ words: [String]) throws -> Int {
        guard words.count <= 1, let limit = words.isEmpty ? 20 : Int(words[0]), (1...1000).contains(limit) else {
            throw MeshError(.invalidParameter, "\\history takes how many queries to show, 1 to 1000: \\history 50")
        }
        return limit
    }

    /// The queries (given newest first) oldest first, as a terminal's history reads.
    public static func historyText(_ newestFirst: [AuditRecord]) -> String {
        newestFirst.isEmpty ? "No queries yet." : newestFirst.reversed().map(\.historyLine).joined(separator: "\n")
    }
}
