#!/usr/bin/env bash
# Starts (or reuses) the emulated ALB data plane in the background: every ALB of the AWS endpoint
# (LocalStack) served on loopback, 127.2.0.0/16 (see test/dataplane/README.md). Prints, on success:
#   dataplane: admin http://127.0.0.1:<port>
# Environment: AWS_ENDPOINT_URL (default http://127.0.0.1:4566), GANNET_DATAPLANE_ADMIN_PORT (default
# 4580), GANNET_DATAPLANE_TIME_SCALE, GANNET_DATAPLANE_POLL_MS, GANNET_DATAPLANE_COLD_POLL_MS,
# GANNET_DATAPLANE_HOT_WINDOW_MS, GANNET_DATAPLANE_COLD_CALLS_PER_S, GANNET_DATAPLANE_ALB_PREFIX,
# GANNET_CACHE / GANNET_STATE (where its log, pid and generated certificates live).
# A running data plane is reused only when it was started with the same settings and the same sources;
# otherwise it is stopped and started again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
state=${GANNET_STATE:-${GANNET_CACHE:-$HOME/.cache/gannet}/state}/dataplane
port=${GANNET_DATAPLANE_ADMIN_PORT:-4580}
endpoint=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}
node_bin="$root/node_modules/.bin/node"
admin="http://127.0.0.1:$port"
sources=$(cat $(ls "$here"/*.ts | grep -v '\.test\.ts$') | sha256sum | cut -c1-12)
key="endpoint=$endpoint scale=${GANNET_DATAPLANE_TIME_SCALE:-1} poll=${GANNET_DATAPLANE_POLL_MS:-1000}/${GANNET_DATAPLANE_COLD_POLL_MS:-5000}/${GANNET_DATAPLANE_HOT_WINDOW_MS:-30000}/${GANNET_DATAPLANE_COLD_CALLS_PER_S:-10} prefix=${GANNET_DATAPLANE_ALB_PREFIX:-} sources=$sources"

say() { echo "dataplane: $*"; }
health() { curl -sf --max-time 2 "$admin/healthz" >/dev/null 2>&1; }
running_key() { curl -sf --max-time 3 "$admin/status" 2>/dev/null | grep -o '"key": "[^"]*"' | head -n1 | cut -d'"' -f4; }

mkdir -p "$state"
if health; then
  if [ "$(running_key)" = "$key" ]; then
    say "reusing the data plane already running (log: $state/dataplane.log)"
    echo "dataplane: admin $admin"
    exit 0
  fi
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    say "the running data plane has other settings or sources: restarting it"
    "$here/stop.sh"
  else
    say "port $port answers but is not a data plane this script started: stop it, or set GANNET_DATAPLANE_ADMIN_PORT"
    exit 1
  fi
fi
[ -x "$node_bin" ] || { say "$node_bin is missing: run npm install in $root first"; exit 1; }

GANNET_DATAPLANE_SETTINGS_KEY="$key" GANNET_DATAPLANE_ADMIN_PORT="$port" AWS_ENDPOINT_URL="$endpoint" \
  setsid nohup "$node_bin" "$here/main.ts" > "$state/dataplane.log" 2>&1 < /dev/null &
echo $! > "$state/pid"
for _ in $(seq 1 100); do
  if health; then
    say "started (pid $(cat "$state/pid"), log: $state/dataplane.log)"
    echo "dataplane: admin $admin"
    exit 0
  fi
  kill -0 "$(cat "$state/pid")" 2>/dev/null || break
  sleep 0.2
done
say "the data plane did not start; last lines of $state/dataplane.log:"
tail -n 20 "$state/dataplane.log" >&2 || true
exit 1
