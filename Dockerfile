# syntax=docker/dockerfile:1
#
# One image per BFF app:
#   docker build --build-arg APP=web-bff                  -t bff/web-bff .
#   docker build --build-arg APP=mobile-bff  --build-arg PORT=3001 -t bff/mobile-bff .
#   docker build --build-arg APP=partner-bff --build-arg PORT=3002 -t bff/partner-bff .
#
# Stages: build (full install + compile) -> prod-deps (runtime deps only) ->
# runtime (dist + prod node_modules, non-root). Lint with:
#   node scripts/lint-dockerfile.mjs
# Prove the runtime needs no devDependency (no Docker required):
#   node scripts/prod-closure.mjs

# ---------------------------------------------------------------------------
# 1) build: install everything, compile TypeScript to dist/
# ---------------------------------------------------------------------------
FROM node:24-slim AS build
WORKDIR /app

# Dependency layer first so source edits do not invalidate the npm cache layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# .dockerignore keeps sandbox/, test/, bench/, .tools/, node_modules, .git out.
COPY . .
RUN npm run build

# ---------------------------------------------------------------------------
# 2) prod-deps: production dependencies only, no lifecycle scripts
# ---------------------------------------------------------------------------
FROM node:24-slim AS prod-deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------
# 3) runtime
# ---------------------------------------------------------------------------
FROM node:24-slim AS runtime

# Which app this image runs (apps/<APP>) and the port it listens on
# (web-bff 3000, mobile-bff 3001, partner-bff 3002).
ARG APP=web-bff
ARG PORT=3000

ENV NODE_ENV=production \
    APP=${APP} \
    HOST=0.0.0.0 \
    PORT=${PORT}

LABEL org.opencontainers.image.title="bff-platform/${APP}" \
      org.opencontainers.image.description="Backend-for-Frontend app ${APP} (NestJS on Fastify)"

WORKDIR /app

# Files stay owned by root (read-only for the runtime user); only the process
# runs as `node`. package.json is needed for "type": "module".
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist

# Fixed entry path so CMD can stay in exec form without a shell or an
# entrypoint script (exec-form CMD does not expand ${APP}). Node resolves the
# symlink (realpath) for the main module, so the app's relative imports and
# source maps resolve from dist/apps/${APP}/. Fails the build on a bad APP.
RUN test -f "/app/dist/apps/${APP}/main.js" \
 && ln -s "/app/dist/apps/${APP}/main.js" /app/main.js

USER node

EXPOSE ${PORT}

# Liveness only (no upstream calls). Node itself does the probe: slim has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# PID 1 is node itself (exec form, no shell, no tini). That is deliberate:
# - a PID-1 process gets no default signal dispositions, but the app installs
#   its own SIGTERM/SIGINT handlers (graceful Nest shutdown: stop accepting,
#   drain in-flight requests, close upstream pools, exit 0), so `docker stop`
#   / Kubernetes SIGTERM reaches it and is honoured;
# - node spawns no child processes, so there are no zombies to reap.
# If that ever changes, run with `docker run --init` (or add tini) instead.
STOPSIGNAL SIGTERM
# The node flags are scripts/production-node-flags.ts (lint-dockerfile checks them); the
# benchmark and the e2e suites start the apps with the same flags.
CMD ["node", "--no-memory-reducer", "--expose-gc", "/app/main.js"]
