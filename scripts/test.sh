#!/usr/bin/env bash
# The whole test suite: dependencies, lint, types, unit, integration and e2e (Postgres, Prometheus,
# VictoriaMetrics, Chromium), then the eBPF sensor's tests (real programs in the kernel; they run alone, since
# they count exactly the HTTP traffic that crosses the kernel).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-deps.sh || { echo "could not prepare the test dependencies"; exit 1; }
npm run --silent lint || exit 1
npm run --silent typecheck || exit 1
mkdir -p test-artifacts
rm -f test-artifacts/vitest-*.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest-service.json || status=1
npx vitest run --config test/sensor/vitest.config.ts --reporter=default --reporter=json \
  --outputFile.json=test-artifacts/vitest-sensor.json || status=1
node scripts/print-test-summary.mjs test-artifacts/vitest-service.json test-artifacts/vitest-sensor.json || status=1
exit $status
