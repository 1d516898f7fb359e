import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshCatalog
import MeshCore
import MeshEngine
import MeshLineage
import MeshPlan
import MeshREPL
import MeshSQL

/// The shell over HTTP (`meshql repl --server URL --token T --org O`): each statement goes to
/// `POST /api/query` as NDJSON; errors come back as problem+json with their SQLSTATE and
/// position, so the shell shows them with a caret as it does locally. Who runs the statements
/// is the token's principal: `\as` is for a local catalog only.
final class RemoteBackend: ShellBackend, @unchecked Sendable {
    let base: URL
    let token: String
    let org: String
    private let session = URLSession(configuration: .ephemeral)

    init(server: String, token: String, org: String) throws {
        var text = server
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            throw MeshError(.invalidParameter, "--server takes an http:// or https:// URL, not \"\(server)\"")
        }
        self.base = url
        self.token = token
        self.org = org
    }

    var promptMesh: String? { nil }
    var promptIdentity: String? { "@" + (base.host ?? "server") }

    // Completion offers keywords only: names would need a round trip per Tab.
    func meshNames() -> [String] { [] }
    func productNames(mesh: String) -> [String] { [] }
    func columnNames(mesh: String, product: String) -> [String] { [] }

    func execute(_ sql: String) async throws -> ShellOutcome {
        var request = URLRequest(url: base.appendingPathComponent("api/query"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/x-ndjson", forHTTPHeaderField: "Accept")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["sql": sql])
        let data = try await send(request)
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first, let head = try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any] else {
            throw MeshError(.connection, "the server's answer is not a result")
        }
        if let message = head["message"] as? String { return .message(message) }
        let fields = (head["columns"] as? [[String: Any]] ?? []).map { c in
            Field(name: c["name"] as? String ?? "?", type: DataType.parse(c["type"] as? String ?? "text") ?? .text)
        }
        var rows: [[Value]] = []
        var complete = false
        for line in lines.dropFirst() {
            let object = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
            if let row = object as? [Any] {
                rows.append(zip(row, fields).map { Self.value($0, $1.type) })
            } else if let trailer = object as? [String: Any], let error = trailer["error"] as? [String: Any] {
                throw MeshError(.source, error["detail"] as? String ?? "the query failed while its rows were sent")
            } else if let trailer = object as? [String: Any], trailer["stats"] != nil {
                complete = true
            }
        }
        // Without its closing line the answer was cut: not a whole result.
        guard complete else { throw MeshError(.connection, "the server's answer ended before its last line") }
        let batch = Batch.fromRows(rows, types: fields.map(\.type))
        return .rows(ShellRows(fields: fields, batches: rows.isEmpty ? [] : [batch]))
    }

    /// `\lineage MESH.PRODUCT` and `\history [N]`, asked of the server
    /// (`GET /api/lineage`, `GET /api/query/history`) and shown as the local shell shows them.
    func metaCommand(_ name: String, argument: String) async throws -> ShellOutcome? {
        let words = argument.split(whereSeparator: \.isWhitespace).map(String.init)
        switch name {
        case "lineage":
            let body = try await get("api/lineage", ["product": try LineageCommands.product(words), "limit": "10"])
            guard let object = body as? [String: Any], let graph = ProductLineage(jsonObject: object) else {
                throw MeshError(.connection, "the server's answer is not a lineage graph")
            }
            return .message(graph.text)
        case "history":
            let body = try await get("api/query/history", ["limit": String(try LineageCommands.historyLimit(words))])
            return .message(LineageCommands.historyText((body as? [[String: Any]] ?? []).compactMap(AuditRecord.init(historyJSON:))))
        default:
            return nil
        }
    }

    /// A GET of the API, as the token's principal; its JSON answer.
    private func get(_ path: String, _ query: [String: String]) async throws -> Any {
        var parts = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        parts?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = parts?.url else { throw MeshError(.invalidParameter, "cannot make a request of \(base.absoluteString)") }
        return try JSONSerialization.jsonObject(with: try await send(URLRequest(url: url)))
    }

    /// Sends `request` as the token's principal in the org; the body of a 200 answer, else
    /// the problem it reports as the shell's error.
    private func send(_ request: URLRequest) async throws -> Data {
        var request = request
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(org, forHTTPHeaderField: "x-org")
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch is CancellationError {
            throw MeshError(.cancelled, "canceling statement due to user request")
        } catch {
            throw MeshError(.connection, "cannot reach \(base.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Self.problem(data, status: status) }
        return data
    }

    /// A JSON value of a column of type `type`, as the engine's own value.
    static func value(_ json: Any, _ type: DataType) -> Value {
        switch json {
        case is NSNull: return .null
        case let b as Bool where type == .boolean: return .bool(b)
        case let n as NSNumber:
            let text = n.stringValue
            return (try? ValueCast.cast(.string(text), from: .text, to: type)) ?? .string(text)
        case let s as String:
            return (try? ValueCast.cast(.string(s), from: .text, to: type)) ?? .string(s)
        default:
            return .string("\(json)")
        }
    }

    /// A problem+json answer as the error the shell shows: its detail, at its position.
    static func problem(_ data: Data, status: Int) -> MeshError {
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let detail = body["detail"] as? String ?? "the server answered \(status)"
        var location: SourceLocation?
        if let p = body["position"] as? [String: Any], let line = p["line"] as? Int, let column = p["column"] as? Int {
            location = SourceLocation(line: line, column: column)
        }
        let code: MeshError.Code = switch body["sqlstate"] as? String ?? "" {
        case "42601": .syntax
        case "42P01": .undefinedTable
        case "42703": .undefinedColumn
        case "42883": .undefinedFunction
        case "42804": .typeMismatch
        case "42501": .permission
        case "57014": .cancelled
        default: status == 401 || status == 403 ? .permission : .source
        }
        return MeshError(code, detail, at: location)
    }
}
