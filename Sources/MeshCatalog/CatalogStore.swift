import Foundation
import MeshCore
import SQLiteDB

/// The catalog: every mesh, connector and data product of every organisation, in one SQLite
/// file (WAL) with numbered migrations (`Migrations`).
///
/// Every read and write takes an organisation; rows of another organisation are invisible —
/// lookups return nil and changes report "does not exist". Each write runs in one transaction,
/// so a failure leaves nothing half-written and an acknowledged change survives a crash.
///
/// `@unchecked Sendable`: the only mutable state is the one `SQLiteDatabase` connection, and
/// every use of it — including transactions, which span several statements — happens inside
/// `withDatabase`, under `lock`. The connection is opened NOMUTEX, so this lock is what makes
/// it safe to share the store between tasks and threads.
public final class CatalogStore: @unchecked Sendable {
    /// The catalog file's path.
    public let path: String
    private let db: SQLiteDatabase
    private let lock = NSLock()
    /// Seals connector secrets before they are written (see `SecretSealer`); loaded on first
    /// use, so a reader of a catalog without secrets needs no key.
    private var loadedSealer: SecretSealer?
    private let sealerLock = NSLock()
    /// Reads on the query path, kept until a write (see `CatalogCache`).
    let cache = CatalogCache()
    /// Opened read-only: the file is not writable by this process.
    public let readOnly: Bool

    /// Written into the file header (`PRAGMA application_id`, "mqlc") so a meshql catalog is
    /// recognisable and another application's database is not mistaken for one.
    static let applicationID: Int32 = 0x6D71_6C63

    /// Opens the catalog at `path`, creating the file and its folder if needed and bringing
    /// its schema up to date.
    ///
    /// Throws `MeshError(.catalog)` when the file is not a meshql catalog (not SQLite, damaged,
    /// or another application's database) or was written by a newer meshql; such files are
    /// left untouched.
    /// - Parameter readOnly: open for reading only; nil: when the file is not writable.
    public init(path: String, readOnly forcedReadOnly: Bool? = nil) throws {
        self.path = path
        if path != ":memory:" && !path.hasPrefix("file:") {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw MeshError(.catalog, "cannot create the catalog folder \(folder)")
            }
        }
        // A new catalog is readable by its owner only (it holds connector settings); SQLite
        // gives its -wal and -shm files the same mode.
        if path != ":memory:" && !path.hasPrefix("file:") && !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        // A catalog the user may read but not write (another user's, a read-only mount)
        // still serves queries; only changes are refused.
        let fm = FileManager.default
        readOnly = forcedReadOnly ?? (fm.fileExists(atPath: path) && !fm.isWritableFile(atPath: path))
        do {
            if readOnly {
                // Read-only with the WAL index if we may create it, else as an immutable
                // snapshot (a folder we may not write: no -shm can be made).
                let plain = try SQLiteDatabase(path: path, mode: .readOnly)
                if (try? plain.scalarInt("PRAGMA application_id")) != nil {
                    db = plain
                } else {
                    db = try SQLiteDatabase(path: path, mode: .readOnlySnapshot)
                }
            } else {
                db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
                // Deleted rows are overwritten, so a replaced secret leaves no copy in free pages.
                try db.execute("PRAGMA secure_delete = ON")
            }
        } catch let error as SQLiteDatabase.Error {
            throw MeshError(.catalog, "cannot open catalog \(path): \(error.message)")
        }
        try CatalogSchema.prepare(db, path: path, readOnly: readOnly)
        if !readOnly { try sealPlaintextSecrets() }
    }

    /// The sealer, its key read (or, in a writable catalog, created) now if not yet.
    func sealer() throws -> SecretSealer {
        sealerLock.lock()
        defer { sealerLock.unlock() }
        if let s = loadedSealer { return s }
        let s = try SecretSealer(catalogPath: path, mayCreateKey: !readOnly)
        loadedSealer = s
        return s
    }

    /// The schema version of the open catalog (`Migrations.latestVersion` once opened).
    public var schemaVersion: Int {
        get throws {
            try withDatabase { db in
                try db.scalarInt("SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0
            }
        }
    }

    /// Runs `body` with exclusive use of the connection. SQLite errors come out as
    /// `MeshError`s; `MeshError`s pass through.
    func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(db)
        } catch let error as SQLiteDatabase.Error {
            throw translate(error)
        }
    }

    /// Runs `body` in one transaction with exclusive use of the connection; rolls back if it
    /// throws. Then empties the metadata cache.
    func write<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        defer { cache.clear() }
        return try withDatabase { db in try db.transaction { try body(db) } }
    }

    /// A write of rows no cached read depends on (the audit log), made without waiting for
    /// the disk: the cache stays (a server appends audit records many times a second, and
    /// emptying the cache each time would send every query back to SQLite), and the commit
    /// is not synced (`synchronous = NORMAL`; in WAL mode a power cut may lose the last such
    /// commits, never the file). A process crash loses nothing committed.
    func appendWrite<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try withDatabase { db in
            let level = try db.scalarInt("PRAGMA synchronous") ?? 2
            try db.execute("PRAGMA synchronous = NORMAL")
            defer { try? db.execute("PRAGMA synchronous = \(level)") }
            return try db.transaction { try body(db) }
        }
    }

    /// Last-resort mapping; the store checks constraints itself first so that messages can name
    /// the object. SQLite's own messages name tables and columns, never values.
    private func translate(_ error: SQLiteDatabase.Error) -> MeshError {
        if error.isUniqueViolation { return MeshError(.duplicateObject, "catalog object already exists") }
        if error.isForeignKeyViolation {
            return MeshError(.dependentObjects, "catalog object is still referenced by other objects")
        }
        if error.isNotADatabase { return MeshError(.catalog, "\(path) is not a meshql catalog (damaged file)") }
        if readOnly || error.message.contains("readonly") {
            return MeshError(.catalog, "the catalog \(path) is read-only: it can be queried but not changed")
        }
        return MeshError(.catalog, "catalog error: \(error.message)")
    }
}

/// What a cascading delete removed besides the object itself.
public struct CatalogDeletion: Sendable, Hashable {
    public var products: Int
    public var connectors: Int

    public init(products: Int = 0, connectors: Int = 0) {
        self.products = products
        self.connectors = connectors
    }
}
