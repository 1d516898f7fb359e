#!/bin/sh
# Create the meshql catalog DIR/meshql.db for the federated TPC-H benchmark from catalog.sql.
# usage: setup-catalog.sh DIR PG_DSN [MESHQL_BIN]
#   DIR         folder given to tpch_setup.py --dir (holds crm.db, supply.db)
#   PG_DSN      libpq DSN of the 'sales' database, e.g. 'host=127.0.0.1 port=55432 user=postgres dbname=sales'
#   MESHQL_BIN  meshql executable (default: .build/release/meshql)
# An existing DIR/meshql.db is replaced.
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DIR PG_DSN [MESHQL_BIN]" >&2; exit 2
fi
dir=$1; dsn=$2; bin=${3:-.build/release/meshql}
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
[ -f "$dir/crm.db" ] && [ -f "$dir/supply.db" ] || { echo "$0: no crm.db/supply.db in $dir (run tpch_setup.py first)" >&2; exit 1; }
dir=$(CDPATH= cd -- "$dir" && pwd)

# Values go into '…' SQL literals ('' escapes a quote) and then through sed (escape \ | &).
esc() { printf '%s' "$1" | sed -e "s/'/''/g" -e 's/[\\|&]/\\&/g'; }
tmp=$(mktemp "${TMPDIR:-/tmp}/meshql-tpch-catalog.XXXXXX")
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
sed -e "s|{{PG_DSN}}|$(esc "$dsn")|g" -e "s|{{DIR}}|$(esc "$dir")|g" "$here/catalog.sql" > "$tmp"

rm -f "$dir/meshql.db" "$dir/meshql.db-wal" "$dir/meshql.db-shm"
"$bin" query --create --catalog "$dir/meshql.db" -f "$tmp"
