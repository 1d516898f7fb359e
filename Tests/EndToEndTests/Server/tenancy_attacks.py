# Tenancy attacks over HTTP (the tenancy issue), run by TenancyAttackTests one at a time:
# `python3 tenancy_attacks.py NAME`. Org acme's admin (MESHQL_TOKEN) may use SQLite files under
# the temporary folder only (the operator's rule); org other's admin (MESHQL_OTHER_TOKEN) may use
# nothing; MESHQL_READER_TOKEN is an analyst of acme. Each attack must learn nothing.
import os
import socket
import sqlite3
import sys
import tempfile

import requests

from meshql_api import API, H, check, finish, other_org_headers

OTHER = other_org_headers()
READER = {"Authorization": f"Bearer {os.environ['MESHQL_READER_TOKEN']}", "x-org": "acme"}
# mo@acme.test: no role; owns the mesh the rename attack renames.
MANAGER = {"Authorization": f"Bearer {os.environ['MESHQL_MANAGER_TOKEN']}", "x-org": "acme"}
REFUSED = "this source is not open to connectors of this organisation"


def sql(headers, text):
    return requests.post(f"{API}/query", headers=headers, json={"sql": text})


def refused(r, what):
    """403 with the one message, whatever the reason, and nothing else that could differ."""
    body = r.json() if r.headers.get("content-type", "").startswith("application/problem+json") else {}
    check(r.status_code == 403 and body.get("detail", body.get("title", "")).find(REFUSED) >= 0 or
          r.status_code == 403 and REFUSED in r.text, f"{what}: {r.status_code} {r.text[:300]}")
    return {k: v for k, v in body.items() if k not in ("instance", "query_id", "request_id")}


def source_file(folder, name, value):
    path = os.path.join(folder, name)
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE secrets (id INTEGER, v TEXT)")
    c.execute("INSERT INTO secrets VALUES (1, ?)", (value,))
    c.commit()
    c.close()
    return path


def setup_acme():
    """Mesh vault over a file of acme's (made by acme's admin, inside the allowed folder),
    readable by nobody but its managers; mesh probe for the attacks."""
    folder = tempfile.mkdtemp()
    path = source_file(folder, "vault.db", "raw-secret")
    for s in ["CREATE MESH vault WITH (owner = 'admin@acme.test')", "CREATE MESH probe WITH (owner = 'admin@acme.test')",
              f"CREATE CONNECTOR vault_src FOR MESH vault TYPE sqlite OPTIONS (path '{path}')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR vault_src",
              "DENY SELECT (v) ON vault.secrets TO PUBLIC EXCEPT ROLE steward"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    return folder, path


def attack_files_outside_the_root():
    folder, vault = setup_acme()
    outside = tempfile.mkdtemp(dir="/var/tmp") if os.path.isdir("/var/tmp") else "/nonexistent"
    catalog = os.environ["MESHQL_CATALOG"]
    answers = []
    for path in [vault,                                   # inside, but mesh vault's source
                 os.path.join(folder, ".", "vault.db"),
                 catalog, catalog + ".key", "/etc/passwd", "/dev/null", "/", outside,
                 os.path.join(folder, "missing.db"), "/nonexistent/x.db"]:
        for check_clause in ["", " NO CHECK"]:
            esc = path.replace("'", "''")
            answers.append(refused(sql(H, f"CREATE CONNECTOR c FOR MESH probe TYPE sqlite OPTIONS (path '{esc}'){check_clause}"),
                                   f"path {path}{check_clause}"))
    check(all(a == answers[0] for a in answers), f"the refusals differ: {answers}")


def attack_another_org_reads_acmes_file():
    _, vault = setup_acme()
    r = sql(OTHER, "CREATE MESH spy")
    check(r.status_code == 200, f"other's mesh: {r.text[:200]}")
    refused(sql(OTHER, f"CREATE CONNECTOR c FOR MESH spy TYPE sqlite OPTIONS (path '{vault}')"), "another org's file")
    r = requests.post(f"{API}/data/connector", headers=OTHER, json={"entity": {
        "name": "c2", "entity_type": "connector", "mesh": requests.get(f"{API}/data/mesh/list", headers=OTHER).json()[0]["entity"]["identifier"],
        "type": "sqlite", "options": {"path": vault}}})
    refused(r, "another org's file through the connector API")


def attack_port_probe():
    setup_acme()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    open_port = int(API.split(":")[2].split("/")[0])   # the server's own HTTP port
    answers = []
    for dsn in [f"host=127.0.0.1 port={port} dbname=x connect_timeout=2", f"host=127.0.0.1 port={open_port} dbname=x",
                f"host=10.255.255.1 port=5432 dbname=x", "dbname=postgres", "host=/var/run/postgresql dbname=postgres",
                f"postgres://127.0.0.1:{open_port}/x", f"host=127.0.0.1 port={port} dbname=x service=evil"]:
        answers.append(refused(sql(H, f"CREATE CONNECTOR p FOR MESH probe TYPE postgres OPTIONS (dsn '{dsn}')"), f"dsn {dsn}"))
    check(all(a == answers[0] for a in answers), f"the refusals differ: {answers}")


def attack_reader_sees_policy_text():
    setup_acme()
    meshes = requests.get(f"{API}/data/mesh/list", headers=READER)
    check(meshes.status_code == 200, f"reader's list: {meshes.status_code}")
    for m in meshes.json():
        check(m["entity"]["security_policy"] == [], f"policy text shown to a reader: {m['entity']['security_policy']}")
        check(m["links"]["children"] == [], f"children the reader cannot read: {m['links']['children']}")
    admin = [m for m in requests.get(f"{API}/data/mesh/list", headers=H).json() if m["entity"]["name"] == "vault"]
    check(admin and admin[0]["entity"]["security_policy"] != [] and len(admin[0]["links"]["children"]) == 2,
          f"the admin sees the policies and children: {admin}")
    r = sql(READER, "SHOW DATA PRODUCTS")
    check(r.status_code == 200 and all(row[2] is None for row in r.json()["rows"]), f"sources shown to a reader: {r.text[:300]}")


def attack_token_guessing():
    """Guessed tokens: 401s, then 429 before any catalog read; the same guess again is refused
    from memory; a real token from the same address still works throughout."""
    ok = requests.get(f"{API}/data/mesh/list", headers=H)
    check(ok.status_code == 200, f"the real token first: {ok.status_code}")
    codes = []
    with requests.Session() as s:
        for i in range(300):
            r = s.get(f"{API}/data/mesh/list", headers={"Authorization": f"Bearer mq_guess{i:06d}", "x-org": "acme"})
            codes.append(r.status_code)
    check(set(codes) <= {401, 429} and codes[0] == 401 and 429 in codes, f"guesses answered {sorted(set(codes))}")
    check(requests.get(f"{API}/data/mesh/list", headers=H).status_code == 200, "the real token after the guesses")
    metrics = requests.get(API.rsplit("/api", 1)[0] + "/metrics").text
    check("meshql_rate_limited_requests" in metrics, "rate-limit rejections counted")


def attack_metrics_from_afar():
    """/metrics spans every org: from a non-loopback address it needs the operator's secret
    (the server runs with --host 0.0.0.0 --metrics-token s3cret-metrics); loopback may read it."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        address = None
    finally:
        probe.close()
    port = API.split(":")[2].split("/")[0]
    check(requests.get(f"http://127.0.0.1:{port}/metrics").status_code == 200, "loopback reads /metrics")
    if not address or address.startswith("127."):
        print("no non-loopback address here: only the loopback half checked")
        return
    far = f"http://{address}:{port}/metrics"
    check(requests.get(far).status_code == 401, "/metrics from afar without the secret")
    check(requests.get(far, headers={"Authorization": "Bearer guess"}).status_code == 401, "/metrics with a wrong secret")
    check(requests.get(far, headers={"Authorization": "Bearer s3cret-metrics"}).status_code == 200, "/metrics with the secret")
    check(requests.get(f"http://{address}:{port}/api/data/mesh/list", headers=H).status_code == 200, "the API from afar")


def attack_socket_flood():
    """500 idle sockets and 500 stalled in their headers (the server runs with --idle-timeout 3):
    /health and an authenticated query answer in under a second throughout, and the server
    closes the flood's sockets once they have been silent past the timeout."""
    import time
    host, port = "127.0.0.1", int(API.split(":")[2].split("/")[0])
    flood = []
    for i in range(1000):
        s = socket.create_connection((host, port))
        if i % 2:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")   # never finished
        flood.append(s)
    # Once the server has taken the flood in (an untimed first answer: accepting a thousand
    # connections is the flood's own cost), answers while it is held open are timed.
    requests.get(API.rsplit("/api", 1)[0] + "/health", timeout=60)
    worst = 0.0
    for _ in range(3):
        for call in (lambda: requests.get(API.rsplit("/api", 1)[0] + "/health", timeout=30),
                     lambda: requests.post(f"{API}/query", headers=H, json={"sql": "SELECT 1"}, timeout=30)):
            t = time.time()
            r = call()
            worst = max(worst, time.time() - t)
            check(r.status_code == 200, f"answered {r.status_code} under the flood")
        time.sleep(0.5)
    check(worst < 1.0, f"slowest answer under the flood: {worst:.2f} s")
    # Closed once silent past the timeout: waited for (up to a minute on a loaded machine).
    for s in flood:
        s.setblocking(False)
    open_ = list(flood)
    deadline = time.time() + 60
    while open_ and time.time() < deadline:
        time.sleep(0.5)
        still = []
        for s in open_:
            try:
                while s.recv(4096) != b"":   # whatever the server said before closing
                    pass
                s.close()
            except BlockingIOError:
                still.append(s)              # nothing to read and no end: still open
            except OSError:
                s.close()                    # reset by the server
        open_ = still
    check(not open_, f"{len(open_)} flood sockets still open a minute after the idle timeout")
    for s in open_:
        s.close()


def attack_huge_json():
    """A JSON answer of 500 MB (100 rows of 5 MB each) streams as NDJSON and CSV do: the server
    does not hold it (TenancyAttackTests checks its memory). Past max_bytes an answer is refused
    with a problem+json while it is still held, and ends with an in-band error once it streams."""
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "rows.db")
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE hundred (i INTEGER)")
    c.executemany("INSERT INTO hundred VALUES (?)", [(i,) for i in range(100)])
    c.commit()
    c.close()
    for s in ["CREATE MESH huge WITH (owner = 'admin@acme.test')",
              f"CREATE CONNECTOR huge_src FOR MESH huge TYPE sqlite OPTIONS (path '{path}')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR huge_src", "GRANT SELECT ON huge.* TO PUBLIC"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    r = requests.post(f"{API}/query", headers=READER, stream=True,
                      json={"sql": "SELECT rpad('x', 5000000, 'y') AS p FROM huge.hundred LIMIT 100"})
    head, tail, size = b"", b"", 0
    for chunk in r.iter_content(1 << 20):
        if len(head) < 200:
            head += chunk[:200]
        tail = (tail + chunk)[-200:]
        size += len(chunk)
    check(r.status_code == 200 and head.startswith(b'{"columns":[{"name":"p","type":"text"}]') and size > 500_000_000
          and b'"stats":{"rows":100,' in tail, f"500 MB as JSON: {r.status_code} {size} {head[:100]!r} {tail[-100:]!r}")
    # Refused while held: a problem+json with its status.
    r = requests.post(f"{API}/query", headers=READER, json={"sql": "SELECT i FROM huge.hundred", "max_bytes": 100})
    body = r.json() if r.headers.get("content-type", "").startswith("application/problem+json") else {}
    check(r.status_code == 422 and body.get("sqlstate") == "54000" and "max_bytes" in body.get("detail", ""),
          f"past max_bytes: {r.status_code} {r.text[:300]}")
    # Past max_bytes once streaming: the JSON object ends with an error member and no stats,
    # NDJSON with an error line, CSV is cut.
    ten = {"sql": "SELECT rpad(CAST(i AS text), 600000, 'y') AS p FROM huge.hundred WHERE i < 10", "max_bytes": 5_000_000}
    r = requests.post(f"{API}/query", headers=READER, json=ten)
    answer = r.json() if r.status_code == 200 else {}
    check("stats" not in answer and answer.get("error", {}).get("sqlstate") == "54000" and 0 < len(answer.get("rows", [])) < 10,
          f"JSON past max_bytes: {r.status_code} {str(answer)[:200] if answer else r.text[:300]}")
    r = requests.post(f"{API}/query", headers=dict(READER, Accept="application/x-ndjson"), json=ten)
    last = r.text.strip().split("\n")[-1]
    check(r.status_code == 200 and '"error"' in last and "54000" in last and '"stats"' not in r.text, f"NDJSON past max_bytes: {last[:200]}")
    try:
        r = requests.post(f"{API}/query", headers=dict(READER, Accept="text/csv"), json=ten)
        check(False, f"CSV past max_bytes ended as if whole: {r.status_code} {len(r.content)}")
    except requests.exceptions.RequestException:
        pass  # the stream is cut: no client takes it for a whole answer


def attack_hash_oracle():
    """A manager hashes guesses in their own mesh and joins them to another mesh's hashed
    column: each mesh hashes under its own key, so nothing matches; only an admin's hash
    domain shares a key, and a manager can neither make one nor name one their mesh is not in."""
    setup_acme()
    for s in ["GRANT SELECT ON vault.* TO PUBLIC", "MASK vault.secrets.id USING hash(id) FOR PUBLIC",
              "CREATE DATA PRODUCT probe.guesses AS SELECT 1 AS g UNION ALL SELECT 2 UNION ALL SELECT 3",
              "GRANT SELECT ON probe.* TO PUBLIC", "MASK probe.guesses.g USING hash(g) FOR PUBLIC"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    for who in (H, READER):
        r = sql(who, "SELECT count(*) FROM probe.guesses JOIN vault.secrets ON g = id")
        check(r.status_code == 200 and r.json()["rows"] == [[0]], f"hashed guesses matched: {r.text[:300]}")
        r = sql(who, "SELECT id FROM vault.secrets")
        check(r.status_code == 200 and r.json()["rows"] != [[1]], f"the hashed column in clear: {r.text[:300]}")
    r = sql(READER, "CREATE HASH DOMAIN k FOR MESH probe, vault")
    check(r.status_code == 403, f"a reader made a hash domain: {r.status_code} {r.text[:200]}")
    r = sql(H, "MASK probe.guesses.g USING hash(g, 'k') FOR ROLE nobody")
    check(r.status_code in (400, 404) and "hash domain" in r.text, f"an unknown hash domain: {r.status_code} {r.text[:200]}")


def attack_rename_escape():
    """The owner of a mesh renames it through the mesh API to escape an admin's DENY and an
    org-wide tag mask: the rules move with the mesh, so both still hold under the new name."""
    folder = tempfile.mkdtemp()
    path = source_file(folder, "team.db", "raw-secret")
    for s in ["CREATE MESH team WITH (owner = 'mo@acme.test')",
              f"CREATE CONNECTOR team_src FOR MESH team TYPE sqlite OPTIONS (path '{path}')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR team_src", "GRANT SELECT ON team.* TO PUBLIC",
              "ALTER DATA PRODUCT team.secrets ALTER COLUMN id SET TAGS ('pii')",
              "MASK COLUMNS TAGGED 'pii' USING redact() FOR PUBLIC",
              "DENY SELECT (v) ON team.secrets TO PUBLIC EXCEPT ROLE steward"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    meshes = requests.get(f"{API}/data/mesh/list", headers=MANAGER).json()
    team = [m for m in meshes if m["entity"]["name"] == "team"][0]
    # The mesh sent back as it was listed, with only a new name (what the attacker did).
    body = {"entity": dict(team["entity"], name="escaped"), "entity_info": team["entity_info"]}
    r = requests.put(f"{API}/data/mesh", params={"identifier": team["entity"]["identifier"]}, headers=MANAGER, json=body)
    check(r.status_code == 200, f"rename: {r.status_code} {r.text[:300]}")
    for who in (MANAGER, READER):
        r = sql(who, "SELECT * FROM escaped.secrets")
        check(r.status_code == 200, f"read after rename: {r.status_code} {r.text[:300]}")
        body = r.json()
        check([c["name"] for c in body.get("columns", [])] == ["id"], f"the denied column after a rename: {r.text[:300]}")
        check("raw-secret" not in r.text and [1] not in [row[:1] for row in body.get("rows", [])],
              f"the masked or denied values after a rename: {r.text[:300]}")
    r = sql(H, "SHOW POLICIES IN escaped")
    check(r.status_code == 200 and "escaped.secrets" in r.text and "team.secrets" not in r.text,
          f"the DENY names the new name: {r.text[:300]}")


def runaway_cte(levels):
    """Each CTE reads the one before it twice: expanded, the plan doubles per level."""
    parts = ["c0 AS (SELECT 1 AS x)"] + [f"c{i} AS (SELECT a.x FROM c{i - 1} a JOIN c{i - 1} b ON a.x = b.x)"
                                         for i in range(1, levels + 1)]
    return "WITH " + ", ".join(parts) + f" SELECT count(*) FROM c{levels}"


def attack_runaway_plan():
    """A CTE or view read twice by the next, thirty levels deep, is bound and run once per level
    (it used to double per level: 22 levels grew the server to 3.8 GB). What is still expanded
    per reference (a CTE defined inside a subquery) is registered from the start: the statement
    timeout and DELETE /api/query/{id} stop it while it is still being planned, and past the
    expansion limit it is refused at once."""
    import threading
    import time
    for levels in (12, 30):
        started = time.monotonic()
        r = requests.post(f"{API}/query", headers=H, json={"sql": runaway_cte(levels)})
        check(r.status_code == 200 and r.json()["rows"] == [[1]] and time.monotonic() - started < 10,
              f"{levels} levels: {r.status_code} {r.text[:200]} in {time.monotonic() - started:.2f} s")
    folder = tempfile.mkdtemp()
    path = source_file(folder, "chain.db", "v")
    for s in ["CREATE MESH chain WITH (owner = 'admin@acme.test')",
              f"CREATE CONNECTOR chain_src FOR MESH chain TYPE sqlite OPTIONS (path '{path}')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR chain_src", "GRANT SELECT ON chain.* TO PUBLIC",
              "CREATE DATA PRODUCT chain.v0 AS SELECT id FROM chain.secrets"] + [
              f"CREATE DATA PRODUCT chain.v{i} AS SELECT a.id FROM chain.v{i - 1} a JOIN chain.v{i - 1} b ON a.id = b.id"
              for i in range(1, 31)]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s[:80]}: {r.status_code} {r.text[:200]}")
    started = time.monotonic()
    r = sql(H, "SELECT count(*) FROM chain.v30")
    check(r.status_code == 200 and r.json()["rows"] == [[1]] and time.monotonic() - started < 10,
          f"30 views: {r.status_code} {r.text[:200]} in {time.monotonic() - started:.2f} s")
    r = requests.get(f"{API}/lineage", headers=H, params={"product": "chain.v30"})
    check(r.status_code == 200, f"lineage of the chain: {r.status_code} {r.text[:200]}")
    big = f"SELECT ({runaway_cte(12)})"  # 4,096 references inside a subquery: legal, slow to plan in a debug build
    r = requests.post(f"{API}/query", headers=H, json={"sql": big, "timeout_ms": 50})
    check(r.status_code == 504 and r.json().get("sqlstate") == "57014", f"timeout during planning: {r.status_code} {r.text[:300]}")
    # DELETE while it plans: the query ends cancelled, not answered.
    qid = "runaway-plan-1"
    answer = {}
    t = threading.Thread(target=lambda: answer.update(
        r=requests.post(f"{API}/query", headers=dict(H, **{"X-Query-Id": qid}), json={"sql": big})))
    t.start()
    deleted = None
    for _ in range(500):
        d = requests.delete(f"{API}/query/{qid}", headers=H)
        if d.status_code != 404:
            deleted = d.status_code
            break
        time.sleep(0.01)
    t.join(60)
    r = answer.get("r")
    check(deleted == 204, f"DELETE during planning: {deleted}")
    check(r is not None and r.status_code == 499 and r.json().get("sqlstate") == "57014",
          f"the deleted query's answer: {r.status_code if r is not None else None} {r.text[:300] if r is not None else ''}")
    # Past the expansion limit a plan is refused at once (problem+json, 54000).
    started = time.monotonic()
    r = requests.post(f"{API}/query", headers=H, json={"sql": f"SELECT ({runaway_cte(30)})"})
    check(r.status_code == 422 and r.json().get("sqlstate") == "54000" and time.monotonic() - started < 5,
          f"30 levels in a subquery: {r.status_code} {r.text[:200]} in {time.monotonic() - started:.2f} s")


def attack_cpu_bound_query():
    """A query that computes for a long time without waiting on anything (a triple cross join
    filtered here) ran on an event loop without ever giving it up: every other connection of
    that loop, /health included, waited until it ended. Now /health and queries answer while
    it runs, and DELETE stops it."""
    import threading
    import time
    folder = tempfile.mkdtemp()
    c = sqlite3.connect(os.path.join(folder, "n.db"))
    c.execute("CREATE TABLE n (i INTEGER)")
    c.executemany("INSERT INTO n VALUES (?)", [(i,) for i in range(1000)])
    c.commit()
    c.close()
    for s in ["CREATE MESH cpu", f"CREATE CONNECTOR cpu_src FOR MESH cpu TYPE sqlite OPTIONS (path '{folder}/n.db')",
              "IMPORT DATA PRODUCTS FROM CONNECTOR cpu_src", "GRANT SELECT ON cpu.* TO PUBLIC"]:
        r = sql(H, s)
        check(r.status_code == 200, f"setup {s}: {r.status_code} {r.text[:200]}")
    qid = "cpu-bound-1"
    heavy = "SET pushdown = off; SELECT count(*) FROM cpu.n a, cpu.n b, cpu.n c WHERE a.i + b.i + c.i = 77"
    t = threading.Thread(target=lambda: requests.post(f"{API}/query", headers=dict(H, **{"X-Query-Id": qid}), json={"sql": heavy}))
    t.start()
    time.sleep(1.5)
    # Several connections, so that some land on the event loop the query runs on.
    for i in range(6):
        started = time.monotonic()
        try:
            h = requests.get(f"{API.rsplit('/api', 1)[0]}/health", timeout=10)
            r = sql(READER, "SELECT 1")
            check(h.status_code == 200 and r.status_code == 200, f"health/query {i}: {h.status_code} {r.status_code}")
        except requests.exceptions.RequestException as e:
            check(False, f"health/query {i} during a CPU-bound query: {e}")
        check(time.monotonic() - started < 10, f"health/query {i} took {time.monotonic() - started:.1f} s")
    d = requests.delete(f"{API}/query/{qid}", headers=H)
    check(d.status_code == 204, f"DELETE of the CPU-bound query: {d.status_code}")
    t.join(60)
    check(not t.is_alive(), "the CPU-bound query did not stop")


def attack_header_trickle():
    """Headers sent a byte at a time, each byte well within the idle timeout: the connection
    used to stay open as long as the client liked. Now a request's head must be whole within
    --header-timeout (2 s here) of its first byte; a keep-alive client that pauses between
    requests longer than that is not affected (only the idle timeout applies there)."""
    import time
    host, port = API.split("//")[1].split("/")[0].split(":")
    s = socket.create_connection((host, int(port)))
    s.settimeout(20)
    started = time.monotonic()
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    closed_after = None
    for i in range(30):
        try:
            s.sendall(b"X-Slow-%d: y\r\n" % i)
        except OSError:
            closed_after = time.monotonic() - started
            break
        time.sleep(0.5)
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed_after = time.monotonic() - started
                break
        except BlockingIOError:
            pass
        except OSError:
            closed_after = time.monotonic() - started
            break
        finally:
            s.setblocking(True)
            s.settimeout(20)
    s.close()
    check(closed_after is not None and closed_after < 10, f"a trickled header was kept open: closed after {closed_after}")
    # Keep-alive with pauses longer than the header timeout still works.
    session = requests.Session()
    for _ in range(3):
        r = session.post(f"{API}/query", headers=H, json={"sql": "SELECT 1"})
        check(r.status_code == 200, f"keep-alive query: {r.status_code}")
        time.sleep(2.5)


if __name__ == "__main__":
    globals()["attack_" + sys.argv[1]]()
    finish(f"{sys.argv[1]}: nothing learned")
