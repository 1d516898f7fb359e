import Foundation
import MeshCore
import MeshTestSupport
import Testing

/// PostgreSQL's protocol beside HTTP (`meshql serve --pg-port`), with psql as the client and
/// raw sockets for what no client would send (Server/pg_wire.py says what each check does).
@Suite(.serialized) struct PGWireTests {
    static var canRun: Bool { ServerTests.canRun && Subprocess.which("psql") != nil }

    @Test(.enabled(if: PGWireTests.canRun, "needs the built binary, python3 and psql"), .timeLimit(.minutes(5)),
          arguments: ["psql_basics", "catalog", "copy", "same_as_http", "sign_in_refused", "cancel", "hostile_bytes", "drivers", "portal_suspension", "jdbc", "tls"])
    func check(_ name: String) throws {
        let port = try LoopbackPort.free()
        // A self-signed certificate for 127.0.0.1: clients that ask for TLS get it.
        let folder = tempDirectory()
        _ = try Subprocess.check("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem",
                                                  "-out", folder + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                  "-addext", "subjectAltName=IP:127.0.0.1"], what: "openssl")
        let server = try ServerTests.Server(options: ["--pg-port", String(port), "--header-timeout", "2",
                                                      "--tls-cert", folder + "/cert.pem", "--tls-key", folder + "/key.pem"])
        defer { _ = server.stop() }
        let reader = try server.token(org: "acme", user: "ann@acme.test", role: "analyst")
        let run = try server.python("pg_wire.py", arguments: [name],
                                    extra: ["MESHQL_READER_TOKEN": reader, "MESHQL_PG_PORT": String(port), "MESHQL_PG_CERT": folder + "/cert.pem"])
        #expect(run.status == 0, "\(run.text)")
    }

    @Test(.enabled(if: PGWireTests.canRun, "needs the built binary, python3 and psql"), .timeLimit(.minutes(5)))
    func cleartextOverTLS() throws {
        let port = try LoopbackPort.free()
        let folder = tempDirectory()
        _ = try Subprocess.check("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem",
                                                  "-out", folder + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                  "-addext", "subjectAltName=IP:127.0.0.1"], what: "openssl")
        let server = try ServerTests.Server(options: ["--pg-port", String(port), "--tls-cert", folder + "/cert.pem",
                                                      "--tls-key", folder + "/key.pem", "--pg-cleartext-password"])
        defer { _ = server.stop() }
        let run = try server.python("pg_wire.py", arguments: ["cleartext"],
                                    extra: ["MESHQL_READER_TOKEN": "-", "MESHQL_PG_PORT": String(port), "MESHQL_PG_CERT": folder + "/cert.pem"])
        #expect(run.status == 0, "\(run.text)")
    }

    @Test(.enabled(if: PGWireTests.canRun, "needs the built binary, python3 and psql"), .timeLimit(.minutes(5)))
    func connectionCap() throws {
        let port = try LoopbackPort.free()
        let server = try ServerTests.Server(options: ["--pg-port", String(port), "--max-connections", "3"])
        defer { _ = server.stop() }
        let run = try server.python("pg_wire.py", arguments: ["connection_cap"],
                                    extra: ["MESHQL_READER_TOKEN": "-", "MESHQL_PG_PORT": String(port)])
        #expect(run.status == 0, "\(run.text)")
    }
}
