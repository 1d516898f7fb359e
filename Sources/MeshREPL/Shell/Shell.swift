import Foundation
import MeshCore
import MeshFormat

/// The interactive shell: reads statements, runs them on a `ShellBackend`, prints results the
/// way psql does, and handles backslash commands.
///
/// On a terminal it reads through readline (line editing, history in `~/.meshql_history`,
/// tab completion); with piped input it reads plain lines without prompts, so
/// `echo "select 1;" | meshql repl` works. Lines accumulate until a `;` ends a statement; a
/// line may hold several statements, which run in order. Ctrl-C cancels the running statement
/// and keeps the shell; at the prompt it discards what was typed.
public final class Shell: Sendable {
    let backend: any ShellBackend
    let banner: String?
    let historyPath: String?
    let interactive: Bool
    let interrupts = InterruptController()
    let settings = LockedValue(Settings())

    struct Settings {
        var timing = false
        var expanded = false
        /// `\pset pager`: page results longer than the screen.
        var pager = true
    }

    /// `~/.meshql_history`, or nil when HOME is not set (no history file then).
    public static var defaultHistoryPath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return (home.hasSuffix("/") ? home : home + "/") + ".meshql_history"
    }

    /// - Parameters:
    ///   - banner: printed once at start on a terminal (not for piped input).
    ///   - historyPath: where readline keeps history; nil for none.
    ///   - interactive: whether to use readline and prompts; by default, whether standard input
    ///     is a terminal.
    public init(backend: any ShellBackend, banner: String? = nil,
                historyPath: String? = Shell.defaultHistoryPath, interactive: Bool? = nil) {
        self.backend = backend
        self.banner = banner
        self.historyPath = historyPath
        self.interactive = interactive ?? (isatty(STDIN_FILENO) == 1)
    }

    /// Runs until `\q`, Ctrl-D or the end of the input.
    /// Cancels the statement running now, if any (the process is being stopped).
    public func cancelRunningStatement() { interrupts.cancelRunning() }

    public func run() async {
        interrupts.install()
        defer { interrupts.uninstall() }
        // Quitting the pager early closes the pipe we write to: an error to handle, not a
        // signal that ends the shell.
        signal(SIGPIPE, SIG_IGN)
        let reader: any LineReader
        if interactive {
            let completion = CompletionProvider(backend: backend)
            reader = LineEditor(historyPath: historyPath, interrupts: interrupts) { pending, line, prefix, word in
                completion.candidates(pendingInput: pending, line: line, linePrefix: prefix, word: word)
            }
            if let banner { say(banner.hasSuffix("\n") ? banner : banner + "\n") }
        } else {
            reader = PlainLineReader(interrupts: interrupts)
        }
        defer { reader.close() }

        var buffer = ""
        while true {
            let input = await reader.readLine(prompt: prompt(for: buffer), pendingInput: buffer)
            switch input {
            case .endOfInput:
                if interactive {
                    say("\\q\n")
                } else if !buffer.isEmpty {
                    // Like psql reading a script: a last statement without `;` still runs.
                    let split = StatementSplitter.split(buffer + "\n;")
                    for statement in split.statements {
                        guard await runStatement(statement) else { break }
                    }
                }
                return
            case .interrupted:
                buffer = ""
            case .line(let line):
                let trimmed = line.trimmingBlanks()
                // A backslash command may start any line outside a quote or comment (as in
                // psql); the statement typed so far stays in the buffer.
                if trimmed.hasPrefix("\\"), buffer.isEmpty || StatementSplitter.split(buffer).state == .normal {
                    if await runMetaCommand(trimmed) == .quit { return }
                    continue
                }
                if buffer.isEmpty {
                    if interactive, ["quit", "exit"].contains(trimmed.lowercased()) { return }
                    if interactive, trimmed.lowercased() == "help" {
                        say("Type \\? for help on meshql commands; end SQL statements with a semicolon.\n")
                        continue
                    }
                    if trimmed.isEmpty { continue }
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                buffer = await runCompleteStatements(in: buffer)
            }
        }
    }

    /// Runs the `;`-terminated statements at the start of `buffer` and returns what is left
    /// (the beginning of the next statement, or "").
    private func runCompleteStatements(in buffer: String) async -> String {
        // TODO: use MeshSQL's `SQLScript` (isComplete / splitting) once it exists.
        let split = StatementSplitter.split(buffer)
        guard !split.statements.isEmpty else {
            // Nothing but blanks and comments so far: keep a fresh prompt.
            return split.state == .normal && split.remainderIsBlank ? "" : buffer
        }
        for statement in split.statements {
            // After a cancelled statement psql drops the rest of the line; so do we.
            guard await runStatement(statement) else { return "" }
        }
        return split.remainderIsBlank && split.state == .normal ? "" : split.remainder.trimmingLeadingNewlines()
    }

    /// `meshql=> `, `meshql:sales=> `; while a statement continues `meshql-> `, with psql's
    /// markers for an open quote (`'`, `"`), comment (`*`) or parenthesis (`(`).
    func prompt(for buffer: String) -> String {
        guard interactive else { return "" }
        let name = "meshql" + (backend.promptIdentity.map { "(" + $0 + ")" } ?? "") + (backend.promptMesh.map { ":" + $0 } ?? "")
        if buffer.isEmpty { return name + "=> " }
        let split = StatementSplitter.split(buffer)
        let marker = switch split.state {
        case .singleQuote: "'"
        case .doubleQuote: "\""
        case .blockComment: "*"
        case .normal: split.parenDepth > 0 ? "(" : "-"
        }
        return name + marker + "> "
    }

    // MARK: - Output

    func say(_ text: String) {
        var out = FileDescriptorSink.standardOutput
        out.write(text)
        out.flush()
    }

    func complain(_ text: String) {
        var err = FileDescriptorSink.standardError
        err.write(text.hasSuffix("\n") ? text : text + "\n")
        err.flush()
    }
}

extension String {
    fileprivate func trimmingLeadingNewlines() -> String {
        String(drop { $0.isNewline })
    }
}
