#!/usr/bin/env bash
# Checks that a built `attune` binary carries every micro-kernel entry of its architecture and that
# each uses its instruction set's vector fused multiply-add: the simd and fused kernels run on
# these (Sources/_AttuneMicroKernels, chosen at run time), whatever flags the build had.
#   x86-64: the avx512f functions hold zmm vfmadd, the avx2fma ones ymm vfmadd (and no zmm: they
#           must run on AVX2-only CPUs); attune_bf16_scores holds vdpbf16ps; the KV cache's
#           widening functions hold vector conversions of their width (vcvtph2ps, vcvtdq2ps).
#   arm64:  the neon functions hold fmla on .4s vectors.
# On x86-64 the score, product and decode kernels must also keep their vectors in registers: a
# vector register stored to or loaded from the stack (a spill) puts a store and a reload in the
# chain of multiply-adds (the AVX2 product kernel, unrolled four keys deep, spilled 230 times and
# took 1.11x the time at N = 2048 on a Zen 4).
#
# Usage: scripts/ci/check_vector_code.sh [path/to/attune]     (default: .build/release/attune)
# Prints the count per function; exits 1 if one is missing or lacks its instructions.
set -euo pipefail
binary=${1:-.build/release/attune}
[ -x "$binary" ] || { echo "error: $binary is not an executable; run 'swift build -c release'" >&2; exit 1; }
command -v objdump >/dev/null || { echo "error: objdump is missing (apt-get install binutils)" >&2; exit 1; }

listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
objdump -d --no-show-raw-insn "$binary" > "$listing"

status=0
# check FUNCTION PATTERN WHAT [FORBIDDEN-PATTERN]: FUNCTION's body must match PATTERN, and not
# FORBIDDEN-PATTERN when given.
check() {
  local body
  body=$(awk -v name="<$1>:" '/^[0-9a-f]+ <.*>:$/ { inside = ($0 ~ name"$") } inside' "$listing" |
    grep -v '^[0-9a-f]* <' || true)
  if [ -z "$body" ]; then
    echo "FAIL $1: not in the binary"
    status=1
    return
  fi
  local count
  count=$(printf '%s\n' "$body" | grep -cE "$2" || true)
  if [ "$count" -eq 0 ]; then
    echo "FAIL $1: no $3"
    status=1
    return
  fi
  if [ -n "${4:-}" ] && printf '%s\n' "$body" | grep -qE "$4"; then
    echo "FAIL $1: uses $4, which the CPUs of its entry may lack"
    status=1
    return
  fi
  echo "ok   $1: $count $3"
}

# nospill FUNCTION: no ymm or zmm register (the kernels' vectors) moves to or from the stack in
# FUNCTION. xmm moves are left out: the compiler uses them for a kernel's arrays of scalars (four
# floats of the VNNI value kernel's units stored at once), as it uses `vmovd` and `vmovq` for a
# loop bound kept on the stack and then broadcast into a lane mask; so are broadcasts from memory,
# `vbroadcastss`, `vpbroadcastd` and AVX-512's embedded `{1toN}`, which read one scalar of a
# kernel's own stack buffer, and AVX-512's narrowing stores, `vpmovsdw` and the like, which write
# a kernel's own buffer and cannot be a spill: they drop the vector's upper bits.)
nospill() {
  local spills
  spills=$(awk -v name="<$1>:" '/^[0-9a-f]+ <.*>:$/ { inside = ($0 ~ name"$") } inside' "$listing" |
    grep -vE '[[:space:]](vmov[dq]|vp?broadcast[bwdqs]+|vpmovu?s?[dwq][bwd])[[:space:]]|\{1to[0-9]+\}' |
    grep -cE '%[yz]mm[0-9]+,[^,]*\(%r[sb]p\)|\(%r[sb]p\)[^,]*,%[yz]mm' || true)
  if [ "$spills" -ne 0 ]; then
    echo "FAIL $1: $spills vector spills to the stack"
    status=1
    return
  fi
  echo "ok   $1: no vector spills"
}

case "$(uname -m)" in
  x86_64)
    for f in f32_scores_8x32_avx512f f32_products_4x64_avx512f f32_products_t_4x64_avx512f \
      f32_decode_4x4_avx512f i8_products_avx512f; do
      check "$f" 'vfmadd[0-9a-z]+[[:space:]].*%zmm' "zmm vfmadd"
    done
    for f in f32_exp_sum_avx512f f32_softmax_backward_avx512f; do
      check "$f" 'vfmadd[0-9a-z]+[[:space:]].*%zmm' "zmm vfmadd (the exponential)"
    done
    for f in f32_scores_6x16_avx2fma f32_products_6x16_avx2fma f32_products_t_6x16_avx2fma \
      f32_decode_4x2_avx2fma attune_f16_decode_avx2fma attune_i8_decode_avx2fma \
      attune_f16_products_avx2fma i8_products_avx2fma; do
      check "$f" 'vfmadd[0-9a-z]+[[:space:]].*%ymm' "ymm vfmadd" '%zmm|%ymm(1[6-9]|2[0-9]|3[01])'
    done
    for f in f32_exp_sum_avx2fma f32_softmax_backward_avx2fma; do
      check "$f" 'vfmadd[0-9a-z]+[[:space:]].*%ymm' "ymm vfmadd (the exponential)" '%zmm'
    done
    check attune_bf16_scores 'vdpbf16ps.*%zmm' "vdpbf16ps (zmm)"
    check i8_decode_vnni_avx512 'vpdpbusd.*%zmm' "vpdpbusd (zmm)"
    check i8_products_vnni_avx512 'vpdpwssd.*%zmm' "vpdpwssd (zmm)"
    # The KV cache's widening: vector conversions, each in its own width.
    check f16_widen_avx2fma 'vcvtph2ps.*%ymm' "ymm vcvtph2ps" '%zmm'
    check i8_widen_avx2fma 'vcvtdq2ps.*%ymm' "ymm vcvtdq2ps" '%zmm'
    check f16_widen_avx512f 'vcvtph2ps.*%zmm' "zmm vcvtph2ps"
    check i8_widen_avx512f 'vcvtdq2ps.*%zmm' "zmm vcvtdq2ps"
    for f in f32_scores_8x32_avx512f f32_products_4x64_avx512f f32_products_t_4x64_avx512f \
      f32_decode_4x4_avx512f i8_products_avx512f i8_decode_vnni_avx512 i8_products_vnni_avx512 f32_scores_6x16_avx2fma \
      f32_products_6x16_avx2fma \
      f32_products_t_6x16_avx2fma f32_decode_4x2_avx2fma \
      attune_f16_decode_avx2fma attune_i8_decode_avx2fma attune_f16_products_avx2fma \
      i8_products_avx2fma; do
      nospill "$f"
    done
    ;;
  aarch64|arm64)
    for f in f32_scores_8x12_neon f32_products_6x16_neon f32_products_t_6x16_neon i8_decode_neon \
      f32_decode_4x4_neon f32_exp_sum_neon f32_softmax_backward_neon; do
      check "$f" 'fmla[[:space:]]+v[0-9]+\.4s' "fmla .4s"
    done
    ;;
  *) echo "error: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
exit $status
