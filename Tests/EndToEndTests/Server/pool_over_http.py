# Done-when 5 of the server issue over HTTP: clients at once, each running one query that
# joins six products of one PostgreSQL connector with pool_size 2, pushdown off (so each
# product is its own remote fragment). Every one must answer, and rightly.
import json
import sys
import threading

import requests

from meshql_api import API, H, register_postgres

# Eight clients: 48 fragments for two connections, so queries hold connections that others
# (and their own other fragments) wait for, which is what could deadlock. Fifty (300
# fragments, 13.7 s alone) proved nothing more and, beside the rest of the suite on two
# cores, made a last fragment wait past 100 s: a fragment waits for every one queued ahead,
# so its wait is the whole run's time. The pool time-out is five minutes, and the client's
# longer, so a query that did wait on itself or the others still fails, with the server's
# 502 naming the pool.
CLIENTS = 8
register_postgres("six", pool_size=2, pool_timeout=300)

JOIN = ("SET pushdown = off; SELECT count(*), sum(t1.v + t2.v + t3.v + t4.v + t5.v + t6.v) FROM six.t1 t1 "
        "JOIN six.t2 t2 ON t2.id = t1.id JOIN six.t3 t3 ON t3.id = t2.id JOIN six.t4 t4 ON t4.id = t3.id "
        "JOIN six.t5 t5 ON t5.id = t4.id JOIN six.t6 t6 ON t6.id = t5.id")
answers = []
lock = threading.Lock()


def client():
    r = requests.post(f"{API}/query", headers=H, json={"sql": JOIN}, timeout=360)
    with lock:
        answers.append((r.status_code, r.json().get("rows") if r.status_code == 200 else r.text))


threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
bad = [a for a in answers if a != (200, [[24000, 431988]])]
if len(answers) != CLIENTS or bad:
    print(f"{len(answers)} answers; wrong: {bad[:3]}")
    sys.exit(1)
print(json.dumps({"answers": len(answers)}))
