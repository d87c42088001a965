#!/usr/bin/env bash
# How fast each micro-kernel of an x86-64 entry runs on one core with its operands in cache, as a
# share of that core's vector FMA peak measured in the same run (scripts/bench/micro_kernel_speed.c).
# A tuning aid for the C kernels: it needs only clang and no Swift build. Not run in CI.
#
# Usage: scripts/bench/micro_kernel_speed.sh [avx2|avx512] [rounds]   (default: avx2 7)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$(uname -m)" in x86_64) ;; *) echo "error: x86-64 only" >&2; exit 2 ;; esac
isa=${1:-avx2}
case "$isa" in avx2|avx512) ;; *) echo "error: give avx2 or avx512, not '$isa'" >&2; exit 64 ;; esac
rounds=${2:-7}
[[ "$rounds" =~ ^[1-9][0-9]{0,2}$ ]] || { echo "error: rounds must be 1 to 999, not '$rounds'" >&2; exit 64; }
command -v clang >/dev/null || { echo "error: clang is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$root/Sources/_AttuneMicroKernels"
clang -O2 -I"$src/include" "$src/x86/avx2fma.c" "$src/x86/avx512f.c" "$src/Dispatch.c" \
  "$src/Half.c" "$root/scripts/bench/micro_kernel_speed.c" -o "$work/speed"
"$work/speed" "$isa" "$rounds"
