import MeshCore
import Testing

@Suite struct DecimalTests {
    @Test func parsesAndFormatsAtScale() {
        #expect(Decimal128.parse("0.1", scale: 2) == 10)
        #expect(Decimal128.parse("-123.456", scale: 2) == -12346)   // half away from zero
        #expect(Decimal128.parse("1e3", scale: 0) == 1000)
        #expect(Decimal128.parse(".5", scale: 1) == 5)
        #expect(Decimal128.parse("abc", scale: 2) == nil)
        #expect(Decimal128.format(30, scale: 2) == "0.30")
        #expect(Decimal128.format(-5, scale: 3) == "-0.005")
        #expect(Decimal128.format(42, scale: 0) == "42")
    }

    @Test func rescaleRoundsHalfAwayFromZero() {
        #expect(Decimal128.rescale(125, from: 2, to: 1) == 13)
        #expect(Decimal128.rescale(-125, from: 2, to: 1) == -13)
        #expect(Decimal128.rescale(124, from: 2, to: 1) == 12)
        #expect(Decimal128.rescale(7, from: 0, to: 3) == 7000)
    }

    @Test func doublesConvertThroughTheirShortestText() {
        #expect(Decimal128.fromDouble(0.1, scale: 2) == 10)
        #expect(Decimal128.fromDouble(12.345, scale: 2) == 1235)
        #expect(Decimal128.fromDouble(.nan, scale: 2) == nil)
    }
}

@Suite struct CivilTimeTests {
    @Test func dateRoundTrips() {
        for text in ["1970-01-01", "1995-03-15", "2000-02-29", "1969-12-31", "2024-12-31"] {
            let d = CivilTime.parseDate(text)
            #expect(d != nil)
            #expect(CivilTime.formatDate(d!) == text)
        }
        #expect(CivilTime.parseDate("1970-01-01") == 0)
        #expect(CivilTime.parseDate("2023-02-29") == nil)
        #expect(CivilTime.parseDate("not a date") == nil)
    }

    @Test func timestampsKeepMicroseconds() {
        let t = CivilTime.parseTimestamp("2024-05-06 07:08:09.123456")
        #expect(t != nil)
        #expect(CivilTime.formatTimestamp(t!) == "2024-05-06 07:08:09.123456")
        #expect(CivilTime.formatTimestamp(CivilTime.parseTimestamp("2024-05-06T07:08:09Z")!) == "2024-05-06 07:08:09")
    }
}

@Suite struct ColumnTests {
    @Test func builderTracksNullsAndGatherPadsWithNulls() {
        var b = ColumnBuilder(type: .decimal(precision: 10, scale: 2))
        b.append(.decimal(150, scale: 2))
        b.appendNull()
        b.append(.int(3))
        let c = b.finish()
        #expect(c.count == 3)
        #expect(c.value(at: 0) == .decimal(150, scale: 2))
        #expect(c.value(at: 1) == .null)
        #expect(c.value(at: 2) == .decimal(300, scale: 2))
        let g = c.gather([2, -1, 0])
        #expect(g.value(at: 0) == .decimal(300, scale: 2))
        #expect(g.value(at: 1) == .null)
        #expect(g.value(at: 2) == .decimal(150, scale: 2))
    }

    @Test func truthMaskReadsNullAsFalse() {
        let c = Batch.fromRows([[.bool(true)], [.null], [.bool(false)]], types: [.boolean]).columns[0]
        #expect(c.truthMask() == [true, false, false])
    }

    @Test func dataTypeParsesSourceSpellings() {
        #expect(DataType.parse("DECIMAL(15, 2)") == .decimal(precision: 15, scale: 2))
        #expect(DataType.parse("double precision") == .double)
        #expect(DataType.parse("varchar(25)") == .text)
        #expect(DataType.parse("int8") == .bigint)
        #expect(DataType.parse("geometry") == nil)
    }

    @Test func errorsRenderACaretUnderTheColumn() {
        let e = MeshError(.syntax, "syntax error at or near \"SELEC\"", at: .init(line: 2, column: 3))
        let text = e.rendered(statement: "-- first\n  SELEC 1")
        #expect(text == "ERROR:  syntax error at or near \"SELEC\" at 2:3\nLINE 2:   SELEC 1\n          ^")
    }
}
