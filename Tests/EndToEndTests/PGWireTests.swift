import Foundation
import MeshCore
import MeshTestSupport
import Testing

/// PostgreSQL's protocol beside HTTP (`meshql serve --pg-port`), with psql as the client and
/// raw sockets for what no client would send (Server/pg_wire.py says what each check does).
@Suite(.serialized) struct PGWireTests {
    static var canRun: Bool { ServerTests.canRun && Subprocess.which("psql") != nil }

    @Test(.enabled(if: PGWireTests.canRun, "needs the built binary, python3 and psql"), .timeLimit(.minutes(5)),
          arguments: ["psql_basics", "same_as_http", "sign_in_refused", "cancel", "hostile_bytes", "drivers", "portal_suspension", "jdbc"])
    func check(_ name: String) throws {
        let port = try LoopbackPort.free()
        let server = try ServerTests.Server(options: ["--pg-port", String(port), "--header-timeout", "2"])
        defer { _ = server.stop() }
        let reader = try server.token(org: "acme", user: "ann@acme.test", role: "analyst")
        let run = try server.python("pg_wire.py", arguments: [name],
                                    extra: ["MESHQL_READER_TOKEN": reader, "MESHQL_PG_PORT": String(port)])
        #expect(run.status == 0, "\(run.text)")
    }
}
