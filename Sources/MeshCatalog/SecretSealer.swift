import Crypto
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeshCore

/// Seals connector secrets (passwords, DSNs holding one) before they reach the catalog file,
/// with ChaCha20-Poly1305 under a 256-bit key that never sits in the catalog itself:
///
/// - `MESHQL_SECRET_KEY`, when set: any text, hashed (SHA-256) into the key, so a deployment
///   can keep the key in its secret store;
/// - otherwise the key file beside the catalog (`<catalog>.key`), created on first use with
///   mode 0600 and 32 random bytes (base64).
///
/// Whoever can read the catalog but not the key learns nothing about the secrets. Values
/// written by an older meshql (plain text) still read, and are sealed when the catalog opens.
struct SecretSealer: Sendable {
    static let prefix = "sealed:v1:"
    static let environmentVariable = "MESHQL_SECRET_KEY"
    /// The key's bytes (`SymmetricKey` is not Sendable).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    /// Where the key comes from, for error messages (never the key itself).
    let keySource: String

    init(catalogPath: String, mayCreateKey: Bool = true,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let text = environment[Self.environmentVariable], !text.isEmpty {
            keyBytes = Data(SHA256.hash(data: Data(text.utf8)))
            keySource = Self.environmentVariable
            return
        }
        if catalogPath == ":memory:" || catalogPath.hasPrefix("file:") {
            keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            keySource = "a key held in memory"
            return
        }
        let keyPath = catalogPath + ".key"
        keySource = keyPath
        if !mayCreateKey, !FileManager.default.fileExists(atPath: keyPath) {
            throw MeshError(.catalog, "the catalog is read-only and has no key file \(keyPath) for its connector secrets")
        }
        keyBytes = try Self.loadOrCreateKey(at: keyPath).withUnsafeBytes { Data($0) }
    }

    private static func loadOrCreateKey(at path: String) throws -> SymmetricKey {
        if FileManager.default.fileExists(atPath: path), !FileManager.default.isReadableFile(atPath: path) {
            throw MeshError(.catalog, "cannot read the key file \(path), which the catalog's secrets are sealed with")
        }
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw MeshError(.catalog, "the key file \(path) is not a meshql key (32 bytes, base64)")
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        // O_EXCL: two processes opening a new catalog at once must not each write a key.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST, let text = try? String(contentsOfFile: path, encoding: .utf8),
               let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 {
                return SymmetricKey(data: bytes)
            }
            throw MeshError(.catalog, "cannot create the key file \(path)")
        }
        defer { Glibc.close(fd) }
        let written = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(fd) == 0 else {
            throw MeshError(.catalog, "cannot write the key file \(path)")
        }
        return key
    }

    func seal(_ value: String) throws -> String {
        do {
            let box = try ChaChaPoly.seal(Data(value.utf8), using: key)
            return Self.prefix + box.combined.base64EncodedString()
        } catch {
            throw MeshError(.catalog, "cannot seal a connector secret")
        }
    }

    /// The secret; text without the prefix is a value stored before sealing existed.
    func open(_ stored: String, connector: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
              let box = try? ChaChaPoly.SealedBox(combined: data),
              let plain = try? ChaChaPoly.open(box, using: key) else {
            throw MeshError(.catalog, "cannot unseal the secrets of connector \(connector): they were sealed with another key than \(keySource)")
        }
        return String(decoding: plain, as: UTF8.self)
    }

    static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// A key for one purpose, derived from the catalog's key so that it needs no storage of
    /// its own and differs per purpose and org.
    func derivedKey(_ purpose: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(purpose.utf8), using: key))
    }
}
