import MeshCore
import MeshPlan
import Synchronization

/// The emulated PostgreSQL catalog of one statement, made the first time the statement reads
/// it (a table, `'t'::regclass`) and kept for the rest of it.
final class PGCatalogSource: Sendable {
    /// Schemas that are PostgreSQL's and not meshes.
    static let schemas: Set<String> = ["pg_catalog", "information_schema"]

    private let make: @Sendable () throws -> PGCatalogSnapshot
    private let made = Mutex<PGCatalogSnapshot?>(nil)
    private let madeFacts = Mutex<PostgresCatalogFacts?>(nil)

    init(_ make: @escaping @Sendable () throws -> PGCatalogSnapshot) {
        self.make = make
    }

    func snapshot() throws -> PGCatalogSnapshot {
        if let s = made.withLock({ $0 }) { return s }
        let s = try make()
        made.withLock { $0 = s }
        return s
    }

    /// What the binder's catalog functions read, made once per statement as the snapshot is.
    func facts() throws -> PostgresCatalogFacts {
        if let f = madeFacts.withLock({ $0 }) { return f }
        let f = try makeFacts()
        madeFacts.withLock { $0 = f }
        return f
    }

    private func makeFacts() throws -> PostgresCatalogFacts {
        let s = try snapshot()
        let system = PGCatalogTables.all.map { PostgresCatalogFacts.Relation(oid: $0.oid, schema: $0.schema, name: $0.name) }
        return PostgresCatalogFacts(
            relations: system + s.relations.map { .init(oid: $0.oid, schema: $0.schema.name, name: $0.name) },
            schemas: [.init(oid: PGCatalogTables.pgCatalogOID, name: "pg_catalog"),
                      .init(oid: PGCatalogTables.informationSchemaOID, name: "information_schema")]
                + s.schemas.map { .init(oid: $0.oid, name: $0.name) },
            descriptions: PGCatalogTables.descriptions(s).map {
                .init(objectOID: $0.objectOID, classOID: $0.classOID, subID: $0.subID, text: $0.text)
            },
            user: s.user, currentSchema: s.currentSchema, backendPID: s.backendPID, settings: s.settings)
    }
}
