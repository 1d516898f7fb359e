import CMariaDB
import Foundation
import MeshCore

/// A prepared statement: values bound by type (never spliced into the text), rows fetched
/// one at a time from the server as it sends them (unbuffered), each column into a buffer
/// of the kind meshql wants: integers and doubles converted by the client library, the rest
/// as text (decimals, dates and timestamps too, which the server sends exactly).
///
/// Not thread-safe: used by the thread that holds its connection.
final class MariaDBStatement {
    let connection: MariaDBConnection
    let stmt: UnsafeMutablePointer<MYSQL_STMT>

    private var binds: UnsafeMutablePointer<MYSQL_BIND>?
    private var lengths: UnsafeMutablePointer<UInt>?
    private var nulls: UnsafeMutablePointer<my_bool>?
    private var errors: UnsafeMutablePointer<my_bool>?
    private var buffers: [UnsafeMutableRawPointer] = []
    private var capacities: [Int] = []
    private var kinds: [ResultKind] = []
    /// Where a value longer than its column's buffer is fetched.
    private var overflow: UnsafeMutableRawPointer?
    private var overflowCapacity = 0

    enum ResultKind { case integer, double, text }

    init(_ connection: MariaDBConnection, _ sql: String) throws {
        self.connection = connection
        guard let s = mysql_stmt_init(connection.handle) else { throw MariaDBConnection.failure(connection.handle) }
        stmt = s
        // On failure `deinit` closes the statement (every property is set by then).
        guard mysql_stmt_prepare(s, sql, UInt(sql.utf8.count)) == 0 else { throw failure }
    }

    deinit {
        close()
        freeResults()
        overflow?.deallocate()
    }

    private var closed = false

    /// Closes the statement. With rows still unread this reads them all (libmariadb drains an
    /// unbuffered result): stop the query at the server first (`MariaDBConnection.kill`).
    func close() {
        guard !closed else { return }
        closed = true
        mysql_stmt_close(stmt)
    }

    var failure: MariaDBFailure {
        MariaDBFailure(code: mysql_stmt_errno(stmt), sqlState: String(cString: mysql_stmt_sqlstate(stmt)),
                       message: String(cString: mysql_stmt_error(stmt)))
    }

    var parameterCount: Int { Int(mysql_stmt_param_count(stmt)) }
    var columnCount: Int { Int(mysql_stmt_field_count(stmt)) }

    /// Binds `values` (one per `?`, in order) and executes.
    func execute(_ values: [Value]) throws {
        guard values.count == parameterCount else {
            throw MeshError(.internalError, "MariaDB statement takes \(parameterCount) values, \(values.count) given")
        }
        var arena: [UnsafeMutableRawPointer] = []
        defer { arena.forEach { $0.deallocate() } }
        if !values.isEmpty {
            let params = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: values.count)
            params.initialize(repeating: MYSQL_BIND(), count: values.count)
            arena.append(UnsafeMutableRawPointer(params))
            func store<T>(_ value: T, _ type: enum_field_types, into b: inout MYSQL_BIND) {
                let p = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
                p.storeBytes(of: value, as: T.self)
                arena.append(p)
                b.buffer_type = type
                b.buffer = p
                b.buffer_length = UInt(MemoryLayout<T>.size)
            }
            func storeBytes(_ bytes: some Collection<UInt8>, _ type: enum_field_types, into b: inout MYSQL_BIND) {
                let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                p.copyMemory(from: Array(bytes), byteCount: bytes.count)
                arena.append(p)
                b.buffer_type = type
                b.buffer = p
                b.buffer_length = UInt(bytes.count)
            }
            for (i, v) in values.enumerated() {
                // Never a wrong date: the planner keeps such values here (`canBind`); one that
                // arrives anyway (a cached plan's new value) fails the query.
                guard Self.representable(v) else {
                    throw MeshError(.datetimeOverflow, "a date or timestamp outside years 1 to 9999 cannot be sent to MariaDB")
                }
                var b = MYSQL_BIND()
                switch v {
                case .null: b.buffer_type = MYSQL_TYPE_NULL
                case .bool(let x): store(Int8(x ? 1 : 0), MYSQL_TYPE_TINY, into: &b)
                case .int(let x): store(x, MYSQL_TYPE_LONGLONG, into: &b)
                case .double(let x): store(x, MYSQL_TYPE_DOUBLE, into: &b)
                case .decimal(let x, let scale): storeBytes(Decimal128.format(x, scale: scale).utf8, MYSQL_TYPE_NEWDECIMAL, into: &b)
                case .string(let s): storeBytes(s.utf8, MYSQL_TYPE_STRING, into: &b)
                case .bytes(let bytes): storeBytes(bytes, MYSQL_TYPE_BLOB, into: &b)
                case .date(let days):
                    let (y, m, d) = CivilTime.civil(fromDays: days)
                    store(Self.time(y, m, d, micros: nil), MYSQL_TYPE_DATE, into: &b)
                case .timestamp(let micros):
                    let dayMicros: Int64 = 86_400_000_000
                    let days = micros >= 0 ? micros / dayMicros : (micros - dayMicros + 1) / dayMicros
                    let (y, m, d) = CivilTime.civil(fromDays: Int32(clamping: days))
                    store(Self.time(y, m, d, micros: micros - days * dayMicros), MYSQL_TYPE_DATETIME, into: &b)
                }
                params[i] = b
            }
            guard mysql_stmt_bind_param(stmt, params) == 0 else { throw failure }
        }
        guard mysql_stmt_execute(stmt) == 0 else { throw failure }
    }

    /// Whether MariaDB holds the value as it is: its dates and timestamps run from year 1 to
    /// 9999 (outside, a bound MYSQL_TIME becomes the zero date or wraps).
    static func representable(_ value: Value) -> Bool {
        let dayMicros: Int64 = 86_400_000_000
        let days: Int64
        switch value {
        case .date(let d): days = Int64(d)
        case .timestamp(let t): days = t >= 0 ? t / dayMicros : (t - dayMicros + 1) / dayMicros
        default: return true
        }
        return (firstDay...lastDay).contains(days)
    }

    static let firstDay = Int64(CivilTime.days(year: 1, month: 1, day: 1))
    static let lastDay = Int64(CivilTime.days(year: 9999, month: 12, day: 31))

    private static func time(_ y: Int, _ m: Int, _ d: Int, micros: Int64?) -> MYSQL_TIME {
        var t = MYSQL_TIME()
        t.year = UInt32(clamping: y)
        t.month = UInt32(m)
        t.day = UInt32(d)
        if let micros {
            t.hour = UInt32(micros / 3_600_000_000)
            t.minute = UInt32(micros / 60_000_000 % 60)
            t.second = UInt32(micros / 1_000_000 % 60)
            t.second_part = UInt(micros % 1_000_000)
            t.time_type = MYSQL_TIMESTAMP_DATETIME
        } else {
            t.time_type = MYSQL_TIMESTAMP_DATE
        }
        return t
    }

    /// Binds one buffer per result column, of the kind each output type reads from.
    func bindResults(_ types: [DataType]) {
        freeResults()
        let n = types.count
        let fields = mysql_stmt_result_metadata(stmt)
        defer { if let fields { mysql_free_result(fields) } }
        binds = .allocate(capacity: n)
        binds!.initialize(repeating: MYSQL_BIND(), count: n)
        lengths = .allocate(capacity: n)
        lengths!.initialize(repeating: 0, count: n)
        nulls = .allocate(capacity: n)
        nulls!.initialize(repeating: 0, count: n)
        errors = .allocate(capacity: n)
        errors!.initialize(repeating: 0, count: n)
        for (i, type) in types.enumerated() {
            let kind: ResultKind = switch type.physical {
            case .int, .bool: .integer
            case .double: .double
            default: .text
            }
            var capacity = 8
            if kind == .text {
                let declared = fields.flatMap { mysql_fetch_field_direct($0, UInt32(i)) }.map { Int($0.pointee.length) } ?? 64
                capacity = min(max(declared, 32), 4096) + 1
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            buffers.append(buffer)
            capacities.append(capacity)
            kinds.append(kind)
            var b = MYSQL_BIND()
            b.buffer_type = kind == .integer ? MYSQL_TYPE_LONGLONG : kind == .double ? MYSQL_TYPE_DOUBLE
                : type == .bytea ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING
            b.buffer = buffer
            b.buffer_length = UInt(capacity)
            b.length = lengths! + i
            b.is_null = nulls! + i
            b.error = errors! + i
            binds![i] = b
        }
        mysql_stmt_bind_result(stmt, binds)
    }

    private func freeResults() {
        buffers.forEach { $0.deallocate() }
        buffers = []
        capacities = []
        kinds = []
        binds?.deallocate(); binds = nil
        lengths?.deallocate(); lengths = nil
        nulls?.deallocate(); nulls = nil
        errors?.deallocate(); errors = nil
    }

    /// The next row into the buffers; false after the last.
    func fetch() throws -> Bool {
        let rc = mysql_stmt_fetch(stmt)
        switch rc {
        case 0, MYSQL_DATA_TRUNCATED: return true
        case MYSQL_NO_DATA: return false
        default: throw failure
        }
    }

    func isNull(_ i: Int) -> Bool { nulls![i] != 0 }

    /// An integer column's value, and whether it fitted (the client converts wider or
    /// fractional values with a truncation flag).
    func int64(_ i: Int) -> (value: Int64, exact: Bool) {
        (buffers[i].load(as: Int64.self), errors![i] == 0)
    }

    func double(_ i: Int) -> Double { buffers[i].load(as: Double.self) }

    /// The byte length of a text column's value in the current row.
    func length(_ i: Int) -> Int { Int(lengths![i]) }

    /// A text column's bytes (fetched again, whole, when longer than its buffer).
    func withBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let length = Int(lengths![i])
        if length < capacities[i] {
            return try body(UnsafeRawBufferPointer(start: buffers[i], count: length))
        }
        if overflowCapacity < length + 1 {
            overflow?.deallocate()
            overflowCapacity = max(length + 1, overflowCapacity * 2)
            overflow = .allocate(byteCount: overflowCapacity, alignment: 8)
        }
        var b = MYSQL_BIND()
        var fetched: UInt = 0
        b.buffer_type = binds![i].buffer_type
        b.buffer = overflow
        b.buffer_length = UInt(overflowCapacity)
        return try withUnsafeMutablePointer(to: &fetched) { l in
            b.length = l
            guard mysql_stmt_fetch_column(stmt, &b, UInt32(i), 0) == 0 else { throw failure }
            return try body(UnsafeRawBufferPointer(start: overflow, count: min(Int(l.pointee), overflowCapacity)))
        }
    }

    func text(_ i: Int) throws -> String {
        try withBytes(i) { String(decoding: $0, as: UTF8.self) }
    }
}
