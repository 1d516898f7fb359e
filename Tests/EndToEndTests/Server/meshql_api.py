# What the server test scripts share: the API's address and headers from the environment,
# and registering a PostgreSQL database as a mesh through POST /api/query.
import os
import sys

import requests

API = os.environ["MESHQL_API_URL"]
H = {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}


def register_postgres(mesh, pool_size=None, pool_timeout=None):
    """Mesh `mesh` over the database of MESHQL_PG_DSN, readable by the token's admin role."""
    dsn = os.environ["MESHQL_PG_DSN"].replace("'", "''")
    pool = f", pool_size '{pool_size}'" if pool_size else ""
    pool += f", pool_timeout '{pool_timeout}'" if pool_timeout else ""
    for sql in [f"CREATE MESH {mesh} WITH (owner = 'admin@acme.test')",
                f"CREATE CONNECTOR {mesh}_src FOR MESH {mesh} TYPE postgres OPTIONS (dsn '{dsn}'{pool})",
                f"IMPORT DATA PRODUCTS FROM CONNECTOR {mesh}_src",
                f"GRANT SELECT ON {mesh}.* TO ROLE admin"]:
        r = requests.post(f"{API}/query", headers=H, json={"sql": sql})
        if r.status_code != 200:
            print(sql, r.status_code, r.text)
            sys.exit(1)


# The checks of a script: each failed one is noted, and `finish` reports them all at the end.
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def finish(success):
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(success)


def other_org_headers():
    """Headers of the second org's token (MESHQL_OTHER_TOKEN), for isolation checks."""
    return {"Authorization": f"Bearer {os.environ['MESHQL_OTHER_TOKEN']}", "x-org": "other"}
