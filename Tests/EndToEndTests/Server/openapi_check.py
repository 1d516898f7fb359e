# /openapi.yaml against the server: the document is valid OpenAPI 3.1; every operation it
# lists is routed (an unrouted request gets the framework's bare 404, a routed one a
# problem+json or a success); a route it does not list is not; and the mesh API's answers
# match its schemas.
import os
import sys

import jsonschema
import requests
import yaml
from openapi_spec_validator import validate

API = os.environ["MESHQL_API_URL"]
BASE = API.rsplit("/api", 1)[0]
H = {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}
failures = []

doc = requests.get(f"{BASE}/openapi.yaml")
spec = yaml.safe_load(doc.text)
validate(spec)


def routed(resp):
    return resp.status_code != 404 or resp.headers.get("content-type", "").startswith("application/problem+json")


for path, item in spec["paths"].items():
    for method in ("get", "post", "put", "delete"):
        if method not in item:
            continue
        url = BASE + path.replace("{id}", "no-such-query")
        r = requests.request(method, url, headers=dict(H, **{"content-type": "application/json"}), data="{}",
                             params={"identifier": "00000000-0000-0000-0000-000000000000"})
        if not routed(r):
            failures.append(f"{method.upper()} {path} is in the document but not routed")
for method, path in [("get", "/api/nope"), ("post", "/api/data/mesh/list")]:
    if routed(requests.request(method, BASE + path, headers=H)):
        failures.append(f"{method.upper()} {path} is routed but not in the document")

schemas = {"components": spec["components"]}
def check(instance, name):
    try:
        jsonschema.validate(instance, dict(schemas, **{"$ref": f"#/components/schemas/{name}"}))
    except jsonschema.ValidationError as e:
        failures.append(f"{name}: {e.message}")

made = requests.post(f"{API}/data/mesh", headers=H, json={"entity": {"name": "OpenAPI Check", "entity_type": "mesh"}})
check(made.json(), "MeshEnvelope")
for m in requests.get(f"{API}/data/mesh/list", headers=H).json():
    check(m, "MeshEnvelope")
check(requests.post(f"{API}/query", headers=H, json={"sql": "SELEC"}).json(), "Problem")
answer = requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1 AS a"}).json()
check(answer, "QueryResponse")
if answer.get("lineage") != {"columns": [{"name": "a", "inputs": []}], "dataset": []}:
    failures.append(f"QueryResponse lineage: {answer.get('lineage')}")
history = requests.get(f"{API}/query/history", headers=H, params={"limit": 5})
if history.status_code != 200 or not history.json():
    failures.append(f"GET /api/query/history: {history.status_code} {history.text[:200]}")
for h in history.json() if history.status_code == 200 else []:
    check(h, "QueryHistoryEntry")
check(requests.get(f"{API}/lineage", headers=H, params={"product": "nomesh.nothing"}).json(), "Problem")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("openapi checks passed")
