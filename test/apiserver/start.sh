#!/usr/bin/env bash
# Starts (or reuses) a real kube-apiserver with etcd embedded, on loopback with TLS and token auth.
#
# The binary is built from the Go module proxy once per machine and cached outside the clone,
# keyed by Kubernetes version and by the hash of this module's sources. Prints, on success:
#   kubeconfig: <path to an admin kubeconfig>
# Environment: GANNET_CACHE (default ~/.cache/gannet), GANNET_STATE (default $GANNET_CACHE/state),
# GANNET_APISERVER_PORT (default 6443), GANNET_ETCD_PORT (default 12379; the peer port is the next).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GANNET_CACHE:-$HOME/.cache/gannet}
state=${GANNET_STATE:-$cache/state}/apiserver
port=${GANNET_APISERVER_PORT:-6443}
etcd_port=${GANNET_ETCD_PORT:-12379}
version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit} $1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$here/go.mod")
[ -n "$version" ] || { echo "apiserver: cannot read the k8s.io/kubernetes version from $here/go.mod" >&2; exit 1; }
minor=$(echo "$version" | cut -d. -f2)
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-12)
bin="$cache/kube-apiserver-$version-$hash"
kubeconfig="$state/kubeconfig"
url="https://127.0.0.1:$port"

say() { echo "apiserver: $*"; }
now() { date +%s; }

ready() {
  [ -f "$state/tokens/admin" ] || return 1
  curl -sf --max-time 3 --cacert "$state/certs/ca.crt" \
    -H "Authorization: Bearer $(cat "$state/tokens/admin")" "$url/readyz" >/dev/null 2>&1
}

if ready && [ -f "$kubeconfig" ]; then
  say "reusing the kube-apiserver already running at $url"
  echo "kubeconfig: $kubeconfig"
  exit 0
fi

if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { say "Go is not installed: install Go >= 1.25 (it builds kube-apiserver $version)"; exit 1; }
  say "building kube-apiserver $version from the Go module proxy (first run on this machine: about 10-15 minutes)"
  t0=$(now)
  mkdir -p "$cache"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
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
for who in admin restricted; do
  [ -f "$state/tokens/$who" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/tokens/$who"
done
# token,user,uid[,"group1,group2"]: an admin, and a restricted identity with no rights of its own (RBAC tests).
printf '%s,gannet-admin,gannet-admin,"system:masters"\n%s,gannet-restricted,gannet-restricted\n' \
  "$(cat "$state/tokens/admin")" "$(cat "$state/tokens/restricted")" > "$state/tokens.csv"

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

# etcd starts empty on every start: namespaces never finish deleting without a controller-manager.
rm -rf "$state/etcd"
t0=$(now)
GANNET_ETCD_DIR="$state/etcd" GANNET_ETCD_PORT="$etcd_port" setsid nohup "$bin" \
  --secure-port="$port" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --cert-dir="$state/certs" --tls-cert-file="$state/certs/apiserver.crt" --tls-private-key-file="$state/certs/apiserver.key" \
  --client-ca-file="$state/certs/ca.crt" \
  --token-auth-file="$state/tokens.csv" --authorization-mode=RBAC \
  --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$state/certs/sa.pub" --service-account-signing-key-file="$state/certs/sa.key" \
  --disable-admission-plugins=ServiceAccount \
  > "$state/apiserver.log" 2>&1 < /dev/null &
echo $! > "$state/pid"

for _ in $(seq 1 240); do
  if ready; then
    say "kube-apiserver $version ready at $url in $(( $(now) - t0 ))s (log: $state/apiserver.log)"
    echo "kubeconfig: $kubeconfig"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
  sleep 0.5
done
say "kube-apiserver did not become ready; last lines of $state/apiserver.log:"
tail -n 40 "$state/apiserver.log" >&2 || true
exit 1
