/// A null bitmap: bit set = value present. `allValid` columns carry no bitmap at all.
public struct Validity: Sendable, Equatable {
    public private(set) var words: [UInt64]?
    public private(set) var count: Int

    public init(allValid count: Int) {
        self.words = nil
        self.count = count
    }

    public init(count: Int, isValid: (Int) -> Bool) {
        self.count = count
        var w = [UInt64](repeating: 0, count: (count + 63) / 64)
        var anyNull = false
        for i in 0..<count {
            if isValid(i) { w[i >> 6] |= 1 << UInt64(i & 63) } else { anyNull = true }
        }
        self.words = anyNull ? w : nil
    }

    public var hasNulls: Bool { words != nil }

    @inline(__always)
    public func isValid(_ i: Int) -> Bool {
        guard let words else { return true }
        return words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    @inline(__always)
    public func isNull(_ i: Int) -> Bool { !isValid(i) }

    public mutating func append(_ valid: Bool) {
        if !valid && words == nil {
            words = [UInt64](repeating: ~0, count: (count + 64) / 64)
        }
        if words != nil {
            if count >> 6 >= words!.count { words!.append(~0) }
            if valid {
                words![count >> 6] |= 1 << UInt64(count & 63)
            } else {
                words![count >> 6] &= ~(1 << UInt64(count & 63))
            }
        }
        count += 1
    }

    /// Intersection: valid where both are valid (the validity of `a op b` for most operators).
    public static func and(_ a: Validity, _ b: Validity) -> Validity {
        guard let wa = a.words else { return b }
        guard let wb = b.words else { return a }
        var out = a
        out.words = zip(wa, wb).map { $0 & $1 }
        return out
    }

    public func gathered(_ indices: [Int]) -> Validity {
        guard words != nil else { return Validity(allValid: indices.count) }
        return Validity(count: indices.count) { indices[$0] >= 0 && isValid(indices[$0]) }
    }
}
