#!/usr/bin/env bash
# Builds the Gateway API conformance echo server (sigs.k8s.io/gateway-api/conformance/echo-basic, the
# program of the image gcr.io/k8s-staging-gateway-api/echo-basic) from the Go module proxy, once per
# machine, cached in $GANNET_CACHE (default ~/.cache/gannet) keyed by version and by the hash of this
# directory's sources. Prints its path on the last line: `echo-basic: <path>`.
#
# One patch, for the testbed only: echo-basic listens on `:PORT` (every address), and every Pod of the
# testbed shares the host's loopback, so two Pods on one port would collide. The patched copy listens
# on $GANNET_TESTBED_POD_IP (set by the testbed node for every container) instead. `go build -overlay`
# refuses files in the module cache, so the build uses a tree of symlinks to the module with that one
# file patched, named by a go.work replace directive. If the expected code is not found (another
# version moved it), this fails loudly.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GANNET_CACHE:-$HOME/.cache/gannet}
module=sigs.k8s.io/gateway-api/conformance
version=$(awk -v m="$module" '$1 == m {print $2; exit} $1 == "require" && $2 == m {print $3; exit}' "$here/go.mod")
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-12)
bin="$cache/echo-basic-$version-$hash"
if [ -x "$bin" ]; then echo "echo-basic: $bin"; exit 0; fi
command -v go >/dev/null || { echo "echo-basic: Go is not installed: install Go >= 1.26 (it builds the conformance echo server)" >&2; exit 1; }
echo "echo-basic: building $module/echo-basic $version from the Go module proxy (first run on this machine)"
t0=$(date +%s)
mkdir -p "$cache"
(cd "$here" && go mod download "$module@$version")
dir=$(cd "$here" && go list -m -f '{{.Dir}}' "$module")
[ -n "$dir" ] && [ -f "$dir/echo-basic/echo-basic.go" ] || { echo "echo-basic: $module $version has no echo-basic/echo-basic.go" >&2; exit 1; }
work="$bin.patched"
if [ -d "$work" ]; then chmod -R u+w "$work"; rm -rf "$work"; fi
mkdir -p "$work"
cp -rs "$dir" "$work/conformance"
chmod u+w "$work/conformance/echo-basic"
rm "$work/conformance/echo-basic/echo-basic.go"
python3 - "$dir/echo-basic/echo-basic.go" "$work/conformance/echo-basic/echo-basic.go" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
# The HTTP, HTTPS and h2c listeners of the HTTP mode (the gRPC/TCP/UDP modes are not used on the testbed).
listen = 'fmt.Sprintf(":%s", '
if text.count(listen) != 3:
    sys.exit(f"echo-basic: expected 3 listeners `{listen}...` in {src}, found {text.count(listen)}: "
             "this version changed them; update test/node/echo-basic/build.sh")
text = text.replace(listen, 'fmt.Sprintf(os.Getenv("GANNET_TESTBED_POD_IP")+":%s", ')
open(dst, "w").write(text)
PY
cat > "$work/go.work" <<WORK
go $(cd "$here" && go list -m -f '{{.GoVersion}}')

use $here

replace $module $version => $work/conformance

// The module's own go.mod points its parent at ../ (ignored outside its repository); a directory
// replacement makes Go read that requirement, so name a real version of it.
replace sigs.k8s.io/gateway-api v0.0.0-00010101000000-000000000000 => sigs.k8s.io/gateway-api $version
WORK
(cd "$here" && GOWORK="$work/go.work" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin.tmp" "$module/echo-basic")
mv "$bin.tmp" "$bin"
chmod -R u+w "$work" && rm -rf "$work"
echo "echo-basic: built in $(( $(date +%s) - t0 ))s"
echo "echo-basic: $bin"
