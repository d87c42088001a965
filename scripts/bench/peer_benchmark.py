#!/usr/bin/env python3
"""Time Attune's kernels against NumPy, onnxruntime and PyTorch on this machine, interleaved.

Every candidate gets the same float32 Q, K, V ([N, d], one head) and the same thread count.
Each round runs every candidate once, in a shuffled order; a sample is the mean time of enough
calls to last --min-sample-ms (at least --calls), after one warm-up call. Ratios are medians of per-round ratios (drift cancels within a
round) with a distribution-free 95 % interval from order statistics. Attune runs in one
long-lived `attune run --serve` process per kernel, which loads the inputs once and times only
the kernel calls, as the Python peers are timed inside this long-lived process.

Candidates:
  numpy         softmax(Q·Kᵀ/√d)·V in float32 NumPy (OpenBLAS): the report's baseline
  numpy-gemm    the two matrix products alone, no softmax: an sgemm of the same FLOP count
  onnxruntime   com.microsoft.MultiHeadAttention, CPU execution provider
  torch         torch.nn.functional.scaled_dot_product_attention
  attune-KERNEL each kernel named by --kernels; KERNEL@ISA runs it on one micro-kernel table
                (ATTUNE_ISA=ISA: avx512, avx2, neon, portable), e.g. --kernels fused,fused@avx2

--hold-avx2 holds the peers that can be held to AVX2 + FMA: PyTorch (ATEN_CPU_CAPABILITY=avx2,
and its MKL and oneDNN: MKL_ENABLE_INSTRUCTIONS=AVX2, ONEDNN_MAX_CPU_ISA=AVX2) and OpenBLAS
(OPENBLAS_CORETYPE=Haswell), to measure Attune's AVX2 entry against them on an
AVX-512 machine. onnxruntime has no such switch: it is reported, not held.

Setup (once; needs PyPI, several GB for PyTorch; never run in CI):
  python3 scripts/bench/peer_benchmark.py --setup
Then:
  python3 scripts/bench/peer_benchmark.py --sizes 512,2048 --dim 64
Peers that are not installed are skipped with a note.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import (HOLD_AVX2, PEERS, ROOT, VENV, VENV_PYTHON, attune_entries, cpu_model,  # noqa: E402,F401
                   enter, median_interval, onnx_attention, setup)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--setup", action="store_true", help="create .venv-peers and install the peers")
    p.add_argument("--attune", default=os.path.join(ROOT, ".build", "release", "attune"))
    p.add_argument("--sizes", default="512,2048", help="N values, comma-separated")
    p.add_argument("--dim", type=int, default=64, help="head dimension d")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--calls", type=int, default=5, help="fewest calls per sample")
    p.add_argument("--min-sample-ms", type=float, default=30,
                   help="shortest sample: fast candidates repeat their call until a sample lasts this long")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--kernels", default="fused,simd", help="Attune kernels, comma-separated")
    p.add_argument("--peers", default="numpy,numpy-gemm,onnxruntime,torch",
                   help="peer candidates, comma-separated")
    p.add_argument("--reference", default="attune-fused", help="candidate the ratios divide by")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pause-ms", type=float, default=300,
                   help="idle time before each sample, so other libraries' spinning worker threads "
                        "(OpenBLAS, OpenMP) go to sleep instead of stealing the next candidate's cores")
    p.add_argument("--hold-avx2", action="store_true",
                   help="hold PyTorch and OpenBLAS to AVX2 + FMA (see above)")
    p.add_argument("--json", help="write every sample and ratio to this file")
    return p.parse_args()


def main():
    args = parse()
    if args.setup:
        setup()
    # Run inside the peers' environment when it exists, with thread counts fixed before any
    # numerical library loads.
    enter(args.threads, dict(HOLD_AVX2) if args.hold_avx2 else None,
          drop=("--setup",))
    import numpy as np

    if not os.access(args.attune, os.X_OK):
        sys.exit(f"error: {args.attune} is not executable; run `swift build -c release` first")
    sizes = [int(s) for s in args.sizes.split(",")]
    d = args.dim
    notes = []
    uname = os.uname()
    results = {"machine": {"system": uname.sysname, "release": uname.release, "arch": uname.machine,
                           "cpu": cpu_model()},
               "threads": args.threads, "held_to_avx2": args.hold_avx2, "shapes": []}
    print(f"CPU: {cpu_model()}; Attune's micro-kernels: {attune_entries(args.attune)}"
          + ("; PyTorch and OpenBLAS held to AVX2" if args.hold_avx2 else ""), file=sys.stderr)

    try:
        import torch
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(1)
        results["torch"] = torch.__version__
    except ImportError:
        torch = None
        notes.append("torch not installed (python3 scripts/bench/peer_benchmark.py --setup)")
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper
        results["onnxruntime"] = ort.__version__
    except ImportError:
        ort = None
        notes.append("onnxruntime or onnx not installed (python3 scripts/bench/peer_benchmark.py --setup)")
    results["numpy"] = np.__version__

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            gen = np.random.default_rng(args.seed + n)
            q, k, v = (gen.standard_normal((n, d), dtype=np.float32) for _ in range(3))
            scale = np.float32(1 / np.sqrt(d))
            paths = {}
            for name, x in zip("qkv", (q, k, v)):
                paths[name] = os.path.join(tmp, f"{name}.npy")
                np.save(paths[name], x)
            s = q.astype(np.float64) @ k.T.astype(np.float64) * (1 / np.sqrt(d))
            p = np.exp(s - s.max(axis=1, keepdims=True))
            reference = (p / p.sum(axis=1, keepdims=True)) @ v.astype(np.float64)
            fixed_p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

            def numpy_attention():
                s = (q @ k.T) * scale
                s -= s.max(axis=1, keepdims=True)
                np.exp(s, out=s)
                s /= s.sum(axis=1, keepdims=True)
                return s @ v

            def numpy_gemm():
                q @ k.T
                return fixed_p @ v

            candidates = {"numpy": numpy_attention, "numpy-gemm": numpy_gemm}
            if ort is not None:
                onnx = onnx_attention(ort, helper, TensorProto, q, k, v, args.threads)
                candidates["onnxruntime"] = lambda: onnx()[0]
            if torch is not None:
                tq, tk, tv = (torch.from_numpy(x)[None, None] for x in (q, k, v))
                sdpa = torch.nn.functional.scaled_dot_product_attention

                def torch_sdpa():
                    with torch.inference_mode():
                        return sdpa(tq, tk, tv)[0, 0].numpy()
                candidates["torch"] = torch_sdpa

            servers = {}
            for spec in args.kernels.split(","):
                kname, _, isa = spec.partition("@")
                command = [args.attune, "run", "--q", paths["q"], "--k", paths["k"], "--v", paths["v"],
                           "--kernel", kname, "--serve"]
                if kname != "naive":
                    command += ["--threads", str(args.threads)]
                env = dict(os.environ, ATTUNE_ISA=isa) if isa else None
                server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                          env=env)
                if server.stdout.readline().strip() != "ready":
                    sys.exit(f"error: attune run --serve did not start for {kname}")
                servers[f"attune-{spec}"] = server

            def attune(name, calls):
                server = servers[name]
                server.stdin.write(f"{calls}\n")
                server.stdin.flush()
                return float(server.stdout.readline())
            attune_names = list(servers)

            # Correctness of each peer once (Attune's is checked by scripts/ci/check_against_numpy.py).
            errors = {}
            for name, fn in candidates.items():
                if name != "numpy-gemm":
                    errors[name] = float(np.abs(np.asarray(fn(), dtype=np.float64) - reference).max()
                                         / np.abs(v).max())

            def timed(name, calls):
                if name in candidates:
                    fn = candidates[name]
                    start = time.perf_counter()
                    for _ in range(calls):
                        fn()
                    return (time.perf_counter() - start) / calls
                return attune(name, calls)

            wanted = args.peers.split(",")
            candidates = {name: fn for name, fn in candidates.items() if name in wanted}
            names = list(candidates) + attune_names
            # Calibration: calls per sample so each sample lasts at least --min-sample-ms.
            calls = {}
            for name in names:
                fastest = min(timed(name, 1) for _ in range(3))
                calls[name] = max(args.calls, int(args.min_sample_ms / 1000 / max(fastest, 1e-9)) + 1)

            def sample(name):
                time.sleep(args.pause_ms / 1000)
                timed(name, 1)  # warm-up after the pause
                return timed(name, calls[name])

            times = {name: [] for name in names}
            for round_ in range(args.rounds):
                order = names[:]
                rng.shuffle(order)
                for name in order:
                    times[name].append(sample(name))
                print(f"\r  N={n}: round {round_ + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
            print("\r", end="", file=sys.stderr)

            for server in servers.values():
                server.stdin.close()
                server.wait()
            flops = 4 * n * n * d
            ref = args.reference if args.reference in times else attune_names[0]
            print(f"\nN={n}, d={d}, {args.threads} threads, {args.rounds} interleaved rounds, "
                  f"samples of ≥ {args.min_sample_ms:g} ms")
            print(f"{'candidate':14} {'median ms':>10} {'GFLOP/s':>8} {'max err':>9}  {ref} speedup over it [95% CI]")
            rows = []
            for name in names:
                med = sorted(times[name])[len(times[name]) // 2]
                ratios = [a / b for a, b in zip(times[name], times[ref])]
                r, lo, hi = median_interval(ratios)
                err = f"{errors[name]:.1e}" if name in errors else "-"
                print(f"{name:14} {med * 1e3:10.3f} {flops / med / 1e9:8.1f} {err:>9}  {r:.2f}× [{lo:.2f}, {hi:.2f}]")
                rows.append({"candidate": name, "seconds": times[name], "median": med,
                             "gflops": flops / med / 1e9, "ratio_over_reference": r,
                             "ratio_interval": [lo, hi], "max_error": errors.get(name)})
            results["shapes"].append({"n": n, "d": d, "reference": ref, "candidates": rows})
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
