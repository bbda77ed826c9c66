#!/usr/bin/env bash
# Start/stop the Debian PostgreSQL cluster for IPRWatch tests (127.0.0.1:5432).
#
#   scripts/services/postgres.sh start|stop|restart|status
#
# Installs `postgresql` from Debian when missing, starts cluster "main" of the
# newest installed major version with pg_ctlcluster (works without systemd),
# and idempotently creates role iprwatch/iprwatch (LOGIN CREATEDB) owning the
# databases `iprwatch` and `iprwatch_test`.
#
# Environment (optional):
#   POSTGRES_CLUSTER   cluster name              (default main)
#   POSTGRES_VERSION   major version             (default: newest installed)
#   IPRWATCH_DB_USER / IPRWATCH_DB_PASSWORD      (default iprwatch / iprwatch)
set -euo pipefail

SERVICES_LOG_PREFIX=postgres
# shellcheck source-path=SCRIPTDIR source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

CLUSTER=${POSTGRES_CLUSTER:-main}
DB_USER=${IPRWATCH_DB_USER:-iprwatch}
DB_PASSWORD=${IPRWATCH_DB_PASSWORD:-iprwatch}
DATABASES=(iprwatch iprwatch_test)

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres "$@"
  fi
}

detect_version() {
  if [ -n "${POSTGRES_VERSION:-}" ]; then
    echo "$POSTGRES_VERSION"
    return
  fi
  find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null \
    | sort -n | tail -n1
}

cluster_field() { # cluster_field COLUMN  (2=cluster 3=port 4=status 6=datadir 7=log)
  pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" -v f="$1" '$1==v && $2==c {print $f}'
}

prepare() { # prepare [install]
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    [ "${1:-}" = install ] || { log "PostgreSQL is not installed"; exit 0; }
    apt_install postgresql
  fi
  VERSION=$(detect_version)
  [ -n "$VERSION" ] || die "no PostgreSQL server found under /usr/lib/postgresql"
  if [ -z "$(cluster_field 2)" ]; then
    log "creating cluster $VERSION/$CLUSTER"
    as_root pg_createcluster "$VERSION" "$CLUSTER" >/dev/null
  fi
  PORT=$(cluster_field 3)
  LOG_FILE=$(cluster_field 7)
}

ready() {
  pg_isready -q -h 127.0.0.1 -p "$PORT" 2>/dev/null
}

psql_admin() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"
}

provision() {
  # Role: create or (re)set its password; -v variables are quoted by psql itself.
  psql_admin -v u="$DB_USER" -v p="$DB_PASSWORD" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p') \gexec
SQL
  local db
  for db in "${DATABASES[@]}"; do
    psql_admin -v u="$DB_USER" -v d="$db" <<'SQL' >/dev/null
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'d', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'d') \gexec
SQL
  done
  # Prove the TCP + password path the application uses.
  if ! PGPASSWORD=$DB_PASSWORD psql -X -q -At -h 127.0.0.1 -p "$PORT" -U "$DB_USER" \
      -d "${DATABASES[1]}" -c 'select 1' >/dev/null; then
    die "cannot log in as $DB_USER over TCP (check pg_hba.conf of $VERSION/$CLUSTER)"
  fi
}

start() {
  prepare install
  if ! ready; then
    port_open "$PORT" && die "port $PORT is in use by something that is not this cluster"
    log "starting cluster $VERSION/$CLUSTER on port $PORT"
    # synchronous_commit=off: faster commits for tests, no risk of corruption.
    as_root pg_ctlcluster "$VERSION" "$CLUSTER" start \
      -- -o "-c listen_addresses=localhost -c synchronous_commit=off" \
      || { print_log_tail "$LOG_FILE" 40; die "pg_ctlcluster start failed"; }
    for _ in $(seq 1 100); do
      ready && break
      sleep 0.2
    done
    ready || { print_log_tail "$LOG_FILE" 40; die "PostgreSQL not ready within 20s"; }
  else
    log "already running on port $PORT"
  fi
  provision
  log "ready: postgresql://$DB_USER:***@127.0.0.1:$PORT/{${DATABASES[*]}} (PostgreSQL $VERSION)"
}

stop() {
  prepare
  if [ "$(cluster_field 4)" != online ]; then
    log "not running"
    return 0
  fi
  log "stopping cluster $VERSION/$CLUSTER"
  as_root pg_ctlcluster "$VERSION" "$CLUSTER" stop -m fast
  log "stopped"
}

status() {
  prepare
  if ready; then
    log "running: cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
  else
    log "not running (cluster $VERSION/$CLUSTER, port $PORT)"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
