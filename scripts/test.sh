#!/usr/bin/env bash
# The whole test suite: dependencies, lint, types, unit, integration, e2e (and, as they land, eBPF and browser tests).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-deps.sh || { echo "could not prepare the test dependencies"; exit 1; }
npm run --silent lint || exit 1
npm run --silent typecheck || exit 1
mkdir -p test-artifacts
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json
status=$?
node scripts/print-test-summary.mjs test-artifacts/vitest.json || status=1
exit $status
