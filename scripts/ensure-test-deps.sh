#!/usr/bin/env bash
# Makes sure everything the tests need is on this machine and running. Idempotent: fast when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL (the tests create their own database on it).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    bash scripts/deps/apt-install.sh postgresql
  fi
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# Each part of the project lists what it needs in scripts/deps/<part>.sh.
for part in scripts/deps/needs-*.sh; do
  [ -e "$part" ] && bash "$part"
done
exit 0
