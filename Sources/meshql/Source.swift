import ArgumentParser
import Foundation
import MeshCatalog
import MeshCore
import MeshEngine

struct Source: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say which files and servers each org's connectors may read (the operator's rules).",
        discussion: """
            A principal's CREATE CONNECTOR and ALTER CONNECTOR accept only a source the org is \
            allowed: a file under one of its SQLite roots (symlinks and .. resolved), or a \
            database server (PostgreSQL or MariaDB) matching one of its host:port[/database] rules \
            (the host compared by address). Anything else gets one error, whatever the reason. A connector made by the \
            operator (the local superuser) allows its own source. Connectors outside the rules are \
            refused to principals at query time: `meshql source check` lists them. See \
            docs/confine-sources.md.
            """,
        subcommands: [Allow.self, Revoke.self, List.self, Check.self]
    )

    struct Rules: ParsableArguments {
        @Option(name: .long, help: "The organisation.")
        var org: String
        @Option(name: .long, help: ArgumentHelp("A folder (or one file) whose SQLite files the org may read (repeatable).", valueName: "path"))
        var sqliteRoot: [String] = []
        @Option(name: [.customLong("postgres"), .customLong("server")],
                help: ArgumentHelp("A database server (PostgreSQL, MariaDB) the org may reach: host:port or host:port/database (repeatable).",
                                   valueName: "host:port[/db]"))
        var postgres: [String] = []
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func validate() throws {
            if sqliteRoot.isEmpty && postgres.isEmpty { throw ValidationError("give --sqlite-root or --postgres (--server)") }
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow an org's connectors a SQLite root or a database server (PostgreSQL, MariaDB).")
        @OptionGroup var rules: Rules

        func run() throws {
            let engine = try openEngine(rules.catalog)
            defer { engine.shutdown() }
            for path in rules.sqliteRoot {
                let rule = try engine.allowSQLiteRoot(org: rules.org, path: path)
                print("allowed \(rules.org): sqlite \(rule.pattern)")
            }
            for pattern in rules.postgres {
                let rule = try engine.allowPostgres(org: rules.org, pattern: pattern)
                print("allowed \(rules.org): postgres \(rule.pattern)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove rules (as `meshql source list` prints them).")
        @OptionGroup var rules: Rules

        func run() throws {
            let engine = try openEngine(rules.catalog)
            defer { engine.shutdown() }
            var missing: [String] = []
            for (kind, patterns) in [(SourceRule.Kind.sqlite, rules.sqliteRoot), (.postgres, rules.postgres)] {
                for p in patterns {
                    if try engine.disallowSource(org: rules.org, kind: kind, pattern: p) {
                        print("revoked \(rules.org): \(kind.rawValue) \(p)")
                    } else {
                        missing.append("\(kind.rawValue) \(p)")
                    }
                }
            }
            if !missing.isEmpty { throw ValidationError("no such rule for \(rules.org): " + missing.joined(separator: ", ")) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules, by org.")
        @Option(name: .long, help: "Only this organisation's.")
        var org: String?
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func run() throws {
            let engine = try openEngine(catalog)
            defer { engine.shutdown() }
            let rules = try engine.catalog.sourceRules(org: org)
            if rules.isEmpty { print("no rules: principals' connectors can reach no source") }
            for r in rules {
                print("\(r.org)  \(r.kind.rawValue)  \(r.pattern)" + (r.note.isEmpty ? "" : "  (\(r.note))"))
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List connectors whose source is outside their org's rules (refused to principals).",
            discussion: "Exit status 1 when there is any.")
        @Option(name: .long, help: "Only this organisation's.")
        var org: String?
        @Flag(name: .long, help: "List every connector, allowed ones too.")
        var all = false
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func run() throws {
            let engine = try openEngine(catalog)
            defer { engine.shutdown() }
            let checks = try engine.checkSources(org: org)
            let refused = checks.filter { !$0.allowed }
            for c in checks where all || !c.allowed {
                print("\(c.allowed ? "allowed" : "REFUSED")  \(c.connector.org)  \(c.connector.name)  \(c.location)")
            }
            print("\(checks.count) connectors, \(refused.count) outside their org's rules")
            if !refused.isEmpty { throw ExitCode(1) }
        }
    }
}

private func openEngine(_ path: String) throws -> Engine {
    try Engine(catalogPath: existingCatalog(path), lineage: .none)
}
