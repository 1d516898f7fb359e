import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeshFormat

/// The REPL's output for a result: straight to the terminal while it fits the screen, through
/// a pager (`$PAGER`, `less -S` by default, as psql) once it does not. Text is held until it
/// either ends within the screen or passes its height, so short results never start a pager.
/// When the pager cannot start, the text goes to the terminal instead.
public struct PagerSink: OutputSink {
    /// Lines that fit without paging: the screen's height less the prompt's line.
    let screenLines: Int
    let command: String
    private var held = ""
    private var heldLines = 0
    private var pager: Process?
    private var pipe: FileDescriptorSink?
    private var direct = FileDescriptorSink.standardOutput
    public private(set) var isClosed = false

    /// - Parameters:
    ///   - screenLines: the terminal's height, or nil to ask the terminal.
    ///   - command: the pager, or nil for `$PAGER` or `less -S`.
    public init(screenLines: Int? = nil, command: String? = nil) {
        self.screenLines = max(2, (screenLines ?? Self.terminalHeight()) - 1)
        let env = ProcessInfo.processInfo.environment["PAGER"]
        self.command = command ?? ((env?.isEmpty == false) ? env! : "less -S")
    }

    static func terminalHeight() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return Int(ProcessInfo.processInfo.environment["LINES"] ?? "") ?? 24
    }

    public mutating func write(_ s: String) {
        if isClosed { return }
        if var p = pipe {
            p.write(s)
            pipe = p
            return
        }
        held += s
        heldLines += s.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        if heldLines > screenLines { startPager() }
    }

    public mutating func flush() {
        if var p = pipe {
            p.flush()
            pipe = p
            if let pager, !pager.isRunning { isClosed = true }
        }
    }

    /// Ends the output: held text goes to the terminal, or the pager gets the end of its input
    /// and is waited for.
    public mutating func finish() {
        if var p = pipe {
            p.flush()
            pipe = nil
            guard let pager else { return }  // the terminal stood in for a pager that failed
            close(p.fileDescriptor)
            pager.waitUntilExit()
            return
        }
        direct.write(held)
        direct.flush()
        held = ""
    }

    private mutating func startPager() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            // No pager: the terminal, as if it had fit.
            direct.write(held)
            held = ""
            pipe = FileDescriptorSink.standardOutput
            return
        }
        pager = process
        // Our own copy of the write end; the Pipe object's is closed so only we hold it.
        let fd = dup(input.fileHandleForWriting.fileDescriptor)
        try? input.fileHandleForWriting.close()
        var p = FileDescriptorSink(fileDescriptor: fd)
        p.write(held)
        held = ""
        pipe = p
    }
}
