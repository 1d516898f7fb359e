import Testing
@testable import MeshSQL

@Suite struct QueryShapeTests {
    @Test func numbersBecomeSlotsByClass() throws {
        let s = try #require(QueryShape("SELECT a FROM t WHERE id = 42 AND big > 9000000000 AND x < 1.50 -- note 7\n LIMIT 10"))
        #expect(s.slots.map(\.class) == [.int32, .int64, .decimal(scale: 2), .int32])
        #expect(s.slots.map(\.text) == ["42", "9000000000", "1.50", "10"])
        #expect(s.key == "SELECT a FROM t WHERE id = ?i AND big > ?l AND x < ?d2 LIMIT ?i")
        #expect(s.redacted == "SELECT a FROM t WHERE id = ? AND big > ? AND x < ? LIMIT ?")
        #expect(s.text(with: ["1", "2", "3.00", "4"]) == "SELECT a FROM t WHERE id = 1 AND big > 2 AND x < 3.00 LIMIT 4")
    }

    @Test func stringsExponentsAndHugeNumbersStayInTheKey() throws {
        let s = try #require(QueryShape("SELECT 'it''s', 1e3, 5., 123456789012345678901234567890 FROM t"))
        #expect(s.slots.isEmpty)
        #expect(s.key == "SELECT 'it''s', 1e3, 5., 123456789012345678901234567890 FROM t")
        #expect(s.redacted == "SELECT ?, ?, ?, ? FROM t")
        // Another string is another shape.
        #expect(QueryShape("SELECT 'a'")?.key != QueryShape("SELECT 'b'")?.key)
        #expect(QueryShape("SELECT 1")?.key == QueryShape("SELECT   2 /* c */")?.key)
    }

    @Test func textThatDoesNotLexHasNoShape() {
        #expect(QueryShape("SELECT 'open") == nil)
        #expect(LiteralRedaction.redact("SELECT 'open").hasPrefix("(statement that does not parse"))
    }
}
