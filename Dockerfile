# syntax=docker/dockerfile:1
# restorepoints: the Slack bot for Veeam Backup for Microsoft Azure.
#   docker build -t restorepoints .
#   docker run --rm --env-file restorepoints.env restorepoints            # serve (the default)
#   docker run --rm --env-file restorepoints.env restorepoints check      # the deployment doctor
# Node runs the TypeScript sources directly (type stripping): there is no build step, so the
# first stage only installs the production dependencies.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Everything belongs to root and is read-only for the user the bot runs as.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json manifest.yml ./
COPY bin ./bin
COPY src ./src
# The alert state (STATE_FILE, SQLite) lives on a volume owned by the bot's user: the only place it
# writes. Without a volume mounted there, a new container starts the alerts afresh (one baseline message).
RUN mkdir -p /var/lib/restorepoints && chown node:node /var/lib/restorepoints
ENV STATE_FILE=/var/lib/restorepoints/restorepoints-state.db
VOLUME ["/var/lib/restorepoints"]
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# /healthz with Node itself: slim images have no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) finishes answers and a running digest (10 s at most) and logs out of
# the appliances: give it `--stop-timeout 20` (compose: stop_grace_period: 20s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/restorepoints.ts"]
CMD ["serve"]
