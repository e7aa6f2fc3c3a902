#!/usr/bin/env bash
# The deploy/ tests render the kustomize base with kubectl (Debian's kubernetes-client).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl >/dev/null 2>&1 || bash scripts/deps/apt-install.sh kubernetes-client
