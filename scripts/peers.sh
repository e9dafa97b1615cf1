#!/usr/bin/env bash
# Starts and stops the real peers the tests use, on loopback ports: PostgreSQL, moto (the AWS API emulator) and an
# SMTP server (aiosmtpd).
#   scripts/peers.sh install   installs what is missing (Debian packages: postgresql, chromium; npm: @aws-cdk/cfnspec, oidc-provider)
#   scripts/peers.sh start     starts both and writes their addresses to .peers/env (sourced by scripts/test.sh)
#   scripts/peers.sh stop      stops what start started
# The tests read OBSERVE_TEST_POSTGRES, OBSERVE_TEST_MOTO_URL and OBSERVE_TEST_CHROMIUM from the environment.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.peers"

# A free loopback port, so several clones (and a developer's own servers) can run tests side by side.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

log() { printf '[peers] %s\n' "$*" >&2; }

# stop_peer <name>: ends the process in $state/<name>.pid and removes the directory named in $state/<name>_dir, if any.
stop_peer() {
  if [ -f "$state/$1.pid" ]; then
    kill "$(cat "$state/$1.pid")" 2>/dev/null || true
    rm -f "$state/$1.pid"
  fi
  if [ -f "$state/$1_dir" ]; then
    rm -rf "$(cat "$state/$1_dir")" "$state/$1_dir"
  fi
}

# wait_for_url <name> <url> <log>: up to 20 s for the peer to answer at url; otherwise says so with its log and stops.
wait_for_url() {
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "$2" && return 0
    sleep 0.2
  done
  log "$1 did not start: $(tail -5 "$3")"
  exit 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return
  return 1
}

install() {
  local missing=()
  pg_bin >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v moto_server >/dev/null || { log "moto_server is not on PATH (pip install 'moto[server]')"; exit 1; }
  install_smtp
  install_cfnspec
  install_oidc
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_postgres() {
  local bin dir pg_port
  pg_port=${OBSERVE_PG_PORT:-$(free_port)}
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/observe-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  run_pg "$bin/initdb" -D "$dir/data" -U observe --auth=trust -E UTF8 >/dev/null
  run_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $pg_port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  echo "$dir" >"$state/pg_dir"
  echo "OBSERVE_TEST_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=observe;Database=postgres'" >>"$state/env"
  log "PostgreSQL on 127.0.0.1:$pg_port ($dir)"
}

start_moto() {
  local moto_port
  moto_port=${OBSERVE_MOTO_PORT:-$(free_port)}
  moto_server -H 127.0.0.1 -p "$moto_port" >"$state/moto.log" 2>&1 &
  echo $! >"$state/moto.pid"
  wait_for_url moto "http://127.0.0.1:$moto_port/moto-api/" "$state/moto.log"
  echo "OBSERVE_TEST_MOTO_URL='http://127.0.0.1:$moto_port'" >>"$state/env"
  log "moto on 127.0.0.1:$moto_port"
}

# ==== SMTP (alerting e-mail tests) ====
# Debian's aiosmtpd, run by the system python3 (the Python package registry is not reachable here). It keeps every
# message it receives in a Maildir whose new/ directory the tests read back; OBSERVE_TEST_SMTP_{HOST,PORT,MAILDIR}.
install_smtp() {
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && return
  log "installing python3-aiosmtpd"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null
}

start_smtp() {
  local smtp_port dir
  smtp_port=${OBSERVE_SMTP_PORT:-$(free_port)}
  dir=$(mktemp -d /tmp/observe-smtp.XXXXXX)
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$dir/maildir" >"$state/smtp.log" 2>&1 &
  echo $! >"$state/smtp.pid"
  echo "$dir" >"$state/smtp_dir"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null || { log "aiosmtpd did not start: $(tail -5 "$state/smtp.log")"; exit 1; }
  {
    echo "OBSERVE_TEST_SMTP_HOST='127.0.0.1'"
    echo "OBSERVE_TEST_SMTP_PORT='$smtp_port'"
    echo "OBSERVE_TEST_SMTP_MAILDIR='$dir/maildir'"
  } >>"$state/env"
  log "aiosmtpd on 127.0.0.1:$smtp_port (messages in $dir/maildir/new)"
}

# ==== end SMTP ====

# ==== CloudFormation resource specification (deploy tests) ====
# The npm package @aws-cdk/cfnspec, cached under the clone in .peers/npm (installed only when missing); the deploy tests
# read its spec/specification.json. 2.72.1 is its last release (CloudFormation specification 117.0.0).
cfnspec_version=2.72.1
install_cfnspec() {
  local dir="$state/npm"
  local installed
  installed=$(node -p "require('$dir/node_modules/@aws-cdk/cfnspec/package.json').version" 2>/dev/null || true)
  [ "$installed" = "$cfnspec_version" ] && return
  command -v npm >/dev/null || { log "npm is not on PATH (apt-get install npm)"; exit 1; }
  log "installing @aws-cdk/cfnspec@$cfnspec_version into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "@aws-cdk/cfnspec@$cfnspec_version" >/dev/null
}
# ==== end CloudFormation resource specification ====

# ==== OpenID Connect provider (sign-in tests) ====
# The npm package oidc-provider, cached under the clone in .peers/npm/oidc (its own prefix, so installing another npm
# peer never prunes it; installed only when missing), run by scripts/oidc-peer.mjs on a free loopback port.
# OBSERVE_TEST_OIDC_URL is its issuer; OBSERVE_TEST_OIDC_KEYS the file with its signing keys (private parts included).
oidc_version=9.13.3
install_oidc() {
  local dir="$state/npm/oidc"
  local installed
  installed=$(node -p "require('$dir/node_modules/oidc-provider/package.json').version" 2>/dev/null || true)
  [ "$installed" = "$oidc_version" ] && return
  command -v npm >/dev/null || { log "npm is not on PATH (apt-get install npm)"; exit 1; }
  log "installing oidc-provider@$oidc_version into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "oidc-provider@$oidc_version" >/dev/null
}

start_oidc() {
  local oidc_port dir
  oidc_port=${OBSERVE_OIDC_PORT:-$(free_port)}
  dir=$(mktemp -d /tmp/observe-oidc.XXXXXX)
  node "$root/scripts/oidc-peer.mjs" "$oidc_port" "$dir" "$state/npm/oidc/node_modules" >"$state/oidc.log" 2>&1 &
  echo $! >"$state/oidc.pid"
  echo "$dir" >"$state/oidc_dir"
  wait_for_url oidc-provider "http://127.0.0.1:$oidc_port/.well-known/openid-configuration" "$state/oidc.log"
  {
    echo "OBSERVE_TEST_OIDC_URL='http://127.0.0.1:$oidc_port'"
    echo "OBSERVE_TEST_OIDC_KEYS='$dir/oidc-keys.json'"
  } >>"$state/env"
  log "oidc-provider on 127.0.0.1:$oidc_port"
}

# ==== end OpenID Connect provider ====

start() {
  stop 2>/dev/null || true
  mkdir -p "$state"
  : >"$state/env"
  start_postgres
  start_moto
  start_smtp
  start_oidc
  echo "OBSERVE_TEST_CHROMIUM='/usr/bin/chromium'" >>"$state/env"
}

stop() {
  stop_peer smtp
  stop_peer oidc
  stop_peer moto
  if [ -f "$state/pg_dir" ]; then
    local dir
    dir=$(cat "$state/pg_dir")
    run_pg "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$state/pg_dir"
  fi
  rm -f "$state/env"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
