// swift-tools-version:6.0
import PackageDescription

// Layout and dependency direction: see README.md ("Architecture") and DESIGN.md §3.
let package = Package(
    name: "meshql",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meshql", targets: ["meshql"]),
        .executable(name: "meshql-bench", targets: ["meshql-bench"]),
        .executable(name: "meshql-fuzz", targets: ["meshql-fuzz"]),
        .executable(name: "meshql-differential", targets: ["meshql-differential"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries. Only the one Swift file that wraps each imports it.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMariaDB", path: "Sources/CMariaDB", pkgConfig: "libmariadb",
                       providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline",
                       providers: [.apt(["libreadline-dev"])]),

        // The engine, bottom up.
        .target(name: "MeshSQL"),
        .target(name: "MeshCore", dependencies: ["MeshSQL"]),
        .target(name: "SQLiteDB", dependencies: ["CSQLite"]),
        // How a source speaks SQL: the dialect protocol and SQL with typed slots, below both
        // the planner and the connectors.
        .target(name: "MeshDialect", dependencies: ["MeshCore"]),
        .target(name: "MeshPlan", dependencies: ["MeshSQL", "MeshCore", "MeshDialect"]),
        .target(name: "ConnectorKit", dependencies: ["MeshCore", "MeshDialect"]),
        .target(name: "MeshExec", dependencies: [
            "MeshCore", "MeshDialect", "MeshPlan", "ConnectorKit", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "MeshCatalog", dependencies: [
            "MeshCore", "MeshSQL", "SQLiteDB", .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Connectors: each depends only on ConnectorKit, the engine's values, the dialect
        // protocol and its C library wrapper — never on the planner.
        .target(name: "PostgresConnector", dependencies: ["ConnectorKit", "MeshCore", "MeshDialect", "CLibPQ"],
                path: "connectors/PostgreSQL"),
        .target(name: "SQLiteConnector", dependencies: ["ConnectorKit", "MeshCore", "MeshDialect", "SQLiteDB"],
                path: "connectors/SQLite"),
        .target(name: "MariaDBConnector", dependencies: ["ConnectorKit", "MeshCore", "MeshDialect", "CMariaDB"],
                path: "connectors/MariaDB"),
        // The result writers (table, CSV, JSON, NDJSON) the shell and the server share (DESIGN.md §3).
        .target(name: "MeshFormat", dependencies: ["MeshCore"]),

        // Composition: statements, sessions; the demo; the shell; the executables.
        .target(name: "MeshEngine", dependencies: [
            "MeshSQL", "MeshCore", "MeshPlan", "MeshExec", "ConnectorKit", "MeshCatalog", "MeshLineage",
            "MeshPolicy", "PostgresConnector", "SQLiteConnector", "MariaDBConnector",
        ]),
        // Policies: the org's policy statements as rules, their validation, the sources map.
        .target(name: "MeshPolicy", dependencies: ["ConnectorKit", "MeshCatalog", "MeshCore", "MeshPlan", "MeshSQL"]),
        // Lineage: OpenLineage events and their sinks (file, HTTP), a product's lineage graph.
        .target(name: "MeshLineage", dependencies: ["ConnectorKit", "MeshCatalog", "MeshCore", "MeshPlan"]),
        // The demo: its domains' SQL (shipped inside the binary) and their private PostgreSQL.
        .target(name: "MeshDemo", dependencies: ["MeshEngine", "MeshCore", "SQLiteDB"],
                resources: [.copy("Resources/demo")]),
        .target(name: "MeshREPL", dependencies: ["MeshEngine", "MeshCatalog", "MeshCore", "MeshFormat", "CReadline"]),
        .target(name: "MeshServer", dependencies: [
            "MeshEngine", "MeshFormat", "MeshPlan", "MeshCatalog", "MeshCore", "MeshSQL",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Resources/openapi.yaml")]),
        .executableTarget(name: "meshql", dependencies: [
            "MeshEngine", "MeshDemo", "MeshREPL", "MeshFormat", "MeshExec", "MeshServer", "MeshCatalog", "MeshPlan",
            "MeshSQL", "MeshCore", "MeshLineage",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "meshql-bench", dependencies: [
            "ConnectorKit", "MeshCore", "MeshExec", "MeshPlan", "PostgresConnector", "MeshTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "meshql-load", dependencies: [
            "MeshCore", "MeshTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "meshql-fuzz", dependencies: [
            "MeshEngine", "MeshTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "meshql-differential", dependencies: [
            "MeshTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Tests. MeshTestSupport starts and stops a private PostgreSQL cluster.
        .target(name: "MeshTestSupport", dependencies: ["MeshCore", "MeshSQL", "MeshEngine", "SQLiteDB"]),
        .testTarget(name: "MeshSQLTests", dependencies: ["MeshSQL"]),
        .testTarget(name: "MeshCoreTests", dependencies: ["MeshCore"]),
        .testTarget(name: "MeshExecTests", dependencies: [
            "MeshExec", "MeshDialect", "MeshPlan", "MeshCore", "MeshSQL", "PostgresConnector", "SQLiteConnector",
            "MariaDBConnector",
        ]),
        .testTarget(name: "ConnectorTests", dependencies: [
            "PostgresConnector", "SQLiteConnector", "MariaDBConnector", "ConnectorKit", "MeshCore", "MeshDialect", "MeshPlan",
            "MeshTestSupport", "SQLiteDB",
        ]),
        .testTarget(name: "CatalogTests", dependencies: ["MeshCatalog", "MeshCore"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "ConnectorKit", "MeshCatalog", "MeshCore", "MeshDemo", "MeshDialect", "MeshEngine", "MeshExec", "MeshPlan",
            "MeshREPL", "MeshSQL",
            "MeshTestSupport", "MeshFormat", "MeshLineage", "PostgresConnector", "SQLiteDB",
        ]),
        .testTarget(name: "REPLTests", dependencies: ["MeshREPL", "MeshFormat", "MeshCore"]),
    ]
)
