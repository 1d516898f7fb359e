import Testing
@testable import MeshSQL

@Suite struct LexerTests {
    private func kinds(_ sql: String) throws -> [TokenKind] {
        try Lexer.tokenize(sql).map(\.kind)
    }

    @Test func foldsUnquotedWordsAndKeepsQuotedCase() throws {
        #expect(try kinds(#"SeLeCt "MixedCase", "a""b" FROM Tbl"#) == [
            .word("select"), .quotedIdentifier("MixedCase"), .symbol(","), .quotedIdentifier("a\"b"),
            .word("from"), .word("tbl"), .end,
        ])
    }

    @Test func stringsNumbersParametersOperators() throws {
        #expect(try kinds("'it''s' 123 1.5 .5 1e3 2.5E-2 $1 $12") == [
            .string("it's"), .number("123"), .number("1.5"), .number(".5"), .number("1e3"), .number("2.5E-2"),
            .parameter(1), .parameter(12), .end,
        ])
        #expect(try kinds("+ - * / % || = <> != < <= > >= :: ( ) , . ;").dropLast() == [
            "+", "-", "*", "/", "%", "||", "=", "<>", "<>", "<", "<=", ">", ">=", "::", "(", ")", ",", ".", ";",
        ].map { TokenKind.symbol($0) })
    }

    @Test func skipsCommentsIncludingNestedBlocks() throws {
        #expect(try kinds("a -- line\n /* x /* nested */ still */ b") == [.word("a"), .word("b"), .end])
    }

    @Test func tracksLineColumnAndOffset() throws {
        let tokens = try Lexer.tokenize("SELECT\n  é,\n\tx")
        #expect(tokens[1].location == MeshSQL.SourceLocation(line: 2, column: 3, offset: 9))
        #expect(tokens[2].location.line == 2 && tokens[2].location.column == 4)
        // é is 2 UTF-8 bytes but one column.
        #expect(tokens[3].location == MeshSQL.SourceLocation(line: 3, column: 2, offset: 14))
    }

    @Test func combiningMarksBelongToTheirWord() throws {
        // `e` + U+0301 (é decomposed) and a zero-width joiner inside a name.
        #expect(try kinds("SELECT cafe\u{301}, a\u{200D}b") == [.word("select"), .word("cafe\u{301}"), .symbol(","), .word("a\u{200D}b"), .end])
        let tokens = try Lexer.tokenize("x\r\ny")
        #expect(tokens[1].location == MeshSQL.SourceLocation(line: 2, column: 1, offset: 3))
    }

    @Test func lexicalErrors() {
        func error(_ sql: String) -> SQLSyntaxError? {
            do { _ = try Lexer.tokenize(sql); return nil } catch { return error }
        }
        #expect(error("SELECT 'abc")?.message == "unterminated quoted string")
        #expect(error("SELECT 'abc")?.location.column == 8)
        #expect(error("SELECT \"abc")?.message == "unterminated quoted identifier")
        #expect(error("SELECT /* x")?.message == "unterminated /* comment")
        #expect(error("SELECT 1 # 2")?.message == "syntax error at or near \"#\"")
        #expect(error("SELECT 1 # 2")?.location.column == 10)
        #expect(error("SELECT 12abc")?.message == "trailing junk after numeric literal at or near \"12abc\"")
        #expect(error("SELECT $0")?.message == "there is no parameter $0")
        #expect(error("SELECT \"\"")?.message.hasPrefix("zero-length delimited identifier") == true)
    }
}
