import MeshCore

/// The relations of the emulated `pg_catalog`: meshes as schemas, products as tables (derived
/// products as views), their columns, and PostgreSQL's types, as tools browsing a database
/// read them. Tables of features meshql has not (indexes, constraints, policies in
/// PostgreSQL's sense, inheritance, publications) exist and are empty.
enum PGCatalogTables {
    static let pgCatalogOID: Int64 = 11
    static let informationSchemaOID: Int64 = 13_000
    /// The (one) table access method, `heap`, which psql prints for `\d+`.
    static let heapOID: Int64 = 2

    static func bool(_ b: Bool) -> Value { .bool(b) }
    static func int(_ i: Int64) -> Value { .int(i) }

    static let all: [PGCatalogTable] = [
        PGCatalogTable("pg_catalog", "pg_namespace", oid: 2615, "oid oid, nspname name, nspowner oid, nspacl text") { s in
            [["oid": int(pgCatalogOID), "nspname": .string("pg_catalog"), "nspowner": int(PGCatalogSnapshot.userRoleOID)],
             ["oid": int(informationSchemaOID), "nspname": .string("information_schema"), "nspowner": int(PGCatalogSnapshot.userRoleOID)]]
                + s.schemas.map { ["oid": int($0.oid), "nspname": .string($0.name), "nspowner": int(PGCatalogSnapshot.userRoleOID)] }
        },
        PGCatalogTable("pg_catalog", "pg_class", oid: 1259, """
            oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, \
            relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, \
            relhasindex bool, relisshared bool, relpersistence char, relkind char, relnatts int2, relchecks int2, \
            relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, \
            relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid xid, \
            relminmxid xid, relacl text, reloptions text, relpartbound text
            """) { s in
            func row(_ oid: Int64, _ name: String, _ ns: Int64, _ kind: String, _ columns: Int) -> [String: Value] {
                ["oid": int(oid), "relname": .string(name), "relnamespace": int(ns), "relowner": int(PGCatalogSnapshot.userRoleOID),
                 "relam": int(kind == "r" ? heapOID : 0), "reltuples": .double(-1), "relpersistence": .string("p"),
                 "relkind": .string(kind), "relnatts": int(Int64(columns)), "relispopulated": bool(true),
                 "relreplident": .string(kind == "r" ? "d" : "n")]
            }
            return all.map { row($0.oid, $0.name, $0.schema == "pg_catalog" ? pgCatalogOID : informationSchemaOID, "v", $0.columns.count) }
                + s.relations.map { row($0.oid, $0.name, $0.schema.oid, $0.kind, $0.columns.count) }
        },
        PGCatalogTable("pg_catalog", "pg_attribute", oid: 1249, """
            attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, \
            attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, \
            attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, \
            attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl text, attoptions text, \
            attfdwoptions text, attmissingval text
            """) { s in
            func row(_ rel: Int64, _ n: Int, _ name: String, _ type: DataType, notNull: Bool) -> [String: Value] {
                let pg = PostgresType.withOID(type.postgresOID)
                return ["attrelid": int(rel), "attname": .string(name), "atttypid": int(type.postgresOID),
                        "attstattarget": int(-1), "attlen": int(Int64(pg?.length ?? -1)), "attnum": int(Int64(n)),
                        "attcacheoff": int(-1), "atttypmod": int(type.postgresModifier), "attbyval": bool((pg?.length ?? -1) > 0),
                        "attalign": .string("i"), "attstorage": .string((pg?.length ?? -1) > 0 ? "p" : "x"),
                        "attcompression": .string(""), "attnotnull": bool(notNull), "attidentity": .string(""),
                        "attgenerated": .string(""), "attislocal": bool(true),
                        "attcollation": int(type == .text ? 100 : 0)]
            }
            var rows: [[String: Value]] = []
            for t in all {
                for (i, f) in t.columns.enumerated() { rows.append(row(t.oid, i + 1, f.name, f.type, notNull: false)) }
            }
            for r in s.relations {
                for (i, c) in r.columns.enumerated() {
                    rows.append(row(r.oid, i + 1, c.name, c.dataType ?? .text, notNull: !c.nullable))
                }
            }
            return rows
        },
        PGCatalogTable("pg_catalog", "pg_type", oid: 1247, """
            oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, \
            typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript text, \
            typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, \
            typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool, typbasetype oid, \
            typtypmod int4, typndims int4, typcollation oid, typdefaultbin text, typdefault text, typacl text
            """) { _ in
            PostgresType.all.map { t in
                ["oid": int(t.oid), "typname": .string(t.name), "typnamespace": int(pgCatalogOID),
                 "typowner": int(PGCatalogSnapshot.userRoleOID), "typlen": int(Int64(t.length)), "typbyval": bool(t.length > 0 && t.length <= 8),
                 "typtype": .string(t.category == "P" ? "p" : "b"), "typcategory": .string(t.category),
                 "typisdefined": bool(true), "typdelim": .string(","), "typelem": int(t.element), "typarray": int(t.array),
                 "typinput": int(PostgresType.procedureOID(t.category == "A" ? "array_in" : t.name + "in")),
                 "typoutput": int(PostgresType.procedureOID(t.category == "A" ? "array_out" : t.name + "out")),
                 "typalign": .string(t.length == 8 ? "d" : t.length == 2 ? "s" : t.length == 1 ? "c" : "i"),
                 "typstorage": .string(t.length > 0 ? "p" : "x"), "typtypmod": int(-1),
                 "typcollation": int(["text", "varchar", "bpchar", "name"].contains(t.name) ? 100 : 0)]
            }
        },
        PGCatalogTable("pg_catalog", "pg_database", oid: 1262, """
            oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, \
            datallowconn bool, datconnlimit int4, datfrozenxid xid, datminmxid xid, dattablespace oid, \
            datcollate text, datctype text, daticulocale text, datcollversion text, datacl text
            """) { s in
            [["oid": int(PGCatalogSnapshot.databaseOID), "datname": .string(s.database), "datdba": int(PGCatalogSnapshot.userRoleOID),
              "encoding": int(6), "datlocprovider": .string("c"), "datallowconn": bool(true), "datconnlimit": int(-1),
              "dattablespace": int(1663), "datcollate": .string("C"), "datctype": .string("C")]]
        },
        PGCatalogTable("pg_catalog", "pg_roles", oid: 12001, """
            rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, \
            rolreplication bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, \
            rolconfig text, oid oid
            """) { s in
            [["rolname": .string(s.user), "rolinherit": bool(true), "rolcanlogin": bool(true), "rolconnlimit": int(-1),
              "rolpassword": .string("********"), "oid": int(PGCatalogSnapshot.userRoleOID)]]
        },
        PGCatalogTable("pg_catalog", "pg_user", oid: 12002, """
            usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, \
            passwd text, valuntil timestamptz, useconfig text
            """) { s in
            [["usename": .string(s.user), "usesysid": int(PGCatalogSnapshot.userRoleOID), "passwd": .string("********")]]
        },
        PGCatalogTable("pg_catalog", "pg_auth_members", oid: 1261, "roleid oid, member oid, grantor oid, admin_option bool"),
        PGCatalogTable("pg_catalog", "pg_description", oid: 2609, "objoid oid, classoid oid, objsubid int4, description text") { s in
            descriptions(s).map { d in
                ["objoid": int(d.objectOID), "classoid": int(d.classOID), "objsubid": int(d.subID), "description": .string(d.text)]
            }
        },
        PGCatalogTable("pg_catalog", "pg_am", oid: 2601, "oid oid, amname name, amhandler text, amtype char") { _ in
            [["oid": int(heapOID), "amname": .string("heap"), "amhandler": .string("heap_tableam_handler"), "amtype": .string("t")]]
        },
        PGCatalogTable("pg_catalog", "pg_tablespace", oid: 1213, "oid oid, spcname name, spcowner oid, spcacl text, spcoptions text") { _ in
            [["oid": int(1663), "spcname": .string("pg_default"), "spcowner": int(PGCatalogSnapshot.userRoleOID)]]
        },
        PGCatalogTable("pg_catalog", "pg_collation", oid: 3456, """
            oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, \
            collencoding int4, collcollate text, collctype text, colliculocale text, collversion text
            """),
        PGCatalogTable("pg_catalog", "pg_settings", oid: 12003, """
            name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, \
            vartype text, source text, min_val text, max_val text, enumvals text, boot_val text, reset_val text, \
            sourcefile text, sourceline int4, pending_restart bool
            """) { s in
            s.settings.sorted { $0.key < $1.key }.map { k, v in
                ["name": .string(k), "setting": .string(v), "context": .string("internal"), "vartype": .string("string"),
                 "source": .string("default"), "boot_val": .string(v), "reset_val": .string(v)]
            }
        },
        PGCatalogTable("pg_catalog", "pg_tables", oid: 12004, """
            schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool, \
            hastriggers bool, rowsecurity bool
            """) { s in
            s.relations.filter { $0.kind == "r" }.map {
                ["schemaname": .string($0.schema.name), "tablename": .string($0.name), "tableowner": .string(s.user)]
            }
        },
        PGCatalogTable("pg_catalog", "pg_views", oid: 12005, "schemaname name, viewname name, viewowner name, definition text") { s in
            s.relations.filter { $0.kind == "v" }.map {
                ["schemaname": .string($0.schema.name), "viewname": .string($0.name), "viewowner": .string(s.user),
                 "definition": .text($0.definition)]
            }
        },
        // Empty: no product has an index, a constraint, a default, a trigger, a rule, a
        // sequence, a partition, a policy in PostgreSQL's sense, or a publication.
        PGCatalogTable("pg_catalog", "pg_index", oid: 2610, """
            indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, \
            indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, \
            indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey text, indcollation text, \
            indclass text, indoption text, indexprs text, indpred text
            """),
        PGCatalogTable("pg_catalog", "pg_constraint", oid: 2606, """
            oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, \
            convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, \
            confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, \
            connoinherit bool, conkey text, confkey text, conpfeqop text, conppeqop text, conffeqop text, \
            confdelsetcols text, conexclop text, conbin text
            """),
        PGCatalogTable("pg_catalog", "pg_attrdef", oid: 2604, "oid oid, adrelid oid, adnum int2, adbin text"),
        PGCatalogTable("pg_catalog", "pg_inherits", oid: 2611, "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool"),
        PGCatalogTable("pg_catalog", "pg_trigger", oid: 2620, "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool"),
        PGCatalogTable("pg_catalog", "pg_rewrite", oid: 2618, "oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual text, ev_action text"),
        PGCatalogTable("pg_catalog", "pg_policy", oid: 3256, "oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles text, polqual text, polwithcheck text"),
        PGCatalogTable("pg_catalog", "pg_statistic_ext", oid: 3381, "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys text, stxkind text, stxexprs text"),
        PGCatalogTable("pg_catalog", "pg_publication", oid: 6104, "oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool"),
        PGCatalogTable("pg_catalog", "pg_publication_rel", oid: 6106, "oid oid, prpubid oid, prrelid oid, prqual text, prattrs text"),
        PGCatalogTable("pg_catalog", "pg_publication_namespace", oid: 6237, "oid oid, pnpubid oid, pnnspid oid"),
        PGCatalogTable("pg_catalog", "pg_sequence", oid: 2224, "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool"),
        PGCatalogTable("pg_catalog", "pg_partitioned_table", oid: 3350, "partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs text, partclass text, partcollation text, partexprs text"),
        PGCatalogTable("pg_catalog", "pg_foreign_table", oid: 3118, "ftrelid oid, ftserver oid, ftoptions text"),
        PGCatalogTable("pg_catalog", "pg_opclass", oid: 2616, "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid"),
        PGCatalogTable("pg_catalog", "pg_proc", oid: 1255, "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, prokind char, prorettype oid, proargtypes text, proretset bool"),
        PGCatalogTable("pg_catalog", "pg_extension", oid: 3079, "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig text, extcondition text"),
        PGCatalogTable("pg_catalog", "pg_enum", oid: 3501, "oid oid, enumtypid oid, enumsortorder float4, enumlabel name"),
        PGCatalogTable("pg_catalog", "pg_range", oid: 3541, "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid"),
        PGCatalogTable("pg_catalog", "pg_matviews", oid: 12006, "schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated bool, definition text"),
        PGCatalogTable("pg_catalog", "pg_stat_activity", oid: 12007, "datid oid, datname name, pid int4, usename name, application_name text, state text, query text"),
    ] + InformationSchemaTables.all

    static func table(schema: String, name: String) -> PGCatalogTable? {
        all.first { $0.schema == schema && $0.name == name }
    }

    /// Comments: meshes' and products' descriptions, and their columns'.
    static func descriptions(_ s: PGCatalogSnapshot) -> [(objectOID: Int64, classOID: Int64, subID: Int64, text: String)] {
        var out: [(Int64, Int64, Int64, String)] = []
        for schema in s.schemas { if let d = schema.description { out.append((schema.oid, 2615, 0, d)) } }
        for r in s.relations {
            if let d = r.description, !d.isEmpty { out.append((r.oid, 1259, 0, d)) }
            for (i, c) in r.columns.enumerated() {
                if let d = c.description, !d.isEmpty { out.append((r.oid, 1259, Int64(i + 1), d)) }
            }
        }
        return out
    }
}
