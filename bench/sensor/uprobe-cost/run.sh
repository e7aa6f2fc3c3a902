#!/usr/bin/env bash
# What one probed OpenSSL call costs, by the shape of the function's first instruction (root; bounded):
#   bash bench/sensor/uprobe-cost/run.sh [LOADER] [N]
# fakessl.c is a stand-in "libssl.so.99": SSL_read/SSL_write begin with `push %rbp` (as in Node's built-in OpenSSL,
# which the kernel emulates), SSL_read_ex/SSL_write_ex with `sub $8,%rsp` (as in Debian's libssl.so.3: the kernel
# single-steps it out of line). Prints one Markdown row without the sensor and one with LOADER running
# (default: bpf/build/burnwatch-loader): ns per call, the calls' own work being ~1 ns.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
loader=${1:-$here/../../../bpf/build/burnwatch-loader}
n=${2:-50000}
tmp=$(mktemp -d)
trap 'kill "$lpid" 2>/dev/null || true; exec 7>&- 2>/dev/null || true; rm -rf "$tmp"' EXIT
lpid=
cc -O2 -shared -fPIC -o "$tmp/libssl.so.99" "$here/fakessl.c"
cc -O2 -o "$tmp/fakecost" "$here/fakecost.c" "$tmp/libssl.so.99" -Wl,-rpath,"$tmp"
echo "| run | SSL_read (push: entry + return) | SSL_write (push: entry, + return on the branch) | SSL_read_ex (sub: entry + return) | SSL_write_ex (sub) |"
echo "| --- | --- | --- | --- | --- |"
echo "| no sensor $("$tmp/fakecost" "$n")"
mkfifo -m 600 "$tmp/go"
"$tmp/fakecost" "$n" wait <"$tmp/go" >"$tmp/out" &
cpid=$!
exec 7>"$tmp/go"
"$loader" >/dev/null 2>"$tmp/loader.err" &
lpid=$!
for _ in $(seq 50); do grep -q "streaming records" "$tmp/loader.err" 2>/dev/null && break; sleep 0.2; done
grep -q "libssl.so.99" "$tmp/loader.err" || { echo "the loader did not probe libssl.so.99" >&2; exit 1; }
echo go >&7
exec 7>&-
timeout 120 tail --pid="$cpid" -f /dev/null
echo "| sensor $(grep '^|' "$tmp/out")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
