# syntax=docker/dockerfile:1
#
# One image for every Tributary app: `docker build -f infra/docker/app.Dockerfile --build-arg APP=ingestion .`
# runs apps/ingestion. docker-compose.yml builds it once per app service (`args: { APP: <folder under apps/> }`).
# Only the last stage reads APP, so every app shares the install and build layers and differs by a few bytes.
# The context is the repo root; .dockerignore keeps node_modules, dist, .tributary, .git and .env out of it.

ARG NODE_IMAGE=node:24-bookworm-slim

# The manifests alone (every package.json and the lockfile), so the `npm ci` layer below is rebuilt only
# when dependencies change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false
COPY --from=manifests /src ./
RUN npm ci --no-audit
COPY . .
# Every workspace's dist (turbo builds the packages before the apps that import them).
RUN npx turbo run build --output-logs=errors-only
# Runtime dependencies only. The workspace links (node_modules/@tributary/* -> packages/*) stay: the apps
# import the packages' dist through them.
RUN npm prune --omit=dev --no-audit

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# Copied before APP is declared, so this (large) layer is the same for every app.
COPY --from=build /app ./
ARG APP
# A missing or mistyped APP fails the build here rather than every start of the container.
RUN if [ -z "${APP}" ]; then echo 'build with --build-arg APP=<a folder under apps/>' >&2; exit 1; fi; \
  if [ ! -f "apps/${APP}/dist/main.js" ]; then echo "no apps/${APP}/dist/main.js: not an app" >&2; exit 1; fi
# APP stays in the environment: the command reads it, and logs and `docker inspect` show which app runs.
# PORT: every app listens on 3000 in its container (compose and infra/prometheus/targets/apps.yml rely on it).
ENV NODE_ENV=production APP=${APP} PORT=3000
EXPOSE 3000
# The image's unprivileged user: the app cannot write to its own code or dependencies (owned by root).
USER node
# exec: node replaces the shell as PID 1, so `docker stop`'s SIGTERM reaches the app's graceful shutdown
# (compose gives it stop_grace_period: 30s; the apps' deadline is 25 s).
CMD ["sh", "-c", "exec node \"apps/${APP}/dist/main.js\""]
