#!/bin/sh
# Restore drill: the newest base backup plus the WAL archive, restored into a scratch cluster on
# a free local port, recovered to the end of the archive, then `manage.py verify_audit` there.
# Exits non-zero (with one line saying why) if anything fails. Run it monthly, and after every
# change to the backups.
#   deploy/backup/restore-drill.sh [BACKUP_DIR]
# Variables: WAL_ARCHIVE (default /var/lib/baqylau/wal-archive), DRILL_PORT (default 55432),
# APP_DIR (default: this checkout), PG_BIN (default: the newest /usr/lib/postgresql/*/bin).
set -eu
backups="${1:-${BACKUP_DIR:-/var/lib/baqylau/base-backups}}"
archive="${WAL_ARCHIVE:-/var/lib/baqylau/wal-archive}"
port="${DRILL_PORT:-55432}"
app="${APP_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
as_postgres=""
[ "$(id -u)" -eq 0 ] && as_postgres="runuser -u postgres --"

latest="$(ls -1d "$backups"/2* 2>/dev/null | grep -v '\.partial$' | sort | tail -n 1 || true)"
[ -n "$latest" ] || { echo "restore-drill: no base backup in $backups" >&2; exit 1; }
scratch="$(mktemp -d /tmp/baqylau-drill.XXXXXX)"
chmod 755 "$scratch"
cleanup() {
    $as_postgres "$pg_bin/pg_ctl" -D "$scratch/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

mkdir -p "$scratch/data" "$scratch/run"
tar -xzf "$latest/base.tar.gz" -C "$scratch/data"
[ -f "$latest/pg_wal.tar.gz" ] && tar -xzf "$latest/pg_wal.tar.gz" -C "$scratch/data/pg_wal"
cat >> "$scratch/data/postgresql.auto.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$scratch/run'
archive_mode = off
hot_standby = on
restore_command = 'cp $archive/%f %p'
recovery_target_action = 'promote'
CONF
touch "$scratch/data/recovery.signal"
[ -n "$as_postgres" ] && chown -R postgres:postgres "$scratch"
chmod 700 "$scratch/data"
$as_postgres "$pg_bin/pg_ctl" -D "$scratch/data" -l "$scratch/postgres.log" -w -t 300 start >/dev/null \
    || { echo "restore-drill: the restored cluster did not start (see $scratch/postgres.log)" >&2; tail -n 20 "$scratch/postgres.log" >&2; exit 1; }
for _ in $(seq 1 300); do
    state="$("$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d baqylau -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null || true)"
    [ "$state" = "f" ] && break
    sleep 1
done
[ "$state" = "f" ] || { echo "restore-drill: recovery did not finish within 300 s" >&2; exit 1; }
cases="$("$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d baqylau -Atc 'SELECT count(*) FROM casework_case')"
cd "$app"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/baqylau" DATABASE_REPLICA_URL= DATABASE_DIRECT_URL= \
    DB_PGBOUNCER= REDIS_URL= "$app/.venv/bin/python" manage.py verify_audit \
    || { echo "restore-drill: verify_audit failed on the restored copy of $latest" >&2; exit 1; }
echo "restore-drill: $latest restored with the WAL archive ($cases cases), audit chain intact"
