#!/usr/bin/env bash
# Builds the arm64 NEON micro-kernels (Sources/_AttuneMicroKernels) for aarch64 with a cross C
# compiler and runs their test (scripts/ci/neon/micro_kernel_test.c: every operation against double
# precision, sentinels past every output) under qemu-user: correctness only, not speed. Also checks
# that the built code holds NEON fused multiply-adds (fmla on .4s vectors).
#
# Usage: scripts/ci/check_neon_under_qemu.sh    (installs gcc-aarch64-linux-gnu and qemu-user if
# missing, with apt-get; CI runs it)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$root/Sources/_AttuneMicroKernels"
# SwiftPM builds C targets with the toolchain's clang: it must take the file without a warning.
if command -v clang >/dev/null; then
  clang --target=aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include -O2 -Wall -Wextra \
    -Werror -I"$src/include" -c "$src/arm64/neon.c" -o "$work/neon-clang.o"
  clang --target=aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include -O2 -Wall -Wextra \
    -Werror -I"$src/include" -c "$src/Pack.c" -o "$work/pack-clang.o"
  echo "clang builds arm64/neon.c and Pack.c for aarch64 without warnings"
fi
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -std=c11 -I"$src/include" \
  "$src/arm64/neon.c" "$src/Dispatch.c" "$src/Half.c" "$src/Pack.c" "$root/scripts/ci/neon/micro_kernel_test.c" \
  -lm -o "$work/micro_kernel_test"
fmla=$(aarch64-linux-gnu-objdump -d "$work/micro_kernel_test" |
  awk '/^[0-9a-f]+ <f32_.*_neon>:$/ { inside = 1; next } /^[0-9a-f]+ <.*>:$/ { inside = 0 } inside' |
  grep -cE 'fmla[[:space:]]+v[0-9]+\.4s' || true)
echo "NEON micro-kernels: $fmla fmla .4s instructions"
[ "$fmla" -gt 0 ] || { echo "FAIL: the NEON micro-kernels hold no vector fused multiply-add" >&2; exit 1; }
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/micro_kernel_test"
