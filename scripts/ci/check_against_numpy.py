#!/usr/bin/env python3
"""Cross-check `attune run` against a NumPy float64 reference, through .npy files.

NumPy writes Q, K and V (float32 and float64, 2-D and 4-D), `attune run` computes O with each
kernel, and NumPy recomputes O in float64 from the same float32 values. Prints one line per case
with the error relative to max|V|, and exits 1 if any exceeds the tolerance (1e-5, the contract).

Usage: python3 scripts/ci/check_against_numpy.py [path/to/attune]   (default: .build/release/attune)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

TOLERANCE = 1e-5
KERNELS = ["naive", "blocked", "parallel", "simd", "fused"]


def reference(q, k, v, scale):
    """softmax(q·kᵀ·scale)·v in float64, from the float32 values attune sees."""
    q, k, v = (np.asarray(x, dtype=np.float32).astype(np.float64) for x in (q, k, v))
    q2, k2, v2 = q.reshape(-1, q.shape[-1]), k.reshape(-1, k.shape[-1]), v.reshape(-1, v.shape[-1])
    s = q2 @ k2.T * scale
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    return (p @ v2).reshape(q.shape[:-1] + (v.shape[-1],))


def cases(rng):
    """(name, q, k, v, scale or None) for shapes at SIMD tails and block edges."""
    for nq, nk, dk, dv in [(1, 1, 1, 1), (7, 63, 3, 72), (65, 64, 64, 64), (1000, 65, 128, 7)]:
        yield (f"random f32 Nq={nq} Nk={nk} dk={dk} dv={dv}",
               rng.standard_normal((nq, dk), dtype=np.float32),
               rng.standard_normal((nk, dk), dtype=np.float32),
               rng.standard_normal((nk, dv), dtype=np.float32), None)
    yield ("random f64 inputs Nq=100 Nk=90 dk=64",
           rng.standard_normal((100, 64)), rng.standard_normal((90, 64)),
           rng.standard_normal((90, 64)), None)
    yield ("4-D [1, 1, N, d] Nq=33 Nk=47 dk=16",
           rng.standard_normal((1, 1, 33, 16), dtype=np.float32),
           rng.standard_normal((1, 1, 47, 16), dtype=np.float32),
           rng.standard_normal((1, 1, 47, 16), dtype=np.float32), None)
    # Integer data and a power-of-two scale: logits up to ±1e4, exact in float32.
    q = rng.integers(-100, 101, (70, 64)).astype(np.float32)
    k = rng.integers(-100, 101, (90, 64)).astype(np.float32)
    largest = np.abs(q.astype(np.float64) @ k.T.astype(np.float64)).max()
    scale = 2.0 ** np.floor(np.log2(1e4 / largest))
    yield (f"logits up to {largest * scale:.0f}", q, k,
           rng.standard_normal((90, 64), dtype=np.float32), scale)


def main():
    attune = sys.argv[1] if len(sys.argv) > 1 else ".build/release/attune"
    if not os.access(attune, os.X_OK):
        sys.exit(f"error: {attune} is not an executable; build with `swift build -c release`")
    rng = np.random.default_rng(2024)
    failures = 0
    worst = 0.0
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, q, k, v, scale in cases(rng):
            paths = {t: os.path.join(tmp, f"{t}.npy") for t in "qkvo"}
            for t, x in zip("qkv", (q, k, v)):
                np.save(paths[t], x)
            want = reference(q, k, v, scale if scale else 1 / np.sqrt(q.shape[-1]))
            for kernel in KERNELS:
                command = [attune, "run", "--q", paths["q"], "--k", paths["k"], "--v", paths["v"],
                           "--out", paths["o"], "--kernel", kernel]
                if scale:
                    command += ["--scale", repr(float(scale))]
                run = subprocess.run(command, capture_output=True, text=True)
                if run.returncode != 0:
                    print(f"FAIL {kernel:8} {name}: exit {run.returncode}: {run.stderr.strip()}")
                    failures += 1
                    continue
                got = np.load(paths["o"])
                error = np.abs(got.astype(np.float64) - want).max() / np.abs(v).max()
                ok = got.shape == want.shape and got.dtype == np.float32 and error <= TOLERANCE
                worst = max(worst, error)
                count += 1
                print(f"{'ok  ' if ok else 'FAIL'} {kernel:8} {name}: max|ΔO|/max|V| = {error:.2e}")
                failures += 0 if ok else 1
    print(f"{count - failures} passed, {failures} failed (worst {worst:.2e}, tolerance {TOLERANCE:g})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
