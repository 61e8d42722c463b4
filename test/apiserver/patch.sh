#!/usr/bin/env bash
# Prepares the build of the testbed's one deviation from upstream Kubernetes and prints the path of
# a go.work file to build with (GOWORK=<it> go build). Usage: patch.sh <output dir>
#
# Pods on the testbed get loopback IPs (127.1.0.0/16, test/node/README.md). Upstream validation
# (k8s.io/kubernetes/pkg/apis/core/validation, ValidateEndpointIP) refuses loopback addresses in
# Endpoints and EndpointSlices, so the EndpointSlice controller could never publish a Pod. This
# lifts exactly that check: the only change is the removal of its three lines.
#
# How: `go build -overlay` refuses to replace files in the module cache, so the output dir gets a
# tree of symlinks to the module cache's k8s.io/kubernetes (cheap, no copy) in which that one file
# is a patched copy, and a go.work whose replace directive points k8s.io/kubernetes at that tree.
# If the expected code is not found (another Kubernetes version moved it), this fails loudly rather
# than build an API server that silently behaves otherwise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: patch.sh <output dir>}
version=$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
dir=$(cd "$here" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
rel=pkg/apis/core/validation/validation.go
[ -f "$dir/$rel" ] || { echo "patch: $dir/$rel is missing (run go mod download in $here)" >&2; exit 1; }
if [ -d "$out" ]; then chmod -R u+w "$out"; rm -rf "$out"; fi
mkdir -p "$out"
cp -rs "$dir" "$out/kubernetes"
chmod u+w "$out/kubernetes/$(dirname "$rel")"
rm "$out/kubernetes/$rel"
python3 - "$dir/$rel" "$out/kubernetes/$rel" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
check = '''	if ip.IsLoopback() {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
'''
func = text.find("\nfunc ValidateEndpointIP(")
at = text.find(check, func)
end = text.find("\n}\n", func)
if func < 0 or text.count(check) != 1 or not (func < at < end):
    sys.exit(f"patch: the loopback check of ValidateEndpointIP was not found as expected in {src}: "
             "this Kubernetes version changed it; update test/apiserver/patch.sh")
text = text.replace(check, "\t// Gannet testbed: loopback addresses allowed (Pod IPs are 127.1.x.y; test/apiserver/patch.sh).\n")
open(dst, "w").write(text)
PY
cat > "$out/go.work" <<WORK
go $(cd "$here" && go list -m -f '{{.GoVersion}}')

use $here

replace k8s.io/kubernetes $version => $out/kubernetes
WORK
echo "$out/go.work"
