#!/bin/sh
# archive_command of the primary: copy one finished WAL segment into the archive, never
# overwriting a segment already there (PostgreSQL retries until this exits 0).
#   archive_command = '/srv/baqylau/deploy/backup/archive-wal.sh %p %f'
# WAL_ARCHIVE (default /var/lib/baqylau/wal-archive) should be another machine's disk (NFS) or
# be synced off the machine; pgBackRest does both if you prefer a tool.
set -eu
src="$1"; name="$2"
archive="${WAL_ARCHIVE:-/var/lib/baqylau/wal-archive}"
[ -f "$archive/$name" ] && cmp -s "$src" "$archive/$name" && exit 0
[ -f "$archive/$name" ] && { echo "archive-wal: $name differs from the archived copy" >&2; exit 1; }
cp "$src" "$archive/.$name.tmp"
sync "$archive/.$name.tmp" 2>/dev/null || true
mv "$archive/.$name.tmp" "$archive/$name"
