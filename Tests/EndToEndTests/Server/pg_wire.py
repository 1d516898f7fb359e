# PostgreSQL's protocol (`meshql serve --pg-port`), run by PGWireTests one check at a time:
# `python3 pg_wire.py NAME`. psql is the client where it can be (it is on every machine with
# PostgreSQL); raw sockets where a client must misbehave. MESHQL_TOKEN is acme's admin
# (admin@acme.test), MESHQL_READER_TOKEN an analyst of acme (ann@acme.test), MESHQL_OTHER_TOKEN
# the admin of org other (admin@other.test).
import base64
import hashlib
import hmac
import os
import random
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

import requests

from meshql_api import API, H, check, finish, other_org_headers

PORT = int(os.environ["MESHQL_PG_PORT"])
ADMIN = ("admin@acme.test", os.environ["MESHQL_TOKEN"])
READER = ("ann@acme.test", os.environ["MESHQL_READER_TOKEN"])
READER_H = {"Authorization": f"Bearer {READER[1]}", "x-org": "acme"}


def psql(who, *commands, db="acme", stdin=None, extra=()):
    """psql's unaligned output of `commands` as `who` (user, token): (exit code, stdout, stderr)."""
    args = ["psql", f"host=127.0.0.1 port={PORT} user={who[0]} dbname={db} connect_timeout=10", "-X", "-A", "-t",
            "-v", "ON_ERROR_STOP=0", *extra]
    for c in commands:
        args += ["-c", c]
    env = dict(os.environ, PGPASSWORD=who[1], PGAPPNAME="pg_wire")
    r = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, timeout=120)
    return r.returncode, r.stdout, r.stderr


def sql(headers, text):
    return requests.post(f"{API}/query", headers=headers, json={"sql": text})


def setup_mesh():
    """Mesh wire over a SQLite file of acme's: people (id, name, email) and their amounts; the
    analyst may read it with email masked, rows of region EU only."""
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "wire.db")
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE people (id INTEGER, name TEXT, email TEXT, region TEXT, amount NUMERIC(10,2), seen DATE)")
    c.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)",
                  [(i, f"n{i}", f"p{i}@x.test", "EU" if i % 2 else "US", i * 1.5, f"2024-01-{i:02d}") for i in range(1, 11)])
    c.commit()
    c.close()
    for s in ["CREATE MESH wire WITH (owner = 'admin@acme.test')",
              f"CREATE CONNECTOR wire_src FOR MESH wire TYPE sqlite OPTIONS (path '{path}')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR wire_src", "GRANT SELECT ON wire.* TO PUBLIC",
              "MASK wire.people.email USING redact() FOR ROLE analyst",
              "FILTER wire.people USING (region = 'EU') FOR ROLE analyst"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")


def check_psql_basics():
    setup_mesh()
    code, out, err = psql(ADMIN, "SELECT id, name, amount, seen FROM wire.people WHERE id < 3 ORDER BY id")
    check(code == 0 and out.splitlines() == ["1|n1|1.50|2024-01-01", "2|n2|3.00|2024-01-02"], f"a query: {code} {out!r} {err!r}")
    # Errors carry the SQLSTATE and the position psql points at.
    code, out, err = psql(ADMIN, "SELECT nope FROM wire.people", extra=["-v", "VERBOSITY=verbose"])
    check("42703" in err and "LINE 1: SELECT nope FROM wire.people" in err and "\n               ^" in err, f"an error: {err!r}")
    # Transaction blocks: no-ops whose status is kept; a failed block refuses until ROLLBACK.
    code, out, err = psql(ADMIN, stdin="BEGIN;\nSELECT 1;\nSELECT nope;\nSELECT 2;\nROLLBACK;\nSELECT 3;\n")
    check(out.split() == ["BEGIN", "1", "ROLLBACK", "3"] and "current transaction is aborted" in err, f"a failed block: {out!r} {err!r}")
    # Settings drivers send; search_path is the session's mesh.
    code, out, err = psql(ADMIN, stdin="SET extra_float_digits = 3;\nSET application_name TO 'x';\nSHOW application_name;\n"
                                       "SET search_path = wire;\nSELECT count(*) FROM people;\nSET statement_timeout = '5s';\n"
                                       "SHOW statement_timeout;\n")
    check(out.split() == ["SET", "SET", "x", "SET", "10", "SET", "5s"], f"settings: {out!r} {err!r}")
    # Several statements in one message, each answered; an empty one.
    code, out, err = psql(ADMIN, "SET search_path = wire", "SELECT version(), current_database(), current_schema()")
    check(out.split("\n")[1].startswith("PostgreSQL 15.0 (meshql)") and out.strip().endswith("|acme|wire"), f"session functions: {out!r} {err!r}")
    code, out, err = psql(ADMIN, "SELECT 1 AS a; SELECT 'two' AS b", ";")
    check(out.split() == ["1", "two"], f"two statements: {out!r} {err!r}")
    # Types as PostgreSQL writes them.
    code, out, err = psql(ADMIN, "SELECT TRUE, CAST(NULL AS integer), CAST('2024-01-02 03:04:05' AS timestamptz), "
                                 "CAST(2.5 AS double precision), CAST('ab' AS bytea)")
    check(out.strip() == "t||2024-01-02 03:04:05+00|2.5|\\x6162", f"types: {out!r} {err!r}")
    # Catalog statements answer with their tags.
    code, out, err = psql(ADMIN, "CREATE DATA PRODUCT wire.eu AS SELECT id FROM wire.people WHERE region = 'EU'")
    check(code == 0 and out.strip() == "CREATE DATA PRODUCT", f"a catalog statement: {code} {out!r} {err!r}")


def check_catalog():
    """psql's \\dn, \\dt, \\d and \\l, SQLAlchemy's inspector and pandas show each principal what it
    may read, as HTTP does: the analyst neither mesh vault nor the column denied to them, the
    admin all, another org nothing of acme's."""
    setup_mesh()
    for s in ["CREATE MESH vault WITH (owner = 'admin@acme.test', description = 'Kept apart')",
              "CREATE DATA PRODUCT vault.people AS SELECT id, name FROM wire.people",
              "DENY SELECT (seen) ON wire.people TO ROLE analyst"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    other = ("admin@other.test", os.environ["MESHQL_OTHER_TOKEN"])

    def first_fields(who, command, db="acme"):
        code, out, err = psql(who, command, db=db)
        check(code == 0 and "ERROR" not in err, f"{command} as {who[0]}: {code} {err!r}")
        return [line.split("|")[0] for line in out.splitlines() if line]
    check(first_fields(READER, "\\dn") == ["wire"], "\\dn as the analyst")
    check(first_fields(ADMIN, "\\dn") == ["vault", "wire"], "\\dn as the admin")
    check(first_fields(other, "\\dn", db="other") == [], "\\dn as another org")
    code, out, err = psql(READER, "\\dt")
    check(out.splitlines() == ["wire|people|table|ann@acme.test"], f"\\dt as the analyst: {out!r} {err!r}")
    http = sql(READER_H, "SELECT * FROM wire.people LIMIT 0").json()["columns"]
    visible = [c["name"] for c in http]
    check("seen" not in visible and "email" in visible, f"HTTP's columns {visible}")
    check(first_fields(READER, "\\d wire.people") == visible, "\\d wire.people as the analyst")
    check(first_fields(ADMIN, "\\d wire.people") == visible[:5] + ["seen"], "\\d wire.people as the admin")
    code, out, err = psql(READER, "\\d vault.people")
    check("Did not find any relation named" in err, f"\\d of what the analyst may not read: {out!r} {err!r}")
    code, out, err = psql(other, "\\d wire.people", db="other")
    check("Did not find any relation named" in err, f"\\d of another org's product: {out!r} {err!r}")
    check(first_fields(READER, "\\l") == ["acme"] and first_fields(other, "\\l", db="other") == ["other"], "\\l")
    # SQLAlchemy's PostgreSQL inspector and pandas, through psycopg.
    import pandas
    import sqlalchemy
    engine = sqlalchemy.create_engine(f"postgresql+psycopg://{READER[0].replace('@', '%40')}:{READER[1]}@127.0.0.1:{PORT}/acme")
    inspector = sqlalchemy.inspect(engine)
    check("wire" in inspector.get_schema_names() and "vault" not in inspector.get_schema_names(), "inspector schemas")
    check(inspector.get_table_names(schema="wire") == ["people"], "inspector tables")
    columns = inspector.get_columns("people", schema="wire")
    check([c["name"] for c in columns] == visible, f"inspector columns {columns}")
    check([str(c["type"]) for c in columns] == [c["type"].upper().replace("NUMERIC(10,2)", "NUMERIC(10, 2)") for c in http],
          f"inspector types {columns} vs HTTP {http}")
    check(not inspector.has_table("people", schema="vault"), "has_table of what the analyst may not read")
    frame = pandas.read_sql(sqlalchemy.text("SELECT id, name, email FROM wire.people WHERE id > :n ORDER BY id"), engine, params={"n": 2})
    rows = sql(READER_H, "SELECT id, name, email FROM wire.people WHERE id > 2 ORDER BY id").json()["rows"]
    check(frame.values.tolist() == rows, f"pandas {frame.values.tolist()} vs HTTP {rows}")
    table = pandas.read_sql_table("people", engine, schema="wire")
    check(list(table.columns) == visible and len(table) == 5, f"read_sql_table {list(table.columns)} {len(table)}")
    engine.dispose()


def check_copy():
    """COPY (query) TO STDOUT in text, CSV and binary (psql's \\copy, psycopg's copy) gives the
    analyst's rows as HTTP does; COPY FROM is refused; an error points into the query."""
    setup_mesh()
    query = "SELECT id, name, email, amount, seen FROM wire.people ORDER BY id"
    http = sql(READER_H, query).json()["rows"]
    code, out, err = psql(READER, f"COPY ({query}) TO STDOUT")
    text = [line.split("\t") for line in out.splitlines()]
    check(code == 0 and text == [[str(r[0]), r[1], r[2], f"{r[3]:.2f}", r[4]] for r in http], f"text: {out!r} {err!r}")
    code, out, err = psql(READER, f"\\copy ({query}) to stdout with (format csv, header)")
    lines = out.splitlines()
    check(code == 0 and lines[0] == "id,name,email,amount,seen" and len(lines) == len(http) + 1, f"csv: {out!r} {err!r}")
    code, out, err = psql(READER, "COPY (SELECT 'a,b' AS x, NULL AS y, '' AS z, E'q\"t' AS w) TO STDOUT CSV")
    check(out == '"a,b",,"","q""t"\n', f"csv quoting: {out!r} {err!r}")
    code, out, err = psql(READER, "COPY (SELECT E'a\\tb\\\\c' AS x, NULL AS y) TO STDOUT")
    check(out == "a\\tb\\\\c\t\\N\n", f"text escapes: {out!r} {err!r}")
    import psycopg
    with psycopg.connect(host="127.0.0.1", port=PORT, user=READER[0], dbname="acme", password=READER[1]) as conn:
        with conn.cursor() as cur:
            with cur.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
                copy.set_types(["int4", "text", "text", "numeric", "date"])
                rows = [[r[0], r[1], r[2], f"{r[3]:.2f}", r[4].isoformat()] for r in copy.rows()]
    check(rows == [[r[0], r[1], r[2], f"{r[3]:.2f}", r[4]] for r in http], f"binary: {rows} vs HTTP {http}")
    code, out, err = psql(READER, "COPY wire.people FROM STDIN")
    check("only reads" in err, f"COPY FROM: {err!r}")
    code, out, err = psql(READER, "COPY (SELECT nope FROM wire.people) TO STDOUT", extra=["-v", "VERBOSITY=verbose"])
    check("42703" in err and "\n                     ^" in err, f"an error's position: {err!r}")


def check_same_as_http():
    """The analyst sees through this protocol what HTTP shows them: masked email, EU rows only."""
    setup_mesh()
    query = "SELECT id, name, email FROM wire.people ORDER BY id"
    code, out, err = psql(READER, query)
    rows = [line.split("|") for line in out.splitlines()]
    r = sql(READER_H, query)
    http = [[str(v) if v is not None else "" for v in row] for row in r.json()["rows"]]
    check(code == 0 and rows == http and len(rows) == 5 and all(row[2] != f"p{row[0]}@x.test" for row in rows),
          f"psql {rows} vs HTTP {http}: {err!r}")
    code, out, err = psql(READER, "SELECT count(*) FROM wire.people WHERE region = 'US'")
    check(out.strip() == "0", f"the filter: {out!r} {err!r}")


def check_sign_in_refused():
    """A wrong token, another org's token, an unknown user, a token of the right user in the
    wrong org: the same refusal, and nothing runs."""
    other = ("admin@other.test", os.environ["MESHQL_OTHER_TOKEN"])
    for who, db in [((ADMIN[0], "mq_wrong"), "acme"), (other, "acme"), (("nobody@acme.test", ADMIN[1]), "acme"),
                    (ADMIN, "other")]:
        code, out, err = psql(who, "SELECT 1", db=db)
        check(code == 2 and "password authentication failed" in err and out == "", f"{who[0]}@{db}: {code} {out!r} {err!r}")
    code, out, err = psql(other, "SELECT 1", db="other")
    check(code == 0 and out.strip() == "1", f"the other org's admin in their org: {code} {err!r}")


def check_cancel():
    """Ctrl-C in psql sends a CancelRequest on a new connection: the query stops."""
    setup_mesh()
    long = ("SELECT count(*) FROM wire.people a, wire.people b, wire.people c, wire.people d, wire.people e, "
            "wire.people f, wire.people g, wire.people h WHERE a.id + b.id + c.id + d.id + e.id + f.id + g.id + h.id = 17")
    env = dict(os.environ, PGPASSWORD=ADMIN[1])
    p = subprocess.Popen(["psql", f"host=127.0.0.1 port={PORT} user={ADMIN[0]} dbname=acme", "-X", "-A", "-t",
                          "-c", "SET pushdown = off", "-c", long], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(2)
    started = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    check("canceling statement due to user request" in err and time.monotonic() - started < 30,
          f"cancel: {p.returncode} {out!r} {err!r} after {time.monotonic() - started:.1f} s")
    code, out, err = psql(ADMIN, "SELECT 1")
    check(out.strip() == "1", f"after a cancel: {out!r} {err!r}")


def check_drivers():
    """psycopg 3 (text and binary results, client- and server-side parameters, a prepared
    statement run again), asyncpg (binary, parameter types from the query) and pg8000 get the
    rows HTTP gives for a parameterised query."""
    import pg8000.native
    import psycopg
    setup_mesh()
    r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT id, name, amount, seen FROM wire.people WHERE id < $1 ORDER BY id",
                                                      "params": [4]})
    # JSON gives numeric as a number: compared at its scale.
    http = [[row[0], row[1], f"{row[2]:.2f}", row[3]] for row in r.json()["rows"]]
    with psycopg.connect(host="127.0.0.1", port=PORT, user=ADMIN[0], dbname="acme", password=ADMIN[1]) as conn:
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                cur.execute("SELECT id, name, amount, seen FROM wire.people WHERE id < %s ORDER BY id", (4,))
                rows = [[row[0], row[1], str(row[2]), row[3].isoformat()] for row in cur.fetchall()]
                check(rows == http, f"psycopg binary={binary}: {rows} vs HTTP {http}")
        with conn.cursor() as cur:
            for n in (2, 3, 4, 5, 6, 7):   # past psycopg's prepare threshold: a named statement, bound again
                cur.execute("SELECT count(*) FROM wire.people WHERE id < %s AND name <> %s", (n, "zz"), prepare=n > 4)
                check(cur.fetchone()[0] == n - 1, f"psycopg prepared, n={n}")
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT nope FROM wire.people WHERE id = %s", (1,))
                check(False, "an error through psycopg")
            except psycopg.errors.UndefinedColumn as e:
                check(e.diag.sqlstate == "42703", f"psycopg's error: {e.diag.sqlstate}")
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT %s::text || 'x', %s", ("a", None))
            check(cur.fetchone() == ("ax", None), "text and NULL parameters")
    # asyncpg prepares, asks the parameters' types, and sends values and takes rows in binary.
    import asyncio

    import asyncpg

    async def with_asyncpg():
        conn = await asyncpg.connect(host="127.0.0.1", port=PORT, user=ADMIN[0], database="acme", password=ADMIN[1])
        rows = await conn.fetch("SELECT id, name, amount, seen FROM wire.people WHERE id < $1 ORDER BY id", 4)
        statement = await conn.prepare("SELECT count(*) FROM wire.people WHERE id > $1 AND name <> $2")
        counts = [await statement.fetchval(n, "zz") for n in (1, 5, 9)]
        await conn.close()
        return [[r["id"], r["name"], str(r["amount"]), r["seen"].isoformat()] for r in rows], counts
    rows, counts = asyncio.run(with_asyncpg())
    check(rows == http and counts == [9, 5, 1], f"asyncpg: {rows} vs HTTP {http}, counts {counts}")
    c = pg8000.native.Connection(ADMIN[0], host="127.0.0.1", port=PORT, database="acme", password=ADMIN[1])
    rows = c.run("SELECT id, name, amount, seen FROM wire.people WHERE id < :n ORDER BY id", n=4)
    rows = [[row[0], row[1], str(row[2]), row[3].isoformat()] for row in rows]
    check(rows == http, f"pg8000: {rows} vs HTTP {http}")
    c.close()
    check_cross_mesh()


def check_cross_mesh():
    """A parameterised query across two meshes, as the analyst (masked email, EU rows only):
    psycopg, asyncpg, pg8000 and SQLAlchemy/pandas get HTTP's rows."""
    import asyncio

    import asyncpg
    import pandas
    import pg8000.native
    import psycopg
    import sqlalchemy
    for s in ["CREATE MESH ledger", "CREATE DATA PRODUCT ledger.totals AS SELECT id, amount * 2 AS doubled FROM wire.people",
              "GRANT SELECT ON ledger.* TO PUBLIC"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    query = ("SELECT p.id, p.email, t.doubled FROM wire.people p JOIN ledger.totals t ON t.id = p.id "
             "WHERE p.id > $1 AND p.name <> $2 ORDER BY p.id")
    r = requests.post(f"{API}/query", headers=READER_H, json={"sql": query, "params": [2, "zz"]})
    http = [[row[0], row[1], f"{row[2]:.2f}"] for row in r.json()["rows"]]
    check(len(http) == 4, f"HTTP's rows {http}")
    def shaped(rows):
        return [[row[0], row[1], f"{float(row[2]):.2f}"] for row in rows]
    with psycopg.connect(host="127.0.0.1", port=PORT, user=READER[0], dbname="acme", password=READER[1]) as conn:
        rows = conn.execute(query.replace("$1", "%s").replace("$2", "%s"), (2, "zz"), prepare=True).fetchall()
        check(shaped(rows) == http, f"psycopg across meshes: {rows} vs {http}")

    async def with_asyncpg():
        conn = await asyncpg.connect(host="127.0.0.1", port=PORT, user=READER[0], database="acme", password=READER[1])
        rows = await conn.fetch(query, 2, "zz")
        await conn.close()
        return [tuple(r) for r in rows]
    rows = asyncio.run(with_asyncpg())
    check(shaped(rows) == http, f"asyncpg across meshes: {rows} vs {http}")
    c = pg8000.native.Connection(READER[0], host="127.0.0.1", port=PORT, database="acme", password=READER[1])
    rows = c.run(query.replace("$1", ":n").replace("$2", ":z"), n=2, z="zz")
    c.close()
    check(shaped(rows) == http, f"pg8000 across meshes: {rows} vs {http}")
    engine = sqlalchemy.create_engine(f"postgresql+psycopg://{READER[0].replace('@', '%40')}:{READER[1]}@127.0.0.1:{PORT}/acme")
    frame = pandas.read_sql(sqlalchemy.text(query.replace("$1", ":n").replace("$2", ":z")), engine, params={"n": 2, "z": "zz"})
    engine.dispose()
    check(shaped(frame.values.tolist()) == http, f"pandas across meshes: {frame.values.tolist()} vs {http}")


def check_portal_suspension():
    """Execute with a row limit suspends the portal; the next Execute goes on where it stopped."""
    setup_mesh()
    s = sign_in(*ADMIN)
    q = b"SELECT id FROM wire.people WHERE id > $1 ORDER BY id\0"
    s.sendall(message(b"P", b"\0" + q + struct.pack("!hI", 1, 23)) +
              message(b"B", b"\0\0" + struct.pack("!hhI", 0, 1, 1) + b"2" + struct.pack("!h", 0)) +
              message(b"D", b"P\0") + message(b"E", b"\0" + struct.pack("!I", 3)) + message(b"E", b"\0" + struct.pack("!I", 3)) +
              message(b"E", b"\0" + struct.pack("!I", 0)) + message(b"S", b""))
    got = []
    while True:
        kind, body = read_message(s)
        if kind is None or kind == b"Z":
            break
        if kind == b"D":
            got.append(int(body[6:].decode()))
        elif kind in (b"s", b"C", b"E"):
            got.append(kind.decode() + (body[:-1].decode() if kind == b"C" else ""))
    check(got == [3, 4, 5, "s", 6, 7, 8, "s", 9, 10, "CSELECT 8"], f"portal: {got}")
    s.close()


def check_jdbc():
    """PostgreSQL's JDBC driver (Debian's libpostgresql-jdbc-java), from a small program compiled
    here: a prepared statement with an int parameter, run past the driver's prepare threshold
    (a named server-side statement), gets HTTP's rows; a transaction opens and rolls back."""
    if not os.path.exists("/usr/share/java/postgresql.jar") or subprocess.run(["which", "javac"], capture_output=True).returncode:
        check(False, "JDBC: needs javac and /usr/share/java/postgresql.jar (apt-get install default-jdk-headless "
                     "libpostgresql-jdbc-java; .ci/run does)")
        return
    setup_mesh()
    folder = tempfile.mkdtemp()
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["javac", "-d", folder, os.path.join(here, "WireCheck.java")], check=True, timeout=120)
    query = "SELECT id, name, amount FROM wire.people WHERE id < ? ORDER BY id"
    r = subprocess.run(["java", "-cp", f"{folder}:/usr/share/java/postgresql.jar", "WireCheck",
                        f"jdbc:postgresql://127.0.0.1:{PORT}/acme", READER[0], READER[1], query, "4"],
                       capture_output=True, text=True, timeout=120)
    http = requests.post(f"{API}/query", headers=READER_H, json={"sql": query.replace("?", "$1"), "params": [4]}).json()["rows"]
    expected = "".join(f"{row[0]}|{row[1]}|{row[2]:.2f}\n" for row in http)
    # DatabaseMetaData: the analyst's schemas, tables and columns, with their JDBC types.
    metadata = ("schema: information_schema\nschema: pg_catalog\nschema: wire\ntable: wire.people TABLE\n"
                "column: id int4 4\ncolumn: name text 12\ncolumn: email text 12\ncolumn: region text 12\n"
                "column: amount numeric 2\ncolumn: seen date 91\n")
    check(r.returncode == 0 and r.stdout == f"server: 15.0 (meshql)\n{expected}{expected}in a transaction: 1\n{metadata}",
          f"JDBC: {r.returncode} {r.stdout!r} {r.stderr[-500:]!r}")
    # Across two meshes: the view ledger.totals joined with wire.people.
    for s in ["CREATE MESH ledger", "CREATE DATA PRODUCT ledger.totals AS SELECT id, amount * 2 AS doubled FROM wire.people",
              "GRANT SELECT ON ledger.* TO PUBLIC"]:
        check(sql(H, s).status_code == 200, f"setup {s}")
    query = "SELECT p.id, p.name, t.doubled FROM wire.people p JOIN ledger.totals t ON t.id = p.id WHERE p.id < ? ORDER BY p.id"
    r = subprocess.run(["java", "-cp", f"{folder}:/usr/share/java/postgresql.jar", "WireCheck",
                        f"jdbc:postgresql://127.0.0.1:{PORT}/acme", READER[0], READER[1], query, "6"],
                       capture_output=True, text=True, timeout=120)
    http = requests.post(f"{API}/query", headers=READER_H, json={"sql": query.replace("?", "$1"), "params": [6]}).json()["rows"]
    expected = "".join(f"{row[0]}|{row[1]}|{row[2]:.2f}\n" for row in http)
    metadata = metadata.replace("schema: information_schema\n", "schema: information_schema\nschema: ledger\n")
    metadata = metadata.replace("table: wire.people TABLE\n", "table: wire.people TABLE\ntable: ledger.totals VIEW\n")
    check(len(http) == 3 and r.returncode == 0 and r.stdout == f"server: 15.0 (meshql)\n{expected}{expected}in a transaction: 1\n{metadata}",
          f"JDBC across meshes: {r.returncode} {r.stdout!r} {r.stderr[-500:]!r}")


def check_tls():
    """A client that asks for TLS gets it (verified against the server's certificate); one that
    does not goes on in the clear; garbage instead of a TLS handshake closes the connection."""
    cert = os.environ["MESHQL_PG_CERT"]
    code, out, err = psql(ADMIN, "\\conninfo", "SELECT 7", extra=[], db=f"acme sslmode=verify-full sslrootcert={cert}")
    check(code == 0 and "SSL connection (protocol: TLSv1." in out and out.strip().endswith("7"), f"TLS: {code} {out!r} {err!r}")
    code, out, err = psql(ADMIN, "SELECT 8", db="acme sslmode=disable")
    check(code == 0 and out.strip() == "8", f"in the clear: {code} {out!r} {err!r}")
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(struct.pack("!II", 8, 80877103))
    check(s.recv(1) == b"S", "the SSL request's answer")
    s.sendall(b"this is no TLS handshake" * 10)
    closed_or_error(s, "garbage after S")
    check(still_serving(), "the server after a bad handshake")


def check_cleartext():
    """Run with --pg-cleartext-password: a client over TLS is asked for the token in a
    cleartext password (AuthenticationCleartextPassword) and signed in with it; a wrong one is
    refused; a client in the clear still signs in with SCRAM-SHA-256."""
    import ssl
    cert = os.environ["MESHQL_PG_CERT"]
    code, out, err = psql(ADMIN, "SELECT 7", db=f"acme sslmode=verify-full sslrootcert={cert}")
    check(code == 0 and out.strip() == "7", f"over TLS: {code} {out!r} {err!r}")
    code, out, err = psql(ADMIN, "SELECT 8", db="acme sslmode=disable")
    check(code == 0 and out.strip() == "8", f"in the clear (SCRAM): {code} {out!r} {err!r}")
    code, out, err = psql((ADMIN[0], "wrong"), "SELECT 9", db=f"acme sslmode=require")
    check(code != 0 and "password authentication failed" in err, f"a wrong token: {code} {err!r}")

    def asked(tls):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        if tls:
            s.sendall(struct.pack("!II", 8, 80877103))
            check(s.recv(1) == b"S", "the SSL request's answer")
            context = ssl.create_default_context(cafile=cert)
            s = context.wrap_socket(s, server_hostname="127.0.0.1")
        s.sendall(startup(*ADMIN[:1], "acme"))
        kind, body = read_message(s)
        s.close()
        return kind, struct.unpack("!I", body[:4])[0]
    check(asked(True) == (b"R", 3), "over TLS the server asks for a cleartext password")
    check(asked(False) == (b"R", 10), "in the clear it asks for SCRAM")


# A minimal client for what psql will not do.

def message(kind, body):
    return kind + struct.pack("!I", len(body) + 4) + body


def startup(user, db):
    params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
    body = struct.pack("!I", 196608) + params
    return struct.pack("!I", len(body) + 4) + body


def read_message(s):
    head = b""
    while len(head) < 5:
        chunk = s.recv(5 - len(head))
        if not chunk:
            return None, None
        head += chunk
    kind, length = head[:1], struct.unpack("!I", head[1:])[0]
    body = b""
    while len(body) < length - 4:
        chunk = s.recv(length - 4 - len(body))
        if not chunk:
            return None, None
        body += chunk
    return kind, body


def sign_in(user, token, db="acme"):
    """A connection signed in with SCRAM-SHA-256, ready for queries."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(startup(user, db))
    kind, body = read_message(s)
    assert kind == b"R" and struct.unpack("!I", body[:4])[0] == 10, (kind, body)
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n=,r={nonce}"
    first = ("n,," + first_bare).encode()
    s.sendall(message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first))
    kind, body = read_message(s)
    server_first = body[4:].decode()
    attrs = dict(part.split("=", 1) for part in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", token.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={attrs['r']}"
    auth = f"{first_bare},{server_first},{without_proof}".encode()
    signature = hmac.new(stored, auth, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    s.sendall(message(b"p", f"{without_proof},p={base64.b64encode(proof).decode()}".encode()))
    while True:
        kind, body = read_message(s)
        assert kind is not None and kind != b"E", body
        if kind == b"Z":
            return s


def check_connection_cap():
    """Run with --max-connections 3: three connections are served, a fourth client is told
    53300 and closed, and once one goes away a new one is served again."""
    held = [sign_in(*ADMIN) for _ in range(3)]
    code, out, err = psql(ADMIN, "SELECT 1")
    check(code != 0 and "too many clients" in err, f"a fourth connection: {code} {out!r} {err!r}")
    held.pop().close()
    deadline = time.time() + 30
    while True:
        code, out, err = psql(ADMIN, "SELECT 1")
        if code == 0 or time.time() > deadline:
            break
        time.sleep(0.1)
    check(code == 0 and out.strip() == "1", f"after one closed: {code} {out!r} {err!r}")
    for s in held:
        s.close()


def still_serving():
    code, out, err = psql(ADMIN, "SELECT 42")
    health = requests.get(API.rsplit("/api", 1)[0] + "/health", timeout=10)
    return code == 0 and out.strip() == "42" and health.status_code == 200


def closed_or_error(s, what):
    """The server answers with an ErrorResponse and closes, or closes: never a hang."""
    try:
        kind, body = read_message(s)
        while kind not in (None, b"E"):
            kind, body = read_message(s)
        if kind == b"E":
            kind, body = read_message(s)
        check(kind is None, f"{what}: still open after its error")
    except socket.timeout:
        check(False, f"{what}: no answer within the timeout")
    except OSError:
        pass
    finally:
        s.close()


def check_hostile_bytes():
    """Lengths out of range, garbage, messages cut short, silence, and a few thousand random
    messages after a sign-in: an error or a closed connection each time, never a crash or a
    hang, and the server still serves."""
    for what, data in [("a startup length of 2 GB", struct.pack("!I", 0x7FFFFFFF) + b"x" * 16),
                       ("a startup length of 3", struct.pack("!I", 3)),
                       ("garbage", bytes(range(256)) * 4),
                       ("a protocol 9.0 startup", struct.pack("!II", 8, 9 << 16))]:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(data)
        closed_or_error(s, what)
    # Cut short, then gone.
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(startup(ADMIN[0], "acme")[:7])
    s.close()
    # Silent connections are closed at the header timeout (2 s here).
    silent = [socket.create_connection(("127.0.0.1", PORT), timeout=30) for _ in range(20)]
    for s in silent:
        closed_or_error(s, "a silent connection")
    # After a sign-in: a huge declared length, an unknown type, a message out of order.
    for what, data in [("a message of 2 GB", b"Q" + struct.pack("!I", 0x7FFFFFFF)),
                       ("an unknown type", message(b"y", b"")),
                       ("a password after sign-in", message(b"p", b"x\0"))]:
        s = sign_in(*ADMIN)
        s.sendall(data)
        closed_or_error(s, what)
    # Random messages of every type and shape: answered or closed, one connection after another.
    # MESHQL_FUZZ_SEED and MESHQL_FUZZ_MESSAGES make longer runs by hand (CI: 3,000 messages).
    rng = random.Random(int(os.environ.get("MESHQL_FUZZ_SEED", "20261207")))
    kinds = [b"Q", b"P", b"B", b"D", b"E", b"C", b"S", b"H", b"X", b"p", b"d", b"c", b"f", b"F", b"z"]
    sent = 0
    while sent < int(os.environ.get("MESHQL_FUZZ_MESSAGES", "3000")):
        s = sign_in(*ADMIN)
        s.settimeout(10)
        try:
            for _ in range(200):
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                if rng.random() < 0.3:
                    body = rng.choice([b"SELECT 1\0", b"\0\0\0\0", b"x\0SELECT 1\0\0\0", b"\0\0\0\x01\0\0\0\x05"]) + body
                s.sendall(message(rng.choice(kinds), body))
                sent += 1
            s.sendall(message(b"X", b""))
            while s.recv(65536):
                pass
        except (socket.timeout, TimeoutError):
            check(False, "a hang after random messages")
            break
        except OSError:
            pass
        finally:
            s.close()
    check(still_serving(), "the server after hostile bytes")


if __name__ == "__main__":
    globals()["check_" + sys.argv[1]]()
    finish(f"{sys.argv[1]}: ok")
