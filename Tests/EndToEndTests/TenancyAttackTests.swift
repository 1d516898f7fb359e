import Foundation
import MeshCore
import MeshTestSupport
import Testing

/// The tenancy issue's attacks against `meshql serve`, each its own test, as org acme's admin
/// (whose connectors may read the temporary folder's SQLite files only), as the admin of a
/// second org, and as an analyst of acme (Server/tenancy_attacks.py says what each tries).
@Suite(.serialized) struct TenancyAttackTests {
    struct Attack: Sendable, CustomTestStringConvertible {
        var name: String
        /// How the server runs for it.
        var options: [String] = []
        var testDescription: String { name }
    }

    static let attacks: [Attack] = [
        .init(name: "files_outside_the_root"), .init(name: "another_org_reads_acmes_file"), .init(name: "port_probe"),
        .init(name: "reader_sees_policy_text"), .init(name: "token_guessing"), .init(name: "hash_oracle"), .init(name: "rename_escape"),
        // Planning stops on the statement timeout and on DELETE, not only the rows.
        .init(name: "runaway_plan"),
        // A CPU-bound query gives its event loop up: /health and queries answer while it runs.
        .init(name: "cpu_bound_query"),
        // A request's head must be whole within --header-timeout of its first byte.
        .init(name: "header_trickle", options: ["--header-timeout", "2"]),
        // A flood of idle and header-stalled sockets leaves /health and queries answering; the
        // server closes the flood once it has been silent past `--idle-timeout`.
        .init(name: "socket_flood", options: ["--idle-timeout", "3"]),
        // A JSON answer of 500 MB streams (the server grows by under 100 MB); past max_bytes
        // (at most `--max-result-bytes`) an answer is refused, or ends with an in-band error.
        .init(name: "huge_json", options: ["--max-result-bytes", "550000000"]),
        // /metrics counts every org's requests: beyond loopback only with the operator's secret.
        .init(name: "metrics_from_afar", options: ["--host", "0.0.0.0", "--metrics-token", "s3cret-metrics"]),
    ]

    @Test(.enabled(if: ServerTests.canRun, "needs the built binary and python3"), .timeLimit(.minutes(5)),
          arguments: attacks)
    func attack(_ attack: Attack) throws {
        let server = try ServerTests.Server(options: attack.options)
        defer { _ = server.stop() }
        let reader = try server.token(org: "acme", user: "ann@acme.test", role: "analyst")
        let manager = try server.token(org: "acme", user: "mo@acme.test", role: "engineer")
        let before = server.peakRSS
        let run = try server.python("tenancy_attacks.py", arguments: [attack.name],
                                    extra: ["MESHQL_READER_TOKEN": reader, "MESHQL_MANAGER_TOKEN": manager])
        #expect(run.status == 0, "\(run.text)")
        // The answer is 500 MB; a server that held it would grow past that. Streaming it, the
        // growth is batches in flight and malloc's arenas: 72–113 MB measured alone and beside
        // the rest of the suite, so the bound is half the answer, not a tight figure.
        if attack.name == "huge_json" {
            #expect(server.peakRSS - before < 250 << 20, "the server grew by \((server.peakRSS - before) >> 20) MB")
        }
    }
}
