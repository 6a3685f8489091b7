#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data volume: one login role and
# one database per service, owned by that role, with CONNECT revoked from PUBLIC, the same
# isolation `./govit up` provisions (tools/devstack, provisioning.py). No service can connect to
# another's database. Passwords come from <SERVICE>_DB_PASSWORD in the container's environment;
# to change one later, see docs/operations.md ("Rotate secrets").
set -eu

for service in intake review procurement acceptance notify; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then
    echo "init-databases: $variable is not set" >&2
    exit 1
  fi
  # format() with %I/%L quotes the name and the password; psql's :'var' passes them as literals.
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$service" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
              :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'role', :'role', 'UTF8') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'role') \gexec
SQL
done
