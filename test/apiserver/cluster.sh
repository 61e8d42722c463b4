#!/usr/bin/env bash
# Starts (or reuses) what makes the testbed's API server a cluster that runs workloads: the upstream
# kube-controller-manager and kube-scheduler (from the same multi-call binary as the API server) and
# the testbed's nodes (test/node: a small kubelet of the project's own, in TypeScript). Called by
# start.sh once the API server is ready; stopped by stop.sh. Everything listens on loopback only.
#
# Environment from start.sh: GANNET_CLUSTER_STATE (the API server's state dir), GANNET_CLUSTER_BIN,
# GANNET_CLUSTER_URL, GANNET_CLUSTER_PORT (the API server's port). Settings:
# GANNET_CONTROLLER_MANAGER_PORT (default the API server's port + 3814: 10257),
# GANNET_SCHEDULER_PORT (default port + 3816: 10259), GANNET_NODE_PORT (the nodes' health port,
# default port + 3807: 10250), GANNET_NODES (how many nodes, default 1).
# A component is reused only when it runs with the same flags against the same API server process.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
state=${GANNET_CLUSTER_STATE:?}
bin=${GANNET_CLUSTER_BIN:?}
url=${GANNET_CLUSTER_URL:?}
port=${GANNET_CLUSTER_PORT:?}
cm_port=${GANNET_CONTROLLER_MANAGER_PORT:-$(( port + 3814 ))}
sched_port=${GANNET_SCHEDULER_PORT:-$(( port + 3816 ))}
node_port=${GANNET_NODE_PORT:-$(( port + 3807 ))}
nodes=${GANNET_NODES:-1}
node_bin="$root/node_modules/.bin/node"
apiserver_pid=$(cat "$state/pid")

healthy() { # component
  case $1 in
    controller-manager) curl -skf --max-time 2 "https://127.0.0.1:$cm_port/healthz" >/dev/null 2>&1 ;;
    scheduler) curl -skf --max-time 2 "https://127.0.0.1:$sched_port/healthz" >/dev/null 2>&1 ;;
    node) curl -sf --max-time 2 "http://127.0.0.1:$node_port/healthz" >/dev/null 2>&1 ;;
  esac
}

stop_component() { # component
  local pidfile="$state/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile" "$state/$1.flags"
}

started=()
ensure() { # component command...
  local name=$1; shift
  local flags="apiserver-pid=$apiserver_pid $*"
  if [ -f "$state/$name.pid" ] && kill -0 "$(cat "$state/$name.pid")" 2>/dev/null \
    && [ "$(cat "$state/$name.flags" 2>/dev/null)" = "$flags" ] && healthy "$name"; then
    echo "$name: reusing the one already running (pid $(cat "$state/$name.pid"))"
    return 0
  fi
  stop_component "$name"
  setsid nohup "$@" > "$state/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.pid"
  echo "$flags" > "$state/$name.flags"
  started+=("$name")
}

wait_healthy() { # component
  local name=$1
  for _ in $(seq 1 240); do
    healthy "$name" && return 0
    kill -0 "$(cat "$state/$name.pid")" 2>/dev/null || break
    sleep 0.25
  done
  echo "$name: did not become healthy; last lines of $state/$name.log:" >&2
  tail -n 30 "$state/$name.log" >&2 || true
  rm -f "$state/$name.flags"
  exit 1
}

t0=$(date +%s%N)
cm_kc="$state/kubeconfig-controller-manager"
sched_kc="$state/kubeconfig-scheduler"
ensure controller-manager "$bin" controller-manager --kubeconfig="$cm_kc" \
  --authentication-kubeconfig="$cm_kc" --authorization-kubeconfig="$cm_kc" \
  --bind-address=127.0.0.1 --secure-port="$cm_port" --cert-dir="$state/controller-manager-certs" \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$state/certs/sa.key" --root-ca-file="$state/certs/ca.crt" \
  --cluster-signing-cert-file="$state/certs/ca.crt" --cluster-signing-key-file="$state/certs/ca.key" \
  --cluster-name=gannet-testbed
ensure scheduler "$bin" scheduler --kubeconfig="$sched_kc" \
  --authentication-kubeconfig="$sched_kc" --authorization-kubeconfig="$sched_kc" \
  --bind-address=127.0.0.1 --secure-port="$sched_port" --cert-dir="$state/scheduler-certs" --leader-elect=false

built=$("$root/test/node/echo-basic/build.sh")
echo "$built"
echo_basic=$(sed -n 's/^echo-basic: \(\/.*\)$/\1/p' <<<"$built" | tail -n 1)
[ -x "$echo_basic" ] || { echo "node: the echo-basic build did not name a binary" >&2; exit 1; }
[ -x "$node_bin" ] || { echo "node: $node_bin is missing: run npm install in $root first (the testbed nodes run on the project's Node)"; exit 1; }
# The nodes restart when their code changes.
node_hash=$(find "$root/test/node" -maxdepth 1 -name '*.ts' ! -name '*.test.ts' | sort | xargs cat | sha256sum | cut -c1-12)
ensure node "$node_bin" "$root/test/node/kubelet-main.ts" --kubeconfig "$state/kubeconfig-node" \
  --state-dir "$state/nodes" --echo-basic "$echo_basic" --nodes "$nodes" --port "$node_port" --code "$node_hash"

for name in "${started[@]}"; do wait_healthy "$name"; done
if [ ${#started[@]} -gt 0 ]; then
  echo "cluster: started ${started[*]} in $(( ($(date +%s%N) - t0) / 1000000 )) ms (logs: $state/<component>.log)"
fi
echo "nodes: $(seq -f "gannet-testbed-node-%g" 1 "$nodes" | paste -sd, -)"
