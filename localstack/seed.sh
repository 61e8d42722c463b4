#!/usr/bin/env bash
# Seed the testbed account (VPC, subnets, hosted zone) on $AWS_ENDPOINT_URL.
# Uses the venv made by start.sh when present, else python3 with boto3.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

venv=""
base_python="$(find_python)" && venv="$(venv_dir "$base_python")"
if [[ -n "$venv" && -f "$venv/.complete" ]]; then
  py="$venv/bin/python"
elif python3 -c 'import boto3' 2>/dev/null; then
  py="python3"
else
  fail "seed needs boto3: run localstack/start.sh once (it makes the venv), or pip install boto3"
fi
exec "$py" "$LOCALSTACK_DIR/seed.py" "$@"
