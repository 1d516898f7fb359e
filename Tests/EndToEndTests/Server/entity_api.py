# Connectors and data products over HTTP (API.md): the mesh API's envelope, secrets
# write-only, import / refresh / test, strict bodies, and another org seeing nothing.
import os
import sqlite3
import sys
import tempfile

import requests

from meshql_api import API, H, check, failures, finish, other_org_headers

OTHER = other_org_headers()


def ok(r, what, status=200):
    check(r.status_code == status, f"{what}: {r.status_code} {r.text[:300]}")
    return r.json() if r.content and r.headers.get("content-type", "").startswith("application/json") else None


folder = tempfile.mkdtemp()
db = sqlite3.connect(f"{folder}/items.db")
db.executescript("CREATE TABLE items (id INTEGER, name TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b');"
                 "CREATE TABLE other (x INTEGER);")
db.commit()

mesh = ok(requests.post(f"{API}/data/mesh", headers=H, json={"entity": {"name": "Entity Test", "entity_type": "mesh"}}), "create mesh")
mid = mesh["entity"]["identifier"]
murn = mesh["entity"]["urn"]

# Connectors.
c = ok(requests.post(f"{API}/data/connector", headers=H, json={"entity": {
    "name": "items_src", "entity_type": "connector", "mesh": mid, "type": "sqlite", "options": {"path": f"{folder}/items.db"}}}),
    "create connector")
cid = c["entity"]["identifier"]
check(set(c) == {"entity", "links"}, f"connector envelope {sorted(c)}")
check(set(c["entity"]) == {"identifier", "urn", "name", "entity_type", "mesh", "type", "options", "secret_options", "created_at", "state"},
      f"connector keys {sorted(c['entity'])}")
check(c["entity"]["urn"] == f"urn:meshx:backend:data:mesh:{mid}:connector:{cid}", "connector urn")
check(c["entity"]["state"]["healthy"] is True, "connector state")
check(c["links"]["parents"] == [murn], "connector parent")
check(ok(requests.get(f"{API}/data/connector", params={"identifier": cid}, headers=H), "get connector")["entity"]["name"] == "items_src", "get")
listed = ok(requests.get(f"{API}/data/connector/list", params={"mesh": mid}, headers=H), "list connectors")
check([x["entity"]["identifier"] for x in listed] == [cid], "list connectors")
test = ok(requests.post(f"{API}/data/connector/test", params={"identifier": cid}, headers=H), "test connector")
check(test and test["healthy"] is True and test["type"] == "sqlite", f"test {test}")

if "MESHQL_PG_DSN" in os.environ:
    secret = "never-shown-7731"
    pg = ok(requests.post(f"{API}/data/connector", headers=H, json={"entity": {
        "name": "pg_src", "mesh": mid, "type": "postgres", "options": {"dsn": os.environ["MESHQL_PG_DSN"] + f" password={secret}"}}}),
        "create postgres connector")
    check(secret not in str(pg), "a secret option is shown")
    # The DSN's password is write-only: named in secret_options, masked where the DSN shows.
    check(pg["entity"]["secret_options"] == ["dsn"] and "password=********" in pg["entity"]["options"].get("dsn", ""),
          f"secret options {pg['entity']}")
    check(secret not in requests.get(f"{API}/data/connector/list", headers=H).text, "a secret option is listed")
    ok(requests.delete(f"{API}/data/connector", params={"identifier": pg["entity"]["identifier"]}, headers=H), "drop pg", 204)

# Bad requests change nothing.
before = requests.get(f"{API}/data/connector/list", headers=H).json()
bad = requests.post(f"{API}/data/connector", headers=H, json={"entity": {"name": "x", "mesh": mid, "type": "sqlite", "colour": "red"}})
check(bad.status_code == 400 and "entity.colour" in bad.json().get("detail", ""), f"unknown field: {bad.status_code} {bad.text}")
bad = requests.put(f"{API}/data/connector", params={"identifier": cid}, headers=H, json={"entity": {"type": "postgres"}})
check(bad.status_code == 400 and "entity.type" in bad.json().get("detail", ""), f"type change: {bad.status_code} {bad.text}")
check(requests.get(f"{API}/data/connector", params={"identifier": cid}, headers=OTHER).status_code == 404, "another org sees the connector")
check(requests.get(f"{API}/data/connector/list", headers=H).json() == before, "a bad request changed the connectors")

# Products: import, get, update, create from a source and as a query, refresh.
imported = ok(requests.post(f"{API}/data/product/import", headers=H, json={"connector": cid, "limit_to": ["items"]}), "import")
check([p["entity"]["name"] for p in imported] == ["items"], f"imported {[p['entity']['name'] for p in imported]}")
pid = imported[0]["entity"]["identifier"]
ok(requests.post(f"{API}/query", headers=H, json={"sql": "GRANT SELECT ON entity_test.* TO ROLE admin"}), "grant")
p = ok(requests.get(f"{API}/data/product", params={"identifier": pid}, headers=H), "get product")
check(p["entity"]["urn"] == f"urn:meshx:backend:data:mesh:{mid}:product:{pid}", "product urn")
check(p["entity"]["source"] == {"connector": cid, "schema": None, "table": "items"} or p["entity"]["source"]["table"] == "items", f"source {p['entity']['source']}")
check([col["name"] for col in p["entity"]["columns"]] == ["id", "name"], "columns")
check(p["links"]["parents"] == [murn, c["entity"]["urn"]], f"product parents {p['links']}")
updated = ok(requests.put(f"{API}/data/product", params={"identifier": pid}, headers=H, json={"entity": {
    "description": "Things we sell", "columns": [{"name": "name", "tags": ["pii"]}]}}), "update product")
check(updated["entity"]["description"] == "Things we sell", "description saved")
check(updated["entity"]["columns"][1]["tags"] == ["pii"], f"tags {updated['entity']['columns']}")
second = ok(requests.post(f"{API}/data/product", headers=H, json={"entity": {
    "name": "other_things", "mesh": mid, "source": {"connector": cid, "table": "other"}, "owner": "olga@acme.test"}}), "create product")
check(second["entity"]["owner"] == "olga@acme.test", "owner saved")
view = requests.post(f"{API}/data/product", headers=H, json={"entity": {
    "name": "item_ids", "mesh": mid, "query": "SELECT id FROM entity_test.items"}})
check(view.status_code == 200 and view.json()["entity"]["query"] == "SELECT id FROM entity_test.items", f"view {view.status_code} {view.text[:200]}")
bad = requests.post(f"{API}/data/product", headers=H, json={"entity": {"name": "broken", "mesh": mid, "query": "SELEC 1"}})
check(bad.status_code == 400 and bad.json().get("sqlstate") == "42601", f"bad query {bad.status_code} {bad.text[:200]}")
ok(requests.post(f"{API}/data/product/refresh", params={"identifier": pid}, headers=H), "refresh")
rows = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT count(*) FROM entity_test.items"})
check(rows.status_code == 200 and rows.json()["rows"] == [[2]], f"query the product {rows.text[:200]}")
# Parameters: bound as literals, and never one statement's values in another's plan.
for value, want in [(2, [["b"]]), (1, [["a"]]), (2, [["b"]]), (3, [])]:
    r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT name FROM entity_test.items WHERE id = $1", "params": [value]})
    check(r.status_code == 200 and r.json()["rows"] == want, f"params {value}: {r.status_code} {r.text[:200]}")
r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT id FROM entity_test.items WHERE name = $1 AND id < $2", "params": ["b", 10.5]})
check(r.status_code == 200 and r.json()["rows"] == [[2]], f"string and decimal params: {r.text[:200]}")
r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT $2", "params": [1]})
check(r.status_code == 400 and r.json().get("sqlstate") == "22023", f"missing param: {r.status_code} {r.text[:200]}")
r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT $1", "params": [{"a": 1}]})
check(r.status_code == 400 and "params[0]" in r.json().get("detail", ""), f"bad param: {r.status_code} {r.text[:200]}")
# EXPLAIN over HTTP, and the policies a JSON answer names.
r = requests.post(f"{API}/explain", headers=H, json={"sql": "SELECT name FROM entity_test.items WHERE id = $1", "params": [1]})
check(r.status_code == 200 and r.json()["plan"] and "\n".join(r.json()["plan"]) == r.json()["text"], f"explain {r.status_code} {r.text[:300]}")
check(r.status_code == 200 and r.json()["policies"] == ["entity_test#1"], f"explain policies {r.text[:300]}")
r = requests.post(f"{API}/explain", headers=H, json={"sql": "DROP MESH entity_test"})
check(r.status_code == 400, f"explain of a catalog statement: {r.status_code}")
r = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT count(*) FROM entity_test.items"})
check(r.status_code == 200 and r.json().get("policies") == ["entity_test#1"], f"policies in the answer {r.text[:300]}")
names = sorted(x["entity"]["name"] for x in ok(requests.get(f"{API}/data/product/list", params={"mesh": mid}, headers=H), "list products"))
check(names == ["item_ids", "items", "other_things"], f"products {names}")
check(requests.get(f"{API}/data/product", params={"identifier": pid}, headers=OTHER).status_code == 404, "another org sees the product")
check(requests.get(f"{API}/data/product", params={"identifier": "not-a-uuid"}, headers=H).status_code == 404, "bad identifier")

# Deleting: the view first (it reads `items`), then products, the connector, the mesh.
refused = requests.delete(f"{API}/data/product", params={"identifier": pid}, headers=H)
check(refused.status_code == 409, f"drop a product a view reads: {refused.status_code} {refused.text[:200]}")
for x in [view.json(), second, imported[0]]:
    if "entity" not in x:
        continue
    ok(requests.delete(f"{API}/data/product", params={"identifier": x["entity"]["identifier"]}, headers=H), "drop product", 204)
ok(requests.delete(f"{API}/data/connector", params={"identifier": cid}, headers=H), "drop connector", 204)
check(requests.get(f"{API}/data/connector", params={"identifier": cid}, headers=H).status_code == 404, "dropped connector still there")
ok(requests.delete(f"{API}/data/mesh", params={"identifier": mid}, headers=H), "drop mesh", 204)

finish("entity API: ok")
