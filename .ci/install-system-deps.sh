#!/usr/bin/env bash
# Install the Debian packages IPRWatch's CI, services and later report/browser
# tests need. Idempotent: packages already present are skipped, so on a warm
# machine this costs well under a second. Retries transient apt failures.
#
# Usage: .ci/install-system-deps.sh [extra-package ...]
set -euo pipefail

PACKAGES=(
  # services (scripts/services/*.sh)
  redis-server postgresql curl ca-certificates
  # test OpenSearch node (tests/opensearch/pom.xml)
  openjdk-17-jre-headless maven
  # build / lint
  make python3-venv python3-dev
  # report rendering (WeasyPrint) + CJK fonts + PDF -> PNG for checks
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
  # browser tests
  chromium
  # API load generator (benchmarks/bench_api.py: closed-loop, keep-alive, 50 connections)
  wrk
)
PACKAGES+=("$@")

log() { printf '[system-deps] %s\n' "$*"; }

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#PACKAGES[@]} Debian packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
log "installing: ${missing[*]}"

attempt=1
max_attempts=4
while :; do
  if $SUDO apt-get update -qq \
     && $SUDO apt-get install -y -qq --no-install-recommends \
          -o Dpkg::Use-Pty=0 -o APT::Acquire::Retries=3 "${missing[@]}"; then
    break
  fi
  if [ "$attempt" -ge "$max_attempts" ]; then
    log "apt-get failed after $attempt attempts" >&2
    exit 1
  fi
  delay=$((attempt * 15))
  log "apt-get failed (attempt $attempt/$max_attempts); retrying in ${delay}s" >&2
  sleep "$delay"
  $SUDO dpkg --configure -a || true
  attempt=$((attempt + 1))
done
log "done"
