#!/usr/bin/env bash
# Start/stop a throw-away Redis for IPRWatch tests, bound to 127.0.0.1.
#
#   scripts/services/redis.sh start|stop|restart|status
#
# Installs redis-server from Debian when missing. Runs with its own pid/log/dir
# (no persistence) instead of the system service, so it works without systemd.
#
# Environment (optional):
#   REDIS_PORT  port on 127.0.0.1   (default 6379)
#   REDIS_HOME  pid/log directory   (default ${RUNNER_TEMP:-/tmp}/iprwatch-redis)
set -euo pipefail

SERVICES_LOG_PREFIX=redis
# shellcheck source-path=SCRIPTDIR source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

PORT=${REDIS_PORT:-6379}
R_HOME=${REDIS_HOME:-$SERVICES_TMP/iprwatch-redis}
PID_FILE=$R_HOME/redis.pid
LOG_FILE=$R_HOME/redis.log

ping_ok() {
  [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]
}

start() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$R_HOME"
  if ping_ok; then
    log "already answering on 127.0.0.1:$PORT"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is in use by something that is not Redis"
  : >"$LOG_FILE"
  log "starting redis-server on 127.0.0.1:$PORT"
  redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes \
    --daemonize yes --pidfile "$PID_FILE" --logfile "$LOG_FILE" --dir "$R_HOME" \
    --save '' --appendonly no
  for _ in $(seq 1 100); do
    ping_ok && { log "ready (pid $(cat "$PID_FILE" 2>/dev/null || echo ?))"; return 0; }
    sleep 0.1
  done
  print_log_tail "$LOG_FILE" 40
  die "redis did not answer PING within 10s"
}

stop() {
  if ! ping_ok && ! pid_alive "$PID_FILE" redis-server; then
    log "not running"
    return 0
  fi
  log "stopping"
  redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do
    pid_alive "$PID_FILE" redis-server || break
    sleep 0.1
  done
  if pid_alive "$PID_FILE" redis-server; then
    kill -TERM "$(cat "$PID_FILE")" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  if ping_ok; then
    log "running on 127.0.0.1:$PORT ($(redis-cli -h 127.0.0.1 -p "$PORT" info server | tr -d '\r' | sed -n 's/^redis_version:/redis /p'))"
  else
    log "not running"
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
