import Crypto
import Foundation
import MeshCore
import SQLiteDB

/// An API token of `meshql serve`: who it stands for. The token itself is shown once, when
/// made; the catalog keeps its SHA-256.
public struct APIToken: Sendable, Hashable {
    public var id: UUID
    public var org: String
    public var principal: Principal
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: UUID = UUID(), org: String, principal: Principal, createdAt: Date = Date(), expiresAt: Date? = nil,
                revokedAt: Date? = nil) {
        self.id = id
        self.org = org
        self.principal = principal
        self.createdAt = CatalogTimestamp.normalized(createdAt)
        self.expiresAt = expiresAt.map(CatalogTimestamp.normalized)
        self.revokedAt = revokedAt.map(CatalogTimestamp.normalized)
    }

    /// Usable now: not revoked, not expired.
    public func isValid(at now: Date = Date()) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// A new secret: `mq_` and 43 characters of base64url (256 random bits).
    public static func newSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        let b64 = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return "mq_" + b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the catalog keeps of a secret.
    public static func hash(_ secret: String) -> String {
        // Hex by table: String(format:) per byte cost more than the hash on every request.
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(secret.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension CatalogStore {
    /// Stores a token for `secret` (only its hash).
    public func createToken(_ token: APIToken, secret: String) throws {
        try write { db in
            try db.run("""
                INSERT INTO api_tokens (id, org, hash, principal, roles, attributes, created_at, expires_at, revoked_at, scram)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.id(token.id), .text(token.org), .text(APIToken.hash(secret)), .text(token.principal.user),
                      try .json(token.principal.roles.sorted()), try .json(token.principal.attributes),
                      .date(token.createdAt), token.expiresAt.map { .date($0) } ?? .null, token.revokedAt.map { .date($0) } ?? .null,
                      .text(SCRAMVerifier(secret: secret, org: token.org, user: token.principal.user).stored)])
        }
    }

    /// The token a secret stands for, whatever its state; nil if there is none.
    public func token(secret: String) throws -> APIToken? {
        let hash = APIToken.hash(secret)
        // Unknown secrets are not remembered: anyone may send as many as they like.
        return try cached("token\u{1}" + hash, keepIf: { $0 != nil }) {
            try withDatabase { db in
                try db.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE hash = ?", [.text(hash)], Self.token).first
            }
        }
    }

    /// The token a secret stands for when it was read lately and is still in memory; nil
    /// otherwise, without a look at the catalog (for a client refused further lookups).
    public func tokenIfCached(secret: String) throws -> APIToken? {
        (try cachedOnly("token\u{1}" + APIToken.hash(secret), as: APIToken?.self)) ?? nil
    }

    /// The tokens of `user` in `org` that have a SCRAM verifier, with it: those a PostgreSQL
    /// client may sign in with.
    public func scramTokens(org: String, user: String) throws -> [(token: APIToken, verifier: SCRAMVerifier)] {
        try withDatabase { db in
            try db.query("SELECT \(Self.tokenColumns), scram FROM api_tokens WHERE org = ? AND principal = ? AND scram IS NOT NULL",
                         [.text(org), .text(user)]) { s in
                (try Self.token(s), try SCRAMVerifier(stored: s.text(8)))
            }
        }
    }

    /// An org's tokens (or every org's), newest first.
    public func tokens(org: String?) throws -> [APIToken] {
        try withDatabase { db in
            if let org {
                return try db.query("SELECT \(Self.tokenColumns) FROM api_tokens WHERE org = ? ORDER BY created_at DESC", [.text(org)], Self.token)
            }
            return try db.query("SELECT \(Self.tokenColumns) FROM api_tokens ORDER BY created_at DESC", [], Self.token)
        }
    }

    /// Revokes a token by id; false if there is no such token or it was revoked already.
    @discardableResult
    public func revokeToken(id: UUID, at date: Date = Date()) throws -> Bool {
        try write { db in
            try db.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.date(date), .id(id)])
            return db.changes > 0
        }
    }

    static let tokenColumns = "id, org, principal, roles, attributes, created_at, expires_at, revoked_at"

    static func token(_ s: SQLiteStatement) throws -> APIToken {
        let roles = try s.json(3, as: [String].self, "token roles")
        let attributes = try s.json(4, as: [String: String].self, "token attributes")
        return APIToken(id: try s.uuid(0, "token id"), org: s.text(1),
                        principal: Principal(user: s.text(2), roles: Set(roles), attributes: attributes),
                        createdAt: try s.date(5, "token creation time"),
                        expiresAt: s.isNull(6) ? nil : try s.date(6, "token expiry"),
                        revokedAt: s.isNull(7) ? nil : try s.date(7, "token revocation"))
    }
}
