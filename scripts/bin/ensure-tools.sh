#!/usr/bin/env bash
# Installs what `npm run demo` and `npm test` need, and only what is missing:
# Debian's redis-server and chromium, a project-local Python venv with moto's server,
# and the node modules from the lock file; with --infra (npm test), also the linters for
# the infrastructure. Safe to run again; fast when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '▸ %s\n' "$*"; }
started=$SECONDS
infra=false
[ "${1:-}" = "--infra" ] && infra=true

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if $infra; then
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  # Compose v1 from Debian: enough for `config` (no Docker engine runs here).
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
fi
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  log "installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

requirements=scripts/emulator/requirements.txt
stamp=.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  log "creating .venv with moto's server ($requirements)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$requirements"
  echo "$wanted" >"$stamp"
fi

# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if $infra; then
# Linters for the infrastructure, pinned, built from the Go module proxy into .tools/bin
# (release downloads cannot be reached) and checkov in a venv of its own.
# shellcheck source=scripts/tools/versions.env
. scripts/tools/versions.env
need_go() { command -v go >/dev/null 2>&1 || { echo "error: Go is needed to build $1" >&2; exit 1; }; }
if [ "$(.tools/bin/actionlint -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  need_go actionlint
  log "building actionlint $ACTIONLINT_VERSION (go install)"
  GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
# (Versions are read into variables first: `| grep -q` under pipefail fails on SIGPIPE.)
tflint_version=$(.tools/bin/tflint --version 2>/dev/null || true)
if [[ "$tflint_version" != *"version ${TFLINT_VERSION#v}"* ]]; then
  need_go tflint
  log "building tflint $TFLINT_VERSION (go install)"
  GOBIN="$PWD/.tools/bin" go install "github.com/terraform-linters/tflint@$TFLINT_VERSION"
fi
# terraform-docs writes each module README's inputs and outputs; like OpenTofu, its module is
# built from the proxy's copy (the proxy answers `go install`'s version list with a 403).
terraform_docs_version=$(.tools/bin/terraform-docs --version 2>/dev/null || true)
if [[ "$terraform_docs_version" != *"version $TERRAFORM_DOCS_VERSION "* ]]; then
  need_go terraform-docs
  log "building terraform-docs $TERRAFORM_DOCS_VERSION from its Go module"
  docs_dir=$(go mod download -json "github.com/terraform-docs/terraform-docs@$TERRAFORM_DOCS_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  (cd "$docs_dir" && GOFLAGS=-mod=mod go build -o "$OLDPWD/.tools/bin/terraform-docs" .)
fi
tofu_version=$(TF_CLI_CONFIG_FILE=/dev/null .tools/bin/tofu version 2>/dev/null || true)
if [[ "$tofu_version" != *"OpenTofu ${TOFU_VERSION}"* ]]; then
  need_go OpenTofu
  # OpenTofu's go.mod has replace directives, so `go install pkg@version` refuses it: build
  # the same module source from the proxy's cache, as its own main module. Takes minutes.
  log "building OpenTofu $TOFU_VERSION from its Go module (a few minutes, once)"
  tofu_dir=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  (cd "$tofu_dir" && GOFLAGS=-mod=mod go build -o "$OLDPWD/.tools/bin/tofu" ./cmd/tofu)
fi
# The AWS provider, built from its Go module (provider downloads cannot be reached): its
# main branch as the proxy serves it (versions in scripts/tools/versions.env). A binary of ~0.9 GB
# that takes ~30 min to build cold, so it is kept once per machine, outside the clone; the Go
# build cache makes a rebuild a few minutes. OpenTofu finds it through a filesystem mirror
# (.tools/tofu-providers) named by .tools/tofurc: unlike dev_overrides, a mirror lets
# `tofu init` finish offline and write a lock file, so init, validate, plan and apply run
# exactly as they do with the registry's provider.
provider_cache="${PILOTHOUSE_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pilothouse}/terraform-provider-aws/$AWS_PROVIDER_MODULE_VERSION"
if [ ! -x "$provider_cache/terraform-provider-aws" ]; then
  need_go "the AWS provider"
  log "building the AWS provider ($AWS_PROVIDER_MODULE@$AWS_PROVIDER_MODULE_VERSION): ~30 min on 2 cores the first time on a machine"
  provider_dir=$(go mod download -json "$AWS_PROVIDER_MODULE@$AWS_PROVIDER_MODULE_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  mkdir -p "$provider_cache"
  (cd "$provider_dir" && GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "$provider_cache/terraform-provider-aws.partial" .)
  mv "$provider_cache/terraform-provider-aws.partial" "$provider_cache/terraform-provider-aws"
fi
mirror_dir=.tools/tofu-providers/registry.opentofu.org/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64
if [ "$(readlink "$mirror_dir/terraform-provider-aws_v$AWS_PROVIDER_VERSION" 2>/dev/null)" != "$provider_cache/terraform-provider-aws" ]; then
  mkdir -p "$mirror_dir"
  ln -sfn "$provider_cache/terraform-provider-aws" "$mirror_dir/terraform-provider-aws_v$AWS_PROVIDER_VERSION"
fi
cat >.tools/tofurc.partial <<TOFURC
# Written by scripts/bin/ensure-tools.sh: the AWS provider from the local mirror, nothing from the network.
provider_installation {
  filesystem_mirror {
    path    = "$PWD/.tools/tofu-providers"
    include = ["registry.opentofu.org/hashicorp/aws"]
  }
}
TOFURC
mv .tools/tofurc.partial .tools/tofurc

checkov_requirements=scripts/tools/checkov-requirements.txt
checkov_wanted=$(sha256sum "$checkov_requirements" | cut -d' ' -f1)
if [ ! -x .tools/checkov/bin/checkov ] || [ "$(cat .tools/checkov/.requirements.sha256 2>/dev/null)" != "$checkov_wanted" ]; then
  log "installing checkov ($checkov_requirements)"
  python3 -m venv .tools/checkov
  .tools/checkov/bin/pip install -q --disable-pip-version-check -r "$checkov_requirements"
  echo "$checkov_wanted" >.tools/checkov/.requirements.sha256
fi
fi

if ((SECONDS - started > 1)); then log "tools ready in $((SECONDS - started)) s"; fi
