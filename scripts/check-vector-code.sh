#!/usr/bin/env bash
# Checks that the simd and fused kernels in a built `attune` binary use the CPU's wide vector
# FMA instructions: 256- or 512-bit vfmadd on x86-64 (ymm/zmm registers), fmla on arm64; and, on
# x86-64, that the C score loops hold AVX-512: vdpbf16ps in the bfloat16 one (attune_bf16_scores),
# zmm vfmadd in the decode one (attune_direct_scores).
#
# Usage: scripts/check-vector-code.sh [path/to/attune]     (default: .build/release/attune)
# Prints the count per kernel and register width; exits 1 if a kernel has none.
set -euo pipefail
binary=${1:-.build/release/attune}
[ -x "$binary" ] || { echo "error: $binary is not an executable; run 'swift build -c release'" >&2; exit 1; }
command -v objdump >/dev/null || { echo "error: objdump is missing (apt-get install binutils)" >&2; exit 1; }

case "$(uname -m)" in
  x86_64) pattern='vfmadd[0-9a-z]+[[:space:]].*%(y|z)mm'; width='%(x|y|z)mm' ;;
  aarch64|arm64) pattern='fmla[[:space:]]+v[0-9]+\.4s'; width='v[0-9]+\.4s' ;;
  *) echo "error: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

# One line per wide FMA: "<function> <register kind>", functions named in demangled Swift.
listing=$(objdump -d --no-show-raw-insn "$binary" | swift demangle --simplified |
  awk -v pattern="$pattern" -v width="$width" '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn) }
    $0 ~ pattern { match($0, width); print fn "\t" substr($0, RSTART, RLENGTH) }')

status=0
# The fused kernel's tile walk lives in FusedTileWalker.accumulate; its decode scores (portable
# path) in DirectScores.compute.
for kernel in SIMDAttention.compute FusedTileWalker.accumulate DirectScores.compute; do
  lines=$(printf '%s\n' "$listing" | grep -F "$kernel" || true)
  count=$(printf '%s' "$lines" | grep -c . || true)
  kinds=$(printf '%s\n' "$lines" | cut -f2 | sed 's/^%//; s/[0-9]*\.4s$/ 128-bit NEON/' | sort | uniq -c | tr -s ' ' | paste -sd, -)
  if [ "$count" -gt 0 ]; then
    echo "ok   $kernel: $count wide FMA instructions ($kinds)"
  else
    echo "FAIL $kernel: no wide FMA instructions: the kernels were built without the CPU's vector unit"
    status=1
  fi
done
# A C loop (x86-64 only): function name, instruction pattern, what it must hold, what is missing.
check_c_loop() {
  count=$(objdump -d --no-show-raw-insn "$binary" |
    awk -v name="<$1>:" '/^[0-9a-f]+ <.*>:$/ { inside = (index($0, name) > 0) } inside' |
    grep -cE "$2" || true)
  if [ "$count" -gt 0 ]; then
    echo "ok   $1: $count $3"
  else
    echo "FAIL $1: no $3: $4"
    status=1
  fi
}
if [ "$(uname -m)" = x86_64 ]; then
  check_c_loop attune_bf16_scores 'vdpbf16ps.*%zmm' "vdpbf16ps instructions (zmm)" \
    "the bfloat16 score loop was built without AVX512-BF16"
  check_c_loop attune_direct_scores 'vfmadd.*%zmm' "vfmadd instructions (zmm)" \
    "the decode score loop was built without AVX-512"
fi
exit $status
