# Done-when 5 of the server issue over HTTP: fifty clients at once, each running one query
# that joins six products of one PostgreSQL connector with pool_size 2, pushdown off (so each
# product is its own remote fragment). Every one must answer, and rightly.
import json
import sys
import threading

import requests

from meshql_api import API, H, register_postgres

# Three hundred fragments queue for two connections: alone that takes about 12 s, but beside
# the rest of the test suite on two cores a query's last fragment can wait past the default
# 30 s. The test is about every query answering, not the machine's speed.
register_postgres("six", pool_size=2, pool_timeout=100)

JOIN = ("SET pushdown = off; SELECT count(*), sum(t1.v + t2.v + t3.v + t4.v + t5.v + t6.v) FROM six.t1 t1 "
        "JOIN six.t2 t2 ON t2.id = t1.id JOIN six.t3 t3 ON t3.id = t2.id JOIN six.t4 t4 ON t4.id = t3.id "
        "JOIN six.t5 t5 ON t5.id = t4.id JOIN six.t6 t6 ON t6.id = t5.id")
answers = []
lock = threading.Lock()


def client():
    r = requests.post(f"{API}/query", headers=H, json={"sql": JOIN}, timeout=150)
    with lock:
        answers.append((r.status_code, r.json().get("rows") if r.status_code == 200 else r.text))


threads = [threading.Thread(target=client) for _ in range(50)]
for t in threads:
    t.start()
for t in threads:
    t.join()
bad = [a for a in answers if a != (200, [[24000, 431988]])]
if len(answers) != 50 or bad:
    print(f"{len(answers)} answers; wrong: {bad[:3]}")
    sys.exit(1)
print(json.dumps({"answers": len(answers)}))
