# Image for the Burnwatch service (API, web UI, engine), used by deploy/base/service.yaml. From the repository root:
#   docker build -f deploy/service.Dockerfile -t ghcr.io/burnwatch/burnwatch:0.1.0 .
# One pinned base for both stages: Node 20.20.2 on Debian bookworm, the Node version the tests run on.
# Digest: not recorded here (these machines reach no container registry). Record it when building a release:
#   docker buildx imagetools inspect node:20.20.2-bookworm-slim   # → Digest: sha256:…
# and build with --build-arg NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:… (the deploy test accepts tag@digest).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src/ src/
COPY migrations/ migrations/
COPY sensor/ sensor/
COPY ui/ ui/
# Compiled JavaScript and the built UI; then only the production dependencies stay.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules/
COPY --from=build /src/dist dist/
COPY --from=build /src/ui/dist ui/dist/
ENV NODE_ENV=production PORT=8080
# In a cluster the sensor DaemonSet measures every node; the service never starts a sensor of its own.
ENV BURNWATCH_SENSOR=off
# The image's unprivileged "node" user; the root filesystem can be read-only (nothing is written outside /tmp).
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "dist/src/main.js"]
