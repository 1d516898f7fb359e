import MeshCore

/// The SQL standard's `information_schema` over the same view of the catalog as `pg_catalog`:
/// meshes as schemas, products as tables (derived products as views) and their columns.
enum InformationSchemaTables {
    static let all: [PGCatalogTable] = [
        PGCatalogTable("information_schema", "schemata", oid: 13_001, """
            catalog_name name, schema_name name, schema_owner name, default_character_set_catalog name, \
            default_character_set_schema name, default_character_set_name name, sql_path text
            """) { s in
            (["pg_catalog", "information_schema"] + s.schemas.map(\.name)).map {
                ["catalog_name": .string(s.database), "schema_name": .string($0), "schema_owner": .string(s.user)]
            }
        },
        PGCatalogTable("information_schema", "tables", oid: 13_002, """
            table_catalog name, table_schema name, table_name name, table_type text, \
            self_referencing_column_name name, reference_generation text, user_defined_type_catalog name, \
            user_defined_type_schema name, user_defined_type_name name, is_insertable_into text, is_typed text, \
            commit_action text
            """) { s in
            s.relations.map {
                ["table_catalog": .string(s.database), "table_schema": .string($0.schema.name), "table_name": .string($0.name),
                 "table_type": .string($0.kind == "v" ? "VIEW" : "BASE TABLE"), "is_insertable_into": .string("NO"),
                 "is_typed": .string("NO")]
            }
        },
        PGCatalogTable("information_schema", "views", oid: 13_003, """
            table_catalog name, table_schema name, table_name name, view_definition text, check_option text, \
            is_updatable text, is_insertable_into text, is_trigger_updatable text, is_trigger_deletable text, \
            is_trigger_insertable_into text
            """) { s in
            s.relations.filter { $0.kind == "v" }.map {
                ["table_catalog": .string(s.database), "table_schema": .string($0.schema.name), "table_name": .string($0.name),
                 "view_definition": .text($0.definition), "check_option": .string("NONE"), "is_updatable": .string("NO"),
                 "is_insertable_into": .string("NO"), "is_trigger_updatable": .string("NO"),
                 "is_trigger_deletable": .string("NO"), "is_trigger_insertable_into": .string("NO")]
            }
        },
        PGCatalogTable("information_schema", "columns", oid: 13_004, """
            table_catalog name, table_schema name, table_name name, column_name name, ordinal_position int4, \
            column_default text, is_nullable text, data_type text, character_maximum_length int4, \
            character_octet_length int4, numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, \
            datetime_precision int4, interval_type text, interval_precision int4, character_set_catalog name, \
            character_set_schema name, character_set_name name, collation_catalog name, collation_schema name, \
            collation_name name, domain_catalog name, domain_schema name, domain_name name, udt_catalog name, \
            udt_schema name, udt_name name, scope_catalog name, scope_schema name, scope_name name, \
            maximum_cardinality int4, dtd_identifier name, is_self_referencing text, is_identity text, \
            identity_generation text, identity_start text, identity_increment text, identity_maximum text, \
            identity_minimum text, identity_cycle text, is_generated text, generation_expression text, \
            is_updatable text
            """) { s in
            var rows: [[String: Value]] = []
            for r in s.relations {
                for (i, c) in r.columns.enumerated() {
                    let type = c.dataType ?? .text
                    var row: [String: Value] = [
                        "table_catalog": .string(s.database), "table_schema": .string(r.schema.name),
                        "table_name": .string(r.name), "column_name": .string(c.name), "ordinal_position": .int(Int64(i + 1)),
                        "is_nullable": .string(c.nullable ? "YES" : "NO"), "data_type": .string(standardName(type)),
                        "udt_catalog": .string(s.database), "udt_schema": .string("pg_catalog"),
                        "udt_name": .string(PostgresType.withOID(type.postgresOID)?.name ?? "text"),
                        "dtd_identifier": .string(String(i + 1)), "is_self_referencing": .string("NO"),
                        "is_identity": .string("NO"), "is_generated": .string("NEVER"), "is_updatable": .string("NO"),
                        "character_maximum_length": .null, "character_octet_length": .null, "numeric_precision": .null,
                        "numeric_precision_radix": .null, "numeric_scale": .null, "datetime_precision": .null,
                    ]
                    switch type {
                    case .smallint: row.merge(["numeric_precision": .int(16), "numeric_precision_radix": .int(2), "numeric_scale": .int(0)]) { $1 }
                    case .integer: row.merge(["numeric_precision": .int(32), "numeric_precision_radix": .int(2), "numeric_scale": .int(0)]) { $1 }
                    case .bigint: row.merge(["numeric_precision": .int(64), "numeric_precision_radix": .int(2), "numeric_scale": .int(0)]) { $1 }
                    case .double: row.merge(["numeric_precision": .int(53), "numeric_precision_radix": .int(2)]) { $1 }
                    case .decimal(let p, let sc):
                        row.merge(["numeric_precision": .int(Int64(p)), "numeric_precision_radix": .int(10), "numeric_scale": .int(Int64(sc))]) { $1 }
                    case .text: row["character_octet_length"] = .int(1_073_741_824)
                    case .date: row["datetime_precision"] = .int(0)
                    case .timestamp, .timestamptz: row["datetime_precision"] = .int(6)
                    default: break
                    }
                    rows.append(row)
                }
            }
            return rows
        },
        PGCatalogTable("information_schema", "table_constraints", oid: 13_005, """
            constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, \
            table_schema name, table_name name, constraint_type text, is_deferrable text, initially_deferred text, \
            enforced text, nulls_distinct text
            """),
        PGCatalogTable("information_schema", "key_column_usage", oid: 13_006, """
            constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, \
            table_schema name, table_name name, column_name name, ordinal_position int4, \
            position_in_unique_constraint int4
            """),
        PGCatalogTable("information_schema", "routines", oid: 13_007, """
            specific_catalog name, specific_schema name, specific_name name, routine_catalog name, \
            routine_schema name, routine_name name, routine_type text, data_type text
            """),
    ]

    /// The SQL standard's name of a type (`information_schema.columns.data_type`).
    static func standardName(_ t: DataType) -> String {
        switch t {
        case .boolean: "boolean"
        case .smallint: "smallint"
        case .integer: "integer"
        case .bigint: "bigint"
        case .double: "double precision"
        case .decimal: "numeric"
        case .text, .unknown: "text"
        case .date: "date"
        case .timestamp: "timestamp without time zone"
        case .timestamptz: "timestamp with time zone"
        case .bytea: "bytea"
        }
    }
}
