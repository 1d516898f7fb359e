import ArgumentParser
import Foundation
import MeshEngine
import MeshREPL

struct Repl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the interactive SQL shell.",
        discussion: """
        Statements end with ';' and may span lines. Tab completes keywords, meshes, products and \
        columns; history is kept in ~/.meshql_history. Ctrl-C cancels a running query (the \
        source stops too); \\? lists the shell's commands, \\q quits.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Use a meshql server instead of a local catalog (with --token and --org).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("The server's API token (`meshql token create`).", valueName: "token"))
    var token: String?

    @Option(name: .long, help: ArgumentHelp("The organisation the token belongs to.", valueName: "org"))
    var org: String?

    @OptionGroup var options: CatalogOptions

    @OptionGroup var lineage: LineageSinkOptions

    func validate() throws {
        if server != nil, token == nil || org == nil { throw ValidationError("--server needs --token and --org") }
        if server == nil, token != nil || org != nil { throw ValidationError("--token and --org go with --server") }
        if server != nil, lineage.lineageFile != nil || lineage.lineageURL != nil {
            throw ValidationError("--lineage-file and --lineage-url are for a local catalog: a server sends its own events")
        }
    }

    func run() async throws {
        if let server, let token, let org {
            let backend = try RemoteBackend(server: server, token: token, org: org)
            let shell = Shell(backend: backend, banner: "meshql — connected to \(server) (org \(org)).\nType \\? for help, \\q to quit.")
            await shell.run()
            return
        }
        let session = try options.openSession(lineage: lineage)
        defer { session.engine.shutdown() }
        let banner = "meshql — federated SQL over your data mesh. Catalog: \(options.catalog)\nType \\? for help, \\q to quit."
        let shell = Shell(backend: SessionBackend(session: session), banner: banner)
        // SIGTERM / SIGHUP (a closed terminal): cancel the running statement, let the sources
        // acknowledge (engine shutdown waits for their connections), then end. Ctrl-C stays
        // the shell's own: it cancels a statement and keeps the shell.
        let trap = SignalTrap([SIGTERM, SIGHUP]) { sig in
            shell.cancelRunningStatement()
            session.engine.shutdown()
            Foundation.exit(128 + sig)
        }
        await shell.run()
        trap.uninstall()
    }
}
