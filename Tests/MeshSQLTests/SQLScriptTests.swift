import Testing
@testable import MeshSQL

@Suite struct SQLScriptTests {
    @Test func completeness() {
        #expect(SQLScript.isComplete("SELECT 1;"))
        #expect(SQLScript.isComplete("SELECT 1;  -- done\n  "))
        #expect(SQLScript.isComplete("SELECT 1; /* c */"))
        #expect(!SQLScript.isComplete("SELECT 1"))
        #expect(!SQLScript.isComplete("SELECT ';'"))
        #expect(!SQLScript.isComplete("SELECT 'abc;"))
        #expect(!SQLScript.isComplete("SELECT \"a;\""))
        #expect(!SQLScript.isComplete("SELECT 1 -- ;"))
        #expect(!SQLScript.isComplete("SELECT 1 /* ; */"))
        #expect(!SQLScript.isComplete("SELECT 1 /* ; /* */ ;"))
        #expect(!SQLScript.isComplete("SELECT (1;"))
        #expect(SQLScript.isComplete("SELECT 'it''s';"))
        #expect(!SQLScript.isComplete(""))
    }

    @Test func splitting() {
        #expect(SQLScript.split("SELECT 1; SELECT ';';\n-- only a comment\n;  SELECT \"x;y\" ") ==
            ["SELECT 1", "SELECT ';'", "SELECT \"x;y\""])
        #expect(SQLScript.split(" ;; ").isEmpty)
        #expect(SQLScript.split("SELECT 1 /* a; b */ ; SELECT 2") == ["SELECT 1 /* a; b */", "SELECT 2"])
    }

    @Test func keywordsForCompletion() {
        #expect(Keywords.all.contains("SELECT"))
        #expect(Keywords.all.contains("MESH"))
        #expect(Keywords.all.allSatisfy { $0 == $0.uppercased() })
        #expect(Keywords.isReserved("from") && !Keywords.isReserved("mesh"))
        #expect(Keywords.quoteIfNeeded("orders") == "orders")
        #expect(Keywords.quoteIfNeeded("Orders") == "\"Orders\"")
        #expect(Keywords.quoteIfNeeded("order") == "\"order\"")
        #expect(Keywords.quoteIfNeeded("a\"b") == "\"a\"\"b\"")
    }
}
