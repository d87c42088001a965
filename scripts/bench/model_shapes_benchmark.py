#!/usr/bin/env python3
"""Issue 7's performance criteria, each measured in one interleaved run on this machine:

  causal   N=2048, d=64, one head: Attune causal vs Attune non-causal (target ≤ 0.6× the time)
           and PyTorch's causal SDPA vs Attune causal (target ≥ 1.3× faster).
  mha      B=1, H=8, N=1024, d=64: onnxruntime's MultiHeadAttention vs Attune (target ≥ 1.0).
  decode   Nq=1, Nk=32768, H=32, Hkv=8, d=128: Attune's decode against a plain streaming read of
           K and V with the same threads (target ≥ 70 % of its bandwidth); PyTorch for reference.
  bfloat16 N=2048, d=64, one head: Attune with bfloat16 scores (--scores bfloat16) against Attune
           in float32 and against PyTorch's SDPA on bfloat16 tensors (for reference).

Method as scripts/bench/peer_benchmark.py: every round runs every candidate once in a shuffled order,
a sample lasts ≥ --min-sample-ms after a pause and a warm-up call, and ratios are medians of
per-round ratios with distribution-free 95 % intervals. Attune runs in long-lived
`attune run --serve` processes on .npy inputs that the Python peers also use.
Needs the peers' environment (python3 scripts/bench/peer_benchmark.py --setup); never run in CI.
--isa runs Attune on one micro-kernel table (ATTUNE_ISA: avx512, avx2, neon, portable);
--hold-avx2 holds PyTorch (ATEN_CPU_CAPABILITY=avx2; its MKL and oneDNN by MKL_ENABLE_INSTRUCTIONS and
ONEDNN_MAX_CPU_ISA) and OpenBLAS (OPENBLAS_CORETYPE=Haswell) to AVX2 + FMA, to measure the AVX2 entry against them on an AVX-512 machine (onnxruntime cannot be).

    python3 scripts/bench/model_shapes_benchmark.py [--scenarios causal,mha,decode] [--rounds 10]
    python3 scripts/bench/model_shapes_benchmark.py --isa avx2 --hold-avx2
"""
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interleaved  # noqa: E402
from interleaved import attune_server  # noqa: E402
from peers import HOLD_AVX2, attune_entries, cpu_model, enter, onnx_attention  # noqa: E402


def parse():
    p = interleaved.argument_parser(__doc__, "causal,mha,decode,bfloat16")
    p.add_argument("--isa", help="Attune's micro-kernels (ATTUNE_ISA); default: the best this CPU runs")
    p.add_argument("--hold-avx2", action="store_true", help="hold PyTorch and OpenBLAS to AVX2 + FMA")
    return p.parse_args()


def main():
    args = parse()
    extra = dict(HOLD_AVX2) if args.hold_avx2 else {}
    if args.isa:
        extra["ATTUNE_ISA"] = args.isa
    enter(args.threads, extra)
    entries = attune_entries(args.attune)
    print(f"CPU: {cpu_model()}; Attune's micro-kernels: "
          f"{args.isa or entries.split(',')[0]} (this CPU runs {entries})"
          + ("; PyTorch and OpenBLAS held to AVX2" if args.hold_avx2 else ""))
    import numpy as np
    import torch
    import onnxruntime as ort
    from onnx import TensorProto, helper
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    sdpa = torch.nn.functional.scaled_dot_product_attention
    rng = random.Random(args.seed)
    print(f"torch {torch.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}, "
          f"{args.threads} threads, {args.rounds} interleaved rounds")

    with tempfile.TemporaryDirectory() as tmp:
        def save(name, x):
            path = os.path.join(tmp, name)
            np.save(path, x)
            return path

        def server(paths, *flags):
            return attune_server([args.attune, "run", "--q", paths[0], "--k", paths[1], "--v", paths[2],
                                  "--threads", str(args.threads), "--serve", *flags])

        def measure(title, candidates, ratios, notes=()):
            interleaved.measure(title, candidates, ratios, rounds=args.rounds,
                                min_sample_ms=args.min_sample_ms, pause_ms=args.pause_ms, rng=rng,
                                notes=notes)

        def torch_fn(*tensors, **kwargs):
            def run(calls):
                start = time.perf_counter()
                with torch.inference_mode():
                    for _ in range(calls):
                        sdpa(*tensors, **kwargs)
                return (time.perf_counter() - start) / calls
            return run

        gen = np.random.default_rng(args.seed)
        scenarios = args.scenarios.split(",")
        if "causal" in scenarios:
            n, d = 2048, 64
            q, k, v = (gen.standard_normal((n, d), dtype=np.float32) for _ in range(3))
            paths = [save(f"c{x}.npy", a) for x, a in zip("qkv", (q, k, v))]
            tq, tk, tv = (torch.from_numpy(a)[None, None] for a in (q, k, v))
            measure("causal: N=2048, d=64, one head", {
                "attune": server(paths),
                "attune-causal": server(paths, "--causal", "top-left"),
                "torch-causal": torch_fn(tq, tk, tv, is_causal=True),
            }, [
                ("Attune causal / Attune non-causal time", "attune-causal", "attune", "≤ 0.6"),
                ("PyTorch causal / Attune causal time", "torch-causal", "attune-causal", "≥ 1.3"),
            ])
        if "mha" in scenarios:
            b, h, n, d = 1, 8, 1024, 64
            q, k, v = (gen.standard_normal((b, h, n, d), dtype=np.float32) for _ in range(3))
            paths = [save(f"m{x}.npy", a) for x, a in zip("qkv", (q, k, v))]
            run_onnx = onnx_attention(ort, helper, TensorProto, q, k, v, args.threads)

            def onnx(calls):
                start = time.perf_counter()
                for _ in range(calls):
                    run_onnx()
                return (time.perf_counter() - start) / calls
            measure("mha: B=1, H=8, N=1024, d=64", {
                "attune": server(paths),
                "onnxruntime": onnx,
                "torch": torch_fn(*(torch.from_numpy(a) for a in (q, k, v))),
            }, [
                ("onnxruntime / Attune time", "onnxruntime", "attune", "≥ 1.0"),
                ("PyTorch / Attune time", "torch", "attune", "(reference)"),
            ])
        if "decode" in scenarios:
            h, hkv, nk, d = 32, 8, 32768, 128
            q = gen.standard_normal((1, h, 1, d), dtype=np.float32)
            k, v = (gen.standard_normal((1, hkv, nk, d), dtype=np.float32) for _ in range(2))
            paths = [save(f"d{x}.npy", a) for x, a in zip("qkv", (q, k, v))]
            bytes_kv = k.nbytes + v.nbytes
            measure("decode: Nq=1, Nk=32768, H=32, Hkv=8, d=128", {
                "attune": server(paths),
                "stream-read K and V": server(paths, "--stream-read"),
                "torch": torch_fn(*(torch.from_numpy(a) for a in (q, k, v)), enable_gqa=True),
            }, [
                ("Attune bandwidth / streaming-read bandwidth", "stream-read K and V", "attune", "≥ 0.7"),
            ], notes=[lambda t: "bandwidth (K+V once per call): " + ", ".join(
                f"{name} {bytes_kv / sorted(t[name])[len(t[name]) // 2] / 1e9:.1f} GB/s" for name in t)])
        if "bfloat16" in scenarios:
            n, d = 2048, 64
            q, k, v = (gen.standard_normal((n, d), dtype=np.float32) for _ in range(3))
            paths = [save(f"b{x}.npy", a) for x, a in zip("qkv", (q, k, v))]
            measure("bfloat16 scores: N=2048, d=64, one head", {
                "attune": server(paths),
                "attune-bfloat16": server(paths, "--scores", "bfloat16"),
                "torch-bfloat16": torch_fn(
                    *(torch.from_numpy(a)[None, None].to(torch.bfloat16) for a in (q, k, v))),
            }, [
                ("Attune float32 / Attune bfloat16-scores time", "attune", "attune-bfloat16",
                 "(reference)"),
                ("PyTorch bfloat16 SDPA / Attune bfloat16-scores time", "torch-bfloat16",
                 "attune-bfloat16", "(reference)"),
            ])


if __name__ == "__main__":
    main()
