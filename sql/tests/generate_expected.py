#!/usr/bin/env python3
"""Refill the expected results of the golden tests (sql/tests/*.slt) from PostgreSQL.

PostgreSQL is the reference semantics of meshql: every expected block in the .slt
files is what PostgreSQL 15 returns for the query over the data sets in
sql/tests/data/ (shop.sql and crm.sql loaded into schemas "shop" and "crm" of one
database, so that `shop.products` names the same table in PostgreSQL and in meshql).

Usage
    # a throwaway server, e.g.: initdb -D /tmp/g/data -A trust -U postgres
    #                           pg_ctl -D /tmp/g/data -o "-p 55499 -k /tmp/g" -l /tmp/g/log start
    python3 sql/tests/generate_expected.py --port 55499 --load          # all *.slt
    python3 sql/tests/generate_expected.py --port 55499 joins.slt       # some files
    python3 sql/tests/generate_expected.py --port 55499 --check         # write nothing,
                                                                        # exit 1 on a difference
Options: --host (127.0.0.1) --port (5432) --user (postgres) --dbname (meshql_golden).
--load (re)creates the database with C collation (byte order, like SQLite's BINARY and
meshql's own comparisons) and loads the data sets; without it the database must exist.
Needs only `psql` on PATH (no Python driver): each query is run through
`psql -X -A -t -F <TAB> -P null=NULL`, and its column types come from `\\gdesc`.

File format (sqllogictest, DuckDB flavour)
    # comment
    query ITR [rowsort]        one type letter per column: I integer types, R numeric /
    SELECT ...                 real / double, T everything else (text, date, boolean);
    ----                       "rowsort" means the rows are compared as a sorted set;
    1<TAB>abc<TAB>3.50         without it the query has a total ORDER BY.
                               A blank line ends the block.
    statement error            the query must fail; the line after ---- is a fragment
    SELECT ...                 of PostgreSQL's message that meshql's message must contain.
    ----
    relation "shop.nope" does not exist

    statement ok               the statement must succeed (no result is compared).
    SELECT ...
Values: NULL for null, (empty) for the empty string, booleans t / f, dates YYYY-MM-DD,
numerics with the scale PostgreSQL prints (SUM of DECIMAL(10,2) gives 2 places, a
product of two such values 4). Rows of a rowsort block are listed sorted by their
tab-joined text (Python's code-point order); a runner sorts its own rows the same way.
The generator rewrites type letters and result rows; it keeps the SQL, comments, sort
modes and error fragments as written (it only checks that PostgreSQL's error message
contains the fragment, and fills the fragment in when it is missing).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = ["shop", "crm"]
INT_TYPES = {"smallint", "integer", "bigint"}
REAL_TYPES = {"numeric", "real", "double precision"}


class PG:
    """Runs SQL through psql with fixed, locale-independent output settings."""

    def __init__(self, args):
        self.base = ["psql", "-X", "-q", "-h", args.host, "-p", str(args.port), "-U", args.user]
        self.dbname = args.dbname
        self.env = dict(os.environ, PGOPTIONS="-c DateStyle=ISO,MDY -c TimeZone=UTC "
                        "-c IntervalStyle=postgres -c extra_float_digits=1 "
                        "-c client_min_messages=warning",
                        PGCLIENTENCODING="UTF8")

    def run(self, sql, db=None, extra=(), stdin=None, env=None):
        cmd = self.base + ["-d", db or self.dbname, "-v", "ON_ERROR_STOP=1"] + list(extra)
        if stdin is None:
            cmd += ["-c", sql]
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              env=env or self.env)

    def load(self):
        r = self.run(f'DROP DATABASE IF EXISTS "{self.dbname}"', db="postgres")
        if r.returncode:
            sys.exit(r.stderr)
        r = self.run(f'CREATE DATABASE "{self.dbname}" TEMPLATE template0 ENCODING \'UTF8\' '
                     "LC_COLLATE 'C' LC_CTYPE 'C'", db="postgres")
        if r.returncode:
            sys.exit(r.stderr)
        for schema in DATA:
            r = self.run(f"CREATE SCHEMA {schema}")
            if r.returncode:
                sys.exit(r.stderr)
            env = dict(self.env, PGOPTIONS=self.env["PGOPTIONS"] + f" -c search_path={schema}")
            r = self.run(None, extra=["-f", str(HERE / "data" / f"{schema}.sql")], stdin="",
                         env=env)
            if r.returncode:
                sys.exit(f"loading {schema}.sql: {r.stderr}")

    def types(self, sql):
        r = self.run(None, extra=["-A", "-t", "-F", "\t"], stdin=sql + "\n\\gdesc\n")
        if r.returncode:
            return None, first_error(r.stderr)
        letters = ""
        for line in r.stdout.splitlines():
            if not line:
                continue
            typ = line.split("\t", 1)[1]
            base = typ.split("(")[0].strip()
            letters += "I" if base in INT_TYPES else "R" if base in REAL_TYPES else "T"
        return letters, None

    def rows(self, sql):
        # Records end with RS (0x1e), not newline, so that a row holding one empty
        # string is not mistaken for no row. psql ends its output with one newline,
        # and prints nothing at all for no rows.
        r = self.run(sql, extra=["-A", "-t", "-F", "\t", "-R", "\x1e", "-P", "null=NULL"])
        if r.returncode:
            return None, first_error(r.stderr)
        out = r.stdout
        if out == "":
            return [], None
        return (out[:-1] if out.endswith("\n") else out).split("\x1e"), None


def first_error(stderr):
    for line in stderr.splitlines():
        if "ERROR:" in line:
            return line.split("ERROR:", 1)[1].strip()
    return stderr.strip()


def render(line, width):
    """psql prints '' as nothing; sqllogictest spells it (empty)."""
    cells = line.split("\t")
    if len(cells) != width:
        raise ValueError(f"expected {width} columns, got {len(cells)} in {line!r} "
                         "(a value with a tab or newline?)")
    return "\t".join("(empty)" if c == "" else c for c in cells)


def parse(text):
    """Splits a file into records: ('raw', lines) or ('query'|'statement', header, sql, expected)."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("query ") or line.startswith("statement "):
            header, i = line, i + 1
            sql = []
            while i < len(lines) and lines[i] != "" and lines[i] != "----":
                sql.append(lines[i])
                i += 1
            expected = None
            if i < len(lines) and lines[i] == "----":
                i += 1
                expected = []
                while i < len(lines) and lines[i] != "":
                    expected.append(lines[i])
                    i += 1
            out.append((header.split()[0], header, "\n".join(sql), expected))
        else:
            out.append(("raw", line))
            i += 1
    return out


def process(path, pg, check):
    text = path.read_text()
    records = parse(text)
    result, problems, count = [], [], 0
    for rec in records:
        if rec[0] == "raw":
            result.append(rec[1])
            continue
        kind, header, sql, expected = rec
        count += 1
        where = f"{path.name}: {sql.splitlines()[0] if sql else header}"
        parts = header.split()
        query_sql = sql.rstrip().rstrip(";")
        if kind == "query":
            letters, err = pg.types(query_sql)
            if err:
                problems.append(f"{where}: PostgreSQL error: {err}")
                result += [header, sql, "----"] + (expected or []) + [""]
                continue
            rows, err = pg.rows(query_sql)
            if err:
                problems.append(f"{where}: PostgreSQL error: {err}")
                result += [header, sql, "----"] + (expected or []) + [""]
                continue
            modes = parts[2:]
            rendered = [render(r, len(letters)) for r in rows]
            if "rowsort" in modes:
                rendered.sort()
            elif "order by" not in query_sql.lower() and len(rendered) > 1:
                problems.append(f"{where}: several rows, no ORDER BY and no rowsort")
            new_header = " ".join(["query", letters] + modes)
            if check and (new_header != header or rendered != (expected or [])):
                problems.append(f"{where}: expected block differs from PostgreSQL")
            result += [new_header, sql, "----"] + rendered + [""]
        elif kind == "statement":
            r = pg.run(query_sql, extra=["-A", "-t"])
            if len(parts) > 1 and parts[1] == "error":
                if r.returncode == 0:
                    problems.append(f"{where}: PostgreSQL accepted a statement marked error")
                    fragment = expected or []
                else:
                    msg = first_error(r.stderr)
                    fragment = expected if expected else [msg]
                    if fragment[0] not in msg:
                        problems.append(f"{where}: fragment {fragment[0]!r} not in {msg!r}")
                    if check and not expected:
                        problems.append(f"{where}: error fragment missing")
                result += [header, sql, "----"] + fragment + [""]
            else:
                if r.returncode:
                    problems.append(f"{where}: PostgreSQL error: {first_error(r.stderr)}")
                result += [header, sql, ""]
    # parse() keeps the blank line that ends a block as a raw record; drop the doubles.
    cleaned = []
    for line in result:
        if line == "" and cleaned and cleaned[-1] == "":
            continue
        cleaned.append(line)
    new_text = "\n".join(cleaned).rstrip("\n") + "\n"
    if not check and new_text != text:
        path.write_text(new_text)
    return count, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="slt files (default: all sql/tests/*.slt)")
    ap.add_argument("--host", default=os.environ.get("PGHOST", "127.0.0.1"))
    ap.add_argument("--port", default=os.environ.get("PGPORT", "5432"))
    ap.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    ap.add_argument("--dbname", default="meshql_golden")
    ap.add_argument("--load", action="store_true", help="(re)create the database and load data/")
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args()
    pg = PG(args)
    if args.load:
        pg.load()
    files = [Path(f) if os.path.exists(f) else HERE / f for f in args.files] \
        or sorted(HERE.glob("*.slt"))
    total, failed = 0, False
    for f in files:
        count, problems = process(f, pg, args.check)
        total += count
        print(f"{f.name}: {count} records{'' if not problems else f', {len(problems)} problem(s)'}")
        for p in problems:
            print("  " + p)
        failed |= bool(problems)
    print(f"{total} records in {len(files)} files")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
