/// One numbered step of the catalog schema. Versions are applied in order, each in its own
/// transaction, and recorded in `schema_migrations`; a released migration is never edited —
/// a change is a new, higher version.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String
}

/// The catalog schema, oldest first.
///
/// Conventions: ids are lower-case UUID text, timestamps ISO-8601 UTC text with microseconds
/// (`CatalogTimestamp`), structured fields JSON text. Every object row carries its `org`, and
/// every lookup filters on it — another organisation's objects are invisible.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE meshes (
                id              TEXT PRIMARY KEY,
                org             TEXT NOT NULL,
                sql_name        TEXT NOT NULL,
                name            TEXT NOT NULL,
                label           TEXT NOT NULL DEFAULT '',
                description     TEXT NOT NULL DEFAULT '',
                purpose         TEXT NOT NULL DEFAULT '',
                owner           TEXT,
                assignees       TEXT NOT NULL DEFAULT '[]',
                security_policy TEXT NOT NULL DEFAULT '[]',
                entity_info     TEXT NOT NULL DEFAULT '{}',
                is_system       INTEGER NOT NULL DEFAULT 0,
                created_at      TEXT NOT NULL,
                state           TEXT NOT NULL,
                UNIQUE (org, sql_name)
            );
            -- At most one system mesh (org-wide policy) per organisation.
            CREATE UNIQUE INDEX meshes_one_system_per_org ON meshes (org) WHERE is_system = 1;

            CREATE TABLE connectors (
                id             TEXT PRIMARY KEY,
                org            TEXT NOT NULL,
                mesh_id        TEXT NOT NULL REFERENCES meshes (id) ON DELETE RESTRICT,
                name           TEXT NOT NULL,
                type           TEXT NOT NULL,
                options        TEXT NOT NULL DEFAULT '{}',
                secret_options TEXT NOT NULL DEFAULT '{}',
                created_at     TEXT NOT NULL,
                state          TEXT NOT NULL,
                UNIQUE (org, name)
            );
            CREATE INDEX connectors_mesh ON connectors (mesh_id);

            CREATE TABLE products (
                id            TEXT PRIMARY KEY,
                org           TEXT NOT NULL,
                mesh_id       TEXT NOT NULL REFERENCES meshes (id) ON DELETE RESTRICT,
                name          TEXT NOT NULL,
                connector_id  TEXT REFERENCES connectors (id) ON DELETE RESTRICT,
                remote_schema TEXT,
                remote_name   TEXT,
                view_sql      TEXT,
                description   TEXT,
                owner         TEXT,
                freshness     TEXT,
                columns       TEXT NOT NULL DEFAULT '[]',
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL,
                state         TEXT NOT NULL,
                UNIQUE (org, mesh_id, name)
            );
            CREATE INDEX products_mesh ON products (mesh_id);
            CREATE INDEX products_connector ON products (connector_id);
            """),

        // Audit and lineage. No foreign keys to products on purpose: the history must outlive
        // the objects it mentions, so rows carry ids and the names as they were.
        Migration(version: 2, sql: """
            CREATE TABLE audit_log (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                org         TEXT NOT NULL,
                query_id    TEXT,
                at          TEXT NOT NULL,
                principal   TEXT NOT NULL,
                roles       TEXT NOT NULL DEFAULT '[]',
                kind        TEXT NOT NULL,
                statement   TEXT NOT NULL,
                products    TEXT NOT NULL DEFAULT '[]',
                policies    TEXT NOT NULL DEFAULT '[]',
                status      TEXT NOT NULL,
                sqlstate    TEXT,
                row_count   INTEGER,
                elapsed_ms  REAL,
                details     TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX audit_log_org_at ON audit_log (org, at);
            CREATE INDEX audit_log_org_principal ON audit_log (org, principal, at);
            CREATE INDEX audit_log_query ON audit_log (query_id);

            CREATE TABLE lineage_edges (
                id                INTEGER PRIMARY KEY AUTOINCREMENT,
                org               TEXT NOT NULL,
                query_id          TEXT,
                source_product_id TEXT NOT NULL,
                source_product    TEXT NOT NULL,
                source_column     TEXT,
                target_product_id TEXT,
                target_product    TEXT,
                target_column     TEXT,
                transform         TEXT NOT NULL DEFAULT 'direct',
                created_at        TEXT NOT NULL
            );
            CREATE INDEX lineage_edges_source ON lineage_edges (org, source_product_id);
            CREATE INDEX lineage_edges_target ON lineage_edges (org, target_product_id);
            CREATE INDEX lineage_edges_query ON lineage_edges (query_id);
            """),

        // What the planner knows of the sources' tables: row counts (column '') and the
        // number of distinct values of join columns, with when they were collected. A cache:
        // losing it costs a new look at the source, nothing else.
        Migration(version: 3, sql: """
            CREATE TABLE source_statistics (
                org          TEXT NOT NULL,
                connector_id TEXT NOT NULL,
                object       TEXT NOT NULL,
                column_name  TEXT NOT NULL DEFAULT '',
                value        REAL NOT NULL,
                collected_at TEXT NOT NULL,
                PRIMARY KEY (org, connector_id, object, column_name)
            );
            """),

        // The org's policy library: named policies that a mesh's `security_policy` list can
        // name instead of spelling the statements out (SQL.md §5).
        Migration(version: 4, sql: """
            CREATE TABLE named_policies (
                org         TEXT NOT NULL,
                name        TEXT NOT NULL,
                body        TEXT NOT NULL,
                created_at  TEXT NOT NULL,
                updated_at  TEXT NOT NULL,
                PRIMARY KEY (org, name)
            );
            """),

        // API tokens of `meshql serve`: only a hash of each is kept. A token is one principal
        // of one org.
        Migration(version: 5, sql: """
            CREATE TABLE api_tokens (
                id          TEXT PRIMARY KEY,
                org         TEXT NOT NULL,
                hash        TEXT NOT NULL UNIQUE,
                principal   TEXT NOT NULL,
                roles       TEXT NOT NULL DEFAULT '[]',
                attributes  TEXT NOT NULL DEFAULT '{}',
                created_at  TEXT NOT NULL,
                expires_at  TEXT,
                revoked_at  TEXT
            );
            CREATE INDEX api_tokens_org ON api_tokens (org);
            """),

        // The sources each org's principals may point connectors at, set by the server's
        // operator (`meshql source allow`): SQLite roots (a folder or a file) and PostgreSQL
        // servers (`host:port` or `host:port/database`). No SQL statement writes this table.
        Migration(version: 6, sql: """
            CREATE TABLE source_rules (
                org         TEXT NOT NULL,
                kind        TEXT NOT NULL CHECK (kind IN ('sqlite', 'postgres')),
                pattern     TEXT NOT NULL,
                note        TEXT NOT NULL DEFAULT '',
                created_at  TEXT NOT NULL,
                PRIMARY KEY (org, kind, pattern)
            );
            """),

        // Hash domains: a key for `hash(x, 'domain')` masks shared by the listed meshes (ids,
        // a JSON array), so their hashed columns join. Made by org admins only.
        Migration(version: 7, sql: """
            CREATE TABLE hash_domains (
                id          TEXT PRIMARY KEY,
                org         TEXT NOT NULL,
                name        TEXT NOT NULL,
                meshes      TEXT NOT NULL DEFAULT '[]',
                created_at  TEXT NOT NULL,
                UNIQUE (org, name)
            );
            """),

        // The SCRAM-SHA-256 verifier of each token (`SCRAMVerifier`), so the PostgreSQL
        // protocol can take a token as a password without the server keeping the token.
        // Tokens made before have none: they work over HTTP only.
        Migration(version: 8, sql: """
            ALTER TABLE api_tokens ADD COLUMN scram TEXT;
            """),
    ]

    /// The newest schema version this code knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
