import NIOCore
import NIOHTTPTypes

/// A request's head must arrive whole within `timeout` of its first byte. The idle timeout
/// alone closes only a connection that sends nothing: a client trickling its headers a byte
/// at a time would hold the connection (and a slot of `--max-connections`) for ever. The
/// deadline starts with the first byte of each request (none runs while a connection is idle
/// between requests — that is the idle timeout's — or while a response is being sent).
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    /// No request is in flight: the next bytes begin a request's head.
    private var awaitingHead = true

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The bytes themselves are seen before the HTTP decoder, which only speaks once a
        // head is whole.
        try? context.pipeline.syncOperations.addHandler(FirstBytes(self), position: .first)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func bytesArrived() {
        guard awaitingHead, timer == nil, let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
            awaitingHead = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { awaitingHead = true }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}

/// Tells `RequestHeadDeadline` that bytes came in.
private final class FirstBytes: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private weak var deadline: RequestHeadDeadline?

    init(_ deadline: RequestHeadDeadline) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.bytesArrived()
        context.fireChannelRead(data)
    }
}
