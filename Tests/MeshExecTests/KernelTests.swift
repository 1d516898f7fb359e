import MeshCore
@testable import MeshExec
import MeshPlan
import Testing

@Suite struct KernelTests {
    let dec2 = DataType.decimal(precision: 12, scale: 2)

    func eval(_ e: BoundExpr, _ batch: Batch) throws -> [Value] {
        let c = try ExpressionCompiler.compile(e)(batch)
        return (0..<c.count).map { c.value(at: $0) }
    }

    @Test func decimalAdditionIsExact() throws {
        let batch = Batch.fromRows([[.decimal(10, scale: 2), .decimal(20, scale: 2)]], types: [dec2, dec2])
        let sum = BoundExpr(.arithmetic(.add, .slot(0, dec2), .slot(1, dec2)), type: .decimal(precision: 38, scale: 2))
        let eq = BoundExpr(.comparison(.equal, sum, .literal(.decimal(30, scale: 2), .decimal(precision: 38, scale: 2))), type: .boolean)
        #expect(try eval(eq, batch) == [.bool(true)])
        #expect(try eval(sum, batch) == [.decimal(30, scale: 2)])
    }

    @Test func divisionRoundsAndRaisesOnZero() throws {
        let t = DataType.decimal(precision: 38, scale: 16)
        let batch = Batch.fromRows([[.decimal(100, scale: 2), .int(3)]], types: [dec2, .integer])
        let div = BoundExpr(.arithmetic(.divide, .slot(0, dec2),
                                        BoundExpr(.cast(.slot(1, .integer)), type: .decimal(precision: 38, scale: 0))), type: t)
        #expect(try eval(div, batch) == [.decimal(3_333_333_333_333_333, scale: 16)])
        let zero = Batch.fromRows([[.int(1), .int(0)]], types: [.integer, .integer])
        #expect(throws: MeshError.self) {
            _ = try eval(BoundExpr(.arithmetic(.divide, .slot(0, .integer), .slot(1, .integer)), type: .integer), zero)
        }
    }

    @Test func caseEvaluatesBranchesOnlyOnTheirRows() throws {
        // CASE WHEN x = 0 THEN 0 ELSE 10 / x END must not divide by zero.
        let batch = Batch.fromRows([[.int(0)], [.int(5)], [.null]], types: [.integer])
        let x = BoundExpr.slot(0, .integer)
        let cond = BoundExpr(.comparison(.equal, x, .literal(.int(0), .integer)), type: .boolean)
        let div = BoundExpr(.arithmetic(.divide, .literal(.int(10), .integer), x), type: .integer)
        let e = BoundExpr(.caseWhen([BoundWhen(condition: cond, result: .literal(.int(0), .integer))], otherwise: div), type: .integer)
        #expect(try eval(e, batch) == [.int(0), .int(2), .null])
    }

    @Test func threeValuedLogic() throws {
        let batch = Batch.fromRows([[.bool(true), .null], [.bool(false), .null], [.null, .null]], types: [.boolean, .boolean])
        let a = BoundExpr.slot(0, .boolean), b = BoundExpr.slot(1, .boolean)
        #expect(try eval(BoundExpr(.and(a, b), type: .boolean), batch) == [.null, .bool(false), .null])
        #expect(try eval(BoundExpr(.or(a, b), type: .boolean), batch) == [.bool(true), .null, .null])
    }

    @Test func likeIsCaseSensitiveAndHonoursEscape() {
        #expect(LikePattern("a%c", escape: "\\", caseInsensitive: false).matches("abbbc"))
        #expect(!LikePattern("A%", escape: "\\", caseInsensitive: false).matches("abc"))
        #expect(LikePattern("A%", escape: "\\", caseInsensitive: true).matches("abc"))
        #expect(LikePattern("100\\%", escape: "\\", caseInsensitive: false).matches("100%"))
        #expect(!LikePattern("100\\%", escape: "\\", caseInsensitive: false).matches("1000"))
        #expect(LikePattern("_b_", escape: nil, caseInsensitive: false).matches("abc"))
    }
}
