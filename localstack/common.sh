# Shared settings for start.sh, stop.sh and seed.sh (sourced, not run).
# shellcheck shell=bash

LOCALSTACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOCALSTACK_VERSION="2026.3.0"
DEFAULT_ENDPOINT="http://127.0.0.1:4566"
GANNET_CACHE="${GANNET_CACHE:-$HOME/.cache/gannet}"
GANNET_STATE="${GANNET_STATE:-$GANNET_CACHE/state}"
LOCALSTACK_LOG="${GANNET_LOCALSTACK_LOG:-$GANNET_STATE/localstack.log}"
LOCALSTACK_PID_FILE="$GANNET_STATE/localstack.pid"
LOCALSTACK_FS_FILE="$GANNET_STATE/localstack.fsroot"
PLUGIN_DIR="$LOCALSTACK_DIR/elbv2-plugin"

say() { printf 'localstack: %s\n' "$*"; }
fail() { printf 'localstack: error: %s\n' "$*" >&2; exit 1; }

# localstack-core 2026.3.0 uses Python 3.12 syntax (PEP 695 generics) although its
# metadata says >=3.10, so it needs Python >= 3.12; these machines' python3 is 3.11.
# Order: $GANNET_PYTHON, python3.13/3.12/python3 on PATH, then pyenv's installed versions.
find_python() {
  local candidates=() c
  [[ -n "${GANNET_PYTHON:-}" ]] && candidates+=("$GANNET_PYTHON")
  candidates+=(python3.13 python3.12 python3)
  for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3; do
    [[ -x "$c" ]] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys, ssl, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

# The venv is keyed by what pip installs from PyPI (requirements + Python version),
# so editing the plugin never reinstalls LocalStack; the plugin has its own hash.
venv_key() {
  { cat "$LOCALSTACK_DIR/requirements.txt" "$LOCALSTACK_DIR/requirements-dev.txt" \
      "$LOCALSTACK_DIR/constraints.txt"
    "$1" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12
}
venv_dir() { printf '%s/localstack-venv-%s-%s' "$GANNET_CACHE" "$LOCALSTACK_VERSION" "$(venv_key "$1")"; }

plugin_hash() {
  (cd "$PLUGIN_DIR" && find . -type f \
      -not -path './tests/*' -not -path '*/__pycache__/*' -not -path './build/*' \
      -not -path '*.egg-info/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

# True when the endpoint answers GET /_localstack/health with JSON.
is_healthy() {
  curl -fsS --max-time 3 "$1/_localstack/health" 2>/dev/null | grep -q '"services"'
}

# True when ELBv2 answers a DescribeLoadBalancers (routed as boto3's request would be:
# signing name elasticloadbalancing, Version 2015-12-01). LocalStack does not check signatures.
elbv2_answers() {
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$1/" \
    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0' \
    --data 'Action=DescribeLoadBalancers&Version=2015-12-01' 2>/dev/null)" || return 1
  [[ "$code" == "200" ]]
}

# The endpoint the caller asked for; anything but the default means "someone else runs it".
requested_endpoint() {
  local ep="${AWS_ENDPOINT_URL:-$DEFAULT_ENDPOINT}"
  printf '%s' "${ep%/}"
}
is_default_endpoint() {
  [[ "$1" == "$DEFAULT_ENDPOINT" || "$1" == "http://localhost:4566" ]]
}
