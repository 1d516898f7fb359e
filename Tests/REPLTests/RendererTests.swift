import Foundation
import MeshCore
import Testing
@testable import MeshREPL
@testable import MeshFormat

@Suite("Result renderers")
struct RendererTests {
    let fields = [
        Field(name: "id", type: .integer),
        Field(name: "name", type: .text),
        Field(name: "amount", type: .decimal(precision: 10, scale: 2)),
    ]

    var batch: Batch {
        Batch.fromRows(
            [[.int(1), .string("Zürich"), .decimal(1250, scale: 2)], [.int(22), .null, .null]],
            types: fields.map(\.type))
    }

    @Test func alignedTableMatchesPsql() {
        let text = TableRenderer().render(fields: fields, batches: [batch])
        #expect(text == """
             id |  name  | amount 
            ----+--------+--------
              1 | Zürich |  12.50
             22 |        |       
            (2 rows)


            """)
    }

    @Test func lastTextColumnIsNotPaddedAndHeaderIsCentred() {
        let f = [Field(name: "a", type: .bigint), Field(name: "b", type: .text)]
        let text = TableRenderer().render(fields: f, rows: [["1", "x"], ["10", "yy"]])
        #expect(text == " a  | b  \n----+----\n  1 | x\n 10 | yy\n(2 rows)\n\n")
    }

    @Test func singleRowFooterAndNoColumns() {
        let one = TableRenderer().render(fields: [Field(name: "n", type: .integer)], rows: [["7"]])
        #expect(one == " n \n---\n 7\n(1 row)\n\n")
        let none = TableRenderer().render(fields: [], batches: [Batch.empty(rows: 1)])
        #expect(none == "--\n(1 row)\n\n")
        let empty = TableRenderer().render(fields: [Field(name: "n", type: .integer)], rows: [])
        #expect(empty == " n \n---\n(0 rows)\n\n")
    }

    @Test func multiLineValuesMarkContinuation() {
        let text = TableRenderer().render(fields: [Field(name: "t", type: .text)], rows: [["a\nbcd"]])
        #expect(text == "  t  \n-----\n a  +\n bcd\n(1 row)\n\n")
    }

    /// Characters, not bytes; wide CJK characters take two columns, as in psql.
    @Test func widthCountsCharactersNotBytes() {
        let f = [Field(name: "city", type: .text), Field(name: "n", type: .integer)]
        let text = TableRenderer().render(fields: f, rows: [["Škofja Loka", "1"], ["東京", "2"]])
        #expect(text == """
                city     | n 
            -------------+---
             Škofja Loka | 1
             東京        | 2
            (2 rows)


            """)
    }

    @Test func expandedModeMatchesPsql() {
        let text = TableRenderer(expanded: true).render(fields: Array(fields.prefix(2)), batches: [batch])
        #expect(text == "-[ RECORD 1 ]\nid   | 1\nname | Zürich\n-[ RECORD 2 ]\nid   | 22\nname | \n\n")
    }

    @Test func expandedRecordRuleMarksTheDivider() {
        #expect(TableRenderer.recordLine(record: 1, headerWidth: 18, dataWidth: 1) == "-[ RECORD 1 ]------+--")
        #expect(TableRenderer.recordLine(record: 1, headerWidth: 4, dataWidth: 20) == "-[ RECORD 1 ]--------------")
        #expect(TableRenderer.recordLine(record: 1, headerWidth: 6, dataWidth: 6) == "-[ RECORD 1 ]--")
        let empty = TableRenderer(expanded: true).render(fields: fields, rows: [])
        #expect(empty == "(0 rows)\n\n")
    }

    @Test func csvQuotesOnlyWhenNeeded() {
        let f = [Field(name: "a", type: .text), Field(name: "b", type: .integer), Field(name: "c", type: .text)]
        let b = Batch.fromRows(
            [[.string("he said \"hi\""), .int(1), .string("")], [.string("x,y"), .null, .string("line\nbreak")],
             [.string("plain"), .int(-3), .null]],
            types: f.map(\.type))
        var sink = StringSink()
        ResultRenderer.render(fields: f, batches: [b], format: .csv, to: &sink)
        #expect(sink.text == "a,b,c\n\"he said \"\"hi\"\"\",1,\"\"\n\"x,y\",,\"line\nbreak\"\nplain,-3,\n")
        #expect(CSVWriter(fields: [], lineEnding: "\r\n").quoted("a\rb") == "\"a\rb\"")
    }

    /// The byte path writes what formatting each value and quoting it gives.
    @Test func csvBytesMatchValueByValueText() {
        let types: [DataType] = [.bigint, .decimal(precision: 38, scale: 2), .decimal(precision: 38, scale: 0), .text, .date,
                                 .double, .boolean, .decimal(precision: 38, scale: 5)]
        var rows: [[Value]] = []
        let texts = ["", "plain", "a,b", "say \"hi\"", "line\nbreak", "cr\rlf", "Zürich", "next\u{85}line", "para\u{2029}graph", "\u{2028}"]
        for k in 0..<200 {
            let big = Int64.random(in: Int64.min...Int64.max)
            rows.append([
                k % 7 == 0 ? .null : .int([0, 1, -1, big, Int64.min, Int64.max][k % 6]),
                .decimal(k % 5 == 0 ? Int128(big) * 1_000_000 : Int128(Int64.random(in: -1_000_000...1_000_000)), scale: 2),
                .decimal(Int128(big) * 1000 + Int128(k), scale: 0),
                k % 11 == 0 ? .null : .string(texts[k % texts.count]),
                // Within and around the dates the writer has ready-made, and far outside.
                .date(k % 2 == 0 ? Int32.random(in: -26_000...48_000) : Int32.random(in: -800_000...800_000)),
                .double(Double.random(in: -1e20...1e20)),
                .bool(k % 2 == 0),
                .decimal(Int128(k) - 100, scale: 5),
            ])
        }
        let fields = types.enumerated().map { Field(name: "c\($0.offset)", type: $0.element) }
        let batch = Batch.fromRows(rows, types: types)
        var sink = StringSink()
        var writer = CSVWriter(fields: fields, writesHeader: false)
        writer.write(batch, to: &sink)
        // The writer keeps its buffers between batches: a smaller one after a larger, and an
        // empty one, must not show anything left from before.
        writer.write(batch.slice(0..<7), to: &sink)
        writer.write(batch.slice(0..<0), to: &sink)
        let expected = (rows + rows.prefix(7)).map { row in
            row.map { $0.isNull ? "" : writer.quoted($0.description) }.joined(separator: ",") + "\n"
        }.joined()
        #expect(sink.text == expected)
    }

    /// A header is quoted as rows are: a delimiter or quote followed by a combining mark
    /// still needs quotes.
    @Test func csvHeaderQuotesLikeTheRows() {
        let writer = CSVWriter(fields: [])
        #expect(writer.quoted("a,\u{301}b") == "\"a,\u{301}b\"")
        #expect(writer.quoted("say \"\u{301}") == "\"say \"\"\u{301}\"")
        #expect(writer.quoted("plain") == "plain")
        #expect(writer.quoted("") == "\"\"")
    }

    /// NDJSON and JSON written from column buffers are what value-by-value `JSONText` gives.
    @Test func jsonBytesMatchValueByValueText() {
        let types: [DataType] = [.bigint, .decimal(precision: 38, scale: 2), .text, .date, .double, .boolean, .timestamp,
                                 .decimal(precision: 38, scale: 0)]
        let texts = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline\r", "\u{1}\u{8}\u{c}\u{1f}", "Zürich 日本", "\u{2028}"]
        var rows: [[Value]] = []
        for k in 0..<150 {
            rows.append([
                k % 7 == 0 ? .null : .int(Int64.random(in: Int64.min...Int64.max)),
                .decimal(Int128(Int64.random(in: -1_000_000...1_000_000)), scale: 2),
                k % 5 == 0 ? .null : .string(texts[k % texts.count]),
                k % 9 == 0 ? .null : .date(Int32.random(in: -800_000...800_000)),
                .double([0.1, -2.5e300, .infinity, .nan, 3][k % 5]),
                k % 4 == 0 ? .null : .bool(k % 3 == 0),
                .timestamp(Int64.random(in: -10_000_000_000_000...10_000_000_000_000)),
                .decimal(Int128(Int64.random(in: Int64.min...Int64.max)) * 1000, scale: 0),
            ])
        }
        let fields = types.enumerated().map { Field(name: "c\($0.offset)", type: $0.element) }
        let batch = Batch.fromRows(rows, types: types)
        let keys = fields.map { JSONText.string($0.name) }
        let objects = rows.map { row in "{" + zip(keys, row).map { $0 + ":" + JSONText.value($1) }.joined(separator: ",") + "}" }

        var ndjson = StringSink()
        var n = NDJSONWriter(fields: fields)
        n.write(batch, to: &ndjson)
        n.write(batch.slice(0..<3), to: &ndjson)
        #expect(ndjson.text == (objects + objects.prefix(3)).map { $0 + "\n" }.joined())

        var json = StringSink()
        var j = JSONWriter(fields: fields)
        j.begin(to: &json)
        j.write(batch, to: &json)
        j.write(batch.slice(0..<0), to: &json)
        j.write(batch.slice(0..<2), to: &json)
        j.finish(to: &json)
        #expect(json.text == "[\n" + (objects + objects.prefix(2)).joined(separator: ",\n") + "\n]\n")
    }

    @Test func jsonKeepsDecimalsExactAndWritesNulls() {
        let f = [
            Field(name: "id", type: .bigint), Field(name: "price", type: .decimal(precision: 38, scale: 10)),
            Field(name: "ok", type: .boolean), Field(name: "d", type: .date), Field(name: "name", type: .text),
            Field(name: "x", type: .double),
        ]
        let price = Int128(12345678901234567890) * 10_000_000_000 + 1_234_567_890
        let b = Batch.fromRows([
            [.int(1), .decimal(price, scale: 10), .bool(true), .date(0), .null, .double(0.1)],
            [.int(2), .decimal(-5, scale: 10), .bool(false), .null, .string("a\"b\n\u{1}"), .null],
        ], types: f.map(\.type))
        var sink = StringSink()
        ResultRenderer.render(fields: f, batches: [b], format: .json, to: &sink)
        #expect(sink.text == """
            [
            {"id":1,"price":12345678901234567890.1234567890,"ok":true,"d":"1970-01-01","name":null,"x":0.1},
            {"id":2,"price":-0.0000000005,"ok":false,"d":null,"name":"a\\"b\\n\\u0001","x":null}
            ]

            """)
        var empty = StringSink()
        ResultRenderer.render(fields: f, batches: [], format: .json, to: &empty)
        #expect(empty.text == "[]\n")
    }

    @Test func ndjsonWritesOneObjectPerLine() {
        var sink = StringSink()
        ResultRenderer.render(fields: fields, batches: [batch], format: .ndjson, to: &sink)
        #expect(sink.text == """
            {"id":1,"name":"Zürich","amount":12.50}
            {"id":22,"name":null,"amount":null}

            """)
    }

    @Test func streamingFormatsWriteEachBatchBeforeTheNextArrives() async throws {
        for format in [OutputFormat.csv, .ndjson, .json] {
            let log = SinkLog()
            var sink = RecordingSink(log: log)
            var pulled = 0
            let first = batch
            let rows = try await ResultRenderer.render(fields: fields, format: format, to: &sink) {
                pulled += 1
                if pulled == 2 {
                    // The first batch must already be out.
                    #expect(log.flushed.contains("Zürich"))
                }
                return pulled <= 2 ? first : nil
            }
            #expect(rows == 4)
        }
    }

    /// A table longer than `TableWriter.heldRows` is not held whole: past the cap the rows
    /// held are printed (header first) and each later batch as it arrives, padded to the
    /// widths of the held rows; the footer counts every row and says how columns were sized.
    @Test func longTablesStreamPastTheCap() async throws {
        let log = SinkLog()
        var sink = RecordingSink(log: log)
        let rowsPerBatch = 1_000
        let batches = TableWriter.heldRows / rowsPerBatch + 5
        func make(_ k: Int) -> Batch {
            Batch.fromRows((0..<rowsPerBatch).map { [.int(Int64(k * rowsPerBatch + $0)), .string(k == batches - 1 ? "much wider than before" : "x")] },
                           types: [.bigint, .text])
        }
        let fields = [Field(name: "n", type: .bigint), Field(name: "s", type: .text)]
        var pulled = 0
        let total = try await ResultRenderer.render(fields: fields, format: .table, to: &sink) {
            pulled += 1
            if pulled == TableWriter.heldRows / rowsPerBatch + 3 {
                #expect(log.flushed.hasPrefix("   n   | s \n"), "the header is out before the end")
                #expect(log.flushed.contains("\n 10000 | x\n"))
            }
            return pulled <= batches ? make(pulled - 1) : nil
        }
        #expect(total == batches * rowsPerBatch)
        let lines = log.flushed.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains(" \(batches * rowsPerBatch - 1) | much wider than before"))
        #expect(log.flushed.hasSuffix("(\(batches * rowsPerBatch) rows); columns sized from the first \(TableWriter.heldRows)\n\n"))
    }

    @Test func everyFormatHasAName() {
        #expect(OutputFormat.allCases.map(\.rawValue) == ["table", "csv", "json", "ndjson"])
        #expect(OutputFormat(rawValue: "ndjson") == .ndjson)
    }
}

/// Records what reached the sink's destination (flushed), to check streaming.
final class SinkLog {
    var pending = ""
    var flushed = ""
}

struct RecordingSink: OutputSink {
    let log: SinkLog
    mutating func write(_ s: String) { log.pending += s }
    mutating func flush() {
        log.flushed += log.pending
        log.pending = ""
    }
}

@Suite struct PagerTests {
    /// Past the screen, everything (the held lines first) goes through the pager.
    @Test func longOutputGoesThroughThePager() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pager-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var sink = PagerSink(screenLines: 4, command: "cat > '\(file)'")
        for i in 1...10 { sink.write("line \(i)\n") }
        sink.flush()
        sink.finish()
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text == (1...10).map { "line \($0)\n" }.joined())
    }

    /// A pager quit early closes the sink, which tells the renderer to stop the statement.
    @Test func quittingThePagerClosesTheSink() async throws {
        signal(SIGPIPE, SIG_IGN)
        var sink = PagerSink(screenLines: 2, command: "head -1 > /dev/null")
        var pulled = 0
        await #expect(throws: CancellationError.self) {
            try await ResultRenderer.render(fields: [Field(name: "n", type: .bigint)], format: .csv, to: &sink) {
                pulled += 1
                // Give the pager time to read its line and quit.
                if pulled > 2 { try await Task.sleep(for: .milliseconds(50)) }
                return pulled < 10_000 ? Batch.fromRows((0..<1000).map { [.int(Int64($0))] }, types: [.bigint]) : nil
            }
        }
        sink.finish()
        #expect(pulled < 10_000)
    }
}
