import Foundation
import HTTPTypes
import Hummingbird
import MeshCore
import MeshSQL

/// RFC 9457 problem details (`application/problem+json`), with meshql's `sqlstate`,
/// `position` and `query_id`. Every error the API gives is one.
struct Problem: Error {
    var status: HTTPResponse.Status
    var title: String
    var detail: String
    var sqlstate: String?
    var position: SourceLocation?
    var queryID: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil, sqlstate: String? = nil,
         position: SourceLocation? = nil, queryID: String? = nil) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.sqlstate = sqlstate
        self.position = position
        self.queryID = queryID
    }

    /// A MeshError as a problem: the HTTP status its SQLSTATE class means for a client.
    init(_ error: MeshError, queryID: String? = nil, notFoundIsClientError: Bool = true) {
        let status: HTTPResponse.Status = switch error.code {
        case .permission: .forbidden
        case .undefinedObject where !notFoundIsClientError, .undefinedTable where !notFoundIsClientError: .notFound
        case .duplicateObject, .dependentObjects, .unavailable: .conflict
        case .cancelled: .init(code: 499, reasonPhrase: "Client Closed Request")
        case .tooManyConnections: .tooManyRequests
        case .connection, .source: .badGateway
        case .outOfMemory, .programLimitExceeded: .init(code: 422, reasonPhrase: "Unprocessable Content")
        case .catalog, .internalError: .internalServerError
        default: .badRequest
        }
        var detail = error.message
        if let hint = error.hint { detail += " (\(hint))" }
        self.init(status, detail, sqlstate: error.sqlState, position: error.location, queryID: queryID)
    }

    var response: Response {
        var body: [String: Any] = ["type": "about:blank", "title": title, "status": Int(status.code), "detail": detail]
        if let sqlstate { body["sqlstate"] = sqlstate }
        if let position { body["position"] = ["line": position.line, "column": position.column] }
        if let queryID { body["query_id"] = queryID }
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let queryID { headers[HTTPField.Name("X-Query-Id")!] = queryID }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Runs a route, turning every error into a problem response.
func answering(_ body: () async throws -> Response) async -> Response {
    do {
        return try await body()
    } catch let p as Problem {
        return p.response
    } catch let e as MeshError {
        return Problem(e, notFoundIsClientError: false).response
    } catch let e as any HTTPResponseError {
        // Hummingbird's own: a body over the limit (413) and the like.
        return Problem(e.status, e.status == .contentTooLarge ? "the request body is larger than the server takes" : e.status.reasonPhrase).response
    } catch {
        return Problem(.internalServerError, "internal error").response
    }
}
