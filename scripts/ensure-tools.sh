#!/usr/bin/env bash
# Installs what `npm run demo` and `npm test` need, and only what is missing:
# Debian's redis-server and chromium, a project-local Python venv with moto's server,
# and the node modules from the lock file. Safe to run again; fast when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '▸ %s\n' "$*"; }
started=$SECONDS

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# Compose v1 from Debian: enough for `config` (no Docker engine runs here).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
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

# Go tools, pinned, built into .tools/bin (the Go module proxy is reachable; release downloads are not).
ACTIONLINT_VERSION=v1.7.7
if [ "$(.tools/bin/actionlint -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  command -v go >/dev/null 2>&1 || { echo "error: Go is needed to build actionlint ($ACTIONLINT_VERSION)" >&2; exit 1; }
  log "building actionlint $ACTIONLINT_VERSION (go install)"
  GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

if ((SECONDS - started > 1)); then log "tools ready in $((SECONDS - started)) s"; fi
