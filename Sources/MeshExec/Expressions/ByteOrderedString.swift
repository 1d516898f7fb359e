/// Text compared, ordered and hashed by its UTF-8 bytes, as PostgreSQL does under the "C"
/// collation meshql uses at every source. Swift's own `String` equality merges canonically
/// equivalent forms (NFC "é" equals NFD "e\u{301}"), which SQL text comparison does not.
struct ByteOrderedString: Comparable, Hashable {
    let s: String
    init(_ s: String) { self.s = s }
    init(bytes: [UInt8]) { self.s = String(decoding: bytes, as: UTF8.self) }

    static func < (a: Self, b: Self) -> Bool { a.s.utf8.lexicographicallyPrecedes(b.s.utf8) }
    static func == (a: Self, b: Self) -> Bool { a.s.utf8.elementsEqual(b.s.utf8) }

    func hash(into h: inout Hasher) {
        var s = self.s
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
