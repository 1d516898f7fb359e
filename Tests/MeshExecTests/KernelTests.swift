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

/// The column kernels agree with the value-by-value implementations they replace.
@Suite struct ColumnKernelTests {
    @Test func substringKernelMatchesRowByRow() throws {
        let texts: [Value] = [.string("abcdef"), .string("éllo wörld"), .string(""), .null, .string("a\u{301}bc"), .string("日本語テキスト")]
        var rows: [[Value]] = []
        for t in texts {
            for start in -2...8 {
                for length in [Value.int(0), .int(1), .int(2), .int(5), .int(Int64(Int32.max)), .null] {
                    rows.append([t, .int(Int64(start)), length])
                }
            }
        }
        let batch = Batch.fromRows(rows, types: [.text, .integer, .integer])
        let cols = batch.columns
        let rowByRow = try #require(ScalarFunctionImpl.strict("substring", [.text, .integer, .integer], .text))
        let kernel = try ScalarFunctionImpl.substringKernel(cols, batch.rowCount)
        for (i, row) in rows.enumerated() {
            let expected: Value = row.contains(where: \.isNull) ? .null : try rowByRow(row)
            #expect(kernel.value(at: i) == expected, "substring(\(row))")
        }
        // Two arguments: the rest of the string.
        let two = try ScalarFunctionImpl.substringKernel(Array(cols.prefix(2)), batch.rowCount)
        let rowByRow2 = try #require(ScalarFunctionImpl.strict("substring", [.text, .integer], .text))
        for (i, row) in rows.enumerated() {
            let expected: Value = row.prefix(2).contains(where: \.isNull) ? .null : try rowByRow2(Array(row.prefix(2)))
            #expect(two.value(at: i) == expected, "substring(\(row.prefix(2)))")
        }
        let negative = Batch.fromRows([[.string("abc"), .int(1), .int(-1)]], types: [.text, .integer, .integer])
        #expect(throws: MeshError.self) { _ = try ScalarFunctionImpl.substringKernel(negative.columns, 1) }
    }

    @Test func datePartKernelMatchesRowByRow() throws {
        let days: [Int32] = [0, -1, 10_957, 19_000, -719_000, 2_900_000, 59, 60, 365 * 30 + 3]
        for part in ["year", "month", "day", "quarter", "dow", "isodow", "doy", "week", "decade", "century", "epoch", "hour"] {
            let dates = Batch.fromRows(days.map { [.date($0)] } + [[.null]], types: [.date])
            let e = BoundExpr(.function("date_part", [.literal(.string(part), .text), .slot(0, .date)]), type: .bigint)
            let c = try ExpressionCompiler.compile(e)(dates)
            for (i, d) in days.enumerated() {
                #expect(c.value(at: i) == (try DateFunctions.datePart(part, .date(d))), "\(part) of day \(d)")
            }
            #expect(c.value(at: days.count) == .null)
            let stamps: [Int64] = [0, -1, 86_399_999_999, 1_700_000_000_123_456]
            let ts = Batch.fromRows(stamps.map { [.timestamp($0)] }, types: [.timestamp])
            let te = BoundExpr(.function("date_part", [.literal(.string(part), .text), .slot(0, .timestamp)]), type: .bigint)
            let tc = try ExpressionCompiler.compile(te)(ts)
            for (i, t) in stamps.enumerated() {
                #expect(tc.value(at: i) == (try DateFunctions.datePart(part, .timestamp(t))), "\(part) of \(t)")
            }
        }
    }

    /// The unit may come from a column: an unknown one is not quoted in the error.
    @Test func anUnknownDateUnitIsNotQuoted() {
        let batch = Batch.fromRows([[.string("secret value"), .date(0)]], types: [.text, .date])
        let e = BoundExpr(.function("date_part", [.slot(0, .text), .slot(1, .date)]), type: .bigint)
        #expect {
            _ = try ExpressionCompiler.compile(e)(batch)
        } throws: { error in
            guard let m = error as? MeshError else { return false }
            return m.message == "unit not recognized" && !m.message.contains("secret")
        }
    }

    @Test func decimalToDoubleMatchesTheGenericConversion() {
        let values: [Int128] = [0, 1, -1, 123_456_789, Int128(Int64.max), Int128(Int64.min), Int128(Int64.max) * 1000 + 7, -(Int128(1) << 100)]
        for v in values {
            for scale in [0, 2, 5, 16, 38] {
                #expect(Decimal128.toDouble(v, scale: scale) == Double(v) / Double(Decimal128.pow10(scale)), "\(v) scale \(scale)")
            }
        }
    }

    @Test func textSortsInByteOrder() {
        let words = ["b", "a", "", "ab", "Zürich", "Zurich", "é", "e\u{301}", "a\u{0}b", "A", "日本"]
        let sorted = words.sorted { ByteOrderedString.compare($0, $1) < 0 }
        #expect(sorted == words.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for w in words { #expect(ByteOrderedString.compare(w, w) == 0) }
    }

    @Test func repeatedColumnsMatchTheBuilder() {
        let cases: [(Value, DataType)] = [
            (.int(7), .integer), (.string("x"), .text), (.bool(true), .boolean), (.double(1.5), .double),
            (.decimal(125, scale: 2), .decimal(precision: 10, scale: 2)), (.date(3), .date), (.null, .text),
            (.decimal(125, scale: 1), .decimal(precision: 10, scale: 2)),
        ]
        for (v, t) in cases {
            let c = Column(repeating: v, type: t, count: 3)
            var b = ColumnBuilder(type: t, capacity: 3)
            for _ in 0..<3 { b.append(v) }
            let expected = b.finish()
            #expect((0..<3).map { c.value(at: $0) } == (0..<3).map { expected.value(at: $0) }, "\(v) as \(t)")
        }
    }
}
