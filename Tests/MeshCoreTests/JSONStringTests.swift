import Foundation
import MeshCore
import Testing

@Suite("The one JSON string escaper")
struct JSONStringTests {
    @Test("escapes quotes, backslashes and control characters; leaves the rest as UTF-8")
    func escapes() {
        #expect(JSONString.quoted("plain") == "\"plain\"")
        #expect(JSONString.quoted("") == "\"\"")
        #expect(JSONString.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(JSONString.quoted("l1\nl2\r\t\u{08}\u{0C}") == "\"l1\\nl2\\r\\t\\b\\f\"")
        #expect(JSONString.quoted("\u{01}\u{1F}") == "\"\\u0001\\u001f\"")
        #expect(JSONString.quoted("café/ü 😀") == "\"café/ü 😀\"")
    }

    @Test("what it writes parses back to the same string")
    func roundTrips() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "\"", "\\", "\n", "\u{00}", "\u{07}", "\u{1F}", "é", "😀", "/", " ", "\u{7F}"]
        for _ in 0..<500 {
            let s = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            var bytes: [UInt8] = []
            JSONString.append(s, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONString.quoted(s))
            let parsed = try JSONSerialization.jsonObject(with: Data(("[" + JSONString.quoted(s) + "]").utf8)) as? [String]
            #expect(parsed == [s])
        }
    }
}
