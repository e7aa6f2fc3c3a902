#!/usr/bin/env bash
# The eBPF sensor's tests build bpf/ and load it into the kernel: clang, libbpf, bpftool, nginx, tracefs.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-bpf-deps.sh
