import ArgumentParser
import Foundation
import MeshCore
import MeshEngine
import MeshFormat
import MeshREPL
import MeshSQL

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run SQL statements and print their results.",
        discussion: """
        Examples:
          meshql query "SELECT region, count(*) FROM sales_analytics.customers GROUP BY region"
          meshql query -f report.sql --format csv > report.csv
          echo "SHOW MESHES" | meshql query -f -
        On an error the statement is printed with a caret under the position, and the exit
        status is 1. Statements after a failed one do not run.
        """
    )

    @Argument(help: "SQL to run (several statements separated by ';').")
    var sql: String?

    @Option(name: [.short, .customLong("file")], help: ArgumentHelp("Read SQL from a file ('-' for standard input).", valueName: "file"))
    var file: String?

    @Option(name: .long, help: "Output format: table, csv, json or ndjson.")
    var format: OutputFormat = .table

    @OptionGroup var options: CatalogOptions

    @OptionGroup var lineage: LineageSinkOptions

    func validate() throws {
        if sql == nil && file == nil { throw ValidationError("give SQL as an argument or with -f FILE") }
        if sql != nil && file != nil { throw ValidationError("give SQL either as an argument or with -f, not both") }
    }

    func run() async throws {
        let text: String
        if let file {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch let error where FileManager.default.isReadableFile(atPath: file) {
                    // A pipe (`-f <(…)`, /dev/fd/N) has no size to read it by: read it as a stream.
                    guard let handle = FileHandle(forReadingAtPath: file) else { throw error }
                    data = handle.readDataToEndOfFile()
                } catch {
                    Output.error(MeshError(.invalidParameter, "cannot read \(file): \((error as NSError).localizedFailureReason ?? "no such file or not readable")"), statement: nil)
                    throw ExitCode(2)
                }
            }
            guard let t = String(data: data, encoding: .utf8) else {
                // Where the first bad byte is, so the user can find it.
                let valid = String(decoding: data, as: UTF8.self).prefix { $0 != "\u{FFFD}" }.utf8.count
                Output.error(MeshError(.invalidText, "\(file == "-" ? "standard input" : file) is not UTF-8 text (invalid byte at offset \(valid))"), statement: nil)
                throw ExitCode(2)
            }
            text = t
        } else {
            text = sql!
        }
        let session = try options.openSession(lineage: lineage)
        defer { session.engine.shutdown() }
        let format = self.format
        // Stopped by a signal, the statement is cancelled (which cancels its source queries)
        // before the process exits, with 128 + the signal's number as psql does.
        let task = Task { await Output.runScript(text, session: session, format: format) }
        let trap = SignalTrap { _ in task.cancel() }
        let ok = await task.value
        trap.uninstall()
        if let sig = trap.received { throw ExitCode(128 + sig) }
        if !ok { throw ExitCode(1) }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// Printing results and errors the same way for `query` and `demo --run`.
enum Output {
    /// Runs each statement of a script, printing results. False after the first error.
    static func runScript(_ text: String, session: Session, format: OutputFormat, echo: Bool = false) async -> Bool {
        let statements: [MeshSQLStatement]
        do {
            statements = try session.parse(text).map { MeshSQLStatement(statement: $0.statement, text: $0.text) }
        } catch {
            Output.error(error, statement: text)
            return false
        }
        var out = FileDescriptorSink.standardOutput
        for s in statements {
            // Stopped by a signal: the statements after the cancelled one do not run.
            if Task.isCancelled {
                Output.error(CancellationError(), statement: nil)
                return false
            }
            if echo { out.write(s.text + ";\n"); out.flush() }
            do {
                switch try await session.execute(s.statement, text: s.text) {
                case .message(let m):
                    if m.isEmpty { break }
                    if format == .table { out.write(m + "\n") } else { FileHandle.standardError.write(Data((m + "\n").utf8)) }
                case .rows(let result):
                    defer { result.close() }
                    try await ResultRenderer.render(fields: result.fields, format: format, to: &out) { try await result.next() }
                    if let m = result.message, format == .table { out.write(m + "\n") }
                }
                if format == .table, statements.count > 1 { out.write("\n") }
                out.flush()
            } catch {
                out.flush()
                Output.error(error, statement: text)
                return false
            }
        }
        return true
    }

    static func error(_ error: Error, statement: String?) {
        let text: String
        if let e = error as? MeshError {
            text = e.rendered(statement: statement)
        } else if error is CancellationError {
            text = "ERROR:  canceling statement due to user request"
        } else {
            text = "ERROR:  \(error)"
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

struct MeshSQLStatement {
    var statement: MeshSQL.Statement
    var text: String
}
