#!/usr/bin/env bash
# Loads crm.sql, supply.sql and sales.sql into three SQLite files and into one PostgreSQL
# database (schemas crm, supply, sales), dumps every table from both in one canonical text
# form (ordered by key, decimals with two digits) and diffs the dumps; checks that SQLite
# stores what the declared types promise; then runs the 22 TPC-H queries against PostgreSQL
# and prints their row counts.
#
#   sql/tests/tpch/verify.sh [QUERY_DIR]
#
# QUERY_DIR defaults to /work/shared/bench/tpch (q01.sql … q22.sql). PostgreSQL is reached
# through the usual libpq variables (PGHOST, PGPORT, PGUSER); the database tpch_verify is
# dropped and re-created (C collation). Work files go to ${TMPDIR:-/tmp}/tpch-verify.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
queries=${1:-/work/shared/bench/tpch}
work=${TMPDIR:-/tmp}/tpch-verify
db=tpch_verify
rm -rf "$work" && mkdir -p "$work"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

psql_admin -c "DROP DATABASE IF EXISTS $db" \
  -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"

declare -A tables=(
  [crm]="region nation customer"
  [supply]="supplier part partsupp"
  [sales]="orders lineitem"
)
declare -A keys=(
  [region]="1" [nation]="1" [customer]="1" [supplier]="1" [part]="1"
  [partsupp]="1, 2" [orders]="1" [lineitem]="1, 4"
)

for mesh in crm supply sales; do
  sqlite3 -bail "$work/$mesh.db" < "$here/$mesh.sql"
  { echo "SET client_min_messages = warning; CREATE SCHEMA $mesh; SET search_path = $mesh;"
    cat "$here/$mesh.sql"; } | psql_db
done

status=0
for mesh in crm supply sales; do
  for t in ${tables[$mesh]}; do
    # Column list from SQLite's declared types: decimals printed with two digits.
    pg_cols=() lite_cols=() checks=()
    while IFS='|' read -r name type; do
      pg_cols+=("$name")
      case "$type" in
        DECIMAL*)
          lite_cols+=("printf('%.2f', $name)")
          checks+=("NOT (typeof($name) IN ('real', 'integer') AND $name = CAST(printf('%.2f', $name) AS REAL))") ;;
        DATE)
          lite_cols+=("$name")
          checks+=("NOT (typeof($name) = 'text' AND $name = date($name))") ;;
        INTEGER)
          lite_cols+=("$name")
          checks+=("typeof($name) <> 'integer'") ;;
        *)
          lite_cols+=("$name")
          checks+=("typeof($name) <> 'text'") ;;
      esac
    done < <(sqlite3 "$work/$mesh.db" "SELECT name, type FROM pragma_table_info('$t') ORDER BY cid")
    join() { local IFS=','; echo "$*"; }
    or_join() { local s="" c; for c in "$@"; do s+="${s:+ OR }$c"; done; echo "$s"; }
    sqlite3 -list -separator '|' -noheader "$work/$mesh.db" \
      "SELECT $(join "${lite_cols[@]}") FROM $t ORDER BY ${keys[$t]}" > "$work/$t.sqlite.txt"
    psql_db -A -t -F '|' -P null='' \
      -c "SELECT $(join "${pg_cols[@]}") FROM $mesh.$t ORDER BY ${keys[$t]}" > "$work/$t.pg.txt"
    bad=$(sqlite3 "$work/$mesh.db" "SELECT count(*) FROM $t WHERE $(or_join "${checks[@]}")")
    rows=$(wc -l < "$work/$t.pg.txt")
    if cmp -s "$work/$t.sqlite.txt" "$work/$t.pg.txt" && [ "$bad" = 0 ]; then
      printf '%-9s %5d rows  identical  (%s)\n' "$t" "$rows" "$(sha256sum < "$work/$t.pg.txt" | cut -c1-16)"
    else
      printf '%-9s %5d rows  DIFFERENT (SQLite rows with unexpected storage: %s)\n' "$t" "$rows" "$bad"
      diff "$work/$t.sqlite.txt" "$work/$t.pg.txt" | head -5 || true
      status=1
    fi
  done
done

echo
for q in "$queries"/q*.sql; do
  n=$(psql_db -A -t -c "\\i $q" | wc -l)
  first=$(psql_db -A -t -F '|' -c "\\i $q" | head -1 | cut -c1-100)
  printf '%s %4d rows  first: %s\n' "$(basename "$q" .sql)" "$n" "$first"
  [ "$n" -gt 0 ] || status=1
done
exit $status
