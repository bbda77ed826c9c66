# Shared helpers for scripts/services/*.sh (sourced, not executed).
# shellcheck shell=bash

SERVICES_LOG_PREFIX=${SERVICES_LOG_PREFIX:-services}

log() { printf '[%s] %s\n' "$SERVICES_LOG_PREFIX" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$SERVICES_LOG_PREFIX" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$SERVICES_LOG_PREFIX" "$*" >&2; exit 1; }

# shellcheck disable=SC2034  # used by the sourcing scripts
# Repository root (scripts/services/ -> ../..).
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# shellcheck disable=SC2034
# Base directory for pid/log/data files of the throw-away test services.
SERVICES_TMP=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

# Run a command as root (directly, or via sudo when not root).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG... : install Debian packages that are missing (with retries).
apt_install() {
  local missing=() p attempt
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  for attempt in 1 2 3; do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"; then
      return 0
    fi
    warn "apt-get failed (attempt $attempt/3)"
    sleep $((attempt * 10))
  done
  die "could not install: ${missing[*]}"
}

# port_open PORT : true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PIDFILE [MARKER] : true when the pid file names a live process
# (whose command line contains MARKER, if given -- guards against pid reuse
# after a reboot or a new session on the same machine).
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -n "${2:-}" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  fi
}

# print_log_tail FILE [N] : show the last N (default 40) lines of a log on stderr.
print_log_tail() {
  local file=$1 n=${2:-40}
  if [ -r "$file" ]; then
    printf '%s\n' "----- last $n lines of $file -----" >&2
    tail -n "$n" "$file" >&2
    printf '%s\n' "----- end of $file -----" >&2
  else
    printf 'no log file at %s\n' "$file" >&2
  fi
}
