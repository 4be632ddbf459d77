#!/bin/sh
# docker-compose.yml: the two roles' passwords, from the environment (deploy/.env).
set -eu
psql -v ON_ERROR_STOP=1 -d baqylau \
    -c "ALTER ROLE baqylau_app PASSWORD '${APP_DB_PASSWORD:-app-secret}'" \
    -c "ALTER ROLE baqylau_owner PASSWORD '${OWNER_DB_PASSWORD:-owner-secret}'"
