import Foundation
import SQLiteDB

/// One source an org's principals may point connectors at: a SQLite root (a folder, whose
/// files and subfolders' files are allowed, or one file) or a PostgreSQL server (`host:port`,
/// any database on it, or `host:port/database`). Set by the server's operator only.
public struct SourceRule: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public var org: String
    public var kind: Kind
    public var pattern: String
    /// Why it is there ("allowed by the operator", "added by CREATE CONNECTOR x").
    public var note: String
    public var createdAt: Date

    public init(org: String, kind: Kind, pattern: String, note: String = "", createdAt: Date = Date()) {
        self.org = org
        self.kind = kind
        self.pattern = pattern
        self.note = note
        self.createdAt = CatalogTimestamp.normalized(createdAt)
    }
}

extension CatalogStore {
    /// Adds a rule; false when the org has it already.
    @discardableResult
    public func allowSource(_ rule: SourceRule) throws -> Bool {
        try write { db in
            try db.run("""
                INSERT OR IGNORE INTO source_rules (org, kind, pattern, note, created_at) VALUES (?, ?, ?, ?, ?)
                """, [.text(rule.org), .text(rule.kind.rawValue), .text(rule.pattern), .text(rule.note), .date(rule.createdAt)])
            return db.changes > 0
        }
    }

    /// Removes a rule; false when there was none.
    @discardableResult
    public func disallowSource(org: String, kind: SourceRule.Kind, pattern: String) throws -> Bool {
        try write { db in
            try db.run("DELETE FROM source_rules WHERE org = ? AND kind = ? AND pattern = ?",
                       [.text(org), .text(kind.rawValue), .text(pattern)])
            return db.changes > 0
        }
    }

    /// An org's rules (every org's when nil), by org, kind and pattern.
    public func sourceRules(org: String?) throws -> [SourceRule] {
        try cached("sourceRules\u{1}" + (org ?? "\u{2}")) {
            try withDatabase { db in
                let columns = "org, kind, pattern, note, created_at"
                let decode: (SQLiteStatement) throws -> SourceRule = { s in
                    SourceRule(org: s.text(0), kind: SourceRule.Kind(rawValue: s.text(1)) ?? .sqlite, pattern: s.text(2),
                               note: s.text(3), createdAt: try s.date(4, "source rule time"))
                }
                if let org {
                    return try db.query("SELECT \(columns) FROM source_rules WHERE org = ? ORDER BY kind, pattern", [.text(org)], decode)
                }
                return try db.query("SELECT \(columns) FROM source_rules ORDER BY org, kind, pattern", [], decode)
            }
        }
    }
}
