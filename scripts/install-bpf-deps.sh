#!/usr/bin/env bash
# Installs what the eBPF sensor needs to build, test and benchmark, and mounts tracefs.
# Idempotent: checks first, runs `apt-get update` only when something is missing.
# Debian bookworm package names; run as root (CI and the dev machines are root).
set -euo pipefail

# nghttp2-client: nghttp and h2load (HTTP/2 tests and bench); python3-h2: the Upgrade: h2c test server.
PACKAGES=(clang llvm libbpf-dev bpftool make gcc libelf-dev zlib1g-dev pkg-config nginx wrk nghttp2-client python3-h2)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-bpf-deps: missing packages (${missing[*]}) and not root: run as root" >&2
    exit 1
  fi
  echo "install-bpf-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1
  # nginx's package starts a service on :80 where an init system runs; our tests start their own.
  if command -v nginx >/dev/null && [[ -f /run/nginx.pid ]]; then
    nginx -s quit 2>/dev/null || true
  fi
else
  echo "install-bpf-deps: all packages present"
fi

# bpftool on Debian is /usr/sbin/bpftool; make sure it answers.
command -v bpftool >/dev/null || PATH="$PATH:/usr/sbin"
bpftool version >/dev/null

# Syscall tracepoints need tracefs.
if [[ ! -d /sys/kernel/tracing/events ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    mount -t tracefs tracefs /sys/kernel/tracing
    echo "install-bpf-deps: mounted tracefs on /sys/kernel/tracing"
  else
    echo "install-bpf-deps: tracefs is not mounted and not root: mount -t tracefs tracefs /sys/kernel/tracing" >&2
    exit 1
  fi
fi

if [[ ! -r /sys/kernel/btf/vmlinux ]]; then
  echo "install-bpf-deps: warning: /sys/kernel/btf/vmlinux missing: this kernel has no BTF, the sensor cannot load" >&2
fi
echo "install-bpf-deps: ok"
