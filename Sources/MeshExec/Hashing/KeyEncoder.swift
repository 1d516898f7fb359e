import MeshCore

/// Turns one key column into 64-bit codes so joins and GROUP BY hash and compare plain
/// integers whatever the key's type. Integers, dates, timestamps and booleans are their own
/// code; doubles use their bit pattern; strings and decimals get dictionary codes that are
/// shared between the build and probe side of a join.
final class KeyEncoder {
    private var strings: [String: Int64] = [:]
    private var decimals: [Int128: Int64] = [:]
    private var bytes: [[UInt8]: Int64] = [:]

    /// Codes for each row, and per row whether it is NULL (or, when `insert` is false, a value
    /// never seen on the build side, which therefore cannot match).
    func encode(_ column: Column, insert: Bool, into codes: inout [Int64], missing: inout [Bool]) {
        let n = column.count
        codes.removeAll(keepingCapacity: true)
        codes.reserveCapacity(n)
        let validity = column.validity
        missing = validity.hasNulls ? (0..<n).map { validity.isNull($0) } : [Bool](repeating: false, count: n)
        switch column.storage {
        case .int(let a): codes.append(contentsOf: a)
        case .date(let a): for v in a { codes.append(Int64(v)) }
        case .timestamp(let a): codes.append(contentsOf: a)
        case .bool(let a): for v in a { codes.append(v ? 1 : 0) }
        case .double(let a):
            // -0.0 and 0.0 are equal in SQL; normalise so they hash alike.
            for v in a { codes.append(Int64(bitPattern: (v == 0 ? 0.0 : v).bitPattern)) }
        case .string(let a):
            for i in 0..<n {
                if missing[i] { codes.append(0); continue }
                if let c = strings[a[i]] { codes.append(c) }
                else if insert { let c = Int64(strings.count); strings[a[i]] = c; codes.append(c) }
                else { codes.append(0); missing[i] = true }
            }
        case .decimal(let a):
            for i in 0..<n {
                if missing[i] { codes.append(0); continue }
                if let c = decimals[a[i]] { codes.append(c) }
                else if insert { let c = Int64(decimals.count); decimals[a[i]] = c; codes.append(c) }
                else { codes.append(0); missing[i] = true }
            }
        case .bytes(let a):
            for i in 0..<n {
                if missing[i] { codes.append(0); continue }
                if let c = bytes[a[i]] { codes.append(c) }
                else if insert { let c = Int64(bytes.count); bytes[a[i]] = c; codes.append(c) }
                else { codes.append(0); missing[i] = true }
            }
        }
    }
}
