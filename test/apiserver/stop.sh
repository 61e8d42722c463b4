#!/usr/bin/env bash
# Stops the kube-apiserver started by start.sh, its EKS auth webhook, and the controller-manager, the
# scheduler and the testbed nodes cluster.sh started, if any.
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
# The nodes first: they stop their Pods' processes on SIGTERM.
stop_pid "$state/node.pid" "testbed nodes"
stop_pid "$state/controller-manager.pid" kube-controller-manager
stop_pid "$state/scheduler.pid" kube-scheduler
stop_pid "$state/pid" kube-apiserver
stop_pid "$state/auth-webhook.pid" "EKS auth webhook"
rm -f "$state/flags" "$state/node.flags" "$state/controller-manager.flags" "$state/scheduler.flags"
