import Foundation
import MeshFormat

/// What reading one line of input gave.
public enum LineInput: Sendable, Equatable {
    case line(String)
    /// Ctrl-C at the prompt: the shell drops what was typed so far.
    case interrupted
    /// End of input (Ctrl-D, end of a pipe).
    case endOfInput
}

/// A source of input lines for the shell: the readline editor on a terminal, plain standard
/// input otherwise.
protocol LineReader: AnyObject {
    /// Reads the next line. `pendingInput` holds the earlier lines of an unfinished statement
    /// (for completion).
    func readLine(prompt: String, pendingInput: String) async -> LineInput
    /// Called once when the shell ends.
    func close()
}

/// Reads standard input without echo, prompts or history, for piped input
/// (`echo "select 1;" | meshql repl`). Each read runs on its own thread so a blocking `read`
/// never holds one of Swift's cooperative threads.
final class PlainLineReader: LineReader {
    private let interrupts: InterruptController

    init(interrupts: InterruptController) {
        self.interrupts = interrupts
    }

    func readLine(prompt: String, pendingInput: String) async -> LineInput {
        await interrupts.whileReading(onInterrupt: { PlainLineReader.exitOnInterrupt() }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<LineInput, Never>) in
                BlockingThread.run(name: "meshql.stdin") {
                    if let line = Swift.readLine(strippingNewline: true) {
                        continuation.resume(returning: .line(line))
                    } else {
                        continuation.resume(returning: .endOfInput)
                    }
                }
            }
        }
    }

    func close() {}

    /// psql reading a script stops on Ctrl-C between statements; so do we, with the status a
    /// shell expects from SIGINT.
    private static func exitOnInterrupt() {
        var out = FileDescriptorSink.standardError
        out.write("\n")
        out.flush()
        exit(130)
    }
}
