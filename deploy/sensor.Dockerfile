# Image for deploy/sensor-daemonset.yaml. Build from the repository root:
#   docker build -f deploy/sensor.Dockerfile -t ghcr.io/burnwatch/sensor:0.1.0 .
# The BPF object is CO-RE: built once against the build host's BTF, relocated at load
# time against each node's kernel, so one image serves every kernel with BTF.

# Debian bookworm underneath: the same pinned base for every stage (as in deploy/service.Dockerfile, whose comment
# says how to record its digest and build with tag@sha256:…).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS bpf
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang llvm libbpf-dev bpftool make gcc libc6-dev libelf-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY bpf/ bpf/
# The build host's /sys/kernel/btf/vmlinux gives vmlinux.h (types only; CO-RE relocates).
RUN make -C bpf

FROM ${NODE_IMAGE} AS agent
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY sensor/ sensor/
COPY src/ src/
COPY migrations/ migrations/
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM ${NODE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends libbpf1 libelf1 zlib1g \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=agent /app/node_modules node_modules/
COPY --from=agent /app/dist/sensor dist/sensor/
COPY --from=agent /app/package.json ./
COPY --from=bpf /src/bpf/build/burnwatch-loader /usr/local/bin/burnwatch-loader
ENV BURNWATCH_SENSOR_LOADER=/usr/local/bin/burnwatch-loader NODE_ENV=production
EXPOSE 9464
ENTRYPOINT ["node", "dist/sensor/main.js"]
