import ArgumentParser
import MeshCore
import MeshEngine
import MeshREPL

struct Lineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a data product's lineage graph: its bases and the products derived from it.",
        discussion: """
        Examples:
          meshql lineage analytics.customer_revenue     # Mermaid, for a Markdown file
          meshql lineage sales.orders --format dot | dot -Tsvg > lineage.svg
          meshql lineage sales.orders --format json

        Each mesh is a box around its products; an arrow goes from a base to the product \
        derived from it, labelled with the columns it feeds. The JSON adds the queries that \
        read the product lately. With --user and --role the graph shows what that principal \
        may read (and only their own queries).
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot, json
    }

    @Argument(help: ArgumentHelp("The data product, as mesh.product.", valueName: "product"))
    var product: String

    @Option(name: .long, help: "Output format: mermaid, dot or json.")
    var format: Format = .mermaid

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        let session = try options.openSession()
        defer { session.engine.shutdown() }
        do {
            let graph = try session.productLineage(product, recentQueries: format == .json ? 20 : 0)
            switch format {
            case .mermaid: print(graph.mermaid, terminator: "")
            case .dot: print(graph.dot, terminator: "")
            case .json: print(graph.json, terminator: "")
            }
        } catch let e as MeshError {
            Output.error(e, statement: nil)
            throw ExitCode(1)
        }
    }
}
