#!/usr/bin/env bash
# Offline checks of everything that deploys the platform (tools from scripts/bin/ensure-tools.sh):
# - the Terraform: `tofu fmt -check`, tflint (bundled terraform ruleset), checkov;
# - the workflows: actionlint (which also runs ShellCheck on every `run:` block), checkov;
# - the Dockerfile: checkov (and tests/infra/images.test.ts lints it);
# - our shell scripts: ShellCheck; the compose file: `docker-compose config`.
# Providers cannot be downloaded here, so no `tofu init/validate`: tests/infra/terraform.test.ts
# parses the HCL and checks what matters instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TF_CLI_CONFIG_FILE=/dev/null # no ~/.terraformrc needed, none read

.tools/bin/tofu fmt -check -recursive -diff infrastructure
(cd infrastructure && ../.tools/bin/tflint --recursive --config "$PWD/.tflint.hcl")
.tools/checkov/bin/checkov --quiet --compact --skip-download -d infrastructure --framework terraform
.tools/checkov/bin/checkov --quiet --compact --skip-download -d . --framework dockerfile github_actions \
  --skip-path node_modules --skip-path .venv --skip-path .tools --skip-path dist --skip-path .vercel
.tools/bin/actionlint -color=false
shellcheck -x scripts/bin/*.sh .ci/run
docker-compose -f docker-compose.yml config -q
echo "  tofu fmt, tflint, checkov, actionlint, shellcheck, compose config: clean"
