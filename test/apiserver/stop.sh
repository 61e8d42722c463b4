#!/usr/bin/env bash
# Stops the kube-apiserver started by start.sh, if any.
set -euo pipefail
state=${GANNET_STATE:-${GANNET_CACHE:-$HOME/.cache/gannet}/state}/apiserver
[ -f "$state/pid" ] || exit 0
pid=$(cat "$state/pid")
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  echo "apiserver: stopped pid $pid"
fi
rm -f "$state/pid"
