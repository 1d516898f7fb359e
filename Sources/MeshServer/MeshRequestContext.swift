import HTTPTypes
import Hummingbird
import MeshCatalog
import MeshCore
import NIOCore

/// What a request carries through the server: Hummingbird's core context, and once the auth
/// middleware has checked the token, who is asking.
public struct MeshRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The principal and org of the request's token (nil on routes without auth).
    public var caller: APIToken?
    /// The largest request body taken, in bytes (`--max-body`).
    public var maxUploadSize: Int { MeshServer.maxBodyBytes }

    /// The client's connection (its close cancels the queries it runs).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
