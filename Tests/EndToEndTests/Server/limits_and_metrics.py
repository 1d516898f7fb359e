# With `--rate-limit 2` (bursts of 4): a burst of requests from one token meets 429 with
# Retry-After; afterwards the service still answers; /metrics is valid Prometheus text that
# counts the refusals; GET /api/audit lists the queries for an org admin.
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

API = os.environ["MESHQL_API_URL"]
BASE = API.rsplit("/api", 1)[0]
H = {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}
failures = []

# The burst goes out at once: sent one after another, requests that each took half a second
# (a loaded machine) would come no faster than the bucket refills, and none would be refused.
with ThreadPoolExecutor(20) as pool:
    codes = list(pool.map(lambda _: requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1"}), range(20)))
limited = [r for r in codes if r.status_code == 429]
if not limited:
    failures.append(f"no 429 in {[r.status_code for r in codes]}")
elif not limited[0].headers.get("retry-after", "").isdigit():
    failures.append(f"429 without Retry-After: {limited[0].headers}")
elif not limited[0].headers.get("content-type", "").startswith("application/problem+json"):
    failures.append("429 is not problem+json")
time.sleep(int(limited[0].headers.get("retry-after", "1")) if limited else 1)
if requests.get(f"{BASE}/health").status_code != 200:
    failures.append("not healthy after the limit")
if requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1"}).status_code != 200:
    failures.append("no query after waiting")

metrics = requests.get(f"{BASE}/metrics")
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+0-9.eE]+(\.[0-9]+)?$|^[-a-zA-Z_:0-9]+(\{.*\})? (NaN|\+Inf|-Inf)$')
for line in metrics.text.splitlines():
    if line and not line.startswith("#") and not sample.match(line):
        failures.append(f"not a Prometheus sample: {line!r}")
if "meshql_rate_limited_requests_total" not in metrics.text or "meshql_queries_total" not in metrics.text:
    failures.append(f"metrics lack the counters:\n{metrics.text}")

time.sleep(1)
# A streamed query is audited too (its rows are sent after the handler returned), so its
# record comes some time after the answer: the audit is read until it shows, at the rate the
# limit allows, for up to a minute.
nd = requests.post(f"{API}/query", headers=dict(H, Accept="application/x-ndjson"), json={"sql": "SELECT 42 AS streamed"})
deadline = time.time() + 60
while True:
    time.sleep(0.5)
    audit = requests.get(f"{API}/audit", headers=H, params={"limit": 5})
    shown = audit.status_code == 200 and audit.json() and audit.json()[0]["statement"] == "SELECT ? AS streamed"
    if shown or time.time() > deadline:
        break
if nd.status_code != 200 or audit.status_code != 200 or not audit.json() or audit.json()[0]["statement"] != "SELECT ? AS streamed":
    failures.append(f"audit of a streamed query: {audit.status_code} {audit.text[:300]}")
elif audit.json()[0]["rows"] != 1:
    failures.append(f"the streamed query's row count: {audit.json()[0]}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("limits and metrics passed")
