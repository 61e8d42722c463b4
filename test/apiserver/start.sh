#!/usr/bin/env bash
# Starts (or reuses) a real kube-apiserver with etcd embedded, on loopback with TLS and token auth:
# a token file (an admin, a restricted identity, and the identities of the controller-manager, the
# scheduler and the nodes) and an EKS-style webhook token authenticator
# (test/support/eks-auth-webhook.ts, run here in the background) that accepts `k8s-aws-v1.` IAM
# tokens by redeeming them at LocalStack's STS.
#
# The binary is built from the Go module proxy once per machine and cached outside the clone,
# keyed by Kubernetes version and by the hash of this module's sources. It is built with the
# testbed's one deviation from upstream (patch.sh: loopback addresses allowed in EndpointSlices,
# since the testbed's Pod IPs are 127.1.x.y; see main.go and test/node/README.md). Prints, on success:
#   kubeconfig: <path to an admin kubeconfig>
# Environment: GANNET_CACHE (default ~/.cache/gannet), GANNET_STATE (default $GANNET_CACHE/state),
# GANNET_APISERVER_PORT (default 6443), GANNET_ETCD_PORT (default 12379; the peer port is the next),
# GANNET_AUTH_WEBHOOK_PORT (default the API server's port + 12000: 18443), GANNET_AUTH_WEBHOOK_CLUSTER (the EKS cluster name tokens
# must be signed for, default gannet-testbed), GANNET_AUTH_WEBHOOK_STS_ENDPOINT (default
# $AWS_ENDPOINT_URL, else http://127.0.0.1:4566).
# Then cluster.sh starts (or reuses) kube-controller-manager, kube-scheduler (the same binary) and the
# testbed's nodes (test/node), so Deployments run; see cluster.sh for their ports (GANNET_NODES=N for
# more nodes).
# A running server is reused only when it was started with the same flags (and binary); otherwise it
# is stopped and started again. The webhook is (re)started whenever it is down or configured otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${GANNET_CACHE:-$HOME/.cache/gannet}
state=${GANNET_STATE:-$cache/state}/apiserver
port=${GANNET_APISERVER_PORT:-6443}
etcd_port=${GANNET_ETCD_PORT:-12379}
version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit} $1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$here/go.mod")
[ -n "$version" ] || { echo "apiserver: cannot read the k8s.io/kubernetes version from $here/go.mod" >&2; exit 1; }
minor=$(echo "$version" | cut -d. -f2)
# patch.sh is part of the key: it generates the testbed's one patched file (see main.go's header).
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/patch.sh" | sha256sum | cut -c1-12)
bin="$cache/kube-apiserver-$version-$hash"
kubeconfig="$state/kubeconfig"
url="https://127.0.0.1:$port"
# The webhook's port follows the API server's (6443 -> 18443), so testbeds on other ports never collide.
default_webhook_port=$(( port + 12000 <= 65535 ? port + 12000 : port - 12000 ))
webhook_port=${GANNET_AUTH_WEBHOOK_PORT:-$default_webhook_port}
webhook_cluster=${GANNET_AUTH_WEBHOOK_CLUSTER:-gannet-testbed}
sts_endpoint=${GANNET_AUTH_WEBHOOK_STS_ENDPOINT:-${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}}
webhook_config="$state/auth-webhook.kubeconfig"

args=(
  --secure-port="$port" --bind-address=127.0.0.1 --advertise-address=127.0.0.1
  --cert-dir="$state/certs" --tls-cert-file="$state/certs/apiserver.crt" --tls-private-key-file="$state/certs/apiserver.key"
  --client-ca-file="$state/certs/ca.crt"
  --token-auth-file="$state/tokens.csv" --authorization-mode=RBAC
  --authentication-token-webhook-config-file="$webhook_config" --authentication-token-webhook-version=v1
  --authentication-token-webhook-cache-ttl=30s
  --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$state/certs/sa.pub" --service-account-signing-key-file="$state/certs/sa.key"
  --disable-admission-plugins=ServiceAccount
)
# What a running server must have been started with to be reused.
flags="$bin etcd=$etcd_port ${args[*]}"

say() { echo "apiserver: $*"; }
now() { date +%s; }

ready() {
  [ -f "$state/tokens/admin" ] || return 1
  curl -sf --max-time 3 --cacert "$state/certs/ca.crt" \
    -H "Authorization: Bearer $(cat "$state/tokens/admin")" "$url/readyz" >/dev/null 2>&1
}

# The webhook: a Node process of the project (Node 24 from node_modules runs its TypeScript).
node_bin="$root/node_modules/.bin/node"
webhook_health() { curl -sf --max-time 2 "http://127.0.0.1:$webhook_port/healthz" 2>/dev/null; }
ensure_webhook() {
  local want="\"clusterName\":\"$webhook_cluster\",\"stsEndpoint\":\"$sts_endpoint\",\"server\":\"$url\""
  local health
  if health=$(webhook_health) && [[ "$health" == *"$want"* ]]; then
    echo "eks-auth-webhook: already running at http://127.0.0.1:$webhook_port (cluster $webhook_cluster)"
    return 0
  fi
  if [ -f "$state/auth-webhook.pid" ] && kill -0 "$(cat "$state/auth-webhook.pid")" 2>/dev/null; then
    kill "$(cat "$state/auth-webhook.pid")" 2>/dev/null || true
    for _ in $(seq 1 20); do webhook_health >/dev/null || break; sleep 0.2; done
  fi
  if health=$(webhook_health); then
    say "port $webhook_port answers as a webhook of another testbed ($health): stop it, or set GANNET_AUTH_WEBHOOK_PORT"
    exit 1
  fi
  [ -x "$node_bin" ] || { say "$node_bin is missing: run npm install in $root first (the EKS auth webhook runs on the project's Node)"; exit 1; }
  setsid nohup "$node_bin" "$root/test/support/eks-auth-webhook-main.ts" --port "$webhook_port" \
    --cluster "$webhook_cluster" --sts-endpoint "$sts_endpoint" --kube-server "$url" \
    --kube-ca "$state/certs/ca.crt" --kube-token-file "$state/tokens/admin" \
    > "$state/auth-webhook.log" 2>&1 < /dev/null &
  echo $! > "$state/auth-webhook.pid"
  for _ in $(seq 1 50); do
    if webhook_health >/dev/null; then
      echo "eks-auth-webhook: started at http://127.0.0.1:$webhook_port (cluster $webhook_cluster, STS $sts_endpoint)"
      return 0
    fi
    kill -0 "$(cat "$state/auth-webhook.pid")" 2>/dev/null || break
    sleep 0.2
  done
  say "the EKS auth webhook did not start; last lines of $state/auth-webhook.log:"
  tail -n 20 "$state/auth-webhook.log" >&2 || true
  exit 1
}

# The controller-manager, the scheduler and the nodes, against the API server now running.
ensure_cluster() {
  GANNET_CLUSTER_STATE="$state" GANNET_CLUSTER_BIN="$bin" GANNET_CLUSTER_URL="$url" GANNET_CLUSTER_PORT="$port" \
    "$here/cluster.sh"
}

if ready && [ -f "$kubeconfig" ]; then
  if [ "$(cat "$state/flags" 2>/dev/null)" = "$flags" ]; then
    ensure_webhook
    say "reusing the kube-apiserver already running at $url"
    ensure_cluster
    echo "kubeconfig: $kubeconfig"
    exit 0
  fi
  say "the kube-apiserver at $url runs with other flags (or binary) than this script gives: restarting it"
  "$here/stop.sh"
fi

if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { say "Go is not installed: install Go >= 1.25 (it builds kube-apiserver $version)"; exit 1; }
  say "building kube-apiserver $version (with controller-manager and scheduler) from the Go module proxy (first run on this machine: about 10-15 minutes)"
  t0=$(now)
  mkdir -p "$cache"
  (cd "$here" && go mod download k8s.io/kubernetes)
  work=$("$here/patch.sh" "$bin.patched")
  (cd "$here" && GOWORK="$work" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
  chmod -R u+w "$bin.patched" && rm -rf "$bin.patched"
  say "built $bin in $(( $(now) - t0 ))s"
fi

if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
  say "a kube-apiserver (pid $(cat "$state/pid")) is running but not ready: stopping it"
  "$here/stop.sh"
fi

mkdir -p "$state/certs" "$state/tokens"
if [ ! -f "$state/certs/ca.crt" ]; then
  (
    cd "$state/certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gannet-testbed-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile ext.cnf -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
fi
for who in admin restricted controller-manager scheduler node; do
  [ -f "$state/tokens/$who" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/tokens/$who"
done
# token,user,uid[,"group1,group2"]: an admin, a restricted identity with no rights of its own (RBAC
# tests), the controller-manager and the scheduler (bound by the API server's default RBAC), and the
# nodes: the testbed has no Node authorizer, so its nodes act as admins.
{
  printf '%s,gannet-admin,gannet-admin,"system:masters"\n' "$(cat "$state/tokens/admin")"
  printf '%s,gannet-restricted,gannet-restricted\n' "$(cat "$state/tokens/restricted")"
  printf '%s,system:kube-controller-manager,system:kube-controller-manager\n' "$(cat "$state/tokens/controller-manager")"
  printf '%s,system:kube-scheduler,system:kube-scheduler\n' "$(cat "$state/tokens/scheduler")"
  printf '%s,system:node:gannet-testbed,system:node:gannet-testbed,"system:nodes,system:masters"\n' "$(cat "$state/tokens/node")"
} > "$state/tokens.csv"

write_kubeconfig() { # file user token
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: gannet-testbed
  cluster:
    server: $url
    certificate-authority: $state/certs/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: $2@gannet-testbed
  context: {cluster: gannet-testbed, user: $2, namespace: default}
current-context: $2@gannet-testbed
KC
}
write_kubeconfig "$kubeconfig" gannet-admin "$(cat "$state/tokens/admin")"
write_kubeconfig "$state/kubeconfig-restricted" gannet-restricted "$(cat "$state/tokens/restricted")"
for who in controller-manager scheduler node; do
  write_kubeconfig "$state/kubeconfig-$who" "$who" "$(cat "$state/tokens/$who")"
done

cat > "$webhook_config" <<WC
apiVersion: v1
kind: Config
clusters:
- name: gannet-eks-auth-webhook
  cluster:
    server: http://127.0.0.1:$webhook_port/authenticate
users:
- name: kube-apiserver
  user: {}
contexts:
- name: webhook
  context: {cluster: gannet-eks-auth-webhook, user: kube-apiserver}
current-context: webhook
WC
ensure_webhook

# etcd starts empty on every start: a fresh API server means a clean cluster (the nodes re-register).
rm -rf "$state/etcd" "$state/flags"
t0=$(now)
GANNET_ETCD_DIR="$state/etcd" GANNET_ETCD_PORT="$etcd_port" setsid nohup "$bin" "${args[@]}" \
  > "$state/apiserver.log" 2>&1 < /dev/null &
echo $! > "$state/pid"

for _ in $(seq 1 240); do
  if ready; then
    echo "$flags" > "$state/flags"
    say "kube-apiserver $version ready at $url in $(( $(now) - t0 ))s (log: $state/apiserver.log)"
    ensure_cluster
    echo "kubeconfig: $kubeconfig"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
  sleep 0.5
done
say "kube-apiserver did not become ready; last lines of $state/apiserver.log:"
tail -n 40 "$state/apiserver.log" >&2 || true
exit 1
