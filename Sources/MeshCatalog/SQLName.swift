import Foundation
import MeshCore

/// Rules for the SQL names of catalog objects (meshes, connectors, products).
public enum SQLName {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1); names longer than this could not be
    /// used against a PostgreSQL-backed catalog or in remote SQL.
    public static let maxLength = 63

    /// Turns a display name into a SQL name: "Sales Analytics" → `sales_analytics`.
    /// Lower-cases, folds accents ("Café" → `cafe`), turns every run of other characters into
    /// one `_` and trims `_` from both ends. A result starting with a digit gets a leading `_`
    /// so it stays a bare identifier. Returns "" when the name has no letters or digits.
    public static func slug(_ name: String) -> String {
        let folded = name.folding(options: .diacriticInsensitive, locale: nil).lowercased()
        var out = ""
        var pendingUnderscore = false
        for scalar in folded.unicodeScalars {
            let isAlnum = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isAlnum {
                if pendingUnderscore && !out.isEmpty { out.append("_") }
                pendingUnderscore = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingUnderscore = true
            }
        }
        if let first = out.unicodeScalars.first, ("0"..."9").contains(first) { out = "_" + out }
        if out.utf8.count > maxLength {
            out = String(decoding: out.utf8.prefix(maxLength), as: UTF8.self)
            while out.hasSuffix("_") { out.removeLast() }
        }
        return out
    }

    /// Checks that `name` can name a catalog object. Quoted SQL identifiers may hold any
    /// character, so only emptiness, length and control characters are refused.
    public static func validate(_ name: String, kind: String) throws {
        guard !name.isEmpty else {
            throw MeshError(.invalidParameter, "\(kind) name must not be empty")
        }
        guard name.utf8.count <= maxLength else {
            throw MeshError(.invalidParameter, "\(kind) name \"\(name.prefix(20))…\" is longer than \(maxLength) bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MeshError(.invalidParameter, "\(kind) name contains a control character")
        }
    }
}
