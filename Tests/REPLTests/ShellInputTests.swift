import MeshCore
import Testing
@testable import MeshREPL

@Suite("Shell input: statement splitting and completion")
struct ShellInputTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let r = StatementSplitter.split("select ';' as \"a;b\"; /* ; */ select 2 -- ;\n; select")
        #expect(r.statements == ["select ';' as \"a;b\"", "/* ; */ select 2 -- ;"])
        #expect(r.remainder == " select")
        #expect(!r.isComplete)
    }

    @Test func completenessFollowsTheLastSignificantCharacter() {
        #expect(StatementSplitter.isComplete("select 1;"))
        #expect(StatementSplitter.isComplete("select 1; -- done"))
        #expect(!StatementSplitter.isComplete("select 1 -- ;"))
        #expect(!StatementSplitter.isComplete("select 'it''s;"))
        #expect(!StatementSplitter.isComplete("select /* /* ; */ ; */"))
        #expect(!StatementSplitter.isComplete(";;"))
        #expect(StatementSplitter.split("select 'x").state == .singleQuote)
        #expect(StatementSplitter.split("select (1").parenDepth == 1)
    }

    @Test func completesProductsAfterMeshAndColumnsAfterProduct() {
        let completion = CompletionProvider(backend: CatalogStub())
        #expect(completion.candidates(pendingInput: "", line: "select * from sales.o", linePrefix: "select * from sales.", word: "o")
            == ["orders"])
        #expect(completion.candidates(pendingInput: "", line: "select sales.orders.am", linePrefix: "select sales.orders.", word: "am")
            == ["amount"])
        // An alias resolves through the statement typed so far.
        #expect(completion.candidates(pendingInput: "select o.cu", line: "from sales.orders o", linePrefix: "select o.", word: "cu")
            == ["customer_id"])
    }

    @Test func standaloneWordsMixKeywordsNamesAndMentionedColumns() {
        let completion = CompletionProvider(backend: CatalogStub())
        #expect(completion.candidates(pendingInput: "", line: "SEL", linePrefix: "", word: "SEL") == ["SELECT"])
        #expect(completion.candidates(pendingInput: "", line: "sel", linePrefix: "", word: "sel") == ["select"])
        let words = completion.candidates(pendingInput: "from orders", line: "select am", linePrefix: "select ", word: "am")
        #expect(words == ["amount"])
        #expect(completion.candidates(pendingInput: "", line: "cr", linePrefix: "", word: "cr").contains("crm"))
        #expect(completion.candidates(pendingInput: "", line: "\\d", linePrefix: "", word: "\\d") == ["\\dm", "\\dp", "\\d"])
    }

    @Test func timingPrintsMillisecondsWithThreeDecimals() {
        #expect(Shell.milliseconds(.microseconds(12_345)) == "12.345")
        #expect(Shell.milliseconds(.microseconds(7)) == "0.007")
    }
}

/// A fixed catalog for completion tests.
final class CatalogStub: ShellBackend {
    var promptMesh: String? { "sales" }
    func meshNames() -> [String] { ["sales", "crm"] }
    func productNames(mesh: String) -> [String] { mesh == "sales" ? ["orders", "items"] : ["customers"] }
    func columnNames(mesh: String, product: String) -> [String] {
        product == "orders" ? ["order_id", "amount", "customer_id"] : ["id", "name"]
    }
    func execute(_ sql: String) async throws -> ShellOutcome { .message("") }
}
