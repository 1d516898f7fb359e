import ArgumentParser
import Foundation
import MeshDemo
import MeshEngine
import MeshREPL
import Synchronization

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the three-domain demo and open the shell on it (or run its showcase).",
        discussion: """
        Creates a working folder with "Sales Analytics" and "Customer Experience" as SQLite \
        files and "Financial Reporting" in PostgreSQL when one can be started locally (initdb on \
        PATH) or is given with --postgres, else in SQLite; registers them in a catalog; then \
        prints a short tour and opens the shell. Running it again reuses the folder.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The demo's working folder.", valueName: "dir"))
    var dir: String = "meshql-demo"

    @Flag(name: .long, help: "Run the showcase queries, print them with their results, and exit.")
    var run = false

    @Option(name: .long, help: ArgumentHelp("Put Financial Reporting in this PostgreSQL database (its public schema tables are replaced).", valueName: "dsn"))
    var postgres: String?

    @Flag(name: .long, help: "Keep every domain in SQLite, even when PostgreSQL is available.")
    var sqliteOnly = false

    func run() async throws {
        let setup = DemoSetup(directory: dir)
        defer { setup.stop() }
        // A private PostgreSQL must not outlive the demo, however it ends. In the shell,
        // Ctrl-C belongs to the shell (it cancels queries), so only --run stops on it.
        let stopSignals = Self.stopOnSignals(run ? [SIGINT, SIGTERM, SIGHUP] : [SIGTERM, SIGHUP], setup: setup)
        defer { stopSignals.uninstall() }
        do {
            try await setup.prepare(postgresDSN: postgres, useLocalPostgres: !sqliteOnly) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch {
            Output.error(error, statement: nil)
            throw ExitCode(1)
        }
        print(setup.placementSummary)
        fflush(nil)
        let engine = try Engine(catalogPath: setup.catalogPath)
        defer { engine.shutdown() }
        DemoStop.engine.withLock { $0 = engine }
        let session = engine.makeSession()

        if run {
            var failed = 0
            for (i, q) in try DemoFiles.showcase().enumerated() {
                print("\n=== \(i + 1). \(q.title) ===")
                fflush(nil)
                let task = Task { await Output.runScript(q.sql, session: session, format: .table, echo: true) }
                DemoStop.running.withLock { $0 = task }
                let ok = await task.value
                if !ok { failed += 1 }
            }
            if failed > 0 {
                FileHandle.standardError.write(Data("\(failed) showcase queries failed\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        print(Self.tour(catalog: setup.catalogPath))
        fflush(nil)  // the shell writes to the descriptor directly; keep the tour first
        let shell = Shell(backend: SessionBackend(session: session), banner: nil)
        DemoStop.shell.withLock { $0 = shell }
        await shell.run()
    }

    /// Stops the demo's PostgreSQL and exits when one of `signals` arrives.
    /// Stops the demo when one of `signals` arrives: the statement running now is cancelled
    /// and its sources given up to 3 s to acknowledge (so an external `--postgres` keeps no
    /// query running), then the private PostgreSQL is stopped and the process exits.
    static func stopOnSignals(_ signals: [Int32], setup: DemoSetup) -> SignalTrap {
        SignalTrap(signals) { sig in
            DemoStop.running.withLock { $0 }?.cancel()
            DemoStop.shell.withLock { $0 }?.cancelRunningStatement()
            DemoStop.engine.withLock { $0 }?.shutdown()
            setup.stop()
            Foundation.exit(128 + sig)
        }
    }

    static func tour(catalog: String) -> String {
        """

        A short tour — try these at the prompt:
          \\dm                                   the three meshes (domains)
          \\dp sales_analytics                   its data products
          \\d financial_reporting.invoices       columns and types
          SELECT c.region, count(*) AS orders, sum(o.amount) AS revenue
            FROM sales_analytics.orders o JOIN sales_analytics.customers c USING (customer_id)
            GROUP BY c.region ORDER BY revenue DESC;
          EXPLAIN SELECT … ;                      see what runs in each source and what runs here

        Policies — see the same data as each kind of consumer:
          \\as ann@acme.example role analyst                           emails masked
          \\as rita@acme.example role regional_manager attr region=EU  only EU customers
          \\as sam@acme.example role steward                           everything
          SELECT region, count(*) AS customers, min(email) AS first_email
            FROM sales_analytics.customers GROUP BY region ORDER BY region;
          \\as none                                                     back to the local superuser
          SHOW POLICIES IN sales_analytics;  SHOW AUDIT LIMIT 5;

        Lineage — build on other domains' products and see where each column comes from:
          CREATE MESH analytics;
          CREATE DATA PRODUCT analytics.customer_orders AS
            SELECT c.customer_id, c.name, c.region, o.amount * 2 AS doubled
            FROM sales_analytics.customers c JOIN sales_analytics.orders o USING (customer_id);
          \\lineage analytics.customer_orders    its bases column by column, who read it lately
          \\history                              your last queries

          \\timing   \\x   \\q

        The catalog is \(catalog); `meshql query --catalog \(catalog) "…"` works on it too.
        """
    }
}

/// What a signal must stop in the demo, set as the demo gets to it.
enum DemoStop {
    static let engine = Mutex<Engine?>(nil)
    static let running = Mutex<Task<Bool, Never>?>(nil)
    static let shell = Mutex<Shell?>(nil)
}
