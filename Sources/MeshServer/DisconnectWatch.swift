import Foundation
import MeshEngine
import NIOCore
import Synchronization

/// Cancels a connection's running queries when its client goes away. The handler awaiting a
/// quiet source writes nothing, so without this a disconnect would go unnoticed until the
/// first row (never, for a long aggregate). One close callback per connection, not one per
/// request: a keep-alive connection carries thousands of queries.
final class DisconnectWatch: Sendable {
    /// Running queries by connection, then by query id.
    private let running = Mutex<[ObjectIdentifier: [String: RunningQuery]]>([:])

    /// Registers `query` as running on `channel`; `done()` takes it off.
    func add(_ query: RunningQuery, id: String, on channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let first = running.withLock { r -> Bool in
            let first = r[key] == nil
            r[key, default: [:]][id] = query
            return first
        }
        guard first else { return }
        // The server lets a client half-close (Hummingbird allows it), so a client that
        // hangs up shows first as "input closed", the connection itself closing only later.
        let gone: @Sendable () -> Void = { [self] in
            let orphans = running.withLock { $0.removeValue(forKey: key) } ?? [:]
            orphans.values.forEach { $0.cancel() }
        }
        channel.eventLoop.execute {
            try? channel.pipeline.syncOperations.addHandler(ClientGoneHandler(gone), position: .first)
        }
        channel.closeFuture.whenComplete { _ in gone() }
    }

    func done(_ id: String, on channel: any Channel) {
        running.withLock { r in _ = r[ObjectIdentifier(channel)]?.removeValue(forKey: id) }
    }
}

/// Tells when the client stops sending (it closed its side) or the connection goes.
private final class ClientGoneHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let gone: @Sendable () -> Void

    init(_ gone: @escaping @Sendable () -> Void) { self.gone = gone }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent { gone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        gone()
        context.fireChannelInactive()
    }
}
