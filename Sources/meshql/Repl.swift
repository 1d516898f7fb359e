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

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        let session = try options.openSession()
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
