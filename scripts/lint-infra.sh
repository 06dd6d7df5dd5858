#!/usr/bin/env bash
# Offline checks of what deploys the platform: the workflows (actionlint, which also runs
# ShellCheck on every `run:` block), our shell scripts (ShellCheck) and the compose file.
# The Dockerfile is linted by tests/infra/images.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

.tools/bin/actionlint -color=false
shellcheck scripts/*.sh .ci/run
docker-compose -f docker-compose.yml config -q
echo "  actionlint, shellcheck, compose config: clean"
