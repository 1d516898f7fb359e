import ArgumentParser
import Foundation
import MeshCore
import MeshEngine
import MeshExec
import MeshLineage

@main
struct MeshQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshql",
        abstract: "Federated SQL over a data mesh: query PostgreSQL and SQLite domains as one database.",
        discussion: """
        Tables are named mesh.product. Register meshes, connectors and data products with SQL \
        (CREATE MESH, CREATE CONNECTOR, IMPORT DATA PRODUCTS), then query across them.

        Start with `meshql demo`: it builds three example domains and opens the shell.
        """,
        subcommands: [Query.self, Repl.self, Demo.self, Serve.self, Token.self, Source.self, Lineage.self],
        defaultSubcommand: Repl.self
    )

    static func main() async {
        await main(sqlArgumentsMarked(Array(CommandLine.arguments.dropFirst())))
    }

    /// `meshql query "-- totals\nSELECT …"`: an argument that starts with `-` but holds a space
    /// or a line break is SQL (a leading comment, `-1 + 2`), not an option. It moves to the end,
    /// after a `--`, which tells the argument parser so whatever options follow it.
    static func sqlArgumentsMarked(_ args: [String]) -> [String] {
        func isSQL(_ a: String) -> Bool {
            guard a.hasPrefix("-"), a.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) else { return false }
            // `--file="my report.sql"` is an option with its value.
            return a.range(of: #"^--?[A-Za-z][A-Za-z-]*="#, options: .regularExpression) == nil
        }
        guard !args.contains("--"), let i = args.firstIndex(where: isSQL) else { return args }
        var out = args
        let sql = out.remove(at: i)
        return out + ["--", sql]
    }
}

/// Options every command that opens a catalog shares.
struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The catalog file (SQLite); it must exist unless --create is given.", valueName: "path"))
    var catalog: String = "meshql.db"

    @Flag(name: .long, help: "Create the catalog (and its folder) if it does not exist.")
    var create = false

    @Flag(name: .long, help: "Run everything but the scans locally (for comparing results with pushdown).")
    var noPushdown = false

    @Option(name: .long, help: ArgumentHelp(
        "Memory one query may hold in hash tables, sorts and aggregates; past it the query stops with an error (default 2GB; SET memory_limit changes it in a session).",
        valueName: "size"), transform: { text in
            guard let bytes = MemoryBudget.parse(text) else {
                throw ValidationError("--memory-limit takes a size such as 512MB or 4GB, not \"\(text)\"")
            }
            return bytes
        })
    var memoryLimit: Int = MemoryBudget.defaultLimit

    @Option(name: .long, help: ArgumentHelp("Act as this user (an email): the mesh policies apply. Without --user, --role or --attr you are the local superuser and they do not.", valueName: "email"))
    var user: String?

    @Option(name: .long, help: ArgumentHelp("A role of the principal (repeatable).", valueName: "role"))
    var role: [String] = []

    @Option(name: .long, help: ArgumentHelp("An attribute of the principal, K=V (repeatable), e.g. region=EU.", valueName: "k=v"),
            transform: { text in
                guard let kv = Principal.attribute(text) else {
                    throw ValidationError("--attr takes KEY=VALUE, not \"\(text)\"")
                }
                return "\(kv.key)=\(kv.value)"
            })
    var attr: [String] = []

    /// The principal the options name, or nil (the local superuser).
    var principal: Principal? {
        guard user != nil || !role.isEmpty || !attr.isEmpty else { return nil }
        var p = Principal(user: user ?? "", roles: Set(role.map { $0.lowercased() }))
        for a in attr { if let (k, v) = Principal.attribute(a) { p.attributes[k] = v } }
        return p
    }

    /// Opens the catalog and a session on it; a catalog that cannot be opened is reported
    /// and ends the command with status 2.
    /// - Parameter lineage: where queries' OpenLineage events go (commands that run no
    ///   query pass nothing: no sink then).
    func openSession(lineage: LineageSinkOptions? = nil) throws -> Session {
        // A mistyped path must not silently become a new, empty catalog.
        if !create, !FileManager.default.fileExists(atPath: catalog) {
            Output.error(MeshError(.catalog, "no catalog at \(catalog)",
                                   hint: "pass --create to make a new one there, or run `meshql demo` for a sample"), statement: nil)
            throw ExitCode(2)
        }
        do {
            let session = try Engine(catalogPath: catalog, lineage: lineage?.options ?? .none).makeSession()
            session.pushdownEnabled = !noPushdown
            session.memoryLimit = memoryLimit
            session.principal = principal
            return session
        } catch {
            Output.error(error, statement: nil)
            throw ExitCode(2)
        }
    }
}

/// Where each query's OpenLineage events go: `--lineage-file`, `--lineage-url`, or the
/// environment.
struct LineageSinkOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Append each query's OpenLineage events (START, COMPLETE or FAIL) to this file, one JSON object per line (default: $MESHQL_LINEAGE_FILE).",
        valueName: "path"))
    var lineageFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "POST each query's OpenLineage events to this Marquez-compatible endpoint, e.g. http://localhost:5000 (/api/v1/lineage is added to a bare host; default: $MESHQL_LINEAGE_URL; a bearer key comes from $MESHQL_LINEAGE_API_KEY). Events are sent in the background: a slow or dead endpoint never holds up a query.",
        valueName: "url"))
    var lineageURL: String?

    var options: LineageOptions {
        let env = LineageOptions.fromEnvironment()
        return LineageOptions(file: lineageFile ?? env.file, url: lineageURL ?? env.url, apiKey: env.apiKey)
    }
}
