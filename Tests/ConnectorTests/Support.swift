import ConnectorKit
import Foundation
import MeshCore
import MeshTestSupport
import PostgresConnector
import Testing

/// The PostgreSQL database the connector tests read: created once per test process on the
/// shared test server, with fixture tables. Nil (after a loud SKIP) when there is no server.
enum PGFixture {
    struct Database: Sendable {
        let server: TestPostgres
        let conninfo: String
        let name: String
    }

    private static let cache = Cache()

    /// A conninfo string or URI with `application_name` set, to find a connector's sessions
    /// in `pg_stat_activity`.
    static func conninfo(_ conninfo: String, applicationName: String) -> String {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://"),
           var url = URLComponents(string: conninfo) {
            url.queryItems = (url.queryItems ?? []) + [URLQueryItem(name: "application_name", value: applicationName)]
            return url.string ?? conninfo
        }
        return conninfo + " application_name=\(applicationName)"
    }

    static func get() async throws -> Database? {
        try await cache.get()
    }

    /// `@unchecked Sendable`: `task` is only touched under `lock`.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var task: Task<Database?, Error>?

        func get() async throws -> Database? {
            try await startOnce().value
        }

        private func startOnce() -> Task<Database?, Error> {
            lock.withLock {
                if let task { return task }
                let t = Task { try await PGFixture.create() }
                task = t
                return t
            }
        }
    }

    private static func create() async throws -> Database? {
        guard let server = try await TestPostgres.shared() else { return nil }
        let name = "meshql_connector_tests_\(getpid())"
        let conninfo = try server.createDatabase(name)
        try server.execute(fixtureSQL, database: name)
        return Database(server: server, conninfo: conninfo, name: name)
    }

    static let fixtureSQL = """
        CREATE DOMAIN positive_int AS int4 CHECK (VALUE > 0);
        CREATE TABLE all_types (
            id int4 PRIMARY KEY, b bool, s int2, i int4, l int8, r float4, d float8,
            n numeric(15,2), nn numeric, t text, v varchar(20), c char(5), dt date,
            ts timestamp, tz timestamptz, by bytea, u uuid, j jsonb, iv interval, p positive_int
        );
        INSERT INTO all_types VALUES
            (1, true, -12, 123456, 9000000000, 1.5, 2.25, 12345.67, 0.1234567, 'héllo', 'varchar', 'ab',
             '2024-02-29', '2024-02-29 13:45:06.123456', '2024-02-29 13:45:06+02', '\\x00ff10',
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', '1 day 02:00:00', 7),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL),
            (3, false, 32767, -2147483648, -9223372036854775808, -0.5, -1e300, -0.01, -99999999999999999999.999999,
             '', 'x', 'abcde', '1970-01-01', '1999-12-31 23:59:59.999999', '2000-01-01 00:00:00+00', '\\x',
             '00000000-0000-0000-0000-000000000000', 'null', '-3 mons', 1);
        CREATE VIEW all_types_view AS SELECT id, n, t FROM all_types;
        CREATE TABLE nums (a numeric(10,1), b numeric(10,1));
        INSERT INTO nums VALUES (0.1, 0.2), (-0.1, -0.2);
        CREATE TABLE big AS SELECT g AS id, (g * 1.5)::numeric(12,1) AS x, 'row ' || g AS label
            FROM generate_series(1, 10000) g;
        ANALYZE big;
        """
}

/// All rows of a stream, as values (tests only: real code stays columnar).
func rows(_ stream: BatchStream) async throws -> [[Value]] {
    var out: [[Value]] = []
    for batch in try await stream.collect() {
        for i in 0..<batch.rowCount { out.append(batch.row(i)) }
    }
    return out
}

/// The error a stream ends with, or nil.
func failure(_ stream: BatchStream) async -> Error? {
    do {
        _ = try await stream.collect()
        return nil
    } catch {
        return error
    }
}
