import Foundation

/// Text compared, ordered and hashed by its UTF-8 bytes, as PostgreSQL does under the "C"
/// collation meshql uses at every source. Swift's own `String` equality merges canonically
/// equivalent forms (NFC "é" equals NFD "e\u{301}"), which SQL text comparison does not.
struct ByteOrderedString: Comparable, Hashable {
    let s: String
    init(_ s: String) { self.s = s }
    init(bytes: [UInt8]) { self.s = String(decoding: bytes, as: UTF8.self) }

    static func < (a: Self, b: Self) -> Bool { compare(a.s, b.s) < 0 }
    static func == (a: Self, b: Self) -> Bool { compare(a.s, b.s) == 0 }

    /// -1, 0 or 1 as `x` sorts before, with or after `y` byte by byte: `memcmp` over the UTF-8
    /// buffers (comparing the UTF-8 views element by element is slow).
    static func compare(_ x: String, _ y: String) -> Int {
        var x = x, y = y
        return x.withUTF8 { xb in
            y.withUTF8 { yb in
                let n = min(xb.count, yb.count)
                let r = n == 0 ? 0 : memcmp(xb.baseAddress!, yb.baseAddress!, n)
                if r != 0 { return r < 0 ? -1 : 1 }
                return xb.count == yb.count ? 0 : (xb.count < yb.count ? -1 : 1)
            }
        }
    }

    func hash(into h: inout Hasher) {
        var s = self.s
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
