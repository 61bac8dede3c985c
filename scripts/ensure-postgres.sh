#!/usr/bin/env bash
# Make sure a PostgreSQL server runs on 127.0.0.1:5432 with a role and database for the
# tests (braze_test/braze_test), installing Debian's postgresql package if it is absent.
# Prints the URL to use. Needs root (or sudo) only when it has to install or start it.
set -euo pipefail

URL="postgresql://braze_test:braze_test@127.0.0.1:5432/braze_test"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "ensure-postgres: need root to run: $*" >&2; exit 1; fi
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-postgres: installing Debian's postgresql package" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-postgres: starting PostgreSQL $version" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# A password role works with Debian's default host authentication (scram) and with trust.
as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'braze_test') THEN
    CREATE ROLE braze_test LOGIN PASSWORD 'braze_test';
  END IF;
END $$;
SQL
if ! as_postgres psql -tA -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'braze_test'" | grep -q 1; then
  as_postgres createdb -O braze_test braze_test
fi
echo "$URL"
