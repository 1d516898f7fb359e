import Foundation
import MeshCore
import MeshTestSupport
import Testing

/// The tenancy issue's attacks against `meshql serve`, each its own test, as org acme's admin
/// (whose connectors may read the temporary folder's SQLite files only), as the admin of a
/// second org, and as an analyst of acme (Server/tenancy_attacks.py says what each tries).
@Suite(.serialized) struct TenancyAttackTests {
    static let attacks = ["files_outside_the_root", "another_org_reads_acmes_file", "port_probe", "reader_sees_policy_text",
                          "token_guessing"]

    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)),
          arguments: attacks)
    func attack(_ name: String) throws {
        let server = try ServerTests.Server()
        defer { _ = server.stop() }
        let reader = try server.token(org: "acme", user: "ann@acme.test", role: "analyst")
        let run = try server.python("tenancy_attacks.py", arguments: [name], extra: ["MESHQL_READER_TOKEN": reader])
        #expect(run.status == 0, "\(run.text)")
    }

    /// A flood of idle and header-stalled sockets leaves /health and queries answering; the
    /// server closes the flood once it has been silent past `--idle-timeout`.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func socketFlood() throws {
        let server = try ServerTests.Server(options: ["--idle-timeout", "3"])
        defer { _ = server.stop() }
        let run = try server.python("tenancy_attacks.py", arguments: ["socket_flood"], extra: ["MESHQL_READER_TOKEN": ""])
        #expect(run.status == 0, "\(run.text)")
    }

    /// A JSON answer past `--max-json-bytes` is refused, not buffered; NDJSON streams it.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func hugeJSON() throws {
        let server = try ServerTests.Server(options: ["--max-json-bytes", "1000000"])
        defer { _ = server.stop() }
        let run = try server.python("tenancy_attacks.py", arguments: ["huge_json"], extra: ["MESHQL_READER_TOKEN": ""])
        #expect(run.status == 0, "\(run.text)")
    }

    /// /metrics counts every org's requests: beyond loopback only with the operator's secret.
    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)))
    func metricsFromAfar() throws {
        let server = try ServerTests.Server(options: ["--host", "0.0.0.0", "--metrics-token", "s3cret-metrics"])
        defer { _ = server.stop() }
        let run = try server.python("tenancy_attacks.py", arguments: ["metrics_from_afar"], extra: ["MESHQL_READER_TOKEN": ""])
        #expect(run.status == 0, "\(run.text)")
    }
}
