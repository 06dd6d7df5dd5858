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
report() {
  local status=$?
  printf '\n▸ npm test: stage times\n'
  for line in "${stages[@]}"; do printf '  %s\n' "$line"; done
  printf '  %-58s %5d s\n' "total" $((SECONDS - suite_started))
  ((status == 0)) || printf '  (failed during: %s)\n' "${current:-?}"
}
trap report EXIT
# stage <name> <command...>: runs one stage, timed.
stage() {
  current=$1
  shift
  echo "▸ $current"
  local started=$SECONDS
  "$@"
  stages+=("$(printf '%-58s %5d s' "$current" $((SECONDS - started)))")
}

stage "tools (scripts/bin/ensure-tools.sh --infra)" bash scripts/bin/ensure-tools.sh --infra
stage "typecheck" npm run --silent typecheck
stage "lint" npm run --silent lint
stage "infrastructure lint" bash scripts/bin/lint-infra.sh
stage "vitest: unit" npx vitest run --project unit
# The api and worker the integration tests run as built processes: built once, before the
# projects whose setups would otherwise each check (and, in a fresh clone, build) them at once.
stage "build the api and worker (tsc -p worker)" npm run --silent build:services
# The three integration projects run together: each has its own Redis and emulator.
stage "vitest: integration, integration-shared-state, integration-faults" \
  npx vitest run --project integration --project integration-shared-state --project integration-faults
stage "vitest: terraform (infrastructure/ on the emulator)" npx vitest run --project terraform
stage "Vercel build (offline) and its Build Output" npx tsx scripts/bin/vercel-build.ts
stage "end-to-end (playwright, chromium)" npx playwright test
