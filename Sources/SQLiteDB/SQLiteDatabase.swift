import CSQLite
import Foundation

/// A thin, safe handle on one sqlite3 connection: the only file that imports CSQLite.
/// Used by the catalog store, the SQLite connector and the demo set-up.
///
/// `@unchecked Sendable`: a handle is used by one thread at a time (callers serialise access
/// with their own locks or own it from one thread); only `interrupt()` is called from another
/// thread, which sqlite3 documents as safe.
public final class SQLiteDatabase: @unchecked Sendable {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public var code: Int32
        public var message: String
        public var description: String { message }
        /// SQLITE_INTERRUPT: the statement was stopped by `interrupt()`.
        public var isInterrupt: Bool { code == SQLITE_INTERRUPT }
        /// The primary result code; extended codes keep detail in the upper bits.
        public var primaryCode: Int32 { code & 0xff }
        /// A UNIQUE or PRIMARY KEY constraint failed
        /// (SQLITE_CONSTRAINT_UNIQUE = 2067, SQLITE_CONSTRAINT_PRIMARYKEY = 1555).
        public var isUniqueViolation: Bool { code == 2067 || code == 1555 }
        /// A FOREIGN KEY constraint failed (SQLITE_CONSTRAINT_FOREIGNKEY = 787).
        public var isForeignKeyViolation: Bool { code == 787 }
        /// The file is not an SQLite database, or is damaged (SQLITE_NOTADB, SQLITE_CORRUPT).
        public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT }
    }

    public enum OpenMode: Sendable {
        case readOnly, readWrite, readWriteCreate
        /// Read-only, without the WAL index (`-shm`), which a reader who may not write the
        /// folder cannot create; valid while nobody writes the file meanwhile.
        case readOnlySnapshot
    }

    let handle: OpaquePointer
    public let path: String

    public init(path: String, mode: OpenMode = .readWriteCreate) throws {
        var db: OpaquePointer?
        let flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        case .readWrite: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        case .readWriteCreate: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        case .readOnlySnapshot: flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        }
        var target = path
        if mode == .readOnlySnapshot {
            let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
            target = "file:\(escaped)?immutable=1"
        }
        let rc = sqlite3_open_v2(target, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw Error(code: rc, message: "cannot open SQLite file: \(message)")
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements without results (DDL, PRAGMA, scripts).
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let m = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errmsg)
            throw Error(code: rc, message: m)
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, 0, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw lastError(rc) }
        return SQLiteStatement(stmt: stmt, db: self)
    }

    /// Stops whatever statement is running on this connection (safe from any thread).
    public func interrupt() { sqlite3_interrupt(handle) }

    private final class AbortCheck {
        let shouldAbort: @Sendable () -> Bool
        init(_ f: @escaping @Sendable () -> Bool) { shouldAbort = f }
    }
    private var abortCheck: AbortCheck?

    /// Asks `shouldAbort` every `instructions` virtual-machine steps; when it answers true the
    /// running statement fails with SQLITE_INTERRUPT. Unlike `interrupt()`, this also stops a
    /// statement that had not started yet when the caller decided to cancel. Nil removes it.
    public func setAbortCheck(everyInstructions instructions: Int32 = 10_000, _ shouldAbort: (@Sendable () -> Bool)?) {
        guard let shouldAbort else {
            sqlite3_progress_handler(handle, 0, nil, nil)
            abortCheck = nil
            return
        }
        let box = AbortCheck(shouldAbort)
        abortCheck = box
        sqlite3_progress_handler(handle, instructions, { context in
            guard let context else { return 0 }
            return Unmanaged<AbortCheck>.fromOpaque(context).takeUnretainedValue().shouldAbort() ? 1 : 0
        }, Unmanaged.passUnretained(box).toOpaque())
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
    /// The library's version as a number, 3.40.1 being 3040001.
    public static var libraryVersionNumber: Int { Int(sqlite3_libversion_number()) }

    /// Runs `body` in a transaction; rolls back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let r = try body()
            try execute("COMMIT")
            return r
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func lastError(_ rc: Int32) -> Error {
        Error(code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A prepared statement. Bind with `bind`, then call `step()` until it returns false and read
/// columns in between.
public final class SQLiteStatement {
    let stmt: OpaquePointer
    let db: SQLiteDatabase

    init(stmt: OpaquePointer, db: SQLiteDatabase) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    public enum Bindable: Sendable {
        case null, int(Int64), double(Double), text(String), blob([UInt8])
    }

    public enum StorageClass: Sendable { case integer, real, text, blob, null }

    public func bind(_ values: [Bindable]) throws {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .int(let x): rc = sqlite3_bind_int64(stmt, idx, x)
            case .double(let x): rc = sqlite3_bind_double(stmt, idx, x)
            case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32(b.count), SQLITE_TRANSIENT) }
            }
            if rc != SQLITE_OK { throw db.lastError(rc) }
        }
    }

    /// Advances to the next row. False when done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.lastError(rc)
    }

    public func reset() { sqlite3_reset(stmt) }

    public var columnCount: Int { Int(sqlite3_column_count(stmt)) }
    public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(stmt, Int32(i))) }
    /// The declared type of a result column that comes straight from a table column.
    public func declaredType(_ i: Int) -> String? {
        sqlite3_column_decltype(stmt, Int32(i)).map { String(cString: $0) }
    }

    public func storageClass(_ i: Int) -> StorageClass {
        switch sqlite3_column_type(stmt, Int32(i)) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    public func int64(_ i: Int) -> Int64 { sqlite3_column_int64(stmt, Int32(i)) }
    public func double(_ i: Int) -> Double { sqlite3_column_double(stmt, Int32(i)) }
    public func text(_ i: Int) -> String {
        guard let p = sqlite3_column_text(stmt, Int32(i)) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    public func blob(_ i: Int) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
        guard n > 0, let p = sqlite3_column_blob(stmt, Int32(i)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
    public func isNull(_ i: Int) -> Bool { sqlite3_column_type(stmt, Int32(i)) == SQLITE_NULL }
    /// The size in bytes of the column's value as text or blob (0 for NULL).
    public func byteCount(_ i: Int) -> Int { Int(sqlite3_column_bytes(stmt, Int32(i))) }
    /// The column's text as UTF-8 bytes without copying them into a String (the SQLite
    /// connector parses dates and decimals from them). Valid only inside `body`.
    public func withTextBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let p = sqlite3_column_text(stmt, Int32(i))
        let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
        return try body(UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : n))
    }
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
