#!/usr/bin/env bash
# `npm test`: installs what is missing, then typecheck, lint, the infrastructure linters, unit +
# integration tests (vitest, against a real redis-server and moto), infrastructure/ applied to
# moto with OpenTofu and the AWS provider, the control plane built by Vercel's builder with its
# Build Output checked, and end-to-end tests (Playwright, Chromium) against that build.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

bash scripts/bin/ensure-tools.sh --infra
echo "▸ typecheck"; npm run --silent typecheck
echo "▸ lint"; npm run --silent lint
echo "▸ infrastructure lint"; bash scripts/bin/lint-infra.sh
echo "▸ unit and integration tests (vitest)"; npx vitest run --project unit --project integration --project integration-shared-state --project integration-faults
echo "▸ infrastructure/ validated, applied, planned and destroyed on the emulator (vitest)"; npx vitest run --project terraform
echo "▸ Vercel build (offline) and its Build Output"; npx tsx scripts/bin/vercel-build.ts
echo "▸ end-to-end tests (playwright, chromium)"; npx playwright test
