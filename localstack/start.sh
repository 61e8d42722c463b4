#!/usr/bin/env bash
# Start (or reuse) LocalStack on the host, with the Gannet ELBv2 plugin, then seed it.
# Last line on success: "aws-endpoint: <url>". See localstack/README.md.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

HEALTH_TIMEOUT="${GANNET_LOCALSTACK_TIMEOUT:-120}"

now() { date +%s; }

seed_and_finish() {
  local endpoint="$1"
  AWS_ENDPOINT_URL="$endpoint" "$LOCALSTACK_DIR/seed.sh"
  printf 'aws-endpoint: %s\n' "$endpoint"
  exit 0
}

# An endpoint run by someone else (docker compose, a shared LocalStack): check and seed only.
endpoint="$(requested_endpoint)"
if ! is_default_endpoint "$endpoint"; then
  is_healthy "$endpoint" || fail "AWS_ENDPOINT_URL=$endpoint does not answer /_localstack/health; start it, or unset AWS_ENDPOINT_URL to run LocalStack here"
  elbv2_answers "$endpoint" || fail "$endpoint serves no ELBv2 (DescribeLoadBalancers failed); the Docker image needs LOCALSTACK_AUTH_TOKEN"
  say "using external endpoint $endpoint"
  seed_and_finish "$endpoint"
fi
endpoint="$DEFAULT_ENDPOINT"

# Reuse a running LocalStack.
if is_healthy "$endpoint"; then
  elbv2_answers "$endpoint" || fail "a LocalStack on $endpoint serves no ELBv2; stop it (localstack/stop.sh) and rerun"
  say "reusing running LocalStack on $endpoint"
  started_with="$(cat "$GANNET_STATE/localstack.plugin" 2>/dev/null || true)"
  if [[ -n "$started_with" && -f "$LOCALSTACK_PID_FILE" && "$started_with" != "$(plugin_hash)" ]]; then
    say "warning: elbv2-plugin changed since this LocalStack started; load it with localstack/stop.sh, then start.sh"
  fi
  seed_and_finish "$endpoint"
fi
if curl -s -o /dev/null --max-time 3 "$endpoint/"; then
  fail "port 4566 answers but not as LocalStack; free 127.0.0.1:4566 and rerun"
fi

mkdir -p "$GANNET_CACHE" "$GANNET_STATE"

# --- install (venv outside the clone, keyed by requirements) --------------------------------
base_python="$(find_python)" || fail "LocalStack $LOCALSTACK_VERSION needs Python >= 3.12 (found none; set GANNET_PYTHON=/path/to/python3.12)"
venv="$(venv_dir "$base_python")"
t0="$(now)"
exec 9>"$GANNET_CACHE/localstack-install.lock"
flock 9
if [[ ! -f "$venv/.complete" ]]; then
  say "installing localstack-core $LOCALSTACK_VERSION into $venv with $base_python (a few minutes, once)"
  rm -rf "$venv"
  install_log="$GANNET_STATE/localstack-install.log"
  if ! {
    "$base_python" -m venv "$venv" &&
      "$venv/bin/python" -m pip install --quiet --progress-bar off --upgrade pip setuptools wheel &&
      "$venv/bin/python" -m pip install --progress-bar off \
        -c "$LOCALSTACK_DIR/constraints.txt" \
        -r "$LOCALSTACK_DIR/requirements.txt" -r "$LOCALSTACK_DIR/requirements-dev.txt"
  } >"$install_log" 2>&1; then
    tail -n 40 "$install_log" >&2
    fail "pip install failed (full log: $install_log)"
  fi
  # moto-ext provides the `moto` module; a plain `moto` beside it would shadow it.
  if "$venv/bin/python" -m pip show moto >/dev/null 2>&1; then
    fail "the venv holds the package moto beside moto-ext; remove $venv and check requirements.txt"
  fi
  touch "$venv/.complete"
fi
want_plugin="$(plugin_hash)"
if [[ "$(cat "$venv/.gannet-elbv2-plugin" 2>/dev/null || true)" != "$want_plugin" ]]; then
  say "installing the ELBv2 plugin ($want_plugin)"
  # Build from a copy so no build/ or *.egg-info lands in the clone.
  build_dir="$(mktemp -d)"
  cp -R "$PLUGIN_DIR/." "$build_dir/"
  rm -rf "$build_dir/tests" "$build_dir/build"
  if ! "$venv/bin/python" -m pip install --quiet --progress-bar off --no-deps \
      --no-build-isolation --force-reinstall "$build_dir" >"$GANNET_STATE/plugin-install.log" 2>&1; then
    cat "$GANNET_STATE/plugin-install.log" >&2
    rm -rf "$build_dir"
    fail "installing the ELBv2 plugin failed"
  fi
  rm -rf "$build_dir"
  printf '%s\n' "$want_plugin" >"$venv/.gannet-elbv2-plugin"
fi
flock -u 9
exec 9>&-
say "install ready in $(($(now) - t0))s"

# --- start -----------------------------------------------------------------------------------
t1="$(now)"
old_fs="$(cat "$LOCALSTACK_FS_FILE" 2>/dev/null || true)"
[[ -n "$old_fs" && -d "$old_fs" && "$old_fs" == */gannet-localstack-fs.* ]] && rm -rf "$old_fs"
fs_root="$(mktemp -d "${TMPDIR:-/tmp}/gannet-localstack-fs.XXXXXX")"
printf '%s\n' "$fs_root" >"$LOCALSTACK_FS_FILE"

# Exactly the testbed environment (TESTBED.md); nothing else leaks in from the caller
# (not even TMPDIR, which LocalStack reads as a deprecated setting of its own).
# OVERRIDE_IN_DOCKER=0: these machines carry /.dockerenv, which would make LocalStack act as a container.
ls_env=(
  "PATH=$venv/bin:/usr/local/bin:/usr/bin:/bin"
  "HOME=$HOME"
  "LANG=${LANG:-C.UTF-8}"
  "GATEWAY_LISTEN=127.0.0.1:4566"
  "LOCALSTACK_HOST=localhost:4566"
  "SERVICES=acm,route53,ec2,elbv2,sts,iam,resourcegroupstaggingapi"
  "EAGER_SERVICE_LOADING=1"
  "OVERRIDE_IN_DOCKER=0"
  "DNS_ADDRESS=0"
  "SKIP_SSL_CERT_DOWNLOAD=1"
  "DISABLE_EVENTS=1"
  "MOTO_ACM_VALIDATION_WAIT=${MOTO_ACM_VALIDATION_WAIT:-3}"
  "FILESYSTEM_ROOT=$fs_root"
)
[[ -n "${GANNET_LOCALSTACK_DEBUG:-}" ]] && ls_env+=("DEBUG=1")

: >"$LOCALSTACK_LOG"
# setsid: own session and process group, so it outlives the calling shell and CI step;
# stop.sh signals that group.
(cd "$fs_root" && exec setsid env -i "${ls_env[@]}" "$venv/bin/python" -m localstack.runtime.main \
  >>"$LOCALSTACK_LOG" 2>&1 </dev/null) &
pid=$!
printf '%s\n' "$pid" >"$LOCALSTACK_PID_FILE"
printf '%s\n' "$want_plugin" >"$GANNET_STATE/localstack.plugin"

started=""
deadline=$(($(now) + HEALTH_TIMEOUT))
while (($(now) < deadline)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    break
  fi
  if is_healthy "$endpoint" && elbv2_answers "$endpoint"; then
    started=1
    break
  fi
  sleep 1
done
if [[ -z "$started" ]]; then
  tail -n 40 "$LOCALSTACK_LOG" >&2 || true
  if kill -0 "$pid" 2>/dev/null; then
    "$LOCALSTACK_DIR/stop.sh" >/dev/null 2>&1 || true
    fail "LocalStack was not ready (health + ELBv2) within ${HEALTH_TIMEOUT}s; log: $LOCALSTACK_LOG"
  fi
  rm -f "$LOCALSTACK_PID_FILE"
  fail "LocalStack exited during start; log: $LOCALSTACK_LOG"
fi
say "started in $(($(now) - t1))s (pid $pid, log $LOCALSTACK_LOG)"

seed_and_finish "$endpoint"
