#!/usr/bin/env bash
# Stops the kube-apiserver started by start.sh, and its EKS auth webhook, if any.
set -euo pipefail
state=${GANNET_STATE:-${GANNET_CACHE:-$HOME/.cache/gannet}/state}/apiserver
stop_pid() { # pidfile name
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "apiserver: stopped $2 (pid $pid)"
  fi
  rm -f "$1"
}
stop_pid "$state/pid" kube-apiserver
stop_pid "$state/auth-webhook.pid" "EKS auth webhook"
rm -f "$state/flags"
