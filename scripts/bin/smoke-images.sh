#!/usr/bin/env bash
# Smoke-runs the images CI built (.github/workflows/ci.yml, job `images`), against the job's
# Redis service container on 127.0.0.1:6379:
# - the api image answers /api/health/ (the ALB's health check path) with 200;
# - the worker image starts, reaches "worker ready", and on SIGTERM (what ECS sends) logs
#   "stopped" and exits 0 within its stop grace.
# Usage: smoke-images.sh <api image> <worker image>. Needs a Docker engine: it runs only on GitHub.
set -euo pipefail
api_image=$1
worker_image=$2
redis_url=redis://127.0.0.1:6379
common=(--network host -e "REDIS_URL=$redis_url" -e ARTIFACTS_BUCKET=pilothouse-ci-artifacts -e AWS_REGION=us-east-1)

cleanup() { docker rm -f pilothouse-api-smoke pilothouse-worker-smoke >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker run -d --name pilothouse-api-smoke "${common[@]}" -e HOST=127.0.0.1 -e PORT=8000 \
  -e API_KEYS=ci:ci-smoke-secret-0123456789 "$api_image" >/dev/null
for _ in $(seq 1 60); do
  if status=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/api/health/) && [ "$status" = 200 ]; then
    echo "api: /api/health/ answered 200"
    break
  fi
  sleep 1
done
if [ "${status:-}" != 200 ]; then
  echo "::error::the api image did not answer /api/health/ with 200 within 60 s (last: ${status:-none})"
  docker logs pilothouse-api-smoke
  exit 1
fi

docker run -d --name pilothouse-worker-smoke "${common[@]}" -e BACKLOG_METRIC_INTERVAL_MS=0 \
  -e STOP_GRACE_MS=5000 "$worker_image" >/dev/null
for _ in $(seq 1 60); do
  docker logs pilothouse-worker-smoke 2>&1 | grep -q '"worker ready"' && break
  sleep 1
done
docker logs pilothouse-worker-smoke 2>&1 | grep -q '"worker ready"' || {
  echo "::error::the worker image did not log \"worker ready\" within 60 s"
  docker logs pilothouse-worker-smoke
  exit 1
}
echo "worker: ready; sending SIGTERM"
docker stop --time 30 pilothouse-worker-smoke >/dev/null
code=$(docker inspect --format '{{.State.ExitCode}}' pilothouse-worker-smoke)
if [ "$code" != 0 ] || ! docker logs pilothouse-worker-smoke 2>&1 | grep -q '"stopped"'; then
  echo "::error::the worker did not stop cleanly on SIGTERM (exit $code)"
  docker logs pilothouse-worker-smoke
  exit 1
fi
echo "worker: stopped cleanly on SIGTERM (exit 0)"
