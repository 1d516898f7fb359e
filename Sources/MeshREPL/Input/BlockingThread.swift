import Foundation

/// Runs blocking work (a terminal read) on a new OS thread, off Swift's cooperative pool.
enum BlockingThread {
    static func run(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
