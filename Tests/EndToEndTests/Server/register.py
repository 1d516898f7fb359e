# Registers mesh `big` over the PostgreSQL database of MESHQL_PG_DSN through POST /api/query:
# catalog statements work there too.
import os
import sys

import requests

API = os.environ["MESHQL_API_URL"]
H = {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}
dsn = os.environ["MESHQL_PG_DSN"].replace("'", "''")
for sql in ["CREATE MESH big WITH (owner = 'admin@acme.test')",
            f"CREATE CONNECTOR big_src FOR MESH big TYPE postgres OPTIONS (dsn '{dsn}')",
            "IMPORT DATA PRODUCTS FROM CONNECTOR big_src",
            "GRANT SELECT ON big.* TO ROLE admin"]:
    r = requests.post(f"{API}/query", headers=H, json={"sql": sql})
    if r.status_code != 200:
        print(sql, r.status_code, r.text)
        sys.exit(1)
print("registered")
