# Checks of `meshql serve` against API.md and the seed's API, run by ServerTests: list, get
# and update behave as the seed says; responses carry the seed's fields with its types; bad
# requests fail cleanly and leave the catalog unchanged; queries answer in JSON and NDJSON.
import json
import os
import sys

import requests

from meshql_api import API, H, check, failures, finish, other_org_headers

OTHER = other_org_headers()


# The seed's example response, field by field: (key, type).
SEED_ENTITY = {"identifier": str, "urn": str, "name": str, "is_system": bool, "description": str, "label": str,
               "created_at": str, "state": dict, "owner": type(None), "purpose": str, "assignees": list,
               "security_policy": list}

meshes = requests.get(f"{API}/data/mesh/list", headers=H)
check(meshes.status_code == 200, f"list: {meshes.status_code}")
mesh = meshes.json()[0]
mid = mesh["entity"]["identifier"]
check(set(mesh) == {"entity", "entity_info", "links"}, f"envelope keys {sorted(mesh)}")
for key, t in SEED_ENTITY.items():
    check(isinstance(mesh["entity"].get(key, KeyError), t), f"entity.{key} is {type(mesh['entity'].get(key))}")
check(set(mesh["entity"]) == set(SEED_ENTITY), f"entity keys {sorted(mesh['entity'])}")
check(mesh["entity"]["urn"] == f"urn:meshx:backend:data:root:mesh:{mid}", "urn")
check(mesh["entity"]["state"] == {"code": "000", "reason": "Created.", "healthy": True}, f"state {mesh['entity']['state']}")
check(len(mesh["entity"]["created_at"]) == 27 and mesh["entity"]["created_at"].endswith("Z"), "created_at has microseconds")
check(set(mesh["entity_info"]) == {"owner", "contact_ids", "links"}, "entity_info keys")
check(mesh["links"] == {"parents": [], "children": []}, "links")

one = requests.get(f"{API}/data/mesh", params={"identifier": mid}, headers=H)
check(one.status_code == 200 and one.json() == mesh, "get = list entry")

# Update: the seed's sample request's entry, a name not yet defined: saved, mesh unhealthy.
body = {"entity": dict(mesh["entity"], security_policy=["statement_1"], description="changed"),
        "entity_info": mesh["entity_info"]}
put = requests.put(f"{API}/data/mesh", params={"identifier": mid}, headers=H, json=body)
check(put.status_code == 200, f"put: {put.status_code} {put.text}")
check(put.json()["entity"]["description"] == "changed", "put changed the description")
check(put.json()["entity"]["state"]["healthy"] is False, "undefined policy name: unhealthy")
check("statement_1" in put.json()["entity"]["state"]["reason"], "the reason names it")

before = requests.get(f"{API}/data/mesh/list", headers=H).json()


def problem(resp, status, what):
    check(resp.status_code == status, f"{what}: {resp.status_code} (wanted {status}) {resp.text}")
    if resp.status_code >= 400 and resp.status_code != 413:
        check(resp.headers.get("content-type", "").startswith("application/problem+json"), f"{what}: problem+json")


problem(requests.get(f"{API}/data/mesh/list"), 401, "no token")
problem(requests.get(f"{API}/data/mesh/list", headers={"Authorization": "Bearer nope", "x-org": "acme"}), 401, "unknown token")
problem(requests.get(f"{API}/data/mesh/list", headers=dict(H, **{"x-org": "other"})), 403, "another org's token")
problem(requests.get(f"{API}/data/mesh", params={"identifier": mid}, headers=OTHER), 404, "another org's mesh")
problem(requests.put(f"{API}/data/mesh", params={"identifier": mid}, headers=OTHER, json=body), 404, "another org's mesh (PUT)")
problem(requests.post(f"{API}/data/mesh", headers=dict(H, **{"content-type": "application/json"}), data="{bad"), 400, "malformed JSON")
r = requests.post(f"{API}/data/mesh", headers=H, json={"entity": {"name": "X", "colour": "red"}})
problem(r, 400, "unknown field")
check("entity.colour" in r.text, "the unknown field is named")
r = requests.put(f"{API}/data/mesh", params={"identifier": mid}, headers=H,
                 json={"entity": {"name": "Sales Analytics", "security_policy": ["default_policy", "GRANT SELEC ON x.y TO PUBLIC"]}})
problem(r, 400, "invalid policy")
check(r.json().get("position") == {"line": 1, "column": 7} and "security_policy[1]" in r.json()["detail"], f"index and position: {r.text}")
problem(requests.post(f"{API}/data/mesh", headers=H, data=b"x" * (3 << 20)), 413, "oversized body")
check(requests.get(f"{API}/data/mesh/list", headers=H).json() == before, "the catalog is unchanged")

# Queries.
q = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, NULL"})
check(q.status_code == 200 and q.json()["rows"] == [[1, "x"], [2, None]], f"query: {q.text}")
check(q.headers.get("x-query-id") == q.json()["query_id"], "X-Query-Id")
nd = requests.post(f"{API}/query", headers=dict(H, Accept="application/x-ndjson"), json={"sql": "SELECT 1 AS a"})
lines = [json.loads(l) for l in nd.text.splitlines()]
check(lines[0]["columns"] == [{"name": "a", "type": "integer"}] and lines[1] == [1] and "stats" in lines[2], f"ndjson: {nd.text}")
bad = requests.post(f"{API}/query", headers=H, json={"sql": "SELEC 1"})
problem(bad, 400, "bad SQL")
check(bad.json().get("sqlstate") == "42601" and bad.json().get("position") == {"line": 1, "column": 1}, f"sqlstate, position: {bad.text}")

# One query per request (SET and USE may lead); a connector cannot read the catalog.
problem(requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1; SELECT 2"}), 400, "two queries in one request")
r = requests.post(f"{API}/query", headers=H, json={"sql": "SET pushdown = off; SELECT 1 AS a"})
check(r.status_code == 200 and r.json()["rows"] == [[1]], f"SET then a query: {r.text}")
problem(requests.post(f"{API}/query", headers=H, json={"sql": "SET memory_limit = '1000TB'; SELECT 1"}), 400, "memory_limit past the ceiling")
catalog = os.environ["MESHQL_CATALOG"].replace("'", "''")
problem(requests.post(f"{API}/query", headers=H, json={
    "sql": f"CREATE CONNECTOR stolen FOR MESH sales_analytics TYPE sqlite OPTIONS (path '{catalog}')"}), 403, "the catalog as a source")

finish("api checks passed")
