import Crypto
import Foundation
import MeshCore
import MeshPlan

extension ScalarFunctionImpl {
    /// `hash(x)` of a MASK: HMAC-SHA256 of the value under the org's key (the second argument,
    /// a constant). Text becomes 16 hex digits; an integer a non-negative integer of its own
    /// width. Equal values hash equal, so joins on a hashed column still match.
    static func maskHash(argumentTypes: [DataType], resultType: DataType) throws -> Impl {
        guard argumentTypes.count == 2 else { throw MeshError(.internalError, "mask_hash takes a value and a key") }
        return { cols, n in
            guard case .bytes(let keyBytes) = cols[1].value(at: 0) else {
                throw MeshError(.internalError, "mask_hash has no key")
            }
            let key = SymmetricKey(data: keyBytes)
            var b = ColumnBuilder(type: resultType, capacity: n)
            for i in 0..<n {
                let v = cols[0].value(at: i)
                if v.isNull { b.appendNull(); continue }
                let digest = Array(HMAC<SHA256>.authenticationCode(for: Data(v.description.utf8), using: key))
                if resultType == .text {
                    b.append(.string(digest.prefix(8).map { String(format: "%02x", $0) }.joined()))
                } else {
                    let raw = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let bound: UInt64 = switch resultType {
                    case .smallint: UInt64(Int16.max)
                    case .integer: UInt64(Int32.max)
                    default: UInt64(Int64.max)
                    }
                    b.append(.int(Int64(raw % bound)))
                }
            }
            return b.finish()
        }
    }
}
