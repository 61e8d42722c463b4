#!/usr/bin/env bash
# Stops the data plane started by start.sh, if any.
set -euo pipefail
state=${GANNET_STATE:-${GANNET_CACHE:-$HOME/.cache/gannet}/state}/dataplane
[ -f "$state/pid" ] || exit 0
pid=$(cat "$state/pid")
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  echo "dataplane: stopped (pid $pid)"
fi
rm -f "$state/pid"
