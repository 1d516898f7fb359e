import MeshCore
import MeshEngine
import MeshFormat
import MeshSQL
import NIOCore

/// `COPY … TO STDOUT`: the query runs as any statement does (its slot, timeout, cancel and
/// audit), and its rows go out as CopyData in COPY's text, CSV or binary form.
extension PGConnection {
    /// Runs `copy` and writes CopyOutResponse, the rows, CopyDone and `COPY n` after what `b`
    /// holds; false when it failed (the error written).
    func copyOut(_ copy: PGCopyCommand, _ sql: String, _ b: inout ByteBuffer) async throws -> Bool {
        let statements: [ParsedStatement]
        do {
            statements = try session.parse(copy.query)
        } catch let e as MeshError {
            throw Self.inCommand(e, copy)
        }
        guard statements.count == 1, case .query = statements[0].statement else {
            throw MeshError(.syntax, "COPY takes one query")
        }
        guard let run = try startRun(&b) else { return false }
        do {
            guard case .rows(let r) = try await run.execute(statements[0], in: session, parameters: []) else {
                throw MeshError(.syntax, "COPY takes a query")
            }
            let types = r.fields.map { PGType($0.type) }
            let binary = copy.format == .binary
            b.pgMessage("H") { m in
                m.writeInteger(Int8(binary ? 1 : 0))
                m.writeInteger(Int16(r.fields.count))
                for _ in r.fields { m.writeInteger(Int16(binary ? 1 : 0)) }
            }
            let encoder = PGCopyEncoder(copy)
            // The binary signature goes with the first row, as PostgreSQL sends it (readers
            // take each CopyData as whole rows).
            var signature = binary
            if copy.header, !binary {
                b.pgMessage("d") { m in encoder.headerLine(r.fields.map(\.name), &m) }
            }
            let maxRows = MeshServer.defaultMaxRows
            while let (batch, from) = try await run.nextBatch() {
                for i in from..<batch.rowCount {
                    run.rows += 1
                    if run.rows > maxRows { throw MeshError(.programLimitExceeded, "the result has more than --max-rows (\(maxRows)) rows") }
                    b.pgMessage("d") { m in
                        if signature { encoder.binaryHeader(&m) }
                        encoder.row(batch, i, types, &m)
                    }
                    signature = false
                    if b.readableBytes > 64 << 10 {
                        try await write(b)
                        b = ByteBuffer()
                    }
                }
            }
            if binary {
                b.pgMessage("d") { m in
                    if signature { encoder.binaryHeader(&m) }
                    m.writeInteger(Int16(-1))
                }
            }
            b.pgMessage("c") { _ in }
            b.pgCommandComplete("COPY \(run.rows)")
            run.end("ok")
            return true
        } catch let raw as MeshError {
            let e = run.reported(raw)
            run.end(e.code == .cancelled ? "cancelled" : "error")
            fail(Self.inCommand(e, copy), sql, &b)
            return false
        }
    }

    /// `e` with its position moved from the query to where the query is in the COPY command.
    static func inCommand(_ e: MeshError, _ copy: PGCopyCommand) -> MeshError {
        var e = e
        if let location = e.location {
            e.location = copy.queryOffset.map { SourceLocation(line: location.line, column: location.column, offset: location.offset + $0) }
        }
        return e
    }
}

/// Rows in COPY's forms: text (tab-separated, `\N` for NULL, backslash escapes), CSV (quoted
/// where needed, NULL as an empty unquoted field) and binary (PostgreSQL's `PGCOPY` format).
struct PGCopyEncoder {
    let format: PGCopyCommand.Format
    let delimiter: String
    let null: String

    init(_ copy: PGCopyCommand) {
        format = copy.format
        delimiter = copy.delimiter ?? (copy.format == .csv ? "," : "\t")
        null = copy.null ?? (copy.format == .csv ? "" : "\\N")
    }

    func binaryHeader(_ b: inout ByteBuffer) {
        b.writeBytes(Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        b.writeInteger(Int32(0))
        b.writeInteger(Int32(0))
    }

    func headerLine(_ names: [String], _ b: inout ByteBuffer) {
        b.writeString(names.map { format == .csv ? csvField($0) : textField($0) }.joined(separator: delimiter) + "\n")
    }

    func row(_ batch: Batch, _ row: Int, _ types: [PGType], _ b: inout ByteBuffer) {
        if format == .binary {
            b.writeInteger(Int16(batch.columns.count))
            for (j, column) in batch.columns.enumerated() { b.pgField(column.value(at: row), types[j], binary: true) }
            return
        }
        var fields: [String] = []
        for (j, column) in batch.columns.enumerated() {
            let value = column.value(at: row)
            if value.isNull {
                fields.append(null)
                continue
            }
            var text = ByteBuffer()
            types[j].writeText(value, into: &text)
            let s = text.readString(length: text.readableBytes) ?? ""
            fields.append(format == .csv ? csvField(s) : textField(s))
        }
        b.writeString(fields.joined(separator: delimiter) + "\n")
    }

    /// A value in COPY's text form: backslash, newline, carriage return, tab and the
    /// delimiter escaped.
    func textField(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if String(c) == delimiter { out += "\\" }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A value in CSV, quoted as `meshql --format csv` quotes it (`CSVWriter`), and also when
    /// it reads as a NULL marker other than the empty one.
    func csvField(_ s: String) -> String {
        let quoted = CSVWriter(fields: [], delimiter: Character(delimiter)).quoted(s)
        return quoted == s && s == null ? "\"" + s + "\"" : quoted
    }
}
