#!/bin/sh
# The federated TPC-H benchmark in one command: meshql (release build) beside DuckDB federated,
# per query, with every answer checked, and the geometric mean of the time ratios.
#
# usage: sql/bench/tpch/run.sh [SF] [RUNS] [QUERIES]     (from the project root)
#   SF       scale factor: 0.1 (default) or 1
#   RUNS     runs per query; the table shows medians (default 1)
#   QUERIES  e.g. q03,q09 (default: all 22)
# Environment:
#   BENCH_DIR  the shared benchmark (peers.py, pg.sh, tpch_setup.py); default ../shared/bench
#   VENV       Python with duckdb and psycopg (see README.md step 1); default /tmp/benchvenv
#
# It starts the PostgreSQL cluster of that scale factor (SF 0.1: /tmp/meshbench-pg on port
# 55432; SF 1: /tmp/meshbench-pg-sf1 on 55433), generates the data once (/tmp/tpch-sf01 or
# /tmp/tpch-sf1), builds meshql, makes the catalog, runs, and prints the table. The cluster is
# left running; `sh ../shared/bench/pg.sh stop DIR` stops it.
set -eu
sf=${1:-0.1}
runs=${2:-1}
only=${3:-}
bench=${BENCH_DIR:-../shared/bench}
venv=${VENV:-/tmp/benchvenv}
case "$sf" in
  0.1) data=/tmp/tpch-sf01; cluster=/tmp/meshbench-pg; port=55432 ;;
  1)   data=/tmp/tpch-sf1;  cluster=/tmp/meshbench-pg-sf1; port=55433 ;;
  *)   echo "$0: scale factor must be 0.1 or 1" >&2; exit 2 ;;
esac
[ -f "$bench/peers.py" ] || { echo "$0: no peers.py in $bench (set BENCH_DIR)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || { echo "$0: no Python at $venv (see sql/bench/tpch/README.md, step 1)" >&2; exit 1; }
pg="host=127.0.0.1 port=$port user=postgres"

bash "$bench/pg.sh" start "$cluster" "$port"
if [ ! -f "$data/expected/q01.json" ]; then
  echo "generating TPC-H data at SF $sf in $data (SF 1 takes about a minute)"
  "$venv/bin/python" "$bench/tpch_setup.py" --sf "$sf" --dir "$data" --pg "$pg"
  psql "$pg dbname=tpch" -q -f "$bench/colocate_views.sql"
fi
swift build -c release --product meshql
sh sql/bench/tpch/setup-catalog.sh "$data" "$pg dbname=sales" > /dev/null

root=$(pwd)
set -- --dir "$data" --pg "$pg" -n "$runs" --engines duck_fed,meshql --queries "$root/sql/bench/tpch" \
  --meshql "timeout 600 $root/.build/release/meshql query --catalog $data/meshql.db --format csv -f {file}"
[ -n "$only" ] && set -- "$@" --only "$only"
echo "SF $sf, $(nproc) cores, $(date -u +%Y-%m-%d), $runs run(s) per query"
timeout 3600 "$venv/bin/python" "$bench/peers.py" "$@"
