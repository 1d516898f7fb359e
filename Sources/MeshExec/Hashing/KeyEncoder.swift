import MeshCore

/// Turns one key column into 64-bit codes so joins and GROUP BY hash and compare plain
/// integers whatever the key's type. Integers, dates, timestamps and booleans are their own
/// code; doubles use their bit pattern; strings and decimals get dictionary codes that are
/// shared between the build and probe side of a join. NULL rows get code 0 (and are flagged),
/// whatever placeholder their slot holds, so all NULLs of a column encode alike.
final class KeyEncoder {
    private var strings: [ByteOrderedString: Int64] = [:]
    private var decimals: [Int128: Int64] = [:]
    private var bytes: [[UInt8]: Int64] = [:]

    /// Writes the code of row `i` to `words[i * stride]` and sets `missing[i]` for rows that
    /// are NULL (or, when `insert` is false, hold a value never seen on the build side, which
    /// therefore cannot match). Rows not missing leave `missing[i]` untouched. Returns whether
    /// any row was missing.
    func encode(_ column: Column, insert: Bool, into words: UnsafeMutablePointer<Int64>, stride: Int,
                missing: UnsafeMutablePointer<Bool>) -> Bool {
        let n = column.count
        let validity = column.validity
        var anyMissing = false
        if validity.hasNulls {
            for i in 0..<n where validity.isNull(i) { missing[i] = true; anyMissing = true }
        }
        // Without NULLs the plain loops below carry no per-row check.
        let nulls = anyMissing
        @inline(__always) func isNull(_ i: Int) -> Bool { nulls && validity.isNull(i) }
        switch column.storage {
        case .int(let a), .timestamp(let a):
            a.withUnsafeBufferPointer { a in
                for i in 0..<n { words[i * stride] = isNull(i) ? 0 : a[i] }
            }
        case .date(let a):
            a.withUnsafeBufferPointer { a in
                for i in 0..<n { words[i * stride] = isNull(i) ? 0 : Int64(a[i]) }
            }
        case .bool(let a):
            for i in 0..<n { words[i * stride] = !isNull(i) && a[i] ? 1 : 0 }
        case .double(let a):
            // -0.0 and 0.0 are equal in SQL; normalise so they hash alike.
            for i in 0..<n {
                let v = a[i]
                words[i * stride] = isNull(i) ? 0 : Int64(bitPattern: (v == 0 ? 0.0 : v).bitPattern)
            }
        case .string(let a):
            for i in 0..<n {
                if isNull(i) { words[i * stride] = 0; continue }
                let key = ByteOrderedString(a[i])
                if let c = strings[key] { words[i * stride] = c }
                else if insert { let c = Int64(strings.count); strings[key] = c; words[i * stride] = c }
                else { words[i * stride] = 0; missing[i] = true; anyMissing = true }
            }
        case .decimal(let a):
            for i in 0..<n {
                if isNull(i) { words[i * stride] = 0; continue }
                if let c = decimals[a[i]] { words[i * stride] = c }
                else if insert { let c = Int64(decimals.count); decimals[a[i]] = c; words[i * stride] = c }
                else { words[i * stride] = 0; missing[i] = true; anyMissing = true }
            }
        case .bytes(let a):
            for i in 0..<n {
                if isNull(i) { words[i * stride] = 0; continue }
                if let c = bytes[a[i]] { words[i * stride] = c }
                else if insert { let c = Int64(bytes.count); bytes[a[i]] = c; words[i * stride] = c }
                else { words[i * stride] = 0; missing[i] = true; anyMissing = true }
            }
        }
        return anyMissing
    }
}
