import Foundation
import MeshCore
import MeshSQL
import NIOCore

/// The values a Bind message gives for `$1`, `$2`, …, as the literals the binder takes (the
/// HTTP API's `params` become the same): by the type the client declared, in text or binary.
enum PGParameters {
    /// Parameter `index` (0-based): `bytes` (nil: NULL) in `format` (1: binary) of type `oid`
    /// (0: unknown, as a string literal whose type the query decides).
    static func literal(_ bytes: [UInt8]?, format: Int16, oid: Int32, index: Int) throws -> Literal {
        guard let bytes else { return .null }
        func invalid() -> MeshError {
            MeshError(.invalidText, "invalid value for parameter $\(index + 1) of type oid \(oid)")
        }
        if format == 1 {
            var b = ByteBuffer(bytes: bytes)
            switch (oid, bytes.count) {
            case (16, 1): return .boolean(bytes[0] != 0)
            case (21, 2): return .integer(String(b.readInteger(as: Int16.self)!))
            case (23, 4): return .integer(String(b.readInteger(as: Int32.self)!))
            case (20, 8): return .integer(String(b.readInteger(as: Int64.self)!))
            case (701, 8):
                let d = Double(bitPattern: b.readInteger(as: UInt64.self)!)
                guard d.isFinite else { throw invalid() }
                return .decimal(String(d))
            case (700, 4):
                let f = Float(bitPattern: b.readInteger(as: UInt32.self)!)
                guard f.isFinite else { throw invalid() }
                return .decimal(String(f))
            case (25, _), (1043, _), (0, _), (705, _), (18, _), (19, _): return .string(String(decoding: bytes, as: UTF8.self))
            case (16, _), (20, _), (21, _), (23, _), (700, _), (701, _): throw invalid()
            default:
                throw MeshError(.notSupported, "binary parameters of type oid \(oid) are not supported; send $\(index + 1) as text")
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        switch oid {
        case 16:
            switch text.lowercased() {
            case "t", "true", "yes", "on", "1": return .boolean(true)
            case "f", "false", "no", "off", "0": return .boolean(false)
            default: throw invalid()
            }
        case 20, 21, 23:
            guard Int64(text.trimmingCharacters(in: .whitespaces)) != nil else { throw invalid() }
            return .integer(text.trimmingCharacters(in: .whitespaces))
        case 700, 701, 1700:
            let t = text.trimmingCharacters(in: .whitespaces)
            guard let d = Double(t), d.isFinite else { throw invalid() }
            if !t.contains("."), !t.lowercased().contains("e"), Int64(t) != nil { return .integer(t) }
            return .decimal(t.lowercased().contains("e") ? String(d) : t)
        default:
            return .string(text)
        }
    }
}
