/// Splitting, measuring and padding cell text for terminals.
enum TextLayout {
    /// The lines of a cell; a value without line breaks is one line.
    static func lines(_ text: String) -> [String] {
        guard text.contains(where: \.isNewline) else { return [text] }
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }

    /// psql centres with the extra blank, if any, on the right.
    static func centered(_ text: String, width: Int) -> String {
        let room = max(0, width - self.width(text))
        return String(repeating: " ", count: room / 2) + text + String(repeating: " ", count: (room + 1) / 2)
    }

    static func padded(_ text: String, width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - self.width(text)))
    }

    /// Terminal columns: one per character, two for East Asian wide characters and emoji.
    static func width(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        var total = 0
        for ch in text {
            if ch == "\t" { total += 1; continue }
            guard let first = ch.unicodeScalars.first else { continue }
            total += isWide(first.value) || ch.unicodeScalars.contains { $0.properties.isEmojiPresentation } ? 2 : 1
        }
        return total
    }

    /// The wide ranges of Unicode's East Asian Width property (W and F), as wcwidth tables
    /// summarise them.
    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
