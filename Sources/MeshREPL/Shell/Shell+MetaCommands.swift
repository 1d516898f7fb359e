import MeshCore

extension Shell {
    enum MetaOutcome: Equatable {
        case proceed
        case quit
    }

    /// Handles a backslash command typed at the start of a fresh statement.
    func runMetaCommand(_ line: String) async -> MetaOutcome {
        var body = Substring(line.dropFirst())  // the backslash
        while body.last == ";" { body.removeLast() }  // `\dp sales;` is forgiven
        let name = String(body.prefix { !$0.isWhitespace })
        let argument = String(body.dropFirst(name.count)).trimmingBlanks()
        let firstArgument = argument.split(whereSeparator: \.isWhitespace).first.map(String.init)

        switch name {
        case "q":
            return .quit
        case "?":
            say(helpText)
        case "timing":
            let on = Self.toggle(settings.value.timing, argument: firstArgument)
            settings.withLock { $0.timing = on }
            say("Timing is \(on ? "on" : "off").\n")
        case "pset":
            // Only the pager setting so far: `\pset pager [on|off]`.
            let words = argument.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.first == "pager" else {
                complain("\\pset: only \"pager\" can be set (\\pset pager on|off)\n")
                break
            }
            let on = Self.toggle(settings.value.pager, argument: words.dropFirst().first)
            settings.withLock { $0.pager = on }
            say("Pager usage is \(on ? "on" : "off").\n")
        case "x":
            let on = Self.toggle(settings.value.expanded, argument: firstArgument)
            settings.withLock { $0.expanded = on }
            say("Expanded display is \(on ? "on" : "off").\n")
        case "dm":
            await runCatalogQuery("SHOW MESHES")
        case "dp":
            await runCatalogQuery(firstArgument.map { "SHOW DATA PRODUCTS IN \($0)" } ?? "SHOW DATA PRODUCTS")
        case "d":
            await runCatalogQuery(firstArgument.map { "DESCRIBE \($0)" } ?? "SHOW DATA PRODUCTS")
        default:
            let backend = self.backend
            _ = await run(statement: nil) {
                guard let outcome = try await backend.metaCommand(name, argument: argument) else {
                    throw UnknownMetaCommand(name: name)
                }
                return outcome
            }
        }
        return .proceed
    }

    /// Runs SQL the shell wrote on the user's behalf; errors show without a caret.
    private func runCatalogQuery(_ sql: String) async {
        let backend = self.backend
        _ = await run(statement: nil) { try await backend.execute(sql) }
    }

    /// `on`/`off` as given, otherwise the opposite of the current value.
    static func toggle(_ current: Bool, argument: String?) -> Bool {
        switch argument?.lowercased() {
        case "on", "true", "1", "yes": true
        case "off", "false", "0", "no": false
        default: !current
        }
    }

    var helpText: String {
        let s = settings.value
        return """
        General
          \\q                      quit meshql (also Ctrl-D)
          \\?                      show this help

        Informational
          \\dm                     list meshes
          \\dp [MESH]              list data products of MESH (default: the current mesh)
          \\d MESH.PRODUCT         describe a data product
          \\lineage MESH.PRODUCT   where its columns come from, what is derived from it, who read it lately
          \\history [N]            the last N queries you ran (default 20; an admin sees everyone's)

        Formatting
          \\x [on|off]             toggle expanded display (currently \(s.expanded ? "on" : "off"))
          \\timing [on|off]        toggle timing of statements (currently \(s.timing ? "on" : "off"))
          \\pset pager [on|off]   page long results through $PAGER or less -S (currently \(s.pager ? "on" : "off"))

        Identity
          \\as USER [role R …] [attr K=V …]
                                  act as another principal: policies apply as they do to them
          \\as none              back to the local superuser (policies do not apply)
          \\as                   show who statements run as

        End SQL statements with ';'. Ctrl-C cancels a running statement, or clears the input.

        """
    }
}

/// A backslash command neither the shell nor the backend knows.
struct UnknownMetaCommand: Error, CustomStringConvertible {
    var name: String
    var description: String { "invalid command \\\(name)\nTry \\? for help." }
}
