#!/usr/bin/env bash
# The PromQL source tests start a real Prometheus and a real VictoriaMetrics (Debian's packages) on loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/deps/apt-install.sh prometheus victoria-metrics
