import Foundation
import MeshCatalog

/// The server's side of a SCRAM-SHA-256 exchange as PostgreSQL runs it (no channel binding):
/// the client's first message, the server's (nonce, salt, iterations), the client's final
/// message with its proof. What it checks here is the form; the proof is checked against each
/// candidate verifier (`SCRAMVerifier.verify`) with `authMessage`.
struct PGSCRAMExchange {
    let salt: [UInt8]
    private var clientFirstBare = ""
    private var serverFirst = ""
    private var gs2Header = ""
    private var nonce = ""
    private(set) var authMessage: [UInt8] = []

    init(salt: [UInt8]) { self.salt = salt }

    /// The SASLInitialResponse (mechanism, length, client-first-message); the server-first
    /// message to answer, nil when malformed.
    mutating func receiveFirst(_ bytes: [UInt8]) -> String? {
        guard let zero = bytes.firstIndex(of: 0), String(decoding: bytes[..<zero], as: UTF8.self) == "SCRAM-SHA-256",
              bytes.count >= zero + 5 else { return nil }
        let message = String(decoding: bytes[(zero + 5)...], as: UTF8.self)
        // gs2-header: "n,," (or "y,,": the client could bind a channel but thinks we cannot).
        let parts = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "n" || parts[0] == "y", parts[1].isEmpty else { return nil }
        gs2Header = "\(parts[0]),,"
        clientFirstBare = String(parts[2])
        guard let clientNonce = Self.attribute("r", in: clientFirstBare), !clientNonce.isEmpty,
              clientNonce.allSatisfy({ $0.isASCII && $0 != "," }) else { return nil }
        var random = [UInt8](repeating: 0, count: 18)
        for i in random.indices { random[i] = UInt8.random(in: 0...255) }
        nonce = clientNonce + Data(random).base64EncodedString()
        serverFirst = "r=\(nonce),s=\(Data(salt).base64EncodedString()),i=\(SCRAMVerifier.iterations)"
        return serverFirst
    }

    /// The client-final-message; its proof, nil when malformed or not of this exchange.
    mutating func receiveFinal(_ bytes: [UInt8]) -> [UInt8]? {
        let message = String(decoding: bytes, as: UTF8.self)
        guard let proofAt = message.range(of: ",p=") else { return nil }
        let withoutProof = String(message[..<proofAt.lowerBound])
        guard Self.attribute("c", in: withoutProof) == Data(gs2Header.utf8).base64EncodedString(),
              Self.attribute("r", in: withoutProof) == nonce,
              let proof = Data(base64Encoded: String(message[proofAt.upperBound...])) else { return nil }
        authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        return Array(proof)
    }

    /// The value of attribute `name` (`r=…`) of a comma-separated SCRAM message.
    static func attribute(_ name: Character, in message: String) -> String? {
        for part in message.split(separator: ",") where part.count >= 2 && part.first == name && part.dropFirst().first == "=" {
            return String(part.dropFirst(2))
        }
        return nil
    }
}
