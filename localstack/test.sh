#!/usr/bin/env bash
# Run the ELBv2 plugin tests with the venv's Python against $AWS_ENDPOINT_URL
# (default http://127.0.0.1:4566). Start LocalStack first: bash localstack/start.sh
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

base_python="$(find_python)" || fail "no Python >= 3.12; run localstack/start.sh first"
venv="$(venv_dir "$base_python")"
[[ -f "$venv/.complete" ]] || fail "no venv at $venv; run localstack/start.sh first"
exec "$venv/bin/python" -m pytest "$PLUGIN_DIR/tests" "$@"
