@preconcurrency import CReadline
import Foundation
import Synchronization

/// Line editing, history and tab completion through GNU readline — the only file that
/// imports CReadline.
///
/// readline blocks and keeps global state, so every call into it happens on a dedicated OS
/// thread, one `readline()` at a time, while the shell awaits the line through a continuation.
///
/// History lives in `historyPath` (normally `~/.meshql_history`): read at start, each entered
/// line appended at once (so a crash or a second shell loses nothing), capped at
/// `historyLimit` entries.
///
/// Ctrl-C at the prompt. readline's own signal handling is off (`rl_catch_signals = 0`);
/// `InterruptController` receives SIGINT through a dispatch signal source and, while a line is
/// being read, calls our closure, which only sets `ReadlineHooks.interruptRequested`. readline
/// cannot be interrupted from another thread, but with `rl_event_hook` set it waits for input
/// in slices of the keyboard-input timeout (0.1 s) and calls the hook between slices. The hook
/// runs on the readline thread, sees the flag, prints `^C` after the typed text, empties the
/// line (`rl_replace_line("", 1)`), marks the line aborted and sets `rl_done = 1`; readline
/// then finishes as if Return had been pressed (moving to a new line), and `readLine` reports
/// `.interrupted` instead of the empty line, so the shell drops its partial statement and
/// shows a fresh prompt, as psql does.
final class LineEditor: LineReader {
    static let historyLimit: Int32 = 2000

    private let historyPath: String?
    private let interrupts: InterruptController

    /// - Parameter completer: called on the readline thread when Tab is pressed.
    init(historyPath: String?, interrupts: InterruptController,
         completer: @escaping @Sendable (_ pendingInput: String, _ line: String, _ linePrefix: String, _ word: String) -> [String]) {
        self.historyPath = historyPath
        self.interrupts = interrupts
        ReadlineHooks.completer = completer
        Self.configureReadline()
        stifle_history(Self.historyLimit)
        if let historyPath { Self.loadHistory(historyPath) }
    }

    func readLine(prompt: String, pendingInput: String) async -> LineInput {
        ReadlineHooks.interruptRequested.store(false, ordering: .sequentiallyConsistent)
        let historyPath = self.historyPath
        return await interrupts.whileReading(onInterrupt: {
            ReadlineHooks.interruptRequested.store(true, ordering: .sequentiallyConsistent)
        }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<LineInput, Never>) in
                BlockingThread.run(name: "meshql.readline") {
                    continuation.resume(returning: Self.readLineOnThisThread(
                        prompt: prompt, pendingInput: pendingInput, historyPath: historyPath))
                }
            }
        }
    }

    func close() {
        if let historyPath { history_truncate_file(historyPath, Self.historyLimit) }
    }

    // MARK: - On the readline thread

    private static func readLineOnThisThread(prompt: String, pendingInput: String, historyPath: String?) -> LineInput {
        ReadlineHooks.pendingInput = pendingInput
        ReadlineHooks.aborted = false
        guard let raw = readline(prompt) else { return .endOfInput }
        defer { free(raw) }
        if ReadlineHooks.aborted { return .interrupted }
        let line = String(cString: raw)
        // Judged with the statement's earlier lines: `password` on one, its value on the next.
        if HistoryPolicy.mayRemember(pendingInput + "\n" + line) { remember(line, historyPath: historyPath) }
        return .line(line)
    }

    /// Adds a non-blank line to the history unless it repeats the previous entry.
    private static func remember(_ line: String, historyPath: String?) {
        guard line.contains(where: { !$0.isWhitespace }) else { return }
        if history_length > 0, let last = history_get(history_base + history_length - 1),
           let text = last.pointee.line, String(cString: text) == line {
            return
        }
        add_history(line)
        if let historyPath { append_history(1, historyPath) }
    }

    // MARK: - Setup

    private static let configureOnce: Void = {
        rl_readline_name = UnsafePointer(strdup("meshql"))
        rl_catch_signals = 0
        // '.' breaks words so `sales.or<Tab>` completes `or` knowing the mesh from the text.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{(),.+-*/%"))
        rl_attempted_completion_function = readlineAttemptedCompletion
        rl_variable_bind("completion-ignore-case", "on")
        rl_event_hook = readlineEventHook
        rl_set_keyboard_input_timeout(100_000)
    }()

    private static func configureReadline() {
        _ = configureOnce
    }

    private static func loadHistory(_ path: String) {
        if FileManager.default.fileExists(atPath: path) {
            read_history(path)
        } else {
            write_history(path)  // creates the file (mode 0600) so later appends work
        }
    }
}

/// State the C callbacks reach. readline calls them on the readline thread, and only one
/// `readline()` runs at a time, so the plain statics are touched by one thread at a time;
/// the interrupt flag is set from the signal queue and therefore atomic.
private enum ReadlineHooks {
    nonisolated(unsafe) static var completer: (@Sendable (String, String, String, String) -> [String])?
    nonisolated(unsafe) static var pendingInput = ""
    nonisolated(unsafe) static var matches: [String] = []
    nonisolated(unsafe) static var matchIndex = 0
    nonisolated(unsafe) static var aborted = false
    static let interruptRequested = Atomic<Bool>(false)
}

/// `rl_attempted_completion_function`: computes the candidates in Swift, then lets readline
/// build its match list from them.
private func readlineAttemptedCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    rl_attempted_completion_over = 1  // never fall back to file names
    let word = text.map { String(cString: $0) } ?? ""
    let line = rl_line_buffer.map { String(cString: $0) } ?? ""
    var linePrefix = ""
    if let buffer = rl_line_buffer, start > 0 {
        linePrefix = buffer.withMemoryRebound(to: UInt8.self, capacity: Int(start)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(start)), as: UTF8.self)
        }
    }
    ReadlineHooks.matches = ReadlineHooks.completer?(ReadlineHooks.pendingInput, line, linePrefix, word) ?? []
    ReadlineHooks.matchIndex = 0
    guard !ReadlineHooks.matches.isEmpty else { return nil }
    return rl_completion_matches(text, readlineNextMatch)
}

/// The generator readline calls until it returns NULL; each result is malloc'd (readline
/// frees it).
private func readlineNextMatch(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 { ReadlineHooks.matchIndex = 0 }
    guard ReadlineHooks.matchIndex < ReadlineHooks.matches.count else { return nil }
    defer { ReadlineHooks.matchIndex += 1 }
    return strdup(ReadlineHooks.matches[ReadlineHooks.matchIndex])
}

/// `rl_event_hook`: called every keyboard-input timeout while readline waits for a key; turns
/// a pending Ctrl-C into an aborted line (see `LineEditor`).
private func readlineEventHook() -> Int32 {
    guard ReadlineHooks.interruptRequested.exchange(false, ordering: .sequentiallyConsistent) else { return 0 }
    ReadlineHooks.aborted = true
    rl_point = rl_end
    rl_redisplay()
    if let out = rl_outstream {
        fputs("^C", out)
        fflush(out)
    }
    rl_replace_line("", 1)
    rl_done = 1
    return 0
}
