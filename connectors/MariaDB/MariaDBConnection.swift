import CMariaDB
import Foundation
import MeshCore

/// A failure reported by libmariadb or the server: its error number, SQLSTATE and message.
struct MariaDBFailure: Error {
    var code: UInt32
    var sqlState: String
    var message: String

    /// The client lost (or never had) the server: the connection cannot be used again.
    var connectionBroken: Bool {
        [UInt32(CR_SERVER_GONE_ERROR), UInt32(CR_SERVER_LOST), UInt32(CR_CONNECTION_ERROR),
         UInt32(CR_CONN_HOST_ERROR), UInt32(CR_UNKNOWN_HOST), UInt32(CR_SERVER_LOST_EXTENDED),
         UInt32(CR_COMMANDS_OUT_OF_SYNC), 1053, 1927].contains(code)
    }
}

/// One client connection (`MYSQL *`), used by one thread at a time (the pool lends it).
///
/// `@unchecked Sendable`: the pool hands a connection to one borrower at a time.
final class MariaDBConnection: @unchecked Sendable {
    let handle: UnsafeMutablePointer<MYSQL>
    /// The server's id of this connection, which `KILL QUERY` names.
    let threadID: UInt

    /// Connects and sets the session up so that what meshql sends means what meshql means:
    /// text in UTF-8 compared byte by byte, without PAD SPACE (`utf8mb4_nopad_bin`, also for
    /// every text column the dialect reads); `||` concatenates; a backslash is no escape in
    /// a string; timestamps in UTC; a decimal division kept to 30 places, so that the
    /// dialect's AVG (a SUM divided by a COUNT) rounds to meshql's 16 places exactly.
    init(_ settings: MariaDBSettings, connectTimeout: UInt32 = 10) throws {
        guard let h = mysql_init(nil) else {
            throw MariaDBFailure(code: UInt32(CR_OUT_OF_MEMORY), sqlState: "HY000", message: "out of memory")
        }
        var timeout = connectTimeout
        mysql_options(h, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        mysql_options(h, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        var noInfile: UInt32 = 0
        mysql_options(h, MYSQL_OPT_LOCAL_INFILE, &noInfile)
        // TCP unless a socket is named: libmariadb would take host "localhost" to mean its
        // default socket, a server other than the one the operator's source rules allowed.
        var tcp = MYSQL_PROTOCOL_TCP.rawValue
        if settings.socket == nil { mysql_options(h, MYSQL_OPT_PROTOCOL, &tcp) }
        let ok = mysql_real_connect(h, settings.socket == nil ? settings.host : nil, settings.user, settings.password,
                                    settings.database, settings.socket == nil ? settings.port : 0, settings.socket, 0)
        guard ok != nil else {
            let failure = Self.failure(h)
            mysql_close(h)
            throw failure
        }
        handle = h
        threadID = UInt(mysql_thread_id(h))
        // MariaDB 10.6 on: JSON_TABLE (key sets), utf8mb4_nopad_bin. A MySQL server has
        // neither that collation nor MariaDB's LIMIT fence semantics checked here.
        let info = String(cString: mysql_get_server_info(h))
        guard info.contains("MariaDB"), mysql_get_server_version(h) >= 100_600 else {
            throw MariaDBFailure(code: UInt32(CR_VERSION_ERROR), sqlState: "08000",
                                 message: "the server is \(info.isEmpty ? "unknown" : info); meshql reads MariaDB 10.6 or later")
        }
        try exec("SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin")
        // max_sort_length: ORDER BY on text compares this many bytes (the default 1024 would
        // leave values sharing a longer prefix unordered; more needs a larger sort buffer).
        try exec("SET SESSION sql_mode = 'PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES,STRICT_ALL_TABLES,"
            + "NO_ENGINE_SUBSTITUTION', time_zone = '+00:00', div_precision_increment = 30, max_sort_length = 65536")
    }

    deinit { mysql_close(handle) }

    /// Whether the connection may serve another query (nothing broke it).
    var isReusable = true

    /// Shuts the connection's socket from another thread (`mariadb_cancel`): a call waiting on
    /// it returns with an error, and the connection is done.
    func shutDownSocket() {
        _ = mariadb_cancel(handle)
    }

    /// Runs a statement without parameters or rows (session settings).
    func exec(_ sql: String) throws {
        guard mysql_real_query(handle, sql, UInt(sql.utf8.count)) == 0 else { throw Self.failure(handle) }
        if let r = mysql_store_result(handle) { mysql_free_result(r) }
    }

    /// A statement prepared on this connection.
    func prepare(_ sql: String) throws -> MariaDBStatement {
        try MariaDBStatement(self, sql)
    }

    /// Runs a small query with `parameters` and returns every row, each value as text (nil for
    /// NULL): catalog and statistics queries.
    func rows(_ sql: String, _ parameters: [Value] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        try statement.execute(parameters)
        let n = statement.columnCount
        statement.bindResults(Array(repeating: .text, count: n))
        var rows: [[String?]] = []
        while try statement.fetch() {
            rows.append(try (0..<n).map { statement.isNull($0) ? nil : try statement.text($0) })
        }
        return rows
    }

    static func failure(_ h: UnsafeMutablePointer<MYSQL>) -> MariaDBFailure {
        MariaDBFailure(code: mysql_errno(h), sqlState: String(cString: mysql_sqlstate(h)),
                       message: String(cString: mysql_error(h)))
    }
}
