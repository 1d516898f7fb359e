import Foundation
import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshCore
import MeshEngine

/// `/api/data/mesh`: exactly the seed's API (API.md, `seeds/mesh-api.txt`).
struct MeshRoutes {
    let engine: Engine

    func add(to router: Router<MeshRequestContext>) {
        router.post("api/data/mesh") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let mesh = try session.createMesh(try MeshEnvelope.mesh(from: try await jsonObject(request, context), base: nil))
                return try json(MeshEnvelope.json(session.shownMesh(mesh), children: session.meshChildren(mesh)))
            }
        }
        router.get("api/data/mesh/list") { _, context in
            await answering {
                let session = try engine.session(for: context)
                let list = try session.visibleMeshes().map { MeshEnvelope.json(session.shownMesh($0), children: try session.meshChildren($0)) }
                return try json(list)
            }
        }
        router.get("api/data/mesh") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let mesh = try find(session, request)
                return try json(MeshEnvelope.json(session.shownMesh(mesh), children: session.meshChildren(mesh)))
            }
        }
        router.put("api/data/mesh") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let stored = try find(session, request)
                let body = try await jsonObject(request, context)
                let mesh = try session.updateMesh(try MeshEnvelope.mesh(from: body, base: stored))
                return try json(MeshEnvelope.json(session.shownMesh(mesh), children: session.meshChildren(mesh)))
            }
        }
        router.delete("api/data/mesh") { request, context in
            await answering {
                let session = try engine.session(for: context)
                let mesh = try find(session, request)
                try session.deleteMesh(id: mesh.id)
                return Response(status: .noContent)
            }
        }
    }

    /// The mesh `?identifier=` names, in the caller's org; another org's is not found.
    func find(_ session: Session, _ request: Request) throws -> Mesh {
        guard let text = request.uri.queryParameters["identifier"].map(String.init) else {
            throw Problem(.badRequest, "identifier: the query parameter is required")
        }
        guard let id = UUID(uuidString: text), let mesh = try session.visibleMesh(id: id) else {
            throw Problem(.notFound, "mesh \(text) does not exist")
        }
        return mesh
    }
}

/// A JSON object body; anything else is a 400 that says what was wrong.
func jsonObject(_ request: Request, _ context: MeshRequestContext) async throws -> [String: Any] {
    let buffer = try await request.body.collect(upTo: context.maxUploadSize)
    let data = Data(buffer.readableBytesView)
    let parsed: Any
    do {
        parsed = try JSONSerialization.jsonObject(with: data)
    } catch {
        throw Problem(.badRequest, "the body is not valid JSON", title: "Invalid request body")
    }
    guard let object = parsed as? [String: Any] else {
        throw Problem(.badRequest, "the body must be a JSON object", title: "Invalid request body")
    }
    return object
}

/// A 200 response with a JSON body.
func json(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    return Response(status: status, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

extension Engine {
    /// A session for one request: the token's org and principal.
    func session(for context: MeshRequestContext) throws -> Session {
        guard let caller = context.caller else { throw Problem(.unauthorized, "a valid bearer token is required") }
        let session = makeSession()
        session.org = caller.org
        session.principal = caller.principal
        // A client may lower its queries' memory budget, not raise it past the server's.
        session.memoryLimitCeiling = session.memoryLimit
        return session
    }
}
