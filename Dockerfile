# syntax=docker/dockerfile:1

# Build: compile TypeScript with the full toolchain.
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# Runtime: production dependencies only, non-root.
FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
# The embedded database (no DATABASE_URL) keeps its files here: mount a volume so they outlive the container.
VOLUME ["/app/data"]
EXPOSE 3000
# Healthy means ready: the database answers (/readyz). Liveness alone (/healthz) would report a container
# whose database is gone as healthy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The server applies pending migrations itself at start-up (the migrator's lock makes concurrent starts safe);
# telemetry is loaded first so its instrumentation sees the modules it patches.
CMD ["node", "--max-semi-space-size=4", "--import", "./dist/src/telemetry.js", "dist/src/server.js"]
