import Foundation
import MeshCore

/// A bounded hand-off of batches from a blocking producer thread (a libpq or sqlite3 read
/// loop) to an async consumer. The producer blocks when the waiting batches fill `capacity`
/// slots, so a fast source never fills memory; cancelling wakes both sides and runs the
/// source's cancel hook (`PQcancel`, `sqlite3_interrupt`). A batch takes a slot per
/// `slotBytes` it holds (at least one, at most all): four batches of huge values (two rows of
/// 5 MB each) would otherwise wait in memory at once.
///
/// `@unchecked Sendable`: every mutable field is read and written under `lock`; the semaphore
/// and the cancel hook are themselves thread-safe.
public final class BatchStream: @unchecked Sendable {
    private let lock = NSLock()
    /// Each batch with the slots it took (none when it was read ahead beyond `capacity`).
    private var queue: [(batch: Batch, slots: Int)] = []
    private var head = 0
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var waiting: CheckedContinuation<Batch?, Error>?
    private var cancelHook: (@Sendable () -> Void)?
    private let space: DispatchSemaphore
    private let capacity: Int
    /// When it says so, a producer blocked on a full queue reads ahead instead (see `yieldWhen`).
    private var pressure: (@Sendable () -> Bool)?
    /// The bytes of the batches queued beyond `capacity` (they took no room from `space`).
    private var overflowBytes = 0

    /// What a read slot of `queue` holds until the queue is compacted.
    private static let consumed = (batch: Batch.empty(rows: 0), slots: 0)

    /// The bytes of a batch for which it takes one slot.
    public static let slotBytes = 4 << 20

    /// The slots `batch` takes.
    private func slots(for batch: Batch) -> Int {
        min(capacity, 1 + batch.estimatedBytes / Self.slotBytes)
    }

    /// The most a stream reads ahead into memory to give its connection back.
    public static let maxReadAhead = 256 << 20

    public init(capacity: Int = 4) {
        self.capacity = capacity
        self.space = DispatchSemaphore(value: capacity)
    }

    /// Runs `produce` on a source thread (`SourceThreads`, never Swift's cooperative pool,
    /// which blocking C calls would starve). The closure sends batches and returns; a thrown
    /// error ends the stream with that error.
    public static func start(_ produce: @escaping @Sendable (BatchStream) throws -> Void) -> BatchStream {
        let stream = BatchStream()
        SourceThreads.shared.run { stream.produce { try produce(stream) } }
        return stream
    }

    /// Runs `produce` on a source thread once `pool` lends it a connection: a query waiting
    /// for a connection holds no thread.
    public static func start<C>(borrowing pool: ConnectionPool<C>,
                                _ produce: @escaping @Sendable (BatchStream, (connection: C, reused: Bool)) throws -> Void) -> BatchStream {
        let stream = BatchStream()
        pool.lend { lease in stream.produce { try produce(stream, lease.get()) } }
        return stream
    }

    /// Ends the stream with `body`'s outcome.
    private func produce(_ body: () throws -> Void) {
        do {
            try body()
            finish(throwing: nil)
        } catch {
            finish(throwing: error)
        }
    }

    /// A stream that has already failed (bad options, unreachable source detected up front).
    public static func failed(_ error: Error) -> BatchStream {
        let s = BatchStream()
        s.finish(throwing: error)
        return s
    }

    // MARK: producer side

    /// Sets what cancelling does at the source. Called by the producer once its handle exists;
    /// if the stream was cancelled before that, the hook runs at once.
    public func onCancel(_ hook: @escaping @Sendable () -> Void) {
        lock.lock()
        let already = cancelled
        cancelHook = hook
        lock.unlock()
        if already { hook() }
    }

    /// True once the consumer has gone away; producers check it between rows or batches.
    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    /// While `pressure` says so (someone waits for a connection of the pool this stream's
    /// producer holds one of), a full queue does not block the producer: it reads ahead into
    /// memory, up to `maxReadAhead` bytes, so that it can finish and give its connection back.
    /// Its reader may be waiting for that very connection (another fragment of the same
    /// query), which would otherwise never come.
    public func yieldWhen(_ pressure: @escaping @Sendable () -> Bool) {
        lock.lock()
        self.pressure = pressure
        lock.unlock()
    }

    /// Waits for the slots `batch` takes; returns them, or 0 when the batch goes in beyond
    /// `capacity` instead (any slots taken meanwhile given back).
    private func waitForRoom(_ batch: Batch) -> Int {
        lock.lock()
        let pressure = self.pressure
        lock.unlock()
        let needed = slots(for: batch)
        var taken = 0
        // Room at once: no need to give the thread's place up.
        while taken < needed, space.wait(timeout: .now()) == .success { taken += 1 }
        if taken == needed { return needed }
        return SourceThreads.blocking {
            guard let pressure else {
                while taken < needed { space.wait(); taken += 1 }
                return needed
            }
            while taken < needed {
                if space.wait(timeout: .now() + .milliseconds(20)) == .success { taken += 1; continue }
                lock.lock()
                let stop = cancelled
                let roomAhead = overflowBytes + batch.estimatedBytes <= Self.maxReadAhead
                lock.unlock()
                if stop || (roomAhead && pressure()) {
                    for _ in 0..<taken { space.signal() }
                    return 0
                }
            }
            return needed
        }
    }

    private func giveBack(_ slots: Int) {
        for _ in 0..<slots { space.signal() }
    }

    /// Hands a batch over, blocking while the batches waiting fill the queue's slots.
    /// Returns false when the stream was cancelled: the producer should stop.
    @discardableResult
    public func send(_ batch: Batch) -> Bool {
        let slots = waitForRoom(batch)
        lock.lock()
        if cancelled {
            lock.unlock()
            giveBack(slots)
            return false
        }
        if let w = waiting {
            waiting = nil
            lock.unlock()
            giveBack(slots)
            w.resume(returning: batch)
            return true
        }
        if slots == 0 { overflowBytes += batch.estimatedBytes }
        queue.append((batch, slots))
        lock.unlock()
        return true
    }

    /// Ends the stream: normally (nil) or with an error.
    public func finish(throwing error: Error?) {
        lock.lock()
        if finished { lock.unlock(); return }
        finished = true
        failure = error
        let w = waiting
        waiting = nil
        let wasCancelled = cancelled
        lock.unlock()
        if let w {
            if wasCancelled { w.resume(throwing: CancellationError()) }
            else if let error { w.resume(throwing: error) } else { w.resume(returning: nil) }
        }
    }

    // MARK: consumer side

    /// The next batch, or nil at the end. Cancelling the calling task cancels the source.
    public func next() async throws -> Batch? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Batch?, Error>) in
                lock.lock()
                if cancelled {
                    lock.unlock()
                    c.resume(throwing: CancellationError())
                    return
                }
                if head < queue.count {
                    let (b, slots) = queue[head]
                    // The slot lets go of the batch now, not when 64 have been read: a batch
                    // of huge values (a few rows of megabytes) would otherwise stay in
                    // memory long after it was used.
                    queue[head] = Self.consumed
                    head += 1
                    if head > 64 { queue.removeFirst(head); head = 0 }
                    // A batch read ahead took no room: it gives none back.
                    if slots == 0 { overflowBytes = max(0, overflowBytes - b.estimatedBytes) }
                    lock.unlock()
                    giveBack(slots)
                    c.resume(returning: b)
                    return
                }
                if finished {
                    let f = failure
                    lock.unlock()
                    if let f { c.resume(throwing: f) } else { c.resume(returning: nil) }
                    return
                }
                waiting = c
                lock.unlock()
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Stops the source and wakes everyone. Safe to call more than once, from any thread.
    public func cancel() {
        lock.lock()
        if cancelled { lock.unlock(); return }
        cancelled = true
        let hook = finished ? nil : cancelHook
        let w = waiting
        waiting = nil
        queue.removeAll()
        head = 0
        lock.unlock()
        // Wake a producer blocked on a full queue.
        for _ in 0...capacity { space.signal() }
        hook?()
        w?.resume(throwing: CancellationError())
    }

    /// Reads everything (tests, small catalog queries).
    public func collect() async throws -> [Batch] {
        var out: [Batch] = []
        while let b = try await next() { out.append(b) }
        return out
    }
}
