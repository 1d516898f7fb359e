import Foundation
import MeshCore
import MeshFormat

extension Shell {
    /// Runs one statement and prints its result, error and (with `\timing`) its time.
    /// Returns false when the user cancelled it.
    @discardableResult
    func runStatement(_ sql: String) async -> Bool {
        let backend = self.backend
        return await run(statement: sql) { try await backend.execute(sql) }
    }

    /// Runs `operation` in its own task — so Ctrl-C can cancel it while the shell keeps going —
    /// and prints what it produced. `statement` is the SQL the error positions refer to
    /// (nil for meta-commands, whose SQL the user did not type).
    func run(statement: String?, _ operation: @escaping @Sendable () async throws -> ShellOutcome) async -> Bool {
        let expanded = settings.value.expanded
        // Long results go through the pager, as in psql, when the output is a terminal.
        let paged = settings.value.pager && isatty(1) == 1
        let started = ContinuousClock.now
        let task = Task { () async throws -> String? in
            switch try await operation() {
            case .message(let message):
                return message
            case .rows(let rows):
                if paged {
                    var out = PagerSink()
                    defer { out.finish() }
                    try await ResultRenderer.render(
                        fields: rows.fields, format: .table, expanded: expanded, to: &out, next: rows.next)
                } else {
                    var out = FileDescriptorSink.standardOutput
                    try await ResultRenderer.render(
                        fields: rows.fields, format: .table, expanded: expanded, to: &out, next: rows.next)
                }
                return rows.message
            }
        }
        let cancelledByUser = LockedValue(false)
        let result = await interrupts.whileRunning(cancel: {
            cancelledByUser.value = true
            task.cancel()
        }) {
            await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
        }
        let elapsed = ContinuousClock.now - started

        switch result {
        case .success(let message):
            if let message, !message.isEmpty {
                say(message.hasSuffix("\n") ? message : message + "\n")
            }
        case .failure(let error):
            report(error, statement: statement, cancelledByUser: cancelledByUser.value)
        }
        if settings.value.timing {
            say("Time: \(Self.milliseconds(elapsed)) ms\n")
        }
        return !cancelledByUser.value
    }

    /// Prints an error as psql does: `ERROR:  message at line:col`, the line and a caret.
    func report(_ error: any Error, statement: String?, cancelledByUser: Bool) {
        if let unknown = error as? UnknownMetaCommand {
            complain(unknown.description)
        } else if cancelledByUser || error is CancellationError {
            complain("ERROR:  canceling statement due to user request")
        } else if let error = error as? MeshError {
            complain(error.rendered(statement: statement))
        } else {
            complain("ERROR:  \(error)")
        }
    }

    /// `12.345`: milliseconds with three decimals, as psql's `\timing` prints them.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let whole = micros / 1000
        let fraction = String(micros % 1000)
        return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
