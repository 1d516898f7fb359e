import Foundation
import MeshCore
import MeshTestSupport
import Testing

/// `meshql serve` as a client sees it: the seed's own Python example and API.md's routes,
/// over HTTP on loopback, against the built binary.
@Suite(.serialized) struct ServerTests {
    static let binary = E2EFixture.packageRoot + "/.build/debug/meshql"
    static let scripts = E2EFixture.packageRoot + "/Tests/EndToEndTests/Server"

    static var canRun: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && Subprocess.which("python3") != nil
    }

    /// A catalog with tokens for orgs `acme` (an admin) and `other`, and a server on it.
    final class Server {
        let process = Process()
        let url: String
        let environment: [String: String]
        let catalog: String

        /// - Parameter existing: a catalog made already (a test's fixture) instead of a new one.
        init(options: [String] = [], catalog existing: String? = nil) throws {
            let catalog = existing ?? tempDirectory() + "/catalog.db"
            if existing == nil {
                _ = try Subprocess.check(ServerTests.binary, ["query", "--create", "--catalog", catalog, "SELECT 1"], what: "making a catalog")
            }
            func token(_ org: String, _ user: String) throws -> String {
                let out = try Subprocess.check(ServerTests.binary, ["token", "create", "--catalog", catalog, "--org", org,
                                                                    "--user", user, "--role", "admin"], what: "meshql token create")
                return String(out.split(separator: "\n").last ?? "")
            }
            let acme = try token("acme", "admin@acme.test"), other = try token("other", "admin@other.test")
            // The operator allows org acme the temporary folder's SQLite files (the scripts make
            // theirs there); PostgreSQL servers one by one (`allowPostgres`).
            self.catalog = catalog
            _ = try Subprocess.check(ServerTests.binary, ["source", "allow", "--catalog", catalog, "--org", "acme",
                                                          "--sqlite-root", NSTemporaryDirectory()], what: "meshql source allow")
            let port = try LoopbackPort.free()
            url = "http://127.0.0.1:\(port)/api"
            environment = ["MESHQL_API_URL": url, "MESHQL_TOKEN": acme, "MESHQL_ORG": "acme", "MESHQL_OTHER_TOKEN": other,
                           "MESHQL_CATALOG": catalog]
            process.executableURL = URL(fileURLWithPath: ServerTests.binary)
            process.arguments = ["serve", "--catalog", catalog, "--port", String(port)] + options
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Ready when /health answers: within a second on a quiet machine; the minute is for
            // a loaded one.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if (try? Subprocess.run("/usr/bin/env", ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:\(port)/health')"]))?.status == 0 { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            throw MeshError(.connection, "meshql serve did not start")
        }

        /// Allows org acme the server of `conninfo` (a running server sees the rule at once).
        func allowPostgres(_ conninfo: String) throws {
            let settings = Dictionary(conninfo.split(separator: " ").compactMap { pair -> (String, String)? in
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return kv.count == 2 ? (kv[0], kv[1]) : nil
            }, uniquingKeysWith: { a, _ in a })
            let server = "\(settings["host"] ?? "127.0.0.1"):\(settings["port"] ?? "5432")"
            _ = try Subprocess.check(ServerTests.binary, ["source", "allow", "--catalog", catalog, "--org", "acme",
                                                          "--postgres", server], what: "meshql source allow")
        }

        func python(_ script: String, arguments: [String] = [], extra: [String: String] = [:]) throws -> Subprocess.Output {
            let env = environment.merging(extra) { $1 }.map { "\($0.key)=\($0.value)" }
            return try Subprocess.run("/usr/bin/env", env + ["python3", ServerTests.scripts + "/" + script] + arguments)
        }

        /// A new token of the server's catalog (a running server accepts it at once).
        func token(org: String, user: String, role: String, attributes: [String] = []) throws -> String {
            let out = try Subprocess.check(ServerTests.binary, ["token", "create", "--catalog", catalog, "--org", org,
                                                                "--user", user, "--role", role] + attributes.flatMap { ["--attr", $0] },
                                           what: "meshql token create")
            return String(out.split(separator: "\n").last ?? "")
        }

        /// The server's peak resident memory so far, in bytes.
        var peakRSS: Int {
            let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }

        /// SIGTERM: the server stops accepting and exits.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func seedExampleAndAPIChecks() throws {
        let server = try Server()
        let seed = try server.python("seed_example.py")
        #expect(seed.status == 0, "\(seed.text)")
        #expect(seed.text.range(of: #"^Mesh 'Sales Analytics' created with ID: [0-9a-f-]{36}\n$"#, options: .regularExpression) != nil,
                "\(seed.text)")
        let checks = try server.python("api_checks.py")
        #expect(checks.status == 0, "\(checks.text)")
        let openAPI = try server.python("openapi_check.py")
        #expect(openAPI.status == 0, "\(openAPI.text)")
        var extra: [String: String] = [:]
        if let pg = try TestPostgres.sharedBlocking(caller: "ServerTests") {
            extra["MESHQL_PG_DSN"] = pg.conninfo(database: "postgres")
            try server.allowPostgres(pg.conninfo)
        }
        let entities = try server.python("entity_api.py", extra: extra)
        #expect(entities.status == 0, "\(entities.text)")
        #expect(server.stop() == 0)
    }

    /// NDJSON over a million PostgreSQL rows streams (the first line long before the last)
    /// in bounded memory; DELETE /api/query/{id}, a statement timeout and a client hanging up
    /// each stop a long query at the source promptly. Promptly is within 5 s (10 s for the
    /// timeout's answer), where an idle machine takes well under a second (a cancelled
    /// backend was gone in 60 ms) and the query would otherwise run for minutes.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(10)))
    func streamsAMillionRowsAndCancels() async throws {
        guard let pg = try await TestPostgres.shared() else { return }
        let database = "meshql_serve_\(getpid())"
        let conninfo = try pg.createDatabase(database)
        try pg.execute("CREATE TABLE million AS SELECT g AS id, g % 1000 AS v FROM generate_series(1, 1000000) AS g", database: database)
        let server = try Server()
        defer { _ = server.stop() }
        try server.allowPostgres(conninfo)
        let setup = try server.python("register.py", extra: ["MESHQL_PG_DSN": conninfo])
        #expect(setup.status == 0, "\(setup.text)")
        let run = try server.python("stream_and_cancel.py", extra: ["MESHQL_PG_DSN": conninfo])
        #expect(run.status == 0, "\(run.text)")
        let report = try JSONSerialization.jsonObject(with: Data(run.text.utf8)) as? [String: Any] ?? [:]
        print("serve: \(run.text.trimmingCharacters(in: .whitespacesAndNewlines)), peak RSS \(server.peakRSS >> 20) MB")
        #expect(report["lines"] as? Int == 1_000_002)
        let first = report["first_line_s"] as? Double ?? .infinity, total = report["total_s"] as? Double ?? 0
        #expect(first < total / 4, "first line after \(first) s of \(total) s")
        #expect(server.peakRSS < 300 << 20)
        #expect(report["delete_status"] as? Int == 204)
        #expect((report["running_before_cancel"] as? Int ?? 0) >= 1)
        #expect((report["backend_stopped_after_s"] as? Double ?? .infinity) < 5, "\(run.text)")
        #expect(report["timeout_status"] as? Int == 504 && report["timeout_sqlstate"] as? String == "57014", "\(run.text)")
        #expect((report["timeout_after_s"] as? Double ?? .infinity) < 10, "\(run.text)")
        let disconnects = report["disconnect_stopped_after_s"] as? [String: Any] ?? [:]
        #expect(disconnects.count == 3, "\(run.text)")
        for (format, after) in disconnects {
            #expect((after as? Double ?? .infinity) < 5, "a hang-up did not stop the \(format) query: \(run.text)")
        }
    }

    /// A token over its rate limit gets 429 with Retry-After and the service stays healthy;
    /// /metrics is Prometheus text that counts it.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func rateLimitAndMetrics() throws {
        let server = try Server(options: ["--rate-limit", "2"])
        defer { _ = server.stop() }
        let run = try server.python("limits_and_metrics.py")
        #expect(run.status == 0, "\(run.text)")
    }

    /// Eight clients at once, each joining six products of a `pool_size '2'` PostgreSQL
    /// connector with pushdown off: every one answers, and rightly (no query waits on itself
    /// or on the others for connections). pool_over_http.py says why eight, and why its
    /// pool time-out is five minutes; the limit here is longer than that.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(10)))
    func sixFragmentQueriesAtOnceOverHTTP() async throws {
        guard let pg = try await TestPostgres.shared() else { return }
        let database = "meshql_serve_six_\(getpid())"
        let conninfo = try pg.createDatabase(database)
        var sql = "SET client_min_messages = warning;\n"
        for i in 1...6 { sql += "CREATE TABLE t\(i) AS SELECT g AS id, g % 7 AS v FROM generate_series(1, 24000) AS g;\n" }
        try pg.execute(sql, database: database)
        let server = try Server()
        defer { _ = server.stop() }
        try server.allowPostgres(conninfo)
        let clock = ContinuousClock()
        let start = clock.now
        let run = try server.python("pool_over_http.py", extra: ["MESHQL_PG_DSN": conninfo])
        #expect(run.status == 0, "\(run.text)")
        print("eight six-fragment queries at once over HTTP: \(clock.now - start)")
    }

    /// `meshql repl --server` runs the demo's showcase queries over HTTP and gets what the
    /// local catalog gives: the same row counts, no error.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func replOverHTTPRunsTheShowcase() throws {
        let dir = tempDirectory()
        _ = try Subprocess.check(ServerTests.binary, ["demo", "--sqlite-only", "--dir", dir, "--run"], what: "meshql demo --run")
        let catalog = dir + "/meshql.db"
        let showcase = E2EFixture.packageRoot + "/Sources/MeshDemo/Resources/demo/showcase.sql"
        let local = try Subprocess.check(ServerTests.binary, ["query", "--catalog", catalog, "-f", showcase], what: "the showcase locally")
        let token = try Subprocess.check(ServerTests.binary, ["token", "create", "--catalog", catalog, "--org", "default",
                                                              "--user", "sam@acme.example", "--role", "steward"], what: "a token")
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = try LoopbackPort.free()
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: ServerTests.binary)
        serve.arguments = ["serve", "--catalog", catalog, "--port", String(port)]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { serve.terminate(); serve.waitUntilExit() }
        var remote: Subprocess.Output?
        // Again until the new server listens: a moment on a quiet machine, up to a minute.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            remote = try Subprocess.run(ServerTests.binary, ["repl", "--server", "http://127.0.0.1:\(port)", "--token", token,
                                                             "--org", "default"], stdinFile: showcase)
            if remote?.text.contains("cannot reach") == false { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        func counts(_ text: String) -> [String] { text.split(separator: "\n").filter { $0.hasPrefix("(") && $0.hasSuffix(")") }.map(String.init) }
        let answer = try #require(remote)
        #expect(answer.status == 0)
        #expect(!answer.text.contains("ERROR"), "\(answer.text.suffix(500))")
        #expect(!counts(local).isEmpty && counts(answer.text) == counts(local))
    }
}
