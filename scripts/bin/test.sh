#!/usr/bin/env bash
# `npm test`: installs what is missing, then typecheck, lint, the infrastructure linters, unit +
# integration tests (vitest, against a real redis-server and moto), infrastructure/ applied to
# moto with OpenTofu and the AWS provider, the control plane built by Vercel's builder with its
# Build Output checked, and end-to-end tests (Playwright, Chromium) against that build.
# At the end (pass or fail) it prints what each stage took: the suite has a budget (README).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

stages=()
suite_started=$SECONDS
# Vitest's projects overlap within a stage: tests/support/project-times.ts writes each one's span here.
PILOTHOUSE_STAGE_TIMES=$(mktemp)
export PILOTHOUSE_STAGE_TIMES
report() {
  local status=$?
  printf '\n▸ npm test: stage times (indented: parts of the stage above, which ran side by side)\n'
  for line in "${stages[@]}"; do printf '  %s\n' "$line"; done
  printf '  %-58s %5d s\n' "total" $((SECONDS - suite_started))
  ((status == 0)) || printf '  (failed during: %s)\n' "${current:-?}"
  rm -f "$PILOTHOUSE_STAGE_TIMES"
}
trap report EXIT
# The lines tests/support/project-times.ts wrote for the stage that just ran, as its parts.
take_project_times() {
  local line
  while IFS= read -r line; do stages+=("$line"); done <"$PILOTHOUSE_STAGE_TIMES"
  : >"$PILOTHOUSE_STAGE_TIMES"
}
# stage <name> <command...>: runs one stage, timed.
stage() {
  current=$1
  shift
  echo "▸ $current"
  local started=$SECONDS
  "$@"
  stages+=("$(printf '%-58s %5d s' "$current" $((SECONDS - started)))")
  take_project_times
}
# side_by_side <name> <label> <command> [<label> <command>...]: one stage whose commands (each a
# line for bash) run at once, each timed; their output is shown one after another, whole.
side_by_side() {
  current=$1
  shift
  echo "▸ $current"
  local started=$SECONDS dir labels=() pids=() parts=() failed=0 i rc took
  dir=$(mktemp -d)
  while (($#)); do
    i=${#labels[@]}
    labels+=("$1")
    (
      part_started=$SECONDS
      if bash -c "$2" >"$dir/$i.log" 2>&1; then rc=0; else rc=$?; fi
      echo "$rc $((SECONDS - part_started))" >"$dir/$i.status"
      exit "$rc"
    ) &
    pids+=($!)
    shift 2
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=1; done
  for i in "${!labels[@]}"; do
    read -r rc took <"$dir/$i.status"
    echo "▸ ${labels[$i]}$( ((rc == 0)) || echo " (failed: exit $rc)")"
    cat "$dir/$i.log"
    parts+=("$(printf '  %-56s %5d s' "${labels[$i]}" "$took")")
  done
  rm -rf "$dir"
  stages+=("$(printf '%-58s %5d s' "$current" $((SECONDS - started)))" "${parts[@]}")
  return "$failed"
}

stage "tools (scripts/bin/ensure-tools.sh --infra)" bash scripts/bin/ensure-tools.sh --infra
# Three single-threaded checks: side by side they take what the longest takes.
side_by_side "typecheck, lint and infrastructure lint" \
  "typecheck" "npm run --silent typecheck" \
  "lint" "npm run --silent lint" \
  "infrastructure lint" "bash scripts/bin/lint-infra.sh"
stage "vitest: unit" npx vitest run --project unit
# The api and worker the integration tests run as built processes: built once, before the
# projects whose setups would otherwise each check (and, in a fresh clone, build) them at once.
stage "build the api and worker (tsc -p worker)" npm run --silent build:services
# One vitest run: the integration files and the Terraform (mostly waiting on servers and the
# provider) side by side, then the files that change shared state or measure, alone
# (vitest.config.ts says which run when).
stage "vitest: integration projects and the terraform" \
  npx vitest run --reporter=default --reporter=./tests/support/project-times.ts \
  --project integration --project integration-faults --project terraform \
  --project integration-shared-state --project integration-measured
stage "Vercel build (offline) and its Build Output" npx tsx scripts/bin/vercel-build.ts
stage "end-to-end (playwright, chromium)" npx playwright test
