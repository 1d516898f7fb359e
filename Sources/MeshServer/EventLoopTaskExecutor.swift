import NIOCore
import NIOPosix

/// Runs the server's Swift tasks on its NIO event loops instead of Swift's cooperative pool.
///
/// A request otherwise crosses threads four times: from the event loop that read it to a
/// pool thread that handles it, and back to the loop to write the answer (and the same for
/// every await on a source). On two cores those wake-ups cost more than the handling of a
/// point query. A job enqueued from an event loop stays on it; one enqueued from elsewhere
/// (a source thread handing a batch over) goes to the next loop.
///
/// Work that blocks runs on `SourceThreads`: source queries, planning that reads the
/// catalog, catalog statements. Catalog reads served from the metadata cache stay here; a
/// cache miss on the way (a token not seen yet, an entity route's lookup) reads SQLite here.
final class EventLoopTaskExecutor: TaskExecutor {
    /// The server's, over NIO's shared event loops.
    static let shared = EventLoopTaskExecutor(group: .singleton)

    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        loop.execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
