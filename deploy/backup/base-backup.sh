#!/bin/sh
# A base backup of the primary (nightly, from a systemd timer or cron), kept with the WAL
# archive: together they restore the database to any moment since the oldest kept backup.
#   PGHOST=primary PGUSER=replicator deploy/backup/base-backup.sh [BACKUP_DIR]
set -eu
backups="${1:-${BACKUP_DIR:-/var/lib/baqylau/base-backups}}"
keep="${BACKUPS_KEEP:-7}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$backups"
pg_basebackup -D "$backups/$stamp.partial" -F tar -z -X fetch --checkpoint=fast --label "baqylau-$stamp"
mv "$backups/$stamp.partial" "$backups/$stamp"
# Keep the newest $keep backups.
ls -1d "$backups"/2* 2>/dev/null | sort | head -n -"$keep" | xargs -r rm -rf
echo "base backup: $backups/$stamp"
