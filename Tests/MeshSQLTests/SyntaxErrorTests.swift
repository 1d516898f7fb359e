import Testing
@testable import MeshSQL

@Suite struct SyntaxErrorTests {
    @Test func misspelledKeywordPointsAtIt() throws {
        let e = try #require(syntaxError("SELEC 1"))
        #expect(e.message == "syntax error at or near \"SELEC\"")
        #expect(e.location.line == 1 && e.location.column == 1)
    }

    @Test func endOfInput() throws {
        let e = try #require(syntaxError("SELECT 1 FROM"))
        #expect(e.message == "syntax error at end of input")
        #expect(e.location.column == 14)
        #expect(syntaxError("SELECT (1 + 2")?.message == "syntax error at end of input")
        #expect(syntaxError("SELECT a FROM t WHERE")?.message == "syntax error at end of input")
    }

    @Test func unterminatedString() throws {
        let e = try #require(syntaxError("SELECT 1;\nSELECT 'abc"))
        #expect(e.message == "unterminated quoted string")
        #expect(e.location.line == 2 && e.location.column == 8)
    }

    @Test func badTokenOnThirdLine() throws {
        let sql = "SELECT a,\n       b\nFROM t WHERE a = = 1"
        let e = try #require(syntaxError(sql))
        #expect(e.message == "syntax error at or near \"=\"")
        #expect(e.location.line == 3)
        #expect(e.location.column == 18)
        #expect(e.description == "syntax error at or near \"=\" at 3:18")
    }

    @Test func errorsInLaterStatementsUseScriptPositions() throws {
        let e = try #require(syntaxError("SELECT 1;\n\nSELECT 2 FORM t;"))
        #expect(e.message == "syntax error at or near \"t\"")
        #expect(e.location.line == 3 && e.location.column == 15)
    }

    @Test func reservedWordsAreNotNames() throws {
        #expect(syntaxError("SELECT * FROM select")?.message == "syntax error at or near \"select\"")
        #expect(syntaxError("SELECT a FROM t t2 t3")?.message == "syntax error at or near \"t3\"")
        #expect(syntaxError("SELECT 1 AS")?.message == "syntax error at end of input")
    }

    @Test func assortedErrors() {
        #expect(syntaxError("SELECT * FROM a JOIN b")?.message == "syntax error at end of input")
        #expect(syntaxError("SELECT (SELECT 1 FROM) + 1")?.message == "syntax error at or near \")\"")
        #expect(syntaxError("SELECT x IN ()")?.message == "syntax error at or near \")\"")
        #expect(syntaxError("SELECT CASE END")?.message == "syntax error at or near \"END\"")
        #expect(syntaxError("CREATE MESH")?.message == "syntax error at end of input")
        #expect(syntaxError("DROP TABLE t")?.message == "syntax error at or near \"TABLE\"")
        #expect(syntaxError("SET search_path = x")?.message == "unrecognized configuration parameter \"search_path\"")
        #expect(syntaxError("SELECT 1 SELECT 2")?.message == "syntax error at or near \"SELECT\"")
        #expect(syntaxError("SELECT a FROM t LIMIT 1 LIMIT 2")?.message == "syntax error at or near \"LIMIT\"")
        #expect(syntaxError("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r")?.message == "WITH RECURSIVE is not supported")
        #expect(syntaxError("SELECT DISTINCT ON (a) a FROM t")?.location.column == 17)
        #expect(syntaxError("SELECT * FROM a NATURAL JOIN b")?.message == "syntax error at or near \"NATURAL\"")
        #expect(syntaxError("SELECT sum(x) OVER (ROWS UNBOUNDED PRECEDING) FROM t")?.message == "syntax error at or near \"ROWS\"")
        #expect(syntaxError("CREATE DATA PRODUCT IF NOT EXISTS m.v AS SELECT 1")?.location.column == 39)
    }

    @Test func singleStatementEntryPoints() throws {
        #expect(throws: SQLSyntaxError.self) { try Parser.parseStatement("SELECT 1; SELECT 2") }
        #expect(throws: SQLSyntaxError.self) { try Parser.parseStatement("") }
        #expect(throws: SQLSyntaxError.self) { try Parser.parseQuery("SHOW MESHES") }
        #expect(throws: SQLSyntaxError.self) { try Parser.parseExpression("a b") }
        _ = try Parser.parseStatement("SELECT 1;")
        _ = try Parser.parseQuery("SELECT 1;")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        #expect(syntaxError("SELECT " + deep)?.message.hasPrefix("statement is nested too deeply") == true)
        let negations = "SELECT " + String(repeating: "- ", count: 5_000) + "1"
        #expect(syntaxError(negations)?.message.hasPrefix("statement is nested too deeply") == true)
        let subqueries = "SELECT " + String(repeating: "(SELECT ", count: 3_000) + "1" + String(repeating: ")", count: 3_000)
        #expect(syntaxError(subqueries)?.message.hasPrefix("statement is nested too deeply") == true)
        let derived = "SELECT * FROM " + String(repeating: "(SELECT * FROM ", count: 3_000) + "t" + String(repeating: ")", count: 3_000)
        #expect(syntaxError(derived)?.message.hasPrefix("statement is nested too deeply") == true)
        let notChain = "SELECT " + String(repeating: "NOT ", count: 5_000) + "TRUE"
        #expect(syntaxError(notChain)?.message.hasPrefix("statement is nested too deeply") == true)
        let casts = "SELECT " + String(repeating: "CAST(", count: 3_000) + "1" + String(repeating: " AS int)", count: 3_000)
        #expect(syntaxError(casts)?.message.hasPrefix("statement is nested too deeply") == true)
        // Left-deep chains are as deep as they are long: a positioned error past the limit.
        let plus = "SELECT " + Array(repeating: "1", count: 3_000).joined(separator: " + ")
        let plusError = syntaxError(plus)
        #expect(plusError?.message.hasPrefix("statement is nested too deeply") == true)
        #expect(plusError?.location.offset ?? 0 > 7)
        for chain in [Array(repeating: "'a'", count: 800).joined(separator: " || "), "1" + String(repeating: "::text::integer", count: 300)] {
            #expect(syntaxError("SELECT " + chain)?.message.hasPrefix("statement is nested too deeply") == true)
        }
        let unions = Array(repeating: "SELECT 1", count: 1_000).joined(separator: " UNION ALL ")
        #expect(syntaxError(unions)?.message.hasPrefix("statement is nested too deeply") == true)
        // Reasonable nesting is fine.
        #expect(throws: Never.self) {
            try Parser.parseExpression(String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60))
        }
    }

    /// AND and OR chains of any length parse into balanced trees, shallow however long.
    @Test func longAndOrChainsAreBalanced() throws {
        func height(_ e: Expr) -> Int {
            if case .binary(_, let a, let b) = e.kind { return 1 + max(height(a), height(b)) }
            return 1
        }
        let and = try Parser.parseExpression(Array(repeating: "x = 1", count: 3_000).joined(separator: " AND "))
        #expect(height(and) <= 14)
        let or = try Parser.parseExpression(Array(repeating: "x = 1", count: 3_000).joined(separator: " OR "))
        #expect(height(or) <= 14)
        // A short chain keeps its written shape: ((a AND b) AND c).
        let short = try Parser.parseExpression("a AND b AND c")
        guard case .binary(.and, let left, _) = short.kind, case .binary(.and, _, _) = left.kind else {
            Issue.record("not left-deep: \(short)")
            return
        }
    }
}

@Suite struct CredentialRedactionTests {
    /// Masked in place, one `*` per character, so a caret under a later position still fits.
    @Test func credentialsAreMaskedKeepingTheLength() {
        let sql = "CREATE CONNECTOR c FOR MESH m TYPE postgres OPTIONS (dsn 'host=h password=pw1 user=u', password 'it''s' x)"
        let masked = CredentialRedaction.redact(sql)
        #expect(masked.count == sql.count)
        #expect(masked.contains("password=*** user=u"))
        #expect(masked.contains("password '*****'"))
        #expect(CredentialRedaction.redact("dsn 'postgresql://user:s3cr3t@db/sales'") == "dsn 'postgresql://user:******@db/sales'")
        #expect(CredentialRedaction.redact("SELECT 'password' FROM t") == "SELECT 'password' FROM t")
        // Forms the parser takes, and broken ones: nothing of the secret shows.
        for (sql, secret) in [("OPTIONS (\"Password\" 'hunter2')", "hunter2"), ("OPTIONS (password \"hunter2\")", "hunter2"),
                              ("OPTIONS (password hunter2)", "hunter2"), ("OPTIONS (password 'hunter2", "hunter2"),
                              ("dsn 'host=db password=''a b'''", "a b"), ("dsn 'postgresql://:hunter2@db/x'", "hunter2"),
                              ("OPTIONS (password 'it''s me')", "s me")] {
            let masked = CredentialRedaction.redact(sql)
            #expect(!masked.contains(secret), "\(masked)")
            #expect(masked.count == sql.count)
        }
    }
}

@Suite struct NulTests {
    /// PostgreSQL refuses a NUL anywhere in a statement; meshql says where it is.
    @Test func nulInAStatementIsAnError() {
        let error = #expect(throws: SQLSyntaxError.self) { try Parser.parseStatement("SELECT 'a\u{0}b'") }
        #expect(error?.message == "invalid byte sequence for encoding \"UTF8\": 0x00")
        #expect(error?.location.column == 10)
    }
}
