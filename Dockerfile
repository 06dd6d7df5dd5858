# syntax=docker/dockerfile:1
# The platform's services: `docker build --target api .` and `--target worker .`.
# Both run the tsc build of worker/ with the services' runtime dependencies only
# (scripts/bin/service-deps.mjs): no Next.js, no dev tooling, as a non-root user.

ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NODE_ENV=production

# Compile worker/ (and contracts/, what it shares with the control plane) to dist/.
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY contracts contracts
COPY worker worker
RUN node node_modules/typescript/bin/tsc -p worker

# The services' production dependencies, resolved within the root lock file's versions.
FROM base AS service-deps
COPY package.json package-lock.json scripts/bin/service-deps.mjs ./
RUN node service-deps.mjs package.json > services.json \
 && mv services.json package.json \
 && npm install --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

FROM base AS api
COPY --from=service-deps /app/node_modules node_modules
COPY --from=service-deps /app/package.json package.json
COPY --from=build /app/dist dist
USER node
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
# The same path the ALB checks; node's fetch avoids installing curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/api/health/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/worker/main-api.js"]

FROM base AS worker
# Debian's Chromium (Playwright's own browser download is not used) and fonts for rendering;
# tini as PID 1: Chromium's helpers orphaned by a crash are reaped, not left as zombies
# (node as PID 1 does not reap), and SIGTERM reaches node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=service-deps /app/node_modules node_modules
COPY --from=service-deps /app/package.json package.json
COPY --from=build /app/dist dist
USER node
ENV CHROMIUM_PATH=/usr/bin/chromium
# ECS sends SIGTERM and waits stopTimeout (30 s) before SIGKILL; the worker drains within STOP_GRACE_MS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/worker/main-worker.js"]
