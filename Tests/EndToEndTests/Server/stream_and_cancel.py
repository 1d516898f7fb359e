# Streaming and cancelling through `meshql serve` (Done-when 2 and 4 of the server issue), run
# by ServerTests with a PostgreSQL product big.million (1,000,000 rows) registered.
#  1. NDJSON over a million rows: the first line arrives long before the last.
#  2. DELETE /api/query/{id} on a long PostgreSQL query: 204, and soon no backend of the
#     database runs a query any more (pg_stat_activity).
#  3. A statement timeout: 504 with SQLSTATE 57014, soon after the deadline.
#  4. A client that hangs up on a long, quiet query stops it at the source too, in each format.
# The script reports how long each took; ServerTests holds them to bounds. The cancel and the
# hang-ups come once PostgreSQL runs the query, not after a fixed pause.
import json
import os
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import requests

API = os.environ["MESHQL_API_URL"]
H = {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}
DSN = os.environ["MESHQL_PG_DSN"]
out = {}

start = time.time()
r = requests.post(f"{API}/query", headers=dict(H, Accept="application/x-ndjson"),
                  json={"sql": "SELECT id, v, id * 2 AS w FROM big.million"}, stream=True)
first = None
lines = 0
last = None
for line in r.iter_lines():
    if first is None:
        first = time.time() - start
    lines += 1
    last = line
out["first_line_s"] = first
out["total_s"] = time.time() - start
out["lines"] = lines
out["trailer"] = json.loads(last)


def active():
    sql = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
           "AND state = 'active' AND pid <> pg_backend_pid()")
    return int(subprocess.check_output(["psql", DSN, "-Atc", sql]).strip())


def seconds_until_idle(since, limit=30):
    """Seconds from `since` until no backend runs a query (None if not within `limit`)."""
    while time.time() - since < limit:
        if active() == 0:
            return time.time() - since
        time.sleep(0.05)
    return None


def running(limit=60):
    """Whether a backend runs a query within `limit` seconds (planning and connecting come
    first, which on a loaded machine takes seconds)."""
    deadline = time.time() + limit
    while active() == 0:
        if time.time() > deadline:
            return False
        time.sleep(0.05)
    return True


LONG = "SELECT count(*) FROM big.million a JOIN big.million b ON a.v = b.v WHERE a.id + b.id > 0"


qid = "cancel-me-1"
result = {}


def long_query():
    try:
        resp = requests.post(f"{API}/query", headers=dict(H, **{"Accept": "application/x-ndjson", "X-Query-Id": qid}),
                             json={"sql": LONG}, timeout=60)
        result["text"] = resp.text
    except Exception as e:  # noqa: BLE001
        result["error"] = str(e)


t = threading.Thread(target=long_query)
t.start()
running()
out["running_before_cancel"] = active()
d = requests.delete(f"{API}/query/{qid}", headers=H)
cancelled_at = time.time()
out["delete_status"] = d.status_code
out["backend_stopped_after_s"] = seconds_until_idle(cancelled_at)
t.join(30)
out["long_query_answer"] = result.get("text", result.get("error", ""))[-300:]

# A statement timeout: 504 with SQLSTATE 57014, soon after the deadline.
t0 = time.time()
timed = requests.post(f"{API}/query", headers=H, json={"sql": LONG, "timeout_ms": 300})
out["timeout_status"] = timed.status_code
out["timeout_sqlstate"] = timed.json().get("sqlstate") if timed.headers.get("content-type", "").startswith("application/problem") else None
out["timeout_after_s"] = time.time() - t0
# A client that hangs up on a quiet query (nothing to write yet) cancels it at the source, in
# every format. The request goes over a bare socket, closed once PostgreSQL runs the query.
out["disconnect_stopped_after_s"] = {}
api = urlsplit(API)
body = json.dumps({"sql": LONG}).encode()
for accept in ["application/json", "application/x-ndjson", "text/csv"]:
    while active() > 0:
        time.sleep(0.05)
    client = socket.create_connection((api.hostname, api.port))
    head = (f"POST {api.path}/query HTTP/1.1\r\nHost: {api.netloc}\r\nAuthorization: {H['Authorization']}\r\n"
            f"x-org: {H['x-org']}\r\nAccept: {accept}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    client.sendall(head.encode() + body)
    seen = running()
    client.close()
    out["disconnect_stopped_after_s"][accept] = seconds_until_idle(time.time()) if seen else "never ran"
print(json.dumps(out))
