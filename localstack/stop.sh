#!/usr/bin/env bash
# Stop the LocalStack started by start.sh (its pid file); no-op when none runs.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

port_open() { (exec 3<>/dev/tcp/127.0.0.1/4566) 2>/dev/null; }

pid="$(cat "$LOCALSTACK_PID_FILE" 2>/dev/null || true)"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null ||
  ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'localstack.runtime.main'; then
  rm -f "$LOCALSTACK_PID_FILE"
  if port_open; then
    say "not started by start.sh (no live pid file), but 127.0.0.1:4566 is in use; left alone"
  else
    say "not running"
  fi
  exit 0
fi

say "stopping pid $pid"
# start.sh ran it under setsid, so pid is also its process group.
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null && ! port_open; then break; fi
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  say "still running after 30s; sending SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  sleep 1
fi
for _ in $(seq 1 20); do
  port_open || break
  sleep 0.5
done
port_open && fail "127.0.0.1:4566 is still open"
rm -f "$LOCALSTACK_PID_FILE" "$GANNET_STATE/localstack.plugin"
fs_root="$(cat "$LOCALSTACK_FS_FILE" 2>/dev/null || true)"
[[ -n "$fs_root" && "$fs_root" == */gannet-localstack-fs.* ]] && rm -rf "$fs_root"
rm -f "$LOCALSTACK_FS_FILE"
say "stopped"
