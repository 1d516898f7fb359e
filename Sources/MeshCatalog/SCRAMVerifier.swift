import Crypto
import Foundation
import MeshCore

/// What a server keeps to check a SCRAM-SHA-256 sign-in (RFC 5802, RFC 7677) without the
/// password: here the password is an API token, and the PostgreSQL protocol signs in with it.
/// The salt is a function of the org and the user, not of the token, so the server can name it
/// before it knows which of the user's tokens the client holds (a user may have several).
public struct SCRAMVerifier: Sendable, Hashable {
    public static let iterations = 4096
    public let storedKey: [UInt8]
    public let serverKey: [UInt8]

    /// The verifier of `secret` for `user` in `org`.
    public init(secret: String, org: String, user: String) {
        self.init(password: Array(secret.utf8), salt: Self.salt(org: org, user: user))
    }

    init(password: [UInt8], salt: [UInt8]) {
        let salted = Self.pbkdf2(password: password, salt: salt, iterations: Self.iterations)
        let clientKey = Self.hmac(salted, Array("Client Key".utf8))
        storedKey = Array(SHA256.hash(data: clientKey))
        serverKey = Self.hmac(salted, Array("Server Key".utf8))
    }

    /// As the catalog keeps it: `storedKey:serverKey`, base64.
    public var stored: String { Data(storedKey).base64EncodedString() + ":" + Data(serverKey).base64EncodedString() }

    public init(stored: String) throws {
        let parts = stored.split(separator: ":").map { Data(base64Encoded: String($0)) }
        guard parts.count == 2, let s = parts[0], let k = parts[1], s.count == 32, k.count == 32 else {
            throw MeshError(.catalog, "a token's SCRAM verifier is damaged")
        }
        storedKey = Array(s)
        serverKey = Array(k)
    }

    /// The salt every token of `user` in `org` is hashed with.
    public static func salt(org: String, user: String) -> [UInt8] {
        Array(SHA256.hash(data: Data("meshql scram salt\u{1}\(org)\u{1}\(user)".utf8)).prefix(16))
    }

    /// The client's proof checked against this verifier: its `ClientKey` hashes to
    /// `storedKey`. Returns the server's signature to send back, nil when the proof is wrong.
    public func verify(proof: [UInt8], authMessage: [UInt8]) -> [UInt8]? {
        guard proof.count == storedKey.count else { return nil }
        let signature = Self.hmac(storedKey, authMessage)
        let clientKey = zip(proof, signature).map { $0 ^ $1 }
        let hashed = Array(SHA256.hash(data: clientKey))
        // Compared in constant time.
        guard zip(hashed, storedKey).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return Self.hmac(serverKey, authMessage)
    }

    public static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// PBKDF2-HMAC-SHA256 of one block (32 bytes), as SCRAM-SHA-256 uses it.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var out = u
        for _ in 1..<iterations {
            u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
            for i in out.indices { out[i] ^= u[i] }
        }
        return out
    }
}
