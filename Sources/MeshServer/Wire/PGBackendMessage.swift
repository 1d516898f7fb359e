import MeshCore
import NIOCore

/// Writes the server's messages of protocol 3.0 into a buffer: a type byte, the length
/// (itself included), the body.
extension ByteBuffer {
    mutating func pgMessage(_ type: Character, _ body: (inout ByteBuffer) -> Void) {
        writeInteger(UInt8(ascii: type.unicodeScalars.first!))
        let at = writerIndex
        writeInteger(Int32(0))
        body(&self)
        setInteger(Int32(writerIndex - at), at: at)
    }

    mutating func pgCString(_ s: String) {
        writeString(s)
        writeInteger(UInt8(0))
    }

    /// AuthenticationOk, or another Authentication message with its code and data.
    mutating func pgAuthentication(_ code: Int32, _ data: [UInt8] = []) {
        pgMessage("R") { b in
            b.writeInteger(code)
            b.writeBytes(data)
        }
    }

    mutating func pgParameterStatus(_ name: String, _ value: String) {
        pgMessage("S") { b in
            b.pgCString(name)
            b.pgCString(value)
        }
    }

    mutating func pgBackendKeyData(processID: Int32, secret: Int32) {
        pgMessage("K") { b in
            b.writeInteger(processID)
            b.writeInteger(secret)
        }
    }

    /// ReadyForQuery with the transaction status: `I` idle, `T` in a block, `E` in a failed block.
    mutating func pgReadyForQuery(_ status: Character) {
        pgMessage("Z") { $0.writeInteger(UInt8(ascii: status.unicodeScalars.first!)) }
    }

    mutating func pgCommandComplete(_ tag: String) {
        pgMessage("C") { $0.pgCString(tag) }
    }

    mutating func pgEmptyQueryResponse() {
        pgMessage("I") { _ in }
    }

    /// RowDescription: each column's name and type, and the format its values come in
    /// (`formats` as Bind gave them: none, one for all, or one per column).
    mutating func pgRowDescription(_ fields: [Field], formats: [Int16] = []) {
        pgMessage("T") { b in
            b.writeInteger(Int16(fields.count))
            for (i, f) in fields.enumerated() {
                let type = PGType(f.type)
                b.pgCString(f.name)
                b.writeInteger(Int32(0))   // no table
                b.writeInteger(Int16(0))   // no column of one
                b.writeInteger(type.oid)
                b.writeInteger(type.size)
                b.writeInteger(type.modifier)
                b.writeInteger(Int16(PGFormats.isBinary(formats, column: i) ? 1 : 0))
            }
        }
    }

    /// DataRow of `row` of `batch`, each value in PostgreSQL's text form, or its binary form
    /// where `binary` says so.
    mutating func pgDataRow(_ batch: Batch, row: Int, types: [PGType], binary: [Bool] = []) {
        pgMessage("D") { b in
            b.writeInteger(Int16(batch.columns.count))
            for (j, column) in batch.columns.enumerated() {
                b.pgField(column.value(at: row), types[j], binary: j < binary.count && binary[j])
            }
        }
    }

    /// One value of a DataRow or a binary COPY row: its length (-1 for NULL), then its text
    /// or binary form.
    mutating func pgField(_ value: Value, _ type: PGType, binary: Bool) {
        if value.isNull {
            writeInteger(Int32(-1))
            return
        }
        let at = writerIndex
        writeInteger(Int32(0))
        if binary {
            type.writeBinary(value, into: &self)
        } else {
            type.writeText(value, into: &self)
        }
        setInteger(Int32(writerIndex - at - 4), at: at)
    }

    /// ErrorResponse (or NoticeResponse, `type` N) with PostgreSQL's fields.
    mutating func pgError(_ e: PGErrorFields, type: Character = "E") {
        pgMessage(type) { b in
            func field(_ code: Character, _ value: String?) {
                guard let value else { return }
                b.writeInteger(UInt8(ascii: code.unicodeScalars.first!))
                b.pgCString(value)
            }
            field("S", e.severity)
            field("V", e.severity)
            field("C", e.sqlState)
            field("M", e.message)
            field("D", e.detail)
            field("H", e.hint)
            field("P", e.position.map(String.init))
            b.writeInteger(UInt8(0))
        }
    }
}

/// What an ErrorResponse or NoticeResponse says.
struct PGErrorFields: Sendable {
    var severity = "ERROR"
    var sqlState: String
    var message: String
    var detail: String?
    var hint: String?
    /// 1-based, in characters of the query string.
    var position: Int?

    init(severity: String = "ERROR", sqlState: String, message: String, detail: String? = nil, hint: String? = nil, position: Int? = nil) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
    }

    /// A meshql error as PostgreSQL says one; its position counted in characters of `query`
    /// (the text it came from), as clients point at it.
    init(_ e: MeshError, query: String?) {
        self.init(sqlState: e.sqlState, message: e.message, hint: e.hint)
        if let location = e.location, let query {
            let utf8 = query.utf8
            let end = utf8.index(utf8.startIndex, offsetBy: min(max(0, location.offset), utf8.count))
            position = query[..<end].count + 1
        }
    }
}
