import ArgumentParser
import Foundation
import MeshCatalog
import MeshCore
import MeshEngine

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make, list and revoke the API tokens of `meshql serve`.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token for a principal of an org; it is printed once, alone on the last line.",
            discussion: "Only a hash of the token is kept. The role `admin` makes the principal an org administrator.")

        @Option(name: .long, help: "The organisation the token belongs to.")
        var org: String
        @Option(name: .long, help: ArgumentHelp("The principal's email.", valueName: "email"))
        var user: String
        @Option(name: .long, help: "A role (repeatable).")
        var role: [String] = []
        @Option(name: .long, help: ArgumentHelp("An attribute K=V (repeatable).", valueName: "k=v"))
        var attr: [String] = []
        @Option(name: .long, help: ArgumentHelp("Valid for this long: 30d, 12h, 90m.", valueName: "duration"))
        var expires: String?
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func run() throws {
            var principal = Principal(user: user, roles: Set(role.map { $0.lowercased() }))
            for a in attr {
                guard let (k, v) = Principal.attribute(a) else { throw ValidationError("--attr takes KEY=VALUE, not \"\(a)\"") }
                principal.attributes[k] = v
            }
            var expiry: Date?
            if let expires {
                guard let seconds = Self.seconds(expires) else { throw ValidationError("--expires takes 30d, 12h or 90m, not \"\(expires)\"") }
                expiry = Date().addingTimeInterval(seconds)
            }
            let store = try openCatalog(catalog)
            let secret = APIToken.newSecret()
            let token = APIToken(org: org, principal: principal, expiresAt: expiry)
            try store.createToken(token, secret: secret)
            print("token \(token.id.uuidString.lowercased()) for \(principal.description) in org \(org)")
            print(secret)
        }

        static func seconds(_ text: String) -> TimeInterval? {
            guard let unit = text.last, let n = Double(text.dropLast()), n > 0, n <= 36_500 else { return nil }
            switch unit {
            case "d": return n * 86_400
            case "h": return n * 3_600
            case "m": return n * 60
            default: return nil
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the secrets).")
        @Option(name: .long, help: "Only this organisation's.")
        var org: String?
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func run() throws {
            for t in try openCatalog(catalog).tokens(org: org) {
                let state = t.revokedAt != nil ? "revoked" : t.isValid() ? "valid" : "expired"
                print("\(t.id.uuidString.lowercased())  \(t.org)  \(t.principal.description)  \(state)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
        @Argument(help: "The token's id (from `meshql token list`).")
        var id: String
        @Option(name: .long, help: ArgumentHelp("The catalog file.", valueName: "path"))
        var catalog = "meshql.db"

        func run() throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("\"\(id)\" is not a token id") }
            guard try openCatalog(catalog).revokeToken(id: uuid) else {
                throw ValidationError("no valid token \(id)")
            }
            print("revoked \(id)")
        }
    }
}

/// The catalog of a token command; it must exist.
private func openCatalog(_ path: String) throws -> CatalogStore {
    try CatalogStore(path: existingCatalog(path))
}

/// The catalog an operator's command (`token`, `source`) works on: it must exist already.
func existingCatalog(_ path: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("no catalog at \(path) (pass --catalog)")
    }
    return path
}
