#!/usr/bin/env bash
# Start (or reuse) a private, throwaway MariaDB server on loopback for the TPC-H benchmark
# (catalog-mariadb.sql). Counterpart of bench/pg.sh; not for production use.
# usage: mariadb.sh start DIR PORT    data in DIR/data, socket DIR/sock, pid DIR/mariadbd.pid,
#                                     log DIR/error.log; listens on 127.0.0.1:PORT only
#        mariadb.sh stop DIR
# start is idempotent (a server already running from DIR is reused) and ensures the user
# meshql@'%' / meshql@'localhost' with no password and all privileges exists.
# Connect e.g. with: mariadb --no-defaults -h 127.0.0.1 -P PORT -u meshql
# Environment: MARIADB_TIMEOUT seconds to wait for start/stop (default 60).
set -euo pipefail
cmd=${1:-}; dir=${2:-}; port=${3:-}
timeout=${MARIADB_TIMEOUT:-60}
usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
[ -n "$dir" ] || usage

pidfile=$dir/mariadbd.pid
sock=$dir/sock
# --no-defaults everywhere: ignore /etc/mysql/*.cnf (system socket, datadir, ...).
client() { mariadb --no-defaults --socket="$sock" -uroot "$@"; }
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
alive() { mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }

case $cmd in
  start)
    [ -n "$port" ] || usage
    mkdir -p "$dir"
    dir=$(cd -- "$dir" && pwd); pidfile=$dir/mariadbd.pid; sock=$dir/sock
    if ! running; then
      if [ ! -d "$dir/data/mysql" ]; then
        # root@localhost gets an empty password (normal auth), no 'test' database.
        mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
          --auth-root-authentication-method=normal --skip-test-db \
          >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
      fi
      rm -f "$pidfile"
      userarg=(); [ "$(id -u)" = 0 ] && userarg=(--user=root)
      # Detached (setsid) so it outlives the calling shell. Settings mirror pg.sh:
      # a big buffer pool and no durability (throwaway data).
      setsid nohup mariadbd --no-defaults "${userarg[@]}" \
        --datadir="$dir/data" --socket="$sock" --port="$port" --bind-address=127.0.0.1 \
        --pid-file="$pidfile" --log-error="$dir/error.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --skip-name-resolve --local-infile=1 --max-connections=300 \
        --innodb-buffer-pool-size=1G --innodb-log-file-size=256M \
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0 \
        </dev/null >>"$dir/mariadbd.out" 2>&1 &
      spid=$!
      waited=0
      until alive; do
        if ! kill -0 "$spid" 2>/dev/null; then
          echo "$0: mariadbd exited; see $dir/error.log" >&2; tail -n 20 "$dir/error.log" >&2 || true; exit 1
        fi
        if [ "$waited" -ge "$timeout" ]; then
          echo "$0: mariadbd not accepting connections after ${timeout}s; see $dir/error.log" >&2; exit 1
        fi
        sleep 1; waited=$((waited + 1))
      done
    else
      waited=0
      until alive; do
        [ "$waited" -lt "$timeout" ] || { echo "$0: mariadbd (pid $(cat "$pidfile")) not answering" >&2; exit 1; }
        sleep 1; waited=$((waited + 1))
      done
    fi
    client -e "
      CREATE USER IF NOT EXISTS 'meshql'@'%';
      CREATE USER IF NOT EXISTS 'meshql'@'localhost';
      GRANT ALL PRIVILEGES ON *.* TO 'meshql'@'%' WITH GRANT OPTION;
      GRANT ALL PRIVILEGES ON *.* TO 'meshql'@'localhost' WITH GRANT OPTION;"
    echo "mariadb: 127.0.0.1:$port accepting connections (pid $(cat "$pidfile"), user meshql)" ;;
  stop)
    if ! running; then echo "mariadb: not running ($dir)"; exit 0; fi
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge "$timeout" ]; then
        echo "$0: mariadbd (pid $pid) still running after ${timeout}s" >&2; exit 1
      fi
      sleep 1; waited=$((waited + 1))
    done
    echo "mariadb: stopped ($dir)" ;;
  *) usage ;;
esac
