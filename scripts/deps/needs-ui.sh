#!/usr/bin/env bash
# The browser tests (test/e2e/ui) drive Debian's Chromium through playwright-core; fonts so text renders in screenshots.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/deps/apt-install.sh chromium fonts-dejavu-core
